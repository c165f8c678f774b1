"""Figure helpers shared by the chapters (not part of nnlib: nothing here is course material).

Animations: ``HTML(anim.to_jshtml(...))`` as usual; ``_ext/offline_book.py`` removes the Font Awesome stylesheet that
matplotlib links from a CDN (test_book_build.py refuses any such link).

Interactive figures
-------------------
A chapter builds a plotly figure (sliders, dropdowns) and ends its cell with ``interactive(fig, "name")``::

    import plotly.graph_objects as go
    from _figures import interactive

    fig = go.Figure(...)  # steps of sliders/buttons with method "restyle", "relayout" or "update"
    interactive(fig, "learning-rate")

The result works without a kernel and without a network:

- in the built book it is plain HTML (a ``div`` and a ``Plotly.newPlot`` script); plotly.js itself is not in the
  output: ``_ext/offline_book.py`` copies ``plotly.min.js`` from the installed plotly package into the build's
  ``_static/plotly/`` and adds it to every page that holds a figure (it looks for the class ``plotly-graph-div``);
- in Jupyter, where plotly.js is not on the page, the output is empty: ``fig.show()`` draws the same figure there.
  (The output cannot also carry plotly's own MIME type: myst-nb warns about it, and the book builds with -W.)

``name`` becomes the element id (``figure-<name>``), so it must be unique on its page; being fixed, it keeps the
output identical from run to run, which nbval checks. ``script`` is optional JavaScript run once the figure exists,
for controls that need a computation rather than a precomputed restyle (see ``neuron_explorer_script``); it sees the
figure's element as ``figure`` and the ``Plotly`` object. Such scripts run in the book only: in Jupyter the sliders
of a scripted figure do nothing. Keep figures small (a few hundred points per step): every step is in the page.
Use no LaTeX in plotly text (the book's MathJax does not typeset inside the SVG); write w₁, σ, η in Unicode.
"""

import numpy as np
import plotly.io as pio

TEMPLATE = "simple_white"


class InteractiveFigure:
    """A plotly figure displayed as HTML that draws it with the page's plotly.js (no plotly.js in it, no CDN)."""

    def __init__(self, fig, name, script=""):
        if not name.replace("-", "").isalnum():
            raise ValueError(f"figure name {name!r}: use letters, digits and '-', it becomes an HTML id")
        self.fig = fig
        self.name = name
        self.script = script

    def html(self):
        """The ``div`` and the script that draws the figure with the page's own plotly.js."""
        post_script = None
        if self.script:
            # to_html replaces {plot_id} with the div's id.
            post_script = "(function (figure) {" + self.script + "})(document.getElementById('{plot_id}'));"
        return pio.to_html(
            self.fig,
            include_plotlyjs=False,
            full_html=False,
            div_id=f"figure-{self.name}",
            post_script=post_script,
            default_height=f"{self.fig.layout.height or 450}px",
            config={"displaylogo": False, "responsive": True},
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        title = self.fig.layout.title.text or self.name
        return {
            "text/html": self.html(),
            "text/plain": f"<interactive figure {self.name!r}: {title}; fig.show() draws it in Jupyter>",
        }


def interactive(fig, name, script=""):
    """Display ``fig`` as an interactive figure that works offline (see the module docstring).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure; its template is set to the book's (white background, no grid).
    name : str
        Unique on the page; letters, digits and '-'. The figure's HTML id is ``figure-<name>``.
    script : str, optional
        JavaScript run once the figure is drawn, with ``figure`` (its element) and ``Plotly`` in scope.
    """
    fig.update_layout(template=TEMPLATE)
    return InteractiveFigure(fig, name, script)


NEURON_EXPLORER_SCRIPT = """
const [background, negatives, positives, boundary, arrow] = [0, 1, 2, 3, 4];
const grid = figure.data[background].x;
const [low, high] = [grid[0], grid[grid.length - 1]];
const labelled = [[figure.data[negatives], 0], [figure.data[positives], 1]];
function redraw() {
  const [w1, w2, b] = figure.layout.sliders.map(s => Number(s.steps[s.active].label));
  const z = grid.map(x2 => grid.map(x1 => w1 * x1 + w2 * x2 + b));
  let correct = 0, total = 0;
  for (const [trace, label] of labelled) {
    trace.x.forEach((x1, i) => { correct += ((w1 * x1 + w2 * trace.y[i] + b > 0) ? 1 : 0) === label; total += 1; });
  }
  let line = {x: [], y: []}, tip = {x: [], y: []};
  const norm2 = w1 * w1 + w2 * w2;
  if (norm2 > 0) {
    line = Math.abs(w2) >= Math.abs(w1)
      ? {x: [low, high], y: [low, high].map(x1 => -(w1 * x1 + b) / w2)}
      : {x: [low, high].map(x2 => -(w2 * x2 + b) / w1), y: [low, high]};
    const foot = [-b * w1 / norm2, -b * w2 / norm2], scale = 0.8 / Math.sqrt(norm2);
    tip = {x: [foot[0], foot[0] + scale * w1], y: [foot[1], foot[1] + scale * w2]};
  }
  Plotly.update(figure, {z: [z], x: [grid, line.x, tip.x], y: [grid, line.y, tip.y]},
    {"title.text": `w = (${w1}, ${w2}), b = ${b}: accuracy ${(correct / total).toFixed(3)}`},
    [background, boundary, arrow]);
}
figure.on("plotly_sliderchange", redraw);
"""


def _slider(name, values, active, y):
    steps = [{"method": "skip", "label": f"{value:g}", "args": [None]} for value in values]
    return {
        "active": active,
        "steps": steps,
        "currentvalue": {"prefix": f"{name} = "},
        "y": y,
        "len": 0.9,
        "pad": {"t": 0, "b": 0},
    }


def neuron_explorer(X, Y, w, b, limits=(-2.0, 3.0), resolution=41):
    r"""A perceptron's decision line on labelled points, with sliders for $w_1$, $w_2$ and $b$.

    The background is $z = w^\top x + b$ (red where the neuron fires, blue where it does not), the black line is
    $z = 0$ and the green arrow is $w$, drawn from the point of the line closest to the origin. The title gives the
    accuracy. Moving a slider recomputes all of it in the page (``NEURON_EXPLORER_SCRIPT``); pass the result to
    ``interactive`` together with that script.

    Parameters
    ----------
    X : array, shape (2, m)
        The points, one per column.
    Y : array, shape (1, m)
        Their labels, 0 or 1.
    w : array, shape (2,)
        The starting weights; each entry must be one of the slider values (-3 to 3 in steps of 0.5).
    b : float
        The starting bias, one of the slider values (-3 to 3 in steps of 0.25).
    """
    import plotly.graph_objects as go

    weight_values = np.round(np.arange(-3.0, 3.01, 0.5), 2)
    bias_values = np.round(np.arange(-3.0, 3.01, 0.25), 2)
    # Plain lists, not NumPy arrays: plotly would send those as typed-array objects the script cannot map over.
    grid = np.linspace(*limits, resolution)
    z = w[0] * grid[np.newaxis, :] + w[1] * grid[:, np.newaxis] + b  # rows follow x2, columns x1
    labels = Y.ravel()
    norm2 = w @ w
    line_x1 = np.array(limits)
    foot = -b * w / norm2
    tip = foot + 0.8 * w / np.sqrt(norm2)
    accuracy = np.mean((w @ X + b > 0) == (labels == 1))
    fig = go.Figure(
        [
            go.Heatmap(
                x=grid.tolist(),
                y=grid.tolist(),
                z=z.tolist(),
                zmin=-4,
                zmax=4,
                colorscale="RdBu",
                reversescale=True,
                colorbar={"title": {"text": "z = w·x + b"}, "len": 0.6, "y": 0.7},
                hoverinfo="skip",
            ),
            go.Scatter(
                x=X[0, labels == 0].tolist(),
                y=X[1, labels == 0].tolist(),
                mode="markers",
                name="label 0",
                marker={"color": "white", "line": {"color": "black", "width": 1}, "size": 6},
            ),
            go.Scatter(
                x=X[0, labels == 1].tolist(),
                y=X[1, labels == 1].tolist(),
                mode="markers",
                name="label 1",
                marker={"color": "black", "size": 6},
            ),
            go.Scatter(
                x=line_x1.tolist(),
                y=(-(w[0] * line_x1 + b) / w[1]).tolist(),
                mode="lines",
                name="boundary z = 0",
                line={"color": "black", "width": 2},
            ),
            go.Scatter(
                x=[float(foot[0]), float(tip[0])],
                y=[float(foot[1]), float(tip[1])],
                mode="lines+markers",
                name="w",
                line={"color": "#1a9e1a", "width": 3},
                marker={"symbol": "arrow", "angleref": "previous", "size": [0, 14], "color": "#1a9e1a"},
            ),
        ]
    )
    fig.update_layout(
        title={"text": f"w = ({w[0]:g}, {w[1]:g}), b = {b:g}: accuracy {accuracy:.3f}"},
        xaxis={"title": {"text": "x₁"}, "range": limits, "constrain": "domain"},
        yaxis={"title": {"text": "x₂"}, "range": limits, "scaleanchor": "x", "domain": [0.38, 1.0]},
        height=720,
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
        sliders=[
            _slider("w₁", weight_values, int(np.flatnonzero(weight_values == w[0])[0]), 0.26),
            _slider("w₂", weight_values, int(np.flatnonzero(weight_values == w[1])[0]), 0.14),
            _slider("b", bias_values, int(np.flatnonzero(bias_values == b)[0]), 0.02),
        ],
        margin={"t": 60, "b": 10},
    )
    return fig
