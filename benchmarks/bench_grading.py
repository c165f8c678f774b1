"""Cost of autograding one submission on one core, sandboxed (bubblewrap + cgroups) against unsandboxed.

Run it with ``make bench-grading`` (or ``.venv/bin/python benchmarks/bench_grading.py``); it is not part of the
test suite. Options: ``--students N`` (default 6), ``--assignments 01_neuron 02_layer ...`` (default all eight),
``--keep`` (keep the temporary course directory and print where it is).

What it does, in one run:

- builds one temporary course with the assignments (``generate_assignment`` for each) and submits N students per
  assignment, each the reference solution (the harness's ``fill(release, assignment.solutions)``);
- for each assignment and each mode (sandboxed, then ``COURSE_SANDBOX=off``; the order alternates between
  assignments so that neither mode always runs first), times ``nbgrader autograde`` (wall clock) twice: with
  one student (``--student=...``) and with all N. Before every run the assignment's ``autograded/`` folders and
  its submissions in the gradebook are deleted, so every run grades from the same state;
- every nbgrader run is pinned to one core (``taskset -c <cpu>``), with ``OPENBLAS_NUM_THREADS=1``: the wall time
  of the run is then the time that one core spends on it, hence "seconds per submission per core";
- nbgrader's fixed start-up cost (Python, traitlets, the gradebook, the learner's runtime, the sandbox preflight)
  is removed by using the slope (t_N - t_1) / (N - 1): the marginal seconds per submission. The raw t_N / N is
  printed beside it;
- every graded submission must get full marks (read from the gradebook), else the script stops with an error:
  a benchmark of broken grading is worthless.

It prints the machine, the command, a table per assignment (slope sandboxed, unsandboxed, overhead), the mean
over the assignments, the ratio sandboxed/unsandboxed, and a comparison with the targets (at most 2.5 s per
submission per core sandboxed; the sandbox costs at most 30 %).
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "exercises"))  # the submissions are made by the test suite's harness

from course_harness import (  # noqa: E402
    ASSIGNMENTS,
    NBGRADER,
    Assignment,
    fill,
    make_course,
    nbgrader,
    release_notebook,
    submit,
)
from course_harness import grades as gradebook_scores  # noqa: E402

MODES = ("sandboxed", "unsandboxed")
TARGET_SECONDS = 2.5
TARGET_OVERHEAD = 0.30


# ---------------------------------------------------------------------------------------------------------------
# The course.
def student_ids(count):
    return [f"bench{k:02d}" for k in range(1, count + 1)]


def build_course(directory, names, students):
    """A course in ``directory`` with ``names`` generated and every student's reference submission in it.

    Returns (course path, {name: Assignment}).
    """
    course = make_course(directory, names)
    assignments = {}
    for name in names:
        result = nbgrader(course, "generate_assignment", name, "--force")
        if result.returncode:
            sys.exit(f"generate_assignment {name} failed:\n{result.stdout[-3000:]}")
        assignment = Assignment(course, name)
        reference = fill(release_notebook(course, name), assignment.solutions)
        for student in students:
            submit(course, name, student, reference)
        assignments[name] = assignment
    return course, assignments


def reset(course, name, students):
    """Forget every earlier grading of ``name``: its autograded/ folders and its submissions in the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    for folder in (Path(course) / "autograded").glob(f"*/{name}"):
        shutil.rmtree(folder)
    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gradebook:
        for student in students:
            try:
                gradebook.remove_submission(name, student)
            except MissingEntry:
                pass


# ---------------------------------------------------------------------------------------------------------------
# Timed grading.
def autograde_command(cpu, name, student=None):
    """The pinned nbgrader command (argv) that grades ``name``, for one student or for all."""
    return ["taskset", "-c", str(cpu), NBGRADER, "autograde", name, *([f"--student={student}"] if student else [])]


def environment(mode):
    """The environment of an nbgrader run in ``mode``: the venv's tools first, one BLAS thread, the sandbox switch."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env["COURSE_SANDBOX"] = "on" if mode == "sandboxed" else "off"
    return env


def timed_autograde(course, cpu, name, mode, students, one=False):
    """Reset, then autograde ``name`` (for the first student only if ``one``); return the wall time in seconds.

    Stops the script if nbgrader fails or any graded submission lacks full marks.
    """
    graded = students[:1] if one else students
    reset(course, name, students)
    argv = autograde_command(cpu, name, graded[0] if one else None)
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=course, env=environment(mode), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=600 + 120 * len(graded))
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"FAILED: {' '.join(argv)} ({mode}) exited with {result.returncode}:\n{result.stdout[-3000:]}")
    return seconds


def check_full_marks(course, assignment, mode, students):
    """Stop the script unless every student's submission of ``assignment`` has every autograded point."""
    for student in students:
        scores = gradebook_scores(course, assignment.name, student)
        if scores is None:
            sys.exit(f"FAILED: {assignment.name} ({mode}): {student}'s reference submission was not graded")
        lost = {grade_id: (scores.get(grade_id), float(points)) for grade_id, points in assignment.points.items()
                if scores.get(grade_id) != float(points)}
        if lost:
            sys.exit(f"FAILED: {assignment.name} ({mode}): {student}'s reference submission lost points "
                     f"(grade id: (score, points)): {lost}\n{checker_messages(course, assignment.name, student, lost)}")


def checker_messages(course, name, student, grade_ids):
    """The error each of ``grade_ids`` shows in the student's autograded notebook (the checker's message)."""
    import nbformat

    path = Path(course) / "autograded" / student / name / f"{name}.ipynb"
    if not path.exists():
        return f"(no autograded notebook at {path})"
    lines = []
    for cell in nbformat.read(path, as_version=4).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in grade_ids:
            errors = [f"{out.get('ename', '')}: {out.get('evalue', '')}" for out in cell.get("outputs", [])
                      if out.get("output_type") == "error"]
            lines.append(f"  {grade_id}: {' | '.join(errors) or '(no error output)'}")
    return "\n".join(lines)


def measure(course, cpu, assignment, mode, students):
    """{"one": t_1, "all": t_N, "slope": (t_N - t_1) / (N - 1), "raw": t_N / N} of one assignment in one mode."""
    one = timed_autograde(course, cpu, assignment.name, mode, students, one=True)
    check_full_marks(course, assignment, mode, students[:1])
    everyone = timed_autograde(course, cpu, assignment.name, mode, students)
    check_full_marks(course, assignment, mode, students)
    n = len(students)
    return {"one": one, "all": everyone, "slope": (everyone - one) / (n - 1), "raw": everyone / n}


def run_benchmark(course, cpu, assignments, students):
    """{name: {mode: measurement}}; the order of the modes alternates between assignments."""
    results = {}
    for index, (name, assignment) in enumerate(assignments.items()):
        order = MODES if index % 2 == 0 else MODES[::-1]
        results[name] = {}
        for mode in order:
            results[name][mode] = measure(course, cpu, assignment, mode, students)
            m = results[name][mode]
            print(f"  {name:<20} {mode:<11}  t_1 {m['one']:6.2f} s  t_{len(students)} {m['all']:6.2f} s  "
                  f"-> {m['slope']:.2f} s/submission", flush=True)
    return results


# ---------------------------------------------------------------------------------------------------------------
# Report.
def overhead(sandboxed, unsandboxed):
    return 100.0 * (sandboxed / unsandboxed - 1.0)


def print_machine(cpu, students, names):
    allowed = len(os.sched_getaffinity(0))
    print(f"command: {' '.join([sys.executable, *sys.argv])}")
    print(f"machine: nproc {allowed} (os.cpu_count {os.cpu_count()}), {platform.machine()}, {_cpu_model()}")
    print(f"python:  {platform.python_version()} ({sys.executable}), {platform.platform()}")
    print(f"grading: {' '.join(autograde_command(cpu, '<assignment>'))} [--student=<id>], OPENBLAS_NUM_THREADS=1, "
          f"COURSE_SANDBOX=on|off")
    print(f"         {students} reference submissions per assignment; assignments: {' '.join(names)}")


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def print_table(results, students):
    n = len(students)
    print(f"\nSeconds per submission per core = slope (t_{n} - t_1) / ({n} - 1) of nbgrader autograde's wall time "
          f"(nbgrader's start-up cost removed); raw = t_{n} / {n} (start-up included).")
    header = f"{'assignment':<22}{'sandboxed':>11}{'unsandboxed':>13}{'overhead':>10}{'raw sandboxed':>16}"
    header += f"{'raw unsandboxed':>17}"
    print(header)
    print("-" * len(header))
    for name, by_mode in results.items():
        s, u = by_mode["sandboxed"], by_mode["unsandboxed"]
        print(f"{name:<22}{s['slope']:>10.2f}s{u['slope']:>12.2f}s{overhead(s['slope'], u['slope']):>9.0f}%"
              f"{s['raw']:>15.2f}s{u['raw']:>16.2f}s")
    means = {mode: {key: statistics.mean(r[mode][key] for r in results.values()) for key in ("slope", "raw")}
             for mode in MODES}
    s, u = means["sandboxed"], means["unsandboxed"]
    print("-" * len(header))
    print(f"{'mean':<22}{s['slope']:>10.2f}s{u['slope']:>12.2f}s{overhead(s['slope'], u['slope']):>9.0f}%"
          f"{s['raw']:>15.2f}s{u['raw']:>16.2f}s")
    return s["slope"], u["slope"]


def print_verdict(sandboxed, unsandboxed):
    ratio = sandboxed / unsandboxed
    print(f"\nratio sandboxed/unsandboxed (mean slopes): {ratio:.2f}")
    meets = {True: "meets", False: "MISSES"}
    print(f"targets: <= {TARGET_SECONDS} s per submission per core: {sandboxed:.2f} s sandboxed, "
          f"{meets[sandboxed <= TARGET_SECONDS]} | sandbox costs <= {TARGET_OVERHEAD:.0%}: "
          f"{ratio - 1:+.0%}, {meets[ratio - 1 <= TARGET_OVERHEAD]}")


# ---------------------------------------------------------------------------------------------------------------
def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6, help="reference submissions per assignment (>= 2)")
    parser.add_argument("--assignments", nargs="+", choices=ASSIGNMENTS, default=ASSIGNMENTS, metavar="NAME",
                        help=f"assignments to grade (default: all): {' '.join(ASSIGNMENTS)}")
    parser.add_argument("--keep", action="store_true", help="keep the temporary course directory")
    options = parser.parse_args(argv)
    if options.students < 2:
        parser.error("--students must be at least 2 (the slope needs two points)")
    if shutil.which("taskset") is None:
        parser.error("taskset (util-linux) is needed to pin grading to one core")
    return options


def main(argv=None):
    options = parse_arguments(argv)
    names = [name for name in ASSIGNMENTS if name in options.assignments]
    students = student_ids(options.students)
    cpu = min(os.sched_getaffinity(0))
    print_machine(cpu, options.students, names)
    started = time.perf_counter()
    directory = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        course, assignments = build_course(directory / "course", names, students)
        print(f"\ncourse built and {len(names) * len(students)} submissions made in "
              f"{time.perf_counter() - started:.0f} s; grading:")
        results = run_benchmark(course, cpu, assignments, students)
    finally:
        if options.keep:
            print(f"\ncourse kept: {directory / 'course'}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    print_verdict(*print_table(results, students))
    print(f"\ntotal run time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
