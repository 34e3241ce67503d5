"""A small, independent Python client of the medstore control protocol, version 1.

Written from ``Protocol/medstore-v1.md`` alone (no knowledge of the Swift sources), so that the
interop tests check the daemon against the spec rather than against itself.

Layers, bottom up:

* :func:`encode_payload` / :func:`decode_payload` -- one CBOR data item per payload, with the
  spec's limits (definite lengths only, 8 levels of nesting, 10,000 items per array or map,
  100,000 items per payload, text map keys, no trailing bytes).
* :func:`encode_frame` and :class:`FrameReader` -- ``u32 big-endian length + payload`` framing,
  ``1 <= length <= 1 MiB``, reassembling frames split across reads or coalesced in one read.
* :class:`Connection` -- a socket speaking frames: send requests with fresh ids, read replies and
  match them by id (replies may arrive in any order), pipelining, raw access for hostile tests.
* :class:`MedStoreClient` -- a connection that has done the ``hello`` handshake, with
  :meth:`Connection.call` returning a method's result or raising :class:`MedStoreError`.

Only the standard library and ``cbor2`` are used.
"""

from __future__ import annotations

import itertools
import os
import socket
import struct
import time
from collections import deque
from typing import Any, Callable, Iterable, Iterator, Optional

import cbor2

__all__ = [
    "PROTOCOL_MAJOR",
    "PROTOCOL_MINOR",
    "MAX_FRAME_BYTES",
    "MAX_IN_FLIGHT",
    "MAX_DEPTH",
    "MAX_ITEMS_PER_CONTAINER",
    "MAX_ITEMS_PER_PAYLOAD",
    "KNOWN_ERROR_CODES",
    "GENERAL_CODE",
    "METHODS",
    "MedStoreError",
    "ProtocolViolation",
    "ConnectionClosed",
    "encode_payload",
    "decode_payload",
    "encode_frame",
    "FrameReader",
    "Connection",
    "MedStoreClient",
    "default_socket_path",
]

# --- constants from the spec -------------------------------------------------------------------

#: Protocol version this client speaks (spec section 5).
PROTOCOL_MAJOR = 1
PROTOCOL_MINOR = 0
#: Largest payload in a frame, in bytes (section 2 and 8). The 4 header bytes are not counted.
MAX_FRAME_BYTES = 1_048_576
#: Unanswered requests allowed per connection (section 4 and 8).
MAX_IN_FLIGHT = 64
#: CBOR limits (section 3 and 8).
MAX_DEPTH = 8
MAX_ITEMS_PER_CONTAINER = 10_000
MAX_ITEMS_PER_PAYLOAD = 100_000
#: Largest request id: ids are CBOR unsigned integers.
MAX_ID = 2**64 - 1

#: Every method listed in section 6 (plus ``hello`` from section 5).
METHODS = (
    "hello",
    "status",
    "account.create",
    "account.import",
    "account.show",
    "account.delete",
    "keys.show",
    "keys.switch",
    "keys.regenerate",
    "container.create",
    "container.show",
    "container.delete",
    "container.list",
    "token.container",
    "token.blob",
    "token.list",
    "token.revoke",
    "ip.list",
    "ip.allow",
    "ip.remove",
    "audit.list",
    "audit.verify",
)

#: Error code -> general code (section 7). General codes map to themselves.
GENERAL_CODE = {
    "invalidArgument": "invalidArgument",
    "notFound": "notFound",
    "alreadyExists": "alreadyExists",
    "permissionDenied": "permissionDenied",
    "failedPrecondition": "failedPrecondition",
    "resourceExhausted": "resourceExhausted",
    "unavailable": "unavailable",
    "internal": "internal",
    "unsupportedVersion": "unsupportedVersion",
    "protocolError": "protocolError",
    "unknownMethod": "unknownMethod",
    "accountNotFound": "notFound",
    "accountAlreadyExists": "alreadyExists",
    "invalidAccountName": "invalidArgument",
    "invalidKey": "invalidArgument",
    "keyInUse": "failedPrecondition",
    "containerNotFound": "notFound",
    "containerAlreadyExists": "alreadyExists",
    "invalidContainerName": "invalidArgument",
    "invalidBlobName": "invalidArgument",
    "invalidPermissions": "invalidArgument",
    "invalidTime": "invalidArgument",
    "invalidIPRule": "invalidArgument",
    "ipRuleNotFound": "notFound",
    "ipRuleAlreadyExists": "alreadyExists",
}
KNOWN_ERROR_CODES = frozenset(GENERAL_CODE)


# --- errors ------------------------------------------------------------------------------------


class MedStoreError(Exception):
    """An ``error`` reply from the daemon.

    Attributes:
        code: the wire code exactly as received (e.g. ``containerNotFound``), kept for display
            even when this client does not know it.
        message: the human message from the daemon.
        id: the reply's id (0 for a connection-level error, after which the daemon closes).
        general_code: the general code (``notFound`` for ``containerNotFound``...); an unknown
            code is treated as ``internal`` as section 7 requires.
    """

    def __init__(self, code: str, message: str, id: int = 0):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.id = id
        self.general_code = GENERAL_CODE.get(code, "internal")

    @property
    def is_connection_error(self) -> bool:
        """True for an id-0 error: the daemon closes the connection after it."""
        return self.id == 0


class ProtocolViolation(Exception):
    """The peer sent something the spec does not allow (bad frame, bad CBOR, bad envelope)."""


class ConnectionClosed(ConnectionError):
    """The daemon closed the connection (end of file), possibly in the middle of a frame."""


# --- CBOR payloads -----------------------------------------------------------------------------


def _validate_cbor(data: bytes) -> None:
    """Walk the CBOR structure of ``data`` and enforce section 3's rules without decoding values.

    Checks: exactly one well-formed item with no trailing bytes; no indefinite lengths;
    nesting depth at most :data:`MAX_DEPTH` (the outermost array/map is level 1; a tag counts as
    a level too); at most :data:`MAX_ITEMS_PER_CONTAINER` entries in one array or map; at most
    :data:`MAX_ITEMS_PER_PAYLOAD` data items in total; map keys are text strings. Raises
    :class:`ProtocolViolation`.
    """
    n = len(data)
    total = 0

    def head(p: int) -> tuple[int, int, int, int]:
        """Return (major type, additional information, argument, position after the head)."""
        if p >= n:
            raise ProtocolViolation("truncated CBOR item")
        ib = data[p]
        major, info = ib >> 5, ib & 0x1F
        p += 1
        if info < 24:
            return major, info, info, p
        if info == 31:
            raise ProtocolViolation("indefinite-length CBOR item")
        if info > 27:
            raise ProtocolViolation(f"reserved CBOR additional information {info}")
        size = 1 << (info - 24)
        if p + size > n:
            raise ProtocolViolation("truncated CBOR item head")
        return major, info, int.from_bytes(data[p : p + size], "big"), p + size

    def item(p: int, depth: int, must_be_text: bool = False) -> int:
        nonlocal total
        total += 1
        if total > MAX_ITEMS_PER_PAYLOAD:
            raise ProtocolViolation("more than 100,000 items in payload")
        major, info, arg, p = head(p)
        if must_be_text and major != 3:
            raise ProtocolViolation("map key is not a text string")
        if major in (0, 1, 7):
            if major == 7 and info == 24 and arg < 32:
                raise ProtocolViolation("badly encoded simple value")
            return p
        if major in (2, 3):
            if p + arg > n:
                raise ProtocolViolation("truncated CBOR string")
            if major == 3:
                try:
                    data[p : p + arg].decode("utf-8")
                except UnicodeDecodeError as e:
                    raise ProtocolViolation(f"invalid UTF-8 in text string: {e}") from None
            return p + arg
        if major == 6:  # a tag wraps one item; counted as a level so tag chains stay bounded
            if depth + 1 > MAX_DEPTH:
                raise ProtocolViolation("CBOR nesting deeper than 8 levels")
            return item(p, depth + 1)
        # arrays and maps
        if depth + 1 > MAX_DEPTH:
            raise ProtocolViolation("CBOR nesting deeper than 8 levels")
        if arg > MAX_ITEMS_PER_CONTAINER:
            raise ProtocolViolation("more than 10,000 items in one array or map")
        if major == 4:
            for _ in range(arg):
                p = item(p, depth + 1)
        else:
            for _ in range(arg):
                p = item(p, depth + 1, must_be_text=True)
                p = item(p, depth + 1)
        return p

    pos = item(0, 0)
    if pos != n:
        raise ProtocolViolation(f"{n - pos} trailing bytes after the CBOR item")


def encode_payload(obj: Any) -> bytes:
    """Encode one message (a dict) as a CBOR payload.

    Map fields are written in the dict's insertion order, integers in their shortest form
    (``cbor2`` does both), definite lengths only.
    """
    return cbor2.dumps(obj)


def decode_payload(payload: bytes, *, validate: bool = True) -> Any:
    """Decode one CBOR payload, enforcing the spec's rules first (see :func:`_validate_cbor`)."""
    if validate:
        _validate_cbor(payload)
    try:
        return cbor2.loads(payload, allow_indefinite=False)
    except cbor2.CBORDecodeError as e:  # pragma: no cover - the validator catches these first
        raise ProtocolViolation(f"invalid CBOR: {e}") from None


def encode_frame(obj: Any = None, *, payload: Optional[bytes] = None, check: bool = True) -> bytes:
    """Return a whole frame (4-byte big-endian length + payload) for ``obj`` or a raw ``payload``.

    With ``check`` (the default) a payload outside ``1..MAX_FRAME_BYTES`` raises ``ValueError``;
    hostile tests pass ``check=False`` to build frames the daemon must refuse.
    """
    if payload is None:
        payload = encode_payload(obj)
    if check and not (1 <= len(payload) <= MAX_FRAME_BYTES):
        raise ValueError(f"payload of {len(payload)} bytes is outside 1..{MAX_FRAME_BYTES}")
    return struct.pack(">I", len(payload)) + payload


class FrameReader:
    """Reassembles frames from a byte stream.

    Feed it whatever ``recv`` returned; it yields complete payloads. The length is checked as soon
    as the 4 header bytes are there, before anything is buffered for the payload, so a peer that
    announces a huge frame is refused at once.
    """

    def __init__(self, max_frame: int = MAX_FRAME_BYTES):
        self.max_frame = max_frame
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Add ``data`` and return the payloads of every frame now complete (maybe none)."""
        self._buf += data
        out = []
        while len(self._buf) >= 4:
            (length,) = struct.unpack_from(">I", self._buf, 0)
            if length == 0 or length > self.max_frame:
                raise ProtocolViolation(f"frame length {length} outside 1..{self.max_frame}")
            if len(self._buf) < 4 + length:
                break
            out.append(bytes(self._buf[4 : 4 + length]))
            del self._buf[: 4 + length]
        return out

    @property
    def pending(self) -> int:
        """Bytes received but not yet part of a complete frame."""
        return len(self._buf)


def _check_reply(msg: Any) -> dict:
    """Validate a reply envelope (section 4)."""
    if not isinstance(msg, dict):
        raise ProtocolViolation(f"reply is not a map: {msg!r}")
    rid = msg.get("id")
    if not isinstance(rid, int) or isinstance(rid, bool) or not (0 <= rid <= MAX_ID):
        raise ProtocolViolation(f"reply id is not a uint: {rid!r}")
    has_result = msg.get("result") is not None
    has_error = msg.get("error") is not None
    if has_result == has_error:
        raise ProtocolViolation(f"reply must have exactly one of result and error: {msg!r}")
    if has_result and not isinstance(msg["result"], dict):
        raise ProtocolViolation(f"result is not a map: {msg!r}")
    if has_error:
        err = msg["error"]
        if not isinstance(err, dict) or not isinstance(err.get("code"), str) or not isinstance(
            err.get("message"), str
        ):
            raise ProtocolViolation(f"malformed error: {msg!r}")
    return msg


def default_socket_path() -> str:
    """The socket path a client uses when none is given (section 1)."""
    env = os.environ.get("MEDSTORE_SOCKET")
    if env:
        return env
    if os.geteuid() == 0:
        return "/run/medstore/medstored.sock"
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg:
        return os.path.join(xdg, "medstore", "medstored.sock")
    return f"/tmp/medstore-{os.getuid()}/medstored.sock"


# --- connections -------------------------------------------------------------------------------


class Connection:
    """One Unix-socket connection speaking frames; no handshake done yet.

    Use :class:`MedStoreClient` for the normal case. This class is also the tool for hostile
    tests: :meth:`send_raw`, :meth:`send_message`, :meth:`read_message`, :meth:`wait_closed`.

    Args:
        path: socket path (default: :func:`default_socket_path`).
        timeout: seconds any single blocking read or write may take; ``socket.timeout``
            (``TimeoutError``) is raised past it.
        on_reply: optional callback given every decoded reply (used by tests to scan every reply
            for secrets).
    """

    def __init__(
        self,
        path: Optional[str] = None,
        *,
        timeout: float = 10.0,
        on_reply: Optional[Callable[[dict], None]] = None,
        connect: bool = True,
    ):
        self.path = path or default_socket_path()
        self.timeout = timeout
        self.on_reply = on_reply
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self._reader = FrameReader()
        self._frames: deque[bytes] = deque()
        self._replies: dict[int, dict] = {}  # replies that arrived before anyone asked for them
        self._pending: set[int] = set()
        self._ids: Iterator[int] = itertools.count(1)
        self.eof = False
        if connect:
            try:
                self._connect()
            except BaseException:
                self.sock.close()
                raise

    def _connect(self) -> None:
        """Connect, waiting up to ``timeout`` while the daemon's listen backlog is full.

        A Unix socket with a timeout is non-blocking underneath, and ``connect`` then fails at
        once with EAGAIN when the backlog is full (a blocking one would wait): retry until the
        timeout instead.
        """
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.sock.connect(self.path)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"connect to {self.path}: listen backlog full for {self.timeout}s") from None
                time.sleep(0.01)

    # context manager ---------------------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Close the socket (idempotent)."""
        try:
            self.sock.close()
        except OSError:
            pass

    def fileno(self) -> int:
        return self.sock.fileno()

    # raw I/O -----------------------------------------------------------------------------------
    def send_raw(self, data: bytes) -> None:
        """Write bytes as they are (no framing)."""
        self.sock.sendall(data)

    def _fill(self) -> None:
        """Read once from the socket into the frame reader; EOF raises :class:`ConnectionClosed`."""
        if self.eof:
            raise ConnectionClosed("connection closed by the daemon")
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
            if self._reader.pending:
                raise ConnectionClosed(
                    f"connection closed by the daemon inside a frame ({self._reader.pending} bytes)"
                )
            raise ConnectionClosed("connection closed by the daemon")
        self._frames.extend(self._reader.feed(data))

    def read_payload(self) -> bytes:
        """Return the next complete frame's payload, reading from the socket as needed."""
        while not self._frames:
            self._fill()
        return self._frames.popleft()

    def read_message(self) -> dict:
        """Return the next reply envelope (validated), in arrival order, whatever its id."""
        msg = _check_reply(decode_payload(self.read_payload()))
        if self.on_reply is not None:
            self.on_reply(msg)
        return msg

    def wait_closed(self, timeout: float = 5.0) -> bool:
        """Read until the daemon closes the connection; return True if it did within ``timeout``.

        Frames that arrive meanwhile are kept for :meth:`read_message`. A reset counts as closed.
        """
        old = self.sock.gettimeout()
        self.sock.settimeout(timeout)
        try:
            while True:
                try:
                    self._fill()
                except ConnectionClosed:
                    return True
                except ConnectionResetError:
                    self.eof = True
                    return True
                except (socket.timeout, TimeoutError):
                    return False
        finally:
            try:
                self.sock.settimeout(old)
            except OSError:
                pass

    # requests ----------------------------------------------------------------------------------
    def next_id(self) -> int:
        """A fresh request id (1, 2, 3, ...), skipping ids still pending."""
        while True:
            i = next(self._ids)
            if i not in self._pending and i not in self._replies:
                return i

    def send_message(self, msg: Any) -> None:
        """Frame and send one message as is (no checks on its shape)."""
        self.send_raw(encode_frame(msg))

    def send_request(self, method: str, params: Optional[dict] = None, *, id: Optional[int] = None) -> int:
        """Send one request without waiting for its reply; return its id.

        ``params`` of ``None`` leaves the field out (the spec treats absent as an empty map).
        """
        rid = self.next_id() if id is None else id
        if not (0 <= rid <= MAX_ID):
            raise ValueError("request id must fit in a CBOR uint")
        if rid in self._pending:
            raise ValueError(f"id {rid} is still pending")
        msg: dict = {"id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send_message(msg)
        self._pending.add(rid)
        return rid

    def read_reply(self, rid: int) -> dict:
        """Return the reply envelope for request ``rid``, keeping others for later.

        An id-0 error (connection level) is raised at once as :class:`MedStoreError`, whatever
        ``rid`` is; the daemon closes the connection after it.
        """
        while rid not in self._replies:
            msg = self.read_message()
            if msg["id"] == 0 and "error" in msg and msg["error"] is not None:
                err = msg["error"]
                raise MedStoreError(err["code"], err["message"], 0)
            self._replies[msg["id"]] = msg
        self._pending.discard(rid)
        return self._replies.pop(rid)

    @staticmethod
    def unwrap(reply: dict) -> dict:
        """Return the reply's result, or raise its error as :class:`MedStoreError`."""
        err = reply.get("error")
        if err is not None:
            raise MedStoreError(err["code"], err["message"], reply["id"])
        return reply["result"]

    def result_of(self, rid: int) -> dict:
        """Wait for request ``rid`` and return its result or raise its error."""
        return self.unwrap(self.read_reply(rid))

    def call(self, method: str, params: Optional[dict] = None, **kw: Any) -> dict:
        """Send one request and wait for its result; raise :class:`MedStoreError` on an error.

        Keyword arguments are merged into ``params`` (``call("container.create", name="x")``).
        """
        if kw:
            params = dict(params or {}, **kw)
        return self.result_of(self.send_request(method, params))

    def pipeline(
        self, calls: Iterable[tuple[str, Optional[dict]]], *, window: int = MAX_IN_FLIGHT
    ) -> list[Any]:
        """Send many requests without waiting, at most ``window`` unanswered at a time.

        Returns one entry per call, in the order given: the result map, or the
        :class:`MedStoreError` the daemon answered with (not raised).
        """
        if not 1 <= window <= MAX_IN_FLIGHT:
            raise ValueError("window must be 1..64")
        ids: list[int] = []
        out: list[Any] = []
        done = 0

        def collect_one():
            nonlocal done
            try:
                out.append(self.result_of(ids[done]))
            except MedStoreError as e:
                if e.is_connection_error:
                    raise
                out.append(e)
            done += 1

        for method, params in calls:
            if len(ids) - done >= window:
                collect_one()
            ids.append(self.send_request(method, params))
        while done < len(ids):
            collect_one()
        return out

    # handshake ---------------------------------------------------------------------------------
    def hello(self, major: int = PROTOCOL_MAJOR, minor: int = PROTOCOL_MINOR, client: Optional[str] = "medstore-interop/1") -> dict:
        """Do the ``hello`` exchange and return its result; check the daemon's major version."""
        params: dict = {"protocolMajor": major, "protocolMinor": minor}
        if client is not None:
            params["client"] = client
        result = self.call("hello", params)
        if result.get("protocolMajor") != PROTOCOL_MAJOR and major == PROTOCOL_MAJOR:
            raise ProtocolViolation(
                f"daemon speaks protocol {result.get('protocolMajor')}.x, this client {PROTOCOL_MAJOR}.x"
            )
        return result


class MedStoreClient(Connection):
    """A connected, handshaken client: ``MedStoreClient(path).call("status")``.

    The ``hello`` result is kept in :attr:`server_hello`.
    """

    def __init__(self, path: Optional[str] = None, *, timeout: float = 10.0, on_reply=None, client_name: str = "medstore-interop/1"):
        super().__init__(path, timeout=timeout, on_reply=on_reply)
        try:
            self.server_hello = self.hello(client=client_name)
        except BaseException:
            self.close()
            raise
