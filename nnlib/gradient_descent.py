r"""Chapter 6 -- gradient descent.

Step against the gradient, scaled by the learning rate :math:`\eta`:

.. math:: \theta \leftarrow \theta - \eta \, \nabla_\theta J(\theta).

This module holds the update itself, a minimiser that records its path on 1-D and 2-D toy
functions, linear regression :math:`\hat y = \theta_0 + \theta_1 x` fitted by gradient descent, a
cosine learning-rate schedule, and :class:`GradientDescent`, the first optimizer with the interface
that chapter 8's optimizers share.
"""

import numpy as np

from nnlib._validation import as_float_array, check_finite


def gradient_descent_step(param, grad, learning_rate):
    r"""One update :math:`\theta - \eta \, \partial J / \partial \theta`; returns a new array.

    param, grad : arrays of the same shape. Returns an array of that shape.
    """
    return param - learning_rate * grad


def minimize(gradient, x0, learning_rate, n_steps):
    """Run gradient descent from ``x0`` and record every point it visits.

    Parameters
    ----------
    gradient : callable, x (shape (d,)) -> dJ/dx (shape (d,)); for d = 1 scalars work too
    x0 : float or array, shape (d,)
    learning_rate : float
    n_steps : int

    Returns
    -------
    path : array, shape (n_steps + 1, d); ``path[0]`` is ``x0``. A path that leaves the floats
    (overflow) raises ``FloatingPointError`` naming the step: the learning rate is too large.
    """
    x = np.atleast_1d(as_float_array(x0, "x0")).copy()
    path = np.empty((n_steps + 1, x.size), dtype=x.dtype)
    path[0] = x
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, n_steps + 1):
            x = gradient_descent_step(x, np.reshape(gradient(x), x.shape), learning_rate)
            if not np.isfinite(x).all():
                raise FloatingPointError(
                    f"Gradient descent diverged at step {k} (x = {x}): the learning rate {learning_rate} is too large."
                )
            path[k] = x
    return path


def linear_regression_cost(theta, x, y):
    r"""Squared-error cost of the line :math:`\hat y = \theta_0 + \theta_1 x`:
    :math:`J(\theta) = \frac{1}{2m} \sum_i (\theta_0 + \theta_1 x_i - y_i)^2`.

    theta : array, shape (2,); x, y : arrays, shape (m,). Returns a float.
    """
    residual = theta[0] + theta[1] * x - y
    return float(residual @ residual / (2 * len(x)))


def linear_regression_gradient(theta, x, y):
    r""":math:`\partial J/\partial \theta_0 = \frac1m \sum_i r_i`, :math:`\partial J/\partial \theta_1 =
    \frac1m \sum_i r_i x_i` with residuals :math:`r_i = \theta_0 + \theta_1 x_i - y_i`.

    theta : shape (2,); x, y : shape (m,). Returns dtheta of shape (2,).
    """
    residual = theta[0] + theta[1] * x - y
    return np.array([residual.mean(), (residual * x).mean()])


def fit_linear_regression(x, y, learning_rate=0.1, n_epochs=1000, theta_init=(0.0, 0.0)):
    r"""Fit :math:`\hat y = \theta_0 + \theta_1 x` by full-batch gradient descent.

    Parameters
    ----------
    x, y : arrays, shape (m,)
    learning_rate : float
    n_epochs : int
    theta_init : pair of floats

    Returns
    -------
    path : array, shape (n_epochs + 1, 2), :math:`(\theta_0, \theta_1)` after each epoch
    costs : array, shape (n_epochs + 1,), the cost at each point of the path
    """
    x, y = as_float_array(x, "x"), as_float_array(y, "y")
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D arrays of the same length, got shapes {x.shape} and {y.shape}.")
    check_finite(x, "x")
    check_finite(y, "y")
    path = minimize(lambda theta: linear_regression_gradient(theta, x, y), theta_init, learning_rate, n_epochs)
    costs = np.array([linear_regression_cost(theta, x, y) for theta in path])
    return path, costs


def cosine_decay(step, total_steps, initial_rate, final_rate=0.0):
    r"""Cosine learning-rate schedule
    :math:`\eta_t = \eta_{end} + \frac12(\eta_0 - \eta_{end})(1 + \cos(\pi t / T))`, constant after T."""
    progress = min(step, total_steps) / total_steps
    return final_rate + 0.5 * (initial_rate - final_rate) * (1 + np.cos(np.pi * progress))


class GradientDescent:
    r"""Plain gradient descent with the optimizer interface of :mod:`nnlib.optimizers`.

    ``update(params, grads)`` replaces every ``params[name]`` by
    ``gradient_descent_step(params[name], grads["d" + name], learning_rate)``. It rebinds the entries
    of the dict it is given and never writes into the arrays themselves.
    """

    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate

    def update(self, params, grads):
        for name, param in params.items():
            params[name] = gradient_descent_step(param, grads["d" + name], self.learning_rate)
