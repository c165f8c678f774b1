r"""Chapter 7 -- numerical gradient checking.

Central differences approximate each partial derivative with error :math:`O(h^2)`:

.. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}.

Compare with an analytic gradient by the relative error
:math:`\lVert g_{num} - g \rVert / (\lVert g_{num} \rVert + \lVert g \rVert)`: about 1e-7 or less in
float64 means the backward pass is right; 1e-3 or more means a bug.
"""

import numpy as np

from nnlib._validation import as_float_array
from nnlib.backprop import network_backward
from nnlib.losses import get_loss
from nnlib.network import network_forward


def numerical_gradient(f, x, h=1e-6):
    """Central-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable, array of the shape of ``x`` -> float
    x : array, any shape (float64 recommended; it is not modified)
    h : float, the step

    Returns
    -------
    grad : array, the shape of ``x``
    """
    x = as_float_array(x, "x").astype(np.float64)  # a private float64 copy to perturb
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f(x)
        x[index] = original - h
        f_minus = f(x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b):
    """``||a - b|| / (||a|| + ||b||)``, and 0.0 when both are zero."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def check_network_gradients(X, Y, params, architecture, loss="binary_cross_entropy", h=1e-6):
    """Relative error between backpropagation and central differences for every parameter.

    Parameters
    ----------
    X : array, shape (n_x, m); Y : array, shape (n[L], m)
    params : dict of ``W{l}``, ``b{l}`` (float64 for meaningful results; not modified)

    Returns
    -------
    errors : dict, parameter name -> relative error
    """
    cost = get_loss(loss).cost
    Y_hat, cache = network_forward(X, params, architecture)
    grads = network_backward(Y_hat, Y, cache, params, architecture, loss=loss)
    errors = {}
    for name, value in params.items():

        def cost_at(candidate, name=name):
            return cost(network_forward(X, {**params, name: candidate}, architecture)[0], Y)

        errors[name] = relative_error(numerical_gradient(cost_at, value, h), grads["d" + name])
    return errors
