"""Protocol/vectors/frames.json checked by the independent client, offline and against the daemon."""

import json
import struct

import pytest

from interop_support import VECTORS
from medstore_client import FrameReader, ProtocolViolation, decode_payload, encode_frame

DOC = json.loads(VECTORS.read_text())
ALL = DOC["vectors"]


def test_vector_file_shape():
    assert DOC["protocol"] == "1.0"
    names = [v["name"] for v in ALL]
    assert len(names) == len(set(names)) and len(names) >= 10


@pytest.mark.parametrize("vec", ALL, ids=[v["name"] for v in ALL])
def test_vector_decodes(vec):
    frame = bytes.fromhex(vec["hex"])
    (length,) = struct.unpack(">I", frame[:4])
    assert length == len(frame) - 4, "length prefix must equal the payload size"
    assert 1 <= length <= 1048576
    # whole, and delivered one byte at a time: same single payload
    assert FrameReader().feed(frame) == [frame[4:]]
    reader, got = FrameReader(), []
    for b in frame:
        got += reader.feed(bytes([b]))
    assert got == [frame[4:]] and reader.pending == 0
    assert decode_payload(frame[4:]) == vec["decoded"]


@pytest.mark.parametrize("vec", [v for v in ALL if v.get("canonical")], ids=lambda v: v["name"])
def test_vector_encodes(vec):
    assert encode_frame(vec["decoded"]).hex() == vec["hex"]


def test_vectors_coalesced_in_one_read():
    stream = b"".join(bytes.fromhex(v["hex"]) for v in ALL)
    payloads = FrameReader().feed(stream)
    assert [decode_payload(p) for p in payloads] == [v["decoded"] for v in ALL]


def test_frame_reader_refuses_bad_lengths():
    with pytest.raises(ProtocolViolation):
        FrameReader().feed(b"\x00\x00\x00\x00")
    with pytest.raises(ProtocolViolation):
        FrameReader().feed(struct.pack(">I", 1048577))
    # the maximum is allowed and waits for its bytes
    r = FrameReader()
    assert r.feed(struct.pack(">I", 1048576) + b"\xa0") == []


def test_daemon_answers_the_vector_requests(daemon):
    """The hello and status request frames, byte for byte as cbor2 wrote them, sent in one write."""
    by_name = {v["name"]: v for v in ALL}
    conn = daemon.connection()
    conn.send_raw(bytes.fromhex(by_name["hello request"]["hex"]) + bytes.fromhex(by_name["status request without params"]["hex"]))
    hello = conn.read_reply(1)
    assert hello["result"]["daemon"] == "medstored"
    assert hello["result"]["protocolMajor"] == 1
    status = conn.read_reply(2)
    assert "result" in status, status
    # the large-id keys.show request: answered (accountNotFound here) with the id echoed
    conn.send_raw(bytes.fromhex(by_name["large request id"]["hex"]))
    reply = conn.read_reply(2**64 - 1)
    assert reply["id"] == 2**64 - 1
    assert reply["error"]["code"] == "accountNotFound"
