r"""Checks shared by every nbgrader assignment of the course.

Every notebook imports this module in its first, locked cell, before any answer cell runs. Two kinds of checks:

Visible checks (the learner reads them and their messages)
    ``expect_close(got, expected, what, hints=...)`` compares a result with a hand-computed value and, on a
    mismatch, says what was expected, what came back, the first differing index, a shape hint, and hints for the
    usual mistakes (wrong sign, transposed, a missing constant factor such as 1/m, a bias that broadcast to a
    matrix, inf/NaN from an overflowing exp), plus the author's own ``hints``. ``expect(condition, message)``
    replaces a bare ``assert``.

Hidden checks (inside ``### BEGIN HIDDEN TESTS``)
    ``check_hidden(function, "nnlib.module.name", cases)`` calls the learner's function on each ``case(...)`` and
    compares it with the nnlib reference: shapes, dtype (float32 in gives float32 out when the reference keeps
    it), values, inputs left unmodified, no NumPy warnings (overflow), and no call of the nnlib function the
    exercise asks for. ``reference(name, *args)`` returns a reference value for checks of another form.

Threat model
------------
Answer cells run in the same Python process as the tests, so they can replace anything reachable by name:
``np.testing.assert_allclose = lambda *a, **k: None``, ``np.allclose = ...``, ``builtins.isinstance = ...``,
``nnlib.activations.sigmoid = mine``, ``nnlib.activations.sigmoid.__code__ = mine.__code__``,
``sys.modules["nnlib.neuron"] = fake``. The hidden checks hold against all of these because they rely only on
what such code cannot reach or replace:

* every library function they use (NumPy functions, builtins, pickle, subprocess) is captured in this module's
  private names **at import**, i.e. before any answer cell ran; comparisons use ndarray operators and methods,
  which live on C types that cannot be patched;
* reference values come from an *oracle*: a separate Python process started at import (``python -I
  course_checks/_oracle.py``), which imports a pristine nnlib and answers pickled calls over pipes, so nothing done
  to nnlib inside the kernel changes a reference value;
* "merely calls the nnlib function it should implement" is caught by swapping that function's ``__code__`` (the
  function object captured at import, whatever name now points to it) for a raising stub while the learner's
  function runs, and restoring the original code afterwards;
* hidden test cells ``import course_checks`` themselves, so rebinding a global such as ``check_hidden`` in the
  notebook does not reach them.

Out of scope: code that deliberately attacks this module itself (editing its attributes or ``__dict__``,
writing to the oracle's pipes, killing it). Such code is plainly visible in the submission, and any of it that
breaks the checks makes them fail, which scores 0.
"""

import atexit
import builtins
import os
import pickle
import struct
import subprocess
import sys
import warnings
from typing import NamedTuple

import numpy as np

import nnlib

# ---------------------------------------------------------------------------------------------------------------
# Everything the checks call, captured before any answer cell can replace it.
_asarray = np.asarray
_ndarray = np.ndarray
_np_generic = np.generic
_float32 = np.dtype(np.float32)
_default_rng = np.random.default_rng
_errstate = np.errstate
_array_repr = np.array_repr
_isinstance = builtins.isinstance
_len = builtins.len
_type = builtins.type
_abs = builtins.abs
_repr = builtins.repr
_tuple = builtins.tuple
_list = builtins.list
_dict = builtins.dict
_int = builtins.int
_float = builtins.float
_bool = builtins.bool
_str = builtins.str
_min = builtins.min
_sorted = builtins.sorted
_getattr = builtins.getattr
_setattr = builtins.setattr
_callable = builtins.callable
_range = builtins.range
_enumerate = builtins.enumerate
_inf = builtins.float("inf")
_compile = builtins.compile
_exec = builtins.exec
_AssertionError = builtins.AssertionError
_Exception = builtins.Exception
_RuntimeError = builtins.RuntimeError
_dumps = pickle.dumps
_loads = pickle.loads
_pack = struct.pack
_unpack = struct.unpack
_catch_warnings = warnings.catch_warnings
_simplefilter = warnings.simplefilter
_import_module = __import__("importlib").import_module


def _capture_references():
    """Map "nnlib.module.name" to (function, its original __code__) for every nnlib function, at import."""
    captured = {}
    for modules in nnlib.CHAPTER_MODULES.values():
        for module_name in modules:
            module = _import_module(f"nnlib.{module_name}")
            for name, value in _list(_getattr(module, "__dict__").items()):
                if _type(value).__name__ == "function" and value.__module__ == module.__name__:
                    captured[f"nnlib.{module_name}.{name}"] = (value, value.__code__)
    return captured


_REFERENCES = _capture_references()


# ---------------------------------------------------------------------------------------------------------------
# The oracle: a pristine nnlib in another process.
class _Oracle:
    def __init__(self):
        env = _dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        # Run by path, not with -m: importing this package in the oracle would start another oracle. -I keeps
        # the notebook's directory (and any nnlib.py a submission put there) off the oracle's sys.path. A new
        # session: interrupting the kernel (a cell timeout) must not interrupt the oracle.
        self._process = subprocess.Popen(
            [sys.executable, "-I", os.path.join(os.path.dirname(os.path.abspath(__file__)), "_oracle.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        # Bound methods of C file objects: captured, like everything else.
        self._write = self._process.stdin.write
        self._flush = self._process.stdin.flush
        self._read = self._process.stdout.read
        atexit.register(self.close)

    def close(self):
        """Close the pipe; the oracle exits when it sees end of file."""
        self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()

    def call(self, name, args, kwargs):
        data = _dumps((name, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        self._write(_pack("<Q", _len(data)) + data)
        self._flush()
        header = self._read(8)
        if _len(header) != 8:
            raise _RuntimeError("The reference oracle process stopped; reload the notebook's first cell's kernel.")
        (size,) = _unpack("<Q", header)
        status, value = _loads(self._read(size))
        return status, value


_ORACLE = _Oracle()


def reference(name, *args, **kwargs):
    """The value of the pristine nnlib function ``name`` (e.g. ``"nnlib.neuron.step"``) on these arguments.

    Computed in the oracle process, so patching nnlib in the notebook cannot change it. Arguments must be
    picklable (arrays, numbers, strings, lists, tuples, dicts). Raises ``RuntimeError`` if the reference raises.
    """
    status, value = _ORACLE.call(name, args, kwargs)
    if status != "ok":
        raise _RuntimeError(f"Course bug: the reference {name} raised {value}; fix the test case.")
    return value


# ---------------------------------------------------------------------------------------------------------------
# Comparing results and explaining the difference.
def _show(value):
    if _isinstance(value, _ndarray):
        return _array_repr(value, precision=6, suppress_small=True).replace("\n", "\n            ")
    return _repr(value)


def _is_number(value):
    return _isinstance(value, (_int, _float, _np_generic, _ndarray))


def _same_values(got, expected, rtol, atol):
    """Boolean array: where got matches expected (NaN matches NaN, inf matches the same inf)."""
    with _errstate(all="ignore"):
        if expected.dtype.kind in "biu" and got.dtype.kind in "biu":
            return got == expected
        g = got.astype(expected.dtype if expected.dtype.kind == "f" else "float64")
        e = expected.astype(g.dtype)
        return (g == e) | (_abs(g - e) <= atol + rtol * _abs(e)) | ((g != g) & (e != e))


def _close(got, expected, rtol=1e-6, atol=1e-9):
    """True when got and expected have the same shape and values (no messages; for hints)."""
    try:
        g, e = _asarray(got), _asarray(expected)
        return g.shape == e.shape and g.dtype.kind in "biuf" and _bool(_same_values(g, e, rtol, atol).all())
    except _Exception:
        return False


def _auto_hints(g, e):
    """Hints for the usual mistakes, guessed from how the result differs."""
    hints = []
    if g.shape != e.shape:
        if g.ndim == 2 and g.shape == e.shape[::-1]:
            hints.append("Your result is transposed: check W versus W.T (W has shape (n[l], n[l-1])).")
        elif g.size > e.size and e.size > 1:
            hints.append(
                "Your result has more entries than expected: a (n,) array combined with an (n, 1) column "
                "broadcasts to (n, n). Keep biases as columns of shape (n, 1), examples as columns of X."
            )
        elif g.size == e.size:
            hints.append("Same number of entries, different shape: check reshape, keepdims or the axis you sum.")
        else:
            hints.append("Fewer entries than expected: did you sum over the wrong axis, or over all examples?")
        return hints
    if e.dtype.kind != "f" or g.dtype.kind not in "biuf":
        return hints
    with _errstate(all="ignore"):
        g = g.astype(e.dtype)
        finite_e = (e == e) & (_abs(e) != _inf)
        finite_g = (g == g) & (_abs(g) != _inf)
        if (finite_e & ~finite_g).any():
            hints.append(
                "Your result has inf or NaN where the reference is finite: an overflowing exp? "
                "Rewrite the formula so that exp only sees non-positive numbers."
            )
            return hints
        scale = _abs(e).max() if e.size else 0.0
        if scale > 0 and _bool((_abs(g + e) <= 1e-6 * scale).all()):
            hints.append("Every value has the wrong sign: check the sign of each term (b = -threshold, w - lr*dw).")
        elif scale > 0 and _bool(((e == 0) == (g == 0)).all()):
            nonzero = e != 0
            ratios = g[nonzero] / e[nonzero]
            if ratios.size and _bool((_abs(ratios - ratios[0]) <= 1e-6 * _abs(ratios[0])).all()):
                ratio = _float(ratios[0])
                if ratio != 1 and ratio != -1 and ratio != 0:
                    hints.append(
                        f"All your values are {ratio:.6g} times the expected ones: a missing or extra constant "
                        "factor (for instance 1/m, the mean over the m examples, or a 1/2)."
                    )
    return hints


def _explain_numbers(got, expected, rtol, atol, check_dtype):
    """None if the numbers agree, else the lines explaining how they differ."""
    if not _is_number(got):
        return [f"expected a number or an array, got {_type(got).__name__}: {_show(got)}"]
    g, e = _asarray(got), _asarray(expected)
    lines = [f"expected: {_show(expected)}", f"got:      {_show(got)}"]
    if g.dtype.kind not in "biuf":
        return lines + [f"your result has dtype {g.dtype}; it must hold numbers"]
    if g.shape != e.shape:
        return lines + [f"shape: expected {e.shape}, got {g.shape}"] + ["hint: " + hint for hint in _auto_hints(g, e)]
    if e.dtype.kind in "iu" and g.dtype.kind not in "iu":
        return lines + [f"expected an integer, got dtype {g.dtype}: return an int"]
    if check_dtype and e.dtype.kind == "f" and g.dtype != e.dtype:
        hint = "float32 in, float32 out: create new arrays with dtype=x.dtype" if e.dtype == _float32 else ""
        return lines + [f"dtype: expected {e.dtype}, got {g.dtype}" + (f" ({hint})" if hint else "")]
    if e.dtype == _float32:
        rtol, atol = (rtol if rtol > 2e-4 else 2e-4), (atol if atol > 1e-5 else 1e-5)
    same = _same_values(g, e, rtol, atol)
    if same.all():
        return None
    first = ""
    if same.ndim:
        where = _tuple(_int(i[0]) for i in (~same).nonzero())
        first = f"first difference at index {where}: expected {e[where].item()!r}, got {g[where].item()!r}"
    with _errstate(all="ignore"):
        worst = _float(_abs(g.astype("float64") - e.astype("float64")).max())
    count = f"{_int((~same).sum())} of {same.size} values differ (largest difference {worst:.3g})"
    return lines + [line for line in (first, count) if line] + ["hint: " + hint for hint in _auto_hints(g, e)]


def _explain(got, expected, rtol, atol, check_dtype, path=""):
    """None if got matches expected (recursively through tuples, lists and dicts), else explaining lines."""
    if _isinstance(expected, _dict):
        if not _isinstance(got, _dict):
            return [f"{path}expected a dict with keys {_sorted(expected)}, got {_type(got).__name__}"]
        if _sorted(got) != _sorted(expected):
            return [f"{path}expected the keys {_sorted(expected)}, got {_sorted(got)}"]
        for key in _sorted(expected):
            lines = _explain(got[key], expected[key], rtol, atol, check_dtype, f"{path}[{key!r}] ")
            if lines:
                return lines
        return None
    if _isinstance(expected, (_tuple, _list)):
        if not _isinstance(got, (_tuple, _list)) or _len(got) != _len(expected):
            return [f"{path}expected a {_type(expected).__name__} of {_len(expected)} items, got {_show(got)}"]
        for index in _range(_len(expected)):
            lines = _explain(got[index], expected[index], rtol, atol, check_dtype, f"{path}[{index}] ")
            if lines:
                return lines
        return None
    if expected is None or _isinstance(expected, _str):
        return None if got == expected else [f"{path}expected {_repr(expected)}, got {_show(got)}"]
    lines = _explain_numbers(got, expected, rtol, atol, check_dtype)
    if lines and path:
        lines = [f"in {path.strip()}:"] + ["  " + line for line in lines]
    return lines


def _fail(headline, lines):
    raise _AssertionError("\n".join([headline] + ["  " + line for line in lines]))


# ---------------------------------------------------------------------------------------------------------------
# Visible checks.
def expect(condition, message):
    """Fail with ``message`` unless ``condition`` is true: the explained replacement of a bare ``assert``."""
    if not condition:
        raise _AssertionError(message)


def expect_close(got, expected, what, hints=None, rtol=1e-7, atol=1e-9, check_dtype=False):
    """Fail, explaining why, unless ``got`` matches ``expected`` (numbers, arrays, or tuples/dicts of them).

    Parameters
    ----------
    got : the learner's result
    expected : the right value, written out in the notebook
    what : str, names the call in the message, e.g. ``"weighted_sum(x, w, b) for one example"``
    hints : dict mapping a hint message to either a wrong value (the hint shows when ``got`` equals it,
        e.g. ``{"Did you forget the 1/m?": m * expected}``) or a predicate ``got -> bool``
    rtol, atol : tolerances (float32 results get at least rtol 2e-4, atol 1e-5)
    check_dtype : also require the float dtype of ``expected`` (``np.float32`` stays ``np.float32``)
    """
    lines = _explain(got, expected, rtol, atol, check_dtype)
    if lines is None:
        return
    for message, wrong in (hints or {}).items():
        try:
            matched = wrong(got) if _callable(wrong) else _close(got, wrong)
        except _Exception:
            matched = False
        if matched:
            lines.append("hint: " + message)
    _fail(f"{what} is wrong.", lines)


# ---------------------------------------------------------------------------------------------------------------
# Hidden checks.
class Case(NamedTuple):
    args: tuple
    kwargs: dict
    label: str


def case(*args, label="", **kwargs):
    """One call of a hidden check: ``case(x, w, b, label="float32 inputs")``; ``label`` names it in messages."""
    return Case(args, kwargs, label)


def rng(seed):
    """A NumPy random Generator (``np.random.default_rng`` captured at import) for hidden test inputs."""
    return _default_rng(seed)


def _copy(value):
    if _isinstance(value, _ndarray):
        return value.copy()
    if _isinstance(value, (_tuple, _list)):
        return _type(value)(_copy(item) for item in value)
    if _isinstance(value, _dict):
        return {key: _copy(item) for key, item in value.items()}
    return value


def _changed_input(before, after, path):
    """Where an input array was modified in place, or None."""
    if _isinstance(before, _ndarray):
        if not _isinstance(after, _ndarray) or before.shape != after.shape:
            return path
        same = (before == after) | ((before != before) & (after != after))
        return None if same.all() else path
    if _isinstance(before, (_tuple, _list)):
        for index in _range(_len(before)):
            found = _changed_input(before[index], after[index], f"{path}[{index}]")
            if found:
                return found
    if _isinstance(before, _dict):
        for key in before:
            found = _changed_input(before[key], after.get(key), f"{path}[{key!r}]")
            if found:
                return found
    return None


def _stub_code(name, target):
    message = f"{target} called {name}: write this computation yourself instead of calling the reference."
    namespace = {}
    _exec(_compile(f"def stub(*args, **kwargs):\n    raise RuntimeError({message!r})\n", "<stub>", "exec"), namespace)
    return namespace["stub"].__code__


def _describe(case_, index):
    label = f" ({case_.label})" if case_.label else ""
    shapes = ", ".join(
        f"array{a.shape} {a.dtype}" if _isinstance(a, _ndarray) else _type(a).__name__ for a in case_.args
    )
    return f"hidden case {index + 1}{label}, arguments: {shapes}"


def check_hidden(function, reference_name, cases, forbid=(), rtol=1e-6, atol=1e-9, check_dtype=True):
    """Compare ``function`` with the pristine nnlib function ``reference_name`` on every case.

    For each ``case(...)``: the reference value comes from the oracle; ``function`` runs while the nnlib
    functions ``reference_name`` and ``forbid`` (dotted names) are replaced by raising stubs; its result must have
    the reference's shape, dtype (when ``check_dtype`` and the reference returns float32/float64 arrays) and
    values (``rtol``/``atol``; float32 gets at least 2e-4/1e-5); its array inputs must be unchanged and it must
    raise no NumPy warning. Fails at the first case that differs, naming the case but not showing the test code.
    """
    target = _getattr(function, "__name__", "your function")
    blocked = [reference_name] + _list(forbid)
    stubs = []
    for name in blocked:
        if name not in _REFERENCES:
            raise _RuntimeError(f"Course bug: {name} is not an nnlib function (check_hidden, forbid).")
        stubs.append((_REFERENCES[name][0], _REFERENCES[name][1], _stub_code(name, target)))
    for index, case_ in _enumerate(cases):
        where = _describe(case_, index)
        expected = reference(reference_name, *case_.args, **case_.kwargs)
        before = _copy(case_.args)
        try:
            with _catch_warnings(record=True) as caught:
                _simplefilter("always")
                for func, _code, stub in stubs:
                    _setattr(func, "__code__", stub)
                try:
                    got = function(*case_.args, **case_.kwargs)
                finally:
                    for func, code, _stub in stubs:
                        _setattr(func, "__code__", code)
        except _Exception as error:
            _fail(f"{target} raised {_type(error).__name__} on {where}:", [_str(error)])
        changed = _changed_input(before, case_.args, "argument")
        if changed:
            _fail(f"{target} modified its input in place on {where}:", [f"{changed} changed; work on a copy."])
        lines = _explain(got, expected, rtol, atol, check_dtype)
        if lines:
            _fail(f"{target} differs from the reference on {where}:", lines)
        if caught:
            text = _str(caught[0].message)
            hint = " Use a form that cannot overflow (exp only of numbers <= 0)." if "overflow" in text else ""
            _fail(f"{target} raised a warning on {where}:", [f"{caught[0].category.__name__}: {text}.{hint}"])
