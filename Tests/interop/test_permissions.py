"""Roles and grants, run as real different uids (issue 5, items 1-2).

Setup creates users and groups (``medtest-*``; reused when present, removed at the end), starts a
``medstored`` whose socket lives in a 0755 directory and belongs to a group every test user is
in (``--socket-group``), and runs ``medctl`` as each user with ``setpriv``. Every control method
is called as admin (root and a member of the admin group), issuer inside its grant, issuer
outside it, reader and stranger, and the outcome is either allowed or the exact denial.
"""

from __future__ import annotations

import base64
import grp
import json
import os
import pwd
import shutil
import subprocess
import tempfile

import pytest

from interop_support import MEDCTL, clean_env, import_account

SOCK_GROUP = "medtest-sock"
ADMIN_GROUP = "medtest-admins"
READER_GROUP = "medtest-readers"
ISSUER_GROUP = "medtest-issuers"
#: user -> supplementary groups
USERS = {
    "medtest-adm": [SOCK_GROUP, ADMIN_GROUP],
    "medtest-iss": [SOCK_GROUP],
    "medtest-gis": [SOCK_GROUP, ISSUER_GROUP],
    "medtest-exe": [SOCK_GROUP],
    "medtest-rdr": [SOCK_GROUP, READER_GROUP],
    "medtest-str": [SOCK_GROUP],
}

RANK = {"stranger": 0, "reader": 1, "issuer": 2, "admin": 3}


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


@pytest.fixture(scope="module")
def accounts():
    """The test users and groups; created when missing, deleted at the end."""
    made_users, made_groups = [], []
    for group in (SOCK_GROUP, ADMIN_GROUP, READER_GROUP, ISSUER_GROUP):
        try:
            grp.getgrnam(group)
        except KeyError:
            _run("groupadd", group)
            made_groups.append(group)
    for user, groups in USERS.items():
        try:
            pwd.getpwnam(user)
        except KeyError:
            _run("useradd", "-M", "-N", "-s", "/usr/sbin/nologin", user)
            made_users.append(user)
        _run("usermod", "-G", ",".join(groups), user)
    yield {user: pwd.getpwnam(user).pw_uid for user in USERS}
    for user in made_users:
        subprocess.run(["userdel", user], capture_output=True)
    for group in made_groups:
        subprocess.run(["groupdel", group], capture_output=True)


@pytest.fixture
def setup(accounts, daemon_factory):
    """A daemon reachable by the test users, with the account, two containers and grants."""
    sockdir = tempfile.mkdtemp(prefix="mp-", dir="/tmp")
    os.chmod(sockdir, 0o755)
    # medctl copies the users can run (the build dir may not be theirs to read); the second copy
    # is the executable the exe grant names.
    medctl = os.path.join(sockdir, "medctl")
    other_medctl = os.path.join(sockdir, "medctl-other")
    for path in (medctl, other_medctl):
        shutil.copy(MEDCTL, path)
        os.chmod(path, 0o755)
    keyfile = os.path.join(sockdir, "key.b64")
    with open(keyfile, "w") as f:
        f.write(base64.b64encode(os.urandom(64)).decode())
    os.chmod(keyfile, 0o644)
    d = daemon_factory("perm", socket_path=os.path.join(sockdir, "s.sock"),
                       args=["--socket-group", SOCK_GROUP, "--admin-group", ADMIN_GROUP,
                             "--reader-group", READER_GROUP])
    d.start()
    st = os.stat(d.socket_path)
    assert st.st_gid == grp.getgrnam(SOCK_GROUP).gr_gid and (st.st_mode & 0o777) == 0o660
    with d.client() as c:
        import_account(c)
        for name in ("ward-a", "lab-a"):
            c.call("container.create", {"name": name})

    def medctl_as(user, *args, exe=medctl):
        prefix = [] if user == "root" else ["setpriv", f"--reuid={user}", f"--regid={pwd.getpwnam(user).pw_gid}",
                                            "--init-groups"]
        p = subprocess.run([*prefix, exe, "--socket", d.socket_path, "--json", *args],
                           capture_output=True, text=True, env=clean_env(), timeout=30)
        return p.returncode, p.stdout, p.stderr.strip()

    grants = {}
    for key, subject in (("user", ["--user", "medtest-iss"]), ("group", ["--group", ISSUER_GROUP]),
                         ("exe", ["--exe", other_medctl])):
        rc, out, err = medctl_as("root", "grant", "add", *subject, "--containers", "ward-*",
                                 "--permissions", "rl", "--max-ttl", "1h")
        assert rc == 0, err
        grants[key] = json.loads(out)
    try:
        yield {"daemon": d, "run": medctl_as, "uids": accounts, "grants": grants, "keyfile": keyfile,
               "other_medctl": other_medctl}
        d.stop()
    finally:
        shutil.rmtree(sockdir, ignore_errors=True)


def methods(keyfile: str, tag: str):
    """(method, medctl arguments, weakest role) for every method but hello. Arguments are chosen
    so that an allowed call does no harm to the rest of the matrix."""
    return [
        ("status", ["status"], "reader"),
        ("account.create", ["account", "create", "--name", "other1"], "admin"),
        ("account.import", ["account", "import", "--name", "other2", "--primary-key-file", keyfile,
                            "--secondary-key-file", keyfile], "admin"),
        ("account.show", ["account", "show"], "reader"),
        ("account.delete", ["account", "delete", "--confirm", "notthename"], "admin"),
        ("keys.show", ["keys", "show"], "reader"),
        ("keys.switch", ["keys", "switch", "primary"], "admin"),
        ("keys.regenerate", ["keys", "regenerate", "primary"], "admin"),
        ("container.create", ["container", "create", f"perm-{tag}"], "admin"),
        ("container.list", ["container", "list"], "reader"),
        ("container.show", ["container", "show", "ward-a"], "reader"),
        ("container.delete", ["container", "delete", "no-such-container"], "admin"),
        ("token.container", ["token", "container", "ward-a", "--permissions", "rl", "--ttl", "30m"], "issuer"),
        ("token.blob", ["token", "blob", "ward-a", "scan.dcm", "--permissions", "r", "--ttl", "1h"], "issuer"),
        ("token.list", ["token", "list", "--active"], "reader"),
        ("token.revoke", ["token", "revoke", "999999"], "admin"),
        ("ip.list", ["ip", "list"], "reader"),
        ("ip.allow", ["ip", "allow", "203.0.113.9"], "admin"),
        ("ip.remove", ["ip", "remove", "198.51.100.1"], "admin"),
        ("grant.add", ["grant", "add", "--user", "root", "--containers", "x-*", "--permissions", "r",
                       "--max-ttl", "1m"], "admin"),
        ("grant.list", ["grant", "list"], "admin"),
        ("grant.remove", ["grant", "remove", "9999"], "admin"),
        ("backup.show", ["backup", "show", "ward-a"], "reader"),
        ("backup.deleted", ["backup", "deleted"], "reader"),
        ("backup.restore", ["backup", "restore", "ward-a", "--to", "2000-01-01T00:00:00Z"], "admin"),
        ("backup.prune", ["backup", "prune"], "admin"),
        ("audit.list", ["audit", "list", "--limit", "3"], "admin"),
        ("audit.verify", ["audit", "verify"], "admin"),
    ]


def role_denial(method: str, needed: str, uid: int, role: str) -> str:
    return f"medctl: {method} needs the {needed} role; uid {uid} is {role}"


def stranger_denial(uid: int) -> str:
    return (f"medctl: uid {uid} has no role on this daemon (not admin, no grant, not a reader); "
            "the connection closes")


@pytest.mark.parametrize("user,role", [
    ("root", "admin"), ("medtest-adm", "admin"), ("medtest-iss", "issuer"), ("medtest-gis", "issuer"),
    ("medtest-rdr", "reader"), ("medtest-str", "stranger"),
])
def test_permission_matrix(setup, user, role):
    uid = 0 if user == "root" else setup["uids"][user]
    failures = []
    for method, args, needed in methods(setup["keyfile"], user.replace("medtest-", "")):
        rc, out, err = setup["run"](user, *args)
        if RANK[role] >= RANK[needed]:
            denied = "needs the" in err or "no role" in err
            if denied or rc not in (0, 1):
                failures.append(f"{method}: expected allowed, got rc={rc} {err}")
        elif role == "stranger":
            if (rc, err) != (1, stranger_denial(uid)):
                failures.append(f"{method}: expected stranger denial, got rc={rc} {err}")
        else:
            if (rc, err) != (1, role_denial(method, needed, uid, role)):
                failures.append(f"{method}: expected {role_denial(method, needed, uid, role)!r}, got rc={rc} {err}")
    assert not failures, "\n".join(failures)


def test_issuer_outside_its_grant_is_told_the_limit(setup):
    run, gid = setup["run"], setup["grants"]["user"]["id"]
    cases = [
        (["token", "container", "ward-a", "--permissions", "rl", "--ttl", "2h"],
         f"grant {gid} allows at most 1h; asked for 2h"),
        (["token", "container", "ward-a", "--permissions", "rwl", "--ttl", "10m"],
         f"grant {gid} allows permissions 'rl'; asked for 'rwl' ('w' not granted)"),
        (["token", "container", "lab-a", "--permissions", "r", "--ttl", "10m"],
         f"grant {gid} covers containers 'ward-*'; asked for 'lab-a'"),
        (["token", "blob", "ward-a", "x", "--permissions", "r", "--start", "30m", "--ttl", "45m"],
         f"grant {gid} allows at most 1h; asked for 1h15m"),
    ]
    for args, message in cases:
        rc, out, err = run("medtest-iss", *args)
        assert (rc, out, err) == (1, "", f"medctl: {message}"), args
    rc, out, err = run("medtest-iss", "token", "container", "ward-a", "--permissions", "lr", "--ttl", "1h")
    assert rc == 0, err
    assert json.loads(out)["permissions"] == "rl"


def test_grant_limits_ip_range_and_https(setup):
    run = setup["run"]
    rc, out, err = run("root", "grant", "add", "--user", "medtest-str", "--containers", "lab-a",
                       "--permissions", "r", "--max-ttl", "10m", "--ip-range", "10.0.0.0-10.0.0.255",
                       "--https-only")
    assert rc == 0, err
    grant = json.loads(out)
    assert grant["subjectName"] == "medtest-str" and grant["httpsOnly"] is True
    rc, out, err = run("medtest-str", "token", "container", "lab-a", "--permissions", "r", "--ttl", "5m")
    assert (rc, err) == (1, f"medctl: grant {grant['id']} requires an IP range inside 10.0.0.0-10.0.0.255; asked for none (give ip)")
    rc, out, err = run("medtest-str", "token", "container", "lab-a", "--permissions", "r", "--ttl", "5m",
                       "--ip", "10.0.1.1")
    assert (rc, err) == (1, f"medctl: grant {grant['id']} requires an IP range inside 10.0.0.0-10.0.0.255; asked for 10.0.1.1")
    rc, out, err = run("medtest-str", "token", "container", "lab-a", "--permissions", "r", "--ttl", "5m",
                       "--ip", "10.0.0.5")
    assert rc == 0, err
    assert "spr=https" in json.loads(out)["token"], "an HTTPS-only grant forces spr=https"
    # Removing the grant makes the caller a stranger again.
    rc, out, err = run("root", "grant", "remove", str(grant["id"]))
    assert rc == 0, err
    rc, out, err = run("medtest-str", "status")
    assert (rc, err) == (1, stranger_denial(setup["uids"]["medtest-str"]))


def test_exe_grant_follows_the_executable(setup):
    run = setup["run"]
    rc, out, err = run("medtest-exe", "token", "container", "ward-a", "--permissions", "r", "--ttl", "5m",
                       exe=setup["other_medctl"])
    assert rc == 0, err
    rc, out, err = run("medtest-exe", "status")
    assert (rc, err) == (1, stranger_denial(setup["uids"]["medtest-exe"])), "another executable has no grant"


def test_grant_list_and_remove(setup):
    run = setup["run"]
    rc, out, err = run("root", "grant", "list")
    assert rc == 0, err
    listed = json.loads(out)["grants"]
    assert [g["kind"] for g in listed] == ["user", "group", "exe"]
    assert listed[0]["subject"] == str(setup["uids"]["medtest-iss"]) and listed[0]["maxTTLSeconds"] == 3600
    rc, out, err = run("root", "grant", "remove", "9999")
    assert (rc, err) == (1, "medctl: no grant with id 9999; see `medctl grant list`")


def test_stranger_hello_is_answered_then_the_connection_closes(setup):
    """The hello is always answered; the first request after it is refused and the socket closes.
    (Driven through medctl: it says hello first, so its refusal proves the hello got through.)"""
    rc, out, err = setup["run"]("medtest-str", "container", "list")
    assert (rc, err) == (1, stranger_denial(setup["uids"]["medtest-str"]))


def test_token_records_name_their_callers_and_regenerate_reports_them(setup):
    """Tokens issued by several real uids are recorded under each caller; `keys regenerate` says
    how many unexpired tokens it would invalidate, for whom, and goes on only with --yes."""
    run, uids = setup["run"], setup["uids"]
    issued = []
    # distinct tokens: identical requests in the same second sign one token
    for user, permissions, ttl in (("medtest-iss", "r", "30m"), ("medtest-iss", "l", "30m"), ("medtest-gis", "rl", "31m"),
                                   ("root", "rl", "32m")):
        rc, out, err = run(user, "token", "container", "ward-a", "--permissions", permissions, "--ttl", ttl)
        assert rc == 0, err
        issued.append((user, json.loads(out)))
    rc, out, err = run("medtest-rdr", "token", "list")
    assert rc == 0, err
    records = {t["id"]: t for t in json.loads(out)["tokens"]}
    for user, token in issued:
        uid = 0 if user == "root" else uids[user]
        record = records[token["id"]]
        assert record["callerUID"] == uid and record["caller"] == f"uid {uid} ({user})", record
        assert record["fingerprint"] == token["fingerprint"] and "token" not in record

    labels = {user: f"uid {0 if user == 'root' else uids[user]} ({user})" for user, _ in issued}
    counts = {}
    for user, _ in issued:
        counts[labels[user]] = counts.get(labels[user], 0) + 1
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    rc, out, err = run("root", "keys", "regenerate", "primary", "--force", "--dry-run")
    assert rc == 0, err
    report = json.loads(out)["invalidatedTokens"]
    assert report["tokens"] == 4
    assert [(c["caller"], c["tokens"]) for c in report["callers"]] == expected
    assert [c["uid"] for c in report["callers"]] == [int(label.split()[1]) for label, _ in expected]

    rc, out, err = run("root", "keys", "regenerate", "primary", "--force")
    summary = ", ".join(f"{label} ×{n}" for label, n in expected)
    assert (rc, out) == (1, "") and err == (f"medctl: this invalidates 4 unexpired tokens: {summary}; nothing was changed: "
                                            "pass --yes to regenerate the primary key anyway"), err
    rc, out, err = run("medtest-iss", "keys", "regenerate", "primary", "--force", "--yes")
    assert (rc, err) == (1, role_denial("keys.regenerate", "admin", uids["medtest-iss"], "issuer"))
    rc, out, err = run("root", "keys", "regenerate", "primary", "--force", "--yes")
    assert rc == 0 and json.loads(out)["invalidatedTokens"]["tokens"] == 4, err
    rc, out, err = run("medtest-iss", "token", "list")
    assert rc == 0 and {t["state"] for t in json.loads(out)["tokens"]} == {"keyRegenerated"}
