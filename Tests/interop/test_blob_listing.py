"""Listing with the real SDK: prefixes, delimiters (walk_blobs), paging over 5,000+ blobs,
include=metadata, and List Containers with the account key (Shared Key)."""

from __future__ import annotations

import http.client
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobPrefix

from blob_support import *  # noqa: F401,F403 - fixtures and helpers

TREE = "tree"
MANY = "many"
N_MANY = 5_150

TREE_BLOBS = {
    "a.txt": b"a",
    "b/1.txt": b"b1",
    "dir1/x.txt": b"x",
    "dir1/y.txt": b"y",
    "dir1/sub/z.txt": b"z",
    "dir1/sub/deeper/w.txt": b"w",
    "dir10/q.bin": b"q",
    "dir2/w.txt": b"w2",
    "dir1-x": b"not a directory",
    "名前/é.txt": "ü".encode(),
}


@pytest.fixture(scope="module")
def tree(blob_daemon):
    blob_daemon.create_container(TREE)
    cc = blob_daemon.container_client(TREE, "racwdl")
    for i, (name, data) in enumerate(sorted(TREE_BLOBS.items())):
        cc.upload_blob(name, data, metadata={"idx": str(i), "kind": "tree"} if i % 2 == 0 else None)
    return cc


@pytest.fixture(scope="module")
def many(blob_daemon):
    """N_MANY small blobs uploaded with raw PUTs from 8 threads (one keep-alive connection each)."""
    blob_daemon.create_container(MANY)
    tok = blob_daemon.token(MANY, permissions="cw")["token"]
    local = threading.local()
    names = [f"item-{i:05d}" for i in range(N_MANY)]

    def put(name):
        c = getattr(local, "c", None)
        if c is None:
            c = local.c = http.client.HTTPConnection("127.0.0.1", blob_daemon.port, timeout=30)
        c.request("PUT", f"/{ACCOUNT}/{MANY}/{name}?{tok}", body=name.encode(),
                  headers={"x-ms-blob-type": "BlockBlob", "x-ms-version": "2026-10-06"})
        r = c.getresponse()
        return r.status, r.read()[:300]

    with ThreadPoolExecutor(8) as ex:
        results = list(ex.map(put, names))
    bad = [(n, r) for n, r in zip(names, results) if r[0] != 201]
    assert not bad, f"{len(bad)} uploads failed, first: {bad[:3]}"
    return blob_daemon.container_client(MANY, "rl"), names


def test_flat_list_in_name_order(tree):
    names = [b.name for b in tree.list_blobs()]
    assert names == sorted(TREE_BLOBS)  # lexicographic (by UTF-8 bytes; all ASCII before the CJK name)
    sizes = {b.name: b.size for b in tree.list_blobs()}
    assert sizes == {k: len(v) for k, v in TREE_BLOBS.items()}


@pytest.mark.parametrize("prefix", ["dir1/", "dir1", "dir", "dir1/sub/", "名", "nothing", "a.txt"])
def test_list_with_prefix(tree, prefix):
    got = [b.name for b in tree.list_blobs(name_starts_with=prefix)]
    assert got == sorted(n for n in TREE_BLOBS if n.startswith(prefix))


def walk(cc, prefix=None):
    """walk_blobs' entries in the order the SDK gives them: per page, the prefixes, then the blobs."""
    out = []
    for item in cc.walk_blobs(name_starts_with=prefix, delimiter="/"):
        out.append(("prefix" if isinstance(item, BlobPrefix) else "blob", item.name))
    return out


def test_walk_blobs_top_level(tree):
    assert walk(tree) == [
        ("prefix", "b/"),
        ("prefix", "dir1/"),
        ("prefix", "dir10/"),
        ("prefix", "dir2/"),
        ("prefix", "名前/"),
        ("blob", "a.txt"),
        ("blob", "dir1-x"),
    ]


def test_walk_blobs_with_prefix(tree):
    assert walk(tree, "dir1/") == [("prefix", "dir1/sub/"), ("blob", "dir1/x.txt"), ("blob", "dir1/y.txt")]
    assert walk(tree, "dir1/sub/") == [("prefix", "dir1/sub/deeper/"), ("blob", "dir1/sub/z.txt")]
    assert walk(tree, "dir1/sub/deeper/") == [("blob", "dir1/sub/deeper/w.txt")]
    assert walk(tree, "dir1") == [("prefix", "dir1/"), ("prefix", "dir10/"), ("blob", "dir1-x")]
    assert walk(tree, "zzz") == []


def test_walk_blobs_recursive_descent(tree):
    """walk_blobs' BlobPrefix items list their own children (the SDK re-queries with the prefix)."""
    seen = []

    def descend(items):
        for item in items:
            if isinstance(item, BlobPrefix):
                descend(item)
            else:
                seen.append(item.name)

    descend(tree.walk_blobs(delimiter="/"))
    assert sorted(seen) == sorted(TREE_BLOBS)


def test_delimiter_paging_counts_prefixes(blob_daemon, tree):
    """maxresults counts Blob and BlobPrefix entries; paging with a delimiter loses nothing."""
    cc = blob_daemon.container_client(TREE, "l")
    pages = [[("p" if isinstance(i, BlobPrefix) else "b", i.name) for i in page]
             for page in cc.walk_blobs(delimiter="/", results_per_page=2).by_page()]
    # pages cut the one name-ordered sequence of blobs and prefixes
    assert [sorted(p) for p in pages] == [
        [("b", "a.txt"), ("p", "b/")],
        [("b", "dir1-x"), ("p", "dir1/")],
        [("p", "dir10/"), ("p", "dir2/")],
        [("p", "名前/")],
    ]


def test_include_metadata(tree):
    with_md = {b.name: b.metadata for b in tree.list_blobs(include=["metadata"])}
    for i, name in enumerate(sorted(TREE_BLOBS)):
        if i % 2 == 0:
            assert with_md[name] == {"idx": str(i), "kind": "tree"}, name
        else:
            assert not with_md[name], name
    # without include=metadata the listing carries none
    assert all(not b.metadata for b in tree.list_blobs())


def test_list_blob_properties_in_listing(tree):
    b = next(iter(tree.list_blobs(name_starts_with="a.txt")))
    assert b.size == 1
    assert b.etag and b.last_modified
    assert b.content_settings.content_md5 is not None
    assert b.blob_type == "BlockBlob"


def test_paging_over_many(many):
    cc, names = many
    pager = cc.list_blobs(results_per_page=1000).by_page()
    pages = []
    tokens = []
    for page in pager:
        pages.append([b.name for b in page])
        tokens.append(pager.continuation_token)
    assert [len(p) for p in pages] == [1000] * (N_MANY // 1000) + [N_MANY % 1000]
    assert [n for p in pages for n in p] == names
    assert all(tokens[:-1]) and not tokens[-1]


def test_paging_resumes_from_continuation_token(many):
    cc, names = many
    pager = cc.list_blobs(results_per_page=700).by_page()
    first = [b.name for b in next(pager)]
    token = pager.continuation_token
    assert first == names[:700] and token
    resumed = cc.list_blobs(results_per_page=700).by_page(continuation_token=token)
    second = [b.name for b in next(resumed)]
    assert second == names[700:1400]


def test_default_page_is_5000(many):
    cc, names = many
    pages = [[b.name for b in p] for p in cc.list_blobs().by_page()]
    assert [len(p) for p in pages] == [5000, N_MANY - 5000]


def test_paging_with_prefix(many):
    cc, names = many
    want = [n for n in names if n.startswith("item-04")]
    pages = [[b.name for b in p] for p in cc.list_blobs(name_starts_with="item-04", results_per_page=300).by_page()]
    assert [len(p) for p in pages] == [300, 300, 300, 100]
    assert [n for p in pages for n in p] == want


def test_maxresults_over_5000_is_capped(blob_daemon, many):
    """Azure: a maxresults over 5,000 returns up to 5,000 items (only <= 0 is a 400)."""
    tok = blob_daemon.token(MANY, permissions="l")["token"]
    base = f"{blob_daemon.account_url}/{MANY}?restype=container&comp=list&{tok}"
    h = {"x-ms-version": "2026-10-06"}
    r = requests.get(base + "&maxresults=6000", headers=h, timeout=30)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["Content-Type"].startswith("application/xml")
    assert len(re.findall(r"<Blob>", r.text)) == 5000  # capped at 5000
    assert re.search(r"<NextMarker>[^<]+</NextMarker>", r.text)


@pytest.mark.parametrize("bad", ["0", "-1", "abc"])
def test_maxresults_invalid_raw(blob_daemon, many, bad):
    tok = blob_daemon.token(MANY, permissions="l")["token"]
    r = requests.get(f"{blob_daemon.account_url}/{MANY}?restype=container&comp=list&maxresults={bad}&{tok}",
                     headers={"x-ms-version": "2026-10-06"}, timeout=10)
    assert_azure_error(r, 400, ("OutOfRangeQueryParameterValue", "InvalidQueryParameterValue", "OutOfRangeInput"))


def test_list_needs_list_permission(blob_daemon, tree):
    cc = blob_daemon.container_client(TREE, "r")
    with pytest.raises(HttpResponseError) as ei:
        list(cc.list_blobs())
    assert ei.value.status_code == 403
    assert error_code_of(ei.value) == "AuthorizationPermissionMismatch"


def test_list_containers_shared_key(blob_daemon, tree, many):
    svc = blob_daemon.service_client()
    for name, md in [("lst-a1", {"team": "radiology"}), ("lst-a2", None), ("lst-b1", {"team": "lab"})]:
        svc.create_container(name, metadata=md)
    names = [c.name for c in svc.list_containers()]
    assert names == sorted(names)
    assert {TREE, MANY, "lst-a1", "lst-a2", "lst-b1"} <= set(names)

    got = {c.name: c.metadata for c in svc.list_containers(name_starts_with="lst-a", include_metadata=True)}
    assert got == {"lst-a1": {"team": "radiology"}, "lst-a2": {}}
    assert [c.name for c in svc.list_containers(name_starts_with="lst-b")] == ["lst-b1"]

    pages = [[c.name for c in p] for p in svc.list_containers(name_starts_with="lst-", results_per_page=2).by_page()]
    assert pages == [["lst-a1", "lst-a2"], ["lst-b1"]]
    # the control plane sees the same containers
    listed = blob_daemon.medctl_json("container", "list")
    ctl = [c["name"] for c in (listed["containers"] if isinstance(listed, dict) else listed)]
    assert {"lst-a1", "lst-a2", "lst-b1"} <= set(ctl)


def test_list_containers_refused_to_a_sas(blob_daemon, tree):
    tok = blob_daemon.token(TREE, permissions="racwdl")["token"]
    r = requests.get(f"{blob_daemon.account_url}/?comp=list&{tok}", headers={"x-ms-version": "2026-10-06"}, timeout=10)
    assert r.status_code == 403, r.text[:300]
    assert r.headers.get("x-ms-error-code") in ("AuthenticationFailed", "AuthorizationFailure")
