"""Find, read and validate a catalog file; keep a derived cache of it. Never writes the catalog.

`load()` is what every command calls: it hashes the file, and either takes the validated
catalog from the cache or parses and validates it (TOML, then `schema.py`), refusing a catalog
with any problem. `check()` returns every problem instead of raising on the first.
"""

from __future__ import annotations

import marshal
import os
import re
from collections.abc import Callable
from pathlib import Path

from litlist import cache
from litlist.errors import CatalogError, Problem
from litlist.model import Catalog, Paper, Topic, Venue, build_columns

ENV_VAR = "LITLIST_CATALOG"
PACKAGED = Path(__file__).parent / "data" / "papers.toml"
# A source checkout (editable install, or running the tests from the tree).
SOURCE_TREE = Path(__file__).resolve().parents[2] / "data" / "papers.toml"

Progress = Callable[[str, int], Callable[[int], None]]


def locate(path: str | os.PathLike | None = None) -> Path:
    """The catalog to use: `path`, else $LITLIST_CATALOG, else the catalog shipped with litlist."""
    chosen = path if path not in (None, "") else os.environ.get(ENV_VAR) or None
    if chosen is not None:
        return Path(chosen).expanduser().absolute()
    for candidate in (PACKAGED, SOURCE_TREE):
        if candidate.is_file():
            return candidate
    return PACKAGED


def _read(path: Path) -> tuple[bytes, os.stat_result]:
    try:
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            return handle.read(), stat
    except FileNotFoundError:
        raise CatalogError(path, [Problem(path, "no such catalog file")]) from None
    except IsADirectoryError:
        raise CatalogError(path, [Problem(path, "is a folder, not a catalog file")]) from None
    except PermissionError:
        raise CatalogError(path, [Problem(path, "permission denied")]) from None
    except OSError as exc:
        raise CatalogError(path, [Problem(path, exc.strerror or str(exc))]) from None


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CatalogError(
            path, [Problem(path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", line=line)]
        ) from None


def _parse(path: Path, text: str) -> dict:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(found.group(1)) if found else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise CatalogError(path, [Problem(path, f"not valid TOML: {message}", line=line)]) from None


def _validate(path: Path, raw: bytes) -> tuple[Catalog, list[Problem]]:
    from litlist import schema

    text = _decode(path, raw)
    data = _parse(path, text)
    return schema.validate(data, str(path), text)


def check(path: str | os.PathLike | None = None) -> tuple[Catalog | None, list[Problem]]:
    """Validate the catalog from scratch (no cache): the catalog and every problem found."""
    where = locate(path)
    try:
        raw, _ = _read(where)
        return _validate(where, raw)
    except CatalogError as exc:
        return None, exc.problems


def load(path: str | os.PathLike | None = None, *, progress: Progress | None = None) -> Catalog:
    """The validated catalog, from the cache when it still matches the file."""
    where = locate(path)
    raw, stat = _read(where)
    use_cache = cache.enabled()
    expected = cache.fingerprint(where, raw, stat) if use_cache else {}
    if use_cache:
        payload = cache.read(where, expected)
        if payload is not None:
            try:
                return _from_payload(str(where), payload)
            except (KeyError, TypeError, ValueError):
                pass  # intact but not the shape this version writes: rebuild it
    catalog, problems = _validate(where, raw)
    if problems:
        raise CatalogError(where, problems)
    if use_cache:
        cache.write(where, expected, _to_payload(catalog, progress))
    return catalog


def _to_payload(catalog: Catalog, progress: Progress | None) -> dict:
    from litlist import index

    papers = catalog.papers
    return {
        "topics": [(t.slug, t.name) for t in catalog.topics],
        "venues": [(v.id, v.name, v.kind, v.aliases) for v in catalog.venues],
        "records": [marshal.dumps(p.to_dict()) for p in papers],
        "columns": catalog.columns,
        "index": index.build(catalog, progress=progress),
    }


def _decode_record(blob: bytes) -> Paper:
    return Paper.from_dict(marshal.loads(blob))


def _from_payload(path: str, payload: dict) -> Catalog:
    return Catalog(
        path,
        [Topic(*t) for t in payload["topics"]],
        [Venue(*v) for v in payload["venues"]],
        records=payload["records"],
        decode=_decode_record,
        columns=payload["columns"],
        index=payload["index"],
    )


__all__ = ["locate", "load", "check", "build_columns"]
