"""The reference oracle: a pristine nnlib in its own process, answering pickled calls over stdin/stdout.

Started by ``course_checks`` at import (``python -I .../course_checks/_oracle.py``, run by path so that the
package, which starts an oracle, is not imported here). Each request is an 8-byte
little-endian length and a pickle of ``(name, args, kwargs)`` where ``name`` is ``"nnlib.module.function"``;
each reply is the same framing around ``("ok", result)`` or ``("error", "ExceptionType: message")``. It exits
when its stdin closes, i.e. when the kernel that started it ends, however it ends.
"""

import importlib
import pickle
import struct
import sys


def _resolve(name):
    module_name, _, attribute = name.rpartition(".")
    if not (module_name == "nnlib" or module_name.startswith("nnlib.")):
        raise ValueError(f"the oracle only evaluates nnlib functions, not {name!r}")
    return getattr(importlib.import_module(module_name), attribute)


def serve(stdin, stdout):
    """Answer requests until ``stdin`` closes."""
    while True:
        header = stdin.read(8)
        if len(header) < 8:
            return
        (size,) = struct.unpack("<Q", header)
        name, args, kwargs = pickle.loads(stdin.read(size))
        try:
            reply = ("ok", _resolve(name)(*args, **kwargs))
        except Exception as error:  # reported to the caller, which names the failing case
            reply = ("error", f"{type(error).__name__}: {error}")
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.write(struct.pack("<Q", len(data)) + data)
        stdout.flush()


if __name__ == "__main__":
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print in nnlib must not corrupt the protocol
    serve(sys.stdin.buffer, protocol_out)
