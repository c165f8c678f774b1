"""The learner process: runs a submission's code cells, then calls its functions for the checker. Untrusted.

Started by the checker inside the sandbox (``python -S -m course_grader.sandboxed.serve``), beside learner code
and as exposed as it: everything this process sends is treated by the checker as untrusted plain data. It speaks
``course_grader.protocol`` on the stdin and stdout it was started with, which it moves to private descriptors so
that a ``print`` cannot corrupt the channel.

    checker -> {"op": "start", "cells": [source, ...], "timeout": seconds}
    learner -> {"op": "cell", "index": i} before each cell, then {"op": "ready", "errors": [[i, "Type: message"], ...]}
    checker -> {"op": "call", "function": name, "args": [...], "kwargs": {...}, "errstate": np.geterr()}
    learner -> {"op": "callback", "callable": id, "args": [...], "kwargs": {...}}      (zero or more times)
    checker -> {"op": "callback_return", "value": ...} or {"op": "callback_raise", "type": ..., "message": ...}
    learner -> {"op": "return", "value": ..., "arguments": [args, kwargs], "warnings": [[category, text], ...]}
               or {"op": "raise", "type": ..., "message": ..., "traceback": ..., "warnings": [...]}

``arguments`` are the call's arguments after the call, so that the checker sees an input modified in place (None
when the call left them as they came).
"""

import builtins
import linecache
import os
import signal
import sys
import traceback
import warnings

import numpy as np

from course_grader import protocol

_MESSAGE_LIMIT = 4000


class _Channel:
    def __init__(self):
        self._in = os.fdopen(os.dup(0), "rb", buffering=0)
        self._out = os.fdopen(os.dup(1), "wb")
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)

    def send(self, message):
        protocol.write_message(self._out, message)

    def receive(self):
        return protocol.read_message(self._in.read)


def _on_alarm(_signum, _frame):
    raise TimeoutError("did not finish within the time limit of a cell")


def _neutralise_magics(source):
    """IPython's ``%magic`` and ``!shell`` lines become ``pass``: this process is plain Python."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        lines.append(line[: len(line) - len(stripped)] + "pass" if stripped[:1] in ("%", "!") else line)
    return "\n".join(lines)


def _errstate(requested):
    """The caller's NumPy error handling (``np.geterr()`` in the checker), so that over="raise" there applies here."""
    allowed = ("ignore", "warn", "raise", "print")
    state = {"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"}
    if isinstance(requested, dict):
        state.update({key: value for key, value in requested.items() if key in state and value in allowed})
    return state


def _traceback(error):
    """The learner's own frames of ``error``'s traceback, without this module's."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename != __file__]
    return "".join(traceback.format_list(frames))[-_MESSAGE_LIMIT:]


def _raised(error, caught=()):
    return {
        "op": "raise",
        "type": type(error).__name__,
        "message": str(error)[:_MESSAGE_LIMIT],
        "traceback": _traceback(error),
        "warnings": [[w.category.__name__, str(w.message)[:_MESSAGE_LIMIT]] for w in caught],
    }


class _Learner:
    def __init__(self, channel):
        self.channel = channel
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.timeout = 30

    def run_cells(self, cells):
        errors = []
        for index, source in enumerate(cells):
            if not source.strip():
                continue
            self.channel.send({"op": "cell", "index": index})  # so that a cell that kills the process can be named
            filename = f"<cell {index}>"
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            signal.setitimer(signal.ITIMER_REAL, self.timeout)
            try:
                exec(compile(_neutralise_magics(source), filename, "exec"), self.namespace)
            except BaseException as error:  # a cell's failure is reported; later cells still run, as in Jupyter
                errors.append([index, f"{type(error).__name__}: {error}"[:_MESSAGE_LIMIT]])
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        return errors

    def callback(self, handle):
        def call_checker(*args, **kwargs):
            self.channel.send(
                {
                    "op": "callback",
                    "callable": handle,
                    "args": protocol.encode(list(args)),
                    "kwargs": protocol.encode(kwargs),
                }
            )
            reply = self.channel.receive()
            if reply["op"] == "callback_return":
                return protocol.decode(reply.get("value"))
            exception = getattr(builtins, str(reply.get("type")), None)
            if not (isinstance(exception, type) and issubclass(exception, Exception)):
                exception = RuntimeError
            raise exception(reply.get("message", ""))

        return call_checker

    def call(self, message):
        function = self.namespace.get(message.get("function"))
        if not callable(function):
            raise NameError(f"name {message.get('function')!r} is not defined: did the cell that defines it run?")
        args = protocol.decode(message.get("args"), self.callback)
        kwargs = protocol.decode(message.get("kwargs"), self.callback)
        with warnings.catch_warnings(record=True) as caught, np.errstate(**_errstate(message.get("errstate"))):
            warnings.simplefilter("always")
            signal.setitimer(signal.ITIMER_REAL, self.timeout)
            try:
                result = function(*args, **kwargs)
            except BaseException as error:  # reported to the checker, which fails the test
                return _raised(error, caught)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            value = protocol.encode(result)
            # The checker's callables among the arguments are sent back as a placeholder id; arguments that the call
            # left as they came are not sent back at all.
            arguments = protocol.encode([list(args), kwargs], register_callable=lambda _function: 0)
            if arguments == [message.get("args"), message.get("kwargs")]:
                arguments = None
        except TypeError as error:
            return _raised(TypeError(f"{message.get('function')} returned (or left in its arguments) {error}"), caught)
        return {
            "op": "return",
            "value": value,
            "arguments": arguments,
            "warnings": [[w.category.__name__, str(w.message)[:_MESSAGE_LIMIT]] for w in caught],
        }


def main():
    channel = _Channel()
    signal.signal(signal.SIGALRM, _on_alarm)
    learner = _Learner(channel)
    start = channel.receive()
    learner.timeout = float(start.get("timeout", 30))
    channel.send({"op": "ready", "errors": learner.run_cells([str(cell) for cell in start.get("cells", [])])})
    while True:
        try:
            message = channel.receive()
        except EOFError:
            return
        if message["op"] == "call":
            channel.send(learner.call(message))


if __name__ == "__main__":
    sys.exit(main())
