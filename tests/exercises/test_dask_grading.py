"""The grading command on a Dask distributed cluster: a scheduler and two workers started as separate processes on
the loopback address, as they would be on the hosts of a cluster; ``--scheduler`` hands the submissions to them
and the coordinator stays the only writer of the gradebook."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from class_harness import counted_twice, ledger, make_class, mismatches, start_grading
from distributed import Client

# `make test-extended`, not `make test`: an instructor's engines end to end (an exchange round, the formgrader in
# a browser, PostgreSQL, Dask), minutes of CI time that the 20-minute budget cannot hold.
pytestmark = pytest.mark.extended

STUDENTS = 6
DASK = str(Path(sys.executable).parent / "dask")
# Dask's defaults drop a connection silent for 30 s; on a shared CI machine a busy process can be: allow 5 minutes.
PATIENT = {"DASK_DISTRIBUTED__COMM__TIMEOUTS__TCP": "300s", "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "120s"}


def _start(*argv, log):
    return subprocess.Popen([DASK, *argv], stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **PATIENT})


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The scheduler's address (tcp://127.0.0.1:PORT) of a scheduler and two one-thread workers."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    log = open(folder / "cluster.log", "w")
    common = ["--no-dashboard"]
    processes = [
        _start(
            "scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", str(scheduler_file), *common, log=log
        )
    ]
    try:
        deadline = time.monotonic() + 120
        while not scheduler_file.exists():
            assert time.monotonic() < deadline, (folder / "cluster.log").read_text()
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        for index in range(2):
            processes.append(
                # Each under its nanny, which starts it again if it dies or the scheduler drops it.
                _start(
                    "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--name", f"w{index}", *common, log=log
                )
            )
        with Client(address, timeout=120) as client:
            client.wait_for_workers(2, timeout=300)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def test_a_class_is_graded_on_two_dask_workers(cluster, tmp_path):
    course, assignment, expected = make_class(tmp_path / "course", STUDENTS)
    graded = start_grading(course, assignment.name, "--scheduler", cluster, env=PATIENT)
    log = graded.communicate(timeout=900)[0]
    assert graded.returncode == 0, log
    assert f"graded {STUDENTS} of {STUDENTS} submissions" in log and "on 2 workers" in log, log
    assert mismatches(course, assignment.name, expected) == {}
    assert counted_twice(course) == {}
    workers = {row.worker for row in ledger(course) if row.state in ("graded", "unreadable")}
    assert len(workers) >= 2, f"one worker process graded everything: {workers}"
