"""ip.*: the account firewall's allowed-IP rules."""

import re

import pytest

from interop_support import error_of

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_default_cluster_networks(client, account):
    r = client.call("ip.list")
    assert r["rules"] == []
    assert sorted(r["clusterNetworks"]) == sorted(["127.0.0.0/8", "::1/128"])


@pytest.mark.parametrize(
    "address,network",
    [
        ("203.0.113.7", "203.0.113.7/32"),
        ("2001:db8::1", "2001:db8::1/128"),
        ("198.51.100.0/24", "198.51.100.0/24"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("203.0.113.8/32", "203.0.113.8/32"),
        ("2001:DB8:0:0:0:0:0:2", "2001:db8::2/128"),  # canonical IPv6 text (RFC 5952)
        ("2001:db8:0:0:1:0:0:0/80", "2001:db8:0:0:1::/80"),
    ],
)
def test_allow_forms(client, account, address, network):
    rule = client.call("ip.allow", {"address": address, "note": "lab"})
    assert rule["network"] == network
    assert isinstance(rule["id"], int) and rule["id"] >= 1
    assert rule["note"] == "lab"
    assert RFC3339.match(rule["createdAt"])
    assert client.call("ip.list")["rules"] == [rule]
    assert client.call("account.show")["allowedIPCount"] == 1


def test_list_by_id_and_note_optional(client, account):
    a = client.call("ip.allow", {"address": "203.0.113.7"})
    b = client.call("ip.allow", {"address": "2001:db8::/32", "note": "v6 range"})
    c = client.call("ip.allow", {"address": "10.0.0.0/8", "note": None})
    assert a["id"] < b["id"] < c["id"]
    assert a.get("note") is None and c.get("note") is None
    assert client.call("ip.list")["rules"] == [a, b, c]
    assert client.call("account.show")["allowedIPCount"] == 3


@pytest.mark.parametrize(
    "first,second",
    [("203.0.113.7", "203.0.113.7"), ("203.0.113.7", "203.0.113.7/32"), ("2001:db8::/32", "2001:0db8::/32"), ("2001:db8::1", "2001:db8:0::1/128")],
)
def test_duplicate(client, account, first, second):
    client.call("ip.allow", {"address": first})
    e = error_of(client.call, "ip.allow", {"address": second})
    assert e.code == "ipRuleAlreadyExists" and e.general_code == "alreadyExists", e
    assert len(client.call("ip.list")["rules"]) == 1


MALFORMED = ["1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4/33", "::1/129", "abc", "", "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/8/8", "2001:db8:::1", "1.2.3.4 ", "1.2.3.4-1.2.3.5", "fe80::1%eth0"]


@pytest.mark.parametrize("bad", MALFORMED)
def test_malformed(client, account, bad):
    e = error_of(client.call, "ip.allow", {"address": bad})
    assert e.code == "invalidIPRule", (bad, e)
    assert client.call("ip.list")["rules"] == []


@pytest.mark.parametrize("bad,network", [("10.0.0.1/8", "10.0.0.0/8"), ("192.168.1.77/24", "192.168.1.0/24"), ("2001:db8::1/32", "2001:db8::/32")])
def test_host_bits_refused_and_named(client, account, bad, network):
    e = error_of(client.call, "ip.allow", {"address": bad})
    assert e.code == "invalidIPRule", e
    assert network in e.message, f"the message should name the network {network}: {e.message!r}"


def test_note_limit(client, account):
    client.call("ip.allow", {"address": "203.0.113.1", "note": "é" * 128})  # 256 bytes
    e = error_of(client.call, "ip.allow", {"address": "203.0.113.2", "note": "x" * 257})
    assert e.general_code == "invalidArgument" and "note" in e.message, e


def test_remove(client, account):
    a = client.call("ip.allow", {"address": "203.0.113.7"})
    b = client.call("ip.allow", {"address": "198.51.100.0/24"})
    c = client.call("ip.allow", {"address": "2001:db8::/32"})
    d = client.call("ip.allow", {"address": "2001:db8:1::5"})
    assert client.call("ip.remove", {"rule": str(a["id"])}) == a  # by id
    assert client.call("ip.remove", {"rule": "198.51.100.0/24"}) == b  # by cidr
    assert client.call("ip.remove", {"rule": "2001:DB8::/32"}) == c  # by cidr, other spelling
    assert client.call("ip.remove", {"rule": "2001:db8:1::5"}) == d  # by address
    assert client.call("ip.list")["rules"] == []
    assert client.call("account.show")["allowedIPCount"] == 0


def test_remove_by_address_of_v4(client, account):
    a = client.call("ip.allow", {"address": "203.0.113.9"})
    assert client.call("ip.remove", {"rule": "203.0.113.9"}) == a


def test_remove_unknown(client, account):
    a = client.call("ip.allow", {"address": "198.51.100.0/24"})
    for rule in ("999", "203.0.113.7", "198.51.100.0/25", "198.51.100.1"):
        e = error_of(client.call, "ip.remove", {"rule": rule})
        assert e.code == "ipRuleNotFound", (rule, e)
    e = error_of(client.call, "ip.remove", {"rule": "not-an-address"})
    assert e.code == "invalidIPRule", e
    assert client.call("ip.list")["rules"] == [a]
    client.call("ip.remove", {"rule": str(a["id"])})
    e = error_of(client.call, "ip.remove", {"rule": str(a["id"])})
    assert e.code == "ipRuleNotFound"


def test_ids_not_reused(client, account):
    a = client.call("ip.allow", {"address": "203.0.113.7"})
    client.call("ip.remove", {"rule": str(a["id"])})
    b = client.call("ip.allow", {"address": "203.0.113.7"})
    assert b["id"] != a["id"] or b["createdAt"] >= a["createdAt"]


def test_cluster_networks_flag(daemon_factory):
    d = daemon_factory("cn", args=["--cluster-network", "10.42.0.0/16", "--cluster-network", "fd00:42::/64"]).start()
    with d.client() as c:
        nets = c.call("status")["clusterNetworks"]
        assert "10.42.0.0/16" in nets and "fd00:42::/64" in nets
        c.call("account.create")
        assert c.call("ip.list")["clusterNetworks"] == nets
        assert c.call("account.show")["clusterNetworks"] == nets
    assert d.stop() == 0


def test_bad_cluster_network_flag_refused(daemon_factory):
    d = daemon_factory("cnbad", args=["--cluster-network", "10.0.0.1/8"])
    d.start(wait=False)
    assert d.proc.wait(10) != 0
