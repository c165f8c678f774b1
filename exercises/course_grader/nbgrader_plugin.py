"""The nbgrader preprocessor that makes ``nbgrader autograde`` grade through the sandbox and the checker.

``exercises/nbgrader_config.py`` puts ``SandboxedGrading`` in ``Autograde.autograde_preprocessors`` in place of
nbgrader's ``Execute``. For each submitted notebook it does two things at once, in one cgroup for the submission:

* it starts the checker process on the trusted cells from the gradebook (setup, test cells with their hidden
  blocks) and the submission's code; the checker runs the tests against the sandboxed learner process;
* it runs the submission in a Jupyter kernel inside the sandbox, with its test cells emptied, and keeps the
  outputs of the other cells (sanitized: text, images, errors) so that the feedback shows what the learner's code
  printed.

Then every autograded test cell gets exactly one output: none when the checker passed it, an error with the
checker's message when it failed; and Markdown cells (written answers) lose any HTML that could run a script in
the feedback or the formgrader. nbgrader's ``SaveAutoGrades`` scores the cell from that output, so the score is
the checker's verdict whatever the notebook printed.

A submission that cannot be graded (the checker itself failed) raises: nbgrader reports it for that student and
keeps no grade, so running autograde again grades it; a sandbox the host cannot provide stops every submission
with a message naming what is missing.
"""

import copy
import functools
import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
from nbconvert.filters import clean_html
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Float, Integer

from course_grader import sandbox

# What the feedback and the formgrader may show of an output made in the sandbox: text, and images whose data is
# base64 (anything rendered as HTML, Markdown or SVG could carry a script into the instructor's browser).
_OUTPUT_MIME_TYPES = ("text/plain", "image/png", "image/jpeg")
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
_TEXT_LIMIT = 100_000


class _Truth:
    """What the gradebook (never the submission) says about one notebook of an assignment."""

    def __init__(self, db_url, assignment, notebook_name):
        with Gradebook(db_url) as gradebook:
            notebook = gradebook.find_notebook(notebook_name, assignment)
            sources = {cell.name: (cell.cell_type, cell.locked, cell.source) for cell in notebook.source_cells}
            graded = {cell.name for cell in notebook.grade_cells}
            solutions = {cell.name for cell in notebook.solution_cells}
        self.assignment = assignment
        self.tests = {name: sources[name][2] for name in graded - solutions if sources[name][0] == "code"}
        self.setup = {
            name: source
            for name, (kind, locked, source) in sources.items()
            if kind == "code" and locked and name not in graded
        }
        self.functions = tuple(sorted(name for name in solutions if sources[name][0] == "code"))

    def is_test(self, cell):
        return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade_id") in self.tests


@functools.lru_cache(maxsize=None)
def _preflight(runtime):
    """None if the sandbox starts, else the error; checked once per runtime and nbgrader command."""
    try:
        sandbox.preflight(runtime)
    except sandbox.SandboxUnavailable as error:
        return error
    return None


def _text(value):
    text = "".join(value) if isinstance(value, list) else value
    return text[:_TEXT_LIMIT] if isinstance(text, str) else ""


def _sanitized(outputs):
    """Only plain outputs from the sandbox: streams, errors, and text or images (no HTML, no scripts)."""
    clean = []
    for output in outputs if isinstance(outputs, list) else []:
        kind = output.get("output_type") if isinstance(output, dict) else None
        if kind == "stream" and output.get("name") in ("stdout", "stderr"):
            clean.append(nbformat.v4.new_output("stream", name=output["name"], text=_text(output.get("text"))))
        elif kind == "error":
            traceback = output.get("traceback") if isinstance(output.get("traceback"), list) else []
            clean.append(
                nbformat.v4.new_output(
                    "error",
                    ename=_text(output.get("ename")),
                    evalue=_text(output.get("evalue")),
                    traceback=[_text(line) for line in traceback][:200],
                )
            )
        elif kind in ("display_data", "execute_result") and isinstance(output.get("data"), dict):
            data = {mime: _text(value) for mime, value in output["data"].items() if mime in _OUTPUT_MIME_TYPES}
            data = {mime: value for mime, value in data.items() if mime == "text/plain" or _BASE64.fullmatch(value)}
            if data:
                clean.append(nbformat.v4.new_output("display_data", data=data))
    return clean


class _Checker:
    """The checker process of one submission, started at once and read when the feedback execution is done."""

    def __init__(self, request, timeout):
        self.timeout = timeout
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-m", "course_grader.checker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._writer = threading.Thread(target=self._write, args=(json.dumps(request).encode(),), daemon=True)
        self._writer.start()

    def _write(self, data):
        try:
            self.process.stdin.write(data)
            self.process.stdin.close()
        except OSError:
            pass  # the checker ended early: its exit status and stderr say why

    def verdicts(self, failure):
        """``{test id: {"passed", "message"}}``; raises RuntimeError starting with ``failure`` if it failed."""
        self._writer.join()
        self.process.stdin = None  # closed by the writer
        try:
            out, err = self.process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"{failure}: it did not finish ({error})") from error
        try:
            return json.loads(out)["verdicts"]
        except (ValueError, KeyError, TypeError) as error:
            raise RuntimeError(f"{failure} ({error}):\n{err.decode(errors='replace')[-3000:]}") from error

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class SandboxedGrading(NbGraderPreprocessor):
    """Grade one submitted notebook: the checker's verdicts for the test cells, sandboxed outputs for the rest."""

    cell_timeout = Float(30.0, help="Seconds a cell (or one test cell's calls) may run.").tag(config=True)
    notebook_timeout = Float(300.0, help="Seconds the whole submission may run, per stage.").tag(config=True)
    memory_mb = Integer(2048, help="Memory of all the submission's processes together, in MB.").tag(config=True)
    sandboxed = Bool(True, help="Run learner code in the sandbox (False only for local trials).").tag(config=True)

    def limits(self):
        configured = ("cell_timeout", "notebook_timeout", "memory_mb")
        return sandbox.Limits.from_environment(
            **{key: getattr(self, key) for key in configured if self.trait_has_value(key)}
        )

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        truth = _Truth(info["db_url"], info["assignment"], info["notebook"])  # read afresh: a server lives long
        limits = self.limits()
        runtime = sandbox.learner_runtime(truth.assignment, truth.functions)
        isolated = self.sandboxed and sandbox.isolation_enabled()
        if isolated and _preflight(runtime) is not None:
            raise _preflight(runtime)
        if not isolated:
            self.log.warning("Grading WITHOUT the sandbox (COURSE_SANDBOX=off): for local trials only.")
        submission = sandbox.Cgroup(limits) if isolated else None
        parents = [str(folder) for folder in submission.folders] if submission else None
        demonstrations = self._demonstrations(truth.assignment, info["notebook"])
        request = self._request(nb, truth, demonstrations, runtime, limits, isolated, parents)
        checker = _Checker(request, limits.notebook_timeout + 120)
        try:
            self._execute_for_feedback(nb, truth, runtime, limits, isolated, parents, info["student"])
            verdicts = checker.verdicts(f"the checker could not grade {info['student']}'s {truth.assignment}")
        finally:
            checker.stop()
            if submission:
                submission.remove()
        for cell in nb.cells:
            if cell.cell_type == "markdown" and "<" in cell.source:
                # The feedback and the formgrader render Markdown cells (the written answers) as raw HTML.
                cell.source = clean_html(cell.source)
            if truth.is_test(cell):
                verdict = verdicts[cell.metadata.nbgrader["grade_id"]]
                cell.execution_count = None
                cell.outputs = [] if verdict["passed"] else [_failure_output(verdict["message"])]
        return nb, resources

    def _demonstrations(self, assignment, notebook_name):
        """The course's own ungraded code cells (examples showing a call), from the source notebook, if it is there.

        The learner process does not run them (the feedback execution does): they define nothing the checker needs,
        and some of them train a network.
        """
        coursedir = getattr(getattr(self.parent, "parent", None), "coursedir", None)
        if coursedir is None:
            return frozenset()
        path = Path(coursedir.format_path(coursedir.source_directory, ".", assignment)) / f"{notebook_name}.ipynb"
        if not path.exists():
            return frozenset()
        cells = nbformat.read(path, as_version=4).cells
        return frozenset(
            cell.source.strip() for cell in cells if cell.cell_type == "code" and "nbgrader" not in cell.metadata
        )

    @staticmethod
    def _request(nb, truth, demonstrations, runtime, limits, isolated, parents):
        present = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells]
        setup = [name for name in present if name in truth.setup]
        setup += [name for name in truth.setup if name not in setup]  # a deleted setup cell still runs here
        return {
            "setup": [truth.setup[name] for name in setup],
            "functions": list(truth.functions),
            # One entry per cell of the notebook, so that a traceback's "<cell i>" is the cell's index.
            "learner_cells": [
                cell.source
                if cell.cell_type == "code" and not truth.is_test(cell) and cell.source.strip() not in demonstrations
                else ""
                for cell in nb.cells
            ],
            "tests": [{"id": name, "source": truth.tests[name]} for name in present if name in truth.tests],
            "runtime": {
                "root": str(runtime.root),
                "binds": [str(path) for path in runtime.binds],
                "nnlib_modules": list(runtime.nnlib_modules),
            },
            "limits": limits.__dict__,
            "isolated": isolated,
            "cgroup_parents": parents,
        }

    def _execute_for_feedback(self, nb, truth, runtime, limits, isolated, parents, student):
        to_run = copy.deepcopy(nb)
        for cell in to_run.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                if truth.is_test(cell):
                    cell.source = ""  # graded by the checker; no test code enters the sandbox
        executed, note = sandbox.run_notebook(to_run, runtime, limits, isolated, parents)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and not truth.is_test(cell):
                ran = executed.get(index, {})
                cell.outputs = _sanitized(ran.get("outputs"))
                count = ran.get("execution_count")
                cell.execution_count = count if isinstance(count, int) else None
        if note:
            self.log.warning(
                "%s, %s: the feedback shows the outputs up to where execution stopped (%s)",
                student,
                truth.assignment,
                note,
            )


def _failure_output(message):
    return nbformat.v4.new_output("error", ename="Test failed", evalue="", traceback=message.splitlines() or [""])
