r"""Chapter 7 -- backpropagation.

For one layer with :math:`Z = W A_{prev} + b` and :math:`A = g(Z)`, the chain rule turns the gradient
:math:`dA = \partial J/\partial A` into

.. math::

   dZ = dA \odot g'(Z), \qquad dW = dZ\, A_{prev}^{\top}, \qquad
   db = \textstyle\sum_{\text{columns}} dZ, \qquad dA_{prev} = W^{\top} dZ.

Every ``dX`` here is :math:`\partial J / \partial X` for the cost J (the mean over the m examples, so
the :math:`1/m` enters once, in the loss gradient) and has the shape of ``X``.
"""

import numpy as np

from nnlib._validation import as_float_array, check_params, check_same_shape
from nnlib.activations import get_activation
from nnlib.losses import get_loss, sigmoid_binary_cross_entropy_gradient
from nnlib.network import validate_architecture


def _check_dense_backward_shapes(dZ, A_prev, W):
    if not (dZ.ndim == A_prev.ndim == W.ndim == 2):
        raise ValueError(f"dZ, A_prev and W must be 2-D, got shapes {dZ.shape}, {A_prev.shape} and {W.shape}.")
    if dZ.shape[0] != W.shape[0] or A_prev.shape[0] != W.shape[1] or dZ.shape[1] != A_prev.shape[1]:
        raise ValueError(
            f"W has shape {W.shape} (n[l], n[l-1]), so dZ must have shape ({W.shape[0]}, m) and A_prev "
            f"({W.shape[1]}, m) with the same m, but dZ has shape {dZ.shape} and A_prev {A_prev.shape}."
        )


def dense_backward_from_dZ(dZ, A_prev, W, check=True):
    r"""Gradients of a dense layer given :math:`dZ`.

    Parameters
    ----------
    dZ : array, shape (n[l], m)
    A_prev : array, shape (n[l-1], m)
    W : array, shape (n[l], n[l-1])
    check : bool, check the shapes first (``network_backward(check=False)`` passes False)

    Returns
    -------
    dA_prev : array, shape (n[l-1], m)
    dW : array, shape (n[l], n[l-1])
    db : array, shape (n[l], 1)
    """
    if check:
        _check_dense_backward_shapes(dZ, A_prev, W)
    dW = dZ @ A_prev.T
    # The row sums of dZ as a product with a column of ones: BLAS does it ~3x faster than dZ.sum(axis=1).
    db = dZ @ np.ones((dZ.shape[1], 1), dtype=dZ.dtype)
    # W.T @ dZ, with the faster of two equal routes: for a one-row W (the output layer) it is an outer product,
    # which @ sends through a general matrix product 4x slower than np.dot; otherwise @, since np.dot first
    # zero-fills its result (about 2 % of a training epoch).
    dA_prev = np.dot(W.T, dZ) if W.shape[0] == 1 else W.T @ dZ
    return dA_prev, dW, db


def dense_backward(dA, A_prev, Z, W, activation):
    r"""Backward pass of one dense layer: from :math:`dA` and the forward cache to
    :math:`dA_{prev}, dW, db`.

    Parameters
    ----------
    dA : array, shape (n[l], m), :math:`\partial J/\partial A^{[l]}`
    A_prev : array, shape (n[l-1], m), cached input of the layer
    Z : array, shape (n[l], m), cached pre-activation
    W : array, shape (n[l], n[l-1])
    activation : str, the layer's activation name

    Returns
    -------
    dA_prev : array, shape (n[l-1], m)
    dW : array, shape (n[l], n[l-1])
    db : array, shape (n[l], 1)
    """
    dA, A_prev, Z, W = (as_float_array(a, n) for a, n in ((dA, "dA"), (A_prev, "A_prev"), (Z, "Z"), (W, "W")))
    if dA.shape != Z.shape:
        raise ValueError(f"dA has shape {dA.shape} but Z has shape {Z.shape}; dA must have the shape of A = g(Z).")
    dZ = dA * get_activation(activation).derivative(Z)
    return dense_backward_from_dZ(dZ, A_prev, W)


def _check_backward_inputs(Y_hat, Y, cache, params, architecture):
    """Y_hat and Y (as Y_hat's dtype) after checking them and the cache against the architecture; Y is
    checked, never reshaped: a Y of another shape is a bug in the caller."""
    validate_architecture(architecture)
    check_params(params, architecture)
    Y_hat, Y = as_float_array(Y_hat, "Y_hat"), as_float_array(Y, "Y")
    check_same_shape(Y, Y_hat, "Y", "Y_hat")
    if not isinstance(cache, dict):
        raise TypeError(f"cache must be the dict returned by network_forward, got {type(cache).__name__}.")
    expected = [f"A{l}" for l in range(len(architecture))] + [f"Z{l}" for l in range(1, len(architecture) + 1)]
    missing = [key for key in expected if key not in cache]
    if missing:
        raise ValueError(f"cache lacks {missing}: pass the cache that network_forward returned with Y_hat.")
    output = f"A{len(architecture)}"
    if np.shape(cache[output]) != Y_hat.shape:
        raise ValueError(
            f"Y_hat has shape {Y_hat.shape} but the cache's output {output} has shape {np.shape(cache[output])}: "
            "pass the Y_hat and cache of one network_forward call."
        )
    return Y_hat, Y.astype(Y_hat.dtype, copy=False)


def network_backward(Y_hat, Y, cache, params, architecture, loss="binary_cross_entropy", check=True):
    r"""Gradients of the cost with respect to every parameter, from the output layer back to the first.

    A sigmoid output with binary cross-entropy uses the fused :math:`dZ^{[L]} = (A^{[L]} - Y)/m`;
    any other pair goes through :math:`dA^{[L]} = \partial J/\partial \hat Y` and the activation's
    derivative.

    Parameters
    ----------
    Y_hat : array, shape (n[L], m), output of :func:`nnlib.network.network_forward`
    Y : array, shape (n[L], m), targets
    cache : dict from :func:`nnlib.network.network_forward` (``"A0"``, ``"Z1"``, ``"A1"``, ...)
    params : dict, ``"W{l}"`` and ``"b{l}"``
    architecture : list of layer dicts
    loss : ``"binary_cross_entropy"`` or ``"mean_squared_error"``
    check : bool, check Y (same shape as Y_hat, never reshaped), the cache and the parameters first;
        ``train`` checks once and passes False on every epoch

    Returns
    -------
    grads : dict, ``"dW{l}"`` and ``"db{l}"`` with the shapes of ``W{l}`` and ``b{l}``
    """
    if check:
        Y_hat, Y = _check_backward_inputs(Y_hat, Y, cache, params, architecture)
    n_layers = len(architecture)
    output_activation = architecture[-1]["activation"]
    if output_activation == "sigmoid" and loss == "binary_cross_entropy":
        dZ = sigmoid_binary_cross_entropy_gradient(Y_hat, Y, check=check)
    else:
        dY_hat = get_loss(loss).gradient(Y_hat, Y, check=check)
        dZ = dY_hat * get_activation(output_activation).derivative(cache[f"Z{n_layers}"])
    grads = {}
    for l in range(n_layers, 0, -1):
        W = params[f"W{l}"]
        dA_prev, grads[f"dW{l}"], grads[f"db{l}"] = dense_backward_from_dZ(dZ, cache[f"A{l - 1}"], W, check=check)
        if l > 1:
            g_prime = get_activation(architecture[l - 2]["activation"]).derivative(cache[f"Z{l - 1}"])
            # dZ = dA_prev * g'(Z), written into dA_prev: a new array that nothing else holds (one allocation less,
            # about 5 % of a training epoch).
            dZ = np.multiply(dA_prev, g_prime, out=dA_prev)
    return grads
