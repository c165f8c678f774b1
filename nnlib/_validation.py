"""Input checks shared by every nnlib module (bookkeeping, kept apart from the math)."""

import numpy as np


def as_float_array(value, name="input"):
    """Return ``value`` as a floating-point array; integer and bool inputs become float64.

    Floating inputs keep their dtype (float32 stays float32). The caller's array is never copied
    unless a conversion is needed, and never modified.
    """
    array = np.asarray(value)
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}.")
    return array


def check_finite(array, name):
    """Raise ``ValueError`` if ``array`` holds NaN or inf, saying where the first one is."""
    if not np.isfinite(array).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"{name} contains NaN or inf (first at index {bad}, value {array[bad]}).")


def check_layer_shapes(layer, A_prev, W, b):
    """Check that ``Z = W A_prev + b`` is defined for layer ``layer``; name the layer and both shapes if not.

    Shapes expected: ``W`` ``(n[l], n[l-1])``, ``b`` ``(n[l], 1)``, ``A_prev`` ``(n[l-1], m)``.
    """
    if W.ndim != 2:
        raise ValueError(f"Layer {layer}: W{layer} must be a 2-D array (n[l], n[l-1]), got shape {W.shape}.")
    if A_prev.ndim != 2 or A_prev.shape[0] != W.shape[1]:
        raise ValueError(
            f"Layer {layer}: W{layer} has shape {W.shape}, so A{layer - 1} must have shape "
            f"({W.shape[1]}, m) with examples as columns, but A{layer - 1} has shape {A_prev.shape}."
        )
    if b.shape != (W.shape[0], 1):
        raise ValueError(
            f"Layer {layer}: W{layer} has shape {W.shape}, so b{layer} must have shape "
            f"({W.shape[0]}, 1), but b{layer} has shape {b.shape}."
        )


def check_same_shape(got, expected, got_name, expected_name):
    """Raise ``ValueError`` unless two arrays have the same shape."""
    if got.shape != expected.shape:
        raise ValueError(
            f"{got_name} has shape {got.shape} but {expected_name} has shape {expected.shape}; "
            "they must match (one column per example)."
        )


def lookup(registry, name, kind):
    """Return ``registry[name]``, or raise ``ValueError`` listing the valid names."""
    try:
        return registry[name]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(registry))
        raise ValueError(f"Unknown {kind} {name!r}. Valid {kind}s: {valid}.") from None
