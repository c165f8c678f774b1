r"""Chapter 7 -- numerical gradient checking.

Central differences approximate each partial derivative with error :math:`O(h^2)`:

.. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}.

Compare with an analytic gradient by the relative error
:math:`\lVert g_{num} - g \rVert / (\lVert g_{num} \rVert + \lVert g \rVert)`.

:func:`check_network_gradients` sharpens this for a whole network, so that its verdict can be trusted:

- Richardson extrapolation, :math:`(4 D(h) - D(2h))/3` with :math:`D` the central difference, cancels the
  :math:`h^2` term: the error is :math:`O(h^4)` plus rounding, so a larger step (``h = 1e-4``) keeps the
  rounding error :math:`\approx \epsilon |J| / h` small;
- a component whose steps move any pre-activation of a ReLU, leaky ReLU or ELU layer across 0 (a kink, or for
  ELU a jump of the second derivative) is skipped (the difference quotient straddles it) and counted in
  ``skipped``;
- the cost is the *unclipped* one (for a sigmoid output with cross-entropy, computed from :math:`Z^{[L]}` as
  :math:`\operatorname{softplus}(z) - yz`), the function whose gradient backpropagation computes;
- a gradient of the wrong shape (a transposed ``dW``, say) is reported as such, not as a broadcast error.

Bands (float64, the course's architectures, measured in ``benchmarks/gradcheck_bands.py``): a correct
backward pass gives a relative error below about 2e-8 for every parameter; a bug that changes a parameter's
gradient by 1e-6 of its norm or more gives at least 5e-7 (unless it sits only in skipped components, which
the result lists). Errors from ``BUG_FROM`` = 1e-7 up are reported as bugs.
"""

import numpy as np

from nnlib._validation import as_float_array, check_callable, check_number, check_params
from nnlib.activations import softplus
from nnlib.backprop import network_backward
from nnlib.losses import get_loss
from nnlib.network import network_forward, validate_architecture

BUG_FROM = 1e-7
# Activations not smooth at 0: ReLU and leaky ReLU have a kink; ELU's second derivative jumps (its first too unless
# alpha = 1), which spoils the extrapolation, whose error terms assume smoothness, as surely as a kink.
KINKED_ACTIVATIONS = ("relu", "leaky_relu", "elu")


def numerical_gradient(f, x, h=1e-6):
    """Central-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable, array of the shape of ``x`` -> float
    x : array, any shape (float64 recommended; it is not modified)
    h : float > 0, the step

    Returns
    -------
    grad : array, the shape of ``x``
    """
    check_callable(f, "f", "a function of one array returning a float")
    check_number(h, "h", low=0, low_open=True)
    x = as_float_array(x, "x").astype(np.float64)  # a private float64 copy to perturb
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f(x)
        x[index] = original - h
        f_minus = f(x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b):
    """``||a - b|| / (||a|| + ||b||)``, and 0.0 when both are zero. ``a`` and ``b`` must have one shape."""
    a, b = as_float_array(a, "a").astype(np.float64), as_float_array(b, "b").astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}; compare arrays of one shape.")
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


class GradientCheck(dict):
    """Parameter name -> relative error (a dict, as before), with the verdict and what was left out.

    Its attributes (a plain list rather than an ``Attributes`` section, whose types Sphinx would read as classes):

    - ``verdict``: ``"bug"`` (some error from ``BUG_FROM`` up, or a gradient of the wrong shape), else ``"right"``;
    - ``skipped``: a dict, parameter name -> number of components skipped next to a ReLU kink;
    - ``shape_mismatches``: a dict, parameter name -> (shape of the parameter, shape of its gradient).
    """

    def __init__(self, errors, skipped, shape_mismatches):
        super().__init__(errors)
        self.skipped, self.shape_mismatches = skipped, shape_mismatches
        worst = max(errors.values(), default=0.0)
        self.verdict = "bug" if shape_mismatches or worst >= BUG_FROM else "right"

    def summary(self):
        """One line per parameter, then the verdict, for printing."""
        lines = []
        for name, error in self.items():
            note = f" ({self.skipped[name]} component(s) next to a ReLU kink skipped)" if self.skipped[name] else ""
            lines.append(f"{name}: relative error {error:.1e}{note}")
        for name, (expected, got) in self.shape_mismatches.items():
            lines.append(f"{name}: d{name} has shape {got} but {name} has shape {expected} (transposed?)")
        lines.append(f"verdict: {self.verdict} (a bug from a relative error of {BUG_FROM:.0e})")
        return "\n".join(lines)


def _unclipped_cost(X, Y, params, architecture, loss):
    """The cost without the clipping of nnlib.losses, and the kink pattern: for every ReLU-like layer, Z > 0."""
    Y_hat, cache = network_forward(X, params, architecture, check=False)
    n_layers = len(architecture)
    if loss == "binary_cross_entropy" and architecture[-1]["activation"] == "sigmoid":
        Z = cache[f"Z{n_layers}"]
        cost = float((softplus(Z) - Y * Z).sum() / Y.shape[1])
    elif loss == "binary_cross_entropy":
        with np.errstate(divide="ignore", invalid="ignore"):
            cost = float(-(Y * np.log(Y_hat) + (1 - Y) * np.log1p(-Y_hat)).sum() / Y.shape[1])
    else:
        cost = get_loss(loss).cost(Y_hat, Y)
    kinks = [cache[f"Z{l}"] > 0 for l, layer in enumerate(architecture, 1) if layer["activation"] in KINKED_ACTIVATIONS]
    return cost, kinks


def network_numerical_gradients(X, Y, params, architecture, loss="binary_cross_entropy", h=1e-4):
    """Numerical derivatives of the unclipped cost for every parameter, by Richardson extrapolation.

    Returns
    -------
    numeric : dict, parameter name -> array of its shape (float64)
    kinked : dict, parameter name -> bool array of its shape, True where the steps cross a ReLU kink (the
        numerical derivative there means nothing)
    """
    validate_architecture(architecture)
    check_params(params, architecture)
    check_number(h, "h", low=0, low_open=True)
    params = {name: as_float_array(value, name).astype(np.float64) for name, value in params.items()}
    X, Y = as_float_array(X, "X").astype(np.float64), as_float_array(Y, "Y").astype(np.float64)
    network_forward(X, params, architecture)  # checks X
    _, base_kinks = _unclipped_cost(X, Y, params, architecture, loss)
    numeric, kinked = {}, {}
    for name, value in params.items():
        numeric[name], kinked[name] = np.empty_like(value), np.zeros(value.shape, dtype=bool)
        for index in np.ndindex(value.shape):
            costs = {}
            for step in (h, -h, 2 * h, -2 * h):
                shifted = value.copy()
                shifted[index] += step
                costs[step], kinks = _unclipped_cost(X, Y, {**params, name: shifted}, architecture, loss)
                kinked[name][index] |= any((k != b).any() for k, b in zip(kinks, base_kinks, strict=True))
            central_h = (costs[h] - costs[-h]) / (2 * h)
            central_2h = (costs[2 * h] - costs[-2 * h]) / (4 * h)
            numeric[name][index] = (4 * central_h - central_2h) / 3
    return numeric, kinked


def compare_gradients(numeric, kinked, grads):
    """:class:`GradientCheck` of ``grads`` (``dW{l}``, ``db{l}``) against :func:`network_numerical_gradients`."""
    errors, skipped, shape_mismatches = {}, {}, {}
    for name, expected in numeric.items():
        grad = as_float_array(grads["d" + name], "d" + name)
        if grad.shape != expected.shape:
            shape_mismatches[name] = (expected.shape, grad.shape)
            continue
        keep = ~kinked[name]
        skipped[name] = int(kinked[name].sum())
        errors[name] = relative_error(expected[keep], grad[keep])
    return GradientCheck(errors, skipped, shape_mismatches)


def check_network_gradients(X, Y, params, architecture, loss="binary_cross_entropy", h=1e-4, grads=None):
    """Compare backpropagation with numerical derivatives of the cost, parameter by parameter.

    Parameters
    ----------
    X : array, shape (n_x, m); Y : array, shape (n[L], m)
    params : dict of ``W{l}``, ``b{l}`` (checked in float64 whatever their dtype; not modified)
    architecture : list of layer dicts
    loss : ``"binary_cross_entropy"`` or ``"mean_squared_error"``
    h : float > 0, the smaller of the two steps of the extrapolation
    grads : dict of ``dW{l}``, ``db{l}`` to check (from your own backward pass), or None for
        :func:`nnlib.backprop.network_backward`'s

    Returns
    -------
    result : :class:`GradientCheck`, parameter name -> relative error, with ``verdict``, ``skipped`` and
        ``shape_mismatches``
    """
    numeric, kinked = network_numerical_gradients(X, Y, params, architecture, loss, h)
    if grads is None:
        params64 = {name: np.asarray(value, dtype=np.float64) for name, value in params.items()}
        X64, Y64 = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
        Y_hat, cache = network_forward(X64, params64, architecture)
        grads = network_backward(Y_hat, Y64, cache, params64, architecture, loss=loss)
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict of dW1, db1, ... or None, got {type(grads).__name__}.")
    missing = sorted(f"d{name}" for name in numeric if f"d{name}" not in grads)
    if missing:
        raise ValueError(f"grads lacks {missing}.")
    return compare_gradients(numeric, kinked, grads)
