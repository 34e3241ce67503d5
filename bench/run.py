#!/usr/bin/env python3
"""`make bench`: medstored measured side by side with the tools users would otherwise pick.

Usage: python3 bench/run.py [--bin-dir DIR]      (make bench builds release first, then runs this)

Environment:
  BENCH_QUICK=1      smoke run: 64 MiB instead of 1 GiB, 2 s instead of 10 s, one round; its
                     report goes to bench/results/quick.md
  BENCH_DIR=DIR      where the temp work dir goes (default /var/tmp: a disk, not tmpfs)
  BENCH_KEEP=1       keep the work dir (logs, nginx config) after the run
  BENCH_PROFILE=1    after the measured runs, one extra upload/download/wrk round of medstored
                     under `strace -c -f` and `perf stat`, summaries appended to the report
  BENCH_NO_INSTALL=1 do not apt-get/pip anything (fail if a tool is missing)
  BENCH_SOURCE_LABEL what to print as the measured source (default: `git describe --always --dirty`)

What it does: installs its baselines (Debian: nginx-light (WebDAV PUT), wrk, iperf3; PyPI into
bench/.venv: azure-storage-blob, cbor2; into bench/.venv-az: azure-cli if it installs within
3 minutes), starts medstored on a fresh temp state dir with its own socket and blob port, runs
every benchmark against its baseline in the same run (alternating A/B rounds, medians), and
writes the markdown report to stdout and to bench/results/latest.md.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV = BENCH / ".venv"
VENV_AZ = BENCH / ".venv-az"
QUICK = os.environ.get("BENCH_QUICK") == "1"
#: a smoke run (BENCH_QUICK=1) never overwrites the full run's report
RESULTS = BENCH / "results" / ("quick.md" if QUICK else "latest.md")
NO_INSTALL = os.environ.get("BENCH_NO_INSTALL") == "1"
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
T_START = time.monotonic()
#: the whole run (after the build) must stay under this; later benchmarks are skipped past it
BUDGET_SECONDS = 13 * 60
AZ_INSTALL_TIMEOUT = 180

MiB = 1024 * 1024
P = {
    "rounds": 1 if QUICK else 3,
    "blob_bytes": (64 if QUICK else 1024) * MiB,
    "sdk_bytes": (32 if QUICK else 256) * MiB,
    "issue_seconds": 2 if QUICK else 10,
    "issue_clients": 16,
    "latency_count": 2000 if QUICK else 20000,
    "wrk_seconds": 2 if QUICK else 10,
    "cli_rounds": 3 if QUICK else 10,
    "cli_medctl_per_round": 3,
    "start_runs": 2 if QUICK else 5,
    "restore_blobs": 10_000 if QUICK else 100_000,
    "containers": 100_000,
    "dd_bytes": (64 if QUICK else 1024) * MiB,
    "iperf_seconds": 1 if QUICK else 3,
}

ACCOUNT = "benchacct"
CONTAINER = "bench"


def log(msg: str) -> None:
    print(f"[bench {time.monotonic() - T_START:6.1f}s] {msg}", file=sys.stderr, flush=True)


def elapsed() -> float:
    return time.monotonic() - T_START


def run(cmd: list[str], *, timeout: float = 120, check: bool = True, env: Optional[dict] = None,
        stdin: Optional[bytes] = None) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, env=env)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}… exited {p.returncode}: {p.stderr.decode(errors='replace')[-2000:]}")
    return p


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- installs --------------------------------------------------------------------------------------

def dpkg_installed(pkg: str) -> bool:
    return subprocess.run(["dpkg", "-s", pkg], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def nginx_has_dav() -> bool:
    exe = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(exe, os.X_OK):
        return False
    out = subprocess.run([exe, "-V"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout.decode()
    return "--with-http_dav_module" in out


def install_debian() -> None:
    # nginx-light is built --with-http_dav_module (`dav_methods PUT`); the dav-ext module is only
    # for PROPFIND/OPTIONS and not needed.
    wanted = []
    if not nginx_has_dav():
        wanted.append("nginx-light")
    tools = [("wrk", "wrk"), ("iperf3", "iperf3"), ("curl", "curl")]
    if PROFILE:
        tools += [("strace", "strace"), ("linux-perf", "perf")]
    for pkg, exe in tools:
        if not shutil.which(exe):
            wanted.append(pkg)
    if not wanted:
        return
    if NO_INSTALL:
        raise SystemExit(f"bench: missing {' '.join(wanted)} and BENCH_NO_INSTALL=1")
    log(f"apt-get install {' '.join(wanted)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], timeout=300, env=env)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *wanted], timeout=600, env=env)
    if not nginx_has_dav():
        raise SystemExit("bench: nginx has no http_dav_module after install")


def ensure_venv(venv: Path, requirements: Path, timeout: float) -> tuple[bool, str]:
    """Creates `venv` and installs `requirements` once (a stamp records the installed file)."""
    stamp = venv / ".requirements-installed"
    wanted = requirements.read_text()
    if stamp.exists() and stamp.read_text() == wanted:
        return True, "already installed"
    if NO_INSTALL:
        return False, "BENCH_NO_INSTALL=1"
    py = venv / "bin" / "python"
    if not py.exists():
        run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    t0 = time.monotonic()
    try:
        p = run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", str(requirements)],
                timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return False, f"pip install did not finish within {timeout:.0f} s"
    if p.returncode != 0:
        return False, f"pip install failed: {p.stderr.decode(errors='replace')[-500:]}"
    stamp.write_text(wanted)
    return True, f"installed in {time.monotonic() - t0:.0f} s"


def bootstrap() -> None:
    """Installs the baselines, then re-executes this script inside bench/.venv."""
    if os.environ.get("MEDSTORE_BENCH_IN_VENV") == "1":
        return
    install_debian()
    log("Python venv bench/.venv (azure-storage-blob, cbor2)")
    ok, why = ensure_venv(VENV, BENCH / "requirements.txt", 600)
    if not ok:
        raise SystemExit(f"bench: cannot set up bench/.venv: {why}")
    log(f"Azure CLI venv bench/.venv-az (limit {AZ_INSTALL_TIMEOUT} s)")
    ok, why = ensure_venv(VENV_AZ, BENCH / "requirements-az.txt", AZ_INSTALL_TIMEOUT)
    env = dict(os.environ, MEDSTORE_BENCH_IN_VENV="1", MEDSTORE_BENCH_AZ=("ok" if ok else "no: " + why),
               MEDSTORE_BENCH_T0=str(time.time() - elapsed()))
    py = str(VENV / "bin" / "python")
    os.execve(py, [py, str(Path(__file__).resolve()), *sys.argv[1:]], env)


# --- processes -------------------------------------------------------------------------------------

STARTED: list[subprocess.Popen] = []


@atexit.register
def _stop_all() -> None:
    for p in STARTED:
        if p.poll() is None:
            try:
                p.terminate()
                p.wait(10)
            except Exception:  # noqa: BLE001 - best effort at exit
                try:
                    p.kill()
                except Exception:  # noqa: BLE001
                    pass


def _on_signal(signum, frame):  # noqa: ANN001
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)


def spawn(cmd: list[str], log_path: Path, env: Optional[dict] = None) -> subprocess.Popen:
    f = open(log_path, "ab")
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT, env=env)
    f.close()
    STARTED.append(p)
    return p


def stop(p: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> Optional[int]:
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
    return p.returncode


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_tcp(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def proc_status(pid: int, field: str) -> int:
    """A kB figure from /proc/<pid>/status (VmHWM, VmRSS)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for pid {pid}")


# --- medstored -------------------------------------------------------------------------------------

def hello(socket_path: str, timeout: float = 2.0) -> bool:
    """One hello exchange on the control socket (cbor2); True when the daemon answered with a result."""
    import cbor2

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(socket_path)
        payload = cbor2.dumps({"id": 1, "method": "hello",
                               "params": {"protocolMajor": 1, "protocolMinor": 0, "client": "bench/run.py"}})
        s.sendall(struct.pack(">I", len(payload)) + payload)
        buf = b""
        while len(buf) < 4:
            chunk = s.recv(4 - len(buf))
            if not chunk:
                return False
            buf += chunk
        (n,) = struct.unpack(">I", buf)
        body = b""
        while len(body) < n:
            chunk = s.recv(n - len(body))
            if not chunk:
                return False
            body += chunk
        reply = cbor2.loads(body)
        return isinstance(reply, dict) and "result" in reply


class Medstored:
    def __init__(self, bins: Path, work: Path, sockdir: Path):
        self.bins = bins
        self.state = work / "state"
        self.socket = str(sockdir / "s.sock")
        self.port = free_port()
        #: Prometheus metrics (the audit trail's group-commit counters for 1)
        self.metrics_port = free_port()
        self.log = work / "medstored.log"
        self.proc: Optional[subprocess.Popen] = None
        #: stops where medstored had not exited 20 s after SIGTERM (it was then killed)
        self.stuck_stops: list[str] = []
        #: more flags (e.g. --config)
        self.extra_args: list[str] = []

    def argv(self) -> list[str]:
        return [str(self.bins / "medstored"), "--state-dir", str(self.state), "--socket", self.socket,
                "--blob-listen", f"127.0.0.1:{self.port}", "--metrics-listen", f"127.0.0.1:{self.metrics_port}", *self.extra_args]

    def audit_counters(self) -> dict[str, float]:
        """The audit trail's group-commit counters from /metrics: records, ok commits, and the sum
        and count of commit durations."""
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as r:
            text = r.read().decode()
        found = {"records": 0.0, "commits": 0.0, "seconds_sum": 0.0, "seconds_count": 0.0}
        for line in text.splitlines():
            name, _, value = line.rpartition(" ")
            if name == "medstore_audit_records_total":
                found["records"] = float(value)
            elif name == 'medstore_audit_commits_total{result="ok"}':
                found["commits"] = float(value)
            elif name == "medstore_audit_commit_seconds_sum":
                found["seconds_sum"] = float(value)
            elif name == "medstore_audit_commit_seconds_count":
                found["seconds_count"] = float(value)
        return found

    def start(self, timeout: float = 30) -> float:
        """Starts the daemon; returns seconds from exec to the first answered hello."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEDSTORE_")}
        t0 = time.perf_counter()
        self.started_at = t0
        self.proc = spawn(self.argv(), self.log, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"medstored exited {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if hello(self.socket):
                    return time.perf_counter() - t0
            except (OSError, EOFError):
                pass
            time.sleep(0.001)
        raise RuntimeError(f"medstored did not answer hello within {timeout} s")

    def stop(self) -> None:
        """SIGTERM; SIGKILL after 20 s (nothing is in flight when the bench stops it), recorded."""
        if self.proc is not None:
            up = time.perf_counter() - self.started_at
            rc = stop(self.proc, signal.SIGTERM, 20)
            if rc != 0:
                tail = self.log.read_text(errors="replace").strip().splitlines()[-1:] if self.log.exists() else []
                self.stuck_stops.append(f"exit status {rc} (SIGTERM sent {up:.2f} s after start; last log line: "
                                        f"`{tail[0] if tail else ''}`)")
                log(f"warning: medstored exit status {rc} after SIGTERM")
            self.proc = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def medctl(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
        return run([str(self.bins / "medctl"), "--socket", self.socket, *args], timeout=timeout)

    def token(self, kind: str, *names: str, permissions: str, ttl: str = "2h") -> dict:
        out = self.medctl("--json", "token", kind, *names, "--permissions", permissions, "--ttl", ttl).stdout
        return json.loads(out)


# --- nginx -----------------------------------------------------------------------------------------

class Nginx:
    """nginx on loopback: WebDAV PUT into `root`, static GETs from it; access log on, like medstored's."""

    def __init__(self, work: Path):
        self.dir = work / "nginx"
        self.root = work / "nginx-root"
        self.port = free_port()
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        for d in (self.dir, self.dir / "body-tmp", self.dir / "logs", self.root):
            d.mkdir(parents=True, exist_ok=True)
        conf = self.dir / "nginx.conf"
        conf.write_text(f"""
user root;
worker_processes auto;
pid {self.dir}/nginx.pid;
error_log {self.dir}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {self.dir}/logs/access.log;
    client_body_temp_path {self.dir}/body-tmp;
    proxy_temp_path {self.dir}/body-tmp;
    fastcgi_temp_path {self.dir}/body-tmp;
    uwsgi_temp_path {self.dir}/body-tmp;
    scgi_temp_path {self.dir}/body-tmp;
    client_max_body_size 0;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{self.port};
        root {self.root};
        location / {{
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw;
        }}
    }}
}}
""")
        exe = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = spawn([exe, "-p", str(self.dir), "-e", str(self.dir / "logs" / "error.log"), "-c", str(conf),
                           "-g", "daemon off;"], self.dir / "stdout.log")
        wait_tcp(self.port)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc, signal.SIGQUIT, 30)
            self.proc = None


# --- measuring helpers -----------------------------------------------------------------------------

def curl_put(url: str, path: Path, headers: list[str] = ()) -> dict:
    cmd = ["curl", "-sS", "-T", str(path), "-o", "/dev/null", "-w", "%{http_code} %{size_upload} %{time_total}"]
    for h in headers:
        cmd += ["-H", h]
    p = run(cmd + [url], timeout=600)
    code, size, secs = p.stdout.decode().split()
    if not code.startswith("2"):
        raise RuntimeError(f"PUT {url.split('?')[0]} answered {code}")
    return {"status": int(code), "bytes": int(float(size)), "seconds": float(secs)}


def curl_get(url: str) -> dict:
    p = run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}", url], timeout=600)
    code, size, secs = p.stdout.decode().split()
    if code != "200":
        raise RuntimeError(f"GET {url.split('?')[0]} answered {code}")
    return {"status": 200, "bytes": int(float(size)), "seconds": float(secs)}


def curl_md5(url: str) -> tuple[int, str]:
    """Downloads `url` through a pipe and returns (size, md5) without writing it to disk."""
    p = subprocess.Popen(["curl", "-sS", "-f", url], stdout=subprocess.PIPE)
    h = hashlib.md5()
    n = 0
    assert p.stdout is not None
    for chunk in iter(lambda: p.stdout.read(4 * MiB), b""):
        h.update(chunk)
        n += len(chunk)
    if p.wait(60) != 0:
        raise RuntimeError(f"curl {url.split('?')[0]} exited {p.returncode}")
    return n, h.hexdigest()


def file_md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(8 * MiB), b""):
            h.update(chunk)
    return h.hexdigest()


def make_random_file(path: Path, size: int) -> str:
    h = hashlib.md5()
    with open(path, "wb") as f:
        left = size
        while left:
            chunk = os.urandom(min(left, 8 * MiB))
            h.update(chunk)
            f.write(chunk)
            left -= len(chunk)
    return h.hexdigest()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def wrk(url: str, seconds: int) -> dict:
    p = run(["wrk", "-c64", "-t2", f"-d{seconds}s", "--latency", url], timeout=seconds + 60)
    out = p.stdout.decode()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    lat = {pct: _ms(v) for pct, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M)}
    return {"rps": rps, "requests": total, "non2xx": int(bad.group(1)) if bad else 0,
            "socketErrors": errors.group(1).strip() if errors else "", "p50Ms": lat.get("50"),
            "p99Ms": lat.get("99")}


def bench_json(bins: Path, *args: str, timeout: float = 120, prefix: list[str] = ()) -> dict:
    p = run([*prefix, str(bins / "medstore-bench"), *args], timeout=timeout, check=False)
    if p.returncode != 0:
        raise RuntimeError(f"medstore-bench {args[0]} exited {p.returncode}: {p.stderr.decode()[-1000:]} {p.stdout.decode()[-500:]}")
    return json.loads(p.stdout)


def sdk_json(*args: str, timeout: float = 300) -> dict:
    p = run([sys.executable, str(BENCH / "sdk_tool.py"), *args], timeout=timeout, check=False)
    if p.returncode != 0:
        raise RuntimeError(f"sdk_tool {args[0]} exited {p.returncode}: {p.stderr.decode()[-1500:]}")
    return json.loads(p.stdout)


def alternate(rounds: int, a: Callable[[], Any], b: Callable[[], Any]) -> tuple[list, list]:
    """Runs A and B `rounds` times, alternating which goes first (ABBA…) to cancel order effects."""
    ra, rb = [], []
    for i in range(rounds):
        if i % 2 == 0:
            ra.append(a())
            rb.append(b())
        else:
            rb.append(b())
            ra.append(a())
    return ra, rb


# --- the report ------------------------------------------------------------------------------------

class Report:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.details: list[str] = []
        self.failures: list[str] = []
        self.appendix: list[str] = []
        self.observations: list[str] = []

    def row(self, num: str, what: str, medstore: str, baseline: str, ratio: str, target: str,
            met: Optional[bool]) -> None:
        verdict = "n/a" if met is None else ("**met**" if met else "**missed**")
        self.rows.append(dict(num=num, what=what, medstore=medstore, baseline=baseline, ratio=ratio,
                              target=target, verdict=verdict))

    def detail(self, title: str, lines: list[str]) -> None:
        self.details.append(f"### {title}\n\n" + "\n".join(lines) + "\n")

    def fail(self, num: str, what: str, error: BaseException) -> None:
        msg = f"{type(error).__name__}: {error}"
        self.failures.append(f"{num}: {msg}")
        self.row(num, what, "error", "", "", "", False)
        self.detail(f"{num}. {what}: error", ["```", msg[-3000:], "```"])
        log(f"benchmark {num} failed: {msg[:500]}")


def fmt(v: float, digits: int = 1) -> str:
    if v != v:  # nan
        return "—"
    return f"{v:,.{digits}f}"


def per_round(values: list[float], digits: int = 1) -> str:
    return ", ".join(fmt(v, digits) for v in values)


# --- machine ---------------------------------------------------------------------------------------

def machine_info(work: Path) -> list[tuple[str, str]]:
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    fs = subprocess.run(["findmnt", "-n", "-o", "SOURCE,FSTYPE", "-T", str(work)], stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL).stdout.decode().strip() or "?"
    load = open("/proc/loadavg").read().split()[:3]
    return [
        ("CPUs (nproc)", str(os.cpu_count())),
        ("CPU model", cpu),
        ("memory", f"{mem_kb / 1024 / 1024:.1f} GiB"),
        ("kernel", platform.release()),
        ("OS", _os_release()),
        ("work dir filesystem", f"`{fs}` ({work.parent})"),
        ("load average (1, 5, 15 min) at start", " ".join(load)),
    ]


def _os_release() -> str:
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "?"


def first_line(cmd: list[str]) -> str:
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        lines = p.stdout.decode(errors="replace").strip().splitlines()
        return lines[0].strip() if lines else "?"
    except Exception:  # noqa: BLE001
        return "?"


def versions(bins: Path, az_ok: bool) -> list[tuple[str, str]]:
    from importlib.metadata import version as pkg_version

    out = [
        ("medstored", first_line([str(bins / "medstored"), "--version"])),
        ("source", os.environ.get("BENCH_SOURCE_LABEL")
         or first_line(["git", "-C", str(REPO), "describe", "--always", "--dirty"])),
        ("swift", first_line(["swift", "--version"])),
        ("nginx", first_line([shutil.which("nginx") or "/usr/sbin/nginx", "-v"])),
        ("wrk", first_line(["wrk", "--version"]).split(" Copyright")[0]),
        ("curl", first_line(["curl", "--version"])),
        ("iperf3", first_line(["iperf3", "--version"]) if shutil.which("iperf3") else "not installed"),
        ("python", sys.version.split()[0]),
        ("azure-storage-blob", pkg_version("azure-storage-blob")),
    ]
    if az_ok:
        p = subprocess.run([str(VENV_AZ / "bin" / "az"), "version", "-o", "json"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, env=az_env(), timeout=60)
        try:
            out.append(("azure-cli", json.loads(p.stdout)["azure-cli"]))
        except Exception:  # noqa: BLE001
            out.append(("azure-cli", "?"))
    return out


AZ_CONFIG: Optional[Path] = None


def az_env() -> dict:
    env = dict(os.environ)
    if AZ_CONFIG is not None:
        env["AZURE_CONFIG_DIR"] = str(AZ_CONFIG)
    env["AZURE_CORE_COLLECT_TELEMETRY"] = "false"
    env["AZURE_CORE_ONLY_SHOW_ERRORS"] = "true"
    return env


def machine_limits(work: Path, rep: Report) -> list[tuple[str, str]]:
    out = []
    path = work / "dd.bin"
    try:
        count = P["dd_bytes"] // MiB
        t0 = time.perf_counter()
        run(["dd", "if=/dev/zero", f"of={path}", "bs=1M", f"count={count}", "conv=fsync"], timeout=300)
        secs = time.perf_counter() - t0
        out.append((f"`dd bs=1M count={count} conv=fsync` to the work dir's disk", f"{P['dd_bytes'] / secs / 1e6:,.0f} MB/s"))
        t0 = time.perf_counter()
        run(["dd", f"if={path}", "of=/dev/null", "bs=1M"], timeout=300)
        secs = time.perf_counter() - t0
        out.append(("`dd` read of that file back (page cache)", f"{P['dd_bytes'] / secs / 1e6:,.0f} MB/s"))
    except Exception as e:  # noqa: BLE001
        out.append(("dd", f"error: {e}"))
    finally:
        path.unlink(missing_ok=True)
    if shutil.which("iperf3"):
        port = free_port()
        srv = spawn(["iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", str(port)], work / "iperf3.log")
        try:
            time.sleep(0.3)
            p = run(["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(P["iperf_seconds"]), "-J"],
                    timeout=60)
            bps = json.loads(p.stdout)["end"]["sum_received"]["bits_per_second"]
            out.append((f"`iperf3` loopback TCP, one stream, {P['iperf_seconds']} s", f"{bps / 8 / 1e6:,.0f} MB/s"))
        except Exception as e:  # noqa: BLE001
            out.append(("iperf3", f"error: {e}"))
        finally:
            stop(srv, signal.SIGTERM, 5)
    return out


# --- the benchmarks --------------------------------------------------------------------------------

class Bench:
    def __init__(self, bins: Path, work: Path, sockdir: Path, rep: Report, az_ok: bool, az_why: str):
        self.bins = bins
        self.work = work
        self.rep = rep
        self.az_ok = az_ok
        self.az_why = az_why
        self.d = Medstored(bins, work, sockdir)
        self.nginx = Nginx(work)
        self.key_file = work / "primary.key"
        self.key2_file = work / "secondary.key"
        self.key = base64.b64encode(os.urandom(64)).decode()
        self.hwm: list[tuple[str, int]] = []

    def over_budget(self, num: str, what: str) -> bool:
        if elapsed() > BUDGET_SECONDS:
            self.rep.row(num, what, "skipped", "", "", "", None)
            self.rep.detail(f"{num}. {what}", [f"Skipped: the run had used {elapsed():.0f} s of its "
                                               f"{BUDGET_SECONDS} s budget."])
            return True
        return False

    def guarded(self, num: str, what: str, fn: Callable[[], None]) -> None:
        if self.over_budget(num, what):
            return
        log(f"{num}. {what}")
        t0 = time.monotonic()
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            self.rep.fail(num, what, e)
        log(f"{num}. done in {time.monotonic() - t0:.1f} s")

    # setup ---------------------------------------------------------------------------------------
    def setup_account(self) -> None:
        self.key_file.write_text(self.key + "\n")
        self.key2_file.write_text(base64.b64encode(os.urandom(64)).decode() + "\n")
        os.chmod(self.key_file, 0o600)
        os.chmod(self.key2_file, 0o600)
        self.d.medctl("account", "import", "--name", ACCOUNT, "--primary-key-file", str(self.key_file),
                      "--secondary-key-file", str(self.key2_file))
        self.d.medctl("container", "create", CONTAINER)

    # 1 -------------------------------------------------------------------------------------------
    def b1_issue(self) -> None:
        secs = P["issue_seconds"]
        blob = "bench/token-target.bin"

        def a():
            before = self.d.audit_counters()
            r = bench_json(self.bins, "issue", "--socket", self.d.socket, "--container", CONTAINER, "--blob", blob,
                           "--clients", str(P["issue_clients"]), "--seconds", str(secs), timeout=secs + 60)
            after = self.d.audit_counters()
            r["audit"] = {k: after[k] - before[k] for k in after}
            return r

        def b():
            return sdk_json("sas-loop", "--account", ACCOUNT, "--key-file", str(self.key_file), "--container",
                            CONTAINER, "--blob", blob, "--seconds", str(secs), timeout=secs + 60)

        ra, rb = alternate(P["rounds"], a, b)
        tps_a = median([r["tokensPerSecond"] for r in ra])
        tps_b = median([r["tokensPerSecond"] for r in rb])
        p99_a = median([r["p99Ms"] for r in ra])
        ratio = tps_a / tps_b
        audits = [r["audit"] for r in ra]
        self.rep.row("1", f"token issuance with durable audit, {P['issue_clients']} clients over the socket (tokens/s)",
                     f"{fmt(tps_a, 0)} tokens/s, p99 {fmt(p99_a, 2)} ms", f"{fmt(tps_b, 0)} tokens/s (SDK, 1 core)",
                     f"{ratio:.2f}×", "≥ 1.0× and p99 ≤ 5 ms", ratio >= 1.0 and p99_a <= 5.0)
        self.rep.detail("1. Token issuance", [
            f"medstore-bench issue: {P['issue_clients']} tasks, one MedStoreClient connection each, `token.blob` "
            f"back to back for {secs} s after a 1 s warm-up; baseline: `generate_blob_sas` in a loop in one Python "
            f"process for {secs} s. {P['rounds']} rounds, alternating.",
            "",
            f"- medstored tokens/s per round: {per_round([r['tokensPerSecond'] for r in ra], 0)}",
            f"- medstored p50 / p99 ms per round: "
            + "; ".join(f"{r['p50Ms']:.2f} / {r['p99Ms']:.2f}" for r in ra),
            "- audit trail (always on): each token is an `attempt` record made durable before it is signed and "
            "recorded in the token registry, and an `outcome` record made durable before its reply (group commit, "
            "WAL, `synchronous=FULL`); records / group commits per round (warm-up included): "
            + "; ".join(f"{fmt(a['records'], 0)} / {fmt(a['commits'], 0)}" for a in audits)
            + "; records per commit: " + ", ".join(fmt(a["records"] / max(a["commits"], 1)) for a in audits)
            + "; mean commit ms: " + ", ".join(fmt(1e3 * a["seconds_sum"] / max(a["seconds_count"], 1), 2)
                                                for a in audits),
            f"- SDK tokens/s per round: {per_round([r['tokensPerSecond'] for r in rb], 0)}",
            f"- SDK p50 / p99 ms per call: " + "; ".join(f"{r['p50Ms']:.3f} / {r['p99Ms']:.3f}" for r in rb),
            "- Note: the 16 clients, their reader threads and the daemon share the same 2 cores; the SDK "
            "baseline does no I/O at all.",
        ])

    # 2 -------------------------------------------------------------------------------------------
    def b2_latency(self) -> None:
        n = str(P["latency_count"])
        ra, rb = alternate(P["rounds"],
                           lambda: bench_json(self.bins, "latency", "--socket", self.d.socket, "--count", n),
                           lambda: bench_json(self.bins, "echo", "--count", n))
        p50a, p50b = median([r["p50Us"] for r in ra]), median([r["p50Us"] for r in rb])
        p99a, p99b = median([r["p99Us"] for r in ra]), median([r["p99Us"] for r in rb])
        ratio = p50a / p50b
        self.rep.row("2", "sequential request→reply latency (`status`, one client)",
                     f"p50 {fmt(p50a)} µs, p99 {fmt(p99a)} µs", f"p50 {fmt(p50b)} µs, p99 {fmt(p99b)} µs (raw echo)",
                     f"{ratio:.1f}×", "p50 ≤ 10× echo", ratio <= 10)
        self.rep.detail("2. Sequential latency", [
            f"medstore-bench latency: one MedStoreClient, {n} sequential `status` requests after 1,000 warm-up. "
            f"Baseline: medstore-bench echo, a raw Unix-socket round trip with the same frame sizes "
            f"({rb[0]['requestBytes']} B request, {rb[0]['replyBytes']} B reply), server on a dedicated thread, "
            f"client blocking send/recv. {P['rounds']} rounds, alternating.",
            "",
            f"- medstored p50 / p99 µs per round: " + "; ".join(f"{r['p50Us']:.1f} / {r['p99Us']:.1f}" for r in ra),
            f"- echo p50 / p99 µs per round: " + "; ".join(f"{r['p50Us']:.1f} / {r['p99Us']:.1f}" for r in rb),
        ])

    # 3 -------------------------------------------------------------------------------------------
    def b3_cli(self) -> None:
        global AZ_CONFIG
        medctl = [str(self.bins / "medctl"), "--socket", self.d.socket, "token", "container", CONTAINER,
                  "--permissions", "rl", "--ttl", "1h"]
        if self.az_ok:
            AZ_CONFIG = self.work / "azure-config"
            AZ_CONFIG.mkdir(exist_ok=True)
            expiry = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%MZ")
            base = [str(VENV_AZ / "bin" / "az"), "storage", "container", "generate-sas", "--account-name", ACCOUNT,
                    "--account-key", self.key, "--name", CONTAINER, "--permissions", "rl", "--expiry", expiry,
                    "-o", "tsv", "--only-show-errors"]
            base_name = "`az storage container generate-sas --account-key …`"
            env = az_env()
        else:
            base = [sys.executable, str(BENCH / "sdk_tool.py"), "sas-oneshot", "--account", ACCOUNT, "--key-file",
                    str(self.key_file), "--container", CONTAINER]
            base_name = f"Python SDK one-shot script (`generate_container_sas`; Azure CLI: {self.az_why})"
            env = None

        def timed(cmd: list[str], env: Optional[dict]) -> float:
            t0 = time.perf_counter()
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
            t = time.perf_counter() - t0
            if p.returncode != 0 or b"sig=" not in p.stdout:
                raise RuntimeError(f"{cmd[0]} exited {p.returncode}: {p.stderr.decode(errors='replace')[-800:]}")
            return t

        timed(medctl, None)  # warm-up (page cache, az's command index)
        timed(base, env)
        ta: list[float] = []
        tb: list[float] = []
        for i in range(P["cli_rounds"]):
            if i % 2:
                tb.append(timed(base, env))
            for _ in range(P["cli_medctl_per_round"]):
                ta.append(timed(medctl, None))
            if not i % 2:
                tb.append(timed(base, env))
        ma, mb = median(ta) * 1e3, median(tb) * 1e3
        ratio = mb / ma
        self.rep.row("3", "`medctl token container …` as a whole process (median wall time)", f"{fmt(ma)} ms",
                     f"{fmt(mb)} ms ({'az CLI' if self.az_ok else 'SDK one-shot'})", f"{ratio:.1f}× faster",
                     "≥ 20× faster", ratio >= 20)
        self.rep.detail("3. CLI wall time", [
            f"Each run is a fresh process timed from spawn to exit by Python's subprocess (fork/exec overhead "
            f"included for both). Baseline: {base_name}. {P['cli_rounds']} rounds of "
            f"{P['cli_medctl_per_round']} medctl runs and one baseline run, alternating order; one warm-up each.",
            "",
            f"- medctl ms: median {fmt(ma)}, min {fmt(min(ta) * 1e3)}, max {fmt(max(ta) * 1e3)} (n={len(ta)})",
            f"- baseline ms: median {fmt(mb)}, min {fmt(min(tb) * 1e3)}, max {fmt(max(tb) * 1e3)} (n={len(tb)})",
        ])

    # 4-7 -----------------------------------------------------------------------------------------
    def b4to7_transfers(self) -> None:
        """4, 5, 6 against nginx on a fresh daemon, then 7 (its VmHWM)."""
        size = P["blob_bytes"]
        label = f"{size // MiB} MiB"
        src = self.work / "src.bin"
        log(f"writing {label} of random bytes")
        src_md5 = make_random_file(src, size)
        # A fresh daemon, so VmHWM covers 4-6 only.
        self.d.stop()
        self.d.start()
        self.nginx.start()
        self.hwm.append(("fresh daemon", proc_status(self.d.pid, "VmHWM")))
        up = self.d.token("blob", CONTAINER, "big.bin", permissions="rcw")["url"]
        down = self.d.token("blob", CONTAINER, "big.bin", permissions="r")["url"]
        ng = self.nginx.url("big.bin")
        blob_type = ["x-ms-blob-type: BlockBlob"]
        nginx_file = self.nginx.root / "big.bin"

        # 4: upload
        if not self.over_budget("4", f"upload {label}"):
            log(f"4. upload {label}")
            try:
                fsync_times: list[float] = []

                def put_nginx() -> dict:
                    r = curl_put(ng, src)
                    t0 = time.perf_counter()
                    fd = os.open(nginx_file, os.O_RDONLY)
                    os.fsync(fd)
                    os.close(fd)
                    fsync_times.append(time.perf_counter() - t0)
                    return r

                ra, rb = alternate(P["rounds"], lambda: curl_put(up, src, blob_type), put_nginx)
                for r in ra + rb:
                    if r["bytes"] != size:
                        raise RuntimeError(f"uploaded {r['bytes']} bytes, expected {size}")
                mba = median([size / r["seconds"] / 1e6 for r in ra])
                mbb = median([size / r["seconds"] / 1e6 for r in rb])
                mbb_sync = median([size / (r["seconds"] + f) / 1e6 for r, f in zip(rb, fsync_times)])
                ratio = mba / mbb
                self.rep.row("4", f"upload of a {label} blob (curl, SAS URL, one Put Blob)", f"{fmt(mba, 0)} MB/s",
                             f"{fmt(mbb, 0)} MB/s (nginx WebDAV PUT)", f"{ratio:.2f}×", "≥ 0.8×", ratio >= 0.8)
                self.hwm.append(("after 4 (upload)", proc_status(self.d.pid, "VmHWM")))
                self.rep.detail("4. Upload", [
                    f"`curl -T` of a {label} random file (page-cached) with `x-ms-blob-type: BlockBlob` to a blob SAS "
                    f"URL (`sp=cw`), vs `curl -T` to nginx `dav_methods PUT` into the same filesystem. MB = 10^6 bytes. "
                    f"{P['rounds']} rounds, alternating; each medstored round overwrites the blob.",
                    "",
                    f"- medstored MB/s per round: {per_round([size / r['seconds'] / 1e6 for r in ra], 0)}",
                    f"- nginx MB/s per round: {per_round([size / r['seconds'] / 1e6 for r in rb], 0)}",
                    f"- nginx + an fsync of the file after the PUT (medstored fsyncs before it answers; nginx never "
                    f"does): median {fmt(mbb_sync, 0)} MB/s → medstored at {mba / mbb_sync:.2f}× of that "
                    f"(fsync took {per_round([f * 1e3 for f in fsync_times], 0)} ms)",
                ])
            except Exception as e:  # noqa: BLE001
                self.rep.fail("4", f"upload {label}", e)

        # verification (once, not timed)
        try:
            n, md5 = curl_md5(down)
            n2, md52 = nginx_file.stat().st_size, file_md5(nginx_file)
            verified = n == size and md5 == src_md5 and n2 == size and md52 == src_md5
            self.rep.detail("4/5. Byte check", [
                f"- source: {size} bytes, md5 {src_md5}",
                f"- medstored GET: {n} bytes, md5 {md5}",
                f"- nginx's stored file: {n2} bytes, md5 {md52}",
                f"- **{'identical' if verified else 'MISMATCH'}**",
            ])
            if not verified:
                self.rep.failures.append("4/5: byte check mismatch")
        except Exception as e:  # noqa: BLE001
            self.rep.fail("4/5", "byte check", e)

        # 5: download
        if not self.over_budget("5", f"download {label}"):
            log(f"5. download {label}")
            try:
                ra, rb = alternate(P["rounds"], lambda: curl_get(down), lambda: curl_get(ng))
                for r in ra + rb:
                    if r["bytes"] != size:
                        raise RuntimeError(f"downloaded {r['bytes']} bytes, expected {size}")
                mba = median([size / r["seconds"] / 1e6 for r in ra])
                mbb = median([size / r["seconds"] / 1e6 for r in rb])
                ratio = mba / mbb
                self.rep.row("5", f"download of that blob (curl)", f"{fmt(mba, 0)} MB/s",
                             f"{fmt(mbb, 0)} MB/s (nginx static)", f"{ratio:.2f}×", "≥ 0.8×", ratio >= 0.8)
                self.hwm.append(("after 5 (download)", proc_status(self.d.pid, "VmHWM")))
                self.rep.detail("5. Download", [
                    f"`curl -o /dev/null` of the blob with a read SAS (`sp=r`) vs nginx serving the same bytes "
                    f"(`sendfile on`). Both files are in the page cache. {P['rounds']} rounds, alternating.",
                    "",
                    f"- medstored MB/s per round: {per_round([size / r['seconds'] / 1e6 for r in ra], 0)}",
                    f"- nginx MB/s per round: {per_round([size / r['seconds'] / 1e6 for r in rb], 0)}",
                ])
            except Exception as e:  # noqa: BLE001
                self.rep.fail("5", f"download {label}", e)

        # 6: small GETs
        if not self.over_budget("6", "4 KiB GETs"):
            log("6. 4 KiB GETs")
            try:
                small = self.work / "small.bin"
                make_random_file(small, 4096)
                shutil.copyfile(small, self.nginx.root / "small.bin")
                curl_put(self.d.token("blob", CONTAINER, "small.bin", permissions="cw")["url"], small, blob_type)
                surl = self.d.token("blob", CONTAINER, "small.bin", permissions="r")["url"]
                n, md5 = curl_md5(surl)
                if n != 4096 or md5 != file_md5(small):
                    raise RuntimeError("the 4 KiB blob does not read back as written")
                secs = P["wrk_seconds"]
                ra, rb = alternate(P["rounds"], lambda: wrk(surl, secs), lambda: wrk(self.nginx.url("small.bin"), secs))
                bad = [r for r in ra + rb if r["non2xx"] or r["socketErrors"]]
                rpsa, rpsb = median([r["rps"] for r in ra]), median([r["rps"] for r in rb])
                ratio = rpsa / rpsb
                self.rep.row("6", "4 KiB GETs with SAS validation, 64 connections (wrk)", f"{fmt(rpsa, 0)} req/s",
                             f"{fmt(rpsb, 0)} req/s (nginx static)", f"{ratio:.2f}×", "≥ 0.5×",
                             ratio >= 0.5 and not bad)
                self.hwm.append(("after 6 (4 KiB GETs)", proc_status(self.d.pid, "VmHWM")))
                lines = [
                    f"`wrk -c64 -t2 -d{secs}s --latency` on a 4 KiB blob's read SAS URL vs nginx serving the same "
                    f"4 KiB file. {P['rounds']} rounds, alternating. wrk runs on the same 2 cores.",
                    "",
                    f"- medstored req/s per round: {per_round([r['rps'] for r in ra], 0)}; p50 / p99 ms: "
                    + "; ".join(f"{r['p50Ms']:.2f} / {r['p99Ms']:.2f}" for r in ra),
                    f"- nginx req/s per round: {per_round([r['rps'] for r in rb], 0)}; p50 / p99 ms: "
                    + "; ".join(f"{r['p50Ms']:.2f} / {r['p99Ms']:.2f}" for r in rb),
                ]
                if bad:
                    lines.append(f"- **errors**: " + "; ".join(f"non-2xx {r['non2xx']}, socket {r['socketErrors']}"
                                                               for r in bad))
                self.rep.detail("6. Small GETs", lines)
            except Exception as e:  # noqa: BLE001
                self.rep.fail("6", "4 KiB GETs", e)

        # 7: peak RSS
        try:
            hwm = proc_status(self.d.pid, "VmHWM")
            rss = proc_status(self.d.pid, "VmRSS")
            self.rep.row("7", "peak RSS of medstored during 4–6 (VmHWM)", f"{hwm / 1024:.1f} MiB", "—", "—",
                         "≤ 64 MiB", hwm <= 64 * 1024)
            self.rep.detail("7. Peak memory", [
                "VmHWM of a daemon started fresh for 4–6 (it cannot be reset, so it is read as it grows):", ""]
                + [f"- {what}: {kb / 1024:.1f} MiB" for what, kb in self.hwm]
                + [f"- VmRSS after 6: {rss / 1024:.1f} MiB"])
        except Exception as e:  # noqa: BLE001
            self.rep.fail("7", "peak RSS", e)
        if PROFILE:
            log("profile (BENCH_PROFILE=1)")
            try:
                self.profile(up, down, src, blob_type)
            except Exception as e:  # noqa: BLE001
                self.rep.appendix.append(f"## Profile (BENCH_PROFILE=1)\n\nerror: {type(e).__name__}: {e}\n")
        self.nginx.stop()
        src.unlink(missing_ok=True)
        nginx_file.unlink(missing_ok=True)

    # 8 -------------------------------------------------------------------------------------------
    def b8_sdk(self) -> None:
        size = P["sdk_bytes"]
        src = self.work / "sdk.bin"
        make_random_file(src, size)
        url = self.d.token("blob", CONTAINER, "sdk.bin", permissions="rcw")["url"]
        # The SDK's default max_single_put_size is 64 MiB; below 128 MiB (quick runs) it is lowered so
        # the upload still takes the block path.
        single = min(64, size // MiB // 2)
        r = sdk_json("transfer", "--url", url, "--file", str(src), "--rounds", str(P["rounds"]),
                     "--single-put-mib", str(single), timeout=600)
        src.unlink(missing_ok=True)
        upm = median([x["uploadMBps"] for x in r["rounds"]])
        downm = median([x["downloadMBps"] for x in r["rounds"]])
        self.rep.row("8", f"Python SDK upload / download of {size // MiB} MiB (block path)",
                     f"{fmt(upm, 0)} / {fmt(downm, 0)} MB/s", "—", "—", "report MB/s",
                     None if r["verified"] else False)
        self.rep.detail("8. Python SDK transfers", [
            f"`BlobClient.upload_blob` of a {size // MiB} MiB file: over `max_single_put_size` ({single} MiB), so Put Block "
            f"× {r['committedBlocks']} ({r['blockMiB']} MiB blocks) + Put Block List; `download_blob().readinto()`; "
            f"max_concurrency={r['concurrency']} (the SDK default). {P['rounds']} rounds.",
            "",
            f"- upload MB/s per round: {per_round([x['uploadMBps'] for x in r['rounds']], 0)}",
            f"- download MB/s per round: {per_round([x['downloadMBps'] for x in r['rounds']], 0)}",
            f"- bytes verified (size + md5, first round): {r['verified']}",
        ])

    # 9 -------------------------------------------------------------------------------------------
    def b9_restore(self) -> None:
        """Restore and prune on a journal of 1,000,000 versions each, written by `medstore-bench
        journal-fixture` into a second daemon's stopped state dir (the journal's shape: 100,000
        blobs x 10 versions interleaved over two days; for the prune, 100,000 x 11 over 30 to 20
        days ago, expired by a retention reloaded down to 7 days)."""
        blobs = P["restore_blobs"]
        work = self.work / "b9"
        work.mkdir()
        d = Medstored(self.bins, work, Path(tempfile.mkdtemp(prefix="msb9-", dir="/tmp")))
        conf = work / "medstored.conf"
        conf.write_text("backup-retention-days = 35\n")
        d.extra_args = ["--config", str(conf)]
        d.state.mkdir(mode=0o700)
        gen: dict[str, dict] = {}
        for name, versions, since, until in (("restore", 10, "2", "0.01"), ("expired", 11, "30", "20")):
            t0 = time.perf_counter()
            gen[name] = bench_json(self.bins, "journal-fixture", "--state-dir", str(d.state), "--container", name,
                                   "--blobs", str(blobs), "--versions", str(versions), "--from-days-ago", since,
                                   "--to-days-ago", until, timeout=900)
            gen[name]["wall"] = time.perf_counter() - t0
        d.start(timeout=120)
        try:
            t0 = time.perf_counter()
            res = json.loads(d.medctl("--json", "backup", "restore", "restore", "--to", gen["restore"]["midpoint"],
                                      timeout=600).stdout)
            wall = time.perf_counter() - t0
            info = json.loads(d.medctl("--json", "backup", "show", "restore").stdout)
            if info["liveBlobs"] != blobs:
                raise RuntimeError(f"after the restore {info['liveBlobs']} blobs are live, expected {blobs}")
            conf.write_text("backup-retention-days = 7\n")
            os.kill(d.pid, signal.SIGHUP)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if json.loads(d.medctl("--json", "backup", "show", "expired").stdout)["retentionDays"] == 7:
                    break
                time.sleep(0.05)
            t1 = time.perf_counter()
            pr = json.loads(d.medctl("--json", "backup", "prune", timeout=600).stdout)
            prune_wall = time.perf_counter() - t1
        finally:
            d.stop()
        versions = gen["restore"]["versions"]
        changed = res["restored"] + res["removed"] + res["reverted"]
        secs = res["durationMs"] / 1e3
        self.rep.row("9", f"restore of a container with {blobs:,} blobs / {versions:,} versions", f"{fmt(secs, 2)} s",
                     f"{changed:,} blobs differed", "—", "≤ 5 s", secs <= 5)
        psecs = pr["durationMs"] / 1e3
        self.rep.row("9b", f"prune of {pr['versionsRemoved']:,} expired versions", f"{fmt(psecs, 2)} s", "—", "—",
                     "≤ 10 s", psecs <= 10 and pr["versionsRemoved"] >= gen["expired"]["versions"] - blobs)
        self.rep.detail("9. Restore and prune", [
            "Journal written by `medstore-bench journal-fixture` (one SQLite transaction each, daemon stopped): "
            f"`restore`: {blobs:,} blobs x 10 versions interleaved over 2 days ({gen['restore']['wall']:.1f} s); "
            f"`expired`: {blobs:,} blobs x 11 versions 30 to 20 days ago ({gen['expired']['wall']:.1f} s). Versions share "
            "8 real data files, as the journal shares data between versions.",
            "",
            f"- `medctl backup restore restore --to {gen['restore']['midpoint']}` (the midpoint: every blob changed "
            f"after it): restored {res['restored']:,}, removed {res['removed']:,}, reverted {res['reverted']:,}; "
            f"{secs:.2f} s inside the daemon (one transaction), {wall:.2f} s for the whole medctl process",
            f"- retention reloaded from 35 to 7 days (SIGHUP), then `medctl backup prune`: removed "
            f"{pr['versionsRemoved']:,} versions and {pr['filesRemoved']} files in {psecs:.2f} s inside the daemon "
            f"({prune_wall:.2f} s for the medctl process)",
        ])

    # 10 ------------------------------------------------------------------------------------------
    def b10_start(self) -> None:
        import sqlite3

        runs = P["start_runs"]
        n = P["containers"]

        def starts() -> list[float]:
            out = []
            for _ in range(runs):
                out.append(self.d.start())
                self.d.stop()
            return out

        self.d.stop()
        few = starts()
        db = sqlite3.connect(str(self.d.state / "medstore.db"))
        try:
            cols = [r[1] for r in db.execute("PRAGMA table_info(containers)")]
            have = db.execute("SELECT count(*) FROM containers").fetchone()[0]
            # Clone the row medstored wrote for CONTAINER, changing only the name: whatever columns
            # the current schema has, the copies look like containers the daemon created itself.
            others = [c for c in cols if c != "name"]
            sql = (f"INSERT INTO containers (name, {', '.join(others)}) SELECT ?, {', '.join(others)} "
                   f"FROM containers WHERE name = ?")
            t0 = time.perf_counter()
            with db:
                db.executemany(sql, ((f"c{i:06d}", CONTAINER) for i in range(n - have)))
            ins = time.perf_counter() - t0
            total = db.execute("SELECT count(*) FROM containers").fetchone()[0]
        finally:
            db.close()
        many = starts()
        self.d.start()
        status = json.loads(self.d.medctl("--json", "status").stdout)
        if status.get("containerCount") != total:
            raise RuntimeError(f"daemon reports {status.get('containerCount')} containers, expected {total}")
        ms = median(many) * 1e3
        self.rep.row("10", f"daemon start to ready with {total:,} containers (median of {runs})", f"{fmt(ms)} ms",
                     f"{fmt(median(few) * 1e3)} ms with {have} container(s)", "—", "≤ 200 ms", ms <= 200)
        self.rep.detail("10. Start to ready", [
            f"Time from exec of medstored to the first answered `hello` on its socket (polled every 1 ms), on the "
            f"state dir of this run. {n - have:,} container rows were cloned from one the daemon created (python "
            f"sqlite3, one transaction, {ins:.2f} s) while it was stopped; the daemon then reported "
            f"containerCount={total:,}.",
            "",
            f"- {have} container(s), ms per start: {per_round([x * 1e3 for x in few])}",
            f"- {total:,} containers, ms per start: {per_round([x * 1e3 for x in many])}",
        ])

    # profile -------------------------------------------------------------------------------------
    def profile(self, up: str, down: str, src: Path, blob_type: list[str]) -> None:
        """One more run of 1, 2, 4, 5, 6 on medstored under perf stat, strace -c and perf record.

        Not part of the figures: tracing slows the daemon. Each workload returns its operation
        count, so the daemon's CPU time and context switches can be given per operation."""
        pid = str(self.d.pid)
        size = P["blob_bytes"]
        surl = self.d.token("blob", CONTAINER, "small.bin", permissions="r")["url"]
        # During the perf stat pass the load generator runs under its own perf stat too.
        client_stat: dict[str, Any] = {"file": None}

        def client_prefix() -> list[str]:
            f = client_stat["file"]
            return ["perf", "stat", "-x", ",", "-e", "task-clock,context-switches", "-o", str(f)] if f else []

        def issue() -> tuple[int, str]:
            r = bench_json(self.bins, "issue", "--socket", self.d.socket, "--container", CONTAINER, "--clients",
                           str(P["issue_clients"]), "--seconds", "3", "--warmup", "0", prefix=client_prefix())
            return r["count"], "token"

        def latency() -> tuple[int, str]:
            r = bench_json(self.bins, "latency", "--socket", self.d.socket, "--count", "5000", "--warmup", "0",
                           prefix=client_prefix())
            return r["count"], "request"

        def upload() -> tuple[int, str]:
            curl_put(up, src, blob_type)
            return size // MiB, "MiB"

        def fsync_share() -> str:
            """One upload with only fsync/fdatasync traced (-T): how much of it is spent in them."""
            out = self.work / "fsync.txt"
            tracer = subprocess.Popen(["strace", "-f", "-T", "-e", "trace=fsync,fdatasync,sync_file_range",
                                       "-o", str(out), "-p", pid], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            try:
                r = curl_put(up, src, blob_type)
            finally:
                tracer.send_signal(signal.SIGINT)
                tracer.wait(30)
            times = [float(m) for m in re.findall(r"<([\d.]+)>", out.read_text())]
            out.unlink(missing_ok=True)
            return (f"- fsync: {len(times)} fsync/fdatasync calls took {sum(times):.2f} s of a {r['seconds']:.2f} s "
                    f"upload ({sum(times) / r['seconds'] * 100:.0f} %); the largest {max(times, default=0):.2f} s")

        def download() -> tuple[int, str]:
            curl_get(down)
            return size // MiB, "MiB"

        def gets() -> tuple[int, str]:
            return wrk(surl, 3)["requests"], "request"

        workloads = [("1: token.blob, 16 clients, 3 s", issue), ("2: status, one client, 5,000 requests", latency),
                     (f"4: upload {size // MiB} MiB", upload), (f"5: download {size // MiB} MiB", download),
                     ("6: 4 KiB GETs, wrk -c64 3 s", gets)]
        demangle = shutil.which("swift-demangle") or shutil.which("swift")
        lines = ["One extra run of each workload with medstored traced (not part of the figures: tracing slows "
                 "it). `perf stat` gives the daemon's CPU time and context switches per operation, `strace -c -f` "
                 "its syscalls, `perf record` (no call graphs) where its CPU time goes.", ""]
        for name, fn in workloads:
            lines += [f"#### {name}", ""]
            # perf stat
            tracer = subprocess.Popen(["perf", "stat", "-x", ",", "-e", "task-clock,context-switches,page-faults", "-p", pid],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            time.sleep(0.3)
            t0 = time.perf_counter()
            client_stat["file"] = self.work / "client-stat.txt"
            try:
                ops, unit = fn()
            finally:
                client_stat["file"] = None
                wall = time.perf_counter() - t0
                tracer.send_signal(signal.SIGINT)
                out = tracer.communicate(timeout=30)[0].decode(errors="replace")
            def parse_stat(text: str) -> dict[str, float]:
                found = {}
                for row in text.splitlines():
                    cols = row.split(",")
                    if len(cols) > 3 and cols[0].replace(".", "", 1).isdigit():
                        found[cols[2]] = float(cols[0])
                return found

            stats = parse_stat(out)
            cpu_ms = stats.get("task-clock", float("nan"))
            cs = stats.get("context-switches", float("nan"))
            faults = stats.get("page-faults", float("nan"))
            lines.append(f"- perf stat: {ops:,} {unit}s in {wall:.2f} s; daemon CPU {cpu_ms:,.0f} ms "
                         f"({cpu_ms / 1e3 / wall:.2f} cores), {cpu_ms * 1e3 / max(ops, 1):,.1f} µs CPU per {unit}, "
                         f"{cs / max(ops, 1):,.1f} context switches and {faults / max(ops, 1):,.1f} page faults per {unit}")
            cfile = self.work / "client-stat.txt"
            if cfile.exists():
                cstats = parse_stat(cfile.read_text())
                ccpu = cstats.get("task-clock", float("nan"))
                lines.append(f"- the load generator (medstore-bench) itself: CPU {ccpu:,.0f} ms, "
                             f"{ccpu * 1e3 / max(ops, 1):,.1f} µs CPU and "
                             f"{cstats.get('context-switches', float('nan')) / max(ops, 1):,.1f} context switches per {unit}")
                cfile.unlink()
            # strace -c
            sfile = self.work / "strace.txt"
            tracer = subprocess.Popen(["strace", "-c", "-f", "-o", str(sfile), "-p", pid],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            try:
                ops, unit = fn()
            finally:
                tracer.send_signal(signal.SIGINT)
                tracer.wait(30)
            rows = []
            for row in sfile.read_text().splitlines()[2:]:
                cols = row.split()
                if len(cols) >= 5 and cols[0][0].isdigit() and not row.startswith("-"):
                    calls, name_ = int(cols[3]), cols[-1]
                    if calls >= max(ops, 1) // 10 and name_ != "total":
                        rows.append(f"{name_} {calls / max(ops, 1):,.2f}")
            lines.append(f"- strace -c: syscalls per {unit} (under strace; {ops:,} {unit}s): " + ", ".join(rows[:14]))
            if fn is upload:
                lines.append(fsync_share())
            # perf record
            pfile = self.work / "perf.data"
            tracer = subprocess.Popen(["perf", "record", "-F", "999", "-o", str(pfile), "-p", pid],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            try:
                fn()
            finally:
                tracer.send_signal(signal.SIGINT)
                tracer.wait(30)
            def perf_report(sort: str, limit: int) -> list[str]:
                out = subprocess.run(["perf", "report", "-i", str(pfile), "--no-children", "--sort", sort, "--stdio",
                                      "--percent-limit", "2"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     timeout=120).stdout.decode(errors="replace")
                return [r.strip() for r in out.splitlines() if r.strip() and not r.startswith("#")][:limit]

            by_dso = perf_report("dso", 6)
            top = perf_report("dso,sym", 12)
            if demangle and top:
                cmd = [demangle, "--simplified"] if demangle.endswith("swift-demangle") else \
                    [demangle, "demangle", "--simplified"]
                try:
                    top = subprocess.run(cmd, input="\n".join(top).encode(), stdout=subprocess.PIPE,
                                         timeout=30).stdout.decode().splitlines()
                except Exception:  # noqa: BLE001
                    pass
            lines.append("- perf record, daemon CPU by library: " + "; ".join(re.sub(r"\s+", " ", d) for d in by_dso))
            lines += ["- perf record, daemon CPU by symbol (≥ 2 %):", "", "```"]
            lines += [re.sub(r"\s{2,}", "  ", t)[:160] for t in top] + ["```", ""]
            sfile.unlink(missing_ok=True)
            pfile.unlink(missing_ok=True)

        self.rep.appendix.append("## Profile (BENCH_PROFILE=1)\n\n" + "\n".join(lines) + "\n")


# --- main ------------------------------------------------------------------------------------------

def render(rep: Report, machine: list, vers: list, limits: list, started: str, took: float) -> str:
    out = [
        "# medstore benchmarks" + (" (QUICK smoke run: BENCH_QUICK=1, not representative)" if QUICK else ""),
        "",
        f"`make bench`, {started}, {took:.0f} s after the build. Every baseline ran in the same run on the same "
        f"machine, over loopback; figures are medians of {P['rounds']} alternating A/B round(s). Ratios are "
        "medstored ÷ baseline (for 3: baseline time ÷ medctl time).",
        "",
        "| # | benchmark | medstored | baseline | ratio | target | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rep.rows:
        out.append(f"| {r['num']} | {r['what']} | {r['medstore']} | {r['baseline']} | {r['ratio']} | {r['target']} "
                   f"| {r['verdict']} |")
    out += ["", "## Machine", "", "| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in machine]
    out += ["", "## Versions", "", "| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in vers]
    out += ["", "## The machine's limits (for comparison)", "", "| | |", "|---|---|"] + \
           [f"| {k} | {v} |" for k, v in limits]
    out += ["", "## Details", ""] + rep.details
    out += ["## Setup", "",
            "- medstored: release build, fresh temp state dir, its own socket and blob port, default log level "
            "(the data access log writes one line per request to a file); nginx: `worker_processes auto`, "
            "`sendfile on`, access log to a file, WebDAV `dav_methods PUT`, body temp dir on the same filesystem.",
            "- medstored fsyncs every blob before it answers; nginx's PUT never fsyncs (see 4's detail for the "
            "nginx + fsync figure).",
            "- Clients (curl, wrk, medstore-bench, Python) share the machine's cores with the servers.",
            ""]
    if rep.observations:
        out += ["## Observations", ""] + [f"- {o}" for o in rep.observations] + [""]
    out += rep.appendix
    if rep.failures:
        out += ["## Failures", ""] + [f"- {f}" for f in rep.failures] + [""]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", default=str(REPO / ".build" / "release"),
                        help="directory with the release medstored, medctl and medstore-bench")
    args = parser.parse_args()
    bootstrap()
    global T_START
    if os.environ.get("MEDSTORE_BENCH_T0"):
        T_START = time.monotonic() - (time.time() - float(os.environ["MEDSTORE_BENCH_T0"]))
    bins = Path(args.bin_dir).resolve()
    for exe in ("medstored", "medctl", "medstore-bench"):
        if not os.access(bins / exe, os.X_OK):
            raise SystemExit(f"bench: {bins / exe} is missing: run `make bench` (it builds release first)")
    az = os.environ.get("MEDSTORE_BENCH_AZ", "no: not tried")
    az_ok = az == "ok"
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    base_dir = Path(os.environ.get("BENCH_DIR", "/var/tmp"))
    work = Path(tempfile.mkdtemp(prefix="medstore-bench-", dir=base_dir))
    sockdir = Path(tempfile.mkdtemp(prefix="msb-", dir="/tmp"))  # sun_path is short
    rep = Report()
    try:
        machine = machine_info(work)
        vers = versions(bins, az_ok)
        log("machine limits (dd, iperf3)")
        limits = machine_limits(work, rep)
        b = Bench(bins, work, sockdir, rep, az_ok, az.removeprefix("no: "))
        log(f"medstored on {work}/state, socket {b.d.socket}, blob port {b.d.port}")
        b.d.start()
        b.setup_account()
        b.guarded("1", "token issuance", b.b1_issue)
        b.guarded("2", "sequential latency", b.b2_latency)
        b.guarded("3", "CLI wall time", b.b3_cli)
        b.guarded("4–7", "transfers and peak RSS", b.b4to7_transfers)
        b.guarded("8", "Python SDK transfers", b.b8_sdk)
        b.guarded("9", "restore and prune", b.b9_restore)
        b.guarded("10", "start to ready with 100,000 containers", b.b10_start)
        b.d.stop()
        b.nginx.stop()
        for s in b.d.stuck_stops:
            rep.observations.append(f"medstored did not exit within 20 s of SIGTERM and was killed: {s}")
    finally:
        _stop_all()
        if os.environ.get("BENCH_KEEP") == "1":
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(sockdir, ignore_errors=True)
    machine.append(("load average (1, 5, 15 min) at the end", " ".join(open("/proc/loadavg").read().split()[:3])))
    text = render(rep, machine, vers, limits, started, elapsed())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".md.tmp")
    tmp.write_text(text)
    tmp.replace(RESULTS)
    print(text)
    log(f"report written to {RESULTS.relative_to(REPO)} ({elapsed():.0f} s)")
    return 1 if rep.failures else 0


if __name__ == "__main__":
    sys.exit(main())
