"""The narrow channel between the checker and the learner process: plain data, framed JSON, no pickle.

Both sides import this module; it imports nothing of either. A message is a 4-byte big-endian length followed by
that many bytes of UTF-8 JSON. Values are *plain data* only:

    None, bool, int, float (NaN and infinities included), str
    list                          -> a JSON list
    tuple                         -> {"tuple": [...]}
    dict (str or int keys)        -> {"dict": [[key, value], ...]}
    numpy array of bool/int/float -> {"array": [dtype, shape, base64 of the C-order bytes]}
    numpy scalar of those dtypes  -> {"scalar": [dtype, base64 of its bytes]}
    a dtype (np.float32, np.dtype("f4"), float, int, bool) -> {"dtype": [dtype or Python type name, form]}
    a NumPy random Generator      -> {"generator": [bit generator name, its state]}
    a callable of the checker     -> {"callable": id}   (only in messages from the checker)

``decode`` rebuilds only these types (plain ``numpy.ndarray``, never a subclass) and rejects anything else, so an
object made by learner code (an ndarray subclass, an object whose ``__eq__`` or ``__class__`` lies, a pickle) can
never reach the checker: what arrives is numbers.
"""

import base64
import json
import math
import struct

import numpy as np

MAX_MESSAGE_BYTES = 64 * 2**20
MAX_DEPTH = 32
_NUMERIC_KINDS = "biuf"
_PYTHON_TYPES = {"float": float, "int": int, "bool": bool}
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
_HEADER = struct.Struct(">I")


class ProtocolError(Exception):
    """A message that is not well-formed plain data, too large, or cut off."""


def _dtype(text):
    try:
        dtype = np.dtype(text)
    except TypeError as error:
        raise ProtocolError(f"unknown dtype {text!r}") from error
    if dtype.kind not in _NUMERIC_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype:
        raise ProtocolError(f"dtype {dtype} is not a plain number type")
    return dtype


def encode(value, register_callable=None, depth=0):
    """``value`` as a JSON-ready structure; ``register_callable(f) -> id`` lets callables through (checker only).

    Raises ``TypeError`` naming the first value that is not plain data.
    """
    if depth > MAX_DEPTH:
        raise TypeError(f"data nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if issubclass(kind, np.ndarray):  # type(), not isinstance: a faked __class__ does not pass
        array = np.asarray(value, order="C").view(np.ndarray)  # (ascontiguousarray would make a 0-d array 1-d)
        if array.dtype.kind not in _NUMERIC_KINDS:
            raise TypeError(f"an array of dtype {array.dtype} (only bool, integer and float arrays can be sent)")
        return {"array": [array.dtype.str, list(array.shape), base64.b64encode(array.tobytes()).decode("ascii")]}
    if issubclass(kind, np.generic) and np.dtype(kind).kind in _NUMERIC_KINDS:
        scalar = np.asarray(value)
        return {"scalar": [scalar.dtype.str, base64.b64encode(scalar.tobytes()).decode("ascii")]}
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        dtype = np.dtype(value)
        if dtype.kind not in _NUMERIC_KINDS:
            raise TypeError(f"the dtype {dtype} (only bool, integer and float dtypes can be sent)")
        return {"dtype": [dtype.str, "dtype" if isinstance(value, np.dtype) else "type"]}
    if isinstance(value, type) and value.__name__ in _PYTHON_TYPES and _PYTHON_TYPES[value.__name__] is value:
        return {"dtype": [value.__name__, "python"]}
    if kind is np.random.Generator:
        bit_generator = value.bit_generator
        return {"generator": [type(bit_generator).__name__, encode(bit_generator.state, None, depth + 1)]}
    if kind is list:
        return [encode(item, register_callable, depth + 1) for item in value]
    if kind is tuple:
        return {"tuple": [encode(item, register_callable, depth + 1) for item in value]}
    if kind is dict:
        items = []
        for key, item in value.items():
            if type(key) not in (str, int):
                raise TypeError(f"a dict key of type {type(key).__name__} (keys must be str or int)")
            items.append([key, encode(item, register_callable, depth + 1)])
        return {"dict": items}
    if register_callable is not None and callable(value):
        return {"callable": register_callable(value)}
    raise TypeError(
        f"a value of type {kind.__name__}, which is not plain data (numbers, strings, arrays, lists, dicts)"
    )


def decode(data, make_callable=None, depth=0):
    """The plain value that ``data`` (parsed JSON) describes; ``make_callable(id)`` rebuilds callables.

    Raises ``ProtocolError`` for anything ``encode`` cannot have produced.
    """
    if depth > MAX_DEPTH:
        raise ProtocolError(f"data nested more than {MAX_DEPTH} levels deep")
    kind = type(data)
    if data is None or kind in (bool, int, float, str):
        return data
    if kind is list:
        return [decode(item, make_callable, depth + 1) for item in data]
    if kind is not dict or len(data) != 1:
        raise ProtocolError(f"unexpected {kind.__name__} in a message")
    ((tag, body),) = data.items()
    if tag == "tuple" and type(body) is list:
        return tuple(decode(item, make_callable, depth + 1) for item in body)
    if tag == "dict" and type(body) is list:
        result = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int):
                raise ProtocolError("a dict entry is not a [str or int key, value] pair")
            result[pair[0]] = decode(pair[1], make_callable, depth + 1)
        return result
    if tag == "array" and type(body) is list and len(body) == 3:
        dtype_text, shape, payload = body
        if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape) or len(shape) > MAX_DEPTH:
            raise ProtocolError("an array shape is not a list of non-negative ints")
        raw = _bytes(payload)
        dtype = _dtype(dtype_text)
        if len(raw) != dtype.itemsize * math.prod(shape):
            raise ProtocolError("an array's data does not match its shape and dtype")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if tag == "scalar" and type(body) is list and len(body) == 2:
        dtype = _dtype(body[0])
        raw = _bytes(body[1])
        if len(raw) != dtype.itemsize:
            raise ProtocolError("a scalar's data does not match its dtype")
        return np.frombuffer(raw, dtype=dtype)[0]
    if tag == "dtype" and type(body) is list and len(body) == 2 and body[1] in ("dtype", "type", "python"):
        if body[1] == "python":
            if body[0] not in _PYTHON_TYPES:
                raise ProtocolError(f"unknown Python type {body[0]!r}")
            return _PYTHON_TYPES[body[0]]
        dtype = _dtype(body[0])
        return dtype if body[1] == "dtype" else dtype.type
    if tag == "generator" and type(body) is list and len(body) == 2 and body[0] in _BIT_GENERATORS:
        bit_generator = getattr(np.random, body[0])()
        try:
            bit_generator.state = decode(body[1], None, depth + 1)
        except (TypeError, ValueError, KeyError) as error:
            raise ProtocolError(f"an invalid random generator state ({error})") from error
        return np.random.Generator(bit_generator)
    if tag == "callable" and type(body) is int and make_callable is not None:
        return make_callable(body)
    raise ProtocolError(f"unexpected tag {tag!r} in a message")


def _bytes(payload):
    if type(payload) is not str:
        raise ProtocolError("array data is not a base64 string")
    try:
        return base64.b64decode(payload, validate=True)
    except ValueError as error:
        raise ProtocolError("array data is not valid base64") from error


def write_message(stream, message):
    """Send one message (a dict of JSON-ready values) on a binary stream."""
    payload = json.dumps(message, allow_nan=True, separators=(",", ":")).encode("utf-8")
    if len(payload) > MAX_MESSAGE_BYTES:
        raise TypeError(f"a message of {len(payload)} bytes (the limit is {MAX_MESSAGE_BYTES})")
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def read_message(read):
    """One message from ``read(n) -> bytes`` (which returns fewer bytes only at end of stream), as a dict."""
    header = _read_exactly(read, _HEADER.size)
    (size,) = _HEADER.unpack(header)
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"a message of {size} bytes (the limit is {MAX_MESSAGE_BYTES})")
    try:
        message = json.loads(_read_exactly(read, size).decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise ProtocolError(f"a message that is not JSON: {error}") from error
    if type(message) is not dict or type(message.get("op")) is not str:
        raise ProtocolError("a message without an 'op'")
    return message


def _read_exactly(read, size):
    chunks, missing = [], size
    while missing:
        chunk = read(missing)
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)
