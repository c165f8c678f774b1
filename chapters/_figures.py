"""Figure helpers shared by the chapters (not part of nnlib: nothing here is course material).

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
