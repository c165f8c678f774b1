"""Shared helpers for nnlib's tests, given as session fixtures.

``finite_difference`` is deliberately independent of :mod:`nnlib.gradcheck`, so that a bug there cannot
hide a bug in a backward pass. The parity tests' oracle is JAX in float64 (with optax for the optimizers):
``jax_activation`` maps nnlib's activation names to JAX's functions and ``jax_cost`` its loss names to costs
written with JAX, so that ``jax.grad`` differentiates them independently of nnlib's hand-written backward passes.
"""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # before any pyplot import: the tests draw without a display


def _finite_difference(f, x, h=1e-6):
    """Central differences of a scalar function ``f`` at ``x`` (float64), written apart from nnlib."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        step = np.zeros_like(flat_x)
        step[i] = h
        grad_i = (f((flat_x + step).reshape(x.shape)) - f((flat_x - step).reshape(x.shape))) / (2 * h)
        flat_grad[i] = grad_i
    return grad


@pytest.fixture(scope="session")
def finite_difference():
    """``finite_difference(f, x, h=1e-6)``: the central-difference gradient of a scalar function."""
    return _finite_difference


@pytest.fixture(scope="session")
def jax():
    """JAX with float64 enabled (``jax_enable_x64``), so that parity holds to 1e-10 as it does in NumPy.

    JAX is a maintainer dependency (requirements.lock): if it is missing, the parity tests error instead of
    being skipped, since a skipped oracle would pass silently.
    """
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax


@pytest.fixture(scope="session")
def jax_activation(jax):
    """``jax_activation(name)``: JAX's function for an nnlib activation name (nnlib's default alphas).

    At exactly ``z = 0`` JAX's leaky ReLU takes the slope of the right side (1) where nnlib takes alpha: a
    convention at the kink, which the parity tests leave out.
    """
    functions = {
        "sigmoid": jax.nn.sigmoid,
        "tanh": jax.numpy.tanh,
        "relu": jax.nn.relu,
        "leaky_relu": lambda z: jax.nn.leaky_relu(z, negative_slope=0.01),
        "softplus": jax.nn.softplus,
        "elu": lambda z: jax.nn.elu(z, alpha=1.0),
        "linear": lambda z: z,
    }
    return functions.__getitem__


@pytest.fixture(scope="session")
def optax(jax):
    """optax, JAX's optimizer and loss library (imported after x64 is on)."""
    import optax

    return optax


@pytest.fixture(scope="session")
def jax_cost(jax, optax):
    """``jax_cost(name)(Y_hat, Y)``: the cost J of an nnlib loss name, written with JAX and optax.

    Binary cross-entropy is the mean over every entry of ``-(Y ln Y_hat + (1 - Y) ln(1 - Y_hat))`` (one output
    row: the mean over the m examples); the squared error is optax's ``l2_loss`` (``(y_hat - y)^2 / 2``)
    summed and divided by m.
    """
    jnp = jax.numpy
    costs = {
        "binary_cross_entropy": lambda Y_hat, Y: -jnp.mean(Y * jnp.log(Y_hat) + (1 - Y) * jnp.log1p(-Y_hat)),
        "mean_squared_error": lambda Y_hat, Y: optax.losses.l2_loss(Y_hat, Y).sum() / Y.shape[1],
    }
    return costs.__getitem__


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
