"""The Azure Python SDK side of `make bench` (run by bench/run.py inside bench/.venv).

  sdk_tool.py sas-loop --account A --key-file F --container C --blob B --seconds S
      benchmark 1's baseline: generate_blob_sas in a loop, one process, one core; JSON result.
  sdk_tool.py sas-oneshot --account A --key-file F --container C
      benchmark 3's fallback baseline: one container SAS printed, as a whole process.
  sdk_tool.py transfer --url SAS_URL --file F --rounds N
      benchmark 8: upload_blob (the block path: the file is larger than max_single_put_size)
      then download_blob, N rounds; JSON with MB/s per round.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone


def read_key(path: str) -> str:
    with open(path) as f:
        return f.read().strip()


def pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


def sas_loop(args: argparse.Namespace) -> None:
    from azure.storage.blob import generate_blob_sas

    key = read_key(args.key_file)
    clock = time.perf_counter
    # Warm up (imports, first-call caches) outside the window.
    warm_end = clock() + args.warmup
    while clock() < warm_end:
        generate_blob_sas(args.account, args.container, args.blob, account_key=key, permission="r",
                          expiry=datetime.now(timezone.utc) + timedelta(hours=1))
    latencies: list[float] = []
    start = clock()
    deadline = start + args.seconds
    token = ""
    while True:
        t0 = clock()
        if t0 >= deadline:
            break
        # Like the daemon, each token's expiry is computed from "now" (ttl 1 h).
        token = generate_blob_sas(args.account, args.container, args.blob, account_key=key, permission="r",
                                  expiry=datetime.now(timezone.utc) + timedelta(hours=1))
        latencies.append(clock() - t0)
    latencies.sort()
    print(json.dumps({
        "benchmark": "sdk-sas-loop",
        "seconds": args.seconds,
        "count": len(latencies),
        "tokensPerSecond": round(len(latencies) / args.seconds),
        "p50Ms": round(pct(latencies, 50) * 1e3, 4),
        "p99Ms": round(pct(latencies, 99) * 1e3, 4),
        "tokenHasSig": "sig=" in token,
    }, sort_keys=True))


def sas_oneshot(args: argparse.Namespace) -> None:
    from azure.storage.blob import generate_container_sas

    token = generate_container_sas(args.account, args.container, account_key=read_key(args.key_file),
                                   permission="rl", expiry=datetime.now(timezone.utc) + timedelta(hours=1))
    print(token)


class _HashSink:
    """A write-only stream that counts and (optionally) hashes what the SDK downloads."""

    def __init__(self, hashing: bool) -> None:
        self.size = 0
        self.md5 = hashlib.md5() if hashing else None

    def write(self, data) -> int:
        self.size += len(data)
        if self.md5 is not None:
            self.md5.update(data)
        return len(data)

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False


def transfer(args: argparse.Namespace) -> None:
    from azure.storage.blob import BlobClient

    size = os.path.getsize(args.file)
    # The block path: anything over max_single_put_size (64 MiB by default) goes as Put Block
    # (max_block_size, 4 MiB by default) + Put Block List. SDK defaults otherwise (one
    # connection: max_concurrency=1).
    client = BlobClient.from_blob_url(args.url, max_single_put_size=args.single_put_mib * 1024 * 1024,
                                      max_block_size=args.block_mib * 1024 * 1024)
    with open(args.file, "rb") as f:
        expected = hashlib.md5()
        for chunk in iter(lambda: f.read(8 << 20), b""):
            expected.update(chunk)
    rounds = []
    verified = None
    for i in range(args.rounds):
        with open(args.file, "rb") as f:
            t0 = time.perf_counter()
            client.upload_blob(f, length=size, overwrite=True, max_concurrency=args.concurrency)
            up = time.perf_counter() - t0
        sink = _HashSink(hashing=(i == 0))
        t0 = time.perf_counter()
        client.download_blob(max_concurrency=args.concurrency).readinto(sink)
        down = time.perf_counter() - t0
        if i == 0:
            verified = sink.size == size and sink.md5.hexdigest() == expected.hexdigest()
        rounds.append({"uploadMBps": round(size / up / 1e6, 1), "downloadMBps": round(size / down / 1e6, 1),
                       "uploadSeconds": round(up, 3), "downloadSeconds": round(down, 3)})
    blocks = client.get_block_list("committed")[0]
    print(json.dumps({"benchmark": "sdk-transfer", "bytes": size, "rounds": rounds, "verified": verified,
                      "committedBlocks": len(blocks), "concurrency": args.concurrency,
                      "blockMiB": args.block_mib}, sort_keys=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sas-loop")
    p.add_argument("--account", required=True)
    p.add_argument("--key-file", required=True)
    p.add_argument("--container", required=True)
    p.add_argument("--blob", required=True)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--warmup", type=float, default=1)
    p.set_defaults(func=sas_loop)
    p = sub.add_parser("sas-oneshot")
    p.add_argument("--account", required=True)
    p.add_argument("--key-file", required=True)
    p.add_argument("--container", required=True)
    p.set_defaults(func=sas_oneshot)
    p = sub.add_parser("transfer")
    p.add_argument("--url", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--block-mib", type=int, default=4)
    p.add_argument("--single-put-mib", type=int, default=64)
    p.set_defaults(func=transfer)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    sys.exit(main())
