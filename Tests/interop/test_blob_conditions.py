"""Conditional requests with the real SDK: If-Match / If-None-Match (incl. ``*``) and
If-Modified-Since / If-Unmodified-Since, on reads (304, which the SDK raises as HttpResponseError with status 304, / 412) and on writes (412 ConditionNotMet,
409 BlobAlreadyExists for overwrite=False)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
)
from azure.storage.blob import ContentSettings

from blob_support import *  # noqa: F401,F403 - fixtures and helpers

CONTAINER = "conditions"
HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def cc(blob_daemon):
    blob_daemon.create_container(CONTAINER)
    return blob_daemon.container_client(CONTAINER, "racwdl")


@pytest.fixture
def blob(cc, request):
    bc = cc.get_blob_client(f"cond/{request.node.name}")
    up = bc.upload_blob(b"version one", overwrite=True)
    props = bc.get_blob_properties()
    assert props.etag == up["etag"]
    return bc, props.etag, props.last_modified


def condition_failed(exc_info):
    assert exc_info.value.status_code == 412, exc_info.value
    assert error_code_of(exc_info.value) == "ConditionNotMet"


# --- reads ------------------------------------------------------------------------------------------


def test_read_if_match(blob):
    bc, etag, _ = blob
    assert bc.download_blob(etag=etag, match_condition=MatchConditions.IfNotModified).readall() == b"version one"
    with pytest.raises(ResourceModifiedError) as ei:
        bc.download_blob(etag='"0x8DEADBEEF000000"', match_condition=MatchConditions.IfNotModified).readall()
    condition_failed(ei)
    with pytest.raises(ResourceModifiedError) as ei:
        bc.get_blob_properties(etag='"0x8DEADBEEF000000"', match_condition=MatchConditions.IfNotModified)
    assert ei.value.status_code == 412


def test_read_if_none_match(blob):
    bc, etag, _ = blob
    with pytest.raises(HttpResponseError) as ei:  # the download path re-raises 304 as HttpResponseError
        bc.download_blob(etag=etag, match_condition=MatchConditions.IfModified).readall()
    assert ei.value.status_code == 304
    with pytest.raises(HttpResponseError) as ei:  # HEAD 304: the SDK maps it the same way
        bc.get_blob_properties(etag=etag, match_condition=MatchConditions.IfModified)
    assert ei.value.status_code == 304
    got = bc.download_blob(etag='"0x8DEADBEEF000000"', match_condition=MatchConditions.IfModified).readall()
    assert got == b"version one"


def test_read_if_none_match_raw_304_has_no_body(blob_daemon, blob):
    bc, etag, _ = blob
    tok = blob_daemon.token(CONTAINER, bc.blob_name, permissions="r")
    h = {"x-ms-version": "2026-10-06"}
    r = requests.get(tok["url"], headers={"If-None-Match": etag, **h}, timeout=10)
    assert r.status_code == 304
    assert r.content == b""
    r = requests.get(tok["url"], headers={"If-None-Match": "*", **h}, timeout=10)
    assert r.status_code == 304  # the blob exists: '*' matches it
    r = requests.get(tok["url"], headers={"If-Match": "*", **h}, timeout=10)
    assert r.status_code == 200 and r.content == b"version one"
    r = requests.head(tok["url"], headers={"If-Match": '"0x1"', **h}, timeout=10)
    assert r.status_code == 412 and r.headers.get("x-ms-error-code") == "ConditionNotMet"


def test_304_carries_etag_and_last_modified(blob_daemon, blob):
    """RFC 9110 15.4.5: a 304 MUST carry the ETag a 200 would have carried; Azure sends ETag
    and Last-Modified on it."""
    bc, etag, _ = blob
    tok = blob_daemon.token(CONTAINER, bc.blob_name, permissions="r")
    ok = requests.get(tok["url"], headers={"x-ms-version": "2026-10-06"}, timeout=10)
    r = requests.get(tok["url"], headers={"If-None-Match": etag, "x-ms-version": "2026-10-06"}, timeout=10)
    assert r.status_code == 304
    assert r.headers.get("ETag") == etag, dict(r.headers)
    assert r.headers.get("Last-Modified") == ok.headers["Last-Modified"], dict(r.headers)


def test_read_if_modified_since(blob):
    bc, _, lm = blob
    assert bc.download_blob(if_modified_since=lm - HOUR).readall() == b"version one"
    with pytest.raises(HttpResponseError) as ei:
        bc.download_blob(if_modified_since=lm).readall()  # not modified *after* its own time
    assert ei.value.status_code == 304
    with pytest.raises(HttpResponseError) as ei:
        bc.download_blob(if_modified_since=lm + HOUR).readall()
    assert ei.value.status_code == 304
    with pytest.raises(HttpResponseError) as ei:
        bc.get_blob_properties(if_modified_since=lm + HOUR)
    assert ei.value.status_code == 304


def test_read_if_unmodified_since(blob):
    bc, _, lm = blob
    assert bc.download_blob(if_unmodified_since=lm).readall() == b"version one"
    assert bc.download_blob(if_unmodified_since=lm + HOUR).readall() == b"version one"
    with pytest.raises(ResourceModifiedError) as ei:
        bc.download_blob(if_unmodified_since=lm - HOUR).readall()
    condition_failed(ei)


# --- writes -----------------------------------------------------------------------------------------


def test_write_if_match(blob):
    bc, etag, _ = blob
    second = bc.upload_blob(b"version two", overwrite=True, etag=etag, match_condition=MatchConditions.IfNotModified)
    # the old ETag no longer matches: 412, and the blob keeps version two
    with pytest.raises(ResourceModifiedError) as ei:
        bc.upload_blob(b"version three", overwrite=True, etag=etag, match_condition=MatchConditions.IfNotModified)
    condition_failed(ei)
    assert bc.download_blob().readall() == b"version two"
    assert bc.get_blob_properties().etag == second["etag"]


def test_overwrite_false(cc, blob):
    bc, _, _ = blob
    with pytest.raises(ResourceExistsError) as ei:
        bc.upload_blob(b"nope", overwrite=False)
    assert ei.value.status_code == 409
    assert error_code_of(ei.value) == "BlobAlreadyExists"
    assert bc.download_blob().readall() == b"version one"
    fresh = cc.get_blob_client(bc.blob_name + "-new")
    fresh.upload_blob(b"created", overwrite=False)  # If-None-Match: * on a new name succeeds
    assert fresh.download_blob().readall() == b"created"


def test_write_if_none_match_star_raw(blob_daemon, blob):
    bc, _, _ = blob
    tok = blob_daemon.token(CONTAINER, permissions="racwdl")["token"]
    h = {"x-ms-blob-type": "BlockBlob", "If-None-Match": "*", "x-ms-version": "2026-10-06"}
    r = requests.put(blob_daemon.url(CONTAINER, bc.blob_name, tok), data=b"x", headers=h, timeout=10)
    assert_azure_error(r, 409, "BlobAlreadyExists")
    # If-Match with a stale/foreign etag on write: 412
    h2 = {"x-ms-blob-type": "BlockBlob", "If-Match": '"0x1"', "x-ms-version": "2026-10-06"}
    r = requests.put(blob_daemon.url(CONTAINER, bc.blob_name, tok), data=b"x", headers=h2, timeout=10)
    assert_azure_error(r, 412, "ConditionNotMet")
    assert bc.download_blob().readall() == b"version one"


def test_write_if_modified_since(blob):
    bc, _, lm = blob
    with pytest.raises(ResourceModifiedError) as ei:
        bc.upload_blob(b"late", overwrite=True, if_modified_since=lm + HOUR)
    condition_failed(ei)
    with pytest.raises(ResourceModifiedError) as ei:
        bc.upload_blob(b"late", overwrite=True, if_modified_since=lm)  # writes get 412, never 304
    condition_failed(ei)
    assert bc.download_blob().readall() == b"version one"
    bc.upload_blob(b"ok", overwrite=True, if_modified_since=lm - HOUR)
    assert bc.download_blob().readall() == b"ok"


def test_write_if_unmodified_since(blob):
    bc, _, lm = blob
    with pytest.raises(ResourceModifiedError) as ei:
        bc.upload_blob(b"late", overwrite=True, if_unmodified_since=lm - HOUR)
    condition_failed(ei)
    assert bc.download_blob().readall() == b"version one"
    bc.upload_blob(b"ok", overwrite=True, if_unmodified_since=lm + HOUR)
    assert bc.download_blob().readall() == b"ok"


def test_metadata_and_headers_conditions(blob):
    bc, etag, lm = blob
    with pytest.raises(ResourceModifiedError) as ei:
        bc.set_blob_metadata({"a": "1"}, etag='"0x1"', match_condition=MatchConditions.IfNotModified)
    condition_failed(ei)
    with pytest.raises(ResourceModifiedError) as ei:
        bc.set_http_headers(ContentSettings(content_type="text/plain"), if_unmodified_since=lm - HOUR)
    condition_failed(ei)
    p = bc.get_blob_properties()
    assert p.metadata == {} and p.etag == etag
    r = bc.set_blob_metadata({"a": "1"}, etag=etag, match_condition=MatchConditions.IfNotModified)
    assert r["etag"] != etag
    assert bc.get_blob_properties().metadata == {"a": "1"}


def test_delete_conditions(blob):
    bc, etag, lm = blob
    with pytest.raises(ResourceModifiedError) as ei:
        bc.delete_blob(etag='"0x1"', match_condition=MatchConditions.IfNotModified)
    condition_failed(ei)
    with pytest.raises(ResourceModifiedError) as ei:
        bc.delete_blob(if_modified_since=lm + HOUR)
    condition_failed(ei)
    assert bc.exists()
    bc.delete_blob(etag=etag, match_condition=MatchConditions.IfNotModified)
    assert not bc.exists()


def test_commit_block_list_conditions(blob):
    bc, etag, _ = blob
    bc.stage_block("b1", b"block data")
    with pytest.raises(ResourceModifiedError) as ei:
        bc.commit_block_list(["b1"], etag='"0x1"', match_condition=MatchConditions.IfNotModified)
    condition_failed(ei)
    assert bc.download_blob().readall() == b"version one"
    with pytest.raises(HttpResponseError) as ei:
        bc.commit_block_list(["b1"], match_condition=MatchConditions.IfMissing)
    assert ei.value.status_code == 409
    assert error_code_of(ei.value) == "BlobAlreadyExists"
    bc.commit_block_list(["b1"], etag=etag, match_condition=MatchConditions.IfNotModified)
    assert bc.download_blob().readall() == b"block data"


def test_etag_changes_on_every_write(blob):
    bc, etag, _ = blob
    seen = {etag}
    for step in (lambda: bc.upload_blob(b"v2", overwrite=True), lambda: bc.set_blob_metadata({"k": "v"}),
                 lambda: bc.set_http_headers(ContentSettings(content_type="text/plain"))):
        step()
        e = bc.get_blob_properties().etag
        assert e not in seen
        seen.add(e)
