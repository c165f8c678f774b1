"""The checker process: runs a submission's test cells against its sandboxed learner process and decides each score.

    python -I -m course_grader.checker < request.json > verdicts.json

Trusted side. It runs no learner code and receives no learner object: the test cells (visible part and hidden
block, as stored in nbgrader's gradebook) run here, with each graded function replaced by a ``LearnerFunction``
that calls the learner's function in the sandboxed learner process (``course_grader.sandboxed.serve``) over
``course_grader.protocol``. What comes back is plain data (numbers, strings, numeric arrays, containers of
them); arguments that a learner function changed in place are copied back into the checker's arrays, so that the
tests see the modification; callables that a test passes (a cost for a gradient check) stay here and are called
back on request. Reference values come from this process's own nnlib.

The request (JSON on stdin) holds ``setup`` (the locked cells' code), ``functions`` (the graded function names),
``learner_cells`` (the submission's code cells, forwarded as text), ``tests`` (``[{"id", "source"}]``),
``runtime``, ``limits``, ``isolated`` and ``cgroup_parents`` (the submission's cgroup, which the learner process's
cgroup goes in); the reply (JSON on stdout) maps each test id to ``{"passed", "message"}``.
"""

import builtins
import json
import os
import select
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from course_grader import protocol
from course_grader.sandbox import Limits, Runtime, Sandbox

_MESSAGE_LIMIT = 4000
_GRACE_SECONDS = 2.0
_MAX_FAILED_STARTS = 2
# Exceptions a learner function may raise here by name; any other becomes LearnerError.
_EXCEPTIONS = {
    name: value
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, Exception) and value not in (StopIteration, StopAsyncIteration)
}
_WARNINGS = {
    name: value for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, Warning)
}


class LearnerError(Exception):
    """A learner function raised an exception of a type that is not a Python builtin."""


class LearnerGone(BaseException):
    """The learner process timed out, ended or broke the protocol. Not an ``Exception``: tests cannot swallow it."""


def _mirror(original, after):
    """Copy an argument's state after the learner's call (``after``) into the checker's ``original``, in place."""
    if isinstance(original, np.ndarray) and isinstance(after, np.ndarray):
        if original.shape == after.shape and original.flags.writeable:
            np.copyto(original, after, casting="unsafe")
    elif isinstance(original, np.random.Generator) and isinstance(after, np.random.Generator):
        original.bit_generator.state = after.bit_generator.state  # the numbers the learner's code drew are used up
    elif isinstance(original, dict) and isinstance(after, dict):
        for key in [key for key in original if key not in after]:
            del original[key]
        for key, value in after.items():
            if key in original and _mirrorable(original[key], value):
                _mirror(original[key], value)
            elif not (value is None and callable(original.get(key))):
                original[key] = value
    elif isinstance(original, list) and isinstance(after, list) and len(original) != len(after):
        original[:] = after
    elif isinstance(original, (list, tuple)) and isinstance(after, (list, tuple)) and len(original) == len(after):
        for index, (item, value) in enumerate(zip(original, after, strict=True)):
            if _mirrorable(item, value):
                _mirror(item, value)
            elif isinstance(original, list) and not (value is None and callable(item)):
                original[index] = value


def _mirrorable(original, after):
    return (isinstance(original, np.ndarray) and isinstance(after, np.ndarray)) or (
        type(original) is type(after) and isinstance(original, (dict, list, tuple, np.random.Generator))
    )


class Learner:
    """The connection to one submission's learner process, restarted after a timeout or a crash."""

    def __init__(self, runtime, limits, isolated, cells, deadline, cgroup_parents=None):
        self.runtime, self.limits, self.isolated, self.cells = runtime, limits, isolated, cells
        self.cgroup_parents = cgroup_parents
        self.notebook_deadline = deadline
        self.deadline = deadline
        self.sandbox = None
        self.failed_starts = 0
        self.skipped = set()
        self.cell_errors = []
        self.callables = {}

    # -- the channel -----------------------------------------------------------------------------------------
    def _send(self, message):
        try:
            protocol.write_message(self.sandbox.process.stdin, message)
        except (BrokenPipeError, OSError) as error:
            self._gone(f"the process running your code ended ({error.__class__.__name__})")

    def _read(self, size):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0 or not select.select([self.sandbox.process.stdout], [], [], remaining)[0]:
            self._gone(self._timeout_message())
        return os.read(self.sandbox.process.stdout.fileno(), size)

    def _receive(self):
        try:
            return protocol.read_message(self._read)
        except EOFError:
            self._gone(self._ended_message())
        except protocol.ProtocolError as error:
            self._gone(f"your code sent back something that is not plain data ({error})")

    def _timeout_message(self):
        if self.deadline >= self.notebook_deadline:
            return f"the submission used up its {self.limits.notebook_timeout:g} s for grading and was stopped"
        return f"no answer within the cell's time limit ({self.limits.cell_timeout:g} s): an endless loop?"

    def _ended_message(self):
        if self.sandbox.hit_memory_limit():
            return f"your code was stopped: it reached the memory limit of a submission ({self.limits.memory_mb} MB)"
        return "the process running your code ended: does your code call exit() or os._exit(), or kill a process?"

    def _gone(self, reason):
        self.stop()
        raise LearnerGone(reason)

    # -- life cycle ------------------------------------------------------------------------------------------
    def start(self):
        """Start the learner process and run the submission's cells; a cell that kills it is skipped next time."""
        while self.sandbox is None:
            if self.failed_starts >= _MAX_FAILED_STARTS:
                raise LearnerGone("not run: your notebook's cells could not be run (see the first failing test)")
            running = self._start_once()
            if self.sandbox is not None:
                return
            if running is None or running in self.skipped:
                self.failed_starts += 1
            else:
                self.skipped.add(running)
                self.cell_errors.append([running, "the process ended or hung while running this cell; it was skipped"])

    def _start_once(self):
        """Run the cells in a new learner process; on failure, the index of the cell that was running (or None)."""
        self.sandbox = Sandbox(
            self.runtime, "course_grader.sandboxed.serve", limits=self.limits, isolated=self.isolated
        )
        self.sandbox.start()
        cells = ["" if index in self.skipped else source for index, source in enumerate(self.cells)]
        saved, running = self.deadline, None
        try:
            self.deadline = min(self.notebook_deadline, time.monotonic() + self.limits.cell_timeout + _GRACE_SECONDS)
            self._send({"op": "start", "cells": cells, "timeout": self.limits.cell_timeout})
            while True:
                message = self._receive()
                if message["op"] != "cell":
                    break
                running = message.get("index")
                self.deadline = min(
                    self.notebook_deadline, time.monotonic() + self.limits.cell_timeout + _GRACE_SECONDS
                )
        except LearnerGone:
            return running
        finally:
            self.deadline = saved
        if message["op"] != "ready" or not isinstance(message.get("errors"), list):
            self.stop()
            return running
        self.cell_errors = [error for error in self.cell_errors if error[0] in self.skipped] + message["errors"]
        return None

    def stop(self):
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None

    # -- calls -----------------------------------------------------------------------------------------------
    def _register(self, function):
        self.callables[len(self.callables) + 1] = function
        return len(self.callables)

    def call(self, name, args, kwargs):
        """Call the learner's function ``name``; return its (plain) result or raise what it raised."""
        self.start()
        self.callables = {}
        self._send(
            {
                "op": "call",
                "function": name,
                "args": protocol.encode(list(args), self._register),
                "kwargs": protocol.encode(dict(kwargs), self._register),
                "errstate": np.geterr(),  # a test's np.errstate(over="raise") applies to the learner's call too
            }
        )
        while True:
            reply = self._receive()
            if reply["op"] == "callback":
                self._answer_callback(reply)
                continue
            try:
                return self._result(name, reply, args, kwargs)
            except protocol.ProtocolError as error:
                self._gone(f"your code sent back something that is not plain data ({error})")

    def _answer_callback(self, request):
        function = self.callables.get(request.get("callable"))
        try:
            if function is None:
                raise LookupError("no such callable")
            value = function(*protocol.decode(request.get("args")), **protocol.decode(request.get("kwargs")))
            self._send({"op": "callback_return", "value": protocol.encode(value)})
        except protocol.ProtocolError as error:
            self._gone(f"your code sent back something that is not plain data ({error})")
        except Exception as error:  # the test's callable raised: the learner's code sees the same exception
            self._send({"op": "callback_raise", "type": type(error).__name__, "message": str(error)})

    def _result(self, name, reply, args, kwargs):
        for category, text in reply.get("warnings") or []:
            warnings.warn(str(text), _WARNINGS.get(category, RuntimeWarning), stacklevel=2)
        if reply["op"] == "raise":
            raise _learner_exception(name, reply)
        if reply["op"] != "return":
            raise protocol.ProtocolError(f"unexpected {reply['op']!r}")
        value = protocol.decode(reply.get("value"))
        after = protocol.decode(reply.get("arguments"), make_callable=lambda _id: None)
        if isinstance(after, list) and len(after) == 2:
            _mirror(list(args), after[0])
            _mirror(kwargs, after[1])
        return value


def _learner_exception(function, reply):
    kind, message = str(reply.get("type")), str(reply.get("message", ""))[:_MESSAGE_LIMIT]
    try:
        error = _EXCEPTIONS[kind](message) if kind in _EXCEPTIONS else LearnerError(f"{kind}: {message}")
    except Exception:
        error = LearnerError(f"{kind}: {message}")
    error.learner_function = function
    error.learner_traceback = str(reply.get("traceback", ""))[-_MESSAGE_LIMIT:]
    return error


class LearnerFunction:
    """Stands for a learner's function in the test cells: calling it calls the function in the learner process."""

    def __init__(self, learner, name):
        self._learner = learner
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        return self._learner.call(self.__name__, args, kwargs)

    def __repr__(self):
        return f"<your function {self.__name__}>"


def _failure_message(error):
    if isinstance(error, LearnerGone):
        return str(error)
    function = getattr(error, "learner_function", None)
    if function is not None:
        lines = [f"{function} raised {type(error).__name__}: {error}".rstrip(": ")]
        if getattr(error, "learner_traceback", ""):
            lines += ["Where, in your code:", error.learner_traceback.rstrip()]
        return "\n".join(lines)
    if isinstance(error, AssertionError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _run_test(source, name, namespace, learner, limits):
    """(passed, message) of one test cell."""
    now = time.monotonic()
    if now >= learner.notebook_deadline:
        return False, f"not run: the submission used up its {limits.notebook_timeout:g} s for grading"
    learner.deadline = min(learner.notebook_deadline, now + limits.cell_timeout + _GRACE_SECONDS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # only check_hidden, which records them, looks at warnings
            exec(compile(source, f"<{name}>", "exec"), namespace)
    except (Exception, LearnerGone) as error:
        return False, _failure_message(error)[:_MESSAGE_LIMIT]
    return True, ""


def grade(request):
    """The verdict of every test cell of one submission: ``{test id: {"passed": bool, "message": str}}``."""
    limits = Limits(**request["limits"])
    spec = request["runtime"]
    runtime = Runtime(Path(spec["root"]), tuple(map(Path, spec["binds"])), tuple(spec["nnlib_modules"]))
    namespace = {"__name__": "__main__"}
    for source in request["setup"]:
        exec(compile(source, "<setup>", "exec"), namespace)
    deadline = time.monotonic() + limits.notebook_timeout
    parents = request.get("cgroup_parents")
    learner = Learner(runtime, limits, request["isolated"], request["learner_cells"], deadline, parents)
    for name in request["functions"]:
        namespace[name] = LearnerFunction(learner, name)
    verdicts = {}
    try:
        for test in request["tests"]:
            passed, message = _run_test(test["source"], test["id"], namespace, learner, limits)
            verdicts[test["id"]] = {"passed": passed, "message": message}
    finally:
        learner.stop()
    return {"verdicts": verdicts}


def main():
    result = os.fdopen(os.dup(1), "w")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # what test cells print must not mix with the verdicts
    request = json.load(sys.stdin)
    json.dump(grade(request), result, allow_nan=False, default=_not_json)
    result.close()


def _not_json(value):
    raise TypeError(f"not JSON: {type(value).__name__}")


if __name__ == "__main__":
    main()
