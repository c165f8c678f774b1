"""Hostile submissions of 01_neuron, graded end to end by the real nbgrader (issue "Trusted grading").

Threat model: a learner controls everything their notebook runs, knows the course's layout (the absolute paths of the
repository and of the course directory are injected into the attacks) and wants points they did not earn, another
student's work or answers, hidden test code, or to damage the course. Each attacker below replaces the body of ONE
graded function (the *attacked* function; the other functions keep the reference solution) with code that does not
compute the right answer itself, sometimes with extra code at the top level of its answer cell or in cells of its own.

One module-scoped fixture builds a course, grades two classmates first (the reference and the blank release), then
takes snapshots (sha256 of every file of the course, of the repository's ``exercises/`` and ``nnlib/`` and of the
installed packages; the classmates' grades), submits every attacker and a classmate graded after them, and runs ONE
``nbgrader autograde`` (students in sorted order) and ``nbgrader generate_feedback`` with short time limits.

Per attack: the attacked function's cells score 0 and every other cell full points; no process of it is left; its
feedback shows no solution line or hidden test it did not write itself; attack-specific checks. For the whole run: the
classmates keep their grades, the one graded after the attackers gets full marks, no other file changed, the gradebook
is sound, the run stays within a bound computed from the time limits and reports no classmate as failed.
"""

import hashlib
import os
import re
import sqlite3
import sysconfig
import textwrap
import time
import types
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from course_harness import REPO, Assignment, fill, grades, make_course, nbgrader, release_notebook, submit, visible_text

NAME = "01_neuron"
CELL_TIMEOUT, NOTEBOOK_TIMEOUT = 5, 40
LIMITS = {"COURSE_CELL_TIMEOUT": str(CELL_TIMEOUT), "COURSE_NOTEBOOK_TIMEOUT": str(NOTEBOOK_TIMEOUT)}
RUN = uuid.uuid4().hex[:12]
MARKER = f"ATTACK-MARKER-{RUN}"  # in the command line of every process an attack starts (+ "-<attack name>")
RUN_TAG = ("COURSE_ATTACK_RUN", RUN)  # in the environment of every process of the graded run on the host side
SITE = Path(sysconfig.get_paths()["purelib"])
PROTECTED = [REPO / "exercises", REPO / "nnlib", SITE]  # never written by grading
BEFORE = ("aa_blank_classmate", "aa_classmate")  # graded (and given feedback) before the attackers are submitted
AFTER = "zz_classmate"  # graded in the same run as the attackers, after all of them
ARMED = "_attack_armed"  # set by a last cell: the attack fires only when the checker calls, not while cells run
LOG_FORMAT = "--AutogradeApp.log_format=%(asctime)s [%(name)s | %(levelname)s] %(message)s"


@dataclass(frozen=True)
class Attack:
    """One hostile submission. Code may use the names __COURSE__, __REPO__, __SITE__, __MARKER__, __CELL_TIMEOUT__
    (replaced by Python literals) and ``np``."""

    function: str  # the attacked function: its body is replaced by ``body``
    body: str
    top: str = ""  # code appended at the top level of the attacked function's answer cell
    cell: str = ""  # a code cell of its own, right after that answer cell
    armed: bool = False  # add a last cell setting ARMED = True
    edit: object = None  # edit(notebook, assignment): changes the filled notebook in place
    slow: bool = False  # expected to use up the notebook's time limit (counts in the time bound)
    feedback_forbids: tuple = ()  # raw strings (after placeholder replacement) its feedback HTML must not contain
    log_expects: str = ""  # a regular expression its part of the autograde log must match


ATTACKS = {}


def attack(name, function, body, **options):
    ATTACKS[name] = Attack(function, textwrap.dedent(body), **{
        key: textwrap.dedent(value) if isinstance(value, str) and key in ("top", "cell") else value
        for key, value in options.items()
    })


# ---------------------------------------------------------------------------------------------------------------
# 1. Scoring from learner-controlled output.

# An IPython post_run_cell hook that clears every cell's output and prints a fake pass and displays a score.
attack(
    "post_run_cell_fakes_a_pass",
    "weighted_sum",
    "return 2.0",
    cell="""
    import sys
    from IPython.display import clear_output, display

    def _fake_pass(result):
        clear_output()
        print("test_weighted_sum_reference: passed, 2 points")
        display({"text/plain": "2.0"}, raw=True)
        sys.displayhook(2.0)

    get_ipython().events.register("post_run_cell", _fake_pass)
    get_ipython().events.register("pre_run_cell", lambda *args: print("All tests passed."))
    """,
)


# ---------------------------------------------------------------------------------------------------------------
# 6. Processes and time.

# A double-forked daemon (new session, standard streams closed) that waits, then tries to rewrite the gradebook.
attack(
    "double_forked_daemon",
    "perceptron",
    "return np.zeros(np.shape(np.dot(w, x)))",
    top="""
    import os
    import sys

    _daemon = (
        "import time\\n"
        "time.sleep(8)\\n"
        f"for path in ({__COURSE__ + '/gradebook.db'!r}, {__COURSE__ + '/nbgrader_config.py'!r}):\\n"
        "    try:\\n"
        "        with open(path, 'wb') as handle:\\n"
        "            handle.write(b'owned by a daemon')\\n"
        "    except OSError:\\n"
        "        pass\\n"
        "time.sleep(600)\\n"
    )
    _first = os.fork()
    if _first == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                _null = os.open(os.devnull, os.O_RDWR)
                for _fd in (0, 1, 2):
                    os.dup2(_null, _fd)
                os.closerange(3, 4096)
                os.execv(sys.executable, [sys.executable, "-S", "-c", _daemon, __MARKER__])
        finally:
            os._exit(0)
    os.waitpid(_first, 0)
    """,
)


# ---------------------------------------------------------------------------------------------------------------
# Building the submissions.
def _literals(course, name):
    return {
        "__COURSE__": repr(str(course)),
        "__REPO__": repr(str(REPO)),
        "__SITE__": repr(str(SITE)),
        "__MARKER__": repr(f"{MARKER}-{name}"),
        "__CELL_TIMEOUT__": repr(CELL_TIMEOUT),
    }


def _inject(code, literals):
    for placeholder, literal in literals.items():
        code = code.replace(placeholder, literal)
    return code


def _notebook(release, assignment, course, name, spec):
    literals = _literals(course, name)
    notebook = fill(release, {**assignment.solutions, spec.function: _inject(spec.body, literals)})
    index = next(
        i for i, cell in enumerate(notebook.cells) if cell.metadata.get("nbgrader", {}).get("grade_id") == spec.function
    )
    if spec.top:
        notebook.cells[index].source += "\n\n\n" + _inject(spec.top, literals).strip("\n")
    if spec.cell:
        notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(_inject(spec.cell, literals).strip("\n")))
    if spec.armed:
        notebook.cells.append(nbformat.v4.new_code_cell(f"{ARMED} = True"))
    if spec.edit:
        spec.edit(notebook, assignment)
    return notebook


# ---------------------------------------------------------------------------------------------------------------
# Snapshots.
def _sha256(path):
    try:
        if os.path.islink(path):
            return "symlink to " + os.readlink(path)
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as error:
        return f"unreadable ({error.__class__.__name__})"


def _digests(roots):
    """{path: sha256} of every file under the roots (symlinks by their target, not followed)."""
    paths = []
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            paths += [os.path.join(folder, name) for name in names]
    with ThreadPoolExecutor(4) as pool:
        return dict(zip(paths, pool.map(_sha256, paths), strict=True))


def _recompiled(path):
    """True for a .pyc that Python wrote for its source as it is now (legitimate; the other engineer's edits)."""
    pyc = Path(path)
    if pyc.parent.name != "__pycache__" or pyc.suffix != ".pyc":
        return False
    source = pyc.parent.parent / (pyc.name.split(".")[0] + ".py")
    try:
        header, stat = pyc.read_bytes()[:16], source.stat()
    except OSError:
        return False
    return (
        int.from_bytes(header[4:8], "little") == 0
        and int.from_bytes(header[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF
        and int.from_bytes(header[12:16], "little") == stat.st_size & 0xFFFFFFFF
    )


def _changes(before, after):
    return sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))


def _leftover_processes():
    """[(pid, state, command line)] of processes started by the run: an attack's marker or the run's tag."""
    found = []
    tag = f"{RUN_TAG[0]}={RUN_TAG[1]}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            environment = (entry / "environ").read_bytes()
            state = re.search(r"^State:\s*(.*)$", (entry / "status").read_text(), re.M).group(1)
        except (OSError, AttributeError):
            continue
        if MARKER.encode() in command or tag in environment.split(b"\0"):
            found.append((int(entry.name), state, command.replace(b"\0", b" ").decode(errors="replace")[:300]))
    return found


def _log_sections(log):
    """{student: the autograde log lines about that student's submission} (from "Autograding" to the next one)."""
    sections, student = {}, None
    for line in log.splitlines():
        match = re.search(r"/submitted/([^/]+)/", line)
        if "Autograding" in line and match:
            student = match.group(1)
        if student:
            sections.setdefault(student, []).append(line)
    return {student: "\n".join(lines) for student, lines in sections.items()}


def _student_seconds(log):
    """{student: seconds from its "Autograding" log line to the next student's (or to the last line of the log)}."""
    stamps, last = [], None
    for line in log.splitlines():
        match = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) ", line)
        if not match:
            continue
        last = time.mktime(time.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")) + int(match.group(2)) / 1000
        student = re.search(r"Autograding .*/submitted/([^/]+)/", line)
        if student:
            stamps.append((student.group(1), last))
    ends = [stamp for _student, stamp in stamps[1:]] + [last] * bool(stamps)
    return {student: round(end - start, 1) for (student, start), end in zip(stamps, ends, strict=True)}


# ---------------------------------------------------------------------------------------------------------------
# The graded course.
@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    started = time.monotonic()
    phases = {}

    def phase(label):
        phases[label] = round(time.monotonic() - started - sum(phases.values()), 1)

    course = make_course(tmp_path_factory.mktemp("attacks"), [NAME])
    generated = nbgrader(course, "generate_assignment", NAME, "--force")
    assert generated.returncode == 0, generated.stdout[-3000:]
    assignment = Assignment(course, NAME)
    release = release_notebook(course, NAME)
    phase("build and generate")

    submit(course, NAME, "aa_classmate", fill(release, assignment.solutions))
    submit(course, NAME, "aa_blank_classmate", release)
    first = nbgrader(course, "autograde", NAME, env=LIMITS)
    first_feedback = nbgrader(course, "generate_feedback", NAME)
    classmates_before = {student: grades(course, NAME, student) for student in BEFORE}
    phase("classmates graded before, with feedback")

    submissions = {
        f"attack_{name}": _notebook(release, assignment, course, name, spec) for name, spec in ATTACKS.items()
    }
    submissions[AFTER] = fill(release, assignment.solutions)
    for student, notebook in submissions.items():
        submit(course, NAME, student, notebook)
    course_before = _digests([course])
    protected_before = _digests(PROTECTED)
    phase("submissions and snapshots")

    clock = time.monotonic()
    graded = nbgrader(course, "autograde", NAME, LOG_FORMAT, env={**LIMITS, RUN_TAG[0]: RUN_TAG[1]})
    seconds = time.monotonic() - clock
    leftovers = _leftover_processes()
    phase("autograde")
    with ThreadPoolExecutor(1) as pool:
        protected_after = pool.submit(_digests, PROTECTED)
        feedback = nbgrader(course, "generate_feedback", NAME)
        protected_after = protected_after.result()
    course_after = _digests([course])
    phase("feedback and snapshots")

    students = [*BEFORE, *submissions]
    return types.SimpleNamespace(
        course=course,
        assignment=assignment,
        submissions=submissions,
        first_log=first.stdout,
        first_status=first.returncode,
        first_feedback_status=first_feedback.returncode,
        classmates_before=classmates_before,
        log=graded.stdout,
        status=graded.returncode,
        sections=_log_sections(graded.stdout),
        seconds=seconds,
        student_seconds=_student_seconds(graded.stdout),
        leftovers=leftovers,
        feedback_log=feedback.stdout,
        feedback_status=feedback.returncode,
        grades={student: grades(course, NAME, student) for student in students},
        course_before=course_before,
        course_after=course_after,
        protected_before=protected_before,
        protected_after=protected_after,
        phases=phases,
    )


def _excerpt(attacked, student, size=3000):
    return attacked.sections.get(student, f"(no log section for {student}; end of the log:)\n" + attacked.log)[-size:]


def _mismatches(expected, got):
    return {grade_id: (expected[grade_id], (got or {}).get(grade_id)) for grade_id in expected
            if expected[grade_id] != (got or {}).get(grade_id)}


# ---------------------------------------------------------------------------------------------------------------
# Per attack.
@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_the_attacked_function_scores_zero_and_the_rest_full(attacked, name):
    spec, student = ATTACKS[name], f"attack_{name}"
    got = attacked.grades[student]
    assert got is not None, f"{student} was not graded:\n{_excerpt(attacked, student)}"
    expected = attacked.assignment.expected_scores(attacked.assignment.ids_of(spec.function))
    wrong = _mismatches(expected, got)
    assert not wrong, (
        f"{student} (attacks {spec.function}): grade id -> (expected, got): {wrong}\nall scores: {got}\n"
        f"log:\n{_excerpt(attacked, student)}"
    )


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_no_process_of_the_attack_is_left(attacked, name):
    mine = [process for process in attacked.leftovers if f"{MARKER}-{name}" in process[2]]
    assert not mine, f"processes of attack_{name} alive after autograde returned (pid, state, command): {mine}"


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_the_feedback_shows_no_solution_or_hidden_test(attacked, name):
    spec, student = ATTACKS[name], f"attack_{name}"
    page = attacked.course / "feedback" / student / NAME / f"{NAME}.html"
    assert page.exists(), f"no feedback for {student}:\n{attacked.feedback_log[-3000:]}"
    html = page.read_text()
    text = visible_text(html)
    source = attacked.assignment.source
    own = "\n".join(cell.source for cell in attacked.submissions[student].cells)
    secret = {line.strip() for line in attacked.assignment.solutions[spec.function].splitlines()}
    for cell in source.cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            secret |= {line.strip() for line in cell.source.split("### BEGIN HIDDEN TESTS")[1].splitlines()}
    shown = sorted(line for line in secret if len(line) > 12 and line in text and line not in own)
    assert not shown, f"{page} shows solution or hidden-test lines that {student} did not write: {shown}"
    assert "BEGIN HIDDEN TESTS" not in text, page
    assert "check_hidden(" not in text or "check_hidden(" in own, page
    literals = _literals(attacked.course, name)
    planted = [_inject(item, literals) for item in spec.feedback_forbids if _inject(item, literals) in html]
    assert not planted, f"{page} contains, as raw HTML, what {student} planted: {planted}"


@pytest.mark.parametrize("name", sorted(name for name, spec in ATTACKS.items() if spec.log_expects))
def test_the_log_says_what_stopped_the_attack(attacked, name):
    section = _excerpt(attacked, f"attack_{name}", 20000)
    assert re.search(ATTACKS[name].log_expects, section), f"{ATTACKS[name].log_expects!r} not in:\n{section[-3000:]}"


# ---------------------------------------------------------------------------------------------------------------
# The whole run.
def test_the_classmates_graded_before_keep_their_grades(attacked):
    assert attacked.first_status == 0, attacked.first_log[-3000:]
    reference = attacked.assignment.expected_scores(set())
    blank = attacked.assignment.expected_scores(set(attacked.assignment.points))
    before = attacked.classmates_before
    assert _mismatches(reference, before["aa_classmate"]) == {}, f"before the attacks: {before}"
    assert _mismatches(blank, before["aa_blank_classmate"]) == {}, f"before the attacks: {before}"
    after = {student: attacked.grades[student] for student in BEFORE}
    assert after == before, f"grades before the attacks: {before}\nafter: {after}"


def test_the_classmate_graded_after_the_attackers_gets_full_marks(attacked):
    wrong = _mismatches(attacked.assignment.expected_scores(set()), attacked.grades[AFTER])
    assert not wrong, f"{AFTER}: grade id -> (expected, got): {wrong}\nlog:\n{_excerpt(attacked, AFTER)}"


def test_the_run_succeeds_and_reports_no_classmate_as_failed(attacked):
    failed = [line for line in attacked.log.splitlines() if "error processing" in line.lower() or "| ERROR]" in line]
    classmates = [line for line in failed if any(f"/{student}/" in line for student in (*BEFORE, AFTER))]
    assert not classmates, "\n".join(classmates)
    assert attacked.status == 0, f"autograde exit status {attacked.status}; errors:\n" + "\n".join(failed)[-3000:]
    assert attacked.feedback_status == 0, attacked.feedback_log[-3000:]


def test_no_other_file_of_the_course_changed(attacked):
    def graded_here(path):
        relative = Path(path).relative_to(attacked.course).parts
        return (
            relative[0] in ("feedback", "gradebook.db", ".nbgrader.log")
            or (relative[0] == "autograded" and (relative[1].startswith("attack_") or relative[1] == AFTER))
        )

    changed = [path for path in _changes(attacked.course_before, attacked.course_after) if not graded_here(path)]
    detail = {path: (attacked.course_before.get(path), attacked.course_after.get(path)) for path in changed}
    assert not changed, f"changed, created or deleted by the graded run (path: (before, after)): {detail}"


def test_no_repository_or_installed_file_changed(attacked):
    changed = [
        path for path in _changes(attacked.protected_before, attacked.protected_after)
        if not (path in attacked.protected_after and _recompiled(path))
    ]
    detail = {path: (attacked.protected_before.get(path), attacked.protected_after.get(path)) for path in changed}
    assert not changed, (
        f"changed under {[str(root) for root in PROTECTED]} while grading (path: (before, after)); if another "
        f"engineer edited the tree meanwhile, run again: {detail}"
    )


def test_the_gradebook_is_sound(attacked):
    with sqlite3.connect(f"file:{attacked.course / 'gradebook.db'}?mode=ro", uri=True) as database:
        status = database.execute("PRAGMA integrity_check").fetchall()
    assert status == [("ok",)], status


def test_no_process_of_the_run_is_left(attacked):
    assert not attacked.leftovers, f"alive after autograde returned (pid, state, command): {attacked.leftovers}"


def test_the_run_stays_within_its_time_limits(attacked):
    slow = [name for name, spec in ATTACKS.items() if spec.slow]
    bound = len(slow) * (2 * NOTEBOOK_TIMEOUT + 30) + (len(attacked.submissions) - len(slow)) * 20 + 30
    assert attacked.seconds < bound, (
        f"autograde took {attacked.seconds:.0f} s for {len(attacked.submissions)} submissions ({len(slow)} slow: "
        f"{slow}), bound {bound} s; seconds per student: {attacked.student_seconds}"
    )
    print(f"\nseconds per phase: {attacked.phases}; per student: {attacked.student_seconds}")
    print(attacked.log[:3000])
