"""pytest fixtures for the interop suite: the real ``medstored``/``medctl`` binaries.

Binaries come from ``$MEDSTORE_BIN_DIR``, default ``<repo>/.build/debug`` (``make interop``
builds them first). Missing binaries fail the run: these tests are never skipped.

Fixtures:

* ``daemon`` -- a fresh ``medstored`` per test (temp state dir, short socket path under /tmp,
  ``--blob-endpoint http://127.0.0.1:10000``). Teardown sends SIGTERM and requires exit code 0
  within 10 s, and checks that no imported key appeared in any reply, medctl output or the log.
* ``client`` -- a handshaken :class:`MedStoreClient` on ``daemon``.
* ``account`` -- the fixed account ``medstoretest`` imported from known keys; its AccountInfo.
* ``daemon_factory`` -- start extra daemons with custom arguments (lifecycle tests); they are
  killed at teardown if a test left them running.
"""

from __future__ import annotations

import os
import signal

import pytest

from interop_support import MEDCTL, MEDSTORED, Daemon, import_account


@pytest.fixture(scope="session", autouse=True)
def binaries():
    """Fail (never skip) when the binaries are not built."""
    missing = [str(p) for p in (MEDSTORED, MEDCTL) if not os.access(p, os.X_OK)]
    if missing:
        pytest.fail(f"binaries not built: {', '.join(missing)} (run `make build` or set MEDSTORE_BIN_DIR)", pytrace=False)
    return MEDSTORED, MEDCTL


@pytest.fixture
def daemon(tmp_path):
    """A running medstored; clean shutdown (exit 0 on SIGTERM within 10 s) is asserted."""
    d = Daemon(tmp_path / "d")
    try:
        d.start()
        yield d
        leaks = d.leaked_secrets()
        alive = d.alive()
        rc = d.stop(signal.SIGTERM, timeout=10)
        assert alive, f"medstored died during the test (exit {d.proc.returncode}):\n{d.log()[-4000:]}"
        assert rc == 0, f"medstored exit code after SIGTERM: {rc} (None = still running after 10 s)\n{d.log()[-4000:]}"
        assert not leaks, f"a key leaked: {leaks}"
    finally:
        d.cleanup()


@pytest.fixture
def client(daemon):
    c = daemon.client()
    yield c
    c.close()


@pytest.fixture
def account(daemon):
    """Import the fixed account (``medstoretest``, keys PRIMARY_KEY/SECONDARY_KEY)."""
    with daemon.client() as c:
        return import_account(c)


@pytest.fixture
def daemon_factory(tmp_path):
    """``make(name, **Daemon kwargs)`` -> an unstarted :class:`Daemon` under tmp_path/name."""
    made: list[Daemon] = []

    def make(name: str = "d", **kw) -> Daemon:
        d = Daemon(tmp_path / name, **kw)
        made.append(d)
        return d

    yield make
    for d in made:
        d.cleanup()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Turn any skip into a failure: every interop test must run."""
    outcome = yield
    rep = outcome.get_result()
    if rep.skipped and not hasattr(rep, "wasxfail"):
        rep.outcome = "failed"
        rep.longrepr = f"interop tests must not be skipped: {rep.longrepr}"
