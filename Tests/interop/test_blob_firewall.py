"""The account firewall on the blob listener: with ``--cluster-network 127.0.0.1/32`` a request
from 127.0.0.2 gets 403 AuthorizationFailure whatever its credentials (before any signature
work); ``medctl ip allow`` / ``ip remove`` take effect on the next request, on open connections
too; IPv6 on a ``[::1]`` listener."""

from __future__ import annotations

import socket

import pytest
import requests
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobServiceClient, ContainerClient

from blob_support import *  # noqa: F401,F403 - fixtures and helpers
from blob_support import _start_daemon

C = "firewalled"
H = {"x-ms-version": "2026-10-06"}


@pytest.fixture(scope="module")
def fw():
    bd = _start_daemon(args=["--cluster-network", "127.0.0.1/32"], containers=[C])
    try:
        bd.container_client(C, "cw").upload_blob("hello", b"hello firewall")
        yield bd
        bd.stop()
    finally:
        bd.cleanup()


def denied(r):
    assert_azure_error(r, 403, "AuthorizationFailure")


def test_cluster_network_flag_shown(fw):
    info = fw.medctl_json("ip", "list")
    assert info["clusterNetworks"] == ["127.0.0.1/32"]


def test_outside_cluster_network_denied_even_with_valid_credentials(fw):
    t = fw.token(C, "hello", permissions="r")
    assert session_from("127.0.0.1").get(t["url"], headers=H, timeout=10).status_code == 200
    s2 = session_from("127.0.0.2")
    denied(s2.get(t["url"], headers=H, timeout=10))
    denied(s2.head(t["url"], headers=H, timeout=10))
    denied(s2.put(fw.url(C, "from-2", fw.token(C, permissions="cw")["token"]), data=b"x",
                  headers={**H, "x-ms-blob-type": "BlockBlob"}, timeout=10))
    # no credentials and bad credentials: still the firewall's answer, not 401/AuthenticationFailed
    denied(s2.get(fw.url(C, "hello"), headers=H, timeout=10))
    bad = t["token"].replace("sp=r", "sp=rw")
    denied(s2.get(fw.url(C, "hello", bad), headers=H, timeout=10))
    # Shared Key with the right key
    url = f"{fw.account_url}/?comp=list"
    denied(s2.get(url, headers=shared_key_headers("GET", url), timeout=10))
    assert session_from("127.0.0.1").get(url, headers=shared_key_headers("GET", url), timeout=10).status_code == 200
    # and the SDK
    cc = ContainerClient.from_container_url(fw.token(C, permissions="rl")["url"],
                                            transport=sdk_transport_from("127.0.0.2"), retry_total=0)
    with pytest.raises(HttpResponseError) as ei:
        list(cc.list_blobs())
    assert ei.value.status_code == 403 and error_code_of(ei.value) == "AuthorizationFailure"
    assert not fw.container_client(C, "r").get_blob_client("from-2").exists()


def test_allow_and_remove_take_effect_at_once(fw):
    t = fw.token(C, "hello", permissions="r")
    s2 = session_from("127.0.0.2")  # one keep-alive connection across the rule changes
    denied(s2.get(t["url"], headers=H, timeout=10))
    fresh = lambda: session_from("127.0.0.2").get(t["url"], headers=H, timeout=10)  # noqa: E731

    rule = fw.medctl_json("ip", "allow", "127.0.0.2")
    assert rule["network"] == "127.0.0.2/32"
    r = s2.get(t["url"], headers=H, timeout=10)
    assert r.status_code == 200 and r.content == b"hello firewall"
    assert fresh().status_code == 200
    # the SDK from 127.0.0.2 too, including a write
    cc = ContainerClient.from_container_url(fw.token(C, permissions="rcwl")["url"],
                                            transport=sdk_transport_from("127.0.0.2"), retry_total=0)
    cc.upload_blob("from-2-allowed", b"ok", overwrite=True)
    assert "from-2-allowed" in [b.name for b in cc.list_blobs()]
    # another loopback address is still outside
    denied(session_from("127.0.0.3").get(t["url"], headers=H, timeout=10))

    fw.medctl_json("ip", "remove", "127.0.0.2")
    denied(s2.get(t["url"], headers=H, timeout=10))
    denied(fresh())
    assert session_from("127.0.0.1").get(t["url"], headers=H, timeout=10).status_code == 200


def test_allow_cidr_range(fw):
    t = fw.token(C, "hello", permissions="r")
    fw.medctl_json("ip", "allow", "127.0.0.4/30")
    try:
        for ok in ("127.0.0.4", "127.0.0.5", "127.0.0.7"):
            assert session_from(ok).get(t["url"], headers=H, timeout=10).status_code == 200, ok
        for bad in ("127.0.0.3", "127.0.0.8"):
            denied(session_from(bad).get(t["url"], headers=H, timeout=10))
    finally:
        fw.medctl_json("ip", "remove", "127.0.0.4/30")
    denied(session_from("127.0.0.5").get(t["url"], headers=H, timeout=10))


def test_firewall_log_lines(fw):
    """Denied requests are logged with the peer address and the code."""
    marker = f"fw-log-{free_port()}"
    session_from("127.0.0.9").get(fw.url(C, marker), headers=H, timeout=10)
    lines = [line for line in fw.log().splitlines() if marker in line]
    assert lines, fw.log()[-2000:]
    assert any("peer=127.0.0.9" in line and "status=403" in line for line in lines), lines


def test_denied_client_does_not_disturb_others(fw):
    """Many denied requests in a row; the allowed client keeps being served."""
    t = fw.token(C, "hello", permissions="r")
    s2, s1 = session_from("127.0.0.2"), session_from("127.0.0.1")
    for _ in range(50):
        assert s2.get(t["url"], headers=H, timeout=10).status_code == 403
    assert s1.get(t["url"], headers=H, timeout=10).content == b"hello firewall"


# --- IPv6 --------------------------------------------------------------------------------------------


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def test_ipv6_listener():
    assert has_ipv6_loopback(), "this machine has no ::1 (the test needs it)"
    bd = _start_daemon(args=["--cluster-network", "127.0.0.0/8"], host="::1", containers=[C])
    try:
        assert bd.account_url.startswith("http://[::1]:")
        t = bd.token(C, permissions="rcwl")
        assert t["url"].startswith(f"http://[::1]:{bd.port}/{ACCOUNT}/{C}?"), t["url"]
        # ::1 is not in the cluster networks: denied
        r = requests.get(bd.url(C, "x", t["token"]), headers=H, timeout=10)
        denied(r)
        rule = bd.medctl_json("ip", "allow", "::1")
        assert rule["network"] == "::1/128"
        cc = ContainerClient.from_container_url(t["url"], retry_total=0)
        cc.upload_blob("v6", b"over IPv6")
        assert cc.download_blob("v6").readall() == b"over IPv6"
        svc = BlobServiceClient(bd.account_url, credential={"account_name": ACCOUNT, "account_key": PRIMARY_KEY},
                                retry_total=0)
        assert C in [c.name for c in svc.list_containers()]
        bd.medctl_json("ip", "remove", "::1")
        denied(requests.get(bd.url(C, "v6", t["token"]), headers=H, timeout=10))
        bd.stop()
    finally:
        bd.cleanup()


def test_ipv6_default_cluster_networks():
    """With the default cluster networks (127.0.0.0/8 and ::1/128) ::1 is let in."""
    bd = _start_daemon(host="::1", containers=[C])
    try:
        cc = ContainerClient.from_container_url(bd.token(C, permissions="rcw")["url"], retry_total=0)
        cc.upload_blob("v6", b"default networks")
        assert cc.download_blob("v6").readall() == b"default networks"
        bd.stop()
    finally:
        bd.cleanup()
