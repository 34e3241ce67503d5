#!/usr/bin/env python3
"""Writes frames.json: protocol v1 test vectors encoded by an independent CBOR library (cbor2).

Run: python3 Protocol/vectors/generate.py  (needs cbor2). The output is committed; the Swift
tests and the Python interop client both check it.
"""
import json
import os
import struct

import cbor2

VECTORS = [
    ("hello request", {"id": 1, "method": "hello", "params": {"protocolMajor": 1, "protocolMinor": 0, "client": "medctl/0.1.0"}}),
    ("hello reply", {"id": 1, "result": {"daemon": "medstored", "daemonVersion": "0.1.0", "protocolMajor": 1, "protocolMinor": 0,
                                          "methods": ["hello", "status"], "maxFrameBytes": 1048576, "maxInFlight": 64}}),
    ("status request without params", {"id": 2, "method": "status"}),
    ("container.create request", {"id": 3, "method": "container.create", "params": {"name": "patient-records"}}),
    ("container.create reply", {"id": 3, "result": {"name": "patient-records", "createdAt": "2026-12-04T19:25:11Z"}}),
    ("error reply", {"id": 4, "error": {"code": "containerNotFound", "message": "container 'scans' does not exist"}}),
    ("connection error", {"id": 0, "error": {"code": "protocolError", "message": "empty frame"}}),
    ("token.blob request", {"id": 300, "method": "token.blob", "params": {
        "container": "patient-records", "blob": "scans/2026/img-001.dcm",
        "options": {"permissions": "rw", "ttlSeconds": 3600, "ip": "10.0.0.1-10.0.0.255", "httpsOnly": True}}}),
    ("token reply", {"id": 300, "result": {
        "token": "se=2026-01-02T00%3A00%3A00Z&sp=rw&sv=2026-10-06&sr=b&sig=AAAA",
        "url": "http://127.0.0.1:10000/medstoretest/patient-records/scans/2026/img-001.dcm?se=2026-01-02T00%3A00%3A00Z&sp=rw&sv=2026-10-06&sr=b&sig=AAAA",
        "resource": "blob", "permissions": "rw", "expiry": "2026-01-02T00:00:00Z", "signedWith": "primary", "version": "2026-10-06"}}),
    ("container.list reply with next marker", {"id": 70000, "result": {
        "containers": [{"name": "a01", "createdAt": "2026-12-04T19:25:11Z"}], "nextMarker": "a01"}}),
    ("large request id", {"id": 18446744073709551615, "method": "keys.show", "params": {}}),
]


def main():
    out = []
    for name, message in VECTORS:
        payload = cbor2.dumps(message)
        frame = struct.pack(">I", len(payload)) + payload
        out.append({"name": name, "hex": frame.hex(), "decoded": message, "canonical": True})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frames.json")
    with open(path, "w") as f:
        json.dump({"protocol": "1.0", "encoder": "cbor2 " + cbor2.__version__ if hasattr(cbor2, "__version__") else "cbor2",
                   "vectors": out}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
