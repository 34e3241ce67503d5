"""Shared Key with imported keys, through the SDK's BlobServiceClient (account key credential) and
hand-signed requests: containers, listing, blobs, both keys, wrong keys and stale dates."""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import timedelta
from email.utils import format_datetime

import pytest
import requests
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.storage.blob import BlobServiceClient, ContentSettings

from blob_support import *  # noqa: F401,F403 - fixtures and helpers


@pytest.fixture(scope="module")
def svc(blob_daemon):
    return blob_daemon.service_client(PRIMARY_KEY)


def test_container_lifecycle(blob_daemon, svc):
    cc = svc.create_container("sk-life", metadata={"owner": "radiology"})
    assert blob_daemon.medctl_json("container", "show", "sk-life")["name"] == "sk-life"
    props = cc.get_container_properties()
    assert props.name == "sk-life" and props.metadata == {"owner": "radiology"}
    assert props.etag and props.last_modified
    cc.set_container_metadata({"owner": "lab", "ward": "7"})
    assert cc.get_container_properties().metadata == {"owner": "lab", "ward": "7"}
    assert cc.exists()

    with pytest.raises(ResourceExistsError) as ei:
        svc.create_container("sk-life")
    assert error_code_of(ei.value) == "ContainerAlreadyExists"

    data = os.urandom(300_000)
    cc.upload_blob("a/b.bin", data, content_settings=ContentSettings(content_type="application/x-test"))
    cc.upload_blob("c.txt", b"c")
    assert sorted(b.name for b in cc.list_blobs()) == ["a/b.bin", "c.txt"]
    assert cc.download_blob("a/b.bin").readall() == data

    svc.delete_container("sk-life")
    assert not cc.exists()
    rc, _, _ = blob_daemon.medctl("container", "show", "sk-life")
    assert rc == 1
    with pytest.raises(ResourceNotFoundError) as ei:
        cc.get_blob_client("c.txt").download_blob().readall()
    assert error_code_of(ei.value) in ("ContainerNotFound", "BlobNotFound")
    with pytest.raises(ResourceNotFoundError) as ei:
        svc.delete_container("sk-life")
    assert error_code_of(ei.value) == "ContainerNotFound"
    # recreated empty: the old blobs went with the container
    cc = svc.create_container("sk-life")
    assert list(cc.list_blobs()) == []
    svc.delete_container("sk-life")


def test_container_made_by_medctl_is_usable(blob_daemon, svc):
    blob_daemon.create_container("sk-from-ctl")
    bc = svc.get_blob_client("sk-from-ctl", "x")
    bc.upload_blob(b"from shared key")
    # and a SAS from medctl sees the same blob
    t = blob_daemon.token("sk-from-ctl", "x", permissions="r")
    assert requests.get(t["url"], timeout=10).content == b"from shared key"


def test_list_containers(blob_daemon, svc):
    for n in ("skl-1", "skl-2", "skl-3"):
        svc.create_container(n, metadata={"n": n[-1]})
    names = [c.name for c in svc.list_containers(name_starts_with="skl-")]
    assert names == ["skl-1", "skl-2", "skl-3"]
    md = {c.name: c.metadata for c in svc.list_containers(name_starts_with="skl-", include_metadata=True)}
    assert md == {"skl-1": {"n": "1"}, "skl-2": {"n": "2"}, "skl-3": {"n": "3"}}
    pages = [[c.name for c in p] for p in svc.list_containers(name_starts_with="skl-", results_per_page=2).by_page()]
    assert pages == [["skl-1", "skl-2"], ["skl-3"]]


@pytest.mark.parametrize("size", [0, 1, 5 * 1024 * 1024 + 3])
def test_upload_download(svc, size):
    cc = svc.get_container_client("sk-data")
    if not cc.exists():
        cc.create_container()
    data = os.urandom(size)
    bc = cc.get_blob_client(f"blob-{size}")
    bc.upload_blob(data, overwrite=True, metadata={"size": str(size)})
    assert bc.download_blob().readall() == data
    p = bc.get_blob_properties()
    assert p.size == size and p.metadata == {"size": str(size)}
    bc.delete_blob()
    assert not bc.exists()


def test_block_upload_with_shared_key(blob_daemon):
    svc = blob_daemon.service_client(PRIMARY_KEY, max_single_put_size=512 * 1024, max_block_size=128 * 1024)
    cc = svc.get_container_client("sk-blocks")
    cc.create_container()
    data = os.urandom(1024 * 1024 + 5)
    cc.upload_blob("big", data, max_concurrency=3)
    assert len(cc.get_blob_client("big").get_block_list("committed")[0]) == 9
    assert cc.download_blob("big").readall() == data


def test_secondary_key(blob_daemon):
    svc2 = blob_daemon.service_client(SECONDARY_KEY)
    cc = svc2.create_container("sk-secondary")
    cc.upload_blob("s", b"signed with the secondary key")
    assert blob_daemon.service_client(PRIMARY_KEY).get_blob_client("sk-secondary", "s").download_blob().readall() \
        == b"signed with the secondary key"
    assert "sk-secondary" in [c.name for c in svc2.list_containers()]


def test_account_information(svc):
    info = svc.get_account_information()
    assert info["sku_name"] and info["account_kind"]


def test_wrong_key(blob_daemon):
    wrong = base64.b64encode(hashlib.sha512(b"wrong").digest()).decode()
    bad = blob_daemon.service_client(wrong)
    with pytest.raises(ClientAuthenticationError) as ei:
        list(bad.list_containers())
    assert ei.value.status_code == 403
    assert error_code_of(ei.value) == "AuthenticationFailed"
    with pytest.raises(ClientAuthenticationError) as ei:
        bad.create_container("sk-wrong-key")
    assert error_code_of(ei.value) == "AuthenticationFailed"
    rc, _, _ = blob_daemon.medctl("container", "show", "sk-wrong-key")
    assert rc == 1
    with pytest.raises(ClientAuthenticationError):
        bad.get_blob_client("sk-data", "x").upload_blob(b"x", overwrite=True)


def test_wrong_account_name(blob_daemon):
    """The right key under another account name signs another canonical resource."""
    svc = BlobServiceClient(blob_daemon.account_url, credential={"account_name": "someoneelse", "account_key": PRIMARY_KEY},
                            retry_total=0)
    with pytest.raises(ClientAuthenticationError) as ei:
        list(svc.list_containers())
    assert error_code_of(ei.value) == "AuthenticationFailed"


def test_hand_signed_request_and_date_window(blob_daemon):
    url = f"{blob_daemon.account_url}/?comp=list"
    r = requests.get(url, headers=shared_key_headers("GET", url), timeout=10)
    assert r.status_code == 200, r.text[:300]
    assert "<EnumerationResults" in r.text
    old = format_datetime(now_utc() - timedelta(minutes=20), usegmt=True)
    r = requests.get(url, headers=shared_key_headers("GET", url, date=old), timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")
    future = format_datetime(now_utc() + timedelta(minutes=20), usegmt=True)
    r = requests.get(url, headers=shared_key_headers("GET", url, date=future), timeout=10)
    assert_azure_error(r, 403, "AuthenticationFailed")
    near = format_datetime(now_utc() - timedelta(minutes=5), usegmt=True)
    assert requests.get(url, headers=shared_key_headers("GET", url, date=near), timeout=10).status_code == 200
    # a signed header changed after signing
    h = shared_key_headers("GET", url, headers={"x-ms-client-request-id": "a"})
    h["x-ms-client-request-id"] = "b"
    assert_azure_error(requests.get(url, headers=h, timeout=10), 403, "AuthenticationFailed")
    # a malformed Authorization header
    h = shared_key_headers("GET", url)
    h["Authorization"] = "SharedKey nocolon"
    r = requests.get(url, headers=h, timeout=10)
    assert r.status_code in (400, 403) and r.headers.get("x-ms-error-code") in ("InvalidAuthenticationInfo", "AuthenticationFailed")


@pytest.mark.parametrize("name,codes", [
    ("Bad_Name", ("InvalidResourceName",)),
    ("-lead", ("InvalidResourceName",)),
    ("double--hyphen", ("InvalidResourceName",)),
    ("ab", ("OutOfRangeInput", "InvalidResourceName")),
    ("x" * 64, ("OutOfRangeInput", "InvalidResourceName")),
])
def test_invalid_container_names(blob_daemon, svc, name, codes):
    with pytest.raises(HttpResponseError) as ei:
        svc.create_container(name)
    assert ei.value.status_code == 400
    assert error_code_of(ei.value) in codes
    assert name not in [c.name for c in svc.list_containers()]


def test_container_delete_keeps_its_blobs_for_backups_then_frees_them(fresh_blob_daemon):
    bd = fresh_blob_daemon
    svc = bd.service_client(PRIMARY_KEY)

    def used():
        root = bd.state_dir / "blobs"
        return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())

    base = used()
    cc = svc.create_container("sk-space")
    for i in range(3):
        cc.upload_blob(f"b{i}", os.urandom(1024 * 1024))
    assert used() - base >= 3 * 1024 * 1024
    svc.delete_container("sk-space")
    assert used() - base >= 3 * 1024 * 1024, "a deleted container's blobs stay restorable"
    assert [c["name"] for c in bd.medctl_json("backup", "deleted")["containers"]] == ["sk-space"]
    age_journal(bd, 36)
    assert used() - base < 64 * 1024, f"{used() - base} bytes left after the retention window passed"
    assert bd.medctl_json("backup", "deleted")["containers"] == []