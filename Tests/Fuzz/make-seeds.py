#!/usr/bin/env python3
"""Writes the seed corpus under Tests/Fuzz/corpus/ and the CBOR dictionary Tests/Fuzz/dict/cbor.dict
from the project's own vectors.

  frame/    every frame of Protocol/vectors/frames.json, plus coalesced and cut-short streams
  payload/  the payload of every frame (the bytes after the 4-byte length)
  sas/      one request line per token of Tests/Fixtures/sas-vectors.json, plus refusals
  http/     a few hand-written requests (pipelined, chunked, HTTP/1.0, Expect, absolute form)

Run from anywhere: python3 Tests/Fuzz/make-seeds.py. The output is committed; rerun it only
when the vectors change. Files are named by content kind and index, so reruns are stable.
"""
import json
import pathlib
import shutil
import urllib.parse

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent.parent
CORPUS = FUZZ / "corpus"
# The account the sas harness serves (SASHarness.accountName).
ACCOUNT = "medstoretest"


def write(target, name, data):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def slug(text):
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def frames_and_payloads():
    vectors = json.loads((ROOT / "Protocol/vectors/frames.json").read_text())["vectors"]
    frames = [bytes.fromhex(v["hex"]) for v in vectors]
    for index, (vector, frame) in enumerate(zip(vectors, frames)):
        name = f"{index:02d}-{slug(vector['name'])}"
        write("frame", name, frame)
        write("payload", name, frame[4:])
    write("frame", "90-coalesced-three", frames[0] + frames[2] + frames[3])
    write("frame", "91-second-cut-short", frames[0] + frames[3][:-5])
    write("frame", "92-oversized-length", b"\x7f\xff\xff\xff" + frames[0][4:])
    write("frame", "93-empty-frame", b"\x00\x00\x00\x00" + frames[0])


def sas_line(vector):
    """A request the token's permissions allow, on the token's own container or blob."""
    container = vector["container"]
    blob = vector["blob"] if vector["resource"] == "blob" else "seed.txt"
    path = f"/{ACCOUNT}/{container}/{urllib.parse.quote(blob, safe='~/')}"
    permissions = vector["permissions"]
    if "r" in permissions:
        return f"GET {path}?{vector['token']}"
    if "w" in permissions or "c" in permissions:
        return f"PUT {path}?{vector['token']}"
    if "d" in permissions:
        return f"DELETE {path}?{vector['token']}"
    if "l" in permissions and vector["resource"] == "container":
        return f"GET /{ACCOUNT}/{container}?restype=container&comp=list&{vector['token']}"
    return f"HEAD {path}?{vector['token']}"


def sas():
    vectors = json.loads((ROOT / "Tests/Fixtures/sas-vectors.json").read_text())["vectors"]
    for index, vector in enumerate(vectors[:24]):
        write("sas", f"{index:02d}-{vector['resource']}-{slug(vector['permissions'])}", sas_line(vector) + "\n")
    token = vectors[0]["token"]
    write("sas", "90-account-sas", f"GET /{ACCOUNT}?comp=list&ss=b&srt=sco&sp=rl&se=2026-05-05&sv=2026-10-06&sig=AAAA\n")
    write("sas", "91-repeated-parameter", f"GET /{ACCOUNT}/abc/x?{token}&sp=r\n")
    write("sas", "92-shared-key-and-sas", f"GET /{ACCOUNT}/abc/x?{token}\nAuthorization: SharedKey {ACCOUNT}:AAAA\nx-ms-date: Sun, 01 Feb 2026 12:00:00 GMT\n")
    write("sas", "93-no-credentials", f"GET /{ACCOUNT}/abc?restype=container&comp=list\n")
    write("sas", "94-stored-policy", f"GET /{ACCOUNT}/abc/x?si=policy&sv=2026-10-06&sr=c&sig=AAAA\n")
    write("sas", "95-newline-in-blob-name", f"PUT /{ACCOUNT}/abc/a%0Ab?sv=2026-10-06&sr=b&sp=cw&se=2026-03-01T00%3A00%3A00Z&sig=AAAA\n")


def cbor_text(text):
    """A CBOR text string (head + UTF-8) as a libFuzzer dictionary value."""
    data = text.encode()
    head = bytes([0x60 + len(data)]) if len(data) < 24 else bytes([0x78, len(data)])
    return "".join(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\x{b:02x}" for b in head + data)


def cbor_dictionary():
    """Every map key and method name in the frame vectors, as CBOR text strings."""
    vectors = json.loads((ROOT / "Protocol/vectors/frames.json").read_text())["vectors"]
    words = set()

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                words.add(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for vector in vectors:
        walk(vector["decoded"])
        if isinstance(vector["decoded"], dict) and isinstance(vector["decoded"].get("method"), str):
            words.add(vector["decoded"]["method"])
    lines = ["# CBOR text strings: the map keys and method names of Protocol/vectors/frames.json (make-seeds.py)"]
    lines += [f'"{cbor_text(word)}"' for word in sorted(words)]
    lines += ['# heads: empty map, 3-entry map, null, true, 8-byte unsigned, 8-byte float, tag',
              '"\\xa0"', '"\\xa3"', '"\\xf6"', '"\\xf5"', '"\\x1b"', '"\\xfb"', '"\\xc1"']
    (FUZZ / "dict").mkdir(exist_ok=True)
    (FUZZ / "dict" / "cbor.dict").write_text("\n".join(lines) + "\n")


def http():
    requests = {
        "00-get": b"GET /medstoretest/abc/x.txt?sv=2026-10-06&sig=a%2Bb HTTP/1.1\r\nHost: localhost\r\nx-ms-version: 2026-10-06\r\n\r\n",
        "01-put-length": b"PUT /medstoretest/abc/x.txt HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nx-ms-blob-type: BlockBlob\r\n\r\nhello",
        "02-put-chunked-trailer": b"PUT /medstoretest/abc/y HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: t\r\n\r\n",
        "03-pipelined-close": b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nPUT /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.1\r\nConnection: close\r\n\r\nGET /d HTTP/1.1\r\n\r\n",
        "04-http10-keep-alive": b"HEAD /medstoretest HTTP/1.0\nConnection: keep-alive\n\nGET /x HTTP/1.0\n\n",
        "05-expect-continue": b"PUT /medstoretest/abc/z HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        "06-absolute-form": b"GET http://127.0.0.1:10000/medstoretest/abc?restype=container&comp=list HTTP/1.1\r\n\r\n",
        "07-options-asterisk": b"\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
        "08-conflicting-lengths": b"PUT /a HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "09-length-list": b"PUT /a HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc",
        "10-folded-header": b"GET /a HTTP/1.1\r\nX-A: 1\r\n  folded\r\n\r\n",
        "11-bad-chunk": b"PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    }
    for name, data in requests.items():
        write("http", name, data)


if __name__ == "__main__":
    shutil.rmtree(CORPUS, ignore_errors=True)
    frames_and_payloads()
    sas()
    http()
    cbor_dictionary()
    for target in sorted(p.name for p in CORPUS.iterdir()):
        print(f"{target}: {len(list((CORPUS / target).iterdir()))} seeds")
