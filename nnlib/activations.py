r"""Chapter 4 -- activation functions, each with its derivative beside it.

Every activation maps an array ``Z`` of any shape to an array of the same shape and float dtype
(float32 stays float32; :math:`\pm\infty` are accepted, as in ``sigmoid(inf) = 1``); every derivative
returns :math:`g'(Z)` elementwise, so that backpropagation computes :math:`dZ = dA \odot g'(Z)`.
``get_activation(name)`` looks a pair up by name.
"""

from typing import Callable, NamedTuple

import numpy as np

from nnlib._validation import as_float_array, check_number, lookup


def sigmoid(Z):
    r""":math:`\sigma(z) = 1 / (1 + e^{-z})`, computed without overflow for any :math:`|z|`.

    For :math:`z < 0` it uses the equal form :math:`e^{z} / (1 + e^{z})`, so ``exp`` only ever sees
    :math:`-|z| \le 0`.

    Z : array, any shape. Returns an array of the same shape with values in [0, 1].
    """
    Z = as_float_array(Z, "Z")
    exp_neg_abs = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1, exp_neg_abs) / (1 + exp_neg_abs)


def sigmoid_derivative(Z):
    r""":math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`, at most 1/4 (at :math:`z = 0`)."""
    S = sigmoid(Z)
    return S * (1 - S)


def tanh(Z):
    r""":math:`\tanh(z) = (e^{z} - e^{-z}) / (e^{z} + e^{-z}) = 2\sigma(2z) - 1`."""
    return np.tanh(as_float_array(Z, "Z"))


def tanh_derivative(Z):
    r""":math:`\tanh'(z) = 1 - \tanh^2(z)`."""
    T = tanh(Z)
    return 1 - T * T


def relu(Z):
    r""":math:`\operatorname{ReLU}(z) = \max(0, z)`."""
    Z = as_float_array(Z, "Z")
    # 0.0, not 0: NumPy 2.4 runs maximum with a float scalar in its fast float loop, but casts the int 0
    # first (about 2x slower), and a zeros_like(Z) array costs an allocation; this is the training hot path.
    return np.maximum(Z, 0.0)


def relu_derivative(Z):
    r""":math:`\operatorname{ReLU}'(z) = 1` for :math:`z > 0`, else 0 (the convention at 0)."""
    Z = as_float_array(Z, "Z")
    return (Z > 0).astype(Z.dtype)


def leaky_relu(Z, alpha=0.01):
    r""":math:`z` for :math:`z > 0`, else :math:`\alpha z`: negative inputs keep a small gradient (alpha >= 0)."""
    Z = as_float_array(Z, "Z")
    check_number(alpha, "alpha", low=0)
    return np.where(Z > 0, Z, alpha * Z)


def leaky_relu_derivative(Z, alpha=0.01):
    r"""1 for :math:`z > 0`, else :math:`\alpha`."""
    Z = as_float_array(Z, "Z")
    check_number(alpha, "alpha", low=0)
    return np.where(Z > 0, 1, alpha).astype(Z.dtype)


def softplus(Z):
    r""":math:`\operatorname{softplus}(z) = \ln(1 + e^{z})`, a smooth ReLU; computed as
    ``logaddexp(0, z)`` so that it neither overflows for large :math:`z` nor loses
    :math:`e^{z}` to rounding for very negative :math:`z`."""
    return np.logaddexp(as_float_array(Z, "Z"), 0)


def softplus_derivative(Z):
    r""":math:`\operatorname{softplus}'(z) = \sigma(z)`."""
    return sigmoid(Z)


def elu(Z, alpha=1.0):
    r""":math:`z` for :math:`z > 0`, else :math:`\alpha (e^{z} - 1)`.

    ``expm1`` sees only :math:`\min(z, 0)`, so large positive inputs cannot overflow in the branch
    that ``where`` discards. alpha > 0."""
    Z = as_float_array(Z, "Z")
    check_number(alpha, "alpha", low=0, low_open=True)
    return np.where(Z > 0, Z, alpha * np.expm1(np.minimum(Z, 0)))


def elu_derivative(Z, alpha=1.0):
    r"""1 for :math:`z > 0`, else :math:`\alpha e^{z}`."""
    Z = as_float_array(Z, "Z")
    check_number(alpha, "alpha", low=0, low_open=True)
    return np.where(Z > 0, 1, alpha * np.exp(np.minimum(Z, 0))).astype(Z.dtype)


def linear(Z):
    r"""The identity :math:`g(z) = z`: a layer without an activation."""
    return as_float_array(Z, "Z")


def linear_derivative(Z):
    r""":math:`g'(z) = 1`."""
    return np.ones_like(as_float_array(Z, "Z"))


class Activation(NamedTuple):
    """An activation function and its derivative, both mapping Z (any shape) to the same shape."""

    forward: Callable
    derivative: Callable


ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, sigmoid_derivative),
    "tanh": Activation(tanh, tanh_derivative),
    "relu": Activation(relu, relu_derivative),
    "leaky_relu": Activation(leaky_relu, leaky_relu_derivative),
    "softplus": Activation(softplus, softplus_derivative),
    "elu": Activation(elu, elu_derivative),
    "linear": Activation(linear, linear_derivative),
}


def get_activation(name):
    """Return the :class:`Activation` pair called ``name``; an unknown name raises ``ValueError``
    listing the valid ones."""
    return lookup(ACTIVATIONS, name, "activation")
