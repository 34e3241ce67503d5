"""The audit trail's hash chain, written from ``Protocol/medstore-v1.md`` section 5.2 alone, so
the interop tests check the daemon's records against the spec and can rewrite them the way an
intruder with a copy of the spec would.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
from pathlib import Path
from typing import Optional

#: The 16 fields in canonical order: the columns of ``audit_records``.
FIELDS = ("seq", "time_us", "kind", "ref", "connection", "request_id", "uid", "gid", "pid", "exe", "unit",
          "role", "method", "target", "outcome", "detail")
GENESIS = bytes(32)


def encoding(row: dict) -> bytes:
    """``0x01 ‖ field1 ‖ … ‖ field16``: absent 0x00; integer 0x01 + u64 BE; text 0x02 + u32 BE length + UTF-8."""
    out = bytearray(b"\x01")
    for name in FIELDS:
        value = row[name]
        if value is None:
            out += b"\x00"
        elif isinstance(value, int):
            out += b"\x01" + struct.pack(">Q", value & 0xFFFFFFFFFFFFFFFF)
        elif isinstance(value, str):
            data = value.encode()
            out += b"\x02" + struct.pack(">I", len(data)) + data
        else:
            raise ValueError(f"field {name} has type {type(value).__name__}")
    return bytes(out)


def record_hash(prev: bytes, row: dict) -> bytes:
    return hashlib.sha256(prev + encoding(row)).digest()


def rows(db_path: Path) -> list[dict]:
    db = sqlite3.connect(str(db_path))
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(f"SELECT {', '.join(FIELDS)}, prev_hash, hash FROM audit_records ORDER BY seq")]
    finally:
        db.close()


def first_break(db_path: Path) -> Optional[int]:
    """The first seq whose hash, link or position is wrong (ignoring the head), or None."""
    prev, expected = GENESIS, 1
    for row in rows(db_path):
        if row["seq"] != expected or row["prev_hash"] != prev or row["hash"] != record_hash(prev, row):
            return expected if row["seq"] != expected else row["seq"]
        prev, expected = row["hash"], expected + 1
    return None


def execute(db_path: Path, sql: str, params: tuple = ()) -> None:
    """Runs one statement on ``audit.db`` on a connection of its own, as an intruder would."""
    db = sqlite3.connect(str(db_path), timeout=10)
    try:
        with db:
            db.execute(sql, params)
    finally:
        db.close()


def rewrite_from(db_path: Path, seq: int, **changes) -> None:
    """Changes fields of record ``seq`` and recomputes every hash from there on, so the chain in
    ``audit.db`` is consistent again (what someone with the spec but without the master key can do)."""
    all_rows = rows(db_path)
    db = sqlite3.connect(str(db_path), timeout=10)
    try:
        with db:
            prev = GENESIS
            for row in all_rows:
                if row["seq"] == seq:
                    row.update(changes)
                    sets = ", ".join(f"{k} = ?" for k in changes)
                    db.execute(f"UPDATE audit_records SET {sets} WHERE seq = ?", (*changes.values(), seq))
                if row["seq"] >= seq:
                    new = record_hash(prev, row)
                    db.execute("UPDATE audit_records SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, new, row["seq"]))
                    row["hash"] = new
                prev = row["hash"]
    finally:
        db.close()
