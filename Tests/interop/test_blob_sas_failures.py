"""Every service-SAS failure mode against the real daemon, checking the HTTP status and
``x-ms-error-code`` (reference section 3): time window, source IP, protocol, permissions (incl.
create-only overwrite), a blob SAS on another blob, tampered fields, regenerated keys, no
credentials, container create/delete refused to a service SAS; older signing layouts and
response-header overrides that work; and no signature ever in the daemon's log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
import urllib.parse
from datetime import timedelta

import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.storage.blob import BlobClient, ContainerClient, generate_blob_sas, generate_container_sas

from blob_support import *  # noqa: F401,F403 - fixtures and helpers

C = "sas-tests"
OTHER = "sas-other"
H = {"x-ms-version": "2026-10-06"}
PUT_H = {"x-ms-version": "2026-10-06", "x-ms-blob-type": "BlockBlob"}


@pytest.fixture(scope="module")
def bd(blob_daemon):
    blob_daemon.create_container(C)
    blob_daemon.create_container(OTHER)
    cc = blob_daemon.container_client(C, "racwdl")
    for name in ("existing", "x/one", "x/two"):
        cc.upload_blob(name, name.encode(), overwrite=True)
    blob_daemon.container_client(OTHER, "cw").upload_blob("existing", b"other", overwrite=True)
    return blob_daemon


def with_param(token: str, name: str, value) -> str:
    """The token with one query parameter replaced (``value=None`` removes it)."""
    pairs = [p.split("=", 1) for p in token.split("&")]
    out, seen = [], False
    for k, v in pairs:
        if k == name:
            seen = True
            if value is None:
                continue
            v = urllib.parse.quote(value, safe="")
        out.append(f"{k}={v}")
    if not seen and value is not None:
        out.append(f"{name}={urllib.parse.quote(value, safe='')}")
    return "&".join(out)


def param(token: str, name: str) -> str:
    return urllib.parse.parse_qs(token)[name][0]


# --- time window ------------------------------------------------------------------------------------


def test_expired_token_from_medctl(bd):
    t = bd.token(C, "existing", permissions="r", ttl="2s")
    assert requests.get(t["url"], headers=H, timeout=10).status_code == 200
    expiry = param(t["token"], "se")
    # wait until the signed expiry (second precision) is in the past
    time.sleep(max(0.0, (parse_se(expiry) - now_utc()).total_seconds()) + 1.1)
    r = requests.get(t["url"], headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")


def parse_se(s):
    from datetime import datetime, timezone

    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def test_expired_token_signed_with_the_key(bd):
    tok = bd.remember_sig(generate_blob_sas(ACCOUNT, C, "existing", account_key=PRIMARY_KEY, permission="r",
                                            start=now_utc() - timedelta(hours=2), expiry=now_utc() - timedelta(minutes=1)))
    r = requests.get(bd.url(C, "existing", tok), headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")
    # the same inputs with a future expiry work (so only the window was wrong)
    ok = bd.remember_sig(generate_blob_sas(ACCOUNT, C, "existing", account_key=PRIMARY_KEY, permission="r",
                                           expiry=now_utc() + timedelta(minutes=5)))
    assert requests.get(bd.url(C, "existing", ok), headers=H, timeout=10).status_code == 200


def test_not_yet_valid(bd):
    t = bd.token(C, "existing", permissions="r", start=fmt_time(now_utc() + timedelta(hours=1)), ttl="1h")
    assert "st=" in t["token"]
    r = requests.get(t["url"], headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")
    # a start in the past is fine
    t = bd.token(C, "existing", permissions="r", start=fmt_time(now_utc() - timedelta(minutes=5)), ttl="1h")
    assert requests.get(t["url"], headers=H, timeout=10).status_code == 200


def test_expiry_before_start_signed(bd):
    tok = bd.remember_sig(generate_blob_sas(ACCOUNT, C, "existing", account_key=PRIMARY_KEY, permission="r",
                                            start=now_utc() - timedelta(minutes=5), expiry=now_utc() - timedelta(minutes=10)))
    r = requests.get(bd.url(C, "existing", tok), headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")


# --- source IP --------------------------------------------------------------------------------------


def test_wrong_source_ip(bd):
    t = bd.token(C, "existing", permissions="r", ip="127.0.0.1")
    assert "sip=127.0.0.1" in t["token"]
    assert session_from("127.0.0.1").get(t["url"], headers=H, timeout=10).status_code == 200
    r = session_from("127.0.0.2").get(t["url"], headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthorizationSourceIPMismatch")
    # the SDK, with its connections bound to 127.0.0.2
    bc = BlobClient.from_blob_url(t["url"], transport=sdk_transport_from("127.0.0.2"), retry_total=0)
    with pytest.raises(HttpResponseError) as ei:
        bc.download_blob().readall()
    assert ei.value.status_code == 403
    assert error_code_of(ei.value) == "AuthorizationSourceIPMismatch"


def test_source_ip_range(bd):
    t = bd.token(C, permissions="rl", ip="127.0.0.2-127.0.0.9")
    url = bd.url(C, "existing", t["token"])
    for ok in ("127.0.0.2", "127.0.0.5", "127.0.0.9"):
        assert session_from(ok).get(url, headers=H, timeout=10).status_code == 200, ok
    for bad in ("127.0.0.1", "127.0.0.10"):
        assert_azure_error(session_from(bad).get(url, headers=H, timeout=10), 403, "AuthorizationSourceIPMismatch")
    cc = ContainerClient.from_container_url(t["url"], transport=sdk_transport_from("127.0.0.3"), retry_total=0)
    assert "existing" in [b.name for b in cc.list_blobs()]


# --- protocol ---------------------------------------------------------------------------------------


def test_https_only_over_http(bd):
    t = bd.token(C, "existing", permissions="r", https_only=True)
    assert "spr=https" in t["token"]
    r = requests.get(bd.url(C, "existing", t["token"]), headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthorizationProtocolMismatch")
    bc = BlobClient.from_blob_url(bd.url(C, "existing", t["token"]), retry_total=0)
    with pytest.raises(HttpResponseError) as ei:
        bc.get_blob_properties()
    assert ei.value.status_code == 403
    assert ei.value.response.headers.get("x-ms-error-code") == "AuthorizationProtocolMismatch"


# --- permissions ------------------------------------------------------------------------------------

MISMATCH = "AuthorizationPermissionMismatch"


def op(bd, what: str, token: str, blob: str = "existing"):
    url = bd.url(C, blob, token)
    if what == "get":
        return requests.get(url, headers=H, timeout=10)
    if what == "head":
        return requests.head(url, headers=H, timeout=10)
    if what == "put":
        return requests.put(url, data=b"new content", headers=PUT_H, timeout=10)
    if what == "delete":
        return requests.delete(url, headers=H, timeout=10)
    if what == "metadata":
        return requests.put(url + "&comp=metadata", headers={**H, "x-ms-meta-a": "b"}, timeout=10)
    if what == "list":
        return requests.get(f"{bd.account_url}/{C}?restype=container&comp=list&{token}", headers=H, timeout=10)
    if what == "block":
        bid = urllib.parse.quote(base64.b64encode(b"blk-0001").decode(), safe="")
        return requests.put(url + f"&comp=block&blockid={bid}", data=b"blk", headers=H, timeout=10)
    if what == "blocklist":
        return requests.get(url + "&comp=blocklist&blocklisttype=all", headers=H, timeout=10)
    raise ValueError(what)


@pytest.mark.parametrize(
    "perms,what,status,code",
    [
        ("r", "put", 403, MISMATCH),
        ("r", "delete", 403, MISMATCH),
        ("r", "metadata", 403, MISMATCH),
        ("r", "list", 403, MISMATCH),
        ("r", "block", 403, MISMATCH),
        ("r", "get", 200, None),
        ("r", "blocklist", 200, None),
        ("w", "get", 403, MISMATCH),
        ("w", "head", 403, None),
        ("w", "list", 403, MISMATCH),
        ("w", "delete", 403, MISMATCH),
        ("w", "metadata", 200, None),
        ("d", "get", 403, MISMATCH),
        ("d", "put", 403, MISMATCH),
        ("l", "get", 403, MISMATCH),
        ("l", "list", 200, None),
        ("a", "put", 403, MISMATCH),
        ("c", "metadata", 403, MISMATCH),
        ("c", "delete", 403, MISMATCH),
        ("racwl", "delete", 403, MISMATCH),
    ],
)
def test_permission_table(bd, perms, what, status, code):
    t = bd.token(C, permissions=perms)
    r = op(bd, what, t["token"])
    if code is None:
        assert r.status_code == status, (r.status_code, r.headers.get("x-ms-error-code"), r.text[:300])
        if status == 403:  # HEAD: no body, the code in the header
            assert r.headers.get("x-ms-error-code") == MISMATCH
    else:
        assert_azure_error(r, status, code)


def test_read_only_token_put_with_sdk(bd):
    cc = bd.container_client(C, "rl")
    with pytest.raises(HttpResponseError) as ei:
        cc.upload_blob("ro/new", b"data")
    assert ei.value.status_code == 403
    assert error_code_of(ei.value) == MISMATCH
    assert not bd.container_client(C, "r").get_blob_client("ro/new").exists()


def test_create_only_token(bd):
    t = bd.token(C, permissions="c")
    r = op(bd, "put", t["token"], blob="create-only/new")
    assert r.status_code == 201, r.text
    r = op(bd, "put", t["token"], blob="create-only/new")
    assert_azure_error(r, 403, "UnauthorizedBlobOverwrite")
    r = op(bd, "put", t["token"], blob="existing")
    assert_azure_error(r, 403, "UnauthorizedBlobOverwrite")
    cc = bd.container_client(C, "r")
    assert cc.download_blob("existing").readall() == b"existing"
    assert cc.download_blob("create-only/new").readall() == b"new content"
    # with the SDK: overwrite of an existing blob with a create-only blob SAS
    bc = bd.blob_client(C, "create-only/new", permissions="c")
    with pytest.raises(HttpResponseError) as ei:
        bc.upload_blob(b"again", overwrite=True)
    assert ei.value.status_code == 403
    assert error_code_of(ei.value) == "UnauthorizedBlobOverwrite"


def test_create_only_token_commit_block_list_over_existing(bd):
    """Committing a block list replaces the blob: create-only may not do that either."""
    cc_w = bd.container_client(C, "cw")
    cc_w.upload_blob("create-only/blocks", b"original", overwrite=True)
    t = bd.token(C, permissions="c")
    body = b'<?xml version="1.0" encoding="utf-8"?><BlockList></BlockList>'
    r = requests.put(bd.url(C, "create-only/blocks", t["token"]) + "&comp=blocklist", data=body, headers=H, timeout=10)
    assert r.status_code == 403, r.text
    assert r.headers.get("x-ms-error-code") in ("UnauthorizedBlobOverwrite", MISMATCH)
    assert bd.container_client(C, "r").download_blob("create-only/blocks").readall() == b"original"


# --- resource scope ---------------------------------------------------------------------------------


def test_blob_sas_on_another_blob(bd):
    t = bd.token(C, "x/one", permissions="rwd")
    assert requests.get(t["url"], headers=H, timeout=10).status_code == 200
    for other in ("x/two", "existing", "x/one/more", "x/on"):
        r = requests.get(bd.url(C, other, t["token"]), headers=H, timeout=10)
        assert_azure_error(r, 403, "AuthenticationFailed")
    r = requests.put(bd.url(C, "x/three", t["token"]), data=b"x", headers=PUT_H, timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")
    # the same blob name in another container
    r = requests.get(f"{bd.account_url}/{OTHER}/x/one?{t['token']}", headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")
    # a blob SAS used to list its container
    r = requests.get(f"{bd.account_url}/{C}?restype=container&comp=list&{t['token']}", headers=H, timeout=10)
    assert r.status_code == 403 and r.headers.get("x-ms-error-code") in ("AuthenticationFailed", "AuthorizationFailure")


def test_container_sas_on_another_container(bd):
    t = bd.token(C, permissions="racwdl")
    r = requests.get(f"{bd.account_url}/{OTHER}/existing?{t['token']}", headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")
    r = requests.get(f"{bd.account_url}/{OTHER}?restype=container&comp=list&{t['token']}", headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")


# --- tampering --------------------------------------------------------------------------------------


def flip_sig(sig: str) -> str:
    raw = bytearray(base64.b64decode(sig))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    "field,new",
    [
        ("sig", "flip"),
        ("sig", "not base64!"),
        ("sig", ""),
        ("sp", "rw"),
        ("sp", "rwdl"),
        ("se", "+1y"),
        ("sr", "b"),
        ("sv", "2019-12-12"),
        ("sip", None),
        ("spr", None),
        ("st", "2000-01-01T00:00:00Z"),
    ],
)
def test_tampered_token(bd, field, new):
    t = bd.token(C, permissions="rl", ip="127.0.0.1-127.0.0.255", https_only=(field == "spr"))
    tok = t["token"]
    if field == "sig" and new == "flip":
        new = flip_sig(param(tok, "sig"))
    if field == "se":
        new = fmt_time(parse_se(param(tok, "se")) + timedelta(days=365))
    bad = with_param(tok, field, new)
    assert bad != tok
    r = requests.get(bd.url(C, "existing", bad), headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")
    # and it cannot write either
    r = requests.put(bd.url(C, "tampered", bad), data=b"x", headers=PUT_H, timeout=10)
    assert r.status_code == 403, r.text


def test_tampered_token_with_sdk(bd):
    t = bd.token(C, permissions="r")
    bad = with_param(t["token"], "sp", "racwdl")
    cc = ContainerClient.from_container_url(f"{bd.account_url}/{C}?{bad}", retry_total=0)
    with pytest.raises(ClientAuthenticationError) as ei:
        cc.upload_blob("tampered-sdk", b"x")
    assert ei.value.status_code == 403
    assert error_code_of(ei.value) == "AuthenticationFailed"


def test_sas_from_another_key(bd):
    other_key = base64.b64encode(hashlib.sha512(b"not the account key").digest()).decode()
    tok = bd.remember_sig(generate_container_sas(ACCOUNT, C, account_key=other_key, permission="rl",
                                                 expiry=now_utc() + timedelta(hours=1)))
    r = requests.get(bd.url(C, "existing", tok), headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")
    # the secondary key is accepted as a signer as well
    tok2 = bd.remember_sig(generate_container_sas(ACCOUNT, C, account_key=SECONDARY_KEY, permission="rl",
                                                  expiry=now_utc() + timedelta(hours=1)))
    assert requests.get(bd.url(C, "existing", tok2), headers=H, timeout=10).status_code == 200


# --- signing layouts and response-header overrides ----------------------------------------------------


def sign_sas(*, key: str, container: str, blob=None, sp: str, se: str, sv: str, st: str = "", sip: str = "",
             spr: str = "", rs=("", "", "", "", "")) -> str:
    """A service SAS signed by hand for layout A (sv >= 2020-12-06) or B (2018-11-09 <= sv <
    2020-12-06), reference section 1.4."""
    sr = "c" if blob is None else "b"
    resource = f"/blob/{ACCOUNT}/{container}" + ("" if blob is None else f"/{blob}")
    if sv >= "2020-12-06":
        fields = [sp, st, se, resource, "", sip, spr, sv, sr, "", "", *rs]
    else:
        assert sv >= "2018-11-09"
        fields = [sp, st, se, resource, "", sip, spr, sv, sr, "", *rs]
    sig = base64.b64encode(hmac.new(base64.b64decode(key), "\n".join(fields).encode(), hashlib.sha256).digest()).decode()
    names = ["st", "se", "sp", "sip", "spr", "sv", "sr", "rscc", "rscd", "rsce", "rscl", "rsct", "sig"]
    values = [st, se, sp, sip, spr, sv, sr, *rs, sig]
    return "&".join(f"{n}={urllib.parse.quote(v)}" for n, v in zip(names, values) if v)


def test_hand_signer_matches_sdk():
    se = "2030-01-01T00:00:00Z"
    mine = sign_sas(key=PRIMARY_KEY, container=C, blob="x/one", sp="rw", se=se, sv="2026-10-06")
    sdk = generate_blob_sas(ACCOUNT, C, "x/one", account_key=PRIMARY_KEY, permission="rw", expiry=se)
    assert mine == sdk


@pytest.mark.parametrize("sv", ["2018-11-09", "2019-12-12", "2020-12-06", "2026-10-06"])
def test_signing_layouts_accepted(bd, sv):
    se = fmt_time(now_utc() + timedelta(hours=1))
    tok = bd.remember_sig(sign_sas(key=PRIMARY_KEY, container=C, blob="x/one", sp="r", se=se, sv=sv))
    r = requests.get(bd.url(C, "x/one", tok), headers=H, timeout=10)
    assert r.status_code == 200, (sv, r.status_code, r.text[:300])
    assert r.content == b"x/one"
    ctok = bd.remember_sig(sign_sas(key=SECONDARY_KEY, container=C, sp="rl", se=se, sv=sv))
    r = requests.get(f"{bd.account_url}/{C}?restype=container&comp=list&{ctok}", headers=H, timeout=10)
    assert r.status_code == 200, (sv, r.status_code, r.text[:300])


def test_wrong_layout_for_version(bd):
    """A token whose sig uses layout B but claims sv=2020-12-06 (layout A) fails."""
    se = fmt_time(now_utc() + timedelta(hours=1))
    b_tok = sign_sas(key=PRIMARY_KEY, container=C, blob="x/one", sp="r", se=se, sv="2019-12-12")
    bad = with_param(b_tok, "sv", "2020-12-06")
    bd.remember_sig(bad)
    assert_azure_error(requests.get(bd.url(C, "x/one", bad), headers=H, timeout=10), 403, "AuthenticationFailed")


def test_response_header_overrides_only_when_signed(bd):
    tok = bd.remember_sig(generate_blob_sas(ACCOUNT, C, "x/one", account_key=PRIMARY_KEY, permission="r",
                                            expiry=now_utc() + timedelta(hours=1), content_type="application/pdf",
                                            content_disposition="attachment; filename=one.pdf", cache_control="no-cache"))
    r = requests.get(bd.url(C, "x/one", tok), headers=H, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Content-Disposition"] == "attachment; filename=one.pdf"
    assert r.headers["Cache-Control"] == "no-cache"
    # an override added to a token that did not sign it breaks the signature
    t = bd.token(C, "x/one", permissions="r")
    bad = t["token"] + "&rsct=text%2Fhtml"
    r = requests.get(bd.url(C, "x/one", bad), headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")


# --- no credentials, container operations -------------------------------------------------------------


@pytest.mark.parametrize("method,path,extra", [
    ("GET", f"{C}/existing", ""),
    ("HEAD", f"{C}/existing", ""),
    ("PUT", f"{C}/anon", ""),
    ("DELETE", f"{C}/existing", ""),
    ("GET", C, "?restype=container&comp=list"),
    ("GET", "", "?comp=list"),
    ("GET", f"{C}/nosuchblob", ""),
])
def test_no_credentials(bd, method, path, extra):
    url = f"{bd.account_url}/{path}{extra}"
    r = requests.request(method, url, headers=PUT_H if method == "PUT" else H, data=b"x" if method == "PUT" else None,
                         timeout=10)
    assert r.status_code == 401, (r.status_code, r.headers.get("x-ms-error-code"))
    assert r.headers.get("x-ms-error-code") == "NoAuthenticationInformation"
    if method != "HEAD":
        assert_azure_error(r, 401, "NoAuthenticationInformation")
    assert bd.container_client(C, "r").get_blob_client("existing").download_blob().readall() == b"existing"


def test_service_sas_cannot_create_or_delete_container(bd):
    tok = bd.remember_sig(generate_container_sas(ACCOUNT, "sas-made", account_key=PRIMARY_KEY,
                                                 permission="racwdxyltfmei", expiry=now_utc() + timedelta(hours=1)))
    r = requests.put(f"{bd.account_url}/sas-made?restype=container&{tok}", headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthorizationFailure")
    rc, _, _ = bd.medctl("container", "show", "sas-made")
    assert rc == 1  # not created
    cc = ContainerClient.from_container_url(f"{bd.account_url}/sas-made?{tok}", retry_total=0)
    with pytest.raises(HttpResponseError) as ei:
        cc.create_container()
    assert ei.value.status_code == 403 and error_code_of(ei.value) == "AuthorizationFailure"

    t = bd.token(C, permissions="racwdxyltfmei")
    cc = ContainerClient.from_container_url(t["url"], retry_total=0)
    with pytest.raises(HttpResponseError) as ei:
        cc.delete_container()
    assert ei.value.status_code == 403 and error_code_of(ei.value) == "AuthorizationFailure"
    r = requests.delete(f"{bd.account_url}/{C}?restype=container&{t['token']}", headers=H, timeout=10)
    assert_azure_error(r, 403, "AuthorizationFailure")
    assert bd.medctl_json("container", "show", C)["name"] == C
    assert cc.get_blob_client("existing").download_blob().readall() == b"existing"
    # container properties/metadata are not for a service SAS either
    with pytest.raises(HttpResponseError) as ei:
        cc.set_container_metadata({"a": "b"})
    assert ei.value.status_code == 403 and error_code_of(ei.value) == "AuthorizationFailure"


# --- key rotation (a daemon of its own: the keys change) ---------------------------------------------


def test_keys_switch_and_regenerate(fresh_blob_daemon):
    bd = fresh_blob_daemon
    bd.create_container(C)
    bd.container_client(C, "cw").upload_blob("k", b"key test")
    t_primary = bd.token(C, "k", permissions="r")
    assert t_primary["signedWith"] == "primary"
    get = lambda t: requests.get(t["url"], headers=H, timeout=10)  # noqa: E731
    assert get(t_primary).status_code == 200

    # switching keys leaves existing tokens valid
    bd.medctl_json("keys", "switch", "secondary")
    t_secondary = bd.token(C, "k", permissions="r")
    assert t_secondary["signedWith"] == "secondary"
    assert get(t_primary).status_code == 200
    assert get(t_secondary).status_code == 200

    # regenerating the primary breaks tokens signed with its old bytes at once, not the others
    # (it invalidates issued tokens, so medctl wants --yes)
    rc, _, err = bd.medctl("keys", "regenerate", "primary")
    assert rc == 1 and "pass --yes" in err, err
    assert get(t_primary).status_code == 200
    bd.medctl_json("keys", "regenerate", "primary", "--yes")
    assert_azure_error(get(t_primary), 403, "AuthenticationFailed")
    assert get(t_secondary).status_code == 200
    # Shared Key with the old primary fails too; the secondary still works
    with pytest.raises(ClientAuthenticationError):
        list(bd.service_client(PRIMARY_KEY).list_containers())
    assert C in [c.name for c in bd.service_client(SECONDARY_KEY).list_containers()]

    # regenerating the key that signs tokens needs --force, then its tokens fail at once
    rc, _, err = bd.medctl("keys", "regenerate", "secondary")
    assert rc == 1, err
    assert get(t_secondary).status_code == 200
    bd.medctl_json("keys", "regenerate", "secondary", "--force", "--yes")
    assert_azure_error(get(t_secondary), 403, "AuthenticationFailed")
    # new tokens work
    assert get(bd.token(C, "k", permissions="r")).status_code == 200


# --- the log -------------------------------------------------------------------------------------------


def test_failures_logged_with_fingerprint_not_signature(bd):
    t = bd.token(C, "existing", permissions="r")
    bad = with_param(t["token"], "sig", flip_sig(param(t["token"], "sig")))
    bd.sigs.add(param(bad, "sig"))
    ok = requests.get(t["url"], headers=H, timeout=10)
    r = requests.get(bd.url(C, "existing", bad), headers=H, timeout=10)
    assert r.status_code == 403
    lines = {}
    for line in bd.log().splitlines():
        m = re.search(r"request_id=([0-9a-f-]+)", line)
        if m:
            lines[m.group(1)] = line
    good_line, bad_line = lines[ok.headers["x-ms-request-id"]], lines[r.headers["x-ms-request-id"]]
    # one access-log line per request, with a token fingerprint (not the signature) on both
    for line, status in ((good_line, 200), (bad_line, 403)):
        assert f"status={status}" in line and "op=getBlob" in line and "container=" + C in line, line
        assert re.search(r"\btoken=[0-9a-f]{8,}\b", line), line
    bd.check_log()  # no key, no "sig=", no signature value anywhere in the log
