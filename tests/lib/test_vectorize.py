"""nnlib.vectorize: one matrix product for m examples equals m single-example forwards."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib.layer import layer_forward
from nnlib.vectorize import batch_forward, batch_forward_loop

FAST = settings(deadline=None, max_examples=50)


@st.composite
def batches(draw):
    n_in, n_out, m = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 7))
    elements = st.floats(-10, 10)
    return (
        draw(arrays(np.float64, (n_in, m), elements=elements)),
        draw(arrays(np.float64, (n_out, n_in), elements=elements)),
        draw(arrays(np.float64, (n_out, 1), elements=elements)),
    )


@FAST
@given(batches())
def test_batch_forward_equals_one_column_at_a_time(batch):
    X, W, b = batch
    expected = np.hstack([layer_forward(X[:, [i]], W, b) for i in range(X.shape[1])])
    np.testing.assert_allclose(batch_forward(X, W, b), expected, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(batch_forward_loop(X, W, b), expected, rtol=1e-12, atol=1e-9)


def test_bias_is_broadcast_to_every_column():
    b = np.array([[1.0], [-2.0], [3.0]])
    Z = batch_forward(np.ones((2, 4)), np.zeros((3, 2)), b)
    np.testing.assert_array_equal(Z, np.tile(b, (1, 4)))


def test_zero_examples_give_an_empty_result_of_the_right_height():
    assert batch_forward_loop(np.empty((2, 0)), np.ones((3, 2)), np.zeros((3, 1))).shape == (3, 0)
    assert batch_forward(np.empty((2, 0)), np.ones((3, 2)), np.zeros((3, 1))).shape == (3, 0)


def test_float32_stays_float32():
    X, W, b = (np.ones(shape, np.float32) for shape in ((2, 5), (3, 2), (3, 1)))
    assert batch_forward(X, W, b).dtype == np.float32
    assert batch_forward_loop(X, W, b).dtype == np.float32


def test_examples_as_rows_are_rejected_naming_the_layer_and_shapes():
    W, b = np.ones((3, 2)), np.zeros((3, 1))
    with pytest.raises(ValueError, match=r"Layer 4.*\(3, 2\).*\(5, 2\)"):
        batch_forward(np.ones((5, 2)), W, b, layer=4)


def test_inputs_are_not_modified():
    X, W, b = np.arange(6.0).reshape(2, 3), np.arange(4.0).reshape(2, 2), np.ones((2, 1))
    copies = [a.copy() for a in (X, W, b)]
    batch_forward(X, W, b)
    batch_forward_loop(X, W, b)
    for array, copy in zip((X, W, b), copies, strict=True):
        np.testing.assert_array_equal(array, copy)
