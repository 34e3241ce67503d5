"""Blob transfers with the real Azure SDK against the real daemon: sizes 0 B to 100 MiB (single
Put Blob and the Put Block + Put Block List path), ranged reads, overwrite, delete, properties,
metadata, content headers and the block APIs used directly."""

from __future__ import annotations

import hashlib
import os

import pytest
import requests
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.storage.blob import BlobBlock, BlobType, BlockState, ContentSettings

from blob_support import *  # noqa: F401,F403 - fixtures and helpers

MiB = 1024 * 1024
CONTAINER = "transfers"


@pytest.fixture(scope="module")
def cc(blob_daemon):
    blob_daemon.create_container(CONTAINER)
    return blob_daemon.container_client(CONTAINER, "racwdl")


def pattern(n: int) -> bytes:
    """``n`` random bytes (misplaced or repeated blocks would change the hash)."""
    return os.urandom(n)


@pytest.mark.parametrize("size", [0, 1, 4 * MiB, 100 * MiB], ids=["0B", "1B", "4MiB", "100MiB"])
def test_upload_download_sizes(cc, size):
    data = pattern(size)
    name = f"sizes/blob-{size}"
    bc = cc.get_blob_client(name)
    up = bc.upload_blob(data, overwrite=True)
    assert up["etag"] and up["last_modified"]

    got = bc.download_blob().readall()
    assert len(got) == size
    assert sha256(got) == sha256(data)

    props = bc.get_blob_properties()
    assert props.size == size
    assert props.blob_type == BlobType.BLOCKBLOB
    assert props.etag == up["etag"]

    committed, uncommitted = bc.get_block_list("all")
    if size > 64 * MiB:
        # the SDK's block path: 4 MiB Put Blocks, then Put Block List
        assert len(committed) == size // (4 * MiB)
        assert all(b.size == 4 * MiB for b in committed)
        assert uncommitted == []
    else:
        # one Put Blob; the stored MD5 is the content's
        assert props.content_settings.content_md5 == hashlib.md5(data).digest()


def test_download_in_small_chunks(blob_daemon, cc):
    """Force the SDK's chunked download: first GET of 1 MiB then 256 KiB ranged GETs, in parallel."""
    data = pattern(5 * MiB + 12345)
    cc.get_blob_client("chunks/a").upload_blob(data, overwrite=True)
    small = blob_daemon.container_client(CONTAINER, "r", max_single_get_size=1 * MiB, max_chunk_get_size=256 * 1024)
    got = small.download_blob("chunks/a", max_concurrency=4).readall()
    assert sha256(got) == sha256(data)


def test_block_upload_with_small_threshold(blob_daemon):
    """max_single_put_size below the size: the SDK stages 256 KiB blocks (4 in parallel) and commits them."""
    small = blob_daemon.container_client(CONTAINER, "racwdl", max_single_put_size=1 * MiB, max_block_size=256 * 1024)
    data = pattern(3 * MiB + 123)
    bc = small.get_blob_client("blocks/small-threshold")
    bc.upload_blob(data, overwrite=True, max_concurrency=4,
                   content_settings=ContentSettings(content_type="application/dicom"), metadata={"kind": "scan"})
    committed, uncommitted = bc.get_block_list("all")
    assert [b.size for b in committed] == [256 * 1024] * 12 + [123]
    assert uncommitted == []
    assert sha256(bc.download_blob().readall()) == sha256(data)
    props = bc.get_blob_properties()
    assert props.size == len(data)
    assert props.content_settings.content_type == "application/dicom"
    assert props.metadata == {"kind": "scan"}


# --- ranged reads -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ranged(cc):
    data = pattern(1000 * 1000 + 7)
    bc = cc.get_blob_client("ranges/one")
    bc.upload_blob(data, overwrite=True)
    return bc, data


@pytest.mark.parametrize("offset,length", [(0, 1), (1, 3), (4096, 65536), (999_990, 17), (500_000, None), (0, None)])
def test_ranged_read(ranged, offset, length):
    bc, data = ranged
    got = bc.download_blob(offset=offset, length=length).readall()
    end = len(data) if length is None else min(len(data), offset + length)
    assert got == data[offset:end]


def test_range_to_the_end_raw(blob_daemon, ranged):
    """``Range: bytes=N-`` and ``x-ms-range`` on the wire: 206 with Content-Range."""
    bc, data = ranged
    tok = blob_daemon.token(CONTAINER, "ranges/one", permissions="r")
    n = len(data)
    r = requests.get(tok["url"], headers={"Range": f"bytes={n - 10}-", "x-ms-version": "2026-10-06"}, timeout=10)
    assert r.status_code == 206, r.text
    assert r.content == data[-10:]
    assert r.headers["Content-Range"] == f"bytes {n - 10}-{n - 1}/{n}"
    assert r.headers["Content-Length"] == "10"
    r = requests.get(tok["url"], headers={"x-ms-range": "bytes=10-19", "x-ms-version": "2026-10-06"}, timeout=10)
    assert r.status_code == 206, r.text
    assert r.content == data[10:20]
    assert r.headers["Content-Range"] == f"bytes 10-19/{n}"
    # a whole read without a range: 200 and every byte
    r = requests.get(tok["url"], headers={"x-ms-version": "2026-10-06"}, timeout=10)
    assert r.status_code == 200
    assert r.content == data
    assert r.headers["Content-Length"] == str(n)


def test_range_read_headers(blob_daemon, ranged):
    """A ranged read carries the whole blob's MD5 (x-ms-blob-content-md5) and Accept-Ranges;
    with x-ms-range-get-content-md5 it carries the range's own Content-MD5."""
    bc, data = ranged
    tok = blob_daemon.token(CONTAINER, "ranges/one", permissions="r")
    h = {"x-ms-range": "bytes=100-1099", "x-ms-version": "2026-10-06"}
    r = requests.get(tok["url"], headers=h, timeout=10)
    assert r.status_code == 206
    assert r.headers.get("x-ms-blob-content-md5") == md5_b64(data)
    assert r.headers.get("Accept-Ranges") == "bytes"
    assert r.headers.get("x-ms-blob-type") == "BlockBlob"


def test_range_get_content_md5(blob_daemon, cc, ranged):
    """x-ms-range-get-content-md5: true returns the range's own Content-MD5 (what the SDK's
    download_blob(validate_content=True) checks); over 4 MiB it is a 400 OutOfRangeInput."""
    bc, data = ranged
    tok = blob_daemon.token(CONTAINER, permissions="racwdl")["token"]
    h = {"x-ms-range": "bytes=100-1099", "x-ms-range-get-content-md5": "true", "x-ms-version": "2026-10-06"}
    r = requests.get(blob_daemon.url(CONTAINER, "ranges/one", tok), headers=h, timeout=10)
    assert r.status_code == 206
    assert r.content == data[100:1100]
    assert r.headers.get("Content-MD5") == md5_b64(data[100:1100]), dict(r.headers)
    big = pattern(4 * MiB + 10)
    cc.get_blob_client("ranges/big").upload_blob(big, overwrite=True)
    h["x-ms-range"] = f"bytes=0-{4 * MiB}"  # 4 MiB + 1 bytes
    r = requests.get(blob_daemon.url(CONTAINER, "ranges/big", tok), headers=h, timeout=10)
    assert_azure_error(r, 400, "OutOfRangeInput")


def test_common_response_headers_and_newer_versions(blob_daemon, ranged):
    """Every response (success or error) has x-ms-request-id, x-ms-version and Date; a newer
    x-ms-version than any the daemon knows is accepted (unlike Azure's emulator)."""
    tok = blob_daemon.token(CONTAINER, permissions="racwdl")["token"]
    url = blob_daemon.url(CONTAINER, "ranges/one", tok)
    responses = [
        requests.get(url, headers={"x-ms-version": "2026-10-06"}, timeout=10),
        requests.head(url, headers={"x-ms-version": "2026-10-06"}, timeout=10),
        requests.get(blob_daemon.url(CONTAINER, "no/such/blob", tok), headers={"x-ms-version": "2026-10-06"}, timeout=10),
        requests.put(blob_daemon.url(CONTAINER, "hdrs/x", tok), data=b"x",
                     headers={"x-ms-version": "2026-10-06", "x-ms-blob-type": "BlockBlob"}, timeout=10),
        requests.get(blob_daemon.url(CONTAINER, "ranges/one"), timeout=10),  # no credentials
    ]
    ids = set()
    for r in responses:
        assert r.headers.get("x-ms-request-id"), (r.request.method, r.status_code, dict(r.headers))
        assert r.headers.get("x-ms-version"), (r.request.method, r.status_code, dict(r.headers))
        assert r.headers.get("Date", "").endswith(" GMT"), (r.request.method, r.status_code, dict(r.headers))
        ids.add(r.headers["x-ms-request-id"])
    assert len(ids) == len(responses)
    assert [r.status_code for r in responses][:4] == [200, 200, 404, 201]
    r = requests.get(url, headers={"x-ms-version": "2099-12-31"}, timeout=10)
    assert r.status_code == 200, r.text[:300]
    r = requests.get(url, headers={"x-ms-client-request-id": "my-id-123", "x-ms-version": "2026-10-06"}, timeout=10)
    assert r.headers.get("x-ms-client-request-id") == "my-id-123"


def test_range_past_the_end(blob_daemon, ranged):
    bc, data = ranged
    with pytest.raises(HttpResponseError) as ei:
        bc.download_blob(offset=len(data) + 10, length=5).readall()
    assert ei.value.status_code == 416
    assert error_code_of(ei.value) == "InvalidRange"
    tok = blob_daemon.token(CONTAINER, "ranges/one", permissions="r")
    r = requests.get(tok["url"], headers={"x-ms-range": f"bytes={len(data)}-", "x-ms-version": "2026-10-06"}, timeout=10)
    assert_azure_error(r, 416, "InvalidRange")


def test_zero_byte_blob_range_read(cc):
    """The SDK's first GET of an empty blob gets 416 and then falls back to a plain GET."""
    bc = cc.get_blob_client("ranges/empty")
    bc.upload_blob(b"", overwrite=True)
    assert bc.download_blob().readall() == b""
    with pytest.raises(HttpResponseError) as ei:
        bc.download_blob(offset=0, length=1).readall()
    assert ei.value.status_code == 416


# --- overwrite, delete, exists ------------------------------------------------------------------


def test_overwrite_replaces_content_and_etag(cc):
    bc = cc.get_blob_client("ow/a")
    first = bc.upload_blob(b"first version", overwrite=True)
    second = bc.upload_blob(b"the second, longer version", overwrite=True)
    assert first["etag"] != second["etag"]
    assert bc.download_blob().readall() == b"the second, longer version"
    props = bc.get_blob_properties()
    assert props.size == len(b"the second, longer version")
    assert props.etag == second["etag"]
    # a block upload replacing a small blob, then a small one replacing the block blob
    big = os.urandom(2 * MiB)
    bc.stage_block("blk-0001", big)
    bc.commit_block_list(["blk-0001"])
    assert bc.download_blob().readall() == big
    bc.upload_blob(b"small again", overwrite=True)
    assert bc.download_blob().readall() == b"small again"
    assert bc.get_blob_properties().size == 11


def test_delete_and_exists(cc):
    bc = cc.get_blob_client("del/a")
    assert bc.exists() is False
    bc.upload_blob(b"x", overwrite=True)
    assert bc.exists() is True
    bc.delete_blob()
    assert bc.exists() is False
    with pytest.raises(ResourceNotFoundError) as ei:
        bc.download_blob().readall()
    assert error_code_of(ei.value) == "BlobNotFound"
    with pytest.raises(ResourceNotFoundError) as ei:
        bc.delete_blob()
    assert error_code_of(ei.value) == "BlobNotFound"
    assert "del/a" not in [b.name for b in cc.list_blobs(name_starts_with="del/")]


# --- properties, metadata, content headers -------------------------------------------------------


def test_properties_and_content_settings(cc):
    data = b"DICM" + os.urandom(5000)
    bc = cc.get_blob_client("props/scan 1.dcm")
    cs = ContentSettings(content_type="application/dicom", content_language="en-GB", cache_control="no-store",
                         content_disposition='attachment; filename="scan1.dcm"')
    bc.upload_blob(data, overwrite=True, content_settings=cs, metadata={"patient": "p-0001", "modality": "CT"})
    p = bc.get_blob_properties()
    assert p.name == "props/scan 1.dcm"
    assert p.size == len(data)
    assert p.content_settings.content_type == "application/dicom"
    assert p.content_settings.content_language == "en-GB"
    assert p.content_settings.cache_control == "no-store"
    assert p.content_settings.content_disposition == 'attachment; filename="scan1.dcm"'
    assert p.content_settings.content_md5 == hashlib.md5(data).digest()
    assert p.metadata == {"patient": "p-0001", "modality": "CT"}
    assert p.last_modified is not None and p.creation_time is not None
    # the download carries the same headers
    dl = bc.download_blob()
    assert dl.properties.content_settings.content_type == "application/dicom"
    assert dl.properties.metadata == {"patient": "p-0001", "modality": "CT"}
    assert dl.readall() == data


def test_metadata_set_get(cc):
    bc = cc.get_blob_client("meta/a")
    bc.upload_blob(b"m", overwrite=True, metadata={"one": "1"})
    etag0 = bc.get_blob_properties().etag
    r = bc.set_blob_metadata({"study": "s-42", "Series": "7"})
    assert r["etag"] != etag0
    md = bc.get_blob_properties().metadata
    assert {k.lower(): v for k, v in md.items()} == {"study": "s-42", "series": "7"}  # replaced, not merged
    bc.set_blob_metadata({})
    assert bc.get_blob_properties().metadata == {}
    assert bc.download_blob().readall() == b"m"  # metadata changes keep the content


def test_set_http_headers(cc):
    data = b"plain text body"
    bc = cc.get_blob_client("hdr/a.txt")
    bc.upload_blob(data, overwrite=True, content_settings=ContentSettings(content_language="de"))
    etag0 = bc.get_blob_properties().etag
    r = bc.set_http_headers(ContentSettings(content_type="text/plain; charset=utf-8", cache_control="max-age=60",
                                            content_disposition="inline"))
    assert r["etag"] != etag0
    p = bc.get_blob_properties()
    assert p.content_settings.content_type == "text/plain; charset=utf-8"
    assert p.content_settings.cache_control == "max-age=60"
    assert p.content_settings.content_disposition == "inline"
    # Set Blob Properties clears the content headers it is not given (Azure's rule)
    assert not p.content_settings.content_language
    assert bc.download_blob().readall() == data
    dl = bc.download_blob()
    assert dl.properties.content_settings.content_type == "text/plain; charset=utf-8"


# --- the block APIs directly ----------------------------------------------------------------------


def test_stage_and_commit_blocks(cc):
    bc = cc.get_blob_client("blk/direct")
    a, b, c = os.urandom(1000), os.urandom(2000), os.urandom(3000)
    bc.stage_block("block-a", a)
    bc.stage_block("block-b", b)
    committed, uncommitted = bc.get_block_list("all")
    assert committed == []
    assert sorted((x.id, x.size) for x in uncommitted) == [("block-a", 1000), ("block-b", 2000)]
    assert bc.exists() is False  # uncommitted blocks are not a blob

    bc.commit_block_list(["block-b", "block-a"], metadata={"order": "ba"})
    assert bc.download_blob().readall() == b + a
    committed, uncommitted = bc.get_block_list("all")
    assert [(x.id, x.size) for x in committed] == [("block-b", 2000), ("block-a", 1000)]
    assert uncommitted == []
    assert [x.id for x in bc.get_block_list("committed")[0]] == ["block-b", "block-a"]
    assert bc.get_blob_properties().metadata == {"order": "ba"}

    # re-use a committed block and add a new one; the staged-but-unused block disappears on commit
    bc.stage_block("block-c", c)
    bc.stage_block("block-d", b"never committed")
    assert sorted(x.id for x in bc.get_block_list("uncommitted")[1]) == ["block-c", "block-d"]
    bc.commit_block_list([BlobBlock("block-a", BlockState.COMMITTED), BlobBlock("block-c", BlockState.UNCOMMITTED),
                          BlobBlock("block-b", BlockState.LATEST)])
    assert bc.download_blob().readall() == a + c + b
    committed, uncommitted = bc.get_block_list("all")
    assert [x.id for x in committed] == ["block-a", "block-c", "block-b"]
    assert uncommitted == []
    assert bc.get_blob_properties().size == 6000


def test_latest_prefers_uncommitted(cc):
    """``Latest`` takes a re-staged block's new bytes over the committed ones."""
    bc = cc.get_blob_client("blk/latest")
    bc.stage_block("id-1", b"old")
    bc.commit_block_list(["id-1"])
    bc.stage_block("id-1", b"NEW!")
    assert [(x.id, x.size) for x in bc.get_block_list("uncommitted")[1]] == [("id-1", 4)]
    assert bc.download_blob().readall() == b"old"  # staging changes nothing visible
    bc.commit_block_list([BlobBlock("id-1", BlockState.LATEST)])
    assert bc.download_blob().readall() == b"NEW!"


# --- names that need encoding -----------------------------------------------------------------------

ODD_NAMES = ["with space.txt", "hash#tag", "question?mark", "percent%20literal", "plus+sign", "amp&lt<gt>",
             "ünïcødé/dïr/fïlé", "emoji-😀", "semi;colon,comma=equals", "tilde~quote'paren()", "trailing-dot.x"]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_names_needing_encoding(blob_daemon, cc, name):
    data = name.encode() * 3
    cc.get_blob_client(name).upload_blob(data, overwrite=True)
    assert cc.download_blob(name).readall() == data
    assert name in [b.name for b in cc.list_blobs(name_starts_with=name[:3])]
    # a blob SAS from medctl for exactly this name works, through the SDK and raw
    t = blob_daemon.token(CONTAINER, name, permissions="r")
    from azure.storage.blob import BlobClient

    bc = BlobClient.from_blob_url(t["url"], retry_total=0)
    assert bc.blob_name == name
    assert bc.download_blob().readall() == data
    assert requests.get(t["url"], timeout=10).content == data


def test_control_character_name(cc):
    """A name with control characters is either kept and listed back intact (Azure sends such
    names Encoded="true"), or refused cleanly with 400 InvalidResourceName; the listing of the
    container stays well-formed either way."""
    name = "ctl-\x01-\x1f-name"
    try:
        cc.get_blob_client(name).upload_blob(b"ctl", overwrite=True)
    except HttpResponseError as e:
        assert e.status_code == 400 and error_code_of(e) == "InvalidResourceName", e
        assert not [b.name for b in cc.list_blobs(name_starts_with="ctl-")]
    else:
        assert name in [b.name for b in cc.list_blobs(name_starts_with="ctl-")]
        assert cc.download_blob(name).readall() == b"ctl"
    assert len(list(cc.list_blobs())) > 0


def test_concurrent_overwrites_and_reads_see_whole_versions(blob_daemon, cc):
    """8 writers overwrite one blob while 4 readers read it: every read is one complete version
    (a blob is visible only once fully written), and the last write wins whole."""
    from concurrent.futures import ThreadPoolExecutor

    versions = {i: bytes([i]) * (512 * 1024 + i) for i in range(1, 17)}
    name = "race/one"
    cc.get_blob_client(name).upload_blob(versions[1], overwrite=True)
    url_cc = blob_daemon.container_client(CONTAINER, "racwdl")

    def write(i):
        url_cc.get_blob_client(name).upload_blob(versions[i], overwrite=True)

    def read(_):
        got = url_cc.download_blob(name).readall()
        v = got[0]
        assert got == versions[v], f"torn read: {len(got)} bytes, first byte {v}"
        return v

    with ThreadPoolExecutor(12) as ex:
        writes = [ex.submit(write, i) for i in range(1, 17)]
        reads = [ex.submit(read, j) for j in range(40)]
        for f in writes + reads:
            f.result()
    final = cc.download_blob(name).readall()
    assert final == versions[final[0]]
    assert cc.get_blob_client(name).get_blob_properties().size == len(final)
    assert wait_until(lambda: not blob_daemon.tmp_files(), 5), blob_daemon.tmp_files()


def test_overwrites_and_deletes_are_kept_for_backups_then_free_space(fresh_blob_daemon):
    """Overwritten and deleted bytes stay for the retention window (restorable), and are given
    back once it has passed (no unbounded growth of <state>/blobs)."""
    bd = fresh_blob_daemon
    bd.create_container("space")
    cc = bd.container_client("space", "racwdl")

    def used():
        root = bd.state_dir / "blobs"
        return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())

    base = used()
    bc = cc.get_blob_client("space/one")
    size = 5 * MiB
    bc.upload_blob(pattern(size), overwrite=True)
    assert size <= used() - base <= size + MiB
    for _ in range(4):
        bc.upload_blob(pattern(size), overwrite=True)
    assert 5 * size <= used() - base <= 5 * size + MiB, "every overwritten version is kept, none copied"
    info = bd.medctl_json("backup", "show", "space")
    assert info["versionsRetained"] == 4 and info["bytesRetained"] == 4 * size
    bc.delete_blob()
    assert bd.medctl_json("backup", "show", "space")["bytesRetained"] == 5 * size
    age_journal(bd, 36)
    assert used() - base <= MiB // 2, f"after the window {(used() - base) / MiB:.1f} MiB remain"
    assert bd.medctl_json("backup", "show", "space")["versionsRetained"] == 0