"""nnlib.gradcheck: numerical gradients, relative error, and a checker that does catch a wrong backward pass."""

import numpy as np
import pytest

from nnlib import gradcheck
from nnlib.gradcheck import check_network_gradients, numerical_gradient, relative_error
from nnlib.network import init_network

ARCHITECTURE = [
    {"input_dim": 3, "output_dim": 4, "activation": "tanh"},
    {"input_dim": 4, "output_dim": 3, "activation": "softplus"},
    {"input_dim": 3, "output_dim": 1, "activation": "sigmoid"},
]


def problem(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((3, 5)), rng.integers(0, 2, (1, 5)).astype(float), init_network(ARCHITECTURE, seed=seed)


def test_numerical_gradient_of_known_functions():
    rng = np.random.default_rng(0)
    x, M = rng.standard_normal((3, 2)), rng.standard_normal((3, 3))
    np.testing.assert_allclose(numerical_gradient(lambda v: float((v**2).sum()), x), 2 * x, rtol=1e-8)
    # f(x) = sum_j x_j^T M x_j (one quadratic form per column): gradient (M + M^T) x.
    np.testing.assert_allclose(
        numerical_gradient(lambda v: float(np.einsum("ij,ik,kj->", v, M, v)), x), (M + M.T) @ x, rtol=1e-7
    )
    np.testing.assert_allclose(numerical_gradient(lambda v: float(np.sin(v).sum()), x), np.cos(x), rtol=1e-8)


def test_numerical_gradient_agrees_with_the_independent_helper(finite_difference):
    x = np.linspace(-1, 1, 6).reshape(2, 3)

    def f(v):
        return float(np.exp(v).sum() * v[0, 0])

    np.testing.assert_allclose(numerical_gradient(f, x), finite_difference(f, x), rtol=1e-9)


def test_numerical_gradient_leaves_x_unchanged_and_works_on_float32_input():
    x = np.arange(4, dtype=np.float32)
    before = x.copy()
    grad = numerical_gradient(lambda v: float((v**3).sum()), x, h=1e-5)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(grad, 3 * before.astype(float) ** 2, rtol=1e-6, atol=1e-6)
    assert grad.dtype == np.float64  # perturbations of 1e-6 need float64


def test_relative_error_values():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(a, np.zeros(3)) == pytest.approx(1.0)
    assert relative_error(a, 1.01 * a) == pytest.approx(0.01 / 2.01)


@pytest.mark.parametrize("seed", range(3))
def test_correct_backprop_passes_the_check(seed):
    X, Y, params = problem(seed)
    errors = check_network_gradients(X, Y, params, ARCHITECTURE)
    assert sorted(errors) == sorted(params)
    assert max(errors.values()) < 1e-6  # a wrong gradient gives 1e-3 or more (see below)


def test_squared_error_network_passes_the_check():
    X, _, params = problem()
    architecture = [*ARCHITECTURE[:-1], {"input_dim": 3, "output_dim": 2, "activation": "linear"}]
    params = init_network(architecture, seed=1)
    Y = np.random.default_rng(1).standard_normal((2, 5))
    errors = check_network_gradients(X, Y, params, architecture, loss="mean_squared_error")
    assert max(errors.values()) < 1e-6  # a wrong gradient gives 1e-3 or more (see below)


def test_a_wrong_backward_pass_is_caught(monkeypatch):
    X, Y, params = problem()
    correct = gradcheck.network_backward

    def off_by_one_percent(*args, **kwargs):
        grads = correct(*args, **kwargs)
        return {**grads, "dW2": 1.01 * grads["dW2"]}

    monkeypatch.setattr(gradcheck, "network_backward", off_by_one_percent)
    errors = check_network_gradients(X, Y, params, ARCHITECTURE)
    assert errors["W2"] > 1e-3
    assert errors["W1"] < 1e-6


def test_check_does_not_modify_params():
    X, Y, params = problem()
    before = {name: value.copy() for name, value in params.items()}
    check_network_gradients(X, Y, params, ARCHITECTURE)
    for name, value in params.items():
        np.testing.assert_array_equal(value, before[name])
