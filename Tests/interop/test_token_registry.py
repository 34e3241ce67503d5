"""The token registry and revocation (issue 5, item 3), against the real daemon: tokens issued with
``medctl`` are recorded (never the token), ``medctl token revoke`` makes the blob API refuse them
from the very next request (403 ``AuthenticationFailed``, driven with the Azure Python SDK) while
other tokens keep working, by id, by key and by container; revocations survive a restart; the
access log names a token by the registry's fingerprint; ``keys regenerate`` reports the tokens it
invalidates and needs ``--yes`` (or a typed yes on a terminal)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pty
import re
import select
import subprocess
import time
import urllib.parse

import pytest
import requests
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobClient, ContainerClient

from blob_support import *  # noqa: F401,F403 - fixtures and helpers
from blob_support import SDK_OPTS
from interop_support import MEDCTL, clean_env

ROOT_LABEL = "uid 0 (root)" if os.getuid() == 0 else None


def sig_of(token: str) -> str:
    return urllib.parse.parse_qs(token)["sig"][0]


def fingerprint_of(token: str) -> str:
    """SHA-256 of the signature bytes (the base64-decoded sig), hex: what the registry records."""
    return hashlib.sha256(base64.b64decode(sig_of(token))).hexdigest()


def container_client(token: dict) -> ContainerClient:
    return ContainerClient.from_container_url(token["url"], **SDK_OPTS)


def refused(fn) -> HttpResponseError:
    """Run an SDK call that must fail with 403 AuthenticationFailed; return the error."""
    with pytest.raises(HttpResponseError) as info:
        fn()
    e = info.value
    assert e.status_code == 403 and error_code_of(e) == "AuthenticationFailed", (e.status_code, error_code_of(e), str(e)[:400])
    return e


def tokens(bd, *args) -> list[dict]:
    return bd.medctl_json("token", "list", *args)["tokens"]


def medctl_fail(bd, *args) -> tuple[int, str]:
    rc, out, err = bd.medctl(*args)
    assert rc != 0 and out == "", (rc, out, err)
    return rc, err.strip()


@pytest.fixture
def bd(fresh_blob_daemon):
    for name in ("ward-a", "lab-b"):
        fresh_blob_daemon.create_container(name)
    return fresh_blob_daemon


def test_revoked_token_is_refused_from_the_next_request(bd):
    a = bd.token("ward-a", permissions="racwdl")
    b = bd.token("ward-a", permissions="rl")
    assert isinstance(a["id"], int) and a["id"] != b["id"]
    assert a["fingerprint"] == fingerprint_of(a["token"])

    ca = container_client(a)
    ca.upload_blob("scan.dcm", b"pixels", overwrite=True)
    assert ca.download_blob("scan.dcm").readall() == b"pixels"
    failures_before = bd.medctl_json("status")["authFailures"]

    r = bd.medctl_json("token", "revoke", str(a["id"]))
    assert r["revoked"] == 1 and r["token"]["state"] == "revoked" and r["token"]["id"] == a["id"]

    # the very next request with the revoked token: 403 AuthenticationFailed, saying why
    e = refused(lambda: ca.download_blob("scan.dcm").readall())
    assert "revoked" in str(e) and a["fingerprint"][:16] in str(e)
    refused(lambda: list(ca.list_blobs()))
    raw = requests.get(bd.url("ward-a", "scan.dcm", a["token"]), timeout=10)
    assert_azure_error(raw, 403, "AuthenticationFailed")
    assert re.search(r"<AuthenticationErrorDetail>This SAS token was revoked \(token fingerprint "
                     + a["fingerprint"][:16] + r"\)", raw.text), raw.text

    # the other token, same container, still works
    cb = container_client(b)
    assert cb.download_blob("scan.dcm").readall() == b"pixels"
    assert [x.name for x in cb.list_blobs()] == ["scan.dcm"]
    assert bd.medctl_json("status")["authFailures"] == failures_before + 3

    # the access log names requests by the registry's fingerprint (its first 16 hex digits)
    log = bd.log()
    lines = [l for l in log.splitlines() if "blob request" in l and f"token={a['fingerprint'][:16]}" in l]
    assert any(re.search(r"status=2\d\d", l) for l in lines) and sum("status=403" in l for l in lines) == 3, lines
    assert f"token={b['fingerprint'][:16]}" in log


def test_revoke_by_key_and_by_container(bd):
    p_ward = bd.token("ward-a", permissions="rl")
    p_lab = bd.token("lab-b", "x.dcm", permissions="rcw")
    bd.medctl_json("keys", "switch", "secondary")
    s_ward = bd.token("ward-a", "y.dcm", permissions="rcw")
    s_lab = bd.token("lab-b", permissions="rl")
    BlobClient.from_blob_url(p_lab["url"], **SDK_OPTS).upload_blob(b"x", overwrite=True)
    BlobClient.from_blob_url(s_ward["url"], **SDK_OPTS).upload_blob(b"y", overwrite=True)

    r = bd.medctl_json("token", "revoke", "--container", "ward-a")
    assert r == {"revoked": 2}
    refused(lambda: list(container_client(p_ward).list_blobs()))
    refused(lambda: BlobClient.from_blob_url(s_ward["url"], **SDK_OPTS).download_blob().readall())
    assert BlobClient.from_blob_url(p_lab["url"], **SDK_OPTS).download_blob().readall() == b"x"
    assert [x.name for x in container_client(s_lab).list_blobs()] == ["x.dcm"]

    rc, out, err = bd.medctl("token", "revoke", "--all-for-key", "secondary")
    assert rc == 0 and out.strip() == "Revoked 1 active token signed with the secondary key.", (out, err)
    refused(lambda: list(container_client(s_lab).list_blobs()))
    assert BlobClient.from_blob_url(p_lab["url"], **SDK_OPTS).download_blob().readall() == b"x"

    assert [t["id"] for t in tokens(bd, "--active")] == [p_lab["id"]]
    states = {t["id"]: t["state"] for t in tokens(bd)}
    assert states == {p_ward["id"]: "revoked", p_lab["id"]: "active", s_ward["id"]: "revoked", s_lab["id"]: "revoked"}
    assert bd.medctl_json("token", "revoke", "--all-for-key", "secondary") == {"revoked": 0}


def test_token_list_records_without_the_token(bd):
    c = bd.token("ward-a", permissions="lr", ip="127.0.0.1-127.0.0.9", https_only=False)
    start = fmt_time(now_utc())
    b = bd.token("lab-b", "scans/2026/a b.dcm", permissions="rw", start=start, ttl="2h")
    listed = tokens(bd)
    assert [t["id"] for t in listed] == [c["id"], b["id"]]
    first, second = listed
    assert first["fingerprint"] == fingerprint_of(c["token"]) and second["fingerprint"] == fingerprint_of(b["token"])
    assert first["resource"] == "container" and "blob" not in first and first["permissions"] == "rl"
    assert first["ip"] == "127.0.0.1-127.0.0.9" and first["httpsOnly"] is False and first["expiry"] == c["expiry"]
    assert second["resource"] == "blob" and second["blob"] == "scans/2026/a b.dcm" and second["start"] == start
    for t in listed:
        assert t["state"] == "active" and t["signedWith"] == "primary"
        assert t["callerUID"] == os.getuid() and t["callerPID"] > 0 and t["callerExecutable"].endswith("medctl")
        if ROOT_LABEL:
            assert t["caller"] == ROOT_LABEL
    text = json.dumps(listed)
    for issued in (c, b):
        assert sig_of(issued["token"]) not in text and issued["token"] not in text

    assert [t["id"] for t in tokens(bd, "--container", "lab-b")] == [b["id"]]
    rc, out, err = bd.medctl("token", "list")
    assert rc == 0, err
    header, *rows = out.strip().splitlines()
    assert header.split() == ["ID", "CALLER", "RESOURCE", "PERMS", "EXPIRES", "KEY", "FINGERPRINT", "STATE"]
    assert len(rows) == 2 and c["fingerprint"][:16] in rows[0] and "lab-b/scans/2026/a b.dcm" in rows[1]
    assert all(r.endswith("active") for r in rows)
    assert c["fingerprint"][16:] not in out, "the table shows only the fingerprint's prefix"
    rc, out, err = bd.medctl("token", "list", "--container", "no-such")
    assert (rc, out.strip()) == (0, "No tokens recorded.")


def test_revoke_tells_what_it_did(bd):
    t = bd.token("ward-a", permissions="r")
    rc, out, err = bd.medctl("token", "revoke", str(t["id"]))
    assert rc == 0 and out.startswith(f"Revoked token {t['id']} (") and t["expiry"] in out, out
    rc, out, err = bd.medctl("token", "revoke", str(t["id"]))
    assert rc == 0 and out.startswith(f"Token {t['id']} was already revoked at ") and "nothing changed" in out, out
    assert bd.medctl_json("token", "revoke", str(t["id"]))["revoked"] == 0

    short = bd.token("ward-a", permissions="r", ttl="1s")
    time.sleep(2.1)
    r = bd.medctl_json("token", "revoke", str(short["id"]))
    assert r["revoked"] == 0 and r["token"]["state"] == "expired"
    rc, out, err = bd.medctl("token", "revoke", str(short["id"]))
    assert "expired" in out and "nothing changed" in out

    assert medctl_fail(bd, "token", "revoke", "424242") == (1, "medctl: no token with id 424242; see `medctl token list`")
    assert medctl_fail(bd, "token", "revoke")[0] == 64
    assert medctl_fail(bd, "token", "revoke", "1", "--container", "ward-a")[0] == 64
    assert medctl_fail(bd, "token", "revoke", "--all-for-key", "third")[0] == 64
    assert medctl_fail(bd, "token", "revoke", "--container", "Bad_Name")[0] == 1


def test_revocation_survives_a_restart(bd):
    revoked = bd.token("ward-a", permissions="rl")
    kept = bd.token("ward-a", permissions="rcl")
    bd.medctl_json("token", "revoke", str(revoked["id"]))
    bd.stop()
    bd.start()
    refused(lambda: list(container_client(revoked).list_blobs()))
    assert list(container_client(kept).list_blobs()) == []
    assert {t["id"]: t["state"] for t in tokens(bd)} == {revoked["id"]: "revoked", kept["id"]: "active"}


def test_keys_regenerate_reports_and_needs_yes(bd):
    for permissions in ("rl", "r", "l"):  # three distinct tokens
        bd.token("ward-a", permissions=permissions, ttl="2h")
    on_primary = bd.token("lab-b", permissions="rl")
    revoked = bd.token("lab-b", "r.dcm", permissions="r")
    bd.medctl_json("token", "revoke", str(revoked["id"]))
    bd.medctl_json("keys", "switch", "secondary")
    on_secondary = bd.token("ward-a", permissions="rl")
    label = ROOT_LABEL or f"uid {os.getuid()}"

    # a dry run reports; nothing changes
    preview = bd.medctl_json("keys", "regenerate", "primary", "--dry-run")
    assert preview["dryRun"] is True
    assert preview["invalidatedTokens"] == {"tokens": 4, "callers": [{"caller": label, "uid": os.getuid(), "tokens": 4}]}
    rc, out, err = bd.medctl("keys", "regenerate", "primary", "--dry-run")
    assert out.strip() == f"Regenerating the primary key would invalidate 4 unexpired tokens: {label} ×4. Nothing was changed."

    # without --yes and without a terminal: refused, the report in the message
    rc, err = medctl_fail(bd, "keys", "regenerate", "primary")
    assert rc == 1 and err == (f"medctl: this invalidates 4 unexpired tokens: {label} ×4; nothing was changed: "
                               "pass --yes to regenerate the primary key anyway")
    assert list(container_client(on_primary).list_blobs()) == []

    rc, out, err = bd.medctl("keys", "regenerate", "primary", "--yes")
    assert rc == 0, err
    assert out.startswith("Regenerated the primary key; tokens signed with its old bytes no longer work: "
                          f"this invalidated 4 unexpired tokens: {label} ×4."), out
    refused(lambda: list(container_client(on_primary).list_blobs()))
    assert list(container_client(on_secondary).list_blobs()) == []
    states = [t["state"] for t in tokens(bd)]
    assert states == ["keyRegenerated"] * 4 + ["revoked", "active"]
    assert "key-regenerated" in bd.medctl("token", "list")[1]

    # nothing left to invalidate on primary: no --yes needed; the key for tokens still needs --force
    assert bd.medctl_json("keys", "regenerate", "primary")["invalidatedTokens"]["tokens"] == 0
    rc, err = medctl_fail(bd, "keys", "regenerate", "secondary", "--yes")
    assert rc == 1 and "keys switch primary" in err
    rc, err = medctl_fail(bd, "keys", "regenerate", "secondary", "--force")
    assert err.startswith(f"medctl: this invalidates 1 unexpired token: {label} ×1;")


def test_keys_regenerate_asks_on_a_terminal(bd):
    bd.token("ward-a", permissions="rl")
    bd.medctl_json("keys", "switch", "secondary")

    def run_on_tty(answer: str) -> tuple[int, str, str]:
        master, slave = pty.openpty()
        p = subprocess.Popen([str(MEDCTL), "keys", "regenerate", "primary"], stdin=slave, stderr=slave,
                             stdout=subprocess.PIPE, env=clean_env(MEDSTORE_SOCKET=bd.d.socket_path), text=False)
        os.close(slave)
        seen = b""
        deadline = time.monotonic() + 20
        while b"Type yes to continue:" not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                seen += os.read(master, 4096)
        os.write(master, answer.encode() + b"\n")
        out, _ = p.communicate(timeout=20)
        try:
            while select.select([master], [], [], 0.2)[0]:
                seen += os.read(master, 4096)
        except OSError:
            pass
        os.close(master)
        return p.returncode, out.decode(), seen.decode(errors="replace")

    rc, out, tty = run_on_tty("no")
    assert "Regenerating the primary key invalidates 1 unexpired token" in tty and rc == 1 and out == "", (rc, out, tty)
    assert [t["state"] for t in tokens(bd)] == ["active"]
    rc, out, tty = run_on_tty("yes")
    assert rc == 0 and out.startswith("Regenerated the primary key"), (rc, out, tty)
    assert [t["state"] for t in tokens(bd)] == ["keyRegenerated"]
