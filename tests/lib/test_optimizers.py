"""nnlib.optimizers: the step formulas, state handling, and 100 steps against optax (on JAX)."""

import numpy as np
import pytest

from nnlib.backprop import network_backward
from nnlib.gradient_descent import GradientDescent, gradient_descent_step
from nnlib.network import init_network, network_forward
from nnlib.optimizers import (
    OPTIMIZERS,
    Adam,
    Momentum,
    RMSProp,
    adam_step,
    get_optimizer,
    momentum_step,
    rmsprop_step,
)

ARCHITECTURE = [
    {"input_dim": 2, "output_dim": 6, "activation": "tanh"},
    {"input_dim": 6, "output_dim": 4, "activation": "relu"},
    {"input_dim": 4, "output_dim": 1, "activation": "sigmoid"},
]


def test_momentum_step_formula():
    param, velocity = momentum_step(np.array([1.0]), np.array([2.0]), np.array([0.5]), learning_rate=0.1, beta=0.9)
    np.testing.assert_allclose(velocity, [0.9 * 0.5 + 2.0])
    np.testing.assert_allclose(param, [1.0 - 0.1 * 2.45])


def test_rmsprop_step_formula():
    param, square_avg = rmsprop_step(np.array([1.0]), np.array([2.0]), np.array([1.0]), 0.1, rho=0.9, eps=0.0)
    np.testing.assert_allclose(square_avg, [0.9 + 0.1 * 4.0])
    np.testing.assert_allclose(param, [1.0 - 0.1 * 2.0 / np.sqrt(1.3)])


def test_adam_first_step_moves_each_parameter_by_the_learning_rate():
    # After bias correction m_hat = g and v_hat = g^2: the first step is lr * sign(g), whatever |g|.
    grad = np.array([1e-4, -3.0, 250.0])
    param, m, v = adam_step(np.zeros(3), grad, np.zeros(3), np.zeros(3), t=1, learning_rate=0.01, eps=0.0)
    np.testing.assert_allclose(param, -0.01 * np.sign(grad))
    np.testing.assert_allclose(m, 0.1 * grad)
    np.testing.assert_allclose(v, 0.001 * grad**2)


def test_adam_bias_correction_at_step_two():
    g1, g2 = 2.0, -1.0
    _, m, v = adam_step(0.0, g1, 0.0, 0.0, t=1)
    param, m, v = adam_step(0.0, g2, m, v, t=2, learning_rate=1.0, eps=0.0)
    m_hat = (0.9 * 0.1 * g1 + 0.1 * g2) / (1 - 0.9**2)
    v_hat = (0.999 * 0.001 * g1**2 + 0.001 * g2**2) / (1 - 0.999**2)
    assert param == pytest.approx(-m_hat / np.sqrt(v_hat))


@pytest.mark.parametrize("optimizer", [GradientDescent(0.1), Momentum(0.1), RMSProp(0.1), Adam(0.1)])
def test_update_rebinds_params_and_never_writes_into_the_arrays(optimizer):
    W = np.array([[1.0, -1.0]])
    params = {"W1": W}
    for _ in range(3):
        optimizer.update(params, {"dW1": np.array([[0.5, 0.5]])})
    np.testing.assert_array_equal(W, [[1.0, -1.0]])
    assert (params["W1"] < W).all()


@pytest.mark.parametrize("make", [GradientDescent, Momentum, RMSProp, Adam])
def test_update_checks_the_gradients_and_the_learning_rate_on_every_call(make):
    """The classes run their steps with check=False: update itself must name what is wrong."""
    optimizer, params = make(0.1), {"W1": np.ones((2, 3)), "b1": np.ones((2, 1))}
    with pytest.raises(ValueError, match=r"grads\['dW1'\] has shape \(3, 2\) but params\['W1'\] has shape \(2, 3\)"):
        optimizer.update(params, {"dW1": np.ones((3, 2)), "db1": np.ones((2, 1))})
    with pytest.raises(ValueError, match=r"grads has no 'db1' for params\['b1'\]; keys given: \['dW1'\]"):
        optimizer.update(params, {"dW1": np.ones((2, 3))})
    with pytest.raises(TypeError, match=r"grads must be a dict"):
        optimizer.update(params, [np.ones((2, 3)), np.ones((2, 1))])
    optimizer.learning_rate = -0.1  # changed after construction, as a hand-written schedule might
    with pytest.raises(ValueError, match=r"learning_rate must lie in \(0, inf\), got -0.1"):
        optimizer.update(params, {"dW1": np.ones((2, 3)), "db1": np.ones((2, 1))})
    np.testing.assert_array_equal(params["W1"], np.ones((2, 3)))  # nothing was updated by a refused call


@pytest.mark.parametrize(
    "step",
    [
        lambda p, g, m, v, check: (gradient_descent_step(p, g, 0.1, check=check),),
        lambda p, g, m, v, check: momentum_step(p, g, m, 0.1, 0.8, check=check),
        lambda p, g, m, v, check: rmsprop_step(p, g, v, 0.1, 0.8, 1e-8, check=check),
        lambda p, g, m, v, check: adam_step(p, g, m, v, 3, 0.1, 0.8, 0.99, 1e-8, check=check),
    ],
    ids=["gradient_descent", "momentum", "rmsprop", "adam"],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_an_unchecked_step_is_the_checked_step(step, dtype):
    """The classes pass check=False after their own checks: the formulas must not depend on the checks."""
    param, grad, m, v = np.random.default_rng(0).standard_normal((4, 3, 4)).astype(dtype)
    checked, unchecked = step(param, grad, m, np.abs(v), True), step(param, grad, m, np.abs(v), False)
    for checked_array, unchecked_array in zip(checked, unchecked, strict=True):
        assert checked_array.dtype == unchecked_array.dtype == dtype
        np.testing.assert_array_equal(unchecked_array, checked_array)


def test_state_is_kept_per_parameter():
    optimizer = Momentum(learning_rate=1.0, beta=0.5)
    params = {"W1": np.zeros(1), "b1": np.zeros(1)}
    optimizer.update(params, {"dW1": np.ones(1), "db1": -np.ones(1)})
    optimizer.update(params, {"dW1": np.ones(1), "db1": -np.ones(1)})
    np.testing.assert_allclose(optimizer.velocity["W1"], [1.5])
    np.testing.assert_allclose(optimizer.velocity["b1"], [-1.5])
    np.testing.assert_allclose(params["W1"], [-2.5])
    adam = Adam()
    adam.update(params, {"dW1": np.ones(1), "db1": np.ones(1)})
    assert adam.t == 1  # one step for all parameters, not one per parameter


def test_get_optimizer_builds_by_name_and_lists_valid_names():
    optimizer = get_optimizer("adam", learning_rate=0.5, beta1=0.8)
    assert isinstance(optimizer, Adam) and optimizer.learning_rate == 0.5 and optimizer.beta1 == 0.8
    assert isinstance(get_optimizer("gradient_descent"), GradientDescent)
    with pytest.raises(ValueError, match="adagrad") as error:
        get_optimizer("adagrad")
    for name in OPTIMIZERS:
        assert name in str(error.value)


def _problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 40))
    Y = (X[0] * X[1] > 0).astype(np.float64).reshape(1, -1)
    return X, Y, init_network(ARCHITECTURE, seed=3)


def _train_nnlib(optimizer, steps=100):
    X, Y, params = _problem()
    for _ in range(steps):
        Y_hat, cache = network_forward(X, params, ARCHITECTURE)
        optimizer.update(params, network_backward(Y_hat, Y, cache, params, ARCHITECTURE))
    return params


def _train_optax(jax, optax, optimizer, steps=100):
    """The same network, problem and steps as ``_train_nnlib``, trained with JAX's autodiff and an optax optimizer."""
    X, Y, params = _problem()
    activations = [jax.numpy.tanh, jax.nn.relu, jax.nn.sigmoid]
    jnp = jax.numpy

    def cost(params):
        A = X
        for l, activation in enumerate(activations, start=1):
            A = activation(params[f"W{l}"] @ A + params[f"b{l}"])
        return -jnp.mean(Y * jnp.log(A) + (1 - Y) * jnp.log1p(-A))

    @jax.jit
    def step(params, state):
        updates, state = optimizer.update(jax.grad(cost)(params), state, params)
        return optax.apply_updates(params, updates), state

    params = {name: jnp.asarray(value) for name, value in params.items()}
    state = optimizer.init(params)
    for _ in range(steps):
        params, state = step(params, state)
    return {name: np.asarray(value) for name, value in params.items()}


@pytest.mark.parametrize(
    ("nnlib_optimizer", "optax_optimizer"),
    [
        (lambda: GradientDescent(0.5), lambda optax: optax.sgd(0.5)),
        (lambda: Momentum(0.1, beta=0.9), lambda optax: optax.sgd(0.1, momentum=0.9)),
        # eps outside the square root, as in nnlib (and in PyTorch): optax's default puts it inside.
        (
            lambda: RMSProp(0.01, rho=0.9, eps=1e-8),
            lambda optax: optax.rmsprop(0.01, decay=0.9, eps=1e-8, eps_in_sqrt=False),
        ),
        (lambda: Adam(0.01), lambda optax: optax.adam(0.01, b1=0.9, b2=0.999, eps=1e-8)),
    ],
    ids=["sgd", "sgd-momentum", "rmsprop", "adam"],
)
def test_hundred_steps_match_optax(nnlib_optimizer, optax_optimizer, jax, optax):
    ours = _train_nnlib(nnlib_optimizer())
    theirs = _train_optax(jax, optax, optax_optimizer(optax))
    start = _problem()[2]
    for name, value in ours.items():
        assert not np.allclose(value, start[name], atol=1e-3), f"{name} barely moved: the test would prove nothing"
        np.testing.assert_allclose(value, theirs[name], rtol=1e-9, atol=1e-10, err_msg=name)


def test_step_functions_do_not_modify_inputs():
    arrays = [np.array([1.0, -2.0]) for _ in range(4)]
    copies = [a.copy() for a in arrays]
    momentum_step(arrays[0], arrays[1], arrays[2], 0.1)
    rmsprop_step(arrays[0], arrays[1], np.abs(arrays[2]), 0.1)
    adam_step(arrays[0], arrays[1], arrays[2], np.abs(arrays[3]), t=3)
    for array, copy in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(array, copy)
