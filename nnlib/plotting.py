"""Plot helpers used by the chapters (available from chapter 1; they import no other nnlib module).

matplotlib is imported inside each function, so the rest of nnlib needs only NumPy
(install the extra with ``pip install 'nnlib[plot]'``).
"""

import numpy as np


def _axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(5, 4))[1]


def plot_decision_boundary(predict_proba, X, Y, ax=None, resolution=200, title=None):
    """Shade the plane by the model's predicted probability and draw the labelled points.

    Parameters
    ----------
    predict_proba : callable, array of shape (2, k) -> probabilities of shape (1, k)
    X : array, shape (2, m); Y : array, shape (1, m)
    ax : matplotlib Axes or None
    resolution : int, grid points per axis

    Returns
    -------
    ax : the Axes drawn on
    """
    ax = _axes(ax)
    margin = 0.5
    x_min, x_max = X[0].min() - margin, X[0].max() + margin
    y_min, y_max = X[1].min() - margin, X[1].max() + margin
    grid_x, grid_y = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    grid = np.vstack([grid_x.ravel(), grid_y.ravel()]).astype(X.dtype)
    probabilities = np.asarray(predict_proba(grid)).reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, probabilities, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    ax.contour(grid_x, grid_y, probabilities, levels=[0.5], colors="k", linewidths=1.5)
    labels = Y.ravel() > 0.5
    ax.scatter(X[0, ~labels], X[1, ~labels], s=10, c="tab:blue", edgecolors="k", linewidths=0.3, label="class 0")
    ax.scatter(X[0, labels], X[1, labels], s=10, c="tab:red", edgecolors="k", linewidths=0.3, label="class 1")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def plot_history(history, axes=None):
    """Draw the cost and the accuracy per epoch of a :class:`nnlib.training.History`.

    Parameters
    ----------
    history : object with list attributes ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``
    axes : pair of matplotlib Axes or None

    Returns
    -------
    axes : the two Axes drawn on
    """
    if axes is None:
        import matplotlib.pyplot as plt

        axes = plt.subplots(1, 2, figsize=(10, 3.5))[1]
    loss_ax, accuracy_ax = axes
    for values, label, ax in (
        (history.loss, "training", loss_ax),
        (history.val_loss, "validation", loss_ax),
        (history.accuracy, "training", accuracy_ax),
        (history.val_accuracy, "validation", accuracy_ax),
    ):
        if len(values):
            ax.plot(np.arange(1, len(values) + 1), values, label=label)
    loss_ax.set(xlabel="epoch", ylabel="cost J", title="Cost")
    accuracy_ax.set(xlabel="epoch", ylabel="accuracy", title="Accuracy")
    for ax in axes:
        ax.legend()
    return axes


def plot_activation_grid(activations, z=None, columns=3):
    """One panel per activation, showing g(z) and g'(z).

    Parameters
    ----------
    activations : dict, name -> (function, derivative), e.g. ``nnlib.activations.ACTIVATIONS``
    z : array, shape (k,), the inputs to plot (default: 400 points in [-5, 5])
    columns : int

    Returns
    -------
    fig : the matplotlib Figure
    """
    import matplotlib.pyplot as plt

    z = np.linspace(-5, 5, 400) if z is None else np.asarray(z)
    rows = -(-len(activations) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3 * rows), squeeze=False)
    for ax, (name, (function, derivative)) in zip(axes.flat, activations.items(), strict=False):
        ax.plot(z, function(z), label="$g(z)$")
        ax.plot(z, derivative(z), "--", label="$g'(z)$")
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.axvline(0, color="grey", linewidth=0.5)
        ax.set_title(name)
        ax.legend()
    for ax in list(axes.flat)[len(activations) :]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig
