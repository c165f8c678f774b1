"""course_grader's parts on their own: the plain-data protocol, the learner's runtime, the trust boundary in the
layout, and one learner process driven by the checker's connection (sandboxed, as at grading time)."""

import ast
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from course_grader import checker, protocol, sandbox
from course_harness import ASSIGNMENTS, COURSE, Assignment

GRADER = COURSE / "course_grader"


def _roundtrip(value, **options):
    stream = io.BytesIO()
    protocol.write_message(stream, {"op": "x", "value": protocol.encode(value, **options)})
    stream.seek(0)
    return protocol.decode(protocol.read_message(stream.read)["value"])


def test_plain_data_survives_the_channel_with_its_types():
    value = {
        "W1": np.arange(6, dtype=np.float32).reshape(2, 3),
        "mask": np.array([True, False]),
        3: (1, 2.5, None, "text", [np.int64(7), np.float32(0.5)]),
        "nan": float("nan"),
        "empty": np.zeros((0, 4)),
    }
    back = _roundtrip(value)
    assert back["W1"].dtype == np.float32 and np.array_equal(back["W1"], value["W1"])
    assert type(back["W1"]) is np.ndarray and back["mask"].dtype == bool and back["empty"].shape == (0, 4)
    assert back[3][:4] == (1, 2.5, None, "text") and isinstance(back[3], tuple)
    assert type(back[3][4][0]) is np.int64 and type(back[3][4][1]) is np.float32 and back["nan"] != back["nan"]


class _Liar:
    """An object that claims to be an array and equal to everything."""

    __class__ = np.ndarray

    def __eq__(self, other):
        return True

    def __array__(self, *args, **kwargs):
        return np.zeros(3)


class _Subclass(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, bool)


@pytest.mark.parametrize("value", [object(), _Liar(), np.array(["a"]), np.array([1], dtype=object), {(1, 2): 3}, len])
def test_what_is_not_plain_data_cannot_be_sent(value):
    with pytest.raises((TypeError, AttributeError)):
        protocol.encode(value)


def test_an_ndarray_subclass_arrives_as_a_plain_array():
    back = _roundtrip(np.arange(3.0).view(_Subclass))
    assert type(back) is np.ndarray and not (back == np.zeros(3)).all()


@pytest.mark.parametrize(
    "data",
    [
        {"pickle": "gASVBQAAAAAAAACMAXiULg=="},
        {"array": ["|O", [1], "AAAAAAAAAAA="]},
        {"array": ["<f8", [2], "AAAAAAAAAAA="]},
        {"array": ["<f8", [-1], ""]},
        {"scalar": ["<f8", "AAAA"]},
        {"callable": 1},
        {"tuple": [1], "dict": []},
        {"dict": [[[1], 2]]},
        {"array": ["V8", [1], "AAAAAAAAAAA="]},
    ],
)
def test_the_decoder_rejects_anything_encode_cannot_make(data):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(data)


def test_messages_are_framed_and_bounded():
    huge = io.BytesIO((protocol.MAX_MESSAGE_BYTES + 1).to_bytes(4, "big") + b"{}")
    with pytest.raises(protocol.ProtocolError, match="limit"):
        protocol.read_message(huge.read)
    with pytest.raises(EOFError):
        protocol.read_message(io.BytesIO(b"\x00\x00\x00\x10{}").read)
    with pytest.raises(protocol.ProtocolError):
        protocol.read_message(io.BytesIO(b"\x00\x00\x00\x02[]").read)
    deep = 1
    for _level in range(protocol.MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(protocol.ProtocolError, match="nested"):
        protocol.decode(json.loads(json.dumps(deep)))


# ---------------------------------------------------------------------------------------------------------------
# The learner's runtime: no reference, no other array library.
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_runtime_holds_no_module_that_defines_or_imports_a_graded_function(name):
    functions = tuple(Assignment(COURSE, name).functions)
    runtime = sandbox.learner_runtime(name, functions)
    present = {path.stem for path in (runtime.site / "nnlib").glob("*.py")}
    forbidden = sandbox.nnlib_modules_of(functions)
    assert forbidden and not forbidden & present, (forbidden, present)
    for module in present - {"__init__", "_validation"}:
        text = (runtime.site / "nnlib" / f"{module}.py").read_text()
        assert not any(f"nnlib.{bad} import" in text or f"import nnlib.{bad}" in text for bad in forbidden), module
        assert not any(f"def {function}(" in text for function in functions), module
    chapter = int(name[:2])
    later = {m for k, modules in __import__("nnlib").CHAPTER_MODULES.items() if k > chapter for m in modules}
    assert not later & present, f"modules of later chapters in the runtime: {later & present}"
    names = {path.name.split("-")[0].lower() for path in runtime.site.iterdir()}
    assert not names & {"torch", "jax", "jaxlib", "tensorflow", "keras", "nbgrader", "cupy", "sympy"}, names


# ---------------------------------------------------------------------------------------------------------------
# The trust boundary in the layout.
def _imports(path):
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_the_deciding_side_imports_nothing_that_runs_beside_learner_code():
    for module in (
        "checker.py",
        "hidden.py",
        "nbgrader_plugin.py",
        "sandbox.py",
        "protocol.py",
        "coordinator.py",
        "workflow.py",
    ):
        imported = _imports(GRADER / module)
        assert not any("sandboxed" in name for name in imported), (module, imported)


def test_the_sandboxed_side_imports_only_the_protocol_of_the_grader():
    for path in (GRADER / "sandboxed").glob("*.py"):
        grader = {name for name in _imports(path) if name.startswith("course_grader")}
        assert grader <= {"course_grader", "course_grader.protocol"}, (path.name, grader)


# ---------------------------------------------------------------------------------------------------------------
# One learner process, sandboxed, driven by the checker's connection.
CELLS = [
    "import numpy as np",
    "def double(x):\n    x *= 2\n    return x",
    "def ask(f, x):\n    return f(x) + 1",
    "def forever():\n    while True:\n        pass",
    "def crash():\n    import os\n    os._exit(3)",
    "def liar():\n    class L:\n        __class__ = np.ndarray\n    return L()",
    "def fails():\n    raise FloatingPointError('diverged at step 3')",
    "import nnlib.neuron",
]


@pytest.fixture(scope="module")
def learner():
    runtime = sandbox.learner_runtime("01_neuron", tuple(Assignment(COURSE, "01_neuron").functions))
    limits = sandbox.Limits(cell_timeout=2, notebook_timeout=60)
    connection = checker.Learner(runtime, limits, sandbox.isolation_enabled(), CELLS, time.monotonic() + 60)
    connection.start()
    yield connection
    connection.stop()


def test_cell_errors_are_reported_and_later_cells_still_run(learner):
    assert learner.cell_errors == [[7, "ModuleNotFoundError: No module named 'nnlib.neuron'"]]


def test_an_array_modified_in_place_is_modified_on_the_checker_side_too(learner):
    x = np.array([1.0, 2.0])
    assert np.array_equal(learner.call("double", (x,), {}), [2.0, 4.0]) and np.array_equal(x, [2.0, 4.0])


def test_a_callable_of_the_test_runs_in_the_checker(learner):
    seen = []
    assert learner.call("ask", (lambda value: seen.append(value) or value * 10, 4), {}) == 41 and seen == [4]


def test_exceptions_keep_their_builtin_type_and_the_learners_traceback(learner):
    with pytest.raises(FloatingPointError, match="diverged at step 3") as raised:
        learner.call("fails", (), {})
    assert raised.value.learner_function == "fails" and '<cell 6>", line 2, in fails' in raised.value.learner_traceback


def test_an_object_that_lies_never_arrives(learner):
    with pytest.raises(TypeError, match="not plain data"):
        learner.call("liar", (), {})


def test_an_endless_loop_is_cut_and_a_crash_is_reported_then_the_process_restarts(learner):
    learner.deadline = time.monotonic() + 30
    with pytest.raises(TimeoutError):
        learner.call("forever", (), {})
    with pytest.raises(checker.LearnerGone, match="ended"):
        learner.call("crash", (), {})
    assert learner.call("double", (np.ones(1),), {})[0] == 2.0


def test_the_learner_process_sees_no_course_files_no_network_and_only_its_own_processes(learner):
    if not sandbox.isolation_enabled():
        pytest.skip("COURSE_SANDBOX=off")
    probe = (
        "def probe():\n    import os, socket\n    seen = [p for p in "
        f"{[str(COURSE), str(COURSE.parent / 'nnlib'), str(COURSE.parent / 'README.md'), '/etc/shadow']!r}"
        " if os.path.exists(p)]\n"
        "    try:\n        socket.create_connection(('1.1.1.1', 53), timeout=1)\n        seen.append('network')\n"
        "    except OSError:\n        pass\n"
        "    return [seen, os.getuid(), [p for p in os.listdir('/proc') if p.isdigit()]]"
    )
    runtime = sandbox.learner_runtime("01_neuron", tuple(Assignment(COURSE, "01_neuron").functions))
    connection = checker.Learner(runtime, sandbox.Limits(), True, [probe], time.monotonic() + 30)
    try:
        seen, uid, processes = connection.call("probe", (), {})
    finally:
        connection.stop()
    assert seen == [] and uid == sandbox.SANDBOX_UID and len(processes) <= 3, (seen, uid, processes)


def test_dtypes_and_random_generators_cross_as_data():
    assert _roundtrip(np.float32) is np.float32 and _roundtrip(np.dtype("f4")) == np.dtype("f4")
    assert _roundtrip(float) is float
    generator = np.random.default_rng(3)
    copy = _roundtrip(generator)
    assert copy is not generator and copy.standard_normal() == generator.standard_normal()


def test_the_callers_numpy_error_state_applies_in_the_learner_process(learner):
    learner.cells.append("def overflow():\n    return np.exp(np.array([1000.0]))")
    learner.stop()
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow"):
        learner.call("overflow", (), {})
    with np.errstate(over="ignore"):
        assert learner.call("overflow", (), {})[0] == np.inf


def test_a_cgroup_left_by_a_killed_grading_process_is_removed_by_the_next_one():
    gone = subprocess.Popen(["true"])  # stands for a killed worker: its pid names the cgroup, and it is gone
    gone.wait()
    orphans = [parent / f"course-grading-{gone.pid}-0rphan00" for parent in sandbox._own_cgroup_folders()]
    for orphan in orphans:
        (orphan / "inner").mkdir(parents=True)
    own = sandbox.Cgroup(sandbox.Limits())
    try:
        assert not any(orphan.exists() for orphan in orphans)
        assert all(folder.exists() for folder in own.folders), "a living process's cgroup stays"
    finally:
        own.remove()


def test_a_submission_handed_to_a_pool_whose_worker_just_died_comes_back_as_a_worker_death():
    """A worker can die between the coordinator's wait and its next hand-out: the hand-out must not end the run
    (the make test class of 24 saw BrokenProcessPool raised by submit), but return like the other lost tasks."""
    from concurrent.futures.process import BrokenProcessPool

    from course_grader.coordinator import _is_worker_death, _LocalPool

    pool = _LocalPool(1)
    try:
        os.kill(pool.executor.submit(os.getpid).result(timeout=60), signal.SIGKILL)
        deadline = time.monotonic() + 60
        while not pool.executor._broken and time.monotonic() < deadline:  # the executor notices the death
            time.sleep(0.05)
        with pytest.raises(BrokenProcessPool):
            pool.executor.submit(os.getpid)
        future = pool.submit({})
        assert future.done() and _is_worker_death(future.exception())
    finally:
        pool.close()


def test_workers_started_by_a_coordinator_killed_before_they_were_ready_end_too():
    """A coordinator killed while its workers are still starting: they set their death signal too late for it, and
    used to wait forever on each other's queue, holding the coordinator's output open (a make test run hung on
    that). They must end by themselves."""
    mark = f"course-test-{uuid.uuid4().hex}"
    coordinator = (
        "import os, signal\n"
        "from course_grader.coordinator import _LocalPool\n"
        "pool = _LocalPool(2)\n"
        "pool.executor.submit(os.getpid)  # starts the workers, which take a moment to be ready\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", coordinator], env={**os.environ, "COURSE_TEST_MARK": mark}, timeout=60, check=False
    )
    assert killed.returncode == -signal.SIGKILL

    def marked():
        found = []
        for environ in Path("/proc").glob("[0-9]*/environ"):
            with contextlib.suppress(OSError):
                if f"COURSE_TEST_MARK={mark}".encode() in environ.read_bytes().split(b"\0"):
                    found.append(int(environ.parent.name))
        return found

    deadline = time.monotonic() + 30
    while marked() and time.monotonic() < deadline:
        time.sleep(0.2)
    survivors = marked()
    for pid in survivors:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not survivors, f"workers of the killed coordinator still running 30 s later: {survivors}"
