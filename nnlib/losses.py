r"""Chapter 5 -- loss functions.

The *loss* :math:`\mathcal L(\hat y, y)` scores one example; the *cost* is the mean over the m examples,

.. math:: J = \frac{1}{m} \sum_{i=1}^{m} \mathcal L(\hat y^{(i)}, y^{(i)}).

Every ``*_gradient`` returns :math:`\partial J / \partial \hat Y` for the cost (so it carries the
:math:`1/m`) with the shape of :math:`\hat Y`. All functions take ``(Y_hat, Y)`` of the same shape
``(n_y, m)`` (any shape works, as long as both have it; the last axis counts the examples). Every function
checks its inputs first: same shape, not empty, finite; the binary cross-entropy functions and ``accuracy``
also want predictions and labels in [0, 1] (``accuracy``: labels exactly 0 or 1), and raise ``ValueError``
naming the first value that is not. ``check=False`` skips these checks, for arrays already checked: ``train``
checks its data once and then passes False on every epoch, as SciPy's ``check_finite=False`` does.
"""

from typing import Callable, NamedTuple

import numpy as np

from nnlib._validation import (
    as_float_array,
    check_binary_labels,
    check_finite,
    check_not_empty,
    check_number,
    check_probabilities,
    check_same_shape,
    lookup,
)


def _prepare(Y_hat, Y, binary=False):
    """Both arrays as floats of Y_hat's dtype after the checks: same shape, not empty, finite; for binary
    cross-entropy also Y_hat and Y in [0, 1] (Y may be a soft target, as in PyTorch's ``BCELoss``)."""
    Y_hat, Y = as_float_array(Y_hat, "Y_hat"), as_float_array(Y, "Y")
    check_same_shape(Y_hat, Y, "Y_hat", "Y")
    check_not_empty(Y_hat, "Y_hat")
    if binary:  # values in [0, 1] are finite
        check_probabilities(Y_hat, "Y_hat")
        check_probabilities(Y, "Y", "labels 0 or 1 (or soft targets)")
    else:
        check_finite(Y_hat, "Y_hat")
        check_finite(Y, "Y")
    return Y_hat, Y.astype(Y_hat.dtype, copy=False)


def _clip_probabilities(Y_hat):
    # log(0) = -inf: keep predictions a hair away from 0 and 1 (the smallest step the dtype resolves).
    eps = np.finfo(Y_hat.dtype).eps
    return np.clip(Y_hat, eps, 1 - eps)


def _examples(Y):
    return Y.shape[-1] if Y.ndim else 1


def binary_cross_entropy_loss(Y_hat, Y, check=True):
    r"""Per-example loss :math:`\mathcal L = -[y \ln \hat y + (1 - y) \ln(1 - \hat y)]`.

    Y_hat : array of predicted probabilities, shape (1, m); Y : labels in {0, 1}, shape (1, m).
    Returns an array of shape (1, m); predictions are clipped to [eps, 1 - eps] so that it is finite.
    """
    if check:
        Y_hat, Y = _prepare(Y_hat, Y, binary=True)
    P = _clip_probabilities(Y_hat)
    return -(Y * np.log(P) + (1 - Y) * np.log1p(-P))


def binary_cross_entropy(Y_hat, Y, check=True):
    r"""Cost :math:`J = -\frac1m \sum_i [y^{(i)} \ln \hat y^{(i)} + (1 - y^{(i)}) \ln(1 - \hat y^{(i)})]`.

    Y_hat, Y : arrays of shape (1, m). Returns a float.
    """
    losses = binary_cross_entropy_loss(Y_hat, Y, check=check)
    return float(losses.sum() / _examples(losses))


def binary_cross_entropy_gradient(Y_hat, Y, check=True):
    r""":math:`\partial J / \partial \hat Y = \frac1m \left(\frac{1 - Y}{1 - \hat Y} - \frac{Y}{\hat Y}\right)
    = \frac1m \frac{\hat Y - Y}{\hat Y (1 - \hat Y)}`, with :math:`\hat Y` clipped as in the cost.

    Y_hat, Y : arrays of shape (1, m). Returns dY_hat of shape (1, m).
    """
    if check:
        Y_hat, Y = _prepare(Y_hat, Y, binary=True)
    P = _clip_probabilities(Y_hat)
    return (P - Y) / (P * (1 - P)) / _examples(Y)


def sigmoid_binary_cross_entropy_gradient(A, Y, check=True):
    r"""Fused gradient for a sigmoid output followed by BCE: :math:`\partial J / \partial Z^{[L]} = (A - Y)/m`.

    The chain :math:`\frac{\hat y - y}{\hat y(1-\hat y)} \cdot \hat y (1 - \hat y)` cancels, so this
    form never divides by zero, even when an output saturates at exactly 0 or 1.

    A : sigmoid outputs, shape (1, m); Y : labels, shape (1, m). Returns dZ of shape (1, m).
    """
    if check:
        A, Y = _prepare(A, Y, binary=True)
    return (A - Y) / _examples(Y)


def squared_error_loss(Y_hat, Y, check=True):
    r"""Per-example loss :math:`\mathcal L = \frac12 \lVert \hat y - y \rVert^2`, summed over output rows.

    The 1/2 cancels the 2 of the derivative. Y_hat, Y : shape (n_y, m). Returns shape (1, m).
    """
    if check:
        Y_hat, Y = _prepare(Y_hat, Y)
    return 0.5 * ((Y_hat - Y) ** 2).sum(axis=0, keepdims=True)


def mean_squared_error(Y_hat, Y, check=True):
    r"""Cost :math:`J = \frac{1}{2m} \sum_i \lVert \hat y^{(i)} - y^{(i)} \rVert^2` (the 1/2 convention).

    PyTorch's ``MSELoss`` has no 1/2 and also averages over output rows: for one output it is 2J.
    Y_hat, Y : shape (n_y, m). Returns a float.
    """
    losses = squared_error_loss(Y_hat, Y, check=check)
    return float(losses.sum() / _examples(losses))


def mean_squared_error_gradient(Y_hat, Y, check=True):
    r""":math:`\partial J / \partial \hat Y = (\hat Y - Y) / m`. Y_hat, Y : shape (n_y, m)."""
    if check:
        Y_hat, Y = _prepare(Y_hat, Y)
    return (Y_hat - Y) / _examples(Y)


def accuracy(Y_hat, Y, threshold=0.5, check=True):
    """Fraction of examples whose thresholded prediction equals the label.

    Y_hat : probabilities, shape (1, m); Y : labels in {0, 1}, shape (1, m); threshold in (0, 1).
    Returns a float in [0, 1].
    """
    if check:
        check_number(threshold, "threshold", low=0, high=1, low_open=True, high_open=True)
        Y_hat, Y = _prepare(Y_hat, Y, binary=True)
        check_binary_labels(Y)
    correct = int(np.count_nonzero((Y_hat > threshold) == (Y > 0.5)))
    return correct / Y.size


class Loss(NamedTuple):
    """A cost function and its gradient, both taking ``(Y_hat, Y)``."""

    cost: Callable
    gradient: Callable


LOSSES = {
    "binary_cross_entropy": Loss(binary_cross_entropy, binary_cross_entropy_gradient),
    "mean_squared_error": Loss(mean_squared_error, mean_squared_error_gradient),
}


def get_loss(name):
    """Return the :class:`Loss` pair called ``name``; an unknown name raises ``ValueError`` listing
    the valid ones."""
    return lookup(LOSSES, name, "loss")
