r"""Chapter 7 -- the training loop: forward, cost, backward, update, for many epochs.

One epoch visits every training example once, in one batch (full-batch gradient descent, as in the
source article) or in shuffled mini-batches. The optimizer is anything with ``update(params, grads)``:
:class:`nnlib.gradient_descent.GradientDescent` by default, or one of chapter 8's optimizers.
"""

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from nnlib._validation import (
    as_matrix,
    check_binary_labels,
    check_callable,
    check_layer_shapes,
    check_number,
    check_params,
)
from nnlib.backprop import network_backward
from nnlib.gradient_descent import GradientDescent
from nnlib.losses import accuracy, get_loss
from nnlib.network import init_network, network_forward, validate_architecture


class DivergenceWarning(RuntimeWarning):
    """Training looks as if it is diverging (warned once per run and kind of sign)."""


class TrainingDiverged(FloatingPointError):
    """Training certainly diverged: non-finite cost or parameters, parameters grown beyond any sensible
    scale, or outputs saturated at the wrong label on most examples."""


# Divergence thresholds (see _Divergence). Parameters 1e4 times their initial scale: a warning; 1e8 times: an
# error (a trained network's weights grow by a factor of 10 to 100 at most). Outputs saturated at the wrong label,
# where the clipped cross-entropy stops growing: a warning on 10 % of the examples, an error on most (50 %).
PARAMETER_GROWTH_WARNING, PARAMETER_GROWTH_ERROR = 1e4, 1e8
SATURATED_WARNING, SATURATED_ERROR = 0.1, 0.5
RISING_WINDOW = 20  # epochs; the cost is compared window against window
PARAMETER_CHECK_EVERY = 10  # epochs between checks of the parameters (and after the last epoch)


@dataclass
class History:
    """Per-epoch record of training: the cost and accuracy on the training data (averaged over the
    epoch's mini-batches, measured before each batch's update), and on validation data if given."""

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)


def _batches(m, batch_size, rng):
    if batch_size is None or batch_size >= m:
        return [slice(None)]
    order = rng.permutation(m)
    return [order[start : start + batch_size] for start in range(0, m, batch_size)]


def _progress(epochs, enabled):
    if not enabled:
        return range(1, epochs + 1)
    try:
        from tqdm.auto import tqdm
    except ImportError as error:
        raise ImportError("progress=True needs tqdm: pip install 'nnlib[progress]'.") from error
    return tqdm(range(1, epochs + 1), desc="training", unit="epoch")


# glibc hands freed memory back to the system once more than its trim threshold lies free at the heap's top. An
# epoch frees its activations and allocates them again, so with the start-up threshold (a few hundred kB, raised
# only when a larger block is freed) every epoch could fault its arrays back in page by page. For the source
# article's network in fresh Python processes: 2.6 to 166 faults an epoch, depending on what the process had
# allocated before, and up to 45 % more time.
_HEAP_BLOCK_BYTES = 16 << 20


def _keep_freed_arrays_for_reuse():
    """Free one 16 MB block at once: glibc then raises its thresholds to 16 MB (arrays below it come from the
    heap) and 32 MB (free heap kept for reuse), as after any program that freed an array that large. Elsewhere, and
    when MALLOC_TRIM_THRESHOLD_ or the like fix the thresholds, it is a harmless allocation of untouched pages."""
    np.empty(_HEAP_BLOCK_BYTES, dtype=np.uint8)


def _parameter_scales(params):
    """The largest absolute value of each parameter array: NaN or inf if the array holds one (max propagates NaN)."""
    return {name: float(np.abs(value).max()) for name, value in params.items()}


class _Divergence:
    """Watches a training run for the signs of divergence; warns once per sign, raises when it is certain.

    ``epoch_done`` gets each epoch's costs, the fraction of examples whose output saturated at the wrong label
    (there the clipped cross-entropy is capped, so a diverging cost looks flat) and the parameters.
    """

    def __init__(self, params, learning_rate):
        self.initial_scale = max(max(_parameter_scales(params).values()), 1.0)
        self.cause = (
            f"a learning rate ({learning_rate}) too large for this network and optimizer; lower it, or check the "
            "inputs' scale"
            if learning_rate is not None
            else "steps too large for this network; lower the optimizer's learning rate, or check the inputs' scale"
        )
        self.warned = set()

    def fail(self, epoch, what):
        raise TrainingDiverged(f"Training diverged at epoch {epoch}: {what}. Likely cause: {self.cause}.")

    def warn(self, kind, epoch, what):
        if kind not in self.warned:
            self.warned.add(kind)
            warnings.warn(
                f"Training may be diverging at epoch {epoch}: {what}. Possible cause: {self.cause}.",
                DivergenceWarning,
                stacklevel=3,
            )

    def check_cost(self, epoch, cost, Y_hat):
        # Clipping keeps NaN, so a non-finite output always gives a non-finite cost: one check finds both.
        if not math.isfinite(cost):
            output_bad = not np.isfinite(Y_hat).all()
            self.fail(epoch, "the network's output holds NaN or inf" if output_bad else f"the cost is {cost}")

    def epoch_done(self, epoch, costs, saturated_fraction, params, last):
        if saturated_fraction > SATURATED_ERROR:
            self.fail(
                epoch,
                f"{saturated_fraction:.0%} of the outputs are saturated at the wrong label (0 for a 1, 1 for a 0), "
                "where the clipped cost stops growing",
            )
        if saturated_fraction > SATURATED_WARNING:
            self.warn("saturated", epoch, f"{saturated_fraction:.0%} of the outputs are saturated at the wrong label")
        if epoch % PARAMETER_CHECK_EVERY == 0 or last:
            self._check_parameters(epoch, params)
        if epoch >= 2 * RISING_WINDOW and epoch % RISING_WINDOW == 0:
            self._check_rising(epoch, costs)

    def _check_parameters(self, epoch, params):
        scales = _parameter_scales(params)
        for name, scale in scales.items():
            if not math.isfinite(scale):
                self.fail(epoch, f"{name} holds NaN or inf after the update")
        growth = max(scales.values()) / self.initial_scale
        if growth > PARAMETER_GROWTH_ERROR:
            self.fail(epoch, f"the largest parameter has grown {growth:.1e} times its initial scale")
        if growth > PARAMETER_GROWTH_WARNING:
            self.warn("growth", epoch, f"the largest parameter has grown {growth:.1e} times its initial scale")

    def _check_rising(self, epoch, costs):
        recent, before = np.mean(costs[-RISING_WINDOW:]), np.mean(costs[-2 * RISING_WINDOW : -RISING_WINDOW])
        mostly_rising = np.mean(np.diff(costs[-RISING_WINDOW:]) > 0) >= 0.75
        if recent > before and mostly_rising and costs[-1] > costs[0]:
            self.warn(
                "rising",
                epoch,
                f"the mean cost of the last {RISING_WINDOW} epochs, {recent:.4g}, rose from {before:.4g} and "
                f"is above the first epoch's, {costs[0]:.4g}",
            )


def _saturated_wrong(Y_hat, Y):
    """Number of examples whose output sits at the clip of the cross-entropy on the wrong side of the label."""
    return np.count_nonzero(np.abs(Y_hat - Y) >= 1 - np.finfo(Y_hat.dtype).eps)


_OPTIMIZERS_ACCEPTED = (
    "None (plain gradient descent at learning_rate), or an object with update(params, grads), such as "
    "nnlib.gradient_descent.GradientDescent(0.01) or nnlib.optimizers.Adam(0.001) "
    "(nnlib.optimizers.get_optimizer('adam') builds one by name)"
)


def _check_optimizer(optimizer, learning_rate):
    """The optimizer train will use, after checking that the arguments agree; see train's docstring."""
    if learning_rate is not None:
        check_number(learning_rate, "learning_rate", low=0, low_open=True)
    if optimizer is None:
        return GradientDescent(0.01 if learning_rate is None else learning_rate)
    if isinstance(optimizer, str):
        raise TypeError(f"optimizer must be {_OPTIMIZERS_ACCEPTED}; got the string {optimizer!r}.")
    check_callable(getattr(optimizer, "update", None), "optimizer", _OPTIMIZERS_ACCEPTED)
    if learning_rate is not None:
        raise ValueError(
            f"learning_rate={learning_rate} and optimizer={type(optimizer).__name__}(...) were both given: the "
            "optimizer has its own learning rate. Pass it to the optimizer, or drop the optimizer."
        )
    if callable(getattr(optimizer, "has_state", None)) and optimizer.has_state():
        raise ValueError(
            f"optimizer {type(optimizer).__name__} still holds the state of an earlier training run (its moving "
            "averages would carry over). Call optimizer.reset() first, or pass a new optimizer."
        )
    return optimizer


def _check_data(X, Y, architecture, loss, X_name="X", Y_name="Y"):
    """X and Y (as X's dtype) after the checks of train."""
    X = as_matrix(X, X_name)
    Y = as_matrix(Y, Y_name).astype(X.dtype, copy=False)
    output_shape = (architecture[-1]["output_dim"], X.shape[1])
    if Y.shape != output_shape:
        raise ValueError(
            f"{Y_name} has shape {Y.shape} but the network's output for {X_name} {X.shape} has shape {output_shape}."
        )
    if loss == "binary_cross_entropy":
        check_binary_labels(Y, Y_name)
    return X, Y


def train(
    X,
    Y,
    architecture,
    epochs,
    learning_rate=None,
    optimizer=None,
    loss="binary_cross_entropy",
    batch_size=None,
    params=None,
    seed=99,
    init="small",
    validation=None,
    callback=None,
    progress=False,
):
    """Train a network and return its parameters and history.

    Parameters
    ----------
    X : array, shape (n_x, m), one example per column, m >= 1, finite; its dtype (float32 or float64) sets
        the parameters' dtype
    Y : array, shape (n[L], m); labels 0 or 1 for binary cross-entropy
    architecture : list of layer dicts; binary cross-entropy needs a sigmoid output layer
    epochs : int >= 1, passes over the training data
    learning_rate : float > 0 or None, for plain gradient descent when ``optimizer`` is None (None: 0.01,
        the source article's rate). Giving both ``learning_rate`` and ``optimizer`` is an error: the
        optimizer carries its own rate.
    optimizer : object with ``update(params, grads)``, or None. One that still holds state from an earlier
        run (``has_state()`` true, as nnlib's optimizers report) is refused; call its ``reset()`` first.
    loss : ``"binary_cross_entropy"`` or ``"mean_squared_error"``
    batch_size : int >= 1 or None (None, or a size of at least m: full batch)
    params : initial parameters (copied, never modified) or None to initialise from ``seed``
    seed : int, for the initialisation and the mini-batch order
    init : initialisation method for :func:`nnlib.network.init_network`
    validation : ``(X_val, Y_val)`` or None
    callback : callable ``callback(epoch, params, history)`` after each epoch, or None
    progress : bool, show a tqdm progress bar

    Returns
    -------
    params : dict, trained ``W{l}`` and ``b{l}``
    history : :class:`History`

    Every argument is checked before the first epoch (``TypeError``/``ValueError`` naming it). Divergence:
    :class:`TrainingDiverged` (a ``FloatingPointError``) naming the epoch and the likely cause as soon as it
    is certain: the cost is NaN or infinite; a parameter is, or has grown 1e8 times its initial scale; or
    most outputs are saturated at the wrong label (where the clipped cross-entropy hides how bad they are).
    The first signs (parameters grown 1e4 times, 10 % of the outputs saturated at the wrong label, the cost
    rising in most epochs of a 20-epoch window, to above where it started) give one :class:`DivergenceWarning`
    each.
    NumPy's overflow warnings are silenced meanwhile.
    """
    validate_architecture(architecture)
    loss_pair = get_loss(loss)
    classify = loss == "binary_cross_entropy"
    if classify and architecture[-1]["activation"] != "sigmoid":
        raise ValueError(
            "loss='binary_cross_entropy' needs probabilities: the output layer's activation must be 'sigmoid', "
            f"got {architecture[-1]['activation']!r}."
        )
    X, Y = _check_data(X, Y, architecture, loss)
    check_number(epochs, "epochs", low=1, integer=True)
    if batch_size is not None:
        check_number(batch_size, "batch_size", low=1, integer=True)
    check_number(seed, "seed", low=0, integer=True)
    if validation is not None:
        if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
            raise TypeError(f"validation must be a pair (X_val, Y_val) or None, got {type(validation).__name__}.")
        validation = _check_data(*validation, architecture, loss, "X_val", "Y_val")
    if callback is not None:
        check_callable(callback, "callback", "a function callback(epoch, params, history) or None")
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}.")
    optimizer = _check_optimizer(optimizer, learning_rate)
    if params is None:
        params = init_network(architecture, seed=seed, method=init, dtype=X.dtype)
    else:
        check_params(params, architecture)
        params = {name: np.array(value, dtype=X.dtype) for name, value in params.items()}
    # The epochs run unchecked (check=False): the inputs' heights are checked here, once, as layer 1 would.
    check_layer_shapes(1, X, params["W1"], params["b1"])
    if validation is not None:
        check_layer_shapes(1, validation[0], params["W1"], params["b1"], input_name="X_val")
    divergence = _Divergence(params, getattr(optimizer, "learning_rate", None))
    _keep_freed_arrays_for_reuse()
    rng = np.random.default_rng(seed)
    history = History()
    m = X.shape[1]

    for epoch in _progress(epochs, progress):
        # A diverging run overflows: silence NumPy's warnings and report it once, naming the epoch.
        with np.errstate(over="ignore", invalid="ignore"):
            total_cost = total_correct = saturated = 0.0
            for batch in _batches(m, batch_size, rng):
                X_batch, Y_batch = X[:, batch], Y[:, batch]
                Y_hat, cache = network_forward(X_batch, params, architecture, check=False)
                batch_cost = loss_pair.cost(Y_hat, Y_batch, check=False)
                divergence.check_cost(epoch, batch_cost, Y_hat)
                total_cost += batch_cost * Y_batch.shape[1]
                if classify:
                    total_correct += accuracy(Y_hat, Y_batch, check=False) * Y_batch.shape[1]
                    saturated += _saturated_wrong(Y_hat, Y_batch)
                grads = network_backward(Y_hat, Y_batch, cache, params, architecture, loss=loss, check=False)
                optimizer.update(params, grads)
            history.loss.append(total_cost / m)
            if classify:
                history.accuracy.append(total_correct / m)
            divergence.epoch_done(epoch, history.loss, saturated / m, params, last=epoch == epochs)
            if validation is not None:
                X_val, Y_val = validation
                Y_val_hat, _ = network_forward(X_val, params, architecture, check=False)
                history.val_loss.append(loss_pair.cost(Y_val_hat, Y_val, check=False))
                if classify:
                    history.val_accuracy.append(accuracy(Y_val_hat, Y_val, check=False))
        if callback is not None:
            callback(epoch, params, history)
    return params, history
