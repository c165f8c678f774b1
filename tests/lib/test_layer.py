"""nnlib.layer: initialisation, one layer's forward pass (loop and matrix forms), parameter count."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib.layer import count_parameters, init_layer, layer_forward, layer_forward_loop

FAST = settings(deadline=None, max_examples=50)


@st.composite
def layer_inputs(draw):
    n_in, n_out = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    elements = st.floats(-10, 10)
    x = draw(arrays(np.float64, (n_in, 1), elements=elements))
    W = draw(arrays(np.float64, (n_out, n_in), elements=elements))
    b = draw(arrays(np.float64, (n_out, 1), elements=elements))
    return x, W, b


@pytest.mark.parametrize("method", ["small", "xavier", "he"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_init_layer_shapes_and_dtype(method, dtype):
    W, b = init_layer(3, 5, method=method, seed=0, dtype=dtype)
    assert W.shape == (5, 3) and b.shape == (5, 1)
    assert W.dtype == dtype and b.dtype == dtype


@pytest.mark.parametrize(
    ("method", "expected_std"),
    [("small", 0.1), ("xavier", np.sqrt(2 / (300 + 200))), ("he", np.sqrt(2 / 300))],
)
def test_init_layer_weight_scale(method, expected_std):
    W, b = init_layer(300, 200, method=method, seed=1)
    assert W.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(W.mean()) < 0.02 * expected_std
    if method == "small":
        assert b.std() == pytest.approx(0.1, rel=0.25)
    else:
        np.testing.assert_array_equal(b, 0)


def test_init_layer_is_reproducible_and_breaks_symmetry():
    W1, b1 = init_layer(4, 6, seed=7)
    W2, b2 = init_layer(4, 6, seed=7)
    np.testing.assert_array_equal(W1, W2)
    np.testing.assert_array_equal(b1, b2)
    assert not np.array_equal(W1, init_layer(4, 6, seed=8)[0])
    assert len(np.unique(W1.round(12), axis=0)) == 6  # no two neurons start equal


def test_init_layer_unknown_method_lists_valid_names():
    with pytest.raises(ValueError, match="glorot") as error:
        init_layer(2, 3, method="glorot")
    for name in ("he", "small", "xavier"):
        assert name in str(error.value)


@FAST
@given(layer_inputs())
def test_loop_and_matrix_forms_equal_the_neuron_by_neuron_definition(inputs):
    x, W, b = inputs
    expected = np.array([[W[j] @ x[:, 0] + b[j, 0]] for j in range(W.shape[0])])
    np.testing.assert_allclose(layer_forward_loop(x, W, b), expected, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(layer_forward(x, W, b), expected, rtol=1e-12, atol=1e-9)


def test_layer_forward_keeps_float32():
    x, W, b = np.ones((2, 1), np.float32), np.ones((3, 2), np.float32), np.zeros((3, 1), np.float32)
    assert layer_forward(x, W, b).dtype == np.float32
    assert layer_forward_loop(x, W, b).dtype == np.float32


@pytest.mark.parametrize("function", [layer_forward, layer_forward_loop])
def test_wrong_input_shape_names_the_layer_and_both_shapes(function):
    W, b = np.ones((3, 2)), np.zeros((3, 1))
    with pytest.raises(ValueError, match=r"Layer: W has shape \(3, 2\), so x must have shape \(2, 1\).*\(4, 1\)"):
        function(np.ones((4, 1)), W, b)
    with pytest.raises(ValueError, match=r"Layer 3: W3 has shape \(3, 2\), so A2 .*\(4, 1\)"):
        function(np.ones((4, 1)), W, b, layer=3)


@pytest.mark.parametrize("function", [layer_forward, layer_forward_loop])
def test_wrong_bias_shape_names_both_shapes(function):
    with pytest.raises(ValueError, match=r"so b must have shape \(3, 1\), but b has shape \(1, 3\)"):
        function(np.ones((2, 1)), np.ones((3, 2)), np.zeros((1, 3)))


def test_layer_forward_does_not_modify_inputs():
    x, W, b = np.arange(2.0).reshape(2, 1), np.arange(6.0).reshape(3, 2), np.ones((3, 1))
    copies = [a.copy() for a in (x, W, b)]
    layer_forward(x, W, b)
    layer_forward_loop(x, W, b)
    for array, copy in zip((x, W, b), copies, strict=True):
        np.testing.assert_array_equal(array, copy)


def test_count_parameters():
    assert count_parameters([2, 4, 1]) == 17  # the source article's 2-4-1 example
    assert count_parameters([2, 25, 50, 50, 25, 1]) == 5226
    assert count_parameters((3, 1)) == 4


@pytest.mark.parametrize("sizes", [[3], [], [2, 0, 1]])
def test_count_parameters_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="layer_sizes"):
        count_parameters(sizes)
