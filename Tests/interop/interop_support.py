"""Shared helpers for the interop tests: binaries, a real ``medstored`` process, fixed keys, the
Azure SDK as the reference signer, and secret scanning.

The fixtures in ``conftest.py`` are thin wrappers around :class:`Daemon`.
"""

from __future__ import annotations

import atexit
import base64
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Optional

from medstore_client import Connection, MedStoreClient, MedStoreError

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("MEDSTORE_BIN_DIR") or REPO / ".build" / "debug")
MEDSTORED = BIN_DIR / "medstored"
MEDCTL = BIN_DIR / "medctl"
VECTORS = REPO / "Protocol" / "vectors" / "frames.json"

#: The fixed account the ``account`` fixture imports.
ACCOUNT = "medstoretest"
#: base64 of the 64 bytes 0x00..0x3f (the reference's worked-example key).
PRIMARY_KEY = base64.b64encode(bytes(range(64))).decode()
#: a second fixed 64-byte key (from the reference SAS vectors).
SECONDARY_KEY = "u30CWhU0xSwZ/YfVjzRfLY2kVeEFX6AT5Jf4Xy7ksPBglgJ3gI31ZjIAkEvkRMgpfwuStTMU/ATu2fX8Q5OWMA=="
#: what the daemon is started with; SAS URLs are then http://127.0.0.1:10000/<account>/...
BLOB_ENDPOINT = "http://127.0.0.1:10000"
#: the daemon's blob (HTTP) listener binds 127.0.0.1:10000 by default; tests use an ephemeral
#: port so that several daemons (and anything else on the machine using 10000) never collide.
BLOB_LISTEN = "127.0.0.1:0"
SAS_VERSION = "2026-10-06"

CONTAINER_PERMS = "racwdxyltfmei"
# 'l' (list) and 'f' (find) only make sense on a container: the daemon refuses them on a blob.
# NOTE: Protocol/medstore-v1.md (TokenOptions) still lists blob letters as `racwdxyltmei`.
BLOB_PERMS = "racwdxytmei"
#: window for bulk set-up pipelines (tests of the 64 limit itself use 64)
BULK_WINDOW = 32


def secret_forms(key_b64: str) -> list[str]:
    """Text forms in which a key could leak: base64 (with/without padding), base64url, hex."""
    raw = base64.b64decode(key_b64)
    forms = {key_b64, key_b64.rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("="), raw.hex(), raw.hex().upper()}
    return sorted(forms)


SECRETS = secret_forms(PRIMARY_KEY) + secret_forms(SECONDARY_KEY)


def texts(obj: Any) -> Iterable[str]:
    """Every text string (keys and values) inside a decoded CBOR/JSON value."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, (bytes, bytearray)):
        yield bytes(obj).decode("latin-1")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from texts(k)
            yield from texts(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from texts(v)


def find_secrets(text: str, secrets: Iterable[str] = SECRETS) -> list[str]:
    """The secrets (in any form of :func:`secret_forms`) that occur in ``text``."""
    return [s for s in secrets if s in text]


def rss_kb(pid: int) -> int:
    """Resident set size of a process in KiB, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def clean_env(**extra: str) -> dict:
    """The current environment without any MEDSTORE_* variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDSTORE_")}
    env.update(extra)
    return env


def short_tmpdir() -> str:
    """A fresh directory directly under /tmp (sun_path is only 108 bytes)."""
    return tempfile.mkdtemp(prefix="ms-", dir="/tmp")


_STARTED: list = []


@atexit.register
def _kill_leftovers() -> None:
    """Never leave a daemon behind, even when the test process dies in the middle."""
    for d in _STARTED:
        try:
            d.cleanup()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


class Daemon:
    """A real ``medstored`` process on a short socket path and a temp state dir.

    Every reply any of its clients decodes is recorded in :attr:`replies`, and every medctl
    output in :attr:`outputs`, so teardown can check that no key ever left the daemon.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        state_dir: Optional[Path] = None,
        socket_path: Optional[str] = None,
        args: Iterable[str] = (),
        blob_endpoint: Optional[str] = BLOB_ENDPOINT,
        blob_listen: Optional[str] = BLOB_LISTEN,
        env: Optional[dict] = None,
        pass_socket_flag: bool = True,
        umask: Optional[int] = None,
        wrapper: Iterable[str] = (),
    ):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.state_dir = Path(state_dir) if state_dir else self.workdir / "state"
        self._own_sockdir = None
        if socket_path is None:
            self._own_sockdir = short_tmpdir()
            socket_path = os.path.join(self._own_sockdir, "s.sock")
        self.socket_path = socket_path
        self.extra_args = list(args)
        self.blob_endpoint = blob_endpoint
        self.blob_listen = blob_listen
        self.env = env
        self.pass_socket_flag = pass_socket_flag
        self.umask = umask
        self.wrapper = list(wrapper)
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = self.workdir / f"medstored-{id(self)}.log"
        self.replies: list[dict] = []
        self.outputs: list[str] = []
        self._clients: list[Connection] = []

    # process -----------------------------------------------------------------------------------
    def argv(self) -> list[str]:
        argv = [*self.wrapper, str(MEDSTORED), "--state-dir", str(self.state_dir)]
        if self.pass_socket_flag:
            argv += ["--socket", self.socket_path]
        if self.blob_endpoint is not None:
            argv += ["--blob-endpoint", self.blob_endpoint]
        if self.blob_listen is not None:
            argv += ["--blob-listen", self.blob_listen]
        return argv + self.extra_args

    def start(self, wait: bool = True, timeout: float = 10.0) -> "Daemon":
        """Start the process; with ``wait``, return once a client's hello is answered."""
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.argv(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.env if self.env is not None else clean_env(),
            umask=-1 if self.umask is None else self.umask,
        )
        _STARTED.append(self)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        last: Optional[BaseException] = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"medstored exited with {self.proc.returncode} before serving:\n{self.log()}"
                )
            try:
                with MedStoreClient(self.socket_path, timeout=2.0):
                    return
            except (OSError, MedStoreError) as e:
                last = e
                time.sleep(0.05)
        raise AssertionError(f"medstored did not answer hello within {timeout}s ({last!r}):\n{self.log()}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def rss_kb(self) -> int:
        return rss_kb(self.pid)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> Optional[int]:
        """Close this harness's clients, send ``sig`` and return the exit code (None: still
        running after ``timeout``, then it is killed)."""
        for c in self._clients:
            c.close()
        self._clients.clear()
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        self._log.close()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def cleanup(self) -> None:
        self.kill()
        if self._own_sockdir:
            shutil.rmtree(self._own_sockdir, ignore_errors=True)

    # clients -----------------------------------------------------------------------------------
    def client(self, timeout: float = 10.0) -> MedStoreClient:
        """A new handshaken client whose replies are recorded."""
        c = MedStoreClient(self.socket_path, timeout=timeout, on_reply=self.replies.append)
        self._clients.append(c)
        return c

    def connection(self, timeout: float = 10.0) -> Connection:
        """A new raw connection (no hello sent yet) whose replies are recorded."""
        c = Connection(self.socket_path, timeout=timeout, on_reply=self.replies.append)
        self._clients.append(c)
        return c

    def medctl(self, *args: str, input: Optional[str] = None, env: Optional[dict] = None, timeout: float = 30.0):
        """Run the real medctl with MEDSTORE_SOCKET set; return (exit code, stdout, stderr)."""
        e = clean_env(MEDSTORE_SOCKET=self.socket_path)
        if env:
            e.update(env)
        p = subprocess.run(
            [str(MEDCTL), *args],
            input=input,
            capture_output=True,
            text=True,
            env=e,
            timeout=timeout,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
        self.outputs.append(p.stdout)
        self.outputs.append(p.stderr)
        return p.returncode, p.stdout, p.stderr

    def leaked_secrets(self, secrets: Iterable[str] = SECRETS) -> list[str]:
        """Where a secret appeared: in a reply, a medctl output or the daemon log."""
        secrets = list(secrets)
        found = []
        for r in self.replies:
            for t in texts(r):
                for s in find_secrets(t, secrets):
                    found.append(f"reply id {r.get('id')}: {s[:12]}...")
        for o in self.outputs:
            for s in find_secrets(o, secrets):
                found.append(f"medctl output: {s[:12]}...")
        for s in find_secrets(self.log(), secrets):
            found.append(f"daemon log: {s[:12]}...")
        found += audit_file_leaks(self.state_dir)
        return found


#: The audit trail's files in the state directory (they must never hold a key).
AUDIT_FILES = ("audit.db", "audit.db-wal", "audit.head")


def audit_file_leaks(state_dir, keys: Iterable[str] = (PRIMARY_KEY, SECONDARY_KEY)) -> list[str]:
    """Where a key (raw bytes or any text form of :func:`secret_forms`) occurs in the audit files."""
    found = []
    for name in AUDIT_FILES:
        path = Path(state_dir) / name
        if not path.exists():
            continue
        data = path.read_bytes()
        for key in keys:
            for form in [base64.b64decode(key)] + [f.encode() for f in secret_forms(key)]:
                if form in data:
                    found.append(f"{name}: {form[:6]!r}...")
    return found


def import_account(client, name: str = ACCOUNT, primary: str = PRIMARY_KEY, secondary: str = SECONDARY_KEY) -> dict:
    """``account.import`` with the fixed keys; return the AccountInfo."""
    return client.call("account.import", {"name": name, "primaryKey": primary, "secondaryKey": secondary})


def error_of(fn, *args, **kw) -> MedStoreError:
    """Call ``fn`` and return the :class:`MedStoreError` it raised; fail if it succeeded."""
    try:
        result = fn(*args, **kw)
    except MedStoreError as e:
        return e
    raise AssertionError(f"expected a MedStoreError, got result {result!r}")


# --- the Azure SDK as the reference signer ------------------------------------------------------


def sdk_token(
    *,
    key: str,
    container: str,
    blob: Optional[str] = None,
    permissions: str,
    expiry: str,
    start: Optional[str] = None,
    ip: Optional[str] = None,
    https_only: bool = False,
    account: str = ACCOUNT,
) -> str:
    """The token ``azure-storage-blob`` makes for these inputs (strings passed verbatim)."""
    from azure.storage.blob import generate_blob_sas, generate_container_sas

    common = dict(
        account_name=account,
        container_name=container,
        account_key=key,
        permission=permissions,
        expiry=expiry,
        start=start,
        ip=ip,
        protocol="https" if https_only else None,
    )
    if blob is None:
        return generate_container_sas(**common)
    return generate_blob_sas(blob_name=blob, **common)


def sdk_url(token: str, *, container: str, blob: Optional[str] = None, account: str = ACCOUNT) -> str:
    """The SAS URL the SDK's clients build for the daemon's blob endpoint."""
    from azure.storage.blob import BlobClient, ContainerClient

    account_url = f"{BLOB_ENDPOINT}/{account}"
    if blob is None:
        base = ContainerClient(account_url=account_url, container_name=container).url
    else:
        base = BlobClient(account_url=account_url, container_name=container, blob_name=blob).url
    return base + "?" + token


def canonical_permissions(letters: str, resource: str) -> str:
    """Letters in Azure's canonical order, via the SDK's permission classes."""
    from azure.storage.blob import BlobSasPermissions, ContainerSasPermissions

    cls = ContainerSasPermissions if resource == "container" else BlobSasPermissions
    return str(cls.from_string(letters))
