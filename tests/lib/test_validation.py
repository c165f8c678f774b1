"""nnlib._validation: the input checks behind every error message."""

import numpy as np
import pytest

from nnlib._validation import as_float_array, check_finite, check_layer_shapes, check_same_shape, lookup


def test_integers_and_bools_become_float64():
    assert as_float_array([1, 2]).dtype == np.float64
    assert as_float_array(np.array([True])).dtype == np.float64


def test_floating_arrays_keep_dtype_and_are_not_copied():
    for dtype in (np.float32, np.float64):
        array = np.ones(3, dtype)
        assert as_float_array(array) is array


@pytest.mark.parametrize("value", [np.array(["a"]), np.array([1 + 2j]), np.array([None])])
def test_non_real_input_is_a_type_error_naming_the_input(value):
    with pytest.raises(TypeError, match="weights"):
        as_float_array(value, "weights")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_finite_names_the_array_and_the_first_bad_index(bad):
    array = np.zeros((2, 3))
    array[1, 2] = bad
    with pytest.raises(ValueError, match=r"A1 contains NaN or inf \(first at index \(1, 2\)"):
        check_finite(array, "A1")
    check_finite(np.zeros((2, 3)), "A1")  # finite: no error


def test_layer_shape_errors_name_the_layer_and_both_shapes():
    W, b = np.ones((3, 2)), np.ones((3, 1))
    with pytest.raises(ValueError, match=r"Layer 2: W2 has shape \(3, 2\).*A1.*\(4, 5\)"):
        check_layer_shapes(2, np.ones((4, 5)), W, b)
    with pytest.raises(ValueError, match=r"Layer 2.*b2.*\(3,\)"):
        check_layer_shapes(2, np.ones((2, 5)), W, np.ones(3))
    with pytest.raises(ValueError, match=r"Layer 2.*2-D.*\(3,\)"):
        check_layer_shapes(2, np.ones((2, 5)), np.ones(3), b)
    check_layer_shapes(2, np.ones((2, 5)), W, b)


def test_same_shape_error_names_both():
    with pytest.raises(ValueError, match=r"Y_hat has shape \(1, 3\) but Y has shape \(3,\)"):
        check_same_shape(np.ones((1, 3)), np.ones(3), "Y_hat", "Y")


@pytest.mark.parametrize("name", ["unknown", None, ["relu"]])
def test_lookup_lists_valid_names_sorted(name):
    with pytest.raises(ValueError, match=r"Unknown thing .*Valid things: a, b, c\."):
        lookup({"c": 3, "a": 1, "b": 2}, name, "thing")
    assert lookup({"a": 1}, "a", "thing") == 1
