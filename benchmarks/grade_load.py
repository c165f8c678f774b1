"""Load test of the grading command: ``make grade-load`` (not part of ``make test``).

300 generated submissions of one assignment (reference, blank, the authors' wrong answers, answers that call nnlib
or tamper with the checks, corrupt files, and every ``--fault-every``-th an endless loop, memory exhaustion or a
dying kernel), graded by ``python -m course_grader.coordinator`` on every core with a short cell timeout. During
the run a worker is killed (SIGKILL) once, then the coordinator once; the command is run again and finishes. A
copy of the same class is then graded serially (``--workers 1``, never interrupted) for the scores to compare and
the speed-up. The last line:

    graded 300/300 submissions in N s (X s per submission per core), lost 0, graded twice 0,
    scores equal to a serial run: yes

N is the wall time of the interrupted run and its rerun together; X = N * cores / 300. Options: ``--students``,
``--fault-every``, ``--workers``, ``--cell-timeout``, ``--keep``.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "exercises"))  # the class is made by the test suite's harness

from class_harness import (  # noqa: E402
    complete,
    counted_twice,
    grades,
    kill,
    kill_a_worker,
    ledger,
    make_class,
    mismatches,
    start_grading,
    wait_for,
)
from course_grader.coordinator import find_submissions, load_course  # noqa: E402


def timed_run(course, name, workers, environment):
    started = time.perf_counter()
    process = start_grading(course, name, "--workers", str(workers), env=environment)
    log = process.communicate()[0]
    return time.perf_counter() - started, process.returncode, log


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--fault-every", type=int, default=25, help="every k-th submission is a fault (default 25)")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="default: the cores")
    parser.add_argument("--cell-timeout", default="3", help="COURSE_CELL_TIMEOUT of the runs (seconds)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary courses")
    options = parser.parse_args(argv)
    environment = {"COURSE_CELL_TIMEOUT": options.cell_timeout}
    total, cores = options.students, options.workers
    print(f"command: {' '.join([sys.executable, *sys.argv])}", flush=True)
    directory = Path(tempfile.mkdtemp(prefix="grade-load-"))
    try:
        started = time.perf_counter()
        course, assignment, expected = make_class(directory / "parallel", total, options.fault_every)
        name = assignment.name
        serial_course = directory / "serial"
        shutil.copytree(course, serial_course)
        print(f"{total} submissions of {name} made in {time.perf_counter() - started:.0f} s", flush=True)

        started = time.perf_counter()
        first = start_grading(course, name, "--workers", str(cores), env=environment)
        wait_for(first, lambda: complete(course) >= total // 5, timeout=7200)
        victim = kill_a_worker(first)
        print(f"killed worker {victim} after {complete(course)} submissions", flush=True)
        wait_for(first, lambda: complete(course) >= total // 2, timeout=7200)
        kill(first)
        print(f"killed the coordinator after {complete(course)} submissions", flush=True)
        second = start_grading(course, name, "--workers", str(cores), env=environment)
        rerun_log = second.communicate()[0]
        parallel_seconds = time.perf_counter() - started
        print(rerun_log.rstrip(), flush=True)
        print(f"{cores} workers, interrupted twice, with the rerun: {parallel_seconds:.0f} s", flush=True)

        serial_seconds, status, serial_log = timed_run(serial_course, name, 1, environment)
        print(serial_log.rstrip(), flush=True)
        print(
            f"serial run (--workers 1): {serial_seconds:.0f} s (exit {status}); speed-up of {cores} workers over "
            f"one: {serial_seconds / parallel_seconds:.2f}x",
            flush=True,
        )

        _config, coursedir = load_course(course)
        current = {(s.student, s.sha256) for s in find_submissions(coursedir, [name])}
        done = {(row.student, row.sha256) for row in ledger(course) if row.state in ("graded", "unreadable")}
        graded = {student for student, _sha in current & done if grades(course, name, student) is not None}
        lost = total - len(graded)
        twice = len(counted_twice(course))
        equal = all(grades(course, name, s) == grades(serial_course, name, s) for s in expected)
        unexpected = mismatches(course, name, expected)
        if unexpected:
            print(f"scores that differ from the harness's expectations: {unexpected}", flush=True)
        per_core = parallel_seconds * cores / total
        print(
            f"graded {len(graded)}/{total} submissions in {parallel_seconds:.0f} s ({per_core:.2f} s per submission "
            f"per core), lost {lost}, graded twice {twice}, scores equal to a serial run: {'yes' if equal else 'no'}"
        )
    finally:
        if options.keep:
            print(f"courses kept in {directory}", file=sys.stderr)
        else:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
