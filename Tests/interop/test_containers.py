"""container.*: Azure naming rules, errors, ordering, pagination with marker/nextMarker."""

import re

import pytest

from interop_support import BULK_WINDOW, error_of

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

INVALID = {
    "too-short": "ab",
    "too-long": "a" * 64,
    "uppercase": "Abc",
    "uppercase-inside": "abCd",
    "leading-hyphen": "-abc",
    "trailing-hyphen": "abc-",
    "double-hyphen": "ab--cd",
    "underscore": "ab_cd",
    "dot": "ab.cd",
    "space": "ab cd",
    "slash": "ab/cd",
    "unicode": "äbc",
    "empty": "",
    "one-char": "a",
}
VALID = ["abc", "a" * 63, "a-b", "a-b-c-1", "123", "0-9", "z9z"]


def test_create_show_list_delete(client, account):
    info = client.call("container.create", {"name": "patient-records"})
    assert info["name"] == "patient-records" and RFC3339.match(info["createdAt"])
    assert client.call("container.show", {"name": "patient-records"}) == info
    listed = client.call("container.list")
    assert listed["containers"] == [info]
    assert listed.get("nextMarker") is None
    assert client.call("account.show")["containerCount"] == 1
    assert client.call("status")["containerCount"] == 1
    deleted = client.call("container.delete", {"name": "patient-records"})
    assert deleted["name"] == "patient-records"
    assert error_of(client.call, "container.show", {"name": "patient-records"}).code == "containerNotFound"
    assert client.call("container.list")["containers"] == []
    assert client.call("account.show")["containerCount"] == 0
    # it can be created again
    client.call("container.create", {"name": "patient-records"})


@pytest.mark.parametrize("name", list(INVALID.values()), ids=list(INVALID))
def test_invalid_names(client, account, name):
    for method in ("container.create", "container.show", "container.delete"):
        e = error_of(client.call, method, {"name": name})
        assert e.code == "invalidContainerName", (method, name, e)
        assert e.general_code == "invalidArgument"
    assert client.call("container.list")["containers"] == []


def test_valid_name_edges(client, account):
    for name in VALID:
        assert client.call("container.create", {"name": name})["name"] == name
    assert [c["name"] for c in client.call("container.list")["containers"]] == sorted(VALID)


def test_duplicate_and_missing(client, account):
    client.call("container.create", {"name": "scans"})
    e = error_of(client.call, "container.create", {"name": "scans"})
    assert e.code == "containerAlreadyExists" and "scans" in e.message
    e = error_of(client.call, "container.show", {"name": "nothere"})
    assert e.code == "containerNotFound" and "nothere" in e.message
    e = error_of(client.call, "container.delete", {"name": "nothere"})
    assert e.code == "containerNotFound"
    client.call("container.delete", {"name": "scans"})
    assert error_of(client.call, "container.delete", {"name": "scans"}).code == "containerNotFound"


def test_name_order_is_bytewise(client, account):
    names = ["b-a", "b0a", "baa", "a9z", "a-z", "aaz", "0aa", "9zz", "zzz", "abc"]
    client.pipeline([("container.create", {"name": n}) for n in names], window=BULK_WINDOW)
    assert [c["name"] for c in client.call("container.list")["containers"]] == sorted(names)


def _page_all(client, *, limit=None, prefix=None):
    pages, marker = [], None
    while True:
        params = {}
        if limit is not None:
            params["limit"] = limit
        if prefix is not None:
            params["prefix"] = prefix
        if marker is not None:
            params["marker"] = marker
        r = client.call("container.list", params)
        pages.append([c["name"] for c in r["containers"]])
        marker = r.get("nextMarker")
        if marker is None:
            return pages
        assert len(pages) < 100, "pagination does not end"


def test_pagination_2500(client, account):
    names = [f"c{i:05d}" for i in range(2500)] + ["other-1", "other-2", "b-first"]
    results = client.pipeline([("container.create", {"name": n}) for n in reversed(names)], window=BULK_WINDOW)
    assert all(isinstance(r, dict) for r in results), [r for r in results if not isinstance(r, dict)][:3]
    assert client.call("account.show")["containerCount"] == len(names)
    everything = sorted(names)

    pages = _page_all(client, limit=1000)
    assert [len(p) for p in pages] == [1000, 1000, 503]
    assert sum(pages, []) == everything

    # default page is 1000
    first = client.call("container.list")
    assert len(first["containers"]) == 1000
    assert isinstance(first.get("nextMarker"), str), "more follow: nextMarker must be present"

    # exact multiple: the last full page says no more follow
    pages = _page_all(client, limit=2503)
    assert [len(p) for p in pages] == [2503], "nextMarker must be absent when no more containers follow"

    # marker: only names after it
    r = client.call("container.list", {"marker": "c01234", "limit": 3})
    assert [c["name"] for c in r["containers"]] == ["c01235", "c01236", "c01237"]
    r = client.call("container.list", {"marker": "c012345", "limit": 2})  # a marker that is not a name
    assert [c["name"] for c in r["containers"]] == ["c01235", "c01236"]
    r = client.call("container.list", {"marker": "zzz"})
    assert r["containers"] == [] and r.get("nextMarker") is None

    # prefix, alone and with paging
    r = client.call("container.list", {"prefix": "c01"})
    assert [c["name"] for c in r["containers"]] == [f"c{i:05d}" for i in range(1000, 2000)]
    assert r.get("nextMarker") is None
    pages = _page_all(client, prefix="c0", limit=700)
    assert [len(p) for p in pages] == [700, 700, 700, 400]
    assert sum(pages, []) == [f"c{i:05d}" for i in range(2500)]
    assert [n for p in _page_all(client, prefix="other") for n in p] == ["other-1", "other-2"]
    assert client.call("container.list", {"prefix": "nomatch"})["containers"] == []

    # largest page
    r = client.call("container.list", {"limit": 5000})
    assert len(r["containers"]) == 2503 and r.get("nextMarker") is None


@pytest.mark.parametrize("limit", [0, 5001, 100000])
def test_list_limit_out_of_range(client, account, limit):
    e = error_of(client.call, "container.list", {"limit": limit})
    assert e.general_code == "invalidArgument" and "limit" in e.message, e


def test_list_limit_one(client, account):
    client.pipeline([("container.create", {"name": n}) for n in ("aaa", "bbb", "ccc")], window=BULK_WINDOW)
    assert _page_all(client, limit=1) == [["aaa"], ["bbb"], ["ccc"]]


def test_container_name_wrong_type(client, account):
    e = error_of(client.call, "container.create", {"name": 12345})
    assert e.code == "invalidArgument" and "name" in e.message
