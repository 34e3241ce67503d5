"""Hostile and broken clients: each gets a typed error or a closed connection, never a crash or a
hung daemon, and afterwards a fresh client is still served."""

import random
import socket
import struct
import threading
import time

import cbor2
import pytest

from medstore_client import Connection, MedStoreClient, MedStoreError, encode_frame


def assert_serving(daemon):
    assert daemon.alive(), f"medstored died:\n{daemon.log()[-3000:]}"
    with MedStoreClient(daemon.socket_path, timeout=5) as c:
        assert c.call("status")["protocolVersion"] == "1.2"


def expect_connection_error(conn, code="protocolError", timeout=5.0):
    """The next message is an id-0 error with ``code``, then the daemon closes."""
    conn.sock.settimeout(timeout)
    msg = conn.read_message()
    assert msg["id"] == 0, f"connection-level error must have id 0: {msg}"
    assert msg["error"]["code"] == code, msg
    assert conn.wait_closed(timeout), "daemon did not close the connection"
    return msg


def hello(conn):
    conn.hello()
    return conn


def payload_of(obj):
    return cbor2.dumps(obj)


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


# --- garbage ------------------------------------------------------------------------------------


@pytest.mark.parametrize("after_hello", [False, True], ids=["before-hello", "after-hello"])
def test_http_request_is_refused(daemon, after_hello):
    conn = daemon.connection()
    if after_hello:
        hello(conn)
    conn.send_raw(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")  # 'GET ' = a 1.2 GB length
    expect_connection_error(conn)
    assert_serving(daemon)


def test_random_garbage(daemon):
    rng = random.Random(7)
    for _ in range(5):
        data = bytes([0x80 | rng.randrange(128)]) + rng.randbytes(4095)
        conn = daemon.connection()
        try:
            conn.send_raw(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        expect_connection_error(conn)
    assert_serving(daemon)


BAD_PAYLOADS = {
    "not-cbor": b"\xff\xfe\xfd\xfc",
    "reserved-info": b"\x1c",
    "truncated-item": b"\xa3\x62id\x01",
    "array-not-map": payload_of([1, 2, 3]),
    "text-not-map": payload_of("hello"),
    "trailing-bytes": payload_of({"id": 1, "method": "status"}) + b"\x00",
    "indefinite-map": b"\xbf\x62id\x01\x66method\x66status\xff",
    "indefinite-text": b"\xa2\x62id\x01\x66method\x7f\x63sta\x63tus\xff",
    "integer-key": b"\xa2\x01\x01\x66method\x66status",
    "missing-id": payload_of({"method": "status"}),
    "negative-id": payload_of({"id": -1, "method": "status"}),
    "text-id": payload_of({"id": "1", "method": "status"}),
    "missing-method": payload_of({"id": 1}),
    "integer-method": payload_of({"id": 1, "method": 5}),
}


@pytest.mark.parametrize("payload", list(BAD_PAYLOADS.values()), ids=list(BAD_PAYLOADS))
def test_broken_payload_after_hello(daemon, payload):
    conn = hello(daemon.connection())
    conn.send_raw(frame(payload))
    msg = conn.read_message()
    assert msg["error"]["code"] == "protocolError", msg
    assert msg["id"] in (0, 1), msg
    assert conn.wait_closed(5), "a protocolError closes the connection"
    assert_serving(daemon)


def test_params_not_a_map(daemon):
    conn = hello(daemon.connection())
    conn.send_message({"id": 3, "method": "container.create", "params": ["abc"]})
    msg = conn.read_message()
    assert msg["error"]["code"] in ("protocolError", "invalidArgument"), msg
    assert_serving(daemon)


# --- lengths -----------------------------------------------------------------------------------


def test_4gib_length_prefix(daemon):
    conn = hello(daemon.connection())
    before = daemon.rss_kb()
    conn.send_raw(b"\xff\xff\xff\xff" + b"\x00" * 64)
    msg = expect_connection_error(conn)
    assert msg["error"]["message"]
    time.sleep(0.2)
    after = daemon.rss_kb()
    assert after - before < 32 * 1024, f"RSS grew from {before} KiB to {after} KiB after a 4 GiB length prefix"
    assert_serving(daemon)


def test_4gib_length_prefix_before_hello(daemon):
    conn = daemon.connection()
    before = daemon.rss_kb()
    conn.send_raw(b"\xff\xff\xff\xff")
    expect_connection_error(conn)
    assert daemon.rss_kb() - before < 32 * 1024
    assert_serving(daemon)


def test_zero_length_frame(daemon):
    conn = hello(daemon.connection())
    conn.send_raw(b"\x00\x00\x00\x00")
    expect_connection_error(conn)
    assert_serving(daemon)


def _request_of_size(size: int, rid: int = 1) -> bytes:
    """A container.create payload of exactly ``size`` bytes (name of many 'a's)."""
    base = len(payload_of({"id": rid, "method": "container.create", "params": {"name": "a" * 100000}})) - 100000
    p = payload_of({"id": rid, "method": "container.create", "params": {"name": "a" * (size - base)}})
    assert len(p) == size
    return p


def _send_in_background(conn, data):
    def run():
        try:
            conn.sock.sendall(data)
        except OSError:
            pass

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_frame_of_exactly_1mib_is_accepted(daemon, account):
    conn = hello(daemon.connection())
    t = _send_in_background(conn, frame(_request_of_size(1048576, rid=5)))
    reply = conn.read_reply(5)
    t.join(10)
    assert reply["error"]["code"] == "invalidContainerName", reply
    assert conn.call("status")["protocolVersion"] == "1.2", "the connection stays usable"
    assert_serving(daemon)


def test_frame_just_over_1mib_is_protocol_error(daemon, account):
    conn = hello(daemon.connection())
    t = _send_in_background(conn, frame(_request_of_size(1048577, rid=5)))
    expect_connection_error(conn)
    t.join(10)
    assert_serving(daemon)


def test_huge_string_field(daemon, account):
    c = daemon.client()
    e = pytest.raises(MedStoreError, c.call, "container.create", {"name": "a" * 900_000}).value
    assert e.code == "invalidContainerName"
    assert len(e.message) < 10_000, "the error should not echo a 900 KB name"
    assert c.call("container.list")["containers"] == []
    assert c.call("status")["protocolVersion"] == "1.2"
    assert_serving(daemon)


def test_huge_note_and_blob_name(daemon, account):
    c = daemon.client()
    c.call("container.create", {"name": "big"})
    e = pytest.raises(MedStoreError, c.call, "token.blob", {"container": "big", "blob": "b" * 900_000, "options": {"permissions": "r", "ttlSeconds": 60}}).value
    assert e.code == "invalidBlobName"
    e = pytest.raises(MedStoreError, c.call, "ip.allow", {"address": "203.0.113.1", "note": "n" * 900_000}).value
    assert e.general_code == "invalidArgument"
    assert_serving(daemon)


# --- truncation and slow peers -----------------------------------------------------------------


def test_truncated_frame_then_hangup(daemon):
    conn = hello(daemon.connection())
    full = encode_frame({"id": 2, "method": "status"})
    conn.send_raw(struct.pack(">I", 200) + b"\xa2" + b"x" * 40)
    conn.close()
    conn2 = daemon.connection()
    conn2.send_raw(full[:7])
    conn2.close()
    assert_serving(daemon)


def test_truncated_frame_then_half_close(daemon):
    """After our write side closes mid-frame the daemon must close too, not wait forever."""
    conn = hello(daemon.connection())
    conn.send_raw(struct.pack(">I", 200) + b"\xa2" * 10)
    conn.sock.shutdown(socket.SHUT_WR)
    assert conn.wait_closed(5), "daemon kept a half-closed connection with a partial frame open"
    assert_serving(daemon)


def test_slow_client_one_byte_at_a_time(daemon):
    conn = daemon.connection()
    data = encode_frame({"id": 1, "method": "hello", "params": {"protocolMajor": 1, "protocolMinor": 0}}) + encode_frame(
        {"id": 2, "method": "status"}
    )
    for i, b in enumerate(data):
        conn.send_raw(bytes([b]))
        time.sleep(0.005)
        if i == len(data) // 2:
            assert_serving(daemon)  # others are served meanwhile
    assert conn.read_reply(1)["result"]["daemon"] == "medstored"
    assert "uptimeSeconds" in conn.read_reply(2)["result"]
    assert_serving(daemon)


# --- methods and fields ------------------------------------------------------------------------


def test_unknown_method(daemon):
    c = daemon.client()
    rid = c.send_request("container.frobnicate", {"x": 1})
    reply = c.read_reply(rid)
    assert reply["id"] == rid and reply["error"]["code"] == "unknownMethod", reply
    assert "container.frobnicate" in reply["error"]["message"]
    assert c.call("status")["protocolVersion"] == "1.2", "the connection stays usable"
    rid = c.send_request("", None)
    assert c.read_reply(rid)["error"]["code"] == "unknownMethod"
    assert_serving(daemon)


def test_missing_and_mistyped_fields(daemon, account):
    c = daemon.client()
    cases = [
        ("container.create", {}, "name"),
        ("container.create", None, "name"),
        ("container.create", {"name": 42}, "name"),
        ("container.create", {"name": True}, "name"),
        ("container.create", {"name": None}, "name"),
        ("container.show", {"name": ["abc"]}, "name"),
        ("container.list", {"limit": "10"}, "limit"),
        ("container.list", {"limit": -1}, "limit"),
        ("container.list", {"prefix": 7}, "prefix"),
        ("ip.allow", {}, "address"),
        ("ip.allow", {"address": 3232235777}, "address"),
        ("ip.remove", {"rule": 5}, "rule"),
        ("keys.regenerate", {"key": "secondary", "force": "yes"}, "force"),
        ("token.container", {"container": "abc", "options": "r"}, "options"),
        ("token.container", {"container": "abc", "options": {"permissions": "r", "ttlSeconds": "60"}}, "ttlSeconds"),
        ("token.container", {"container": "abc", "options": {"permissions": "r", "ttlSeconds": 60, "httpsOnly": 1}}, "httpsOnly"),
        ("account.delete", {"confirmName": 1}, "confirmName"),
    ]
    for method, params, field in cases:
        rid = c.send_request(method, params)
        reply = c.read_reply(rid)
        err = reply.get("error")
        assert err is not None, (method, params, reply)
        assert err["code"] == "invalidArgument", (method, params, err)
        assert field in err["message"], f"{method} {params}: message does not name {field!r}: {err['message']!r}"
    assert c.call("container.list")["containers"] == []
    assert_serving(daemon)


def test_unknown_fields_ignored(daemon, account):
    c = daemon.client()
    r = c.call("container.create", {"name": "abc", "futureOption": {"nested": [1, 2]}, "x": None})
    assert r["name"] == "abc"


# --- CBOR limits -------------------------------------------------------------------------------


def _nested(depth: int):
    v = 1
    for _ in range(depth):
        v = [v]
    return v


@pytest.mark.parametrize("arrays", [100, 8], ids=["100-levels", "10-levels"])
def test_deep_nesting_is_protocol_error(daemon, arrays):
    conn = hello(daemon.connection())
    # envelope map + params map + `arrays` arrays
    conn.send_raw(frame(payload_of({"id": 1, "method": "container.create", "params": {"name": _nested(arrays)}})))
    expect_connection_error(conn)
    assert_serving(daemon)


def test_nesting_within_limit_is_not_a_protocol_error(daemon, account):
    c = daemon.client()
    # envelope(1) params(2) + 6 arrays = 8 levels: decodes; the field is merely mistyped
    rid = c.send_request("container.create", {"name": _nested(6)})
    err = c.read_reply(rid)["error"]
    assert err["code"] == "invalidArgument" and "name" in err["message"], err
    assert c.call("status")
    assert_serving(daemon)


@pytest.mark.parametrize(
    "params",
    [
        {"name": [0] * 10_001},
        {"name": {f"k{i}": 0 for i in range(10_001)}},
        {f"f{j}": [0] * 10_000 for j in range(11)},
    ],
    ids=["array-10001", "map-10001", "110000-items"],
)
def test_too_many_items_is_protocol_error(daemon, params):
    conn = hello(daemon.connection())
    conn.send_raw(frame(payload_of({"id": 1, "method": "container.create", "params": params})))
    expect_connection_error(conn)
    assert_serving(daemon)


def test_array_claiming_huge_count(daemon):
    """An array head claiming 2^32 items in a tiny payload: refused without allocating."""
    conn = hello(daemon.connection())
    before = daemon.rss_kb()
    conn.send_raw(frame(b"\xa3\x62id\x01\x66method\x66status\x66params\x9b\x00\x00\x00\x01\x00\x00\x00\x00"))
    expect_connection_error(conn)
    assert daemon.rss_kb() - before < 32 * 1024
    assert_serving(daemon)


@pytest.mark.parametrize("where", ["value", "method", "key"])
def test_invalid_utf8(daemon, account, where):
    conn = hello(daemon.connection())
    good = payload_of({"id": 9, "method": "container.create", "params": {"name": "ZZZZ"}})
    if where == "value":
        bad = good.replace(b"\x64ZZZZ", b"\x64\xff\xfe\xc3\x28")
    elif where == "method":
        bad = good.replace(b"\x70container.create", b"\x70container.cr\xc3\x28te")
    else:
        bad = good.replace(b"\x64name", b"\x64n\xedme")
    assert bad != good
    conn.send_raw(frame(bad))
    msg = conn.read_message()
    assert msg["error"]["code"] == "protocolError", msg
    assert msg["id"] in (0, 9), msg
    assert conn.wait_closed(5)
    with daemon.client() as c:
        assert c.call("container.list")["containers"] == []
    assert_serving(daemon)


# --- connections -------------------------------------------------------------------------------


def test_300_connections(daemon):
    conns, accepted, refused = [], [], []
    try:
        for i in range(300):
            conn = Connection(daemon.socket_path, timeout=10)
            conns.append(conn)
            try:
                conn.send_message({"id": 1, "method": "hello", "params": {"protocolMajor": 1, "protocolMinor": 0}})
            except (BrokenPipeError, ConnectionResetError):
                pass
            msg = conn.read_message()
            if "result" in msg:
                accepted.append(conn)
            else:
                assert msg["id"] == 0 and msg["error"]["code"] == "resourceExhausted", msg
                assert conn.wait_closed(5)
                refused.append(i)
        assert 250 <= len(accepted) <= 256, f"{len(accepted)} connections accepted (limit 256)"
        assert len(refused) == 300 - len(accepted)
        assert refused[0] >= 250, "early connections were refused"
        # the first ones keep working
        for conn in (accepted[0], accepted[len(accepted) // 2], accepted[-1]):
            assert conn.call("status")["protocolVersion"] == "1.2"
        # freeing a slot lets a new client in
        accepted.pop(0).close()
        deadline = time.monotonic() + 5
        while True:
            try:
                with MedStoreClient(daemon.socket_path, timeout=5) as c:
                    assert c.call("status")
                break
            except MedStoreError as e:
                assert e.code == "resourceExhausted"
                assert time.monotonic() < deadline, "a closed connection's slot was not freed"
                time.sleep(0.1)
    finally:
        for c in conns:
            c.close()
    time.sleep(0.3)
    assert_serving(daemon)


def test_flooding_client_does_not_block_others(daemon):
    """One client writes thousands of requests and never reads; another is still served."""
    flood = hello(daemon.connection(timeout=3))
    data = b"".join(encode_frame({"id": i, "method": "status"}) for i in range(1, 20001))
    t = _send_in_background(flood, data)
    time.sleep(0.5)
    t0 = time.monotonic()
    try:
        with MedStoreClient(daemon.socket_path, timeout=5) as c:
            c.call("status")
    except (TimeoutError, OSError) as e:
        raise AssertionError(
            f"a fresh client was not served within 5 s while another client sent 20,000 requests "
            f"without reading replies ({e!r})"
        ) from None
    assert time.monotonic() - t0 < 3, "a client that does not read its replies slowed others down"
    flood.close()
    t.join(15)
    assert_serving(daemon)


def test_many_short_connections(daemon):
    """200 connections opened and dropped at once (no hello): they are reaped quickly."""
    for _ in range(200):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(daemon.socket_path)
        s.close()
    t0 = time.monotonic()
    assert_serving(daemon)
    assert time.monotonic() - t0 < 5, "200 dropped connections stalled the daemon"
