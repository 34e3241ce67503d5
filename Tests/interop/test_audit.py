"""The audit trail (issue 5, item 4) against the real binaries: what ``medctl audit list`` shows
for allowed and refused requests of real users, ``medctl audit verify`` against records edited,
removed and rewritten with python's sqlite3, no key material in the audit files, the chain
recomputed from the spec, and fail-closed on a full disk.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

import audit_chain
from interop_support import audit_file_leaks, import_account
from test_permissions import accounts, setup  # noqa: F401  (fixtures: real users, a daemon they can reach)


def audit_db(d) -> Path:
    return Path(d.state_dir) / "audit.db"


def verify(d) -> tuple[int, dict, str]:
    rc, out, err = d.medctl("--json", "audit", "verify")
    return rc, json.loads(out) if out.strip() else {}, err.strip()


def entries(d, *args: str) -> list[dict]:
    rc, out, err = d.medctl("--json", "audit", "list", *args)
    assert rc == 0, err
    return json.loads(out)["entries"]


def busy(d) -> None:
    """An account, a container, a failed create, a token, a read: a few records of every kind."""
    with d.client() as c:
        import_account(c)
        c.call("container.create", {"name": "ward-a"})
        c.call("status")
    for args in (["container", "create", "ward-a"], ["token", "container", "ward-a", "--permissions", "r", "--ttl", "1h"],
                 ["container", "create", "ward-b"]):
        d.medctl(*args)


# --- who did what -------------------------------------------------------------------------------

def test_allowed_and_refused_requests_of_real_users_are_listed(setup):  # noqa: F811
    run, uids = setup["run"], setup["uids"]
    assert run("root", "container", "create", "audit-x")[0] == 0
    rc, _, err = run("medtest-rdr", "container", "create", "audit-y")
    assert rc == 1 and "needs the admin role" in err
    rc, _, err = run("medtest-str", "status")
    assert rc == 1 and "no role" in err
    assert run("medtest-iss", "token", "container", "ward-a", "--permissions", "r", "--ttl", "10m")[0] == 0
    rc, _, err = run("medtest-iss", "token", "container", "lab-a", "--permissions", "r", "--ttl", "10m")
    assert rc == 1 and "covers containers" in err

    rc, out, err = run("root", "audit", "list", "--since=-1h")
    assert rc == 0, err
    listed = json.loads(out)["entries"]

    def one(uid: int, method: str, target: str) -> dict:
        found = [e for e in listed if e.get("uid") == uid and e["method"] == method and e.get("target") == target]
        assert len(found) == 1, (uid, method, target, listed[-12:])
        return found[0]

    admin = one(0, "container.create", "name=audit-x")
    assert (admin["kind"], admin["outcome"], admin["role"], admin["userName"]) == ("attempt", "ok", "admin", "root")
    assert admin["outcomeSeq"] > admin["seq"] and admin["pid"] > 0 and admin["executable"].endswith("/medctl")
    reader = one(uids["medtest-rdr"], "container.create", "name=audit-y")
    assert (reader["kind"], reader["outcome"], reader["role"], reader["userName"]) == \
        ("refused", "permissionDenied", "reader", "medtest-rdr")
    stranger = one(uids["medtest-str"], "status", None)
    assert (stranger["kind"], stranger["outcome"], stranger["role"]) == ("refused", "permissionDenied", "stranger")
    issued = one(uids["medtest-iss"], "token.container", "container=ward-a")
    assert (issued["kind"], issued["outcome"], issued["role"]) == ("attempt", "ok", "issuer")
    beyond = one(uids["medtest-iss"], "token.container", "container=lab-a")
    assert (beyond["kind"], beyond["outcome"]) == ("attempt", "permissionDenied")
    # The grants added in the fixture are there, with their subjects.
    assert any(e["method"] == "grant.add" and e.get("target", "").startswith("kind=user subject=medtest-iss")
               for e in listed)

    rc, out, err = run("root", "audit", "list", "--caller", "medtest-rdr")
    assert rc == 0, err
    mine = json.loads(out)["entries"]
    assert mine and {e["uid"] for e in mine} == {uids["medtest-rdr"]}
    rc, out, _ = run("root", "audit", "list", "--since", "2999-01-01")
    assert rc == 0 and json.loads(out)["entries"] == []
    # Human output: one row per request, with the outcome.
    d = setup["daemon"]
    rc, text, err = d.medctl("audit", "list", "--caller", "medtest-rdr")
    assert rc == 0, err
    assert text.splitlines()[0].split() == ["SEQ", "TIME", "CALLER", "ROLE", "METHOD", "TARGET", "OUTCOME"]
    assert any("medtest-rdr(" in line and "permissionDenied" in line and "name=audit-y" in line for line in text.splitlines())
    assert verify(d)[0] == 0


# --- tampering ----------------------------------------------------------------------------------

def test_the_chain_is_what_the_spec_says(daemon):
    busy(daemon)
    rows = audit_chain.rows(audit_db(daemon))
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1)) and len(rows) >= 8
    assert audit_chain.first_break(audit_db(daemon)) is None, "python's hash of the spec's encoding differs"
    assert rows[0]["kind"] == "start" and rows[0]["prev_hash"] == audit_chain.GENESIS
    kinds = {r["kind"] for r in rows}
    assert {"start", "attempt", "outcome", "request"} <= kinds
    rc, result, err = verify(daemon)
    assert rc == 0 and result["ok"] is True and result["recordsChecked"] >= len(rows), err


def test_verify_names_an_edited_record(daemon):
    busy(daemon)
    seq = next(r["seq"] for r in audit_chain.rows(audit_db(daemon)) if r.get("target") == "name=ward-b")
    audit_chain.execute(audit_db(daemon), "UPDATE audit_records SET target = 'name=ward-z' WHERE seq = ?", (seq,))
    rc, result, err = verify(daemon)
    assert rc == 1
    assert (result["ok"], result["firstBadSeq"]) == (False, seq)
    assert err == f"medctl: the audit chain is broken at seq {seq}: its hash does not match its contents (edited) " \
                  f"({seq} records checked)"
    rc, out, err = daemon.medctl("audit", "verify")
    assert rc == 1 and out == "" and f"broken at seq {seq}" in err


def test_verify_names_a_removed_record(daemon):
    busy(daemon)
    audit_chain.execute(audit_db(daemon), "DELETE FROM audit_records WHERE seq = 4")
    rc, result, err = verify(daemon)
    assert (rc, result["firstBadSeq"]) == (1, 4), err
    assert "seq 4 is missing: the record after seq 3 is seq 5 (removed)" in err


def test_verify_names_the_newest_records_removed_while_running(daemon):
    busy(daemon)
    last = audit_chain.rows(audit_db(daemon))[-1]["seq"]
    audit_chain.execute(audit_db(daemon), "DELETE FROM audit_records WHERE seq >= ?", (last - 1,))
    rc, result, err = verify(daemon)
    assert (rc, result["firstBadSeq"], result["lastSeq"]) == (1, last - 1, last - 2), err
    assert "but the daemon's head is seq" in result["reason"]


def test_removal_while_stopped_is_reported_after_the_restart(daemon_factory):
    d = daemon_factory("stopped").start()
    busy(d)
    assert d.stop() == 0
    last = audit_chain.rows(audit_db(d))[-1]["seq"]
    audit_chain.execute(audit_db(d), "DELETE FROM audit_records WHERE seq = ?", (last,))
    d.start()
    rc, result, err = verify(d)
    assert rc == 1 and result["firstBadSeq"] == last, err
    assert f"audit.head is at seq {last} but audit.db ends at seq {last - 1}" in result["reason"]
    assert "the audit chain does not match its head" in d.log()
    starts = entries(d, "--method", "medstored.start")
    assert [s["outcome"] for s in starts] == ["ok", "headMismatch"]
    assert d.stop() == 0


def test_a_consistently_rewritten_chain_fails_against_the_authenticated_head(daemon):
    busy(daemon)
    seq = next(r["seq"] for r in audit_chain.rows(audit_db(daemon)) if r.get("target") == "name=ward-b")
    audit_chain.rewrite_from(audit_db(daemon), seq, target="name=innocent")
    assert audit_chain.first_break(audit_db(daemon)) is None, "the rewrite is consistent by the spec"
    rc, result, err = verify(daemon)
    assert rc == 1 and "rewritten" in result["reason"], err


# --- secrets ------------------------------------------------------------------------------------

def test_no_key_material_or_signature_in_the_audit_files(daemon, account):
    with daemon.client() as c:
        c.call("container.create", {"name": "ward-a"})
        token = c.call("token.container", {"container": "ward-a", "options": {"permissions": "rl", "ttlSeconds": 60}})
        c.call("keys.regenerate", {"key": "secondary"})
    sig = [p for p in token["token"].split("&") if p.startswith("sig=")][0][4:]
    from urllib.parse import unquote
    data = b"".join((Path(daemon.state_dir) / n).read_bytes() for n in ("audit.db", "audit.db-wal", "audit.head")
                    if (Path(daemon.state_dir) / n).exists())
    assert b"name=medstoretest" in data and b"account.import" in data, "the scan sees the records"
    assert audit_file_leaks(daemon.state_dir) == []
    assert sig.encode() not in data and unquote(sig).encode() not in data


# --- fail closed ----------------------------------------------------------------------------------

def test_a_full_disk_stops_requests_until_there_is_room(daemon_factory, tmp_path):
    mnt = Path(tempfile.mkdtemp(prefix="ms-full-", dir="/tmp"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(mnt)], check=True)
    try:
        d = daemon_factory("full", state_dir=mnt / "state").start()
        with d.client() as c:
            import_account(c)
            c.call("container.create", {"name": "ward-a"})
        filler = mnt / "filler"
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        token_args = ["token", "container", "ward-a", "--permissions", "r", "--ttl", "1h"]
        rc, out, err = d.medctl(*token_args)
        assert (rc, out) == (69, ""), err
        assert err.strip() == "medctl: the audit trail cannot be written, so token.container was not performed; " \
                              "the daemon log says why"
        rc, _, err = d.medctl("container", "create", "ward-b")
        assert rc == 69 and "container.create was not performed" in err
        assert "audit commit failed" in d.log()
        filler.unlink()
        rc, out, err = d.medctl("--json", *token_args)
        assert rc == 0 and "sig=" in json.loads(out)["token"], err
        assert [e["target"] for e in entries(d, "--method", "container.create")] == ["name=ward-a"], \
            "the refused create left no record and no container"
        assert verify(d)[0] == 0
        assert d.stop() == 0
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
        os.rmdir(mnt)
