r"""Visible checks of the course's nbgrader assignments, and the comparison that explains a wrong result.

Every assignment notebook imports this module in its first, locked cell. In the learner's Jupyter it runs in the
learner's own kernel and gives instant feedback; at grading time the *checker* (``course_grader.checker``, a
separate process that runs no learner code) runs the same test cells with this module of its own, and decides the
score. Nothing here is a security boundary: in the learner's kernel the learner may change anything, and that only
changes what their own kernel prints.

``expect_close(got, expected, what, hints=...)``
    compares a result with a hand-computed value and, on a mismatch, says what was expected, what came back, the
    first differing index, a shape hint, and hints for the usual mistakes (wrong sign, transposed, a missing
    constant factor such as 1/m, a bias that broadcast to a matrix, inf/NaN from an overflowing exp), plus the
    author's own ``hints``.
``expect(condition, message)``
    replaces a bare ``assert``.
``explain(got, expected, ...)``
    the lines of such a message, or None when the values agree (used by the checker's hidden cases too).
"""

import ast
import copy
import inspect
import linecache
import textwrap
from typing import NamedTuple

import numpy as np


def _show(value):
    if isinstance(value, np.ndarray):
        return np.array_repr(value, max_line_width=_WIDTH - 14, precision=6).replace("\n", "\n          ")
    return repr(value)


def _is_number(value):
    return isinstance(value, (int, float, np.generic, np.ndarray))


def _same_values(got, expected, rtol, atol):
    """Boolean array: where got matches expected (NaN matches NaN, inf matches the same inf)."""
    with np.errstate(all="ignore"):
        if expected.dtype.kind in "biu" and got.dtype.kind in "biu":
            return got == expected
        g = got.astype(expected.dtype if expected.dtype.kind == "f" else "float64")
        e = expected.astype(g.dtype)
        return (g == e) | (abs(g - e) <= atol + rtol * abs(e)) | ((g != g) & (e != e))


def _close(got, expected, rtol=1e-6, atol=1e-9):
    """True when got and expected have the same shape and values (no messages; for hints)."""
    try:
        g, e = np.asarray(got), np.asarray(expected)
        return g.shape == e.shape and g.dtype.kind in "biuf" and bool(_same_values(g, e, rtol, atol).all())
    except Exception:
        return False


def _auto_hints(g, e, reveal=True):
    """Hints for the usual mistakes, guessed from how the result differs (no number from ``e`` unless ``reveal``)."""
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
    with np.errstate(all="ignore"):
        g = g.astype(e.dtype)
        finite_e = (e == e) & (abs(e) != np.inf)
        finite_g = (g == g) & (abs(g) != np.inf)
        if (finite_e & ~finite_g).any():
            hints.append(
                "Your result has inf or NaN where the reference is finite: an overflowing exp? "
                "Rewrite the formula so that exp only sees non-positive numbers."
            )
            return hints
        # A wrong sign or a constant factor is named only when several distinct values all share it: one wrong
        # number is always some multiple of the right one.
        nonzero = (e != 0) & finite_e
        if np.unique(abs(e[nonzero])).size < 2 or not bool(((e == 0) == (g == 0)).all()):
            return hints
        ratios = g[nonzero] / e[nonzero]
        if not bool((abs(ratios - ratios[0]) <= 1e-6 * abs(ratios[0])).all()):
            return hints
        ratio = float(ratios[0])
        if ratio == -1:
            hints.append("Every value has the wrong sign: check the sign of each term (b = -threshold, w - lr*dw).")
        elif ratio not in (0, 1):
            times = f"{ratio:.6g} times" if reveal else "the same multiple of"
            hints.append(
                f"All your values are {times} the expected ones: a missing or extra constant "
                "factor (for instance 1/m, the mean over the m examples, or a 1/2)."
            )
    return hints


def _explain_numbers(got, expected, rtol, atol, check_dtype, reveal):
    """None if the numbers agree, else the lines explaining how they differ."""
    if not _is_number(got):
        return [f"expected a number or an array, got {type(got).__name__}: {_show(got)}"]
    g, e = np.asarray(got), np.asarray(expected)
    lines = [f"expected: {_show(expected)}", f"got:      {_show(got)}"] if reveal else []
    if g.dtype.kind not in "biuf":
        return lines + [f"your result has dtype {g.dtype}; it must hold numbers"]
    if g.shape != e.shape:
        hints = ["hint: " + hint for hint in _auto_hints(g, e, reveal)]
        return lines + [f"shape: expected {e.shape}, got {g.shape}"] + hints
    if e.dtype.kind in "iu" and g.dtype.kind not in "iu":
        return lines + [f"expected an integer, got dtype {g.dtype}: return an int"]
    if check_dtype and e.dtype.kind == "f" and g.dtype != e.dtype:
        float32 = e.dtype == np.dtype(np.float32)
        hint = "float32 in, float32 out: create new arrays with dtype=x.dtype" if float32 else ""
        return lines + [f"dtype: expected {e.dtype}, got {g.dtype}" + (f" ({hint})" if hint else "")]
    if e.dtype == np.dtype(np.float32):
        rtol, atol = (rtol if rtol > 2e-4 else 2e-4), (atol if atol > 1e-5 else 1e-5)
    same = _same_values(g, e, rtol, atol)
    if same.all():
        return None
    first = ""
    if same.ndim:
        where = tuple(int(i[0]) for i in (~same).nonzero())
        first = f"first difference at index {where}" + (
            f": expected {e[where].item()!r}, got {g[where].item()!r}" if reveal else ""
        )
    count = f"{int((~same).sum())} of {same.size} values differ"
    if reveal:
        with np.errstate(all="ignore"):
            count += f" (largest difference {float(abs(g.astype('float64') - e.astype('float64')).max()):.3g})"
    return lines + [line for line in (first, count) if line] + ["hint: " + hint for hint in _auto_hints(g, e, reveal)]


def explain(got, expected, rtol=1e-7, atol=1e-9, check_dtype=False, reveal=True, path=""):
    """None if ``got`` matches ``expected`` (recursively through tuples, lists and dicts), else explaining lines.

    With ``reveal=False`` the lines say where and how much the values differ but never show an expected value
    (for hidden cases, whose reference values a learner could otherwise copy into a resubmission).
    """
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}expected a dict with keys {sorted(expected)}, got {type(got).__name__}"]
        if sorted(got) != sorted(expected):
            return [f"{path}expected the keys {sorted(expected)}, got {sorted(got)}"]
        for key in sorted(expected):
            lines = explain(got[key], expected[key], rtol, atol, check_dtype, reveal, f"{path}[{key!r}] ")
            if lines:
                return lines
        return None
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return [f"{path}expected a {type(expected).__name__} of {len(expected)} items, got {_show(got)}"]
        for index in range(len(expected)):
            lines = explain(got[index], expected[index], rtol, atol, check_dtype, reveal, f"{path}[{index}] ")
            if lines:
                return lines
        return None
    if expected is None or isinstance(expected, str):
        if type(got) is type(expected) and got == expected:
            return None
        return [f"{path}expected {repr(expected) if reveal else type(expected).__name__}, got {_show(got)}"]
    lines = _explain_numbers(got, expected, rtol, atol, check_dtype, reveal)
    if lines and path:
        lines = [f"in {path.strip()}:"] + ["  " + line for line in lines]
    return lines


# ---------------------------------------------------------------------------------------------------------------
# Failures: a short headline, details on the following lines, no line longer than _WIDTH (``nbgrader validate``
# cuts every line of an error at 87 characters), and no traceback through this module.
_WIDTH = 78


def _wrap(lines, indent=""):
    """The lines, each wrapped to _WIDTH characters (continuations indented two more spaces)."""
    wrapped = []
    for line in lines:
        for part in str(line).split("\n"):
            lead = indent + part[: len(part) - len(part.lstrip())]
            wrapped += textwrap.wrap(
                part.strip(), _WIDTH, initial_indent=lead, subsequent_indent=lead + "  ", break_on_hyphens=False
            ) or [""]
    return wrapped


class CheckFailed(AssertionError):
    """A visible check failed. In Jupyter it shows the message and the line of the test cell, nothing else."""

    def _render_traceback_(self):
        """What IPython shows instead of a traceback: where in the test cell, then the message."""
        frame_line = None
        tb = self.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename != __file__:
                frame_line = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
            tb = tb.tb_next
        lines = ["Check failed"]
        if frame_line:
            source = linecache.getline(*frame_line).strip()
            lines = [f"Check failed at line {frame_line[1]} of the cell:", f"    {source}"] if source else lines
        return _wrap(lines) + str(self).split("\n")


def _fail(headline, lines):
    __tracebackhide__ = True  # noqa: F841 -- read by IPython and pytest: show the caller's frame
    raise CheckFailed("\n".join(_wrap([headline]) + _wrap(lines, "  ")))


# ---------------------------------------------------------------------------------------------------------------
# A passing test cell says so in one line (in Jupyter: printed after the cell, when the cell ran checks and passed).
_passed = {"count": 0}


def _passed_check():
    _passed["count"] += 1


def _report_passed(result):
    count, _passed["count"] = _passed["count"], 0
    cell = getattr(getattr(result, "info", None), "raw_cell", "")
    if not count or not getattr(result, "success", False) or "expect" not in cell:  # a test cell calls the checks
        return
    try:
        tree = ast.parse(cell)
        summary = ast.get_docstring(tree, clean=True) or ""
    except SyntaxError:
        summary = ""
    summary = summary.split("\n\n")[0].replace("\n", " ")
    checks = f"{count} check{'s' if count > 1 else ''}"
    print(f"Passed ({checks}): {summary}" if summary else f"Passed ({checks}).")


def _install_report():
    try:
        shell = get_ipython()  # noqa: F821 -- defined only inside IPython
    except NameError:
        return
    if _report_passed not in shell.events.callbacks.get("post_run_cell", []):
        shell.events.register("post_run_cell", _report_passed)


# ---------------------------------------------------------------------------------------------------------------
# Author hints.
def _hints_that_apply(got, expected, hints, arguments=None):
    """The messages of ``hints`` that name the learner's mistake.

    A hint is ``message: predicate`` (``Result(lambda got: ...)``, or any callable in ``expect_close``),
    ``message: wrong value``, or, in ``expect_call`` (``arguments`` given), ``message: wrong_function`` computing
    the mistake's value from the call's arguments. A value fires only when ``got`` matches it and it differs from
    the expected value and from every other hint's value: on an input where two mistakes agree, neither is named.
    """
    messages, values = [], {}
    for message, hint in (hints or {}).items():
        try:
            if isinstance(hint, Result) or (callable(hint) and arguments is None):
                if hint(got):
                    messages.append(message)
            elif callable(hint):
                values[message] = hint(*copy.deepcopy(arguments[0]), **copy.deepcopy(arguments[1]))
            else:
                values[message] = hint
        except Exception:
            continue
    for message, value in values.items():
        distinct = not _close(value, expected) and not any(
            _close(value, other) for name, other in values.items() if name != message
        )
        if distinct and _close(got, value):
            messages.append(message)
    return messages


class Result(NamedTuple):
    """A hint that tests the learner's result: ``{"One number?": Result(lambda got: np.ndim(got) == 0)}``."""

    test: object

    def __call__(self, got):
        return self.test(got)


# ---------------------------------------------------------------------------------------------------------------
# Visible checks.
def expect(condition, message):
    """Fail with ``message`` unless ``condition`` is true: the explained replacement of a bare ``assert``."""
    __tracebackhide__ = True  # noqa: F841
    if not condition:
        _fail(message, [])
    _passed_check()


def expect_close(got, expected, what, hints=None, rtol=1e-7, atol=1e-9, check_dtype=False):
    """Fail, explaining why, unless ``got`` matches ``expected`` (numbers, arrays, or tuples/dicts of them).

    Parameters
    ----------
    got : the learner's result
    expected : the right value, written out in the notebook
    what : str, names the call in the message, e.g. ``"weighted_sum(x, w, b) for one example"``
    hints : dict mapping a hint message to a wrong value (shown when ``got`` equals it and no other hint's value,
        e.g. ``{"Did you forget the 1/m?": m * expected}``) or to a predicate ``got -> bool``
    rtol, atol : tolerances (float32 results get at least rtol 2e-4, atol 1e-5)
    check_dtype : also require the float dtype of ``expected`` (``np.float32`` stays ``np.float32``)
    """
    __tracebackhide__ = True  # noqa: F841
    lines = explain(got, expected, rtol, atol, check_dtype)
    if lines is None:
        _passed_check()
        return
    lines += ["hint: " + message for message in _hints_that_apply(got, expected, hints)]
    _fail(f"{what} is wrong.", lines)


def _changed(before, after):
    """True when ``after`` differs from ``before`` (arrays value by value, NaN equal to NaN; containers walked)."""
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or before.shape != after.shape or before.dtype != after.dtype:
            return True
        with np.errstate(all="ignore"):
            return not bool(((before == after) | ((before != before) & (after != after))).all())
    if isinstance(before, (tuple, list)):
        return len(before) != len(after) or any(_changed(b, a) for b, a in zip(before, after, strict=True))
    if isinstance(before, dict):
        return set(before) != set(after) or any(_changed(before[key], after[key]) for key in before)
    return False


def _argument_names(function, args, kwargs):
    """Names for the arguments of a call: the parameters' names where the signature gives them."""
    try:
        parameters = inspect.signature(function).parameters.values()
        names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    return [names[i] if i < len(names) else f"argument {i + 1}" for i in range(len(args))] + list(kwargs)


def expect_call(function, args, expected, what, kwargs=None, hints=None, rtol=1e-7, atol=1e-9, check_dtype=False):
    """Call ``function(*args, **kwargs)``; fail if it modified an argument, then compare as ``expect_close``.

    ``hints`` maps a message to the mistake it names, as a function of the same arguments computing the value
    that mistake gives (``{"The bias seems missing.": lambda x, w, b: np.dot(w, x)}``), or to a wrong value or a
    predicate of the result as in ``expect_close``. A mistake is named only when the learner's result matches its
    value here and no other hint gives the same value on these inputs. Returns None, so that a test cell ending
    with it displays nothing (nbgrader would read a displayed value as partial credit).
    """
    __tracebackhide__ = True  # noqa: F841
    kwargs = dict(kwargs or {})
    before = copy.deepcopy((list(args), kwargs))
    got = function(*args, **kwargs)
    olds, news = before[0] + list(before[1].values()), list(args) + list(kwargs.values())
    names = _argument_names(function, args, kwargs)
    changed = [name for name, old, new in zip(names, olds, news, strict=True) if _changed(old, new)]
    if changed:
        _fail(
            f"{what}: your function changed its input {', '.join(changed)}.",
            ["Work on a copy (x = x * 2, not x *= 2): the caller still needs the input."],
        )
    lines = explain(got, expected, rtol, atol, check_dtype)
    if lines is None:
        _passed_check()
        return
    lines += ["hint: " + message for message in _hints_that_apply(got, expected, hints, before)]
    _fail(f"{what} is wrong.", lines)


def expect_raises(exception, function, args, what, kwargs=None, mentions=()):
    """Fail unless ``function(*args, **kwargs)`` raises ``exception`` whose message holds every text of ``mentions``.

    A different exception fails naming the expected type and the one that came. Returns None (see expect_call).
    """
    __tracebackhide__ = True  # noqa: F841
    try:
        got = function(*args, **(kwargs or {}))
    except exception as error:
        message = str(error)
        missing = [text for text in mentions if text.lower() not in message.lower()]
        if missing:
            _fail(f"{what}: the {exception.__name__} message lacks {missing}.", [f"your message: {message}"])
        _passed_check()
        return
    except Exception as error:
        _fail(
            f"{what}: expected {exception.__name__}, got {type(error).__name__}.",
            [f"{type(error).__name__}: {error}", f"Raise {exception.__name__}(...) with a message saying why."],
        )
    _fail(f"{what}: expected {exception.__name__}, nothing was raised.", [f"It returned {_show(got)}."])


_install_report()
