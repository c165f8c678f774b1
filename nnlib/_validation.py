"""Input checks shared by every nnlib module (bookkeeping, kept apart from the math).

Every check raises ``TypeError`` (wrong kind of object) or ``ValueError`` (right kind, wrong value) with a
message that names the argument, says what was expected and shows what came.
"""

import math
import numbers

import numpy as np


def _describe(value):
    """A short description of ``value`` for an error message: arrays by shape and dtype, others by repr."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def as_float_array(value, name="input"):
    """Return ``value`` as a floating-point array; integer and bool inputs become float64.

    Floating inputs keep their dtype (float32 stays float32). The caller's array is never copied
    unless a conversion is needed, and never modified.
    """
    if type(value) is np.ndarray and value.dtype.kind == "f":  # the common case, first: this runs every epoch
        return value
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise TypeError(f"{name} must be an array of real numbers, got {_describe(value)}.")
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise TypeError(f"{name} must be an array of real numbers, got {_describe(value)} ({error}).") from None
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}.")
    return array


def as_matrix(value, name, rows=None, what="one example per column", allow_no_columns=False):
    """``value`` as a finite, non-empty 2-D float array (``rows`` rows if given), else a clear error.

    A 1-D array is refused rather than guessed: ``(n,)`` could be one example or n examples.
    ``allow_no_columns`` accepts zero examples, shape ``(n, 0)`` (a forward pass over nothing is defined).
    """
    array = as_float_array(value, name)
    if array.ndim != 2:
        hint = f" Use x.reshape({rows or 'n_x'}, -1) for examples as columns." if array.ndim == 1 else ""
        raise ValueError(f"{name} must be a 2-D array ({what}), got shape {array.shape}.{hint}")
    if array.shape[0] == 0 or (array.shape[1] == 0 and not allow_no_columns):
        raise ValueError(f"{name} is empty (shape {array.shape}): it needs at least one row and one example.")
    if rows is not None and array.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows ({what}), got shape {array.shape}.")
    check_finite(array, name)
    return array


def check_finite(array, name):
    """Raise ``ValueError`` if ``array`` holds NaN or inf, saying where the first one is."""
    if not np.isfinite(array).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"{name} contains NaN or inf (first at index {bad}, value {array[bad]}).")


def check_not_empty(array, name):
    """Raise ``ValueError`` for an array without elements."""
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); it needs at least one value.")


def check_binary_labels(Y, name="Y"):
    """Raise ``ValueError`` unless every label is exactly 0 or 1 (accuracy, a classifier's labels)."""
    not_binary = (Y != 0) & (Y != 1)
    if not_binary.any():
        bad = tuple(int(i) for i in np.argwhere(not_binary)[0])
        raise ValueError(
            f"{name} must hold labels 0 or 1, got {Y[bad]} at index {bad} (values seen: {np.unique(Y)[:6]})."
        )


def check_probabilities(P, name, what="probabilities (a sigmoid output)"):
    """Raise ``ValueError`` unless every value lies in [0, 1] (so NaN is refused too)."""
    if not (P.min() >= 0 and P.max() <= 1):  # two reductions: this check runs on every training epoch
        bad = tuple(int(i) for i in np.argwhere(~((P >= 0) & (P <= 1)))[0])
        raise ValueError(f"{name} must hold {what} in [0, 1], got {P[bad]} at index {bad}.")


def check_number(value, name, low=None, high=None, low_open=False, high_open=False, integer=False):
    """Return ``value`` if it is a finite real number (an int if ``integer``) within the given bounds.

    ``low``/``high`` of None mean no bound; ``low_open``/``high_open`` exclude the bound itself.
    A bool, a string or an array is a ``TypeError``; a number out of range a ``ValueError``.
    """
    plain = type(value) is int or (type(value) is float and not integer and math.isfinite(value))
    if plain and (low is None or value > low) and (high is None or value < high):
        return value  # the common case, first (an ABC isinstance is slow): optimizers check on every step
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {expected}, got {_describe(value)}.")
    if not integer and not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(-inf" if low is None else ("(" if low_open else "[") + f"{low}"
        right = "inf)" if high is None else f"{high}" + (")" if high_open else "]")
        raise ValueError(f"{name} must lie in {left}, {right}, got {value}.")
    return value


def check_layer_shapes(layer, A_prev, W, b, input_name=None):
    """Check that ``Z = W A_prev + b`` is defined for layer ``layer``; name the layer and both shapes if not.

    Shapes expected: ``W`` ``(n[l], n[l-1])``, ``b`` ``(n[l], 1)``, ``A_prev`` ``(n[l-1], m)``. ``layer`` None
    means a layer on its own (chapter 2's ``layer_forward``): the arrays are then called ``W``, ``b`` and
    ``input_name``, without a layer number.
    """
    prefix = "Layer" if layer is None else f"Layer {layer}"
    W_name, b_name = ("W", "b") if layer is None else (f"W{layer}", f"b{layer}")
    A_name = input_name or ("x" if layer is None else f"A{layer - 1}")
    if W.ndim != 2:
        raise ValueError(f"{prefix}: {W_name} must be a 2-D array (n[l], n[l-1]), got shape {W.shape}.")
    if A_prev.ndim != 2 or A_prev.shape[0] != W.shape[1]:
        expected = (
            f"({W.shape[1]}, 1), one example as a column"
            if layer is None
            else f"({W.shape[1]}, m) with examples as columns"
        )
        raise ValueError(
            f"{prefix}: {W_name} has shape {W.shape}, so {A_name} must have shape {expected}, "
            f"but {A_name} has shape {A_prev.shape}." + (" (A0 is the input X.)" if A_name == "A0" else "")
        )
    if b.shape != (W.shape[0], 1):
        raise ValueError(
            f"{prefix}: {W_name} has shape {W.shape}, so {b_name} must have shape "
            f"({W.shape[0]}, 1), but {b_name} has shape {b.shape}."
        )


def check_same_shape(got, expected, got_name, expected_name):
    """Raise ``ValueError`` unless two arrays have the same shape."""
    if got.shape != expected.shape:
        raise ValueError(
            f"{got_name} has shape {got.shape} but {expected_name} has shape {expected.shape}; "
            "they must match (one column per example)."
        )


def check_params(params, architecture, name="params"):
    """Check a parameter dict against an architecture: every ``W{l}`` ``(n[l], n[l-1])`` and ``b{l}`` ``(n[l], 1)``.

    Returns nothing; raises ``TypeError`` for a non-dict and ``ValueError`` naming the first missing or
    misshapen entry and both shapes.
    """
    if not isinstance(params, dict):
        raise TypeError(f"{name} must be a dict {{'W1': ..., 'b1': ...}}, got {_describe(params)}.")
    for l, layer in enumerate(architecture, start=1):
        expected = {f"W{l}": (layer["output_dim"], layer["input_dim"]), f"b{l}": (layer["output_dim"], 1)}
        for key, shape in expected.items():
            if key not in params:
                raise ValueError(f"{name} has no {key!r} (layer {l}); keys given: {sorted(params)}.")
            value = as_float_array(params[key], f"{name}[{key!r}]")
            if value.shape != shape:
                raise ValueError(
                    f"Layer {l}: {key} must have shape {shape} for the architecture (input_dim "
                    f"{layer['input_dim']}, output_dim {layer['output_dim']}), but {key} has shape {value.shape}."
                )
            check_finite(value, f"{name}[{key!r}]")
    extra = set(params) - {f"{p}{l}" for l in range(1, len(architecture) + 1) for p in "Wb"}
    if extra:
        raise ValueError(f"{name} has key(s) {sorted(extra)} that the {len(architecture)}-layer architecture lacks.")


def check_update(learning_rate, param, grad, **state):
    """Checks of an optimizer step: ``learning_rate`` > 0 and ``grad`` and every state array of ``param``'s shape."""
    check_number(learning_rate, "learning_rate", low=0, low_open=True)
    for name, array in (("grad", grad), *state.items()):
        if np.shape(array) != np.shape(param):
            raise ValueError(
                f"{name} has shape {np.shape(array)} but param has shape {np.shape(param)}; they must match "
                "(a transposed gradient?)."
            )


def _shape(value):
    # np.shape costs two Python calls; check_grads runs once per training step on arrays.
    return value.shape if type(value) is np.ndarray else np.shape(value)


def check_grads(params, grads, learning_rate):
    """Checks of an optimizer's ``update(params, grads)``, once per call: ``learning_rate`` > 0 and, for every
    ``params[name]``, a gradient ``grads["d" + name]`` of its shape. The step functions then run unchecked."""
    check_number(learning_rate, "learning_rate", low=0, low_open=True)
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict {{'dW1': ..., 'db1': ...}}, got {_describe(grads)}.")
    for name, param in params.items():
        grad = grads.get("d" + name)
        if grad is None:
            raise ValueError(f"grads has no 'd{name}' for params['{name}']; keys given: {sorted(grads)}.")
        if _shape(grad) != _shape(param):
            raise ValueError(
                f"grads['d{name}'] has shape {np.shape(grad)} but params['{name}'] has shape {np.shape(param)}; "
                "they must match (a transposed gradient?)."
            )


def check_callable(value, name, expected):
    """Raise ``TypeError`` unless ``value`` is callable."""
    if not callable(value):
        raise TypeError(f"{name} must be {expected}, got {_describe(value)}.")


def lookup(registry, name, kind):
    """Return ``registry[name]``, or raise ``ValueError`` listing the valid names."""
    try:
        return registry[name]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(registry))
        raise ValueError(f"Unknown {kind} {name!r}. Valid {kind}s: {valid}.") from None
