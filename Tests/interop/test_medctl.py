"""The real medctl binary against the real daemon, per the medctl command-surface contract."""

import json
import os
import re
import socket
import struct
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from interop_support import (
    ACCOUNT,
    BULK_WINDOW,
    MEDCTL,
    PRIMARY_KEY,
    SECONDARY_KEY,
    clean_env,
    sdk_token,
    sdk_url,
    short_tmpdir,
)
from medstore_client import FrameReader, decode_payload, encode_frame

import subprocess


def fmt(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def ok(daemon, *args, input=None):
    rc, out, err = daemon.medctl(*args, input=input)
    assert rc == 0, f"medctl {' '.join(args)} -> {rc}\nstdout: {out}\nstderr: {err}"
    return out


def ok_json(daemon, *args, input=None):
    out = ok(daemon, "--json", *args, input=input)
    try:
        return json.loads(out)
    except ValueError:
        raise AssertionError(f"medctl --json {' '.join(args)} printed no JSON: {out!r}")


def run_medctl(*args, env=None, input=None, timeout=30):
    p = subprocess.run([str(MEDCTL), *args], capture_output=True, text=True, env=env or clean_env(), input=input, timeout=timeout,
                       stdin=None if input is not None else subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def keyfiles(tmp_path):
    p = tmp_path / "primary.key"
    s = tmp_path / "secondary.key"
    p.write_text(PRIMARY_KEY + "\n")
    s.write_text(SECONDARY_KEY + "\n")
    return p, s


# --- status and help ---------------------------------------------------------------------------


def test_status_human(daemon, client):
    version = client.server_hello["daemonVersion"]
    out = ok(daemon, "status")
    assert version in out, out
    assert "1.2" in out, "status should show the protocol version"


def test_status_json_both_positions(daemon):
    for args in (("--json", "status"), ("status", "--json")):
        rc, out, err = daemon.medctl(*args)
        assert rc == 0, err
        st = json.loads(out)
        for f in ("daemonVersion", "protocolVersion", "startedAt", "uptimeSeconds", "accountPresent", "containerCount", "clusterNetworks", "requestsServed"):
            assert f in st, (f, st)
        assert st["protocolVersion"] == "1.2" and st["accountPresent"] is False


def test_help(daemon):
    for args in (("--help",), ("-h",), ("token", "--help"), ("token", "container", "--help")):
        rc, out, err = daemon.medctl(*args)
        assert rc == 0, (args, rc, err)
        assert "token" in (out + err).lower()


# --- exit codes --------------------------------------------------------------------------------

USAGE_ERRORS = {
    "unknown-subcommand": ["frobnicate"],
    "unknown-sub-subcommand": ["container", "frobnicate"],
    "unknown-option": ["status", "--frobnicate"],
    "missing-argument": ["container", "create"],
    "missing-permissions": ["token", "container", "abc", "--ttl", "1h"],
    "missing-expiry-and-ttl": ["token", "container", "abc", "--permissions", "r"],
    "expiry-and-ttl": ["token", "container", "abc", "--permissions", "r", "--expiry", "2099-01-01", "--ttl", "1h"],
    "bad-duration": ["token", "blob", "abc", "b", "--permissions", "r", "--ttl", "5x"],
    "import-missing-key-files": ["account", "import", "--name", "abc"],
    "import-both-stdin": ["account", "import", "--name", "abc", "--primary-key-file", "-", "--secondary-key-file", "-"],
    "delete-without-confirm": ["account", "delete"],
    "regenerate-without-key": ["keys", "regenerate"],
    "ip-allow-without-address": ["ip", "allow"],
}


@pytest.mark.parametrize("args", list(USAGE_ERRORS.values()), ids=list(USAGE_ERRORS))
def test_usage_errors_exit_64(daemon, args):
    rc, out, err = daemon.medctl(*args)
    assert rc == 64, f"medctl {' '.join(args)} -> {rc}\n{out}\n{err}"
    assert err.strip(), "usage errors explain themselves on stderr"
    # found before contacting the daemon: same result with no daemon at all
    rc2, _, _ = run_medctl("--socket", "/tmp/ms-no-such-dir/s.sock", *args)
    assert rc2 == 64, f"usage error must be found before contacting the daemon (got {rc2})"


def test_daemon_error_exits_1(daemon, account):
    rc, out, err = daemon.medctl("container", "show", "nosuch")
    assert rc == 1
    assert err.startswith("medctl: "), err
    assert "nosuch" in err
    rc, out, err = daemon.medctl("--json", "container", "create", "Bad_Name")
    assert rc == 1 and err.startswith("medctl: ")
    rc, out, err = daemon.medctl("account", "create")
    assert rc == 1 and err.startswith("medctl: ")


def test_unreachable_daemon_exits_69(tmp_path):
    d = short_tmpdir()
    try:
        stale = os.path.join(d, "stale.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(stale)
        s.close()  # a socket file nobody listens on
        for path in (os.path.join(d, "missing.sock"), stale):
            for args, env in ((("--socket", path, "status"), None), (("status",), clean_env(MEDSTORE_SOCKET=path))):
                rc, out, err = run_medctl(*args, env=env)
                assert rc == 69, (path, args, rc, err)
                assert err.startswith("medctl: "), err
                assert "systemctl start medstored" in err and "make run" in err, err
    finally:
        import shutil

        shutil.rmtree(d, ignore_errors=True)


def test_socket_flag_beats_environment(daemon):
    env = clean_env(MEDSTORE_SOCKET="/tmp/ms-no-such-dir/s.sock")
    rc, out, err = run_medctl("--socket", daemon.socket_path, "status", env=env)
    assert rc == 0, err
    rc, out, err = run_medctl("status", "--socket", daemon.socket_path, env=env)
    assert rc == 0, err


# --- account and keys --------------------------------------------------------------------------


def test_account_create_json(daemon):
    info = ok_json(daemon, "account", "create")
    assert re.match(r"^[a-z0-9]{3,24}$", info["name"])
    for f in ("createdAt", "imported", "keyForTokens", "blobEndpoint", "containerCount", "allowedIPCount", "clusterNetworks"):
        assert f in info, f
    assert info["imported"] is False
    shown = ok_json(daemon, "account", "show")
    assert shown["name"] == info["name"]


def test_account_create_named_human(daemon):
    out = ok(daemon, "account", "create", "--name", "humanacct")
    assert "humanacct" in out


def test_account_import_from_stdin(daemon, keyfiles):
    _, sec = keyfiles
    info = ok_json(daemon, "account", "import", "--name", ACCOUNT, "--primary-key-file", "-", "--secondary-key-file", str(sec), input=PRIMARY_KEY + "\n")
    assert info["name"] == ACCOUNT and info["imported"] is True
    ok(daemon, "container", "create", "scans")
    exp = fmt(datetime.now(timezone.utc) + timedelta(days=3))
    tok = ok_json(daemon, "token", "container", "scans", "--permissions", "rl", "--expiry", exp)
    assert tok["token"] == sdk_token(key=PRIMARY_KEY, container="scans", permissions="rl", expiry=exp)
    assert tok["signedWith"] == "primary"


def test_account_import_secondary_from_stdin(daemon, keyfiles):
    pri, _ = keyfiles
    ok(daemon, "account", "import", "--name", ACCOUNT, "--primary-key-file", str(pri), "--secondary-key-file", "-", input=SECONDARY_KEY)
    ok(daemon, "keys", "switch", "secondary")
    ok(daemon, "container", "create", "scans")
    exp = fmt(datetime.now(timezone.utc) + timedelta(days=3))
    tok = ok_json(daemon, "token", "container", "scans", "--permissions", "r", "--expiry", exp)
    assert tok["token"] == sdk_token(key=SECONDARY_KEY, container="scans", permissions="r", expiry=exp)
    assert tok["signedWith"] == "secondary"


def test_account_import_bad_key(daemon, tmp_path, keyfiles):
    pri, _ = keyfiles
    bad = tmp_path / "bad.key"
    bad.write_text("c2hvcnQ=\n")
    rc, out, err = daemon.medctl("account", "import", "--name", ACCOUNT, "--primary-key-file", str(pri), "--secondary-key-file", str(bad))
    assert rc == 1 and err.startswith("medctl: ")
    assert "c2hvcnQ" not in err and PRIMARY_KEY not in err
    rc, out, err = daemon.medctl("account", "import", "--name", ACCOUNT, "--primary-key-file", str(tmp_path / "missing"), "--secondary-key-file", str(bad))
    assert rc in (1, 64) and err.startswith("medctl: "), (rc, err)


def test_keys(daemon, account):
    ks = ok_json(daemon, "keys", "show")
    assert ks["keyForTokens"] == "primary" and [k["name"] for k in ks["keys"]] == ["primary", "secondary"]
    assert ok_json(daemon, "keys", "switch")["keyForTokens"] == "secondary"
    assert ok_json(daemon, "keys", "switch", "primary")["keyForTokens"] == "primary"
    rc, out, err = daemon.medctl("keys", "regenerate", "primary")
    assert rc == 1 and err.startswith("medctl: ") and "switch" in err.lower(), err
    assert ok_json(daemon, "keys", "regenerate", "secondary")["keyForTokens"] == "primary"
    assert ok_json(daemon, "keys", "regenerate", "primary", "--force")["keyForTokens"] == "primary"
    human = ok(daemon, "keys", "show")
    assert "primary" in human and "secondary" in human


def test_account_delete(daemon, account):
    rc, out, err = daemon.medctl("account", "delete", "--confirm", "wrong")
    assert rc == 1 and err.startswith("medctl: ")
    ok_json(daemon, "account", "show")
    r = ok_json(daemon, "account", "delete", "--confirm", ACCOUNT)
    assert r["name"] == ACCOUNT and r["containersDeleted"] == 0
    rc, out, err = daemon.medctl("account", "show")
    assert rc == 1


# --- containers --------------------------------------------------------------------------------


def test_containers(daemon, account, client):
    c = ok_json(daemon, "container", "create", "patient-records")
    assert c["name"] == "patient-records" and "createdAt" in c
    assert ok_json(daemon, "container", "show", "patient-records") == c
    # more than one page: medctl follows nextMarker
    names = [f"bulk-{i:04d}" for i in range(1100)]
    assert all(isinstance(r, dict) for r in client.pipeline([("container.create", {"name": n}) for n in names], window=BULK_WINDOW))
    listed = ok_json(daemon, "container", "list")
    assert set(listed) <= {"containers", "nextMarker"} and listed.get("nextMarker") is None
    assert [x["name"] for x in listed["containers"]] == sorted(names + ["patient-records"])
    pre = ok_json(daemon, "container", "list", "--prefix", "patient")
    assert [x["name"] for x in pre["containers"]] == ["patient-records"]
    human = ok(daemon, "container", "list", "--prefix", "bulk-000")
    assert "bulk-0001" in human and "patient-records" not in human
    assert ok_json(daemon, "container", "delete", "patient-records")["name"] == "patient-records"
    rc, _, err = daemon.medctl("container", "show", "patient-records")
    assert rc == 1 and err.startswith("medctl: ")


# --- tokens ------------------------------------------------------------------------------------


def test_token_container_json_equals_sdk(daemon, account):
    ok(daemon, "container", "create", "patient-records")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    st, se = fmt(now - timedelta(minutes=15)), fmt(now + timedelta(days=7))
    tok = ok_json(daemon, "token", "container", "patient-records", "--permissions", "lrw", "--start", st, "--expiry", se,
                  "--ip", "10.0.0.1-10.0.0.255", "--https-only")
    for f in ("token", "url", "expiry", "signedWith", "permissions", "resource", "version", "start"):
        assert f in tok, f
    want = sdk_token(key=PRIMARY_KEY, container="patient-records", permissions="rwl", start=st, expiry=se, ip="10.0.0.1-10.0.0.255", https_only=True)
    assert tok["token"] == want
    assert tok["url"] == sdk_url(want, container="patient-records")
    assert tok["permissions"] == "rwl" and tok["resource"] == "container"
    assert tok["start"] == st and tok["expiry"] == se and tok["signedWith"] == "primary" and tok["version"] == "2026-10-06"


def test_token_blob_json_equals_sdk(daemon, account):
    ok(daemon, "container", "create", "scans")
    se = fmt(datetime.now(timezone.utc) + timedelta(days=2))
    blob = "2026/img 001+ü&x=1.dcm"
    tok = ok_json(daemon, "token", "blob", "scans", blob, "--permissions", "wr", "--expiry", se, "--ip", "203.0.113.9")
    want = sdk_token(key=PRIMARY_KEY, container="scans", blob=blob, permissions="rw", expiry=se, ip="203.0.113.9")
    assert tok["token"] == want
    assert tok["url"] == sdk_url(want, container="scans", blob=blob)
    assert tok.get("start") is None


@pytest.mark.parametrize("ttl,seconds", [("90s", 90), ("15m", 900), ("1h", 3600), ("7d", 604800), ("1h30m", 5400)])
def test_token_ttl(daemon, account, ttl, seconds):
    ok(daemon, "container", "create", "scans")
    t0 = time.time()
    tok = ok_json(daemon, "token", "blob", "scans", "b.txt", "--permissions", "r", "--ttl", ttl)
    t1 = time.time()
    exp = datetime.strptime(tok["expiry"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
    assert int(t0) + seconds - 1 <= exp <= t1 + seconds + 1, (ttl, tok["expiry"])
    assert tok["token"] == sdk_token(key=PRIMARY_KEY, container="scans", blob="b.txt", permissions="r", expiry=tok["expiry"])


def test_token_human_output(daemon, account):
    ok(daemon, "container", "create", "scans")
    out = ok(daemon, "token", "container", "scans", "--permissions", "r", "--ttl", "1h")
    assert "sig=" in out and "http://127.0.0.1:10000/medstoretest/scans?" in out
    assert "primary" in out


def test_token_errors_exit_1(daemon, account):
    ok(daemon, "container", "create", "scans")
    for args in (
        ["token", "container", "nosuch", "--permissions", "r", "--ttl", "1h"],
        ["token", "blob", "scans", "b", "--permissions", "f", "--ttl", "1h"],
        ["token", "container", "scans", "--permissions", "r", "--expiry", "2001-01-01"],
        ["token", "container", "scans", "--permissions", "r", "--ttl", "1h", "--ip", "1.2.3"],
    ):
        rc, out, err = daemon.medctl(*args)
        assert rc in (1, 64), (args, rc, err)
        assert err.startswith("medctl: ") or rc == 64, (args, err)


# --- allowed IPs -------------------------------------------------------------------------------


def test_ip_commands(daemon, account):
    a = ok_json(daemon, "ip", "allow", "203.0.113.7", "--note", "office")
    assert a["network"] == "203.0.113.7/32" and a["note"] == "office"
    b = ok_json(daemon, "ip", "allow", "2001:db8::/32")
    lst = ok_json(daemon, "ip", "list")
    assert set(lst) >= {"rules", "clusterNetworks"}
    assert lst["rules"] == [a, b] and "127.0.0.0/8" in lst["clusterNetworks"]
    rc, out, err = daemon.medctl("ip", "allow", "203.0.113.7")
    assert rc == 1 and err.startswith("medctl: ")
    rc, out, err = daemon.medctl("ip", "allow", "10.0.0.1/8")
    assert rc == 1 and "10.0.0.0/8" in err
    assert ok_json(daemon, "ip", "remove", str(a["id"])) == a
    assert ok_json(daemon, "ip", "remove", "2001:db8::/32") == b
    rc, out, err = daemon.medctl("ip", "remove", "2001:db8::/32")
    assert rc == 1
    human = ok(daemon, "ip", "list")
    assert "127.0.0.0/8" in human


# --- protocol mismatch (a fake daemon written here) --------------------------------------------


class FakeDaemon:
    """A tiny Unix-socket server answering each request with ``respond(request) -> reply``."""

    def __init__(self, path, respond):
        self.path = path
        self.respond = respond
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            conn.settimeout(5)
            reader = FrameReader()
            try:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    for p in reader.feed(data):
                        reply = self.respond(decode_payload(p))
                        if reply is None:
                            raise ConnectionAbortedError
                        conn.sendall(encode_frame(reply))
            except (OSError, ConnectionAbortedError):
                pass
            finally:
                conn.close()

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def hello_result(major=1):
    return {"daemon": "medstored", "daemonVersion": "9.9.9", "protocolMajor": major, "protocolMinor": 0,
            "methods": ["hello", "status"], "maxFrameBytes": 1048576, "maxInFlight": 64}


@pytest.mark.parametrize(
    "scenario,want_rc",
    [("major-2-result", 76), ("unsupported-error", 76), ("unavailable", 69), ("unknown-code", 1), ("internal", 1)],
)
def test_medctl_exit_codes_with_fake_daemon(scenario, want_rc):
    d = short_tmpdir()
    path = os.path.join(d, "f.sock")

    def respond(req):
        rid = req["id"]
        if req["method"] == "hello":
            if scenario == "major-2-result":
                return {"id": rid, "result": hello_result(2)}
            if scenario == "unsupported-error":
                return {"id": rid, "error": {"code": "unsupportedVersion", "message": "this daemon speaks protocol 2"}}
            return {"id": rid, "result": hello_result(1)}
        code = {"unavailable": "unavailable", "unknown-code": "brandNewCode", "internal": "internal"}[scenario]
        return {"id": rid, "error": {"code": code, "message": f"fake {code}"}}

    fake = FakeDaemon(path, respond)
    try:
        rc, out, err = run_medctl("--socket", path, "container", "list")
        assert rc == want_rc, (scenario, rc, out, err)
        assert err.startswith("medctl: "), err
        if scenario == "unknown-code":
            assert "brandNewCode" in err or "fake" in err
    finally:
        fake.close()
        import shutil

        shutil.rmtree(d, ignore_errors=True)
