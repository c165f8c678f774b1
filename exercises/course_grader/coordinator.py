"""Grade every submission of an assignment (or of all) on N workers, resumably: ``make grade`` or
``python -m course_grader.coordinator [ASSIGNMENT ...] [--workers N] [--scheduler tcp://HOST:PORT]``, run in the
course directory.

Who does what:

* the **coordinator** (this process) lists the submitted notebooks, skips those already graded with the same
  content, hands the others to the workers, and is the **only writer** of the gradebook: it stores each result
  through nbgrader's own ``Gradebook`` API and ``SaveAutoGrades``/``AssignLatePenalties`` preprocessors, and places
  the autograded notebook in ``autograded/``;
* a **worker** grades one submission at a time with nbgrader's ``Autograde`` (the course's configuration, hence
  ``SandboxedGrading``: the learner code in its own sandbox, the scores from the checker) in a scratch course of its
  own, whose private gradebook holds only the assignment's definition. It returns the autograded files and writes
  nothing shared. Workers are local processes (default: one per core), or the workers of a Dask distributed cluster
  (``--scheduler``), which may run on other hosts with the same course software installed.

Resuming: the ledger table ``course_grader_ledger``, in the gradebook's own database, records each submission's
SHA-256 (over the files of its ``submitted/`` folder) when it starts being written and when its grades are in.
A run grades every submission whose current content has no complete record, so killing the coordinator or a
worker at any moment and running the command again loses nothing and grades nothing twice; a submission that
changed since its grading is graded again. A worker that dies costs only the submissions it held: they are
handed out again (at most ``MAX_ATTEMPTS`` times each). One run at a time per course directory: a second one,
started while the first runs, stops at once and names the first (a lock on ``LOCK_FILE``, which the system
releases when its holder dies, so that a killed run never blocks the next).

Outcomes: *graded*; *unreadable* (a notebook nbgrader cannot read, such as a corrupt file, scores 0 like a
notebook that was not submitted, nbgrader's own rule); *failed* (nbgrader could not grade it, for example the
checker failed: no grade is stored and the next run tries again). The summary lists the last two with the reason.
The exit status is 1 if any submission failed, else 0.
"""

import argparse
import concurrent.futures
import contextlib
import dataclasses
import datetime
import fcntl
import hashlib
import multiprocessing
import os
import shutil
import socket
import sys
import tempfile
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import nbformat
import sqlalchemy as sa
from nbgrader.api import Base as NbgraderBase
from nbgrader.api import Gradebook, SubmittedAssignment
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"
LOCK_FILE = ".grading.lock"
MAX_ATTEMPTS = 3  # hand-outs of one submission whose worker died before it is reported as failed
ENVIRONMENT = ("COURSE_CELL_TIMEOUT", "COURSE_NOTEBOOK_TIMEOUT", "COURSE_MEMORY_MB", "COURSE_SANDBOX")

LEDGER = sa.Table(
    "course_grader_ledger",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("assignment", sa.String(128), nullable=False, index=True),
    sa.Column("student", sa.String(128), nullable=False, index=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    # "writing" when the coordinator starts storing a result, then "graded" (or "unreadable") when all of it is in;
    # "failed" when nbgrader could not grade the submission (nothing was stored).
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("seconds", sa.Float),
    sa.Column("worker", sa.String(128)),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)
COMPLETE = ("graded", "unreadable")


# ---------------------------------------------------------------------------------------------------------------
# The course and its submissions.
@dataclasses.dataclass(frozen=True, eq=False)
class Submission:
    """One student's submitted folder of one assignment, with the SHA-256 of its files (``files``: path -> bytes)."""

    assignment: str
    student: str
    folder: Path
    files: dict
    sha256: str


def load_course(root):
    """(traitlets config, CourseDirectory) of the course in ``root``, from its ``nbgrader_config.py``."""
    root = Path(root).resolve()
    if not (root / CONFIG_FILE).exists():
        raise SystemExit(f"{root} holds no {CONFIG_FILE}: run this command in the course directory (exercises/)")
    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return config, CourseDirectory(config=config)


def read_submission(coursedir, assignment, student):
    """The student's submitted folder of ``assignment``, its files read once: what is hashed is what is graded."""
    folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    files = {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return Submission(assignment, student, folder, files, digest.hexdigest())


def find_submissions(coursedir, assignments):
    """Every submitted folder of ``assignments``, sorted by assignment and student."""
    found = []
    for assignment in assignments:
        pattern = Path(coursedir.format_path(coursedir.submitted_directory, "*", assignment))
        for folder in sorted(pattern.parent.parent.glob(f"*/{pattern.name}")):
            if folder.is_dir():
                found.append(read_submission(coursedir, assignment, folder.parent.name))
    return found


# ---------------------------------------------------------------------------------------------------------------
# The ledger.
def ledger_engine(db_url):
    # SQLite: wait up to a minute for a reader (the formgrader, a test) rather than fail with "database is locked".
    options = {"connect_args": {"timeout": 60}} if db_url.startswith("sqlite") else {}
    engine = sa.create_engine(db_url, future=True, **options)
    LEDGER.create(engine, checkfirst=True)
    return engine


def record(engine, submission, state, reason=None, seconds=None, worker=None):
    with engine.begin() as connection:
        connection.execute(
            LEDGER.insert().values(
                assignment=submission.assignment,
                student=submission.student,
                sha256=submission.sha256,
                state=state,
                reason=reason,
                seconds=seconds,
                worker=worker,
                recorded_at=datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None),
            )
        )


def latest_states(engine, assignments):
    """{(assignment, student): (sha256, state, reason)} of the last ledger row of each submission."""
    columns = (LEDGER.c.assignment, LEDGER.c.student, LEDGER.c.sha256, LEDGER.c.state, LEDGER.c.reason)
    query = sa.select(*columns).order_by(LEDGER.c.id)
    latest = {}
    with engine.connect() as connection:
        for row in connection.execute(query.where(LEDGER.c.assignment.in_(assignments))):
            latest[(row.assignment, row.student)] = (row.sha256, row.state, row.reason)
    return latest


def unreadable_before(engine, submissions):
    """{(assignment, student): reason} of the submissions an earlier run found unreadable, content unchanged."""
    latest = latest_states(engine, sorted({s.assignment for s in submissions}))
    found = {}
    for s in submissions:
        sha256, state, reason = latest.get((s.assignment, s.student), (None, None, None))
        if state == "unreadable" and sha256 == s.sha256:
            found[(s.assignment, s.student)] = reason
    return found


def completions(engine, assignments):
    """{(assignment, student, sha256): number of complete records}: more than 1 means graded twice."""
    query = (
        sa.select(LEDGER.c.assignment, LEDGER.c.student, LEDGER.c.sha256, sa.func.count())
        .where(LEDGER.c.state.in_(COMPLETE), LEDGER.c.assignment.in_(assignments))
        .group_by(LEDGER.c.assignment, LEDGER.c.student, LEDGER.c.sha256)
    )
    with engine.connect() as connection:
        return {(a, s, h): n for a, s, h, n in connection.execute(query)}


def to_grade(engine, db_url, course_id, submissions, force=False):
    """The submissions whose current content has no complete record (all of them with ``force``)."""
    if force:
        return list(submissions)
    latest = latest_states(engine, sorted({s.assignment for s in submissions}))
    with Gradebook(db_url, course_id) as gradebook:
        stored = {(s.assignment.name, s.student.id) for s in gradebook.db.query(SubmittedAssignment)}
    return [
        s
        for s in submissions
        if latest.get((s.assignment, s.student), (None, None, None))[1] not in COMPLETE
        or latest[(s.assignment, s.student)][0] != s.sha256
        or (s.assignment, s.student) not in stored
    ]


# ---------------------------------------------------------------------------------------------------------------
# What a worker needs: the course's configuration, the assignment's source folder and definition.
def template_gradebook(db_url, assignment):
    """(An SQLite gradebook as bytes holding only the definition of ``assignment``, its notebook names).

    The definition is copied row by row from the course's gradebook: the course, the assignment, its notebooks and
    their cells, and nbgrader's schema version (so that nbgrader takes the file as current).
    """
    source = sa.create_engine(db_url, future=True)
    tables = {name: sa.Table(name, sa.MetaData(), autoload_with=source) for name in _DEFINITION_TABLES}
    with source.connect() as connection:
        rows = {"assignment": _rows(connection, tables["assignment"], "name", [assignment])}
        if not rows["assignment"]:
            raise SystemExit(f"the gradebook has no assignment {assignment!r}: run nbgrader generate_assignment first")
        rows["course"] = _rows(connection, tables["course"], "id", [rows["assignment"][0]["course_id"]])
        rows["notebook"] = _rows(connection, tables["notebook"], "assignment_id", [rows["assignment"][0]["id"]])
        notebook_ids = [row["id"] for row in rows["notebook"]]
        rows["base_cell"] = _rows(connection, tables["base_cell"], "notebook_id", notebook_ids)
        rows["source_cell"] = _rows(connection, tables["source_cell"], "notebook_id", notebook_ids)
        cell_ids = [row["id"] for row in rows["base_cell"]]
        for name in ("grade_cells", "solution_cells", "task_cells"):
            rows[name] = _rows(connection, tables[name], "id", cell_ids)
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    source.dispose()
    with tempfile.TemporaryDirectory(prefix="course-template-") as scratch:
        path = Path(scratch) / "gradebook.db"
        target = sa.create_engine(f"sqlite:///{path}", future=True)
        NbgraderBase.metadata.create_all(target)
        with target.begin() as connection:
            connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            for version in versions:
                connection.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
            for name in _DEFINITION_TABLES:
                if rows[name]:
                    connection.execute(NbgraderBase.metadata.tables[name].insert(), [dict(row) for row in rows[name]])
        target.dispose()
        return path.read_bytes(), [row["name"] for row in rows["notebook"]]


_DEFINITION_TABLES = (
    "course",
    "assignment",
    "notebook",
    "base_cell",
    "source_cell",
    "grade_cells",
    "solution_cells",
    "task_cells",
)


def _rows(connection, table, column, values):
    if not values:
        return []
    return connection.execute(table.select().where(table.c[column].in_(values))).mappings().all()


def course_files(coursedir, assignment):
    """{relative path: bytes} of the course's configuration and the assignment's source folder."""
    root = Path(coursedir.root)
    files = {CONFIG_FILE: (root / CONFIG_FILE).read_bytes()}
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts:
            files[(Path("source") / assignment / path.relative_to(source)).as_posix()] = path.read_bytes()
    return files


# ---------------------------------------------------------------------------------------------------------------
# The worker: grade one submission in a scratch course; return files, write nothing shared.
def grade_submission(task):
    """Autograde one submission; return ``{"kind", "files", "reason", "seconds", "worker"}``.

    ``task``: ``assignment``, ``student``, ``files`` (the submitted folder, path -> bytes), ``course`` (the course's
    configuration and source folder, path -> bytes), ``gradebook`` (the template, bytes), ``notebooks`` (the
    assignment's notebook names) and ``environment`` (the ``COURSE_*`` limits of the run).
    """
    started = time.perf_counter()
    assignment, student = task["assignment"], task["student"]
    with tempfile.TemporaryDirectory(prefix="course-grading-") as scratch, _environment(task["environment"]):
        root = Path(scratch)
        _write_files(root, task["course"])
        (root / "gradebook.db").write_bytes(task["gradebook"])
        submitted = root / "submitted" / student / assignment
        _write_files(submitted, task["files"])
        unreadable = {}
        for name in task["notebooks"]:
            path = submitted / f"{name}.ipynb"
            if path.exists():
                try:
                    nbformat.read(path, as_version=4)
                except Exception as error:  # noqa: BLE001 -- any reason nbformat gives makes the notebook unreadable
                    unreadable[name] = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
                    path.unlink()
        files, reason = {}, None
        if any((submitted / f"{name}.ipynb").exists() for name in task["notebooks"]):
            outcome = _autograde(root, assignment, student)
            if not outcome["success"]:
                return _result("failed", {}, _failure_reason(outcome), started)
            autograded = root / "autograded" / student / assignment
            files = {
                path.relative_to(autograded).as_posix(): path.read_bytes()
                for path in sorted(autograded.rglob("*"))
                if path.is_file()
            }
        if unreadable:
            reason = "; ".join(f"{name}.ipynb: {why}" for name, why in unreadable.items())
        return _result("unreadable" if unreadable else "graded", files, reason, started)


def _result(kind, files, reason, started):
    worker = f"{socket.gethostname()}:{os.getpid()}"
    return {"kind": kind, "files": files, "reason": reason, "seconds": time.perf_counter() - started, "worker": worker}


def _write_files(root, files):
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@contextlib.contextmanager
def _environment(values):
    saved = {key: os.environ.get(key) for key in ENVIRONMENT}
    for key in ENVIRONMENT:
        os.environ.pop(key, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _autograde(root, assignment, student):
    from nbgrader.apps.api import NbGraderAPI

    config, coursedir = load_course(root)
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    return api.autograde(assignment, student, force=True, create=True)


def _failure_reason(outcome):
    """The last error line nbgrader logged (its traceback's last line), else the start of its log."""
    text = outcome.get("error") or outcome.get("log") or "nbgrader reported a failure without a message"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line or "error" in line]
    return (errors or lines or [text])[-1][:500]


# ---------------------------------------------------------------------------------------------------------------
# The coordinator: the only writer of the gradebook.
def store(engine, config, coursedir, submission, result):
    """Write one worker's result: the autograded files, then the grades through nbgrader, then the ledger row."""
    db_url, course_id = coursedir.db_url, coursedir.course_id
    record(engine, submission, "writing", worker=result["worker"])
    _place_autograded(coursedir, submission, result["files"])
    timestamp = coursedir.get_existing_timestamp(str(submission.folder))
    with Gradebook(db_url, course_id) as gradebook:
        gradebook.update_or_create_student(submission.student)
        stamp = {"timestamp": timestamp} if timestamp else {}
        gradebook.update_or_create_submission(submission.assignment, submission.student, **stamp)
        graded = {Path(name).stem for name in result["files"] if name.endswith(".ipynb") and "/" not in name}
        for notebook in gradebook.find_assignment(submission.assignment).notebooks:
            if notebook.name not in graded:  # unreadable or not submitted: nbgrader's rule scores it 0
                found = gradebook.find_submission_notebook(notebook.name, submission.assignment, submission.student)
                for grade in found.grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
                gradebook.db.commit()
    for name in sorted(graded):
        notebook = nbformat.reads(result["files"][f"{name}.ipynb"].decode(), as_version=4)
        resources = {
            "nbgrader": {
                "db_url": db_url,
                "assignment": submission.assignment,
                "notebook": name,
                "student": submission.student,
            }
        }
        for preprocessor in (SaveAutoGrades, AssignLatePenalties):
            preprocessor(config=config).preprocess(notebook, resources)
    record(engine, submission, result["kind"], result["reason"], result["seconds"], result["worker"])


def _place_autograded(coursedir, submission, files):
    """Replace the submission's autograded folder with the worker's files (a new folder renamed into place)."""
    folder = Path(coursedir.format_path(coursedir.autograded_directory, submission.student, submission.assignment))
    staging = folder.with_name(f".{folder.name}.incoming")
    shutil.rmtree(staging, ignore_errors=True)
    _write_files(staging, files)
    staging.mkdir(parents=True, exist_ok=True)
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        folder.rename(old)
        staging.rename(folder)
        shutil.rmtree(old)
    else:
        staging.rename(folder)


@dataclasses.dataclass
class Summary:
    total: int = 0
    skipped: int = 0
    graded: list = dataclasses.field(default_factory=list)
    unreadable: dict = dataclasses.field(default_factory=dict)
    # Found by an earlier run (perhaps one that was killed before its summary): still scored 0, still named.
    unreadable_before: dict = dataclasses.field(default_factory=dict)
    failed: dict = dataclasses.field(default_factory=dict)
    worker_deaths: int = 0
    seconds: float = 0.0
    workers: int = 1

    def lines(self):
        done = len(self.graded) + len(self.unreadable)
        per = self.seconds * self.workers / done if done else 0.0
        lines = [
            f"graded {done} of {done + len(self.failed)} submissions to grade in {self.seconds:.0f} s on "
            f"{self.workers} worker{'s' if self.workers != 1 else ''} ({per:.2f} s per submission per worker); "
            f"{self.skipped} of {self.total} already graded with the same content; {len(self.failed)} failed"
            + (f"; {self.worker_deaths} worker deaths recovered" if self.worker_deaths else "")
        ]
        for (assignment, student), reason in sorted(self.unreadable.items()):
            lines.append(f"  unreadable, scored 0: {student}'s {assignment}: {reason}")
        for (assignment, student), reason in sorted(self.unreadable_before.items()):
            lines.append(f"  unreadable, scored 0 (found by an earlier run): {student}'s {assignment}: {reason}")
        for (assignment, student), reason in sorted(self.failed.items()):
            lines.append(f"  FAILED, no grade stored (run again to retry): {student}'s {assignment}: {reason}")
        return lines


class _LocalPool:
    """Local worker processes; a pool whose worker died is replaced, and its submissions handed out again."""

    def __init__(self, workers):
        self.workers = workers
        self.executor = self._new()

    def _new(self):
        context = multiprocessing.get_context("spawn")
        return concurrent.futures.ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
        )

    def submit(self, task):
        try:
            return self.executor.submit(grade_submission, task)
        except BrokenProcessPool as error:
            # A worker died after the last wait: this submission is handed out again, like those running then.
            future = concurrent.futures.Future()
            future.set_exception(error)
            return future

    def replace(self):
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def close(self):
        self.executor.shutdown(wait=True, cancel_futures=True)


def _die_with_parent(coordinator_pid):
    """A worker process ends when the coordinator does (Linux), instead of finishing submissions nobody stores.

    The death signal only covers a coordinator that dies after it is set. One killed while this worker was still
    starting is gone already (its workers would wait forever on each other's queue, holding the coordinator's
    output open): then the worker ends at once.
    """
    import ctypes
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        return
    if os.getppid() != coordinator_pid:
        os._exit(1)


class _DaskPool:
    """The workers of a Dask distributed cluster; the scheduler hands out again the tasks of a worker that died."""

    def __init__(self, address):
        from distributed import Client

        self.client = Client(address, timeout=30)
        self.client.wait_for_workers(1, timeout=120)
        self.workers = max(1, sum(w["nthreads"] for w in self.client.scheduler_info()["workers"].values()))
        self.executor = self.client.get_executor(pure=False)  # concurrent.futures futures, like the local pool

    def submit(self, task):
        return self.executor.submit(grade_submission, task)

    def replace(self):
        pass  # the scheduler reschedules by itself

    def close(self):
        self.client.close()


def _is_worker_death(error):
    if isinstance(error, BrokenProcessPool):
        return True
    try:
        from distributed.scheduler import KilledWorker
    except ImportError:  # distributed is only needed with --scheduler
        return False
    return isinstance(error, KilledWorker)


@contextlib.contextmanager
def only_run(root):
    """Hold the course's grading lock for the block, or stop naming the run that holds it."""
    with open(Path(root) / LOCK_FILE, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise SystemExit(
                f"another grading run is under way in {Path(root).resolve()} (process {lock.read().strip() or '?'}):"
                " wait for it to end, or stop it and run this again; nothing is lost either way"
            ) from None
        lock.truncate(0)
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        yield


def grade(root=".", assignments=None, workers=None, scheduler=None, force=False, progress=True, out=sys.stdout):
    """Grade the course in ``root``; return the Summary (see the module's docstring)."""
    config, coursedir = load_course(root)
    with only_run(coursedir.root):
        return _grade(config, coursedir, assignments, workers, scheduler, force, progress, out)


def _grade(config, coursedir, assignments, workers, scheduler, force, progress, out):
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        known = [a.name for a in gradebook.assignments]
    names = assignments or known
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(f"unknown assignment(s) {', '.join(unknown)}; the gradebook has: {', '.join(known)}")
    engine = ledger_engine(coursedir.db_url)
    submissions = find_submissions(coursedir, names)
    pending = to_grade(engine, coursedir.db_url, coursedir.course_id, submissions, force)
    pool = _DaskPool(scheduler) if scheduler else _LocalPool(workers or len(os.sched_getaffinity(0)))
    summary = Summary(total=len(submissions), skipped=len(submissions) - len(pending), workers=pool.workers)
    summary.unreadable_before = unreadable_before(engine, [s for s in submissions if s not in pending])
    started = time.perf_counter()
    environment = {key: os.environ[key] for key in ENVIRONMENT if key in os.environ}
    shared = {}
    for name in sorted({s.assignment for s in pending}):
        template, notebooks = template_gradebook(coursedir.db_url, name)
        shared[name] = {"course": course_files(coursedir, name), "gradebook": template, "notebooks": notebooks}
    bar = _progress(len(pending), progress)
    try:
        _run(pool, pending, shared, environment, engine, config, coursedir, summary, bar)
    finally:
        bar.close()
        pool.close()
        engine.dispose()
    summary.seconds = time.perf_counter() - started
    for line in summary.lines():
        print(line, file=out)
    return summary


def _run(pool, pending, shared, environment, engine, config, coursedir, summary, bar):
    queue = list(reversed(pending))
    attempts = {}
    running = {}
    while queue or running:
        while queue and len(running) < 2 * pool.workers:
            submission = queue.pop()
            task = {
                "assignment": submission.assignment,
                "student": submission.student,
                "files": submission.files,
                "environment": environment,
                **shared[submission.assignment],
            }
            attempts[submission] = attempts.get(submission, 0) + 1
            running[pool.submit(task)] = submission
        done, _ = concurrent.futures.wait(list(running), return_when=concurrent.futures.FIRST_COMPLETED)
        died = False
        for future in done:
            submission = running.pop(future)
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 -- sorted below: a dead worker, or a bug reported per submission
                if _is_worker_death(error) and attempts[submission] < MAX_ATTEMPTS:
                    died = True
                    queue.append(submission)
                    continue
                result = {
                    "kind": "failed",
                    "files": {},
                    "reason": f"{type(error).__name__}: {error}"[:500],
                    "seconds": None,
                    "worker": None,
                }
            key = (submission.assignment, submission.student)
            if result["kind"] == "failed":
                record(engine, submission, "failed", result["reason"], result["seconds"], result["worker"])
                summary.failed[key] = result["reason"]
            else:
                store(engine, config, coursedir, submission, result)
                if result["kind"] == "unreadable":
                    summary.unreadable[key] = result["reason"]
                else:
                    summary.graded.append(key)
            bar.update(1)
        if died:
            summary.worker_deaths += 1
            pool.replace()
            for future, submission in running.items():
                future.cancel()
                queue.append(submission)  # the replaced pool's futures never complete: hand them out again
            running.clear()


def _progress(total, enabled):
    from tqdm import tqdm

    return tqdm(total=total, unit="submission", disable=not enabled, file=sys.stderr, dynamic_ncols=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignments to grade (default: all in the gradebook)")
    parser.add_argument("--course", default=".", help="the course directory (default: the current directory)")
    parser.add_argument("--workers", type=int, help="local worker processes (default: the cores this process may use)")
    parser.add_argument("--scheduler", help="address of a Dask distributed scheduler, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--force", action="store_true", help="grade again even submissions already graded")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    options = parser.parse_args(argv)
    if options.workers is not None and options.workers < 1:
        parser.error("--workers must be at least 1")
    if options.workers and options.scheduler:
        parser.error("--workers and --scheduler exclude each other (a cluster has its own workers)")
    summary = grade(
        options.course, options.assignments, options.workers, options.scheduler, options.force, not options.no_progress
    )
    return 1 if summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
