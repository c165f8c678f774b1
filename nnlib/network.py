r"""Chapter 4 -- a network built from an architecture list, and its forward pass.

An architecture is a list of layer dicts, as in the source article::

    [{"input_dim": 2, "output_dim": 25, "activation": "relu"},
     ...,
     {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"}]

Parameters live in a dict ``{"W1": ..., "b1": ..., "W2": ...}``. The forward pass computes, for
:math:`l = 1, \dots, L`,

.. math:: Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}, \qquad A^{[l]} = g^{[l]}(Z^{[l]}), \qquad A^{[0]} = X,

and keeps every :math:`A^{[l]}` and :math:`Z^{[l]}` in a cache, because backpropagation needs them.
"""

import numbers

import numpy as np

from nnlib._validation import as_float_array, as_matrix, check_layer_shapes, check_number, check_params
from nnlib.activations import get_activation
from nnlib.layer import init_layer

# The network of the source article ("How to code a neural network with only NumPy"): ReLU hidden layers
# 2 -> 25 -> 50 -> 50 -> 25 and one sigmoid output, trained there on two moons. A tuple, so that no caller can change
# it by accident; every function that takes an architecture accepts any sequence of layer dicts.
ARTICLE_ARCHITECTURE = (
    {"input_dim": 2, "output_dim": 25, "activation": "relu"},
    {"input_dim": 25, "output_dim": 50, "activation": "relu"},
    {"input_dim": 50, "output_dim": 50, "activation": "relu"},
    {"input_dim": 50, "output_dim": 25, "activation": "relu"},
    {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"},
)


def validate_architecture(architecture):
    """Check an architecture list: positive sizes, consecutive layers that fit, known activations.

    Raises ``TypeError`` for something that is not a list of dicts, and ``ValueError`` naming the
    offending layer (numbered from 1).
    """
    if isinstance(architecture, (str, bytes, dict)) or not hasattr(architecture, "__len__"):
        raise TypeError(
            f"architecture must be a list of layer dicts {{'input_dim', 'output_dim', 'activation'}}, "
            f"got {type(architecture).__name__} {architecture!r:.60}."
        )
    if not architecture:
        raise ValueError("The architecture needs at least one layer.")
    for l, layer in enumerate(architecture, start=1):
        if not isinstance(layer, dict):
            raise TypeError(f"Layer {l}: must be a dict with input_dim, output_dim, activation, got {layer!r:.60}.")
        missing = {"input_dim", "output_dim", "activation"} - set(layer)
        if missing:
            raise ValueError(f"Layer {l}: missing key(s) {sorted(missing)} in {layer}.")
        dims = (layer["input_dim"], layer["output_dim"])
        if not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1 for n in dims):
            raise ValueError(f"Layer {l}: input_dim and output_dim must be positive integers, got {layer}.")
        get_activation(layer["activation"])
        if l > 1 and layer["input_dim"] != architecture[l - 2]["output_dim"]:
            raise ValueError(
                f"Layer {l}: input_dim {layer['input_dim']} does not match output_dim "
                f"{architecture[l - 2]['output_dim']} of layer {l - 1}."
            )


def layer_sizes(architecture):
    """``[n_x, n[1], ..., n[L]]`` for an architecture list."""
    return [architecture[0]["input_dim"]] + [layer["output_dim"] for layer in architecture]


def init_network(architecture, seed=99, method="small", dtype=np.float64):
    """Initialise every layer's ``W`` and ``b`` with :func:`nnlib.layer.init_layer` from one seed.

    Returns
    -------
    params : dict, ``"W{l}"`` of shape (n[l], n[l-1]) and ``"b{l}"`` of shape (n[l], 1) for l = 1..L
    """
    validate_architecture(architecture)
    if not (seed is None or isinstance(seed, np.random.Generator)):
        check_number(seed, "seed", low=0, integer=True)
    rng = np.random.default_rng(seed)
    params = {}
    for l, layer in enumerate(architecture, start=1):
        params[f"W{l}"], params[f"b{l}"] = init_layer(
            layer["input_dim"], layer["output_dim"], method=method, seed=rng, dtype=dtype
        )
    return params


def dense_forward(A_prev, W, b, activation, layer=1, check=True):
    r"""One dense layer on m examples: :math:`Z = W A_{prev} + b`, :math:`A = g(Z)`.

    Parameters
    ----------
    A_prev : array, shape (n[l-1], m)
    W : array, shape (n[l], n[l-1])
    b : array, shape (n[l], 1)
    activation : str, a name known to :func:`nnlib.activations.get_activation`
    layer : int, the layer's index, used in error messages
    check : bool, check the arrays' types and shapes first (``network_forward(check=False)`` passes False)

    Returns
    -------
    A : array, shape (n[l], m)
    Z : array, shape (n[l], m)
    """
    if check:
        A_prev, W, b = as_float_array(A_prev, "A_prev"), as_float_array(W, "W"), as_float_array(b, "b")
        check_layer_shapes(layer, A_prev, W, b)
    Z = W @ A_prev + b
    return get_activation(activation).forward(Z), Z


def check_forward_inputs(X, params, architecture):
    """Check what :func:`network_forward` is given (bookkeeping kept out of the formulas): ``X`` finite and
    ``(n_x, m)`` with ``n_x`` the first layer's ``input_dim``, an architecture that fits together, and every
    ``W{l}``, ``b{l}`` present, finite and of the architecture's shape. Returns ``X`` as a float array."""
    validate_architecture(architecture)
    check_params(params, architecture)
    return as_matrix(X, "X", allow_no_columns=True)  # its height is checked by layer 1, which names both shapes


def network_forward(X, params, architecture, check=True):
    """Forward pass through every layer, keeping what backpropagation needs.

    Parameters
    ----------
    X : array, shape (n_x, m), one example per column
    params : dict from :func:`init_network`
    architecture : list of layer dicts
    check : bool, check the inputs first (:func:`check_forward_inputs`); ``train`` checks them once and
        then passes False on every epoch, as SciPy's ``check_finite=False`` does

    Returns
    -------
    Y_hat : array, shape (n[L], m), the output :math:`A^{[L]}`
    cache : dict, ``"A0"`` = X and, for l = 1..L, ``"Z{l}"`` and ``"A{l}"`` of shape (n[l], m)
    """
    if check:
        X = check_forward_inputs(X, params, architecture)
    cache = {"A0": X}
    A = X
    for l, layer in enumerate(architecture, start=1):
        A, Z = dense_forward(A, params[f"W{l}"], params[f"b{l}"], layer["activation"], layer=l, check=check)
        cache[f"Z{l}"], cache[f"A{l}"] = Z, A
    return A, cache


def predict(X, params, architecture, threshold=0.5):
    """Class labels for a one-output classifier: 1.0 where the output exceeds ``threshold``, else 0.0.

    Inference is a forward pass only; no gradients are computed.

    Returns
    -------
    labels : array, shape (1, m)
    """
    check_number(threshold, "threshold", low=0, high=1, low_open=True, high_open=True)
    Y_hat, _ = network_forward(X, params, architecture)
    return (Y_hat > threshold).astype(Y_hat.dtype)
