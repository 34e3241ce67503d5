"""Helpers for the blob data-plane tests: a real ``medstored`` serving the Azure Blob REST API,
driven by the real Azure SDK (``azure-storage-blob``) and by raw HTTP.

Each test module starts its own daemon (:class:`BlobDaemon`) on a free loopback port picked here,
with no ``--blob-endpoint``, so the SAS URLs that ``medctl --json token ...`` prints point at the
bound port. The fixed account ``medstoretest`` is imported with ``medctl account import`` from
the known key pair in :mod:`interop_support`, so tests can also sign Shared Key requests (and,
where ``medctl`` refuses to issue a token, e.g. an already expired one, SAS tokens) themselves.

``stop()`` sends SIGTERM and requires exit 0, and checks that the daemon's log never holds a key
nor any ``sig=`` value (of a token this harness saw, or any at all).

``from blob_support import *`` brings in the fixtures ``blob_daemon`` (one per module) and
``fresh_blob_daemon`` (one per test).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import re
import shutil
import signal
import socket
import time
import urllib.parse
from datetime import datetime, timezone
from email.utils import formatdate
from pathlib import Path
from typing import Iterable, Optional

import pytest
import requests
from requests.adapters import HTTPAdapter

from interop_support import (
    ACCOUNT,
    PRIMARY_KEY,
    SECONDARY_KEY,
    Daemon,
    short_tmpdir,
)

__all__ = [
    "age_journal",
    "ACCOUNT",
    "PRIMARY_KEY",
    "SECONDARY_KEY",
    "BlobDaemon",
    "SourceAddressAdapter",
    "blob_daemon",
    "fresh_blob_daemon",
    "free_port",
    "fmt_time",
    "now_utc",
    "session_from",
    "sdk_transport_from",
    "shared_key_headers",
    "raw_http",
    "parse_raw_response",
    "sha256",
    "md5_b64",
    "error_code_of",
    "assert_azure_error",
    "wait_until",
]

#: SDK client options used everywhere: no retries (a daemon error shows at once instead of after
#: 15 s + 45 s of back-off), short timeouts.
SDK_OPTS = dict(retry_total=0, connection_timeout=10, read_timeout=60)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host`` (bind to 0, read it, close)."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def fmt_time(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def wait_until(pred, timeout: float = 5.0, interval: float = 0.05):
    """Poll ``pred`` until it returns something truthy (returned) or ``timeout`` passes (the
    last value is returned)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


# --- source addresses ------------------------------------------------------------------------------


class SourceAddressAdapter(HTTPAdapter):
    """A ``requests`` adapter whose connections are bound to a local source address (e.g.
    127.0.0.2), so the daemon sees that peer address."""

    def __init__(self, source: str, **kw):
        self.source = source
        super().__init__(**kw)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        pool_kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)


def session_from(source: Optional[str] = None, verify=None) -> requests.Session:
    """A ``requests.Session``; with ``source``, every connection comes from that address."""
    s = requests.Session()
    if source is not None:
        a = SourceAddressAdapter(source)
        s.mount("http://", a)
        s.mount("https://", a)
    if verify is not None:
        s.verify = verify
    return s


def sdk_transport_from(source: str, verify=None):
    """An azure-core transport whose requests come from ``source`` (give it as ``transport=``)."""
    from azure.core.pipeline.transport import RequestsTransport

    return RequestsTransport(session=session_from(source, verify), session_owner=True)


# --- errors --------------------------------------------------------------------------------------


def error_code_of(exc) -> Optional[str]:
    """The ``x-ms-error-code`` of an SDK ``HttpResponseError`` (header first, then ``error_code``)."""
    resp = getattr(exc, "response", None)
    if resp is not None:
        code = resp.headers.get("x-ms-error-code")
        if code:
            return code
    return getattr(exc, "error_code", None)


def assert_azure_error(resp: requests.Response, status: int, code, *, body: bool = True) -> None:
    """``resp`` is an Azure error: ``status``, ``x-ms-error-code`` (one of ``code`` if a tuple),
    ``x-ms-request-id``, and (unless HEAD) an XML body whose ``<Code>`` is the same code."""
    codes = code if isinstance(code, tuple) else (code,)
    got = resp.headers.get("x-ms-error-code")
    detail = f"{resp.request.method} {resp.request.url[:200]} -> {resp.status_code} {got!r} {resp.text[:600]!r}"
    assert resp.status_code == status, detail
    assert got in codes, detail
    assert resp.headers.get("x-ms-request-id"), detail
    if body and resp.request.method != "HEAD":
        m = re.search(r"<Code>([^<]*)</Code>", resp.text)
        assert m and m.group(1) == got, detail


# --- raw HTTP ------------------------------------------------------------------------------------


def raw_http(host: str, port: int, data: bytes, *, timeout: float = 10.0, source: Optional[str] = None,
             read: bool = True) -> bytes:
    """Send ``data`` on a fresh TCP connection and return everything read until the peer closes
    (or ``timeout``)."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        if source:
            s.bind((source, 0))
        s.connect((host, port))
        s.sendall(data)
        if not read:
            return b""
        out = bytearray()
        with contextlib.suppress(socket.timeout, ConnectionResetError):
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
                head = parse_raw_response(bytes(out), partial=True)
                if head and head["complete"]:
                    break
        return bytes(out)
    finally:
        s.close()


def parse_raw_response(data: bytes, partial: bool = False) -> Optional[dict]:
    """Parse one HTTP/1.1 response: ``{status, reason, headers (lower-case names), body, complete}``."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        if partial:
            return None
        raise AssertionError(f"no complete HTTP response head in {data[:300]!r}")
    lines = data[:end].decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3}) ?(.*)", lines[0])
    if not m:
        raise AssertionError(f"bad status line {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    body = data[end + 4:]
    n = int(headers.get("content-length", "0") or 0)
    return {"status": int(m.group(1)), "reason": m.group(2), "headers": headers, "body": body[:n],
            "complete": len(body) >= n}


# --- Shared Key (hand-signed, reference section 7) -----------------------------------------------


def shared_key_headers(method: str, url: str, *, key: str = PRIMARY_KEY, account: str = ACCOUNT,
                       headers: Optional[dict] = None, date: Optional[str] = None) -> dict:
    """Headers for a Shared Key request signed by hand (x-ms-date, x-ms-version, Authorization)."""
    h = {k: v for k, v in (headers or {}).items()}
    h["x-ms-date"] = date or formatdate(usegmt=True)
    h.setdefault("x-ms-version", "2026-10-06")
    lower = {k.lower(): str(v) for k, v in h.items()}
    cl = lower.get("content-length", "")
    std = [method, lower.get("content-encoding", ""), lower.get("content-language", ""),
           "" if cl == "0" else cl, lower.get("content-md5", ""), lower.get("content-type", ""),
           "", lower.get("if-modified-since", ""), lower.get("if-match", ""), lower.get("if-none-match", ""),
           lower.get("if-unmodified-since", ""), ""]
    xms = sorted((k, v) for k, v in lower.items() if k.startswith("x-ms-"))
    canon_headers = "".join(f"{k}:{v}\n" for k, v in xms)
    u = urllib.parse.urlsplit(url)
    resource = f"/{account}{u.path}"
    q: dict = {}
    for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True):
        q.setdefault(k.lower(), []).append(v)
    for k in sorted(q):
        resource += f"\n{k}:{','.join(sorted(q[k]))}"
    sts = "\n".join(std) + "\n" + canon_headers + resource
    sig = base64.b64encode(hmac.new(base64.b64decode(key), sts.encode(), hashlib.sha256).digest()).decode()
    h["Authorization"] = f"SharedKey {account}:{sig}"
    return h


# --- the daemon ----------------------------------------------------------------------------------


class BlobDaemon:
    """A real ``medstored`` with its blob listener on a free loopback port.

    Args:
        args: extra daemon arguments (``--cluster-network``, ``--tls-cert``...).
        host: the listener's address (``::1`` for IPv6).
        tls: True when ``--tls-cert``/``--tls-key`` are among ``args`` (URLs are then https).
        state_dir / socket_path / port: reuse these (restart on the same state).
    """

    def __init__(self, *, args: Iterable[str] = (), host: str = "127.0.0.1", tls: bool = False,
                 workdir: Optional[Path] = None, port: Optional[int] = None,
                 state_dir: Optional[Path] = None):
        self.own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir else Path(short_tmpdir())
        self.host = host
        self.port = port or free_port(host)
        hostport = f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"
        self.scheme = "https" if tls else "http"
        self.base_url = f"{self.scheme}://{hostport}"
        self.account_url = f"{self.base_url}/{ACCOUNT}"
        self.d = Daemon(self.workdir / f"run-{self.port}", state_dir=state_dir or self.workdir / "state",
                        blob_endpoint=None, blob_listen=hostport, args=list(args))
        self.state_dir = self.d.state_dir
        self.sigs: set[str] = set()  # every sig value handed out, to check the log never holds one
        self.verify = None

    # lifecycle -----------------------------------------------------------------------------------
    def start(self) -> "BlobDaemon":
        self.d.start()
        # the control socket answers before (or while) the blob listener comes up: wait for it
        fam = socket.AF_INET6 if ":" in self.host else socket.AF_INET

        def listening():
            with socket.socket(fam, socket.SOCK_STREAM) as s:
                s.settimeout(1)
                return s.connect_ex((self.host, self.port)) == 0

        assert wait_until(listening, 10), f"blob listener not up on {self.host}:{self.port}:\n{self.log()}"
        return self

    def import_account(self) -> dict:
        p1, p2 = self.workdir / "primary.key", self.workdir / "secondary.key"
        for p, k in ((p1, PRIMARY_KEY), (p2, SECONDARY_KEY)):
            p.write_text(k + "\n")
            p.chmod(0o600)
        info = self.medctl_json("account", "import", "--name", ACCOUNT, "--primary-key-file", str(p1),
                                "--secondary-key-file", str(p2))
        assert info["blobEndpoint"] == self.account_url, info
        return info

    def log(self) -> str:
        return self.d.log()

    def alive(self) -> bool:
        return self.d.alive()

    @property
    def pid(self) -> int:
        return self.d.pid

    def check_log(self) -> None:
        """No key and no SAS signature ever reaches the log."""
        log = self.log()
        leaks = self.d.leaked_secrets()
        assert not leaks, f"a key leaked: {leaks}"
        assert "sig=" not in log, "a SAS query (sig=) appears in the daemon log"
        for s in self.sigs:
            for form in {s, urllib.parse.quote(s, safe=""), urllib.parse.quote(s)}:
                assert form not in log, f"a token signature appears in the daemon log: {form[:10]}..."

    def stop(self, check: bool = True) -> Optional[int]:
        """SIGTERM; return the exit code. With ``check``: it must have been alive, exit 0, and
        its log must be clean."""
        alive = self.d.alive()
        rc = self.d.stop(signal.SIGTERM, timeout=15)
        if check:
            assert alive, f"medstored died during the tests (exit {self.d.proc.returncode}):\n{self.log()[-4000:]}"
            assert rc == 0, f"medstored exit code after SIGTERM: {rc}\n{self.log()[-4000:]}"
            self.check_log()
        return rc

    def kill9(self) -> None:
        self.d.proc.send_signal(signal.SIGKILL)
        self.d.proc.wait(10)

    def cleanup(self) -> None:
        self.d.cleanup()
        if self.own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # medctl --------------------------------------------------------------------------------------
    def medctl(self, *args: str, input: Optional[str] = None):
        return self.d.medctl(*args, input=input)

    def medctl_json(self, *args: str) -> dict:
        rc, out, err = self.d.medctl("--json", *args)
        assert rc == 0, f"medctl {' '.join(args)} -> {rc}: {err}{out}"
        return json.loads(out) if out.strip() else {}

    def create_container(self, name: str) -> None:
        self.medctl_json("container", "create", name)

    def token(self, container: str, blob: Optional[str] = None, *, permissions: str = "racwdl",
              ttl: Optional[str] = "1h", start: Optional[str] = None, expiry: Optional[str] = None,
              ip: Optional[str] = None, https_only: bool = False) -> dict:
        """``medctl --json token container|blob ...``: the IssuedToken (``token``, ``url``...)."""
        opts = ["--permissions", permissions]
        if start:
            opts += ["--start", start]
        if expiry:
            opts += ["--expiry", expiry]
        elif ttl:
            opts += ["--ttl", ttl]
        if ip:
            opts += ["--ip", ip]
        if https_only:
            opts.append("--https-only")
        if blob is None:
            args = ["token", "container", container, *opts]
        else:  # the blob name after "--": it may start with '-'
            args = ["token", "blob", container, *opts, "--", blob]
        t = self.medctl_json(*args)
        sig = urllib.parse.parse_qs(t["token"])["sig"][0]
        self.sigs.add(sig)
        return t

    def remember_sig(self, token: str) -> str:
        """Record the sig of a token made outside medctl (so the log check covers it)."""
        self.sigs.add(urllib.parse.parse_qs(token)["sig"][0])
        return token

    def url(self, container: str, blob: Optional[str] = None, token: Optional[str] = None) -> str:
        u = f"{self.account_url}/{container}"
        if blob is not None:
            u += "/" + urllib.parse.quote(blob, safe="~/")
        if token:
            u += "?" + token
        return u

    # SDK clients -----------------------------------------------------------------------------------
    def sdk_opts(self, **kw) -> dict:
        o = dict(SDK_OPTS)
        if self.verify is not None:
            o["connection_verify"] = self.verify
        o.update(kw)
        return o

    def container_client(self, container: str, permissions: str = "racwdl", **kw):
        from azure.storage.blob import ContainerClient

        tok = {k: kw.pop(k) for k in ("ttl", "start", "expiry", "ip", "https_only") if k in kw}
        t = self.token(container, permissions=permissions, **tok)
        return ContainerClient.from_container_url(t["url"], **self.sdk_opts(**kw))

    def blob_client(self, container: str, blob: str, permissions: str = "racwd", **kw):
        from azure.storage.blob import BlobClient

        tok = {k: kw.pop(k) for k in ("ttl", "start", "expiry", "ip", "https_only") if k in kw}
        t = self.token(container, blob, permissions=permissions, **tok)
        return BlobClient.from_blob_url(t["url"], **self.sdk_opts(**kw))

    def service_client(self, key: str = PRIMARY_KEY, account: str = ACCOUNT, **kw):
        from azure.storage.blob import BlobServiceClient

        return BlobServiceClient(self.account_url, credential={"account_name": account, "account_key": key},
                                 **self.sdk_opts(**kw))

    # state dir ----------------------------------------------------------------------------------
    def tmp_files(self) -> list[str]:
        d = self.state_dir / "blobs" / "tmp"
        if not d.exists():
            return []
        return sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())


def age_journal(bd: "BlobDaemon", days: float) -> None:
    """Make the backup journal `days` older (every commit, supersession and container lifetime),
    with the daemon stopped, then start it again: its start-up prune then sees history that has
    really left the retention window. The wall clock stays; only the journal is moved back."""
    import sqlite3

    assert bd.stop() == 0
    shift = int(days * 86_400 * 1_000_000)
    with sqlite3.connect(str(bd.state_dir / "medstore.db")) as con:
        con.execute("UPDATE blob_versions SET committed_at = committed_at - ?1, created_at = created_at - ?1, "
                    "superseded_at = superseded_at - ?1", (shift,))
        con.execute("UPDATE container_lifetimes SET created_at = created_at - ?1, deleted_at = deleted_at - ?1", (shift,))
    bd.start()


def _start_daemon(args=(), containers=(), **kw) -> BlobDaemon:
    bd = BlobDaemon(args=args, **kw)
    try:
        bd.start()
        bd.import_account()
        for c in containers:
            bd.create_container(c)
    except BaseException:
        bd.cleanup()
        raise
    return bd


@pytest.fixture(scope="module")
def blob_daemon():
    """One daemon per test module, account imported; SIGTERM + exit 0 + clean log at the end."""
    bd = _start_daemon()
    try:
        yield bd
        bd.stop()
    finally:
        bd.cleanup()


@pytest.fixture
def fresh_blob_daemon():
    """A daemon of its own for one test (for tests that change keys or kill the daemon)."""
    bd = _start_daemon()
    try:
        yield bd
        if bd.d.proc is not None and bd.alive():
            bd.stop()
    finally:
        bd.cleanup()
