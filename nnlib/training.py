r"""Chapter 7 -- the training loop: forward, cost, backward, update, for many epochs.

One epoch visits every training example once, in one batch (full-batch gradient descent, as in the
source article) or in shuffled mini-batches. The optimizer is anything with ``update(params, grads)``:
:class:`nnlib.gradient_descent.GradientDescent` by default, or one of chapter 8's optimizers.
"""

from dataclasses import dataclass, field

import numpy as np

from nnlib._validation import as_float_array, check_finite
from nnlib.backprop import network_backward
from nnlib.gradient_descent import GradientDescent
from nnlib.losses import accuracy, get_loss
from nnlib.network import init_network, network_forward, validate_architecture


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


def train(
    X,
    Y,
    architecture,
    epochs,
    learning_rate=0.01,
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
    X : array, shape (n_x, m), one example per column; its dtype (float32 or float64) sets the
        parameters' dtype
    Y : array, shape (n[L], m)
    architecture : list of layer dicts
    epochs : int
    learning_rate : float, used only when ``optimizer`` is None (plain gradient descent)
    optimizer : object with ``update(params, grads)``, or None
    loss : ``"binary_cross_entropy"`` or ``"mean_squared_error"``
    batch_size : int or None (None: full batch)
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

    Raises ``FloatingPointError`` naming the epoch as soon as the cost is NaN or infinite, or a parameter
    is after the last update (training diverged); NumPy's overflow warnings are silenced meanwhile.
    """
    X = as_float_array(X, "X")
    check_finite(X, "X")
    Y = as_float_array(Y, "Y").astype(X.dtype)
    check_finite(Y, "Y")
    validate_architecture(architecture)
    output_shape = (architecture[-1]["output_dim"], X.shape[1])
    if Y.shape != output_shape:
        raise ValueError(f"Y has shape {Y.shape} but the network's output for X {X.shape} has shape {output_shape}.")
    if params is None:
        params = init_network(architecture, seed=seed, method=init, dtype=X.dtype)
    else:
        params = {name: np.array(value, dtype=X.dtype) for name, value in params.items()}
    optimizer = GradientDescent(learning_rate) if optimizer is None else optimizer
    cost_function = get_loss(loss).cost
    classify = loss == "binary_cross_entropy"
    rng = np.random.default_rng(seed)
    history = History()
    m = X.shape[1]

    for epoch in _progress(epochs, progress):
        # A diverging run overflows: silence NumPy's warnings and report it once, naming the epoch.
        with np.errstate(over="ignore", invalid="ignore"):
            total_cost = total_correct = 0.0
            for batch in _batches(m, batch_size, rng):
                X_batch, Y_batch = X[:, batch], Y[:, batch]
                Y_hat, cache = network_forward(X_batch, params, architecture)
                batch_cost = cost_function(Y_hat, Y_batch)
                if not np.isfinite(batch_cost):
                    raise FloatingPointError(
                        f"Training diverged at epoch {epoch}: the cost is {batch_cost}. "
                        "Lower the learning rate or check the inputs' scale."
                    )
                total_cost += batch_cost * Y_batch.shape[1]
                if classify:
                    total_correct += accuracy(Y_hat, Y_batch) * Y_batch.shape[1]
                optimizer.update(params, network_backward(Y_hat, Y_batch, cache, params, architecture, loss=loss))
            history.loss.append(total_cost / m)
            if classify:
                history.accuracy.append(total_correct / m)
            if validation is not None:
                X_val, Y_val = validation
                Y_val_hat, _ = network_forward(X_val, params, architecture)
                history.val_loss.append(cost_function(Y_val_hat, Y_val))
                if classify:
                    history.val_accuracy.append(accuracy(Y_val_hat, Y_val))
        if callback is not None:
            callback(epoch, params, history)
    # The cost is checked before each update; the very last update is checked here.
    for name, value in params.items():
        if not np.isfinite(value).all():
            raise FloatingPointError(
                f"Training diverged at epoch {epochs}: {name} holds NaN or inf after the last update. "
                "Lower the learning rate or check the inputs' scale."
            )
    return params, history
