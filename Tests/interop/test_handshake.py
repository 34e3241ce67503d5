"""hello: fields, ordering rule, version check; pipelining and id echo."""

import re
import time

from interop_support import BULK_WINDOW
from medstore_client import METHODS, MedStoreError


def _closed_error(conn, rid):
    """Read the error reply to ``rid`` (or the id-0 connection error) and require the close."""
    msg = conn.read_message()
    assert "error" in msg, msg
    assert msg["id"] in (rid, 0), f"error reply id {msg['id']} is neither the request's {rid} nor 0"
    assert conn.wait_closed(5.0), "daemon did not close the connection after the error"
    return msg


def test_hello_result_fields(daemon):
    conn = daemon.connection()
    r = conn.hello()
    assert r["daemon"] == "medstored"
    assert isinstance(r["daemonVersion"], str) and re.match(r"^\d+\.\d+\.\d+", r["daemonVersion"]), r
    assert r["protocolMajor"] == 1
    assert isinstance(r["protocolMinor"], int) and r["protocolMinor"] >= 0
    assert r["maxFrameBytes"] == 1048576
    assert r["maxInFlight"] == 64
    assert isinstance(r["methods"], list) and all(isinstance(m, str) for m in r["methods"])
    missing = set(METHODS) - set(r["methods"])
    assert not missing, f"hello does not list methods of the spec: {sorted(missing)}"
    assert len(r["methods"]) == len(set(r["methods"])), "duplicate method names"
    # the connection is usable after hello
    assert conn.call("status")["protocolVersion"] == "1.2"


def test_hello_without_optional_client_field(daemon):
    conn = daemon.connection()
    assert conn.hello(client=None)["protocolMajor"] == 1


def test_hello_from_newer_minor_is_fine(daemon):
    conn = daemon.connection()
    assert conn.hello(minor=7)["protocolMajor"] == 1
    assert "daemonVersion" in conn.call("status")


def test_hello_ignores_unknown_fields(daemon):
    conn = daemon.connection()
    rid = conn.send_request("hello", {"protocolMajor": 1, "protocolMinor": 0, "futureField": [1, 2, 3]})
    assert conn.result_of(rid)["daemon"] == "medstored"
    # unknown envelope fields too
    conn.send_message({"id": 77, "method": "status", "params": None, "trace": "abc"})
    assert "uptimeSeconds" in conn.result_of(77)


def test_request_before_hello_is_protocol_error_and_closes(daemon):
    conn = daemon.connection()
    conn.send_request("status", id=5)
    msg = _closed_error(conn, 5)
    assert msg["error"]["code"] == "protocolError"
    assert "hello" in msg["error"]["message"].lower()
    # the daemon still serves others
    assert daemon.client().call("status")["protocolVersion"] == "1.2"


def test_unknown_method_before_hello_is_protocol_error(daemon):
    conn = daemon.connection()
    conn.send_request("container.list", {}, id=9)
    assert _closed_error(conn, 9)["error"]["code"] == "protocolError"


def test_hello_major_2_is_unsupported_version_and_closes(daemon):
    conn = daemon.connection()
    rid = conn.send_request("hello", {"protocolMajor": 2, "protocolMinor": 0, "client": "future/9"})
    msg = _closed_error(conn, rid)
    assert msg["error"]["code"] == "unsupportedVersion"
    assert "1" in msg["error"]["message"], "message should say which major version the daemon speaks"


def test_hello_major_0_is_unsupported_version(daemon):
    conn = daemon.connection()
    rid = conn.send_request("hello", {"protocolMajor": 0, "protocolMinor": 9})
    assert _closed_error(conn, rid)["error"]["code"] == "unsupportedVersion"


def test_hello_without_protocol_major_is_rejected(daemon):
    conn = daemon.connection()
    rid = conn.send_request("hello", {"protocolMinor": 0})
    msg = conn.read_message()
    assert msg["id"] in (rid, 0)
    assert msg["error"]["code"] in ("invalidArgument", "protocolError"), msg
    assert "protocolMajor" in msg["error"]["message"]


def test_pipelined_requests_matched_by_id(daemon, account):
    conn = daemon.connection()
    ids = [2**64 - 1, 1, 2**32, 2**32 - 1, 65535, 65536, 24, 23, 256, 42]
    # hello and ten requests in ONE write, without waiting for anything
    frames = [{"id": 999, "method": "hello", "params": {"protocolMajor": 1, "protocolMinor": 0}}]
    for i, rid in enumerate(ids):
        if i % 3 == 0:
            frames.append({"id": rid, "method": "container.show", "params": {"name": f"nope{i}"}})
        elif i % 3 == 1:
            frames.append({"id": rid, "method": "status"})
        else:
            frames.append({"id": rid, "method": "container.create", "params": {"name": f"pipe-{i}"}})
    from medstore_client import encode_frame

    conn.send_raw(b"".join(encode_frame(f) for f in frames))
    got = {}
    for _ in range(len(frames)):
        msg = conn.read_message()
        assert msg["id"] not in got, f"id {msg['id']} answered twice"
        got[msg["id"]] = msg
    assert set(got) == set(ids) | {999}
    for i, rid in enumerate(ids):
        msg = got[rid]
        if i % 3 == 0:
            assert msg["error"]["code"] == "containerNotFound", msg
            assert f"nope{i}" in msg["error"]["message"]
        elif i % 3 == 1:
            assert "uptimeSeconds" in msg["result"]
        else:
            assert msg["result"]["name"] == f"pipe-{i}"


def test_pipeline_helper_many_requests(daemon, account):
    c = daemon.client()
    results = c.pipeline([("container.create", {"name": f"p{i:04d}"}) for i in range(300)], window=BULK_WINDOW)
    assert [r["name"] for r in results] == [f"p{i:04d}" for i in range(300)]
    assert c.call("account.show")["containerCount"] == 300


def test_64_unanswered_requests_are_allowed(daemon):
    """Keeping exactly 64 requests unanswered (the spec's maximum) is never refused: a request
    counts as answered once its reply has been received."""
    c = daemon.client()
    results = c.pipeline([("status", None) for _ in range(3000)], window=64)
    refused = [r for r in results if isinstance(r, MedStoreError)]
    assert not refused, f"{len(refused)} of 3000 requests refused with window 64: {refused[0]}"
    # the strict form: 64 sent, one reply read, one more sent -- repeated
    for _ in range(50):
        ids = [c.send_request("status") for _ in range(64)]
        c.result_of(ids[0])
        ids.append(c.send_request("status"))
        for rid in ids[1:]:
            assert "uptimeSeconds" in c.result_of(rid)


def test_ids_reused_after_reply(daemon):
    c = daemon.client()
    for _ in range(3):
        rid = c.send_request("status", id=7)
        assert "uptimeSeconds" in c.result_of(rid)


def test_status_counts_requests(daemon):
    c = daemon.client()
    a = c.call("status")
    for _ in range(5):
        c.call("status")
    b = c.call("status")
    assert b["requestsServed"] >= a["requestsServed"] + 5
    assert b["accountPresent"] is False
    assert b.get("accountName") is None
    assert b["protocolVersion"] == "1.2"
    assert b["daemonVersion"] == c.server_hello["daemonVersion"]
    assert "127.0.0.0/8" in b["clusterNetworks"] and "::1/128" in b["clusterNetworks"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", b["startedAt"]), b["startedAt"]
    time.sleep(1.1)
    assert c.call("status")["uptimeSeconds"] >= 1


def test_error_replies_echo_ids(daemon):
    c = daemon.client()
    rid = c.send_request("account.show", id=2**63 + 5)
    reply = c.read_reply(rid)
    assert reply["id"] == 2**63 + 5
    assert reply["error"]["code"] == "accountNotFound"
    try:
        c.unwrap(reply)
    except MedStoreError as e:
        assert e.general_code == "notFound"
