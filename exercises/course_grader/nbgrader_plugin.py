"""nbgrader preprocessors that make ``nbgrader autograde`` grade through the sandbox and the checker.

``exercises/nbgrader_config.py`` puts them in ``Autograde.autograde_preprocessors`` in place of nbgrader's
``Execute``:

``SandboxedExecute``
    runs the submission in a Jupyter kernel inside the sandbox, with its test cells emptied, and keeps the outputs
    of the other cells (sanitized: text, images, errors) so that the feedback shows what the learner's code printed.
``CheckerVerdicts``
    runs the checker process on the trusted cells from the gradebook (setup, test cells with their hidden blocks)
    and the submission's code, then gives every autograded test cell exactly one output: none when the checker
    passed it, an error with the checker's message when it failed. nbgrader's ``SaveAutoGrades`` then scores the
    cell from that output, so the score is the checker's verdict whatever the notebook printed.

A submission that cannot be graded (the checker itself failed) raises: nbgrader reports it for that student and
keeps no grade, so running autograde again grades it; a sandbox the host cannot provide stops every submission
with a message naming what is missing.
"""

import copy
import json
import subprocess
import sys

import nbformat
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Float, Integer

from course_grader import sandbox

_OUTPUT_MIME_TYPES = ("text/plain", "image/png", "image/jpeg", "text/latex", "text/markdown")
_TEXT_LIMIT = 100_000


class _Truth:
    """What the gradebook (never the submission) says about one notebook of an assignment."""

    def __init__(self, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            sources = {cell.name: (cell.cell_type, cell.locked, cell.source) for cell in notebook.source_cells}
            graded = {cell.name for cell in notebook.grade_cells}
            solutions = {cell.name for cell in notebook.solution_cells}
        self.assignment = info["assignment"]
        self.student = info["student"]
        self.tests = {name: sources[name][2] for name in graded - solutions if sources[name][0] == "code"}
        self.setup = {
            name: source
            for name, (kind, locked, source) in sources.items()
            if kind == "code" and locked and name not in graded
        }
        self.functions = tuple(sorted(name for name in solutions if sources[name][0] == "code"))


class _GradingPreprocessor(NbGraderPreprocessor):
    cell_timeout = Float(30.0, help="Seconds a cell (or one test cell's calls) may run.").tag(config=True)
    notebook_timeout = Float(300.0, help="Seconds the whole submission may run, per stage.").tag(config=True)
    memory_mb = Integer(2048, help="Memory of all the submission's processes together, in MB.").tag(config=True)
    sandboxed = Bool(True, help="Run learner code in the sandbox (False only for local trials).").tag(config=True)

    def limits(self):
        return sandbox.Limits.from_environment(
            **{
                key: getattr(self, key)
                for key in ("cell_timeout", "notebook_timeout", "memory_mb")
                if self.trait_has_value(key)
            }
        )

    def isolated(self):
        return self.sandboxed and sandbox.isolation_enabled()

    def runtime(self, truth):
        runtime = sandbox.learner_runtime(truth.assignment, truth.functions)
        if self.isolated():
            _preflight(runtime)
        else:
            self.log.warning("Grading WITHOUT the sandbox (COURSE_SANDBOX=off): for local trials only.")
        return runtime


_checked = {}


def _preflight(runtime):
    """Check once per process that the sandbox starts; the same error for every submission if it cannot."""
    if runtime.root not in _checked:
        try:
            sandbox.preflight(runtime)
            _checked[runtime.root] = None
        except sandbox.SandboxUnavailable as error:
            _checked[runtime.root] = error
    if _checked[runtime.root] is not None:
        raise _checked[runtime.root]


def _is_test(cell, truth):
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade_id") in truth.tests


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
            if data:
                clean.append(nbformat.v4.new_output("display_data", data=data))
    return clean


class SandboxedExecute(_GradingPreprocessor):
    """Execute the submission in the sandbox for the feedback; its test cells are graded by ``CheckerVerdicts``."""

    def preprocess(self, nb, resources):
        truth = _Truth(resources)
        to_run = copy.deepcopy(nb)
        for cell in to_run.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                if _is_test(cell, truth):
                    cell.source = ""
        executed, note = sandbox.run_notebook(to_run, self.runtime(truth), self.limits(), self.isolated())
        if executed is not None and len(executed.get("cells", [])) != len(nb.cells):
            executed, note = None, "the executed notebook came back with other cells"
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and not _is_test(cell, truth):
                ran = executed["cells"][index] if executed else {}
                cell.outputs = _sanitized(ran.get("outputs"))
                count = ran.get("execution_count")
                cell.execution_count = count if isinstance(count, int) else None
        stopped = executed.get("metadata", {}).get("course_execution_error") if executed else None
        if note or stopped:
            self.log.warning(
                "%s, %s: the feedback shows the outputs up to where execution stopped (%s)",
                truth.student,
                truth.assignment,
                note or stopped,
            )
        return nb, resources


class CheckerVerdicts(_GradingPreprocessor):
    """Give each autograded test cell the checker's verdict as its only output."""

    def preprocess(self, nb, resources):
        truth = _Truth(resources)
        limits = self.limits()
        runtime = self.runtime(truth)
        setup = [
            cell.metadata.nbgrader["grade_id"]
            for cell in nb.cells
            if cell.metadata.get("nbgrader", {}).get("grade_id") in truth.setup
        ]
        setup += [name for name in truth.setup if name not in setup]
        tests = [cell.metadata.nbgrader["grade_id"] for cell in nb.cells if _is_test(cell, truth)]
        request = {
            "setup": [truth.setup[name] for name in setup],
            "functions": list(truth.functions),
            "learner_cells": [
                cell.source for cell in nb.cells if cell.cell_type == "code" and not _is_test(cell, truth)
            ],
            "tests": [{"id": name, "source": truth.tests[name]} for name in tests],
            "runtime": {
                "root": str(runtime.root),
                "binds": [str(path) for path in runtime.binds],
                "nnlib_modules": list(runtime.nnlib_modules),
            },
            "limits": limits.__dict__,
            "isolated": self.isolated(),
        }
        verdicts = self._run_checker(request, limits, truth)
        for cell in nb.cells:
            if _is_test(cell, truth):
                verdict = verdicts[cell.metadata.nbgrader["grade_id"]]
                cell.execution_count = None
                cell.outputs = (
                    []
                    if verdict["passed"]
                    else [
                        nbformat.v4.new_output(
                            "error",
                            ename="Test failed",
                            evalue="",
                            traceback=verdict["message"].splitlines() or [""],
                        )
                    ]
                )
        return nb, resources

    def _run_checker(self, request, limits, truth):
        failure = f"the checker could not grade {truth.student}'s {truth.assignment}"
        try:
            finished = subprocess.run(
                [sys.executable, "-I", "-m", "course_grader.checker"],
                input=json.dumps(request).encode(),
                capture_output=True,
                timeout=limits.notebook_timeout + 120,
            )
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"{failure}: it did not finish ({error})") from error
        try:
            verdicts = json.loads(finished.stdout)["verdicts"]
        except (ValueError, KeyError, TypeError) as error:
            detail = finished.stderr.decode(errors="replace")[-3000:]
            raise RuntimeError(f"{failure} ({error}):\n{detail}") from error
        if set(verdicts) != {test["id"] for test in request["tests"]}:
            raise RuntimeError(f"the checker did not grade every test cell of {truth.student}'s {truth.assignment}")
        return verdicts
