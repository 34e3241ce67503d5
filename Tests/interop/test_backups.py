"""Container backups with the real daemon, medctl and the Azure SDK: point-in-time restore in
place and into a new container, deleted containers brought back, the retention window, a live
retention reload (SIGHUP), restore and prune metrics, and a kill -9 in the middle of a large
restore (entirely old or entirely new afterwards, the database intact, no file orphaned)."""

from __future__ import annotations

import json
import math
import random
import signal
import sqlite3
import subprocess
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import ContentSettings
from prometheus_client.parser import text_string_to_metric_families

from blob_support import *  # noqa: F401,F403 - fixtures and helpers
from interop_support import BIN_DIR, Daemon, MedStoreClient

BENCH = BIN_DIR / "medstore-bench"


def restore_point() -> str:
    """A whole-second RFC 3339 time after every change made so far (restore times have whole
    seconds), waiting until the clock is past it so later changes come after it."""
    t = math.floor(time.time()) + 1
    while time.time() < t + 0.05:
        time.sleep(0.05)
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def names(cc) -> set[str]:
    return {b.name for b in cc.list_blobs()}


def test_restore_in_place_through_the_sdk_view_and_undo(fresh_blob_daemon):
    d = fresh_blob_daemon
    d.create_container("records")
    cc = d.container_client("records", "racwdl")
    cc.upload_blob("a.txt", b"version one", metadata={"ward": "3"},
                   content_settings=ContentSettings(content_type="text/plain", cache_control="no-cache"))
    cc.upload_blob("b.txt", b"will be deleted")
    before = restore_point()

    cc.upload_blob("a.txt", b"version two, longer", overwrite=True, metadata={"ward": "9"})
    cc.get_blob_client("b.txt").delete_blob()
    cc.upload_blob("c.txt", b"created later")
    after_changes = restore_point()

    rc, out, err = d.medctl("backup", "restore", "records", "--to", before)
    assert rc == 0, err
    assert "restored:  1 blobs" in out and "removed:   1 blobs" in out and "reverted:  1 blobs" in out, out
    assert "took:" in out

    # What a SAS holder sees now: the old bytes, metadata and headers; c.txt gone; b.txt back.
    assert names(cc) == {"a.txt", "b.txt"}
    a = cc.get_blob_client("a.txt")
    assert a.download_blob().readall() == b"version one"
    props = a.get_blob_properties()
    assert props.metadata == {"ward": "3"}
    assert props.content_settings.content_type == "text/plain" and props.content_settings.cache_control == "no-cache"
    assert cc.get_blob_client("b.txt").download_blob().readall() == b"will be deleted"
    with pytest.raises(ResourceNotFoundError):
        cc.get_blob_client("c.txt").download_blob().readall()
    # A token made before the restore is still good (tokens are about names, not versions).
    fresh = d.blob_client("records", "a.txt", "r")
    assert fresh.download_blob().readall() == b"version one"

    # The restore is journaled: restoring to a time before it undoes it.
    result = d.medctl_json("backup", "restore", "records", "--to", after_changes)
    assert (result["restored"], result["removed"], result["reverted"]) == (1, 1, 1), result
    assert names(cc) == {"a.txt", "c.txt"}
    assert cc.get_blob_client("a.txt").download_blob().readall() == b"version two, longer"
    d.check_log()


def test_restore_into_a_new_container_leaves_the_source(fresh_blob_daemon):
    d = fresh_blob_daemon
    d.create_container("scans")
    cc = d.container_client("scans", "racwdl")
    cc.upload_blob("x.dcm", b"original")
    t = restore_point()
    cc.upload_blob("x.dcm", b"ransomware!", overwrite=True)
    result = d.medctl_json("backup", "restore", "scans", "--to", t, "--into", "scans-inspect")
    assert result["container"] == "scans-inspect" and result["restored"] == 1 and not result["containerRecreated"]
    assert d.container_client("scans-inspect", "rl").get_blob_client("x.dcm").download_blob().readall() == b"original"
    assert cc.get_blob_client("x.dcm").download_blob().readall() == b"ransomware!"
    rc, _, err = d.medctl("backup", "restore", "scans", "--to", t, "--into", "scans-inspect")
    assert rc != 0 and "already exists" in err


def test_deleted_container_is_listed_shown_and_brought_back(fresh_blob_daemon):
    d = fresh_blob_daemon
    d.create_container("oncology")
    cc = d.container_client("oncology", "racwdl")
    for i in range(5):
        cc.upload_blob(f"p{i}.json", f'{{"patient": {i}}}'.encode())
    t = restore_point()
    d.medctl_json("container", "delete", "oncology")
    deleted = d.medctl_json("backup", "deleted")["containers"]
    assert [(c["name"], c["blobs"], c["existsAgain"]) for c in deleted] == [("oncology", 5, False)]
    rc, out, _ = d.medctl("backup", "deleted")
    assert rc == 0 and "oncology" in out and "RESTORABLE UNTIL" in out
    info = d.medctl_json("backup", "show", "oncology")
    assert info["exists"] is False and info["liveBlobs"] == 0 and info["versionsRetained"] == 10
    rc, out, _ = d.medctl("backup", "show", "oncology")
    assert rc == 0 and "(deleted)" in out and "earliest restore point" in out

    result = d.medctl_json("backup", "restore", "oncology", "--to", t)
    assert result["containerRecreated"] and result["restored"] == 5
    back = d.container_client("oncology", "rl")
    assert sorted(names(back)) == [f"p{i}.json" for i in range(5)]
    assert back.get_blob_client("p3.json").download_blob().readall() == b'{"patient": 3}'
    # The deletion stays in the history (its lifetime can still be restored); the name is in use again.
    assert [(c["name"], c["existsAgain"]) for c in d.medctl_json("backup", "deleted")["containers"]] == [("oncology", True)]


def test_times_outside_the_window_are_refused_with_the_window(fresh_blob_daemon):
    d = fresh_blob_daemon
    d.create_container("window")
    rc, _, err = d.medctl("backup", "restore", "window", "--to", "-36d")
    assert rc == 1 and "before the retained window" in err and "earliest" in err, err
    rc, _, err = d.medctl("backup", "restore", "window", "--to", "2099-01-01T00:00:00Z")
    assert rc == 1 and "in the future" in err, err
    rc, _, err = d.medctl("backup", "restore", "window", "--to", "last tuesday")
    assert rc != 0 and "RFC 3339" in err, err
    rc, _, err = d.medctl("backup", "restore", "no-such-container", "--to", "-1h")
    assert rc != 0 and "no backup" in err, err
    info = d.medctl_json("backup", "show", "window")
    assert info["retentionDays"] == 35 and info["exists"] and info["earliestRestorePoint"]


def test_retention_reloads_live_and_prune_and_restore_are_measured(tmp_path):
    port = free_port()
    conf = tmp_path / "medstored.conf"
    conf.write_text("backup-retention-days = 35\n")
    d = BlobDaemon(args=["--config", str(conf), "--metrics-listen", f"127.0.0.1:{port}"]).start()
    try:
        d.import_account()
        d.create_container("metered")
        cc = d.container_client("metered", "racwdl")
        cc.upload_blob("a", b"1")
        t = restore_point()
        cc.upload_blob("a", b"2", overwrite=True)
        client = d.d.client()
        assert client.call("backup.show", {"container": "metered"})["retentionDays"] == 35
        conf.write_text("backup-retention-days = 7\n")
        d.d.proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: client.call("backup.show", {"container": "metered"})["retentionDays"] == 7, 5)
        assert "backup_retention_days=7" in d.log()
        conf.write_text("backup-retention-days = 0\n")
        d.d.proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "reload refused" in d.log(), 5)
        assert client.call("backup.show", {"container": "metered"})["retentionDays"] == 7

        d.medctl_json("backup", "restore", "metered", "--to", t)
        pruned = d.medctl_json("backup", "prune")
        assert pruned["versionsRemoved"] == 0, "nothing is older than the window yet"
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        families = {f.name: f for f in text_string_to_metric_families(text)}
        count = {s.name: s.value for s in families["medstore_restore_seconds"].samples}
        assert count["medstore_restore_seconds_count"] == 1
        prunes = {s.name: s.value for s in families["medstore_prune_seconds"].samples}
        assert prunes["medstore_prune_seconds_count"] >= 1
        d.stop()
    finally:
        d.cleanup()


def live_heads(db: Path, container: str) -> dict[str, tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        rows = con.execute("SELECT name, content_id, metadata FROM blob_versions WHERE container = ? "
                           "AND superseded_at IS NULL AND deleted = 0", (container,)).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def heads_at(db: Path, container: str, t_us: int) -> dict[str, tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        rows = con.execute("""
            SELECT name, content_id, metadata FROM blob_versions v WHERE container = ?1 AND deleted = 0
              AND committed_at <= ?2 AND (superseded_at IS NULL OR superseded_at > ?2)""", (container, t_us)).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def files_on_disk(state: Path) -> set[str]:
    root = state / "blobs"
    return {p.name for p in root.glob("??/??/*") if p.is_file()}


def files_in_db(db: Path) -> set[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return {r[0] for r in con.execute("SELECT file_name FROM data_files")}


@pytest.mark.parametrize("delay", [0.05, 0.25, 0.6])
def test_kill_9_during_a_large_restore_leaves_old_or_new_state(tmp_path, delay):
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    made = subprocess.run([str(BENCH), "journal-fixture", "--state-dir", str(state), "--container", "big",
                           "--blobs", "30000", "--versions", "4"], capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    fixture = json.loads(made.stdout)
    db = state / "medstore.db"
    target = datetime.strptime(fixture["midpoint"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    target_us = int(target.timestamp()) * 1_000_000
    old, new = live_heads(db, "big"), heads_at(db, "big", target_us)
    assert old != new and len(new) == 30000

    d = Daemon(tmp_path / "d", state_dir=state)
    try:
        d.start()
        conn = d.connection()
        conn.hello()
        rid = conn.send_request("backup.restore", {"container": "big", "to": fixture["midpoint"]})
        time.sleep(delay)
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait(10)
        try:
            answered = "result" in conn.read_reply(rid)
        except Exception:  # noqa: BLE001 - the connection died with the daemon
            answered = False

        with sqlite3.connect(str(db)) as con:  # opening recovers the WAL, as the daemon would
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        now = live_heads(db, "big")
        assert now in (old, new), f"a mix after kill -9 at {delay}s: {len(now)} live blobs"
        print(f"kill -9 after {delay}s: state {'new' if now == new else 'old'}, reply {'seen' if answered else 'not seen'}")
        if answered:
            assert now == new, "the restore was acknowledged, so it must have committed"
        assert files_on_disk(state) == files_in_db(db), "an orphaned or missing data file"

        d2 = Daemon(tmp_path / "d2", state_dir=state)
        d2.start()
        try:
            info = d2.client().call("backup.show", {"container": "big"})
            assert info["liveBlobs"] == len(now)
            assert "orphans removed" not in d2.log()
        finally:
            assert d2.stop(signal.SIGTERM, timeout=10) == 0
            d2.cleanup()
    finally:
        if d.proc and d.proc.poll() is None:
            d.proc.kill()
        d.cleanup()


def test_a_write_during_a_restore_waits_and_survives_it(tmp_path):
    """A Put Blob that arrives while a large in-place restore runs waits for it (one transaction)
    and lands after it: the restore does not remove it, and nothing in between is half-restored."""
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    first = BlobDaemon(state_dir=state).start()  # the account the SDK's tokens are signed for
    first.import_account()
    assert first.stop() == 0
    first.cleanup()
    made = subprocess.run([str(BENCH), "journal-fixture", "--state-dir", str(state), "--container", "big",
                           "--blobs", "30000", "--versions", "4"], capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    fixture = json.loads(made.stdout)
    d = BlobDaemon(state_dir=state)
    try:
        d.start()
        cc = d.container_client("big", "racwdl")
        conn = d.d.connection()
        conn.hello()
        done: dict = {}

        def restore():
            done["reply"] = conn.call("backup.restore", {"container": "big", "to": fixture["midpoint"]})
            done["at"] = time.monotonic()

        worker = threading.Thread(target=restore)
        worker.start()
        time.sleep(0.1)
        cc.upload_blob("written-during-restore.txt", b"new data", overwrite=True)
        put_at = time.monotonic()
        worker.join(60)
        assert done["reply"]["reverted"] + done["reply"]["restored"] > 20000
        assert done["reply"]["durationMs"] > 150, "the restore ended before the write began: no overlap tested"
        assert put_at >= done["at"] - 0.05, "the write finished before the restore it overlapped"
        assert cc.get_blob_client("written-during-restore.txt").download_blob().readall() == b"new data"
        info = d.medctl_json("backup", "show", "big")
        assert info["liveBlobs"] == 30001
        d.stop()
    finally:
        d.cleanup()
