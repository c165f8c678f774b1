"""Measure the wrong answers: which test cells catch each one, and whether a visible test does (so that Validate
tells the learner before grading does).

    .venv/bin/python tests/exercises/measure_wrong_answers.py              # every assignment
    .venv/bin/python tests/exercises/measure_wrong_answers.py 01_neuron    # some of them

In-process and without nbgrader (about a second per assignment): for each wrong answer of
``wrong_answers/a<assignment>.py``, the assignment's locked cells and reference solutions run in a fresh namespace,
the graded function is replaced by the wrong answer, and every test cell of that function runs twice: its visible
part, as Validate runs it, and its hidden block, with this process's ``course_grader.hidden`` and nnlib. The real
grading (sandbox, checker) is ``test_assignments.py``, which checks the same lost cells end to end.

Prints the number of wrong answers, the share caught and the share caught by a visible test, then each survivor
(caught by nothing) and each answer that only the hidden tests catch, by name, and each answer whose in-process
lost cells differ from the ones its file declares.
"""

import os
import pickle
import select
import signal
import sys
import textwrap
import warnings
from collections import Counter
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from course_checks.build import HIDDEN_BEGIN, HIDDEN_END, SOLUTION_BEGIN, SOLUTION_END  # noqa: E402
from course_harness import ASSIGNMENTS, COURSE, Assignment  # noqa: E402


class Outcome(NamedTuple):
    """What the tests did to one wrong answer."""

    assignment: str
    function: str
    answer: str
    declared: frozenset  # the grade ids its file says it loses
    visible: frozenset  # the test cells whose visible part fails
    hidden: frozenset  # the test cells whose hidden block fails

    @property
    def name(self):
        return f"{self.assignment}/{self.function}/{self.answer}"

    @property
    def lost(self):
        return self.visible | self.hidden

    @property
    def caught(self):
        return bool(self.lost)


def _split(source):
    """(visible part, hidden block or '') of a test cell's source."""
    if HIDDEN_BEGIN not in source:
        return source, ""
    visible, rest = source.split(HIDDEN_BEGIN, 1)
    return visible, rest.split(HIDDEN_END, 1)[0]


def _with_body(cell_source, body):
    """The answer cell's source with the lines between the solution markers replaced by ``body``."""
    head, rest = cell_source.split(SOLUTION_BEGIN, 1)
    tail = rest.split(SOLUTION_END, 1)[1].partition("\n")[2]
    line_start = head.rfind("\n") + 1
    indent = head[line_start:]
    return head[:line_start] + textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", indent) + tail


def _fails(source, namespace, label):
    """True when running ``source`` in ``namespace`` raises (any exception: nbgrader scores an error as 0)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # as in the checker: only check_hidden, which records them, reads warnings
            exec(compile(source, label, "exec"), namespace)
    except Exception:
        return True
    return False


def _in_child(function, timeout):
    """``function()`` run in a forked child process, so that a wrong answer that patches NumPy or loops forever
    changes nothing here; its (picklable) result, or None when the child failed or ran out of time."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, send the result, leave without cleanup handlers
        os.close(read_end)
        try:
            with os.fdopen(write_end, "wb") as channel:
                pickle.dump(function(), channel)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as channel:
        ready = select.select([channel], [], [], timeout)[0]
        if not ready:
            os.kill(pid, signal.SIGKILL)
        data = channel.read() if ready else b""
    os.waitpid(pid, 0)
    return pickle.loads(data) if data else None


class Runner:
    """Runs the test cells of one assignment against replacement bodies of its graded functions."""

    def __init__(self, name):
        self.assignment = Assignment(COURSE, name)
        cells = self.assignment.source.cells
        meta = [cell.metadata.get("nbgrader", {}) for cell in cells]
        self.setup = [
            cell.source for cell, m in zip(cells, meta, strict=True) if m.get("locked") and not m.get("grade")
        ]
        self.answer_cells = {
            m["grade_id"]: cell.source
            for cell, m in zip(cells, meta, strict=True)
            if m.get("solution") and cell.cell_type == "code"
        }
        self.tests = {m["grade_id"]: cell.source for cell, m in zip(cells, meta, strict=True) if m.get("grade")}

    def namespace(self, function=None, body=None):
        """A fresh namespace: the locked cells, then every answer cell (``function`` with ``body``)."""
        namespace = {"__name__": "__main__"}
        for source in self.setup:
            exec(compile(source, "<setup>", "exec"), namespace)
        for grade_id, source in self.answer_cells.items():
            if grade_id == function:
                source = _with_body(source, body)
            exec(compile(source, f"<answer {grade_id}>", "exec"), namespace)
        return namespace

    def run(self, function, body, hidden_too=True, timeout=60, first_only=False):
        """(test ids whose visible part fails, test ids whose hidden block fails) for this body of ``function``;
        every test id of the function in both when the answer hangs or kills the process running it. Without
        ``hidden_too`` the hidden blocks are not run (the second set is empty); with ``first_only`` the visible
        parts run in the notebook's order up to the first that fails (is it caught by a visible test?)."""
        ids = [grade_id for grade_id in self.tests if grade_id in self.assignment.ids_of(function)]

        def cells():
            visible, hidden = set(), set()
            for grade_id in ids:
                shown, secret = _split(self.tests[grade_id])
                if _fails(shown, self.namespace(function, body), f"<{grade_id}>"):
                    visible.add(grade_id)
                    if first_only:
                        break
                if hidden_too and secret and _fails(secret, self.namespace(function, body), f"<{grade_id} hidden>"):
                    hidden.add(grade_id)
            return visible, hidden

        visible, hidden = _in_child(cells, timeout) or (ids, ids if hidden_too else ())
        return frozenset(visible), frozenset(hidden)

    def outcomes(self, hidden_too=True, first_only=False):
        """The Outcome of every wrong answer of the assignment (``run``'s options)."""
        for function, answers in self.assignment.wrong_answers().items():
            for answer, (body, declared) in answers.items():
                visible, hidden = self.run(function, body, hidden_too, first_only=first_only)
                yield Outcome(self.assignment.name, function, answer, frozenset(declared), visible, hidden)


def measure(names=ASSIGNMENTS):
    """The outcome of every wrong answer of the given assignments."""
    return [outcome for name in names for outcome in Runner(name).outcomes()]


def report(outcomes):
    """The lines the script prints."""
    total = len(outcomes)
    caught = sum(outcome.caught for outcome in outcomes)
    by_visible = sum(bool(outcome.visible) for outcome in outcomes)
    per_function = Counter((outcome.assignment, outcome.function) for outcome in outcomes)
    lines = [
        f"{total} wrong answers for {len(per_function)} graded functions "
        f"({min(per_function.values(), default=0)}-{max(per_function.values(), default=0)} per function)",
        f"caught: {caught}/{total} = {caught / max(total, 1):.1%}",
        f"caught by a visible test: {by_visible}/{total} = {by_visible / max(total, 1):.1%}",
    ]
    lines += [f"SURVIVOR (caught by nothing): {outcome.name}" for outcome in outcomes if not outcome.caught]
    lines += [
        f"caught by hidden tests only: {outcome.name}" for outcome in outcomes if outcome.caught and not outcome.visible
    ]
    lines += [
        f"declared lost cells differ: {outcome.name}: declared {sorted(outcome.declared)}, in-process "
        f"{sorted(outcome.lost)}"
        for outcome in outcomes
        if outcome.lost != outcome.declared
    ]
    return lines


def main(argv):
    names = argv or ASSIGNMENTS
    unknown = sorted(set(names) - set(ASSIGNMENTS))
    if unknown:
        raise SystemExit(f"unknown assignments {unknown}; valid: {', '.join(ASSIGNMENTS)}")
    print("\n".join(report(measure(names))))


if __name__ == "__main__":
    main(sys.argv[1:])
