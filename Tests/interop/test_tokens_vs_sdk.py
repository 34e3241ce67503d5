"""token.container / token.blob: byte-equal to azure-storage-blob for many random inputs."""

import random
import time
from datetime import datetime, timedelta, timezone

import pytest

from medstore_client import MedStoreError
from interop_support import (
    BLOB_PERMS,
    CONTAINER_PERMS,
    PRIMARY_KEY,
    SAS_VERSION,
    SECONDARY_KEY,
    canonical_permissions,
    error_of,
    sdk_token,
    sdk_url,
)

CONTAINERS = ["patient-records", "scans", "a-b-c-1", "x" * 63]
BLOB_ALPHABET = list("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789") + list(" +&=/?#%~!$'()*,;@[]-_.") + [
    "é", "ü", "中", "文", "😀", "ß", "Ω", "\u00a0",
]


def fmt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def random_blob_name(rng: random.Random) -> str:
    while True:
        n = "".join(rng.choice(BLOB_ALPHABET) for _ in range(rng.randint(1, 40)))
        # Azure advises against names ending in '.' or '/' and empty path segments; stay clear
        if n.endswith((".", "/")) or n.startswith("/") or "//" in n or n.strip() != n:
            continue
        return n


def random_ip(rng: random.Random) -> str:
    return ".".join(str(rng.randint(0, 255)) for _ in range(4))


def ip_value(ip: str) -> int:
    return int.from_bytes(bytes(int(x) for x in ip.split(".")), "big")


def random_case(rng: random.Random, now: datetime) -> dict:
    """One random request plus what the daemon must sign for it."""
    resource = rng.choice(["container", "blob"])
    letters = list(CONTAINER_PERMS if resource == "container" else BLOB_PERMS)
    chosen = rng.sample(letters, rng.randint(1, len(letters)))
    rng.shuffle(chosen)
    options: dict = {"permissions": "".join(chosen)}
    base = now.replace(microsecond=0)

    start = None
    if rng.random() < 0.5:
        start_dt = base + timedelta(seconds=rng.randint(-2 * 86400, 20 * 86400))
        if rng.random() < 0.15:  # date-only form signs midnight UTC
            start_dt = start_dt.replace(hour=0, minute=0, second=0)
            options["start"] = start_dt.strftime("%Y-%m-%d")
        else:
            options["start"] = fmt(start_dt)
        start = fmt(start_dt)

    expiry = None
    ttl = None
    origin = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) if start else base
    if rng.random() < 0.3:
        ttl = rng.randint(3600, 200 * 86400)
        if origin + timedelta(seconds=ttl) < base + timedelta(minutes=30):
            ttl += 3 * 86400
        options["ttlSeconds"] = ttl
        if start:
            expiry = fmt(origin + timedelta(seconds=ttl))
    else:
        exp_dt = origin + timedelta(seconds=rng.randint(3600, 300 * 86400))
        if exp_dt < base + timedelta(hours=1):
            exp_dt = base + timedelta(days=3, seconds=rng.randint(0, 86400))
        if rng.random() < 0.15:
            exp_dt = exp_dt.replace(hour=0, minute=0, second=0) + timedelta(days=1)
            options["expiry"] = exp_dt.strftime("%Y-%m-%d")
        else:
            options["expiry"] = fmt(exp_dt)
        expiry = fmt(exp_dt)

    ip = None
    roll = rng.random()
    if roll < 0.3:
        ip = random_ip(rng)
    elif roll < 0.5:
        a, b = sorted((random_ip(rng), random_ip(rng)), key=ip_value)
        ip = f"{a}-{b}" if rng.random() < 0.9 else f"{a}-{a}"
    if ip:
        options["ip"] = ip

    https = rng.choice([None, False, True])
    if https is not None:
        options["httpsOnly"] = https

    params = {"container": rng.choice(CONTAINERS), "options": options}
    blob = None
    if resource == "blob":
        blob = random_blob_name(rng)
        params["blob"] = blob
    return dict(
        method=f"token.{resource}",
        params=params,
        resource=resource,
        container=params["container"],
        blob=blob,
        permissions=canonical_permissions(options["permissions"], resource),
        start=start,
        expiry=expiry,
        ttl=ttl,
        ip=ip,
        https=bool(https),
    )


@pytest.fixture
def containers(client, account):
    for c in CONTAINERS:
        client.call("container.create", {"name": c})
    return CONTAINERS


def check_against_sdk(client, case, key, signed_with):
    t0 = time.time()
    r = client.call(case["method"], case["params"])
    t1 = time.time()
    expiry = case["expiry"]
    if expiry is None:  # ttl without start: expiry = now + ttl, to the second
        got = datetime.strptime(r["expiry"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
        assert int(t0) + case["ttl"] - 1 <= got <= t1 + case["ttl"] + 1, (case, r["expiry"])
        expiry = r["expiry"]
    want = sdk_token(
        key=key,
        container=case["container"],
        blob=case["blob"],
        permissions=case["permissions"],
        start=case["start"],
        expiry=expiry,
        ip=case["ip"],
        https_only=case["https"],
    )
    ctx = f"request {case['params']!r}"
    assert r["token"] == want, ctx
    assert r["url"] == sdk_url(want, container=case["container"], blob=case["blob"]), ctx
    assert r["resource"] == case["resource"], ctx
    assert r["permissions"] == case["permissions"], ctx
    assert r["expiry"] == expiry, ctx
    assert r.get("start") == case["start"], ctx
    assert r["signedWith"] == signed_with, ctx
    assert r["version"] == SAS_VERSION, ctx


def test_200_random_tokens_equal_sdk(client, containers):
    rng = random.Random(1234)
    now = now_utc()
    cases = [random_case(rng, now) for _ in range(200)]
    assert sum(c["resource"] == "blob" for c in cases) > 50 and sum(c["resource"] == "container" for c in cases) > 50
    for case in cases:
        check_against_sdk(client, case, PRIMARY_KEY, "primary")


def test_secondary_key_after_switch(client, containers):
    assert client.call("keys.switch", {"key": "secondary"})["keyForTokens"] == "secondary"
    rng = random.Random(99)
    now = now_utc()
    for _ in range(30):
        check_against_sdk(client, random_case(rng, now), SECONDARY_KEY, "secondary")
    client.call("keys.switch", {"key": "primary"})
    check_against_sdk(client, random_case(rng, now), PRIMARY_KEY, "primary")


def test_permission_order_is_canonical(client, containers):
    exp = fmt(now_utc() + timedelta(days=1))
    r = client.call("token.container", {"container": "scans", "options": {"permissions": "iemftlyxdwcar", "expiry": exp}})
    assert r["permissions"] == "racwdxyltfmei" == canonical_permissions("iemftlyxdwcar", "container")
    r = client.call("token.blob", {"container": "scans", "blob": "b", "options": {"permissions": "iemtyxdwcar", "expiry": exp}})
    assert r["permissions"] == "racwdxytmei" == canonical_permissions("iemtyxdwcar", "blob")
    assert "sp=racwdxytmei&" in r["token"]
    r = client.call("token.blob", {"container": "scans", "blob": "b", "options": {"permissions": "wr", "expiry": exp}})
    assert r["permissions"] == "rw"


def test_max_length_blob_name(client, containers):
    name = "n" * 1024
    exp = fmt(now_utc() + timedelta(days=1))
    r = client.call("token.blob", {"container": "scans", "blob": name, "options": {"permissions": "r", "expiry": exp}})
    assert r["token"] == sdk_token(key=PRIMARY_KEY, container="scans", blob=name, permissions="r", expiry=exp)


def test_reference_worked_example(client, account):
    """The reference's worked example (key = bytes 0..63), with start and ip, blob and container."""
    client.call("container.create", {"name": "patient-records"})
    now = now_utc().replace(microsecond=0)
    st, se = fmt(now - timedelta(hours=1)), fmt(now + timedelta(days=1))
    opts = {"permissions": "racwdl", "start": st, "expiry": se, "ip": "10.0.0.1-10.0.0.255", "httpsOnly": True}
    r = client.call("token.container", {"container": "patient-records", "options": opts})
    assert r["token"] == sdk_token(key=PRIMARY_KEY, container="patient-records", permissions="racwdl", start=st, expiry=se, ip="10.0.0.1-10.0.0.255", https_only=True)
    assert "spr=https&" in r["token"] and "sip=10.0.0.1-10.0.0.255" in r["token"]
    opts["permissions"] = "rw"
    r = client.call("token.blob", {"container": "patient-records", "blob": "scans/2026/img-001.dcm", "options": opts})
    want = sdk_token(key=PRIMARY_KEY, container="patient-records", blob="scans/2026/img-001.dcm", permissions="rw", start=st, expiry=se, ip="10.0.0.1-10.0.0.255", https_only=True)
    assert r["token"] == want
    assert r["url"] == f"http://127.0.0.1:10000/medstoretest/patient-records/scans/2026/img-001.dcm?{want}"


def test_https_false_means_no_spr(client, containers):
    exp = fmt(now_utc() + timedelta(days=2))
    r = client.call("token.container", {"container": "scans", "options": {"permissions": "r", "expiry": exp, "httpsOnly": False}})
    assert "spr=" not in r["token"]
    assert r["token"] == sdk_token(key=PRIMARY_KEY, container="scans", permissions="r", expiry=exp)


def test_time_with_offset_or_fraction(client, containers):
    """RFC 3339 allows offsets and fractions: either refused (invalidTime) or signed as the same
    instant in UTC to the second -- never a different instant."""
    base = (now_utc() + timedelta(days=5)).replace(microsecond=0)
    local = base.astimezone(timezone(timedelta(hours=2)))
    for text, want in [
        (local.strftime("%Y-%m-%dT%H:%M:%S+02:00"), fmt(base)),
        (fmt(base)[:-1] + ".750Z", fmt(base)),
        (fmt(base).replace("Z", "+00:00"), fmt(base)),
    ]:
        try:
            r = client.call("token.container", {"container": "scans", "options": {"permissions": "r", "expiry": text}})
        except MedStoreError as e:
            assert e.code == "invalidTime", (text, e)
            continue
        assert r["expiry"] == want, (text, r["expiry"])
        assert r["token"] == sdk_token(key=PRIMARY_KEY, container="scans", permissions="r", expiry=want)


_T0 = now_utc().replace(microsecond=0)


def _in_days(n):
    return fmt(_T0 + timedelta(days=n))


def _opts(**kw):
    o = {"permissions": "r", "expiry": fmt(now_utc() + timedelta(days=1))}
    o.update(kw)
    return {k: v for k, v in o.items() if v is not None}


BAD = [
    # (id, method, params-builder, expected code)
    ("blob-l", "token.blob", lambda: {"container": "scans", "blob": "b", "options": _opts(permissions="rl")}, "invalidPermissions"),
    ("blob-f", "token.blob", lambda: {"container": "scans", "blob": "b", "options": _opts(permissions="f")}, "invalidPermissions"),
    ("dup", "token.container", lambda: {"container": "scans", "options": _opts(permissions="rwr")}, "invalidPermissions"),
    ("unknown", "token.container", lambda: {"container": "scans", "options": _opts(permissions="rz")}, "invalidPermissions"),
    ("upper", "token.container", lambda: {"container": "scans", "options": _opts(permissions="R")}, "invalidPermissions"),
    ("hns-o", "token.container", lambda: {"container": "scans", "options": _opts(permissions="ro")}, "invalidPermissions"),
    ("empty-perm", "token.container", lambda: {"container": "scans", "options": _opts(permissions="")}, "invalidPermissions"),
    ("past", "token.container", lambda: {"container": "scans", "options": _opts(expiry=fmt(now_utc() - timedelta(minutes=5)))}, "invalidTime"),
    ("before-start", "token.container", lambda: {"container": "scans", "options": _opts(start=fmt(now_utc() + timedelta(days=3)), expiry=fmt(now_utc() + timedelta(days=2)))}, "invalidTime"),
    ("equal-start", "token.container", lambda: {"container": "scans", "options": _opts(start=_in_days(3), expiry=_in_days(3))}, "invalidTime"),
    ("too-long-life", "token.container", lambda: {"container": "scans", "options": _opts(expiry=fmt(now_utc() + timedelta(days=400)))}, "invalidTime"),
    ("garbage-time", "token.container", lambda: {"container": "scans", "options": _opts(expiry="next tuesday")}, "invalidTime"),
    ("bad-date", "token.container", lambda: {"container": "scans", "options": _opts(expiry="2027-02-30")}, "invalidTime"),
    ("ttl-0", "token.container", lambda: {"container": "scans", "options": _opts(expiry=None, ttlSeconds=0)}, "invalidTime"),
    ("ttl-big", "token.container", lambda: {"container": "scans", "options": _opts(expiry=None, ttlSeconds=31536001)}, "invalidTime"),
    ("ip-short", "token.container", lambda: {"container": "scans", "options": _opts(ip="1.2.3")}, "invalidIPRule"),
    ("ip-reversed", "token.container", lambda: {"container": "scans", "options": _opts(ip="10.0.0.9-10.0.0.1")}, "invalidIPRule"),
    ("ip-256", "token.container", lambda: {"container": "scans", "options": _opts(ip="256.1.1.1")}, "invalidIPRule"),
    ("ip-v6", "token.container", lambda: {"container": "scans", "options": _opts(ip="::1")}, "invalidIPRule"),
    ("ip-cidr", "token.container", lambda: {"container": "scans", "options": _opts(ip="10.0.0.0/8")}, "invalidIPRule"),
    ("ip-dangling", "token.container", lambda: {"container": "scans", "options": _opts(ip="10.0.0.1-")}, "invalidIPRule"),
    ("missing-container", "token.container", lambda: {"container": "nosuch", "options": _opts()}, "containerNotFound"),
    ("missing-container-blob", "token.blob", lambda: {"container": "nosuch", "blob": "b", "options": _opts()}, "containerNotFound"),
    ("bad-container", "token.container", lambda: {"container": "No_Such", "options": _opts()}, "invalidContainerName"),
    ("empty-blob", "token.blob", lambda: {"container": "scans", "blob": "", "options": _opts()}, "invalidBlobName"),
    ("long-blob", "token.blob", lambda: {"container": "scans", "blob": "b" * 1025, "options": _opts()}, "invalidBlobName"),
]


@pytest.mark.parametrize("method,build,code", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_token_inputs(client, containers, method, build, code):
    e = error_of(client.call, method, build())
    assert e.code == code, e


@pytest.mark.parametrize(
    "options,field",
    [
        ({"expiry": "2099-01-01T00:00:00Z"}, "permissions"),
        ({"permissions": "r"}, "expiry"),
    ],
    ids=["no-permissions", "no-expiry-or-ttl"],
)
def test_missing_token_fields(client, containers, options, field):
    e = error_of(client.call, "token.container", {"container": "scans", "options": options})
    assert e.general_code == "invalidArgument", e
    assert field in e.message or (field == "expiry" and "ttl" in e.message), e


def test_expiry_and_ttl_together_refused(client, containers):
    e = error_of(client.call, "token.container", {"container": "scans", "options": _opts(ttlSeconds=3600)})
    assert e.general_code == "invalidArgument", e


def test_missing_options(client, containers):
    e = error_of(client.call, "token.container", {"container": "scans"})
    assert e.code == "invalidArgument" and "options" in e.message, e


def test_token_without_account(client):
    e = error_of(client.call, "token.container", {"container": "scans", "options": _opts()})
    assert e.code == "accountNotFound"


def test_tokens_are_not_stored(client, containers):
    """Same inputs, same key: the same token again (the daemon re-issues, it does not remember)."""
    opts = _opts(start=fmt(now_utc().replace(microsecond=0)))
    a = client.call("token.container", {"container": "scans", "options": opts})
    b = client.call("token.container", {"container": "scans", "options": opts})
    assert a["token"] == b["token"]
