"""nnlib.neuron: weighted sum, step, threshold neuron, perceptron."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib.activations import sigmoid
from nnlib.neuron import neuron_output, perceptron, step, threshold_neuron, weighted_sum

FAST = settings(deadline=None, max_examples=50)
small_floats = st.floats(-100, 100)


@FAST
@given(st.lists(st.tuples(small_floats, small_floats), min_size=1, max_size=8), small_floats)
def test_weighted_sum_of_one_example_is_the_explicit_sum(pairs, b):
    x, w = (np.array(column) for column in zip(*pairs, strict=True))
    expected = sum(w_i * x_i for w_i, x_i in zip(w, x, strict=True)) + b
    assert weighted_sum(x, w, b) == pytest.approx(expected, rel=1e-12, abs=1e-9)


def test_weighted_sum_of_many_examples_gives_one_value_per_column():
    x = np.array([[1.0, 0.0, 2.0], [3.0, 1.0, -1.0]])  # (n_x = 2, m = 3)
    w = np.array([2.0, -1.0])
    np.testing.assert_allclose(weighted_sum(x, w, 0.5), [-0.5, -0.5, 5.5])


def test_weighted_sum_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"Neuron.*\(3,\).*\(2, 4\)"):
        weighted_sum(np.ones((2, 4)), np.ones(3), 0.0)


def test_step_fires_only_strictly_above_zero_and_keeps_dtype():
    z = np.array([-1.0, 0.0, 1e-30, 5.0], dtype=np.float32)
    a = step(z)
    np.testing.assert_array_equal(a, [0, 0, 1, 1])
    assert a.dtype == np.float32


def test_threshold_neuron_fires_when_the_sum_passes_40():
    # The source article's example: fire when the inputs add up to more than 40.
    assert threshold_neuron(np.array([10.0, 20.0, 15.0]), 40) == 1.0
    assert threshold_neuron(np.array([10.0, 20.0, 10.0]), 40) == 0.0  # exactly 40 does not pass
    assert threshold_neuron(np.array([10.0, 20.0, 5.0]), 40) == 0.0


@FAST
@given(st.lists(small_floats, min_size=1, max_size=6), small_floats)
def test_threshold_is_a_bias_moved_to_the_left(x, threshold):
    x = np.array(x)
    assert threshold_neuron(x, threshold) == perceptron(x, np.ones_like(x), -threshold)


@pytest.mark.parametrize(("b", "truth_table"), [(-1.5, [0, 0, 0, 1]), (-0.5, [0, 1, 1, 1])])
def test_perceptron_computes_and_or(b, truth_table):
    inputs = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    np.testing.assert_array_equal(perceptron(inputs, np.array([1.0, 1.0]), b), truth_table)


def test_neuron_output_applies_the_activation_to_the_weighted_sum():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    w, b = np.array([0.4, -1.2]), 0.3
    np.testing.assert_allclose(neuron_output(x, w, b, activation=sigmoid), sigmoid(w @ x + b))
    np.testing.assert_array_equal(neuron_output(x, w, b), step(w @ x + b))


def test_inputs_are_not_modified():
    x, w = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -0.5])
    x_before, w_before = x.copy(), w.copy()
    weighted_sum(x, w, 1.0)
    perceptron(x, w, 1.0)
    threshold_neuron(x, 2.0)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(w, w_before)
