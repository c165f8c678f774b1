"""nnlib.losses: values, gradients (finite differences and JAX), clipping, accuracy, errors."""

import functools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib.activations import sigmoid, sigmoid_derivative
from nnlib.losses import (
    LOSSES,
    accuracy,
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    binary_cross_entropy_loss,
    get_loss,
    mean_squared_error,
    mean_squared_error_gradient,
    sigmoid_binary_cross_entropy_gradient,
    squared_error_loss,
)

FAST = settings(deadline=None, max_examples=50)


@st.composite
def probabilities_and_labels(draw, max_m=8):
    m = draw(st.integers(1, max_m))
    Y_hat = draw(arrays(np.float64, (1, m), elements=st.floats(0.01, 0.99)))
    Y = draw(arrays(np.float64, (1, m), elements=st.sampled_from([0.0, 1.0])))
    return Y_hat, Y


@st.composite
def regression_pairs(draw):
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 6)))
    elements = st.floats(-10, 10)
    return draw(arrays(np.float64, shape, elements=elements)), draw(arrays(np.float64, shape, elements=elements))


def test_bce_of_a_coin_flip_is_log_two():
    Y_hat, Y = np.full((1, 4), 0.5), np.array([[0.0, 1.0, 1.0, 0.0]])
    assert binary_cross_entropy(Y_hat, Y) == pytest.approx(np.log(2))


def test_bce_known_values_per_example():
    loss = binary_cross_entropy_loss(np.array([[0.9, 0.2]]), np.array([[1.0, 0.0]]))
    np.testing.assert_allclose(loss, [[-np.log(0.9), -np.log(0.8)]])
    assert loss.shape == (1, 2)


@FAST
@given(probabilities_and_labels())
def test_bce_is_positive_and_smallest_at_the_labels(pair):
    Y_hat, Y = pair
    assert binary_cross_entropy(Y_hat, Y) > 0
    assert binary_cross_entropy(np.clip(Y, 1e-6, 1 - 1e-6), Y) < binary_cross_entropy(Y_hat, Y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_stays_finite_without_warnings_at_exact_zero_and_one(dtype):
    Y_hat, Y = np.array([[0.0, 1.0, 0.0, 1.0]], dtype), np.array([[1.0, 0.0, 0.0, 1.0]], dtype)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        cost = binary_cross_entropy(Y_hat, Y)
        gradient = binary_cross_entropy_gradient(Y_hat, Y)
    assert np.isfinite(cost) and cost > 5  # confidently wrong on two examples: a large cost
    assert np.isfinite(gradient).all()
    assert gradient.dtype == dtype


def test_mse_uses_the_one_half_convention():
    Y_hat, Y = np.array([[1.0, 3.0]]), np.array([[0.0, 0.0]])
    assert mean_squared_error(Y_hat, Y) == pytest.approx((1 + 9) / (2 * 2))
    np.testing.assert_allclose(mean_squared_error_gradient(Y_hat, Y), [[0.5, 1.5]])


def test_squared_error_sums_over_output_rows():
    loss = squared_error_loss(np.array([[1.0, 0.0], [2.0, 0.0]]), np.zeros((2, 2)))
    np.testing.assert_allclose(loss, [[2.5, 0.0]])


@FAST
@given(pair=probabilities_and_labels())
def test_bce_gradient_matches_central_differences(pair, finite_difference):
    Y_hat, Y = pair
    numeric = finite_difference(lambda P: binary_cross_entropy(P, Y), Y_hat, h=1e-7)
    np.testing.assert_allclose(binary_cross_entropy_gradient(Y_hat, Y), numeric, rtol=1e-5, atol=1e-8)


@FAST
@given(pair=regression_pairs())
def test_mse_gradient_matches_central_differences(pair, finite_difference):
    Y_hat, Y = pair
    numeric = finite_difference(lambda P: mean_squared_error(P, Y), Y_hat)
    np.testing.assert_allclose(mean_squared_error_gradient(Y_hat, Y), numeric, rtol=1e-6, atol=1e-8)


@FAST
@given(arrays(np.float64, (1, 6), elements=st.floats(-15, 15)), arrays(np.float64, (1, 6), elements=st.floats(0, 1)))
def test_fused_sigmoid_bce_gradient_equals_the_chain_rule(Z, Y):
    A = sigmoid(Z)
    chain = binary_cross_entropy_gradient(A, Y) * sigmoid_derivative(Z)
    np.testing.assert_allclose(sigmoid_binary_cross_entropy_gradient(A, Y), chain, rtol=1e-6, atol=1e-12)


def test_fused_gradient_is_finite_where_the_chain_saturates():
    A, Y = np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]])
    np.testing.assert_array_equal(sigmoid_binary_cross_entropy_gradient(A, Y), [[-0.5, 0.5]])


@functools.cache
def _compiled_value_and_grad(jax, cost):
    # Compiled once per shape: cheaper than running JAX's operations one by one, each compiled per shape.
    return jax.jit(jax.value_and_grad(cost))


def _jax_value_and_gradient(jax, cost, Y_hat, Y):
    """J and dJ/dY_hat of a JAX-written cost, the gradient by JAX's reverse-mode autodiff."""
    J, dY_hat = _compiled_value_and_grad(jax, cost)(jax.numpy.asarray(Y_hat), jax.numpy.asarray(Y))
    return float(J), np.asarray(dY_hat)


def fixed_shape_pairs(shape, low, high, labels=False):
    """Y_hat (entries in [low, high]) and Y (0/1 labels, or the same range) of one ``shape``."""
    targets = st.sampled_from([0.0, 1.0]) if labels else st.floats(low, high)
    return st.tuples(
        arrays(np.float64, shape, elements=st.floats(low, high)), arrays(np.float64, shape, elements=targets)
    )


# A few fixed shapes for the JAX parity tests: JAX compiles once per shape (about a second on a busy machine).
@pytest.mark.parametrize("m", [1, 7])
@settings(deadline=None, max_examples=40)
@given(data=st.data())
def test_bce_value_and_gradient_match_jax(m, data, jax, jax_cost):
    Y_hat, Y = data.draw(fixed_shape_pairs((1, m), 0.01, 0.99, labels=True))
    J, dY_hat = _jax_value_and_gradient(jax, jax_cost("binary_cross_entropy"), Y_hat, Y)
    assert binary_cross_entropy(Y_hat, Y) == pytest.approx(J, rel=1e-10, abs=1e-13)
    np.testing.assert_allclose(binary_cross_entropy_gradient(Y_hat, Y), dY_hat, rtol=1e-10)


@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (3, 5)])
@settings(deadline=None, max_examples=40)
@given(data=st.data())
def test_mse_value_and_gradient_match_jax_with_the_right_factor(shape, data, jax, jax_cost, optax):
    Y_hat, Y = data.draw(fixed_shape_pairs(shape, -10, 10))
    # J = 1/(2m) sum of squares: optax's l2_loss, (y_hat - y)^2 / 2, summed and divided by m.
    J, dY_hat = _jax_value_and_gradient(jax, jax_cost("mean_squared_error"), Y_hat, Y)
    assert mean_squared_error(Y_hat, Y) == pytest.approx(J, rel=1e-10, abs=1e-13)
    np.testing.assert_allclose(mean_squared_error_gradient(Y_hat, Y), dY_hat, rtol=1e-10, atol=1e-15)
    if Y.shape[0] == 1:  # one output: the plain mean of squared errors (PyTorch's default MSELoss) is 2J
        plain_mean = float(optax.losses.squared_error(jax.numpy.asarray(Y_hat), jax.numpy.asarray(Y)).mean())
        assert 2 * mean_squared_error(Y_hat, Y) == pytest.approx(plain_mean, rel=1e-10, abs=1e-13)


def test_accuracy_counts_thresholded_matches():
    Y_hat, Y = np.array([[0.9, 0.4, 0.6, 0.1]]), np.array([[1.0, 1.0, 0.0, 0.0]])
    assert accuracy(Y_hat, Y) == 0.5
    assert accuracy(Y_hat, Y, threshold=0.95) == 0.5
    assert accuracy(Y_hat, Y, threshold=0.3) == 0.75
    assert accuracy(np.array([[0.5]]), np.array([[1.0]])) == 0.0  # 0.5 is not above the threshold


@pytest.mark.parametrize(
    "function",
    [binary_cross_entropy, binary_cross_entropy_gradient, mean_squared_error, mean_squared_error_gradient, accuracy],
)
def test_shape_mismatch_names_both_shapes(function):
    with pytest.raises(ValueError, match=r"Y_hat has shape \(1, 4\) but Y has shape \(4, 1\)"):
        function(np.full((1, 4), 0.5), np.ones((4, 1)))


@pytest.mark.parametrize(
    "function",
    [binary_cross_entropy, binary_cross_entropy_gradient, mean_squared_error, mean_squared_error_gradient, accuracy],
)
def test_inputs_are_not_modified(function):
    Y_hat, Y = np.array([[0.0, 0.3, 1.0]]), np.array([[1.0, 0.0, 1.0]])
    Y_hat_before, Y_before = Y_hat.copy(), Y.copy()
    function(Y_hat, Y)
    np.testing.assert_array_equal(Y_hat, Y_hat_before)
    np.testing.assert_array_equal(Y, Y_before)


@pytest.mark.parametrize(
    "function",
    [
        binary_cross_entropy_loss,
        binary_cross_entropy,
        binary_cross_entropy_gradient,
        sigmoid_binary_cross_entropy_gradient,
        squared_error_loss,
        mean_squared_error,
        mean_squared_error_gradient,
        accuracy,
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_check_false_gives_the_checked_result_on_checked_inputs(function, dtype):
    """train checks its data once and passes check=False every epoch: the formulas must not depend on the checks."""
    Y_hat, Y = np.array([[0.2, 0.7, 0.5, 0.9]], dtype=dtype), np.array([[0.0, 1.0, 1.0, 0.0]], dtype=dtype)
    checked, unchecked = function(Y_hat, Y), function(Y_hat, Y, check=False)
    assert type(unchecked) is type(checked) and np.asarray(unchecked).dtype == np.asarray(checked).dtype
    np.testing.assert_array_equal(unchecked, checked)


def test_registry_and_unknown_loss_lists_valid_names():
    assert get_loss("binary_cross_entropy").gradient is binary_cross_entropy_gradient
    assert get_loss("mean_squared_error").cost is mean_squared_error
    with pytest.raises(ValueError, match="hinge") as error:
        get_loss("hinge")
    for name in LOSSES:
        assert name in str(error.value)
