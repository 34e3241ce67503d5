"""medstored under systemd's contracts, with real tools and real sockets: socket activation through
``systemd-socket-activate``, sd_notify on a NOTIFY_SOCKET this test plays, SIGHUP reload of the
config file without dropping a connection, the second SIGTERM, ``--check-config``."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from interop_support import MEDCTL, MEDSTORED, Daemon, clean_env, short_tmpdir
from medstore_client import MedStoreClient


class NotifyListener:
    """The datagram socket systemd would listen on for sd_notify messages."""

    def __init__(self, directory: str):
        self.path = os.path.join(directory, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages: list[str] = []

    def wait_for(self, predicate, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.messages:
                if predicate(m):
                    return m
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except socket.timeout:
                break
        raise AssertionError(f"no matching notification; got {self.messages!r}")

    def close(self) -> None:
        self.sock.close()


def blob_port(d: Daemon) -> int:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        m = re.search(r"http server listening port=(\d+)", d.log())
        if m:
            return int(m.group(1))
        time.sleep(0.05)
    raise AssertionError(f"no blob port in the log:\n{d.log()}")


def test_socket_activation_first_medctl_starts_the_daemon(tmp_path):
    tool = shutil.which("systemd-socket-activate")
    assert tool, "systemd-socket-activate is required (package systemd)"
    sockdir = short_tmpdir()
    sock = os.path.join(sockdir, "act.sock")
    log = open(tmp_path / "activate.log", "wb")
    # No --socket flag: the daemon must take the passed fd, not bind a path of its own.
    proc = subprocess.Popen(
        [tool, "-l", sock, "--fdname=control", str(MEDSTORED), "--state-dir", str(tmp_path / "state"),
         "--blob-listen", "127.0.0.1:0", "--config", "/dev/null"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        env=clean_env(MEDSTORE_SOCKET=os.path.join(sockdir, "not-this.sock")))
    try:
        deadline = time.monotonic() + 5
        while not os.path.exists(sock) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert os.path.exists(sock)
        time.sleep(0.2)
        assert "medstored ready" not in (tmp_path / "activate.log").read_text(), "started before any connection"
        p = subprocess.run([str(MEDCTL), "--socket", sock, "status"], capture_output=True, text=True, timeout=20,
                           env=clean_env(), stdin=subprocess.DEVNULL)
        assert p.returncode == 0, p.stderr
        assert "medstored ready" in (tmp_path / "activate.log").read_text()
        assert not os.path.exists(os.path.join(sockdir, "not-this.sock"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(sockdir, ignore_errors=True)


def test_notify_and_sighup_reload_keep_the_connection(tmp_path):
    notify = NotifyListener(short_tmpdir())
    conf = tmp_path / "medstored.conf"
    conf.write_text("log-level = info\ncluster-network = 127.0.0.0/8\n")
    d = Daemon(tmp_path / "d", args=["--config", str(conf)],
               env=clean_env(NOTIFY_SOCKET=notify.path, WATCHDOG_USEC="400000"))
    try:
        d.start(wait=False)
        ready = notify.wait_for(lambda m: "READY=1" in m)
        # READY=1 means serving: the socket answers at once, no retry loop.
        with MedStoreClient(d.socket_path, timeout=5) as c:
            assert c.call("status")["protocolVersion"] == "1.2"
        assert "STATUS=Serving" in ready
        notify.wait_for(lambda m: m == "WATCHDOG=1")

        c = d.client()
        assert c.call("status")["clusterNetworks"] == ["127.0.0.0/8"]
        conf.write_text("log-level = debug\ncluster-network = 10.9.0.0/16\ncluster-network = 127.0.0.0/8\n")
        d.proc.send_signal(signal.SIGHUP)
        notify.wait_for(lambda m: "RELOADING=1" in m and "MONOTONIC_USEC=" in m)
        notify.wait_for(lambda m: "READY=1" in m and m is not ready and notify.messages.index(m) > 0
                        and any("RELOADING=1" in x for x in notify.messages[:notify.messages.index(m)]))
        # Same connection, new networks.
        assert c.call("status")["clusterNetworks"] == ["10.9.0.0/16", "127.0.0.0/8"]
        assert "configuration reloaded" in d.log()

        # A broken file is refused and changes nothing.
        conf.write_text("cluster-network = nonsense\n")
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while "reload refused" not in d.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert f"{conf}:1" in d.log()
        assert c.call("status")["clusterNetworks"] == ["10.9.0.0/16", "127.0.0.0/8"]

        assert d.stop(signal.SIGTERM, timeout=10) == 0
        notify.wait_for(lambda m: "STOPPING=1" in m)
    finally:
        d.cleanup()
        notify.close()


def test_second_sigterm_exits_at_once(tmp_path):
    d = Daemon(tmp_path / "d", args=["--drain-timeout", "25"]).start()
    try:
        port = blob_port(d)
        # A request whose head is still arriving keeps the blob listener's drain waiting.
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"PUT /medstoretest/c/b HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.3)
        d.proc.send_signal(signal.SIGTERM)
        time.sleep(0.7)
        assert d.alive(), "the first SIGTERM should wait for the request in flight"
        started = time.monotonic()
        d.proc.send_signal(signal.SIGTERM)
        rc = d.proc.wait(5)
        assert time.monotonic() - started < 3
        assert rc == 1, rc
        assert "second stop signal" in d.log()
        s.close()
    finally:
        d.cleanup()


def test_check_config(tmp_path):
    good = tmp_path / "good.conf"
    good.write_text("# comment\nlog-level = debug\ncluster-network = 10.0.0.0/8\nblob-listen = 127.0.0.1:0\n")
    env = clean_env()
    p = subprocess.run([str(MEDSTORED), "--check-config", "--config", str(good), "--log-level", "notice"],
                       capture_output=True, text=True, env=env, timeout=10)
    assert p.returncode == 0, p.stderr
    assert "log-level = notice" in p.stdout  # flags override the file
    assert "cluster-network = 10.0.0.0/8" in p.stdout
    assert f"config file: {good}" in p.stdout

    bad = tmp_path / "bad.conf"
    bad.write_text("log-level = debug\n\nfrobnicate = yes\n")
    p = subprocess.run([str(MEDSTORED), "--check-config", "--config", str(bad)], capture_output=True, text=True,
                       env=env, timeout=10)
    assert p.returncode == 64
    assert f"{bad}:3: unknown key 'frobnicate'" in p.stderr

    p = subprocess.run([str(MEDSTORED), "--check-config", "--config", str(tmp_path / "missing.conf")],
                       capture_output=True, text=True, env=env, timeout=10)
    assert p.returncode == 64 and "missing.conf" in p.stderr
