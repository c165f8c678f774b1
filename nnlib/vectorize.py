r"""Chapter 3 -- vectorization over many examples.

Stack :math:`m` examples as the columns of :math:`A^{[l-1]}`, shape :math:`(n^{[l-1]}, m)`. One matrix
product then computes the layer for all of them; the bias column :math:`b^{[l]}` is broadcast to
every column:

.. math:: Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}, \qquad Z^{[l]} \in \mathbb R^{n^{[l]} \times m}.
"""

import numpy as np

from nnlib._validation import as_float_array, as_matrix, check_finite, check_layer_shapes, check_number
from nnlib.layer import layer_forward


def batch_forward_loop(X, W, b):
    r"""Pre-activations for m examples, one example (column) at a time with :func:`layer_forward`.

    Parameters
    ----------
    X : array, shape (n_in, m)
    W : array, shape (n_out, n_in)
    b : array, shape (n_out, 1)

    Returns
    -------
    Z : array, shape (n_out, m)
    """
    X = as_matrix(X, "X", allow_no_columns=True)
    columns = [layer_forward(X[:, [i]], W, b) for i in range(X.shape[1])]
    return np.hstack(columns) if columns else np.empty((np.shape(W)[0], 0), dtype=X.dtype)


def batch_forward(X, W, b, layer=1):
    r"""Pre-activations for m examples at once, :math:`Z = W X + b` with ``b`` broadcast over columns.

    Parameters
    ----------
    X : array, shape (n_in, m)
    W : array, shape (n_out, n_in)
    b : array, shape (n_out, 1)
    layer : int, the layer's index, used in error messages

    Returns
    -------
    Z : array, shape (n_out, m)
    """
    X, W, b = as_matrix(X, "X", allow_no_columns=True), as_float_array(W, "W"), as_float_array(b, "b")
    check_number(layer, "layer", low=1, integer=True)
    check_layer_shapes(layer, X, W, b, input_name="X")
    check_finite(W, "W")
    check_finite(b, "b")
    return W @ X + b
