"""The derived cache: a validated catalog saved so a warm run skips TOML and pydantic.

One file per catalog path, under the user's cache folder. The header (read before anything
else) records the source's path, size, modification time and SHA-256, and a CRC of the
payload; a cache whose header does not match the catalog as it is now, or whose payload is
damaged, is ignored and rebuilt. Nothing here raises on a bad cache: a cache is only ever an
optimisation.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import struct
import zlib
from pathlib import Path

from litlist.fsutil import write_atomic

MAGIC = b"litlist-cache\n"
# Bump when the payload's shape changes: old caches are then simply rebuilt.
FORMAT = 4


def cache_dir() -> Path:
    """$LITLIST_CACHE_DIR, else $XDG_CACHE_HOME/litlist, else ~/.cache/litlist."""
    explicit = os.environ.get("LITLIST_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "litlist"


def enabled() -> bool:
    return os.environ.get("LITLIST_NO_CACHE", "") in ("", "0")


def cache_path(source: Path) -> Path:
    name = hashlib.sha256(str(source).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return cache_dir() / f"{name}.cache"


def fingerprint(source: Path, raw: bytes, stat: os.stat_result) -> dict:
    """What a cache must match to stand for `source` as it is now."""
    return {
        "format": FORMAT,
        "source": str(source),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "sha256": hashlib.sha256(raw).hexdigest(),
    }


def read(source: Path, expected: dict) -> dict | None:
    """The cached payload for `source`, or None when absent, stale or damaged."""
    try:
        blob = cache_path(source).read_bytes()
    except OSError:
        return None
    try:
        if not blob.startswith(MAGIC):
            return None
        offset = len(MAGIC)
        (header_len,) = struct.unpack_from(">I", blob, offset)
        offset += 4
        header = json.loads(blob[offset : offset + header_len])
        offset += header_len
        body = memoryview(blob)[offset:]
        # The content hash decides; size and mtime are recorded for people reading the header.
        for name in ("format", "source", "size", "sha256"):
            if header.get(name) != expected[name]:
                return None
        if header.get("length") != len(body) or header.get("crc32") != zlib.crc32(body):
            return None
        payload = pickle.loads(body)
        return payload if isinstance(payload, dict) else None
    except Exception:  # noqa: BLE001 - any damage at all means "rebuild"
        return None


def write(source: Path, expected: dict, payload: dict) -> None:
    """Save `payload` for `source`, atomically; a cache that cannot be written is skipped."""
    body = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    header = dict(expected, length=len(body), crc32=zlib.crc32(body))
    head = json.dumps(header).encode()
    target = cache_path(source)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, MAGIC + struct.pack(">I", len(head)) + head + body)
    except OSError:
        pass
