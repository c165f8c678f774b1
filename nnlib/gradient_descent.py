r"""Chapter 6 -- gradient descent.

Step against the gradient, scaled by the learning rate :math:`\eta`:

.. math:: \theta \leftarrow \theta - \eta \, \nabla_\theta J(\theta).

This module holds the update itself, a minimiser that records its path on 1-D and 2-D toy
functions, linear regression :math:`\hat y = \theta_0 + \theta_1 x` fitted by gradient descent, a
cosine learning-rate schedule, and :class:`GradientDescent`, the first optimizer with the interface
that chapter 8's optimizers share.
"""

import numpy as np

from nnlib._validation import as_float_array, check_callable, check_finite, check_grads, check_number, check_update


def gradient_descent_step(param, grad, learning_rate, check=True):
    r"""One update :math:`\theta - \eta \, \partial J / \partial \theta`; returns a new array.

    param, grad : arrays of the same shape; learning_rate > 0. Returns an array of that shape.
    check : bool, check the arguments first; :class:`GradientDescent` checks once per update and passes False
    """
    if check:
        check_update(learning_rate, param, grad)
    return param - learning_rate * grad


def _gradient_at(gradient, x):
    """``gradient(x)`` as an array of x's shape (a scalar is accepted for d = 1), else a clear error."""
    value = as_float_array(gradient(x), "gradient(x)")
    if value.size != x.size:
        raise ValueError(f"gradient(x) must have the shape of x, {x.shape}, but returned shape {value.shape}.")
    return value.reshape(x.shape)


def minimize(gradient, x0, learning_rate, n_steps):
    """Run gradient descent from ``x0`` and record every point it visits.

    Parameters
    ----------
    gradient : callable, x (shape (d,)) -> dJ/dx (shape (d,)); for d = 1 scalars work too
    x0 : float or array, shape (d,)
    learning_rate : float > 0
    n_steps : int >= 0, updates to make (steps, not epochs: there is no data set to pass over; the functions
        that loop over data, :func:`fit_linear_regression` and ``nnlib.training.train``, take ``epochs``)

    Returns
    -------
    path : array, shape (n_steps + 1, d); ``path[0]`` is ``x0``. A path that leaves the floats
    (overflow) raises ``FloatingPointError`` naming the step: the learning rate is too large.
    """
    check_callable(gradient, "gradient", "a function x -> dJ/dx")
    check_number(learning_rate, "learning_rate", low=0, low_open=True)
    check_number(n_steps, "n_steps", low=0, integer=True)
    x = np.atleast_1d(as_float_array(x0, "x0")).copy()
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x0 must be a number or a non-empty 1-D array (d,), got shape {np.shape(x0)}.")
    check_finite(x, "x0")
    path = np.empty((n_steps + 1, x.size), dtype=x.dtype)
    path[0] = x
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, n_steps + 1):
            x = gradient_descent_step(x, _gradient_at(gradient, x), learning_rate)
            if not np.isfinite(x).all():
                raise FloatingPointError(
                    f"Gradient descent diverged at step {k} (x = {x}): the learning rate {learning_rate} is too large."
                )
            path[k] = x
    return path


def _check_regression_inputs(theta, x, y):
    theta, x, y = as_float_array(theta, "theta"), as_float_array(x, "x"), as_float_array(y, "y")
    if theta.shape != (2,):
        raise ValueError(f"theta must have shape (2,), (theta_0, theta_1), got shape {theta.shape}.")
    if x.ndim != 1 or x.shape != y.shape or x.size == 0:
        raise ValueError(
            f"x and y must be non-empty 1-D arrays of the same length, got shapes {x.shape} and {y.shape}."
        )
    for array, name in ((theta, "theta"), (x, "x"), (y, "y")):
        check_finite(array, name)
    return theta, x, y


def linear_regression_cost(theta, x, y):
    r"""Squared-error cost of the line :math:`\hat y = \theta_0 + \theta_1 x`:
    :math:`J(\theta) = \frac{1}{2m} \sum_i (\theta_0 + \theta_1 x_i - y_i)^2`.

    theta : array, shape (2,); x, y : arrays, shape (m,). Returns a float.
    """
    theta, x, y = _check_regression_inputs(theta, x, y)
    residual = theta[0] + theta[1] * x - y
    return float(residual @ residual / (2 * len(x)))


def linear_regression_gradient(theta, x, y):
    r""":math:`\partial J/\partial \theta_0 = \frac1m \sum_i r_i`, :math:`\partial J/\partial \theta_1 =
    \frac1m \sum_i r_i x_i` with residuals :math:`r_i = \theta_0 + \theta_1 x_i - y_i`.

    theta : shape (2,); x, y : shape (m,). Returns dtheta of shape (2,).
    """
    theta, x, y = _check_regression_inputs(theta, x, y)
    residual = theta[0] + theta[1] * x - y
    return np.array([residual.mean(), (residual * x).mean()])


def fit_linear_regression(x, y, learning_rate=0.1, epochs=1000, theta_init=(0.0, 0.0)):
    r"""Fit :math:`\hat y = \theta_0 + \theta_1 x` by full-batch gradient descent.

    Parameters
    ----------
    x, y : arrays, shape (m,)
    learning_rate : float
    epochs : int >= 0, passes over the data (full batch: one step each), as in nnlib.training.train
    theta_init : pair of floats

    Returns
    -------
    path : array, shape (epochs + 1, 2), :math:`(\theta_0, \theta_1)` after each epoch
    costs : array, shape (epochs + 1,), the cost at each point of the path
    """
    _, x, y = _check_regression_inputs(theta_init, x, y)
    check_number(epochs, "epochs", low=0, integer=True)
    path = minimize(lambda theta: linear_regression_gradient(theta, x, y), theta_init, learning_rate, epochs)
    costs = np.array([linear_regression_cost(theta, x, y) for theta in path])
    return path, costs


def cosine_decay(step, total_steps, initial_rate, final_rate=0.0):
    r"""Cosine learning-rate schedule
    :math:`\eta_t = \eta_{end} + \frac12(\eta_0 - \eta_{end})(1 + \cos(\pi t / T))`, constant after T.

    step : int >= 0; total_steps : int >= 1; initial_rate > 0; final_rate in [0, initial_rate].
    """
    check_number(step, "step", low=0, integer=True)
    check_number(total_steps, "total_steps", low=1, integer=True)
    check_number(initial_rate, "initial_rate", low=0, low_open=True)
    check_number(final_rate, "final_rate", low=0, high=initial_rate)
    progress = min(step, total_steps) / total_steps
    return final_rate + 0.5 * (initial_rate - final_rate) * (1 + np.cos(np.pi * progress))


class GradientDescent:
    r"""Plain gradient descent with the optimizer interface of :mod:`nnlib.optimizers`.

    ``update(params, grads)`` replaces every ``params[name]`` by
    ``gradient_descent_step(params[name], grads["d" + name], learning_rate)``. It rebinds the entries
    of the dict it is given and never writes into the arrays themselves. Default ``learning_rate=0.01``
    (the source article's; PyTorch's ``SGD`` has no default). It keeps no state, so one instance can serve
    any number of training runs.
    """

    def __init__(self, learning_rate=0.01):
        self.learning_rate = check_number(learning_rate, "learning_rate", low=0, low_open=True)

    def update(self, params, grads):
        check_grads(params, grads, self.learning_rate)
        for name, param in params.items():
            params[name] = gradient_descent_step(param, grads["d" + name], self.learning_rate, check=False)
