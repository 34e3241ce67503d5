"""Smoke test with the real Azure CLI (`az storage blob ...`) against medstored, using a SAS
token printed by medctl: upload, list, download and delete. `make interop` installs the CLI in
its own venv and passes its path in MEDSTORE_AZ."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess

import pytest

from blob_support import *  # noqa: F401,F403 - fixtures and helpers


@pytest.fixture(scope="module")
def az(tmp_path_factory):
    path = os.environ.get("MEDSTORE_AZ")
    assert path and os.access(path, os.X_OK), "MEDSTORE_AZ must name the az binary (make interop sets it)"
    config = tmp_path_factory.mktemp("azcfg")

    def run(*args: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, AZURE_CONFIG_DIR=str(config), AZURE_CORE_COLLECT_TELEMETRY="false")
        return subprocess.run([path, *args, "--only-show-errors"], capture_output=True, text=True, env=env, timeout=120)

    return run


def test_upload_list_download_delete(blob_daemon, az, tmp_path):
    blob_daemon.create_container("azcli")
    token = blob_daemon.token("azcli", permissions="racwdl")["token"]
    endpoint = blob_daemon.account_url
    common = ["--blob-endpoint", endpoint, "--container-name", "azcli", "--sas-token", token]
    data = os.urandom(300_000)
    source = tmp_path / "scan.dcm"
    source.write_bytes(data)

    up = az("storage", "blob", "upload", *common, "--name", "ward 7/scan.dcm", "--file", str(source), "--overwrite", "-o", "none")
    assert up.returncode == 0, up.stderr

    listed = az("storage", "blob", "list", *common, "-o", "json")
    assert listed.returncode == 0, listed.stderr
    blobs = {b["name"]: b for b in json.loads(listed.stdout)}
    assert blobs["ward 7/scan.dcm"]["properties"]["contentLength"] == len(data)

    target = tmp_path / "back.dcm"
    down = az("storage", "blob", "download", *common, "--name", "ward 7/scan.dcm", "--file", str(target), "-o", "none")
    assert down.returncode == 0, down.stderr
    assert hashlib.sha256(target.read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()

    gone = az("storage", "blob", "delete", *common, "--name", "ward 7/scan.dcm", "-o", "none")
    assert gone.returncode == 0, gone.stderr
    listed = az("storage", "blob", "list", *common, "-o", "json")
    assert json.loads(listed.stdout) == []


def test_read_only_token_cannot_upload(blob_daemon, az, tmp_path):
    blob_daemon.create_container("azcli-ro")
    token = blob_daemon.token("azcli-ro", permissions="rl")["token"]
    endpoint = blob_daemon.account_url
    source = tmp_path / "x.bin"
    source.write_bytes(b"patient")
    up = az("storage", "blob", "upload", "--blob-endpoint", endpoint, "--container-name", "azcli-ro", "--sas-token", token,
            "--name", "x.bin", "--file", str(source), "-o", "none")
    assert up.returncode != 0
    assert "do not have the required permissions" in up.stderr
