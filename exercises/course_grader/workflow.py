"""The instructor's side of the nbgrader workflow: preprocessors that ``exercises/nbgrader_config.py`` installs.

``ReleaseIsCurrent`` (generate_assignment)
    refuses to release a notebook that is not what ``python -m course_checks.build`` makes from its ``.md`` now,
    so that an edited source can never be released in its old version.
``RestoreTestCells`` (autograde)
    nbgrader's OverwriteCells, which puts the stored test cells back into a submission; restoring a hidden test
    block that the release removed is the expected case and is logged at debug level, any other change of a
    locked cell is still a warning.
``FeedbackClearsHiddenTests`` (generate_feedback)
    nbgrader's ClearHiddenTests, accepting the display option that the HTML exporter passes to every preprocessor.
``MathMLFeedback`` (generate_feedback's exporter)
    writes the math of the feedback page as MathML, which browsers draw without a script or a network; nbgrader's
    template loads MathJax from a CDN, so a learner reading the page offline saw raw TeX. The course's template
    ``nbconvert_templates/feedback/mathjax.html.j2`` leaves that script out.
``markdown_with_typed_tex`` (the formgrader's Markdown filter)
    hands MathJax each formula as the learner typed it (autograding's sanitising had escaped it twice); the
    formgrader's MathJax comes from the Jupyter server (``nbconvert_templates/formgrade/mathjax.html.j2``).
``MarkingNotes`` (the formgrader's page of a submission)
    shows, under each written answer, the model answer and the marking note of the source notebook (which
    ``ReleaseIsCurrent`` keeps equal to the ``.md``). Only the formgrader's exporter runs it; the feedback never
    shows them.

Nothing here runs learner code or imports ``course_grader.sandboxed``.
"""

import logging
from html import escape, unescape
from pathlib import Path

import bleach
import jinja2
import jupytext
import nbformat
from latex2mathml.converter import convert as latex_to_mathml
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor, OverwriteCells
from traitlets import List

HIDDEN_BEGIN, HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
MARKING_NOTE_HEADING = "Model answer and marking note (instructors only, from the source)"
MISSING_SOURCE = "(no model answer: the source notebook {path} is missing; run `python -m course_checks.build`)"


class StaleReleaseError(RuntimeError):
    """A source notebook differs from what its ``.md`` builds to now."""


def _cells(notebook):
    return [(cell.cell_type, cell.source, cell.metadata.get("nbgrader")) for cell in notebook.cells]


class ReleaseIsCurrent(NbGraderPreprocessor):
    """Refuse to generate an assignment from a notebook older than its ``.md`` (the hand-written form)."""

    def preprocess(self, nb, resources):
        from course_checks.build import to_nbgrader  # the course's own build, the one the docs tell authors to run

        folder = Path(resources["metadata"]["path"])
        name = resources["metadata"]["name"]
        source = folder / f"{name}.md"
        if not source.exists():
            return nb, resources
        built = to_nbgrader(jupytext.read(source, fmt="md:myst"), name=str(source))
        if _cells(built) != _cells(nb):
            raise StaleReleaseError(
                f"{folder / name}.ipynb is not built from the current {source.name}: run "
                f"`python -m course_checks.build {folder.name}`, then generate again."
            )
        return nb, resources


def _without_hidden_tests(source):
    """The source as ClearHiddenTests leaves it in the release: every hidden test block's lines removed."""
    kept, hidden = [], False
    for line in source.split("\n"):
        if HIDDEN_BEGIN in line:
            hidden = True
        elif HIDDEN_END in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


class RestoreTestCells(OverwriteCells):
    """OverwriteCells that does not warn when it restores the hidden tests the release removed (every submission)."""

    def preprocess_cell(self, cell, resources, cell_index):
        self._submitted_source = cell.source
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum":
            stored = self.gradebook.find_source_cell(name, self.notebook_id, self.assignment_id).source
            if HIDDEN_BEGIN in stored and _without_hidden_tests(stored) == self._submitted_source:
                self.log.debug("Restored the hidden tests of cell %s", name)
                return
        super().report_change(name, attr, old, new)


class FeedbackClearsHiddenTests(ClearHiddenTests):
    """ClearHiddenTests for the feedback's HTML exporter, which configures this option on its preprocessors."""

    display_data_priority = List(NbGraderPreprocessor.display_data_priority.default_value).tag(config=True)


# What the feedback keeps of latex2mathml's output: MathML presentation elements and their layout attributes. Its
# \text, \href, \style and \color would otherwise carry a learner's HTML, links and styles into the page.
MATHML_TAGS = [
    "math",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mover",
    "munder",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
]
# No xmlns on <math>: HTML puts it in MathML's namespace anyway, and nbconvert's heading anchors (ElementTree) would
# rewrite an explicit one as <ns0:math>, which a browser does not draw.
MATHML_ATTRIBUTES = {
    "math": ["display"],
    "*": [
        "mathvariant",
        "stretchy",
        "fence",
        "separator",
        "form",
        "lspace",
        "rspace",
        "minsize",
        "maxsize",
        "symmetric",
        "largeop",
        "movablelimits",
        "accent",
        "accentunder",
        "displaystyle",
        "scriptlevel",
        "columnalign",
        "rowspacing",
        "columnspacing",
        "width",
        "height",
        "depth",
        "linethickness",
        "notation",
    ],
}


class TypedTeXRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer, with the TeX of each formula as the learner typed it.

    Autograding passes Markdown cells holding a "<" through clean_html, which writes it as "&lt;"; nbconvert then
    escapes the formula again, and MathJax showed "&lt;". Here the formula is unescaped before that one escape.
    """

    def block_math(self, body):
        return super().block_math(unescape(body))

    def latex_environment(self, name, body):
        return super().latex_environment(name, unescape(body))

    def inline_math(self, body):
        return super().inline_math(unescape(body))


class MathMLRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer, with math as sanitised MathML instead of TeX left for MathJax."""

    def block_math(self, body):
        return self._mathml(body, "block")

    def latex_environment(self, name, body):
        return self._mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")

    def inline_math(self, body):
        return self._mathml(body, "inline")

    def _mathml(self, tex, display):
        tex = unescape(tex)  # as in TypedTeXRenderer; bleach below removes whatever markup the TeX could carry
        try:
            mathml = latex_to_mathml(tex, display=display)
        except Exception as error:  # latex2mathml raises its own classes, and others on TeX it cannot parse
            logging.getLogger(__name__).warning("feedback shows TeX it cannot convert to MathML, %r: %s", tex, error)
            return f"<code>{escape(tex)}</code>"
        return bleach.clean(mathml, tags=MATHML_TAGS, attributes=MATHML_ATTRIBUTES, strip=True)


def _markdown_to_html(renderer_class, context, source, **options):
    """nbconvert's ``markdown2html`` filter, with another renderer."""
    renderer = renderer_class(
        escape=False,
        attachments=context.get("cell", {}).get("attachments", {}),
        path=context.get("resources", {}).get("metadata", {}).get("path", ""),
        **options,
    )
    return MarkdownWithMath(renderer=renderer).render(source)


@jinja2.pass_context
def markdown_with_typed_tex(context, source):
    """The formgrader's ``markdown2html`` filter (``HTMLExporter.filters``): formulas for MathJax, as typed."""
    return _markdown_to_html(TypedTeXRenderer, context, source)


class MathMLFeedback(HTMLExporter):
    """The HTML exporter of the feedback pages: Markdown cells rendered by ``MathMLRenderer``."""

    @jinja2.pass_context
    def markdown2html(self, context, source):
        return _markdown_to_html(
            MathMLRenderer,
            context,
            source,
            embed_images=self.embed_images,
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
            **self.lexer_options,
        )


class MarkingNotes(Preprocessor):
    """On the formgrader's page, a read-only cell under each written answer with its model answer and marking note.

    Installed as an ``HTMLExporter`` preprocessor; the feedback's exporter (template ``feedback``) skips it.
    """

    def preprocess(self, nb, resources):
        if getattr(self.parent, "template_name", None) != "formgrade" or "assignment_id" not in resources:
            return nb, resources
        coursedir = CourseDirectory(config=self.parent.config)
        folder = coursedir.format_path(coursedir.source_directory, ".", resources["assignment_id"])
        path = Path(folder) / f"{resources['notebook_id']}.ipynb"
        models = {}
        if path.exists():
            for cell in nbformat.read(path, as_version=4).cells:
                models[cell.metadata.get("nbgrader", {}).get("grade_id")] = cell.source
        cells = []
        for cell in nb.cells:
            cells.append(cell)
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "markdown" and meta.get("solution") and meta.get("grade"):
                model = models.get(meta.get("grade_id"), MISSING_SOURCE.format(path=path))
                note = nbformat.v4.new_markdown_cell(f"**{MARKING_NOTE_HEADING}**\n\n{model}")
                note.metadata["course_marking_note"] = True
                cells.append(note)
        nb.cells = cells
        return nb, resources
