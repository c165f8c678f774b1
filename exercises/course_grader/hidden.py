"""Hidden checks: what the ``### BEGIN HIDDEN TESTS`` blocks of the assignments call. Checker side only.

These run in the checker process (``course_grader.checker``), never beside learner code: the learner's function
arrives here as a proxy that calls it in the sandboxed learner process with plain data, and the reference is the
checker's own nnlib. A hidden block reads::

    from course_grader import hidden

    _rng = hidden.rng(1101)
    hidden.check_hidden(weighted_sum, "nnlib.neuron.weighted_sum", [hidden.case(x, w, 0.3, label="one example")])

Failure messages say which case failed, with its label and argument shapes, and how the result differs (shape,
dtype, how many values, by how much, hints), but never show a reference value, which a learner could copy into a
resubmission.
"""

import copy
import importlib
import warnings
from typing import NamedTuple

import numpy as np
from course_checks import explain


class Case(NamedTuple):
    args: tuple
    kwargs: dict
    label: str


def case(*args, label="", **kwargs):
    """One call of a hidden check: ``case(x, w, b, label="float32 inputs")``; ``label`` names it in messages."""
    return Case(args, kwargs, label)


def rng(seed):
    """A NumPy random Generator for hidden test inputs."""
    return np.random.default_rng(seed)


def _function(name):
    module_name, _, attribute = name.rpartition(".")
    if not module_name.startswith("nnlib."):
        raise ValueError(f"Course bug: {name!r} is not an nnlib function.")
    return getattr(importlib.import_module(module_name), attribute)


def reference(name, *args, **kwargs):
    """The value of the nnlib function ``name`` (e.g. ``"nnlib.neuron.step"``) on these arguments."""
    return _function(name)(*copy.deepcopy(args), **copy.deepcopy(kwargs))


def _describe(case_, index):
    label = f" ({case_.label})" if case_.label else ""
    shapes = ", ".join(
        f"array{a.shape} {a.dtype}" if isinstance(a, np.ndarray) else type(a).__name__ for a in case_.args
    )
    return f"hidden case {index + 1}{label}, arguments: {shapes}"


def _changed_input(before, after, path):
    """Where an input was modified in place (arrays compared value by value, NaN equal to NaN), or None."""
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or before.shape != after.shape:
            return path
        same = (before == after) | ((before != before) & (after != after))
        return None if same.all() else path
    if isinstance(before, (tuple, list)):
        if not isinstance(after, (tuple, list)) or len(after) != len(before):
            return path
        for index, item in enumerate(before):
            found = _changed_input(item, after[index], f"{path}[{index}]")
            if found:
                return found
    if isinstance(before, dict):
        if not isinstance(after, dict) or set(before) != set(after):
            return path
        for key, item in before.items():
            found = _changed_input(item, after[key], f"{path}[{key!r}]")
            if found:
                return found
    return None


def _fail(headline, lines):
    raise AssertionError("\n".join([headline] + ["  " + line for line in lines]))


def check_hidden(function, reference_name, cases, rtol=1e-6, atol=1e-9, check_dtype=True):
    """Compare the learner's ``function`` with the nnlib function ``reference_name`` on every case.

    For each ``case(...)`` the result must have the reference's shape, dtype (when ``check_dtype`` and the reference
    returns float arrays) and values (``rtol``/``atol``; float32 gets at least 2e-4/1e-5); the inputs must be left
    unmodified, and the call must raise no warning (an overflowing ``exp``). Fails at the first case that differs.
    """
    target = getattr(function, "__name__", "your function")
    for index, case_ in enumerate(cases):
        where = _describe(case_, index)
        expected = reference(reference_name, *case_.args, **case_.kwargs)
        before = copy.deepcopy((case_.args, case_.kwargs))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                got = function(*case_.args, **case_.kwargs)
            except Exception as error:
                _fail(f"{target} raised {type(error).__name__} on {where}:", [str(error)])
        changed = _changed_input(before[0], case_.args, "argument") or _changed_input(
            before[1], case_.kwargs, "keyword argument"
        )
        if changed:
            _fail(f"{target} modified its input in place on {where}:", [f"{changed} changed; work on a copy."])
        lines = explain(got, expected, rtol, atol, check_dtype, reveal=False)
        if lines:
            _fail(f"{target} differs from the reference on {where}:", lines)
        if caught:
            text = str(caught[0].message)
            hint = " Use a form that cannot overflow (exp only of numbers <= 0)." if "overflow" in text else ""
            _fail(f"{target} raised a warning on {where}:", [f"{caught[0].category.__name__}: {text}.{hint}"])
