"""Prometheus metrics on --metrics-listen, and the headline numbers in `medctl status`."""

from __future__ import annotations

import re

import requests
from prometheus_client.parser import text_string_to_metric_families

from blob_support import *  # noqa: F401,F403 - fixtures and helpers


def metric(text: str, name: str, **labels: str) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = r"(?m)^" + re.escape(name) + (r"\{" + re.escape(want) + r"\}" if want else "") + r" (\S+)\n"
    found = re.search(pattern, text)
    assert found, f"{name}{{{want}}} not in metrics"
    return float(found.group(1))


def test_metrics_count_requests_tokens_and_refusals():
    port = free_port()
    d = BlobDaemon(args=["--metrics-listen", f"127.0.0.1:{port}"]).start()
    try:
        d.import_account()
        d.create_container("metered")
        issued = d.token("metered", permissions="rwl")
        ok = requests.put(d.url("metered", "a.txt", issued["token"]), data=b"hello",
                          headers={"x-ms-blob-type": "BlockBlob"}, timeout=10)
        assert ok.status_code == 201
        assert requests.get(d.url("metered", "a.txt", issued["token"]), timeout=10).content == b"hello"
        tampered = issued["token"].replace("sig=", "sig=AAAA")
        assert requests.get(d.url("metered", "a.txt", tampered), timeout=10).status_code == 403

        scrape = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
        assert scrape.status_code == 200 and scrape.headers["Content-Type"].startswith("text/plain")
        text = scrape.text
        assert metric(text, "medstore_blob_requests_total", operation="putBlob", status="201") == 1
        assert metric(text, "medstore_blob_requests_total", operation="getBlob", status="200") == 1
        assert metric(text, "medstore_auth_failures_total", code="AuthenticationFailed") == 1
        assert metric(text, "medstore_tokens_issued_total", resource="container") >= 1
        assert metric(text, "medstore_blob_bytes_in_total") >= 5
        assert metric(text, "medstore_blob_request_seconds_count", operation="getBlob") == 2  # one served, one refused
        assert metric(text, "medstore_open_connections", listener="blob") >= 0
        assert "sig=" not in text

        # The whole page is valid exposition text, by the reference client's own parser.
        families = {f.name: f for f in text_string_to_metric_families(text)}
        assert families["medstore_blob_requests"].type == "counter"
        assert families["medstore_blob_request_seconds"].type == "histogram"
        assert families["medstore_open_connections"].type == "gauge"
        served = [s for s in families["medstore_blob_requests"].samples
                  if s.labels == {"operation": "putBlob", "status": "201"}]
        assert served and served[0].value == 1
        buckets = [s for s in families["medstore_blob_request_seconds"].samples
                   if s.name.endswith("_bucket") and s.labels.get("operation") == "getBlob"]
        assert buckets[-1].labels["le"] == "+Inf" and buckets[-1].value == 2
        assert requests.get(f"http://127.0.0.1:{port}/other", timeout=10).status_code == 404

        status = d.medctl_json("status")
        assert status["blobRequestsServed"] >= 3
        assert status["tokensIssued"] >= 1
        assert status["authFailures"] == 1
    finally:
        d.stop()
