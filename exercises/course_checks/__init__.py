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

import numpy as np


def _show(value):
    if isinstance(value, np.ndarray):
        return np.array_repr(value, precision=6, suppress_small=True).replace("\n", "\n            ")
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
        scale = abs(e).max() if e.size else 0.0
        if scale > 0 and bool((abs(g + e) <= 1e-6 * scale).all()):
            hints.append("Every value has the wrong sign: check the sign of each term (b = -threshold, w - lr*dw).")
        elif scale > 0 and bool(((e == 0) == (g == 0)).all()):
            nonzero = e != 0
            ratios = g[nonzero] / e[nonzero]
            if ratios.size and bool((abs(ratios - ratios[0]) <= 1e-6 * abs(ratios[0])).all()):
                ratio = float(ratios[0])
                if ratio != 1 and ratio != -1 and ratio != 0:
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


def _fail(headline, lines):
    raise AssertionError("\n".join([headline] + ["  " + line for line in lines]))


# ---------------------------------------------------------------------------------------------------------------
# Visible checks.
def expect(condition, message):
    """Fail with ``message`` unless ``condition`` is true: the explained replacement of a bare ``assert``."""
    if not condition:
        raise AssertionError(message)


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
    lines = explain(got, expected, rtol, atol, check_dtype)
    if lines is None:
        return
    for message, wrong in (hints or {}).items():
        try:
            matched = wrong(got) if callable(wrong) else _close(got, wrong)
        except Exception:
            matched = False
        if matched:
            lines.append("hint: " + message)
    _fail(f"{what} is wrong.", lines)


