"""A tiny Sphinx extension that keeps the built book working offline, with nothing loaded from a CDN.

- MathJax: Sphinx links MathJax 3 from a CDN by default. ``_config.yml`` points ``mathjax_path`` at
  ``_static/mathjax/tex-mml-chtml.js`` instead, and this extension copies MathJax there from the installed
  ``django-static-mathjax`` package (pinned in requirements.lock) at the end of every HTML build. No copy of
  MathJax is kept in the repository.
- plotly.js: the chapters' interactive figures (``chapters/_figures.py``) are HTML that calls ``Plotly.newPlot``
  without plotly.js. This extension copies ``plotly.min.js`` from the installed ``plotly`` package (pinned in
  requirements.lock) to ``_static/plotly/`` and adds a script tag for it to the pages that hold such a figure
  (those whose body has an element of class ``plotly-graph-div``), so that other pages do not load 4.6 MB for nothing.
- Font Awesome: matplotlib's ``to_jshtml`` animations link Font Awesome 4 from a CDN for their buttons' icons. The
  link is removed from the pages; the book theme's own Font Awesome (served from ``_static``) draws the same
  ``<i class="fa fa-play">`` icons.
- thebe: Jupyter Book always loads sphinx-thebe, whose page scripts would fetch thebe from unpkg.com and, in
  sphinx-thebe 0.3.1, declare ``THEBE_JS_URL`` twice (a console error on every page). With the thebe launch
  button off (``launch_buttons: thebe: false``) those scripts do nothing useful, so they are left out of the pages.
"""

import re
import shutil
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlparse

from sphinx.errors import ExtensionError

TARGET = "mathjax"  # under the build's _static/
PLOTLY_TARGET = "plotly/plotly.min.js"  # under the build's _static/
PLOTLY_MARKER = "plotly-graph-div"  # the class of the div plotly's to_html draws into
# The stylesheet link matplotlib's animation HTML (matplotlib/_animation_data.py) puts before its player.
ANIMATION_FONT_AWESOME = re.compile(
    r"<link\s+rel=\"stylesheet\"\s+href=\"https://maxcdn\.bootstrapcdn\.com/font-awesome/[^\"]*\"\s*/?>"
)
ENTRY_POINT = "tex-mml-chtml.js"
# Combined bundles the book never loads; everything else (TeX extensions loaded on demand, fonts, menu,
# accessibility) is copied because MathJax fetches it lazily from next to the entry point.
UNUSED = [
    "mml-chtml.js",
    "mml-svg.js",
    "node-main.js",
    "tex-chtml.js",
    "tex-chtml-full.js",
    "tex-chtml-full-speech.js",
    "tex-mml-svg.js",
    "tex-svg.js",
    "tex-svg-full.js",
]


def mathjax_source():
    """The ``es5`` folder of the installed MathJax 3 (from the ``django-static-mathjax`` package)."""
    spec = find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError("MathJax 3 is not installed: pip install the django-static-mathjax of requirements.lock.")
    source = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"
    if not (source / ENTRY_POINT).is_file():
        raise ExtensionError(f"{source / ENTRY_POINT} is missing: reinstall django-static-mathjax.")
    return source


def check_mathjax_path(app, config):
    """Refuse a MathJax URL: a page that loads MathJax from the network shows raw TeX offline."""
    parsed = urlparse(config.mathjax_path)
    if parsed.scheme or config.mathjax_path.startswith("//"):
        raise ExtensionError(
            f"mathjax_path is {config.mathjax_path!r}; set it to '{TARGET}/{ENTRY_POINT}' so that MathJax is "
            "served from the book."
        )
    mathjax_source()  # fail at the start of the build, not after executing every chapter


def copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / TARGET
    shutil.copytree(mathjax_source(), target, ignore=shutil.ignore_patterns(*UNUSED), dirs_exist_ok=True)


def plotly_source():
    """``plotly.min.js`` of the installed plotly package."""
    spec = find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError("plotly is not installed: pip install the plotly of requirements.lock.")
    source = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    if not source.is_file():
        raise ExtensionError(f"{source} is missing: reinstall plotly.")
    return source


def check_plotly(app, config):
    plotly_source()  # fail at the start of the build, not after executing every chapter


def copy_plotly(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / PLOTLY_TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(plotly_source(), target)


def add_plotly_script(app, pagename, templatename, context, doctree):
    """Load plotly.js (synchronously, in the head) on a page that draws a plotly figure."""
    if PLOTLY_MARKER in context.get("body", ""):
        app.add_js_file(PLOTLY_TARGET)  # during html-page-context: for this page only


def drop_animation_font_awesome(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = ANIMATION_FONT_AWESOME.sub("", context["body"])


def _is_thebe_script(script):
    filename = getattr(script, "filename", None) or str(script)
    body = getattr(script, "attributes", {}).get("body", "")
    return "sphinx-thebe" in filename or "THEBE_JS_URL" in body


def drop_thebe_scripts(app, pagename, templatename, context, doctree):
    if app.config.html_theme_options.get("launch_buttons", {}).get("thebe"):
        return
    context["script_files"] = [script for script in context.get("script_files", []) if not _is_thebe_script(script)]


def setup(app):
    app.connect("config-inited", check_mathjax_path)
    app.connect("config-inited", check_plotly)
    # Before drop_thebe_scripts, which replaces the page's list of scripts by a filtered copy.
    app.connect("html-page-context", add_plotly_script, priority=400)
    app.connect("html-page-context", drop_thebe_scripts)
    app.connect("html-page-context", drop_animation_font_awesome)
    app.connect("build-finished", copy_mathjax)
    app.connect("build-finished", copy_plotly)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
