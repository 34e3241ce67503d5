"""Hostile and broken input on the blob listener (raw sockets and requests): malformed request
lines, huge headers, bogus Content-Length and chunking, a client that disconnects mid-upload,
invalid and dot-dot blob names, bad block lists, Content-MD5 mismatches, and kill -9 during an
upload followed by a restart on the same state directory. After each, the daemon keeps serving."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import socket
import sqlite3
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
import requests
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.storage.blob import ContainerClient

from blob_support import *  # noqa: F401,F403 - fixtures and helpers
from blob_support import BlobDaemon, _start_daemon

C = "badinput"
H = {"x-ms-version": "2026-10-06"}
PUT_H = {"x-ms-version": "2026-10-06", "x-ms-blob-type": "BlockBlob"}
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def bd(blob_daemon):
    blob_daemon.create_container(C)
    blob_daemon.create_container("secretbox")
    blob_daemon.container_client("secretbox", "cw").upload_blob("secret", b"TOP SECRET")
    blob_daemon.container_client(C, "cw").upload_blob("canary", b"still here")
    blob_daemon.tok = blob_daemon.token(C, permissions="racwdl")["token"]
    return blob_daemon


def raw(bd, data: bytes, timeout: float = 10.0) -> dict:
    out = raw_http("127.0.0.1", bd.port, data, timeout=timeout)
    return parse_raw_response(out)


def req(bd, method: str, target: str, headers: dict = None, body: bytes = b"") -> bytes:
    h = {"Host": f"127.0.0.1:{bd.port}", **(headers or {})}
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return head.encode("latin-1") + body


def assert_serving(bd):
    """The daemon still answers a normal SDK request."""
    cc = ContainerClient.from_container_url(f"{bd.account_url}/{C}?{bd.tok}", retry_total=0)
    assert cc.download_blob("canary").readall() == b"still here"
    assert bd.alive()


def azure_raw_error(resp: dict, status, codes):
    codes = codes if isinstance(codes, tuple) else (codes,)
    assert resp["status"] == status, resp
    assert resp["headers"].get("x-ms-error-code") in codes, resp
    assert resp["headers"].get("x-ms-request-id"), resp
    assert b"<Code>" + resp["headers"]["x-ms-error-code"].encode() + b"</Code>" in resp["body"], resp


# --- request line and headers ---------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET /a b c HTTP/1.1\r\n\r\n",
    b"\x00\x01\x02\xff\r\n\r\n",
    b" GET / HTTP/1.1\r\n\r\n",
    b"GET / FTP/1.1\r\n\r\n",
    b"GET /medstoretest/badinput/\x01x HTTP/1.1\r\n\r\n",
], ids=["garbage", "no-target", "spaces", "binary", "leading-space", "not-http", "control-char"])
def test_malformed_request_line(bd, line):
    resp = raw(bd, line)
    assert resp["status"] == 400, resp
    assert resp["headers"].get("x-ms-error-code"), resp
    assert_serving(bd)


def test_unsupported_http_version(bd):
    resp = raw(bd, b"GET /medstoretest/badinput/canary HTTP/2.0\r\n\r\n")
    assert resp["status"] == 505, resp
    assert_serving(bd)


def test_unknown_method(bd):
    """Azure: UnsupportedHttpVerb is 405 Method Not Allowed."""
    resp = raw(bd, req(bd, "BREW", f"/{ACCOUNT}/{C}/canary?{bd.tok}"))
    azure_raw_error(resp, 405, "UnsupportedHttpVerb")
    assert_serving(bd)


def test_request_line_too_long(bd):
    resp = raw(bd, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n")
    assert resp["status"] == 414, resp
    assert_serving(bd)


@pytest.mark.parametrize("kind", ["one-100KB-header", "3000-headers", "100KB-split-over-sends"])
def test_huge_headers(bd, kind):
    if kind == "one-100KB-header":
        data = req(bd, "GET", f"/{ACCOUNT}/{C}/canary?{bd.tok}", {"X-Big": "a" * 100_000})
        resp = raw(bd, data)
    elif kind == "3000-headers":
        data = req(bd, "GET", f"/{ACCOUNT}/{C}/canary?{bd.tok}", {f"X-H{i}": "v" for i in range(3000)})
        resp = raw(bd, data)
    else:
        s = socket.create_connection(("127.0.0.1", bd.port), timeout=10)
        try:
            s.sendall(f"GET /{ACCOUNT}/{C}/canary?{bd.tok} HTTP/1.1\r\nHost: x\r\n".encode())
            out = b""
            try:
                for i in range(100):
                    s.sendall(f"X-Part-{i}: {'b' * 1000}\r\n".encode())
                    time.sleep(0.001)
                s.sendall(b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the daemon may answer and close before we finish
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    out += chunk
            except (ConnectionResetError, socket.timeout):
                pass
            resp = parse_raw_response(out)
        finally:
            s.close()
    azure_raw_error(resp, 431, ("RequestHeaderFieldsTooLarge",))
    assert_serving(bd)


# --- Content-Length and chunked bodies -----------------------------------------------------------


@pytest.mark.parametrize("cl", ["abc", "-1", "-5", "+5", "5, 6", "1e3", "0x10", " ", "99999999999999999999999"])
def test_bogus_content_length(bd, cl):
    name = f"cl-{uuid.uuid4().hex[:8]}"
    data = req(bd, "PUT", f"/{ACCOUNT}/{C}/{name}?{bd.tok}", {"x-ms-blob-type": "BlockBlob", "Content-Length": cl},
               b"hello")
    resp = raw(bd, data)
    assert resp["status"] == 400, resp
    assert resp["headers"].get("x-ms-error-code"), resp
    assert not blob_exists(bd, name)
    assert_serving(bd)


def test_two_different_content_lengths(bd):
    name = f"cl2-{uuid.uuid4().hex[:8]}"
    data = (f"PUT /{ACCOUNT}/{C}/{name}?{bd.tok} HTTP/1.1\r\nHost: x\r\nx-ms-blob-type: BlockBlob\r\n"
            "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!").encode()
    resp = raw(bd, data)
    assert resp["status"] == 400, resp
    assert not blob_exists(bd, name)
    assert_serving(bd)


def test_content_length_with_transfer_encoding(bd):
    """Both framings at once (request smuggling): refused, nothing stored."""
    name = f"te-cl-{uuid.uuid4().hex[:8]}"
    data = (f"PUT /{ACCOUNT}/{C}/{name}?{bd.tok} HTTP/1.1\r\nHost: x\r\nx-ms-blob-type: BlockBlob\r\n"
            "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").encode()
    resp = raw(bd, data)
    assert resp["status"] == 400, resp
    assert not blob_exists(bd, name)
    assert_serving(bd)


def test_bad_chunked_body(bd):
    name = f"chunk-{uuid.uuid4().hex[:8]}"
    data = req(bd, "PUT", f"/{ACCOUNT}/{C}/{name}?{bd.tok}",
               {"x-ms-blob-type": "BlockBlob", "Transfer-Encoding": "chunked"}, b"zz\r\nhello\r\n0\r\n\r\n")
    resp = raw(bd, data)
    assert resp["status"] == 400, resp
    assert not blob_exists(bd, name)
    # a well-formed chunked upload is accepted
    good = req(bd, "PUT", f"/{ACCOUNT}/{C}/{name}?{bd.tok}", {"x-ms-blob-type": "BlockBlob", "Transfer-Encoding": "chunked"},
               b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    assert raw(bd, good)["status"] == 201
    assert read_blob(bd, name) == b"hello world"


def test_body_shorter_than_content_length_then_disconnect(bd):
    """Half of a declared 10 MiB Put Blob, then the client goes away: no blob, no temp file."""
    name = f"half-{uuid.uuid4().hex[:8]}"
    s = socket.create_connection(("127.0.0.1", bd.port), timeout=10)
    try:
        s.sendall(req(bd, "PUT", f"/{ACCOUNT}/{C}/{name}?{bd.tok}",
                      {"x-ms-blob-type": "BlockBlob", "Content-Length": str(10 * MiB)}))
        chunk = os.urandom(MiB)
        for _ in range(5):
            s.sendall(chunk)
        # meanwhile everyone else is served
        assert_serving(bd)
        assert wait_until(lambda: bd.tmp_files(), 5), "the upload is not being streamed to blobs/tmp"
        assert not blob_exists(bd, name)
    finally:
        s.close()
    assert wait_until(lambda: not bd.tmp_files(), 10), f"temp files left behind: {bd.tmp_files()}"
    assert not blob_exists(bd, name)
    assert name not in list_names(bd)
    assert_serving(bd)


def test_idle_and_slow_clients_do_not_block_others(bd):
    """100 connections that send half a request line and stall; a normal client is still served."""
    socks = []
    try:
        for _ in range(100):
            s = socket.create_connection(("127.0.0.1", bd.port), timeout=10)
            s.sendall(b"GET /medstoretest/badinp")
            socks.append(s)
        t0 = time.monotonic()
        assert_serving(bd)
        assert time.monotonic() - t0 < 5
    finally:
        for s in socks:
            s.close()


def test_many_concurrent_connections(bd):
    """300 connections open at once, each with a request in flight: all are answered."""
    n = 300
    socks = []
    try:
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", bd.port), timeout=20)
            socks.append(s)
        for s in socks:
            s.sendall(req(bd, "GET", f"/{ACCOUNT}/{C}/canary?{bd.tok}", {"Connection": "close"}))
        ok = 0
        for s in socks:
            out = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
            resp = parse_raw_response(out)
            ok += resp["status"] == 200 and resp["body"] == b"still here"
        assert ok == n
    finally:
        for s in socks:
            s.close()
    assert_serving(bd)


# --- names ------------------------------------------------------------------------------------------


def blob_exists(bd, name: str) -> bool:
    r = requests.head(bd.url(C, name, bd.tok), headers=H, timeout=10)
    assert r.status_code in (200, 404), (r.status_code, r.headers)
    return r.status_code == 200


def read_blob(bd, name: str) -> bytes:
    r = requests.get(bd.url(C, name, bd.tok), headers=H, timeout=10)
    assert r.status_code == 200, r.text[:300]
    return r.content


def list_names(bd, container: str = C) -> list:
    tok = bd.tok if container == C else bd.token(container, permissions="l")["token"]
    return [b.name for b in ContainerClient.from_container_url(f"{bd.account_url}/{container}?{tok}",
                                                               retry_total=0).list_blobs()]


def test_blob_name_too_long(bd):
    name = "n" * 1025
    r = requests.put(bd.url(C, name, bd.tok), data=b"x", headers=PUT_H, timeout=10)
    assert_azure_error(r, 400, ("OutOfRangeInput", "InvalidResourceName"))
    r = requests.get(bd.url(C, name, bd.tok), headers=H, timeout=10)
    assert r.status_code == 400
    assert not any(len(n) > 1024 for n in list_names(bd))
    # exactly 1024 characters is fine, also when they take 2 bytes each in UTF-8
    for ok in ("m" * 1024, "é" * 1024):
        r = requests.put(bd.url(C, ok, bd.tok), data=b"max", headers=PUT_H, timeout=10)
        assert r.status_code == 201, (len(ok.encode()), r.status_code, r.text[:300])
        assert read_blob(bd, ok) == b"max"
        assert ok in list_names(bd)
    assert_serving(bd)


def test_empty_blob_name(bd):
    r = requests.put(f"{bd.account_url}/{C}/?{bd.tok}", data=b"x", headers=PUT_H, timeout=10)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert r.headers.get("x-ms-error-code")
    assert "" not in list_names(bd)
    assert_serving(bd)


def _files_outside(state_dir: Path) -> set:
    """Every file under the daemon's work dir that is not under the state dir."""
    root = state_dir.parent
    return {str(p) for p in root.rglob("*") if p.is_file() and state_dir not in p.parents}


@pytest.mark.parametrize("encode_dots", [False, True], ids=["literal-dots", "percent-encoded-dots"])
def test_dot_dot_names_stay_inside(bd, encode_dots):
    tag = uuid.uuid4().hex[:10]
    target = Path(f"/tmp/ms-escape-{tag}")
    name = f"a/../../../../../../../../../../tmp/ms-escape-{tag}"
    path = name.replace("..", "%2E%2E") if encode_dots else name
    before = _files_outside(bd.state_dir)
    resp = raw(bd, req(bd, "PUT", f"/{ACCOUNT}/{C}/{path}?{bd.tok}",
                       {"x-ms-blob-type": "BlockBlob", "Content-Length": "7"}, b"escaped"))
    assert resp["status"] in (201, 400), resp
    assert not target.exists(), f"{target} was written outside the state dir"
    assert _files_outside(bd.state_dir) == before
    if resp["status"] == 201:
        # stored under exactly that (decoded) name, and readable back with the same path
        got = raw(bd, req(bd, "GET", f"/{ACCOUNT}/{C}/{path}?{bd.tok}"))
        assert got["status"] == 200 and got["body"] == b"escaped", got
        assert name in list_names(bd)
    else:
        assert resp["headers"].get("x-ms-error-code")
    assert_serving(bd)


@pytest.mark.parametrize("path", ["../secretbox/secret", "%2E%2E/secretbox/secret", "x/../../secretbox/secret"])
def test_dot_dot_cannot_reach_another_container(bd, path):
    """A container SAS for badinput with '..' in the blob path never reaches secretbox's blob:
    the name is refused or taken literally, inside badinput."""
    got = raw(bd, req(bd, "GET", f"/{ACCOUNT}/{C}/{path}?{bd.tok}"))
    assert got["body"] != b"TOP SECRET", got
    put = raw(bd, req(bd, "PUT", f"/{ACCOUNT}/{C}/{path}?{bd.tok}",
                      {"x-ms-blob-type": "BlockBlob", "Content-Length": "5"}, b"owned"))
    assert put["status"] in (201, 400, 403), put
    if put["status"] == 201:
        literal = urllib.parse.unquote(path)
        assert literal in list_names(bd)
        got = raw(bd, req(bd, "GET", f"/{ACCOUNT}/{C}/{path}?{bd.tok}"))
        assert got["status"] == 200 and got["body"] == b"owned", got
    r = requests.get(f"{bd.account_url}/secretbox/secret?{bd.token('secretbox', 'secret', permissions='r')['token']}",
                     headers=H, timeout=10)
    assert r.content == b"TOP SECRET"
    assert list_names(bd, "secretbox") == ["secret"]


def test_dot_dot_name_with_the_sdk(bd):
    """The SDK (urllib3) collapses the dot segments itself: the request is refused cleanly or
    stored under a name inside the container; nothing is written outside the state dir."""
    before = _files_outside(bd.state_dir)
    cc = ContainerClient.from_container_url(f"{bd.account_url}/{C}?{bd.tok}", retry_total=0)
    try:
        cc.upload_blob("a/../../../../etc/x", b"dots", overwrite=True)
    except HttpResponseError as e:
        assert 400 <= e.status_code < 500, e
    assert not Path("/etc/x").exists()
    assert _files_outside(bd.state_dir) == before
    assert_serving(bd)


@pytest.mark.parametrize("account", ["otheraccount", "etc", "medstoretest2"])
def test_wrong_account_in_path(bd, account):
    """The account segment must be the account: a valid SAS does not work under another name."""
    r = requests.get(f"http://127.0.0.1:{bd.port}/{account}/{C}/canary?{bd.tok}", headers=H, timeout=10)
    assert r.status_code in (400, 403, 404), (r.status_code, r.text[:200])
    assert r.content != b"still here"
    r = requests.put(f"http://127.0.0.1:{bd.port}/{account}/{C}/newblob?{bd.tok}", data=b"x", headers=PUT_H, timeout=10)
    assert r.status_code in (400, 403, 404), (r.status_code, r.text[:200])
    assert not blob_exists(bd, "newblob")


@pytest.mark.parametrize("headers,code", [
    ({"x-ms-meta-1abc": "v"}, "InvalidMetadata"),
    ({"x-ms-meta-a-b": "v"}, "InvalidMetadata"),
    ({"x-ms-meta-": "v"}, "InvalidMetadata"),
    # Azure's code table has MetadataTooLarge; which of the two the service sends here is not documented
    ({f"x-ms-meta-k{i}": "v" * 600 for i in range(15)}, ("MetadataTooLarge", "InvalidMetadata")),
], ids=["digit-first", "hyphen", "empty-name", "over-8KiB"])
def test_invalid_metadata(bd, headers, code):
    """Metadata names are C# identifiers; names and values together at most 8 KiB."""
    name = f"meta-{uuid.uuid4().hex[:8]}"
    r = requests.put(bd.url(C, name, bd.tok), data=b"x", headers={**PUT_H, **headers}, timeout=10)
    assert_azure_error(r, 400, code)
    assert not blob_exists(bd, name)
    assert requests.put(bd.url(C, name, bd.tok), data=b"x", headers=PUT_H, timeout=10).status_code == 201
    r = requests.put(bd.url(C, name, bd.tok) + "&comp=metadata", headers={**H, **headers}, timeout=10)
    assert_azure_error(r, 400, code)


# --- blocks and MD5 -------------------------------------------------------------------------------


def test_put_block_list_unknown_block(bd):
    cc = ContainerClient.from_container_url(f"{bd.account_url}/{C}?{bd.tok}", retry_total=0)
    bc = cc.get_blob_client("blocks/unknown")
    bc.stage_block("blk-1", b"one")
    with pytest.raises(HttpResponseError) as ei:
        bc.commit_block_list(["blk-1", "blk-9"])
    assert ei.value.status_code == 400
    assert error_code_of(ei.value) == "InvalidBlockList"
    assert not bc.exists()
    # the staged block survives the failed commit
    assert [b.id for b in bc.get_block_list("uncommitted")[1]] == ["blk-1"]
    bc.commit_block_list(["blk-1"])
    assert bc.download_blob().readall() == b"one"


def test_put_block_list_malformed_xml(bd):
    for body in (b"<BlockList><Latest>", b"not xml at all", b"<Other/>"):
        r = requests.put(bd.url(C, "blocks/badxml", bd.tok) + "&comp=blocklist", data=body, headers=H, timeout=10)
        assert r.status_code == 400, (body, r.status_code, r.text[:300])
        assert r.headers.get("x-ms-error-code") in ("InvalidXmlDocument", "InvalidBlockList", "InvalidInput"), r.headers
    assert not blob_exists(bd, "blocks/badxml")


def test_block_id_rules(bd):
    url = bd.url(C, "blocks/ids", bd.tok)
    r = requests.put(url + "&comp=block&blockid=%21%21notbase64", data=b"x", headers=H, timeout=10)
    assert r.status_code == 400, r.text[:300]
    long_id = urllib.parse.quote(base64.b64encode(b"x" * 65).decode(), safe="")
    r = requests.put(url + f"&comp=block&blockid={long_id}", data=b"x", headers=H, timeout=10)
    assert r.status_code == 400, r.text[:300]
    a = urllib.parse.quote(base64.b64encode(b"aaaa").decode(), safe="")
    b = urllib.parse.quote(base64.b64encode(b"bbbbbbbb").decode(), safe="")
    assert requests.put(url + f"&comp=block&blockid={a}", data=b"x", headers=H, timeout=10).status_code == 201
    r = requests.put(url + f"&comp=block&blockid={b}", data=b"y", headers=H, timeout=10)
    # all ids of one blob have the same length; Azure answers a different one with
    # 400 InvalidBlobOrBlock ("The specified blob or block content is invalid.")
    assert_azure_error(r, 400, "InvalidBlobOrBlock")
    assert_serving(bd)


def test_content_md5_mismatch_put_blob(bd):
    name = f"md5-{uuid.uuid4().hex[:8]}"
    data = b"the real body"
    h = {**PUT_H, "Content-MD5": md5_b64(b"something else")}
    r = requests.put(bd.url(C, name, bd.tok), data=data, headers=h, timeout=10)
    assert_azure_error(r, 400, "Md5Mismatch")
    assert not blob_exists(bd, name)
    # a mismatching overwrite leaves the old content
    assert requests.put(bd.url(C, name, bd.tok), data=b"v1", headers=PUT_H, timeout=10).status_code == 201
    r = requests.put(bd.url(C, name, bd.tok), data=data, headers=h, timeout=10)
    assert_azure_error(r, 400, "Md5Mismatch")
    assert read_blob(bd, name) == b"v1"
    # the right MD5 is accepted and echoed; a 10 MiB body too (computed while streaming)
    big = os.urandom(10 * MiB)
    r = requests.put(bd.url(C, name, bd.tok), data=big, headers={**PUT_H, "Content-MD5": md5_b64(big)}, timeout=30)
    assert r.status_code == 201, r.text[:300]
    assert r.headers.get("Content-MD5") == md5_b64(big)
    assert hashlib.sha256(read_blob(bd, name)).digest() == hashlib.sha256(big).digest()
    r = requests.put(bd.url(C, name, bd.tok), data=big[:-1] + b"\0", headers={**PUT_H, "Content-MD5": md5_b64(big)},
                     timeout=30)
    assert_azure_error(r, 400, "Md5Mismatch")
    assert wait_until(lambda: not bd.tmp_files(), 5), bd.tmp_files()


def test_content_md5_malformed(bd):
    name = f"md5bad-{uuid.uuid4().hex[:8]}"
    r = requests.put(bd.url(C, name, bd.tok), data=b"x", headers={**PUT_H, "Content-MD5": "not-an-md5"}, timeout=10)
    assert r.status_code == 400, r.text[:300]
    assert r.headers.get("x-ms-error-code") in ("InvalidMd5", "InvalidHeaderValue", "Md5Mismatch")
    assert not blob_exists(bd, name)


def test_content_md5_mismatch_put_block(bd):
    url = bd.url(C, "blocks/md5", bd.tok)
    bid = urllib.parse.quote(base64.b64encode(b"blk-md5").decode(), safe="")
    r = requests.put(url + f"&comp=block&blockid={bid}", data=b"block", headers={**H, "Content-MD5": md5_b64(b"other")},
                     timeout=10)
    assert_azure_error(r, 400, "Md5Mismatch")
    r = requests.get(url + "&comp=blocklist&blocklisttype=all", headers=H, timeout=10)
    assert b"blk-md5" not in r.content and base64.b64encode(b"blk-md5") not in r.content


def test_sdk_validate_content(bd):
    cc = ContainerClient.from_container_url(f"{bd.account_url}/{C}?{bd.tok}", retry_total=0,
                                            max_single_put_size=MiB, max_block_size=256 * 1024)
    data = os.urandom(2 * MiB + 1)
    cc.upload_blob("md5/validated", data, validate_content=True, overwrite=True)
    assert cc.download_blob("md5/validated", validate_content=True).readall() == data


# --- kill -9 during an upload, then restart ----------------------------------------------------------


def test_kill9_during_upload_then_restart():
    bd = _start_daemon(containers=[C])
    restarted = None
    try:
        cc = bd.container_client(C, "racwdl", ttl="1h")
        token = cc.url.split("?", 1)[1]
        earlier = {"small": os.urandom(10), "medium": os.urandom(MiB), "empty": b""}
        for n, d in earlier.items():
            cc.upload_blob(n, d)
        blocks = bd.container_client(C, "racwdl", max_single_put_size=MiB, max_block_size=512 * 1024)
        earlier["blocks"] = os.urandom(3 * MiB)
        blocks.upload_blob("blocks", earlier["blocks"])
        cc.get_blob_client("staged-only").stage_block("s-1", b"uncommitted")

        # a 40 MiB Put Blob that stops after 12 MiB, and a Put Block that stops half way
        s = socket.create_connection(("127.0.0.1", bd.port), timeout=10)
        s.sendall((f"PUT /{ACCOUNT}/{C}/partial?{token} HTTP/1.1\r\nHost: x\r\nx-ms-blob-type: BlockBlob\r\n"
                   f"Content-Length: {40 * MiB}\r\n\r\n").encode())
        for _ in range(12):
            s.sendall(os.urandom(MiB))
        s2 = socket.create_connection(("127.0.0.1", bd.port), timeout=10)
        bid = urllib.parse.quote(base64.b64encode(b"half-block").decode(), safe="")
        s2.sendall((f"PUT /{ACCOUNT}/{C}/partial-block?comp=block&blockid={bid}&{token} HTTP/1.1\r\nHost: x\r\n"
                    f"Content-Length: {8 * MiB}\r\n\r\n").encode() + os.urandom(4 * MiB))
        assert wait_until(lambda: len(bd.tmp_files()) >= 1, 5), "uploads are not streamed to blobs/tmp"
        bd.kill9()
        s.close()
        s2.close()
        bd.check_log()  # no key and no signature in what it logged before it died
        left = bd.tmp_files()
        assert left, "kill -9 mid-upload left no temp file: nothing for the sweep to do"

        restarted = BlobDaemon(workdir=bd.workdir, state_dir=bd.state_dir)
        restarted.start()
        assert wait_until(lambda: not restarted.tmp_files(), 5), f"temp files not swept: {restarted.tmp_files()}"
        cc2 = restarted.container_client(C, "racwdl")
        names = sorted(b.name for b in cc2.list_blobs())
        assert names == sorted(earlier), names
        for n, d in earlier.items():
            assert hashlib.sha256(cc2.download_blob(n).readall()).digest() == hashlib.sha256(d).digest(), n
        assert not cc2.get_blob_client("partial").exists()
        with pytest.raises(ResourceNotFoundError):  # no blob and no staged block under that name
            cc2.get_blob_client("partial-block").get_block_list("all")
        # the staged block of before the crash is still staged and can be committed
        staged = cc2.get_blob_client("staged-only")
        assert [b.id for b in staged.get_block_list("uncommitted")[1]] == ["s-1"]
        # no orphaned data: the files under blobs/ hold no more than the blobs' bytes (+ that block)
        on_disk = sum(p.stat().st_size for p in (restarted.state_dir / "blobs").rglob("*") if p.is_file())
        assert on_disk <= sum(len(d) for d in earlier.values()) + len(b"uncommitted"), on_disk
        # new writes work after the restart
        cc2.upload_blob("after", b"after restart")
        assert cc2.download_blob("after").readall() == b"after restart"

        restarted.stop()
        snap = Path(tempfile.mkdtemp(prefix="ms-db-"))
        try:
            for p in restarted.state_dir.iterdir():
                if p.name.startswith("medstore.db"):
                    shutil.copy2(p, snap / p.name)
            con = sqlite3.connect(snap / "medstore.db")
            try:
                assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            finally:
                con.close()
        finally:
            shutil.rmtree(snap, ignore_errors=True)
    finally:
        if restarted is not None:
            restarted.cleanup()
        bd.cleanup()
