"""account.* and keys.*: lifecycle, validation, key rotation checked against the Azure SDK."""

import base64
import re
from datetime import datetime, timedelta, timezone

import pytest

from interop_support import (
    ACCOUNT,
    BLOB_ENDPOINT,
    PRIMARY_KEY,
    SECONDARY_KEY,
    error_of,
    find_secrets,
    import_account,
    sdk_token,
    secret_forms,
    texts,
)

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
NAME = re.compile(r"^[a-z0-9]{3,24}$")


def check_account_info(info, *, name=None, imported=None):
    assert NAME.match(info["name"]), info
    if name is not None:
        assert info["name"] == name
    assert RFC3339.match(info["createdAt"]), info
    if imported is not None:
        assert info["imported"] is imported
    assert info["keyForTokens"] in ("primary", "secondary")
    assert info["blobEndpoint"] == f"{BLOB_ENDPOINT}/{info['name']}"
    assert isinstance(info["containerCount"], int)
    assert isinstance(info["allowedIPCount"], int)
    assert "127.0.0.0/8" in info["clusterNetworks"] and "::1/128" in info["clusterNetworks"]


def test_no_account_yet(client):
    for method in ("account.show", "keys.show"):
        assert error_of(client.call, method).code == "accountNotFound"
    assert error_of(client.call, "container.create", {"name": "abc"}).code == "accountNotFound"
    assert error_of(client.call, "account.delete", {"confirmName": "whatever"}).code == "accountNotFound"
    assert client.call("status")["accountPresent"] is False


def test_create_random_name_then_second_create_refused(client):
    info = client.call("account.create")
    check_account_info(info, imported=False)
    assert info["keyForTokens"] == "primary"
    assert info["containerCount"] == 0 and info["allowedIPCount"] == 0
    e = error_of(client.call, "account.create")
    assert e.code == "accountAlreadyExists" and e.general_code == "alreadyExists"
    e = error_of(client.call, "account.create", {"name": "othername"})
    assert e.code == "accountAlreadyExists"
    e = error_of(import_account, client)
    assert e.code == "accountAlreadyExists"
    shown = client.call("account.show")
    assert shown["name"] == info["name"] and shown["createdAt"] == info["createdAt"]
    st = client.call("status")
    assert st["accountPresent"] is True and st["accountName"] == info["name"]


def test_random_names_differ_between_daemons(daemon_factory):
    names = []
    for i in range(2):
        d = daemon_factory(f"r{i}").start()
        with d.client() as c:
            names.append(c.call("account.create")["name"])
        assert d.stop() == 0
    assert all(NAME.match(n) for n in names)
    assert names[0] != names[1], "random account names should not repeat"


def test_create_with_name(client):
    info = client.call("account.create", {"name": "abc123"})
    check_account_info(info, name="abc123", imported=False)


@pytest.mark.parametrize("bad", ["ab", "a" * 25, "Abc", "my-acct", "my_acct", "acc t", "", "ünicode"])
def test_create_invalid_name(client, bad):
    e = error_of(client.call, "account.create", {"name": bad})
    assert e.code == "invalidAccountName", (bad, e)
    assert error_of(client.call, "account.show").code == "accountNotFound"


def test_valid_name_edges(daemon_factory):
    for name in ("abc", "a" * 24, "123"):
        d = daemon_factory(name).start()
        with d.client() as c:
            assert c.call("account.create", {"name": name})["name"] == name
        assert d.stop() == 0


def test_import_and_show(client, daemon):
    info = import_account(client)
    check_account_info(info, name=ACCOUNT, imported=True)
    assert info["keyForTokens"] == "primary"
    keys = client.call("keys.show")
    assert keys["keyForTokens"] == "primary"
    assert [k["name"] for k in keys["keys"]] == ["primary", "secondary"]
    for k in keys["keys"]:
        assert RFC3339.match(k["createdAt"]) and isinstance(k["ageSeconds"], int) and k["ageSeconds"] >= 0
        assert set(k) >= {"name", "createdAt", "ageSeconds"}
    # nothing in these replies carries key material
    for reply in (info, keys, client.call("account.show")):
        for t in texts(reply):
            assert not find_secrets(t)


BAD_KEYS = [
    "not base64 at all!!",
    base64.b64encode(bytes(32)).decode(),  # 32 bytes: wrong length
    base64.b64encode(bytes(65)).decode(),  # 65 bytes
    base64.b64encode(bytes(64)).decode()[:-4],  # truncated
    "",
    PRIMARY_KEY.replace("A", "*", 1),
]


@pytest.mark.parametrize("which", ["primaryKey", "secondaryKey"])
@pytest.mark.parametrize("bad", BAD_KEYS, ids=["garbage", "32bytes", "65bytes", "truncated", "empty", "badchar"])
def test_import_invalid_key(client, which, bad):
    params = {"name": ACCOUNT, "primaryKey": PRIMARY_KEY, "secondaryKey": SECONDARY_KEY}
    params[which] = bad
    e = error_of(client.call, "account.import", params)
    assert e.code == "invalidKey", e
    if bad:
        assert bad not in e.message, "the error message repeats the submitted key"
        assert bad[:16] not in e.message
    for good in (PRIMARY_KEY, SECONDARY_KEY):
        assert not find_secrets(e.message, secret_forms(good))
    assert error_of(client.call, "account.show").code == "accountNotFound", "a failed import must not create an account"


def test_import_invalid_name(client):
    e = error_of(import_account, client, "Bad-Name")
    assert e.code == "invalidAccountName"


def test_import_missing_key_field(client):
    e = error_of(client.call, "account.import", {"name": ACCOUNT, "primaryKey": PRIMARY_KEY})
    assert e.code in ("invalidArgument", "invalidKey"), e
    assert "secondaryKey" in e.message


def test_keys_switch(client, account):
    assert client.call("keys.switch", {"key": "secondary"})["keyForTokens"] == "secondary"
    assert client.call("keys.show")["keyForTokens"] == "secondary"
    assert client.call("account.show")["keyForTokens"] == "secondary"
    # no argument: the other one
    assert client.call("keys.switch")["keyForTokens"] == "primary"
    assert client.call("keys.switch", {})["keyForTokens"] == "secondary"
    # switching to the current one is a no-op
    assert client.call("keys.switch", {"key": "secondary"})["keyForTokens"] == "secondary"
    e = error_of(client.call, "keys.switch", {"key": "tertiary"})
    assert e.general_code == "invalidArgument", e
    assert client.call("keys.show")["keyForTokens"] == "secondary"


_DAY0 = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
FIXED = dict(
    container="rotation",
    permissions="rl",
    start=_DAY0.strftime("%Y-%m-%dT%H:%M:%SZ"),
    expiry=(_DAY0 + timedelta(days=200, hours=3, seconds=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
)


def _issue(client):
    return client.call(
        "token.container",
        {"container": FIXED["container"], "options": {"permissions": FIXED["permissions"], "start": FIXED["start"], "expiry": FIXED["expiry"]}},
    )


def _sig(token):
    return dict(p.split("=", 1) for p in token.split("&"))["sig"]


def test_regenerate(client, account):
    client.call("container.create", {"name": "rotation"})
    sdk = {which: sdk_token(key=k, **FIXED) for which, k in (("primary", PRIMARY_KEY), ("secondary", SECONDARY_KEY))}
    before = _issue(client)
    assert before["token"] == sdk["primary"] and before["signedWith"] == "primary"

    # regenerating the key for tokens without force: refused, explains the safe order
    e = error_of(client.call, "keys.regenerate", {"key": "primary"})
    assert e.code == "keyInUse" and e.general_code == "failedPrecondition"
    assert "switch" in e.message.lower()
    e = error_of(client.call, "keys.regenerate", {"key": "primary", "force": False})
    assert e.code == "keyInUse"
    assert _issue(client)["token"] == sdk["primary"], "a refused regenerate must not change the key"

    # regenerating the other key is fine without force; the key for tokens is untouched
    old_created = {k["name"]: k["createdAt"] for k in client.call("keys.show")["keys"]}
    ks = client.call("keys.regenerate", {"key": "secondary"})
    assert ks["keyForTokens"] == "primary"
    assert _issue(client)["token"] == sdk["primary"]
    client.call("keys.switch", {"key": "secondary"})
    after_sec = _issue(client)
    assert after_sec["signedWith"] == "secondary"
    assert after_sec["token"] not in (sdk["primary"], sdk["secondary"]), "secondary was regenerated: the old secondary must not sign"
    client.call("keys.switch", {"key": "primary"})

    # with force the key for tokens is replaced at once
    ks = client.call("keys.regenerate", {"key": "primary", "force": True})
    assert ks["keyForTokens"] == "primary"
    new_created = {k["name"]: k["createdAt"] for k in ks["keys"]}
    assert new_created["primary"] >= old_created["primary"]
    after = _issue(client)
    assert after["signedWith"] == "primary"
    assert after["token"] != before["token"]
    # the token issued before is exactly what the OLD imported primary signs (checked with the
    # SDK), and nothing the daemon signs now matches the old keys any more
    assert _sig(before["token"]) == _sig(sdk["primary"])
    assert _sig(after["token"]) not in (_sig(sdk["primary"]), _sig(sdk["secondary"]))
    client.call("keys.switch", {"key": "secondary"})
    assert _sig(_issue(client)["token"]) not in (_sig(sdk["primary"]), _sig(sdk["secondary"]))
    assert _sig(_issue(client)["token"]) == _sig(after_sec["token"])


def test_regenerate_needs_account_and_valid_key(client):
    assert error_of(client.call, "keys.regenerate", {"key": "secondary"}).code == "accountNotFound"
    import_account(client)
    e = error_of(client.call, "keys.regenerate", {"key": "both"})
    assert e.general_code == "invalidArgument"
    e = error_of(client.call, "keys.regenerate", {})
    assert e.general_code == "invalidArgument" and "key" in e.message


def test_delete(client, account):
    for n in ("one", "two", "three"):
        client.call("container.create", {"name": n})
    client.call("ip.allow", {"address": "203.0.113.7"})
    e = error_of(client.call, "account.delete", {"confirmName": "wrongname"})
    assert e.code == "failedPrecondition"
    e = error_of(client.call, "account.delete", {"confirmName": ACCOUNT.upper()})
    assert e.code == "failedPrecondition"
    # nothing deleted
    info = client.call("account.show")
    assert info["containerCount"] == 3 and info["allowedIPCount"] == 1
    assert client.call("container.show", {"name": "two"})["name"] == "two"
    e = error_of(client.call, "account.delete", {})
    assert e.general_code in ("invalidArgument", "failedPrecondition") and "confirmName" in e.message

    r = client.call("account.delete", {"confirmName": ACCOUNT})
    assert r["name"] == ACCOUNT and r["containersDeleted"] == 3
    assert error_of(client.call, "account.show").code == "accountNotFound"
    assert error_of(client.call, "keys.show").code == "accountNotFound"
    assert error_of(client.call, "container.show", {"name": "two"}).code == "accountNotFound"
    assert client.call("status")["accountPresent"] is False

    # a new account starts empty: containers and IP rules went with the old one
    info = client.call("account.create", {"name": "fresh"})
    assert info["containerCount"] == 0 and info["allowedIPCount"] == 0
    assert client.call("container.list")["containers"] == []
    assert client.call("ip.list")["rules"] == []
    assert error_of(client.call, "container.show", {"name": "two"}).code == "containerNotFound"


def test_reimport_after_delete_signs_like_sdk(client, account):
    client.call("account.delete", {"confirmName": ACCOUNT})
    import_account(client)
    client.call("container.create", {"name": "rotation"})
    assert _issue(client)["token"] == sdk_token(key=PRIMARY_KEY, **FIXED)


def test_no_reply_contains_keys(daemon, account):
    """Exercise every method once and scan every reply's text for the imported keys."""
    c = daemon.client()
    c.call("container.create", {"name": "scan"})
    c.call("token.container", {"container": "scan", "options": {"permissions": "r", "ttlSeconds": 60}})
    c.call("token.blob", {"container": "scan", "blob": "x", "options": {"permissions": "r", "ttlSeconds": 60}})
    for m in ("status", "account.show", "keys.show", "ip.list", "container.list"):
        c.call(m)
    c.call("keys.switch")
    c.call("keys.regenerate", {"key": "secondary", "force": True})
    error_of(c.call, "account.import", {"name": ACCOUNT, "primaryKey": PRIMARY_KEY, "secondaryKey": SECONDARY_KEY})
    assert len(daemon.replies) >= 10
    assert daemon.leaked_secrets() == []
