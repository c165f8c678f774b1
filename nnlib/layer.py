r"""Chapter 2 -- one layer of neurons.

A layer stacks :math:`n^{[l]}` neurons that read the same input. Their weight vectors are the rows of
:math:`W^{[l]}`, of shape :math:`(n^{[l]}, n^{[l-1]})`, and their biases form :math:`b^{[l]}`, of shape
:math:`(n^{[l]}, 1)`. For one example :math:`x` of shape :math:`(n^{[l-1]}, 1)`:

.. math:: z^{[l]} = W^{[l]} x + b^{[l]}.
"""

import numpy as np

from nnlib._validation import as_float_array, check_finite, check_layer_shapes, check_number, lookup


def _small_std(n_in, n_out):
    return 0.1  # the source article's np.random.randn(...) * 0.1


def _xavier_std(n_in, n_out):
    return np.sqrt(2.0 / (n_in + n_out))  # Glorot & Bengio (2010), normal variant


def _he_std(n_in, n_out):
    return np.sqrt(2.0 / n_in)  # He et al. (2015), for ReLU layers


INIT_METHODS = {"small": _small_std, "xavier": _xavier_std, "he": _he_std}


def init_layer(n_in, n_out, method="small", seed=None, dtype=np.float64):
    r"""Random weights and biases for one layer.

    ``"small"``: every entry of ``W`` and ``b`` is :math:`0.1 \cdot \mathcal N(0, 1)`, as in the source
    article. ``"xavier"``: :math:`W_{ij} \sim \mathcal N(0, 2/(n_{in}+n_{out}))`, ``b = 0``. ``"he"``:
    :math:`W_{ij} \sim \mathcal N(0, 2/n_{in})`, ``b = 0``. Random, not equal, weights break the
    symmetry between neurons: equal weights would give equal gradients and the neurons would stay copies.

    Parameters
    ----------
    n_in : int, :math:`n^{[l-1]}`
    n_out : int, :math:`n^{[l]}`
    method : ``"small"``, ``"xavier"`` or ``"he"``
    seed : int, numpy Generator or None
    dtype : floating dtype of the arrays

    Returns
    -------
    W : array, shape (n_out, n_in)
    b : array, shape (n_out, 1)
    """
    check_number(n_in, "n_in", low=1, integer=True)
    check_number(n_out, "n_out", low=1, integer=True)
    if not np.issubdtype(np.dtype(dtype), np.floating):
        raise TypeError(f"dtype must be a floating dtype such as np.float32 or np.float64, got {dtype!r}.")
    std = lookup(INIT_METHODS, method, "initialisation method")(n_in, n_out)
    rng = np.random.default_rng(seed)
    W = (std * rng.standard_normal((n_out, n_in))).astype(dtype)
    if method == "small":
        b = (0.1 * rng.standard_normal((n_out, 1))).astype(dtype)
    else:
        b = np.zeros((n_out, 1), dtype=dtype)
    return W, b


def _checked_layer_inputs(x, W, b, layer):
    x, W, b = as_float_array(x, "x"), as_float_array(W, "W"), as_float_array(b, "b")
    if layer is not None:
        check_number(layer, "layer", low=1, integer=True)
    check_layer_shapes(layer, x, W, b)
    if x.shape[1] != 1:
        raise ValueError(
            f"x must be one example, a column of shape ({W.shape[1]}, 1), got shape {x.shape}; "
            "for m examples as columns use nnlib.vectorize.batch_forward."
        )
    for array, name in ((x, "x"), (W, "W"), (b, "b")):
        check_finite(array, name)
    return x, W, b


def layer_forward_loop(x, W, b, layer=None):
    r"""Pre-activations of a layer for one example, one neuron at a time: :math:`z_j = w_j \cdot x + b_j`.

    Slow on purpose: it is the definition that :func:`layer_forward` computes as one matrix product.

    Parameters
    ----------
    x : array, shape (n_in, 1)
    W : array, shape (n_out, n_in)
    b : array, shape (n_out, 1)
    layer : int or None, the layer's index l for error messages (None: a layer on its own, no number)

    Returns
    -------
    z : array, shape (n_out, 1)
    """
    x, W, b = _checked_layer_inputs(x, W, b, layer)
    z = np.empty((W.shape[0], 1), dtype=np.result_type(x, W, b))
    for j in range(W.shape[0]):
        z[j, 0] = sum(W[j, i] * x[i, 0] for i in range(W.shape[1])) + b[j, 0]
    return z


def layer_forward(x, W, b, layer=None):
    r"""Pre-activations of a layer for one example as a matrix product, :math:`z = W x + b`.

    Parameters
    ----------
    x : array, shape (n_in, 1)
    W : array, shape (n_out, n_in)
    b : array, shape (n_out, 1)
    layer : int or None, the layer's index l for error messages (None: a layer on its own, no number)

    Returns
    -------
    z : array, shape (n_out, 1)
    """
    x, W, b = _checked_layer_inputs(x, W, b, layer)
    return W @ x + b


def count_parameters(layer_sizes):
    r"""Number of weights and biases in a dense network: :math:`\sum_l n^{[l]} n^{[l-1]} + n^{[l]}`.

    Parameters
    ----------
    layer_sizes : sequence of int, ``[n_x, n[1], ..., n[L]]``; ``[2, 4, 1]`` has 17 parameters.

    Returns
    -------
    count : int
    """
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise TypeError(f"layer_sizes must be a sequence of ints [n_x, n[1], ..., n[L]], got {layer_sizes!r}.")
    sizes = [check_number(n, f"layer_sizes[{i}]", integer=True) for i, n in enumerate(layer_sizes)]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layer_sizes needs at least two positive sizes [n_x, ..., n[L]], got {list(layer_sizes)}.")
    return sum(n_out * n_in + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))
