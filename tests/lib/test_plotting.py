"""nnlib.plotting (Agg backend, set in conftest): what is drawn, and where."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.contour import QuadContourSet

from nnlib.activations import ACTIVATIONS, sigmoid
from nnlib.plotting import plot_activation_grid, plot_decision_boundary, plot_history
from nnlib.training import History


def vertical_boundary_model(x_boundary):
    """p(class 1) = sigmoid(5 (x1 - x_boundary)): the 0.5 level is the line x1 = x_boundary."""
    return lambda grid: sigmoid(5 * (grid[0:1] - x_boundary))


@pytest.fixture
def points():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (2, 40))
    return X, (X[0] > 0.3).astype(float).reshape(1, -1)


def test_decision_boundary_is_drawn_at_the_half_probability_level(points):
    X, Y = points
    ax = plot_decision_boundary(vertical_boundary_model(0.3), X, Y, resolution=101)
    contours = [c for c in ax.collections if isinstance(c, QuadContourSet)]
    assert len(contours) == 2  # the shaded probabilities and the boundary line
    filled, boundary = contours
    assert filled.filled and not boundary.filled
    np.testing.assert_allclose(boundary.levels, [0.5])
    vertices = np.vstack([path.vertices for path in boundary.get_paths() if len(path.vertices)])
    np.testing.assert_allclose(vertices[:, 0], 0.3, atol=1e-3)  # grid spacing is 0.05
    # The line crosses the whole plotted height, margin included.
    assert vertices[:, 1].min() == pytest.approx(X[1].min() - 0.5)
    assert vertices[:, 1].max() == pytest.approx(X[1].max() + 0.5)


def test_decision_boundary_moves_with_the_model(points):
    X, Y = points
    ax = plot_decision_boundary(vertical_boundary_model(-1.0), X, Y)
    boundary = [c for c in ax.collections if isinstance(c, QuadContourSet)][1]
    vertices = np.vstack([path.vertices for path in boundary.get_paths() if len(path.vertices)])
    np.testing.assert_allclose(vertices[:, 0], -1.0, atol=1e-3)


def test_points_are_drawn_once_each_by_class(points):
    X, Y = points
    ax = plot_decision_boundary(vertical_boundary_model(0.3), X, Y, title="moons")
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 2
    class_0, class_1 = (scatter.get_offsets() for scatter in scatters)
    np.testing.assert_allclose(class_0, X[:, Y[0] == 0].T)
    np.testing.assert_allclose(class_1, X[:, Y[0] == 1].T)
    assert ax.get_title() == "moons"
    assert ax.get_legend_handles_labels()[1] == ["class 0", "class 1"]


def test_decision_boundary_draws_on_the_given_axes_and_grid_keeps_dtype(points):
    X, Y = points
    seen = []

    def model(grid):
        seen.append((grid.shape, grid.dtype))
        return vertical_boundary_model(0.0)(grid)

    _, ax = plt.subplots()
    assert plot_decision_boundary(model, X.astype(np.float32), Y, ax=ax, resolution=30) is ax
    assert seen == [((2, 900), np.float32)]


def history(with_validation):
    record = History(loss=[0.7, 0.5, 0.4], accuracy=[0.5, 0.7, 0.8])
    if with_validation:
        record.val_loss, record.val_accuracy = [0.8, 0.6, 0.5], [0.4, 0.6, 0.7]
    return record


@pytest.mark.parametrize(("with_validation", "lines_per_panel"), [(False, 1), (True, 2)])
def test_history_draws_one_line_per_recorded_series(with_validation, lines_per_panel):
    record = history(with_validation)
    loss_ax, accuracy_ax = plot_history(record)
    assert len(loss_ax.lines) == len(accuracy_ax.lines) == lines_per_panel
    np.testing.assert_array_equal(loss_ax.lines[0].get_xdata(), [1, 2, 3])  # epochs count from 1
    np.testing.assert_array_equal(loss_ax.lines[0].get_ydata(), record.loss)
    np.testing.assert_array_equal(accuracy_ax.lines[0].get_ydata(), record.accuracy)
    if with_validation:
        np.testing.assert_array_equal(loss_ax.lines[1].get_ydata(), record.val_loss)
        assert [line.get_label() for line in accuracy_ax.lines] == ["training", "validation"]
    assert loss_ax.get_ylabel() == "cost J" and accuracy_ax.get_xlabel() == "epoch"


def test_history_draws_on_given_axes():
    _, axes = plt.subplots(1, 2)
    assert list(plot_history(history(False), axes=axes)) == list(axes)


def test_activation_grid_has_one_panel_per_function_with_g_and_its_derivative():
    fig = plot_activation_grid(ACTIVATIONS, columns=3)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 9  # 7 activations on a 3 x 3 grid
    assert [ax.get_title() for ax in visible] == list(ACTIVATIONS)
    for ax, (function, derivative) in zip(visible, ACTIVATIONS.values(), strict=True):
        g, g_prime = ax.lines[:2]  # then the two grey axis lines
        assert len(ax.lines) == 4
        z = g.get_xdata()
        np.testing.assert_allclose(g.get_ydata(), function(z))
        np.testing.assert_allclose(g_prime.get_ydata(), derivative(z))
    assert z.min() == -5 and z.max() == 5 and len(z) == 400


def test_activation_grid_with_custom_inputs():
    z = np.array([-1.0, 0.5, 2.0])
    fig = plot_activation_grid({"relu": ACTIVATIONS["relu"]}, z=z, columns=2)
    assert sum(ax.get_visible() for ax in fig.axes) == 1
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), [0.0, 0.5, 2.0])
