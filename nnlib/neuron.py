r"""Chapter 1 -- the single neuron.

A neuron computes a weighted sum of its inputs plus a bias, then passes it through an activation:

.. math:: z = w \cdot x + b, \qquad a = g(z).

The oldest activation is the step: the neuron *fires* (outputs 1) when the sum passes a threshold.
Moving the threshold to the left-hand side of the inequality turns it into the bias:
:math:`\sum_i w_i x_i > \theta \iff \sum_i w_i x_i + b > 0` with :math:`b = -\theta`.
"""

import numpy as np

from nnlib._validation import as_float_array, check_callable, check_finite, check_not_empty, check_number


def weighted_sum(x, w, b):
    r"""Weighted sum :math:`z = w \cdot x + b = \sum_i w_i x_i + b`.

    Parameters
    ----------
    x : array, shape (n_x,) for one example or (n_x, m) for m examples as columns
    w : array, shape (n_x,)
    b : float

    Returns
    -------
    z : float for one example, array of shape (m,) for m examples
    """
    x, w = as_float_array(x, "x"), as_float_array(w, "w")
    if w.ndim != 1:
        raise ValueError(f"Neuron: w must be a 1-D array of shape (n_x,), got shape {w.shape}.")
    if x.ndim not in (1, 2) or x.shape[0] != w.shape[0]:
        raise ValueError(
            f"Neuron: w has shape {w.shape}, so x must have shape ({w.shape[0]},) or ({w.shape[0]}, m), "
            f"but x has shape {x.shape}."
        )
    for array, name in ((x, "x"), (w, "w")):
        check_not_empty(array, name)
        check_finite(array, name)
    check_number(b, "b")
    return w @ x + b


def step(z):
    r"""Step activation: 1 where :math:`z > 0`, else 0. Its derivative is 0 wherever it is defined.

    Parameters
    ----------
    z : float or array of any shape

    Returns
    -------
    a : array of the same shape and float dtype as ``z``
    """
    z = as_float_array(z, "z")
    return (z > 0).astype(z.dtype)


def threshold_neuron(x, threshold):
    r"""A neuron with all weights 1 that fires when the sum of its inputs passes ``threshold``.

    Fires means :math:`\sum_i x_i > \theta`; equivalently :math:`\sum_i x_i + b > 0` with :math:`b = -\theta`.

    Parameters
    ----------
    x : array, shape (n_x,) or (n_x, m)
    threshold : float

    Returns
    -------
    fired : float (1.0 or 0.0) for one example, array of shape (m,) for m examples
    """
    x = as_float_array(x, "x")
    check_number(threshold, "threshold")
    if x.ndim == 0:
        raise ValueError("Neuron: x must have shape (n_x,) or (n_x, m), got a scalar.")
    return step(weighted_sum(x, np.ones(x.shape[0], dtype=x.dtype), -threshold))


def perceptron(x, w, b):
    r"""Rosenblatt's perceptron: :math:`\hat y = \operatorname{step}(w \cdot x + b)`.

    Parameters
    ----------
    x : array, shape (n_x,) or (n_x, m)
    w : array, shape (n_x,)
    b : float

    Returns
    -------
    y_hat : float for one example, array of shape (m,) for m examples
    """
    return step(weighted_sum(x, w, b))


def neuron_output(x, w, b, activation=step):
    r"""Output of one neuron, :math:`a = g(w \cdot x + b)`, for any activation ``g``.

    Parameters
    ----------
    x : array, shape (n_x,) or (n_x, m)
    w : array, shape (n_x,)
    b : float
    activation : callable mapping an array to an array of the same shape

    Returns
    -------
    a : float for one example, array of shape (m,) for m examples
    """
    check_callable(activation, "activation", "a function mapping an array to an array of the same shape (e.g. step)")
    return activation(weighted_sum(x, w, b))
