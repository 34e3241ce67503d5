"""The leak check: drive every control method (as listed by the spec) on its success and error
paths, and the blob API with good, tampered and wrong-key requests; then scan every reply,
medctl output, HTTP response, metrics page, log line and every file in the state directory for
the account keys in raw, base64 (padded, unpadded, url-safe) and hex form. None may appear: the
database holds the keys only sealed under the master key."""

from __future__ import annotations

import base64
import re
import time
import urllib.parse
from pathlib import Path

import requests

from blob_support import *  # noqa: F401,F403 - fixtures and helpers
from interop_support import PRIMARY_KEY, REPO, SECONDARY_KEY, MedStoreError, secret_forms

SPEC = REPO / "Protocol" / "medstore-v1.md"


def spec_methods() -> set[str]:
    """Every method the spec defines: `### \\`name\\`` headings, also `a`, `b` pairs."""
    found: set[str] = set()
    for line in SPEC.read_text().splitlines():
        if line.startswith("### `"):
            found.update(re.findall(r"`([a-z]+(?:\.[a-z]+)?)`", line))
    return found


def raw_and_text_forms() -> list[bytes]:
    forms: list[bytes] = []
    for key in (PRIMARY_KEY, SECONDARY_KEY):
        forms.append(base64.b64decode(key))
        forms += [f.encode() for f in secret_forms(key)]
        forms.append(urllib.parse.quote(key, safe="").encode())
    return forms


def scan(blob: bytes, where: str, forms: list[bytes]) -> list[str]:
    return [f"{where}: {f[:8]!r}..." for f in forms if f in blob]


def test_no_key_leaks_anywhere(tmp_path):
    port = free_port()
    d = BlobDaemon(args=["--metrics-listen", f"127.0.0.1:{port}", "--log-level", "debug"]).start()
    http: list[bytes] = []
    driven: set[str] = {"hello"}
    try:
        c = d.d.client()

        def ok(method: str, params: dict | None = None) -> dict:
            driven.add(method)
            return c.call(method, params or {})

        def err(method: str, params: dict | None = None) -> MedStoreError:
            driven.add(method)
            try:
                c.call(method, params or {})
            except MedStoreError as e:
                return e
            raise AssertionError(f"{method} {params} succeeded; an error path was expected")

        # account
        err("account.show")
        err("account.import", {"name": "medstoretest", "primaryKey": PRIMARY_KEY + "AAAA", "secondaryKey": SECONDARY_KEY})
        err("account.import", {"name": "medstoretest", "primaryKey": PRIMARY_KEY, "secondaryKey": PRIMARY_KEY[:-6] + "====="})
        ok("account.import", {"name": "medstoretest", "primaryKey": PRIMARY_KEY, "secondaryKey": SECONDARY_KEY})
        err("account.import", {"name": "medstoretest", "primaryKey": PRIMARY_KEY, "secondaryKey": SECONDARY_KEY})
        err("account.create", {})
        ok("account.show")
        err("account.delete", {"confirmName": "not-the-name"})
        ok("status")
        # keys
        ok("keys.show")
        ok("keys.switch", {"key": "secondary"})
        ok("keys.switch", {"key": "primary"})
        err("keys.switch", {"key": PRIMARY_KEY})
        err("keys.regenerate", {"key": "primary"})
        err("keys.regenerate", {"key": SECONDARY_KEY})
        # containers
        ok("container.create", {"name": "leaks"})
        err("container.create", {"name": "Bad_Name"})
        err("container.create", {"name": "leaks"})
        ok("container.show", {"name": "leaks"})
        err("container.show", {"name": "missing"})
        ok("container.list", {})
        err("container.list", {"limit": 0})
        # tokens
        tc = ok("token.container", {"container": "leaks", "options": {"permissions": "racwdl", "ttlSeconds": 3600}})
        tb = ok("token.blob", {"container": "leaks", "blob": "a.txt", "options": {"permissions": "r", "ttlSeconds": 600}})
        err("token.container", {"container": "leaks", "options": {"permissions": "q", "ttlSeconds": 3600}})
        err("token.blob", {"container": "missing", "blob": "a", "options": {"permissions": "r", "ttlSeconds": 60}})
        d.sigs.update(urllib.parse.parse_qs(t["token"])["sig"][0] for t in (tc, tb))
        # the token registry
        listed = ok("token.list", {"container": "leaks"})
        assert {t["fingerprint"] for t in listed["tokens"]} >= {tc["fingerprint"], tb["fingerprint"]}
        err("token.list", {"limit": 0})
        ok("keys.regenerate", {"key": "secondary", "dryRun": True})
        spare = ok("token.blob", {"container": "leaks", "blob": "b.txt", "options": {"permissions": "r", "ttlSeconds": 60}})
        d.sigs.add(urllib.parse.parse_qs(spare["token"])["sig"][0])
        ok("token.revoke", {"id": spare["id"]})
        err("token.revoke", {"id": 999999})
        err("token.revoke", {"allForKey": PRIMARY_KEY})
        # allowed IPs
        rule = ok("ip.allow", {"address": "203.0.113.7", "note": "vpn"})
        err("ip.allow", {"address": "203.0.113.0/23"})
        ok("ip.list")
        ok("ip.remove", {"rule": str(rule["id"])})
        err("ip.remove", {"rule": "198.51.100.1"})
        # grants
        g = ok("grant.add", {"kind": "user", "subject": "root", "containers": "leaks", "permissions": "r", "maxTTLSeconds": 60})
        err("grant.add", {"kind": "user", "subject": "no-such-user-here", "containers": "x", "permissions": "r", "maxTTLSeconds": 60})
        ok("grant.list")
        ok("grant.remove", {"id": g["id"]})
        err("grant.remove", {"id": 999999})

        # the blob API: good, tampered and wrong-key requests
        url = tc["url"].split("?")[0]
        for resp in (
            requests.put(f"{url}/a.txt?{tc['token']}", data=b"patient", headers={"x-ms-blob-type": "BlockBlob"}, timeout=10),
            requests.get(f"{url}/a.txt?{tb['token']}", timeout=10),
            requests.get(f"{url}?restype=container&comp=list&{tc['token']}", timeout=10),
            requests.get(f"{url}/a.txt?{tb['token'].replace('sig=', 'sig=AA')}", timeout=10),
            requests.get(f"{url}/a.txt?{tb['token'].replace('sp=r', 'sp=rw')}", timeout=10),
        ):
            http.append(resp.content + repr(dict(resp.headers)).encode())
        good = d.service_client().get_container_client("leaks")
        assert good.get_blob_client("a.txt").download_blob().readall() == b"patient"
        wrong = d.service_client(key=base64.b64encode(bytes(64)).decode()).get_container_client("leaks")
        try:
            wrong.get_blob_client("a.txt").download_blob().readall()
            raise AssertionError("a wrong Shared Key was accepted")
        except Exception as e:  # noqa: BLE001 - the SDK's error carries the response
            http.append(str(e).encode())

        # backups
        ok("backup.show", {"container": "leaks"})
        err("backup.show", {"container": "missing"})
        time.sleep(1.1)  # so that "-1s" is after the container's creation
        ok("backup.restore", {"container": "leaks", "to": "-1s", "into": "leaks-copy"})
        err("backup.restore", {"container": "leaks", "to": PRIMARY_KEY})
        ok("container.delete", {"name": "leaks-copy"})
        err("container.delete", {"name": "leaks-copy"})
        ok("backup.deleted")
        ok("backup.prune")
        # the audit trail
        listed = ok("audit.list", {})
        assert listed["entries"], "the requests above are in the audit trail"
        err("audit.list", {"limit": 0})
        assert ok("audit.verify")["ok"] is True
        # keys, last: regenerate the secondary (not the key for tokens), then the account
        ok("keys.regenerate", {"key": "secondary"})
        metrics = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).content
        http.append(metrics)
        ok("account.delete", {"confirmName": "medstoretest"})

        missing = spec_methods() - driven
        assert not missing, f"methods in the spec the leak check does not drive: {sorted(missing)}"
        assert d.stop() == 0
    finally:
        forms = raw_and_text_forms()
        leaks: list[str] = []
        for i, r in enumerate(d.d.replies):
            leaks += scan(repr(r).encode(), f"reply {i}", forms)
        for i, o in enumerate(d.d.outputs):
            leaks += scan(o.encode(), f"medctl output {i}", forms)
        for i, h in enumerate(http):
            leaks += scan(h, f"HTTP response {i}", forms)
        leaks += scan(d.log().encode(), "daemon log", forms)
        files = [p for p in d.state_dir.rglob("*") if p.is_file()]
        assert {"medstore.db", "audit.db"} <= {p.name for p in files}
        for p in files:
            leaks += scan(p.read_bytes(), f"state file {p.relative_to(d.state_dir)}", forms)
        d.cleanup()
    assert not leaks, "key material found:\n" + "\n".join(leaks)
