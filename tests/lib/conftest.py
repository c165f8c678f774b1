"""Shared helpers for nnlib's tests, given as session fixtures.

``finite_difference`` is deliberately independent of :mod:`nnlib.gradcheck`, so that a bug there cannot
hide a bug in a backward pass. ``torch_activation`` maps nnlib's activation names to PyTorch's functions.
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
def torch():
    """PyTorch on one thread (the tensors here are tiny: more threads only fight over the 2 cores)."""
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


@pytest.fixture(scope="session")
def torch_activation(torch):
    """``torch_activation(name)``: PyTorch's function for an nnlib activation name (nnlib's default alphas)."""
    functional = torch.nn.functional
    functions = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda z: functional.leaky_relu(z, negative_slope=0.01),
        # PyTorch switches to z itself above `threshold` (default 20); 50 keeps it on log(1 + e^z) here.
        "softplus": lambda z: functional.softplus(z, threshold=50),
        "elu": lambda z: functional.elu(z, alpha=1.0),
        "linear": lambda z: z,
    }
    return functions.__getitem__


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
