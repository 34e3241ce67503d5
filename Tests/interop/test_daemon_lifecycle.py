"""medstored as a process: socket file hygiene, signals, flags, persistence, the SQLite file."""

import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import time
from datetime import datetime, timedelta, timezone

from interop_support import ACCOUNT, BULK_WINDOW, MEDSTORED, Daemon, clean_env, import_account, short_tmpdir
from medstore_client import MedStoreClient


def test_socket_mode_0660(daemon):
    st = os.stat(daemon.socket_path)
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o660, oct(stat.S_IMODE(st.st_mode))


def test_stale_socket_is_replaced(daemon_factory):
    d = daemon_factory("stale")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(d.socket_path)
    s.close()  # the file stays; nobody listens
    assert stat.S_ISSOCK(os.stat(d.socket_path).st_mode)
    d.start()
    with d.client() as c:
        assert c.call("status")["protocolVersion"] == "1.2"
    assert stat.S_IMODE(os.stat(d.socket_path).st_mode) == 0o660
    assert d.stop() == 0


def test_live_socket_is_not_taken_over(daemon, daemon_factory):
    second = daemon_factory("second", socket_path=daemon.socket_path)
    second.start(wait=False)
    try:
        rc = second.proc.wait(10)
    except subprocess.TimeoutExpired:
        raise AssertionError("a second daemon on a live socket kept running")
    assert rc != 0
    log = second.log()
    assert daemon.socket_path in log or "already" in log.lower() or "in use" in log.lower(), log
    # the first daemon still owns the socket and serves
    assert os.path.exists(daemon.socket_path)
    with daemon.client() as c:
        assert c.call("status")["protocolVersion"] == "1.2"


def test_regular_file_at_socket_path_is_not_deleted(daemon_factory):
    d = daemon_factory("regular")
    with open(d.socket_path, "w") as f:
        f.write("precious")
    d.start(wait=False)
    try:
        rc = d.proc.wait(10)
    except subprocess.TimeoutExpired:
        d.kill()
        raise AssertionError("daemon replaced a regular file at the socket path and kept running")
    assert rc != 0, "daemon should refuse a non-socket file at the socket path"
    with open(d.socket_path) as f:
        assert f.read() == "precious"


def _window():
    day = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return (day - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"), (day + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_state_survives_restart(daemon_factory):
    st, se = _window()
    d = daemon_factory("persist").start()
    with d.client() as c:
        import_account(c)
        c.pipeline([("container.create", {"name": f"keep-{i}"}) for i in range(50)], window=BULK_WINDOW)
        c.call("ip.allow", {"address": "203.0.113.0/24", "note": "kept"})
        c.call("keys.switch", {"key": "secondary"})
        before = c.call("account.show")
        token = c.call("token.container", {"container": "keep-1", "options": {"permissions": "r", "start": st, "expiry": se}})
    assert d.stop() == 0

    d2 = daemon_factory("persist2", state_dir=d.state_dir).start()
    with d2.client() as c:
        after = c.call("account.show")
        assert after == before
        assert after["name"] == ACCOUNT and after["containerCount"] == 50 and after["keyForTokens"] == "secondary"
        names = [x["name"] for x in c.call("container.list")["containers"]]
        assert names == sorted(f"keep-{i}" for i in range(50))
        rules = c.call("ip.list")["rules"]
        assert [(r["network"], r.get("note")) for r in rules] == [("203.0.113.0/24", "kept")]
        again = c.call("token.container", {"container": "keep-1", "options": {"permissions": "r", "start": st, "expiry": se}})
        assert again["token"] == token["token"], "the keys must survive a restart"
    assert d2.stop() == 0


def test_sigint_exits_0(daemon_factory):
    d = daemon_factory("int").start()
    with d.client() as c:
        c.call("status")
    assert d.stop(signal.SIGINT) == 0


def test_sigterm_with_idle_and_busy_clients(daemon_factory):
    """Open connections (one idle, one mid-frame) do not stop a clean shutdown."""
    d = daemon_factory("busy").start()
    idle = d.client()
    partial = d.connection()
    partial.send_raw(b"\x00\x00\x01\x00\xa2")
    t0 = time.monotonic()
    assert d.stop(signal.SIGTERM, timeout=10) == 0
    assert time.monotonic() - t0 < 10
    idle.close()
    partial.close()


def test_sigterm_finishes_pipelined_requests(daemon_factory):
    """Requests already answered with a result are durable; the rest are answered or dropped
    with the connection, never half-done; the exit code is 0."""
    d = daemon_factory("drain").start()
    c = d.client()
    import_account(c)
    ids = [c.send_request("container.create", {"name": f"drain-{i:02d}"}) for i in range(40)]
    time.sleep(0.01)
    d.proc.send_signal(signal.SIGTERM)
    confirmed = []
    for i, rid in enumerate(ids):
        try:
            reply = c.read_reply(rid)
        except (ConnectionError, OSError):
            break
        if "result" in reply:
            confirmed.append(f"drain-{i:02d}")
        else:
            assert reply["error"]["code"] == "unavailable", reply
    assert d.proc.wait(10) == 0
    d2 = daemon_factory("drain2", state_dir=d.state_dir).start()
    with d2.client() as c2:
        names = {x["name"] for x in c2.call("container.list", {"limit": 100})["containers"]}
        assert set(confirmed) <= names, f"acknowledged but lost: {sorted(set(confirmed) - names)}"
    assert d2.stop() == 0


def test_help_and_version_exit_0():
    for flag in ("--help", "-h"):
        p = subprocess.run([str(MEDSTORED), flag], capture_output=True, text=True, timeout=10, env=clean_env())
        assert p.returncode == 0, (flag, p.stderr)
        text = p.stdout + p.stderr
        assert "--state-dir" in text and "--socket" in text and "--blob-endpoint" in text
    p = subprocess.run([str(MEDSTORED), "--version"], capture_output=True, text=True, timeout=10, env=clean_env())
    assert p.returncode == 0
    assert "1.2" in p.stdout, "--version prints the protocol version too"


def test_bad_flag_exits_64():
    for argv in (["--no-such-flag"], ["--state-dir"], ["extra-positional"]):
        p = subprocess.run([str(MEDSTORED), *argv], capture_output=True, text=True, timeout=10, env=clean_env())
        assert p.returncode == 64, (argv, p.returncode, p.stderr)
        assert p.stderr.strip()


def test_bad_blob_endpoint_refused(daemon_factory):
    d = daemon_factory("badep", blob_endpoint="not a url")
    d.start(wait=False)
    assert d.proc.wait(10) != 0


def test_blob_endpoint_placeholder(daemon_factory):
    d = daemon_factory("ep", blob_endpoint="https://{account}.blob.core.windows.net").start()
    with d.client() as c:
        info = import_account(c)
        assert info["blobEndpoint"] == f"https://{ACCOUNT}.blob.core.windows.net"
        c.call("container.create", {"name": "scans"})
        tok = c.call("token.blob", {"container": "scans", "blob": "a b.txt", "options": {"permissions": "r", "ttlSeconds": 60}})
        assert tok["url"] == f"https://{ACCOUNT}.blob.core.windows.net/scans/a%20b.txt?{tok['token']}"
    assert d.stop() == 0


def test_default_blob_endpoint_follows_listener(daemon_factory):
    """Without --blob-endpoint the SAS base URL is the blob listener's address (here an
    ephemeral port), with the account name appended."""
    d = daemon_factory("defep", blob_endpoint=None, blob_listen="127.0.0.1:0").start()
    with d.client() as c:
        ep = import_account(c)["blobEndpoint"]
    m = re.match(r"^http://127\.0\.0\.1:(\d+)/" + ACCOUNT + "$", ep)
    assert m, ep
    port = int(m.group(1))
    assert port != 0
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # the endpoint is where the daemon listens
    assert d.stop() == 0


def test_socket_from_environment(daemon_factory):
    sockdir = short_tmpdir()
    try:
        path = os.path.join(sockdir, "env.sock")
        d = daemon_factory("envsock", socket_path=path, pass_socket_flag=False, env=clean_env(MEDSTORE_SOCKET=path)).start()
        with MedStoreClient(path) as c:
            assert c.call("status")
        assert d.stop() == 0
    finally:
        shutil.rmtree(sockdir, ignore_errors=True)


def _db_files(state_dir):
    return sorted(p for p in os.listdir(state_dir) if p.endswith((".db", ".sqlite", ".sqlite3")))


def test_database_wal_and_integrity(daemon_factory, tmp_path):
    d = daemon_factory("wal").start()
    with d.client() as c:
        import_account(c)
        c.pipeline([("container.create", {"name": f"w-{i}"}) for i in range(20)], window=BULK_WINDOW)
    assert d.stop() == 0
    dbs = _db_files(d.state_dir)
    assert dbs, f"no database file in the state dir: {os.listdir(d.state_dir)}"
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in os.listdir(d.state_dir):
        src = os.path.join(d.state_dir, name)
        if os.path.isfile(src):
            shutil.copy2(src, copy / name)
    for db in dbs:
        con = sqlite3.connect(str(copy / db))
        try:
            assert con.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            con.close()
    # the state dir keeps its secrets to itself
    mode = stat.S_IMODE(os.stat(d.state_dir).st_mode)
    assert mode & 0o077 == 0, f"state dir mode {oct(mode)} is open to group/others"


def test_socket_mode_under_umask_0077(daemon_factory):
    """The unit runs with UMask=0077: the socket must still be 0660, the state dir private."""
    d = daemon_factory("umask", umask=0o077).start()
    assert stat.S_IMODE(os.stat(d.socket_path).st_mode) == 0o660
    assert stat.S_IMODE(os.stat(d.state_dir).st_mode) & 0o077 == 0
    assert d.stop() == 0


MDWE_WRAPPER = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1
if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
    sys.stderr.write("MDWE-UNSUPPORTED\\n"); sys.stderr.flush()
os.execv(sys.argv[1], sys.argv[1:])
"""


def test_runs_with_memory_deny_write_execute(daemon_factory):
    """medstored.service sets MemoryDenyWriteExecute=yes: run the daemon under the kernel's
    equivalent (prctl PR_SET_MDWE, Linux >= 6.3) and exercise it; where the kernel lacks it,
    at least require that no mapping is writable and executable."""
    import sys

    d = daemon_factory("mdwe", wrapper=[sys.executable, "-c", MDWE_WRAPPER]).start()
    with d.client() as c:
        import_account(c)
        c.call("keys.regenerate", {"key": "secondary"})
        c.call("container.create", {"name": "mdwe"})
        c.call("token.blob", {"container": "mdwe", "blob": "x", "options": {"permissions": "r", "ttlSeconds": 60}})
    with open(f"/proc/{d.pid}/maps") as f:
        wx = [line for line in f if "w" in line.split()[1] and "x" in line.split()[1]]
    assert not wx, f"writable+executable mappings: {wx[:3]}"
    assert d.stop() == 0
