"""HTTPS on the blob listener: a self-signed certificate made with the ``openssl`` CLI at test
time; the SDK over https with ``connection_verify=<cert>``; ``--https-only`` tokens work there;
TLS 1.2+ only; plain HTTP on the TLS port does not reach the API."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import tempfile
from pathlib import Path

import pytest
import requests
from azure.storage.blob import BlobClient, BlobServiceClient, ContainerClient

from blob_support import *  # noqa: F401,F403 - fixtures and helpers
from blob_support import _start_daemon

C = "tls-data"


@pytest.fixture(scope="module")
def cert():
    openssl = shutil.which("openssl")
    assert openssl, "the openssl CLI is needed (Debian package 'openssl')"
    d = Path(tempfile.mkdtemp(prefix="ms-tls-"))
    crt, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(crt), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )
    key.chmod(0o600)
    yield crt, key
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def tls(cert):
    crt, key = cert
    bd = _start_daemon(args=["--tls-cert", str(crt), "--tls-key", str(key)], tls=True, containers=[C])
    bd.verify = str(crt)
    try:
        yield bd
        bd.stop()
    finally:
        bd.cleanup()


def test_sas_urls_are_https(tls):
    t = tls.token(C, permissions="r")
    assert t["url"].startswith(f"https://127.0.0.1:{tls.port}/{ACCOUNT}/{C}?"), t["url"]


@pytest.mark.parametrize("size", [0, 1000, 6 * 1024 * 1024 + 1])
def test_sdk_upload_download_over_https(tls, size):
    cc = tls.container_client(C, "racwdl", max_single_put_size=4 * 1024 * 1024, max_block_size=1024 * 1024)
    assert cc.url.startswith("https://")
    data = os.urandom(size)
    cc.upload_blob(f"blob-{size}", data, overwrite=True, max_concurrency=2)
    assert cc.download_blob(f"blob-{size}", max_concurrency=2).readall() == data
    assert f"blob-{size}" in [b.name for b in cc.list_blobs()]


def test_https_only_token_works_over_https(tls):
    t = tls.token(C, "secure.txt", permissions="rcw", https_only=True)
    assert "spr=https" in t["token"]
    bc = BlobClient.from_blob_url(t["url"], connection_verify=tls.verify, retry_total=0)
    bc.upload_blob(b"over TLS only", overwrite=True)
    assert bc.download_blob().readall() == b"over TLS only"
    r = requests.get(t["url"], verify=tls.verify, timeout=10)
    assert r.status_code == 200 and r.content == b"over TLS only"


def test_shared_key_over_https(tls):
    svc = BlobServiceClient(tls.account_url, credential={"account_name": ACCOUNT, "account_key": PRIMARY_KEY},
                            connection_verify=tls.verify, retry_total=0)
    cc = svc.create_container("tls-sk")
    cc.upload_blob("k", b"shared key over https")
    assert cc.download_blob("k").readall() == b"shared key over https"
    assert "tls-sk" in [c.name for c in svc.list_containers()]


def test_certificate_is_checked_by_the_client(tls):
    """Without the CA the client refuses the self-signed certificate (it is really TLS)."""
    t = tls.token(C, permissions="r")
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(t["url"], timeout=10)


def test_tls_versions(tls):
    for version, ok in ((ssl.TLSVersion.TLSv1_2, True), (ssl.TLSVersion.TLSv1_3, True)):
        ctx = ssl.create_default_context(cafile=tls.verify)
        ctx.minimum_version = ctx.maximum_version = version
        with socket.create_connection(("127.0.0.1", tls.port), timeout=10) as s:
            with ctx.wrap_socket(s, server_hostname="127.0.0.1") as ss:
                assert ss.version() == {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
    # TLS 1.1 is refused by the server (asked with the openssl CLI, which can still offer it)
    p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{tls.port}", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
                       input=b"", capture_output=True, timeout=20)
    assert p.returncode != 0, p.stdout.decode(errors="replace")[-500:]
    assert b"Cipher is (NONE)" in p.stdout, p.stdout.decode(errors="replace")[-800:]  # no session was set up


def test_plain_http_on_the_tls_port(tls):
    """Plain HTTP to the TLS listener gets no API answer, and the daemon keeps serving TLS."""
    t = tls.token(C, permissions="rl")
    http_url = t["url"].replace("https://", "http://", 1)
    try:
        r = requests.get(http_url, timeout=5)
        assert r.status_code == 400 and b"EnumerationResults" not in r.content
    except requests.exceptions.ConnectionError:
        pass
    cc = ContainerClient.from_container_url(t["url"], connection_verify=tls.verify, retry_total=0)
    assert isinstance(list(cc.list_blobs()), list)


def test_tls_handshake_garbage_does_not_hurt(tls):
    for payload in (b"\x16\x03\x01\x00\x05hello", b"\x00" * 1000, b""):
        with socket.create_connection(("127.0.0.1", tls.port), timeout=5) as s:
            if not payload:
                continue  # connect and hang up at once
            s.sendall(payload)
            s.settimeout(2)
            try:
                s.recv(100)
            except (ConnectionResetError, socket.timeout):
                pass
    cc = tls.container_client(C, "rl")
    assert isinstance(list(cc.list_blobs()), list)
