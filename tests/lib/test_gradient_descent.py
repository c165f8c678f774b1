"""nnlib.gradient_descent: the update, the minimiser, linear regression, the cosine schedule."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib.gradient_descent import (
    GradientDescent,
    cosine_decay,
    fit_linear_regression,
    gradient_descent_step,
    linear_regression_cost,
    linear_regression_gradient,
    minimize,
)


def test_step_moves_against_the_gradient_and_returns_a_new_array():
    param, grad = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    new = gradient_descent_step(param, grad, 0.1)
    np.testing.assert_allclose(new, [0.95, 2.1])
    np.testing.assert_array_equal(param, [1.0, 2.0])
    assert new is not param


@settings(deadline=None, max_examples=40)
@given(a=st.floats(0.1, 10), x0=st.floats(-10, 10), steps=st.integers(1, 30))
def test_minimize_a_quadratic_follows_the_closed_form(a, x0, steps):
    # f(x) = a x^2 / 2, so x_k = (1 - lr a)^k x0.
    learning_rate = 0.5 / a
    path = minimize(lambda x: a * x, x0, learning_rate, steps)
    assert path.shape == (steps + 1, 1)
    np.testing.assert_allclose(path[:, 0], x0 * (1 - learning_rate * a) ** np.arange(steps + 1), rtol=1e-9, atol=1e-12)


def test_minimize_in_two_dimensions_reaches_the_minimum():
    center = np.array([3.0, -1.0])
    path = minimize(lambda x: 2 * (x - center), [0.0, 0.0], 0.1, 200)
    np.testing.assert_array_equal(path[0], [0.0, 0.0])
    np.testing.assert_allclose(path[-1], center, atol=1e-10)
    distances = np.linalg.norm(path - center, axis=1)
    assert (np.diff(distances[:50]) < 0).all()


def test_minimize_does_not_modify_x0():
    x0 = np.array([1.0, 1.0])
    minimize(lambda x: x, x0, 0.1, 5)
    np.testing.assert_array_equal(x0, [1.0, 1.0])


def test_too_large_a_learning_rate_diverges_with_a_clear_error_naming_the_step():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match=r"diverged at step \d+.*learning rate 3"):
            minimize(lambda x: 1e300 * x, 1.0, 3, 1000)


def test_oscillating_learning_rate_overshoots():
    path = minimize(lambda x: 2 * x, 1.0, 0.9, 3)  # x_k = (1 - 1.8)^k: sign flips every step
    np.testing.assert_allclose(path[:, 0], [1.0, -0.8, 0.64, -0.512])


def test_linear_regression_gradient_matches_central_differences(finite_difference):
    rng = np.random.default_rng(0)
    x, y, theta = rng.uniform(0, 2, 20), rng.standard_normal(20), np.array([0.3, -1.2])
    numeric = finite_difference(lambda t: linear_regression_cost(t, x, y), theta)
    np.testing.assert_allclose(linear_regression_gradient(theta, x, y), numeric, rtol=1e-7)


def test_linear_regression_cost_uses_one_over_two_m():
    assert linear_regression_cost(np.array([0.0, 1.0]), np.array([1.0, 2.0]), np.array([0.0, 0.0])) == 1.25


def test_fit_linear_regression_reaches_least_squares():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 2, 100)
    y = 4 + 3 * x + rng.standard_normal(100)
    path, costs = fit_linear_regression(x, y, learning_rate=0.1, epochs=3000)
    slope, intercept = np.polyfit(x, y, 1)
    np.testing.assert_allclose(path[-1], [intercept, slope], rtol=1e-6)
    assert path.shape == (3001, 2) and costs.shape == (3001,)
    assert (np.diff(costs) <= 1e-12).all()  # a small enough step never increases the cost
    assert costs[0] == pytest.approx(linear_regression_cost(np.zeros(2), x, y))


def test_fit_linear_regression_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\(3,\) and \(4,\)"):
        fit_linear_regression(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="y contains NaN"):
        fit_linear_regression(np.ones(3), np.array([1.0, np.nan, 2.0]))


def test_fit_linear_regression_too_large_a_rate_raises():
    x = np.linspace(0, 2, 10)
    with pytest.raises(FloatingPointError, match="step"):
        fit_linear_regression(x, 3 * x, learning_rate=10.0, epochs=10_000)


@pytest.mark.parametrize(("step", "expected"), [(0, 1.0), (50, 0.55), (100, 0.1), (150, 0.1)])
def test_cosine_decay(step, expected):
    assert cosine_decay(step, 100, initial_rate=1.0, final_rate=0.1) == pytest.approx(expected)


def test_cosine_decay_is_monotone():
    rates = [cosine_decay(t, 50, 0.5) for t in range(60)]
    assert all(a >= b for a, b in zip(rates, rates[1:], strict=False))


def test_gradient_descent_optimizer_rebinds_and_never_writes_into_arrays():
    W, b = np.array([[1.0, 2.0]]), np.array([[0.5]])
    params = {"W1": W, "b1": b}
    GradientDescent(learning_rate=0.5).update(params, {"dW1": np.array([[2.0, -2.0]]), "db1": np.array([[1.0]])})
    np.testing.assert_allclose(params["W1"], [[0.0, 3.0]])
    np.testing.assert_allclose(params["b1"], [[0.0]])
    np.testing.assert_array_equal(W, [[1.0, 2.0]])
    np.testing.assert_array_equal(b, [[0.5]])
