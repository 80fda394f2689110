"""Reading a user's .bib (sources/bibfile.py): what each entry says reaches the Draft.

The small files in tests/fixtures/bib/repro/ are copies of the minimal reproductions filed
with issue #15 (one defect each); each test here failed before its fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from litlist.sources import bibfile

REPRO = Path(__file__).parent / "fixtures" / "bib" / "repro"


def _items(text: str) -> dict[str, bibfile.Item]:
    items, broken = bibfile.read(text)
    assert broken == []
    return {item.key: item for item in items}


def _draft(text: str, key: str | None = None):
    items = _items(text)
    item = items[key] if key else next(iter(items.values()))
    assert item.draft is not None, item.problem
    return item.draft


# ---------------------------------------------------------------- @string macros


class _CountingMacros(dict):
    """The @string table, counting every read of it: a copy of the table reads each entry."""

    reads = 0

    def keys(self):
        type(self).reads += len(self)
        return super().keys()

    def __getitem__(self, name):
        type(self).reads += 1
        return super().__getitem__(name)

    def get(self, name, default=None):
        type(self).reads += 1
        return super().get(name, default)

    def __iter__(self):
        type(self).reads += len(self)
        return super().__iter__()


def _macro_reads(monkeypatch: pytest.MonkeyPatch, strings: int) -> int:
    text = "".join(f'@string{{s{i} = "Name " # s{i - 1}}}\n' for i in range(strings))
    text += "".join(
        f"@article{{k{i}, title={{T {i}}}, author={{A B}}, journal=s{i}, year=2020}}\n"
        for i in range(0, strings, 10)
    )
    _CountingMacros.reads = 0
    monkeypatch.setattr(bibfile, "_new_macros", _CountingMacros)
    items, _ = bibfile.read(text)
    assert len(items) == strings // 10
    return _CountingMacros.reads


def test_many_string_macros_are_read_in_linear_work(monkeypatch):
    # each value used to be resolved against a fresh copy of every @string so far: 40,000
    # @string lines took 52.7 s. Four times the @strings must cost four times the reads.
    small, large = _macro_reads(monkeypatch, 1000), _macro_reads(monkeypatch, 4000)
    assert large <= 4.5 * small, (small, large)
