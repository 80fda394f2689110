"""Read the original reading list (the seed text the catalog was made from), independently of
litlist's code, so tests can compare the catalog with what the list actually says."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ENTRY = re.compile(r"^- \[(?:(\d\d)[’'](?: (.+?))?|Summary)\] (.+)$")
NUMBERED = re.compile(r"^\d+\. (.+)$")
# lines of the page that are neither headings nor entries
CHROME = {"Language Model Post List", "카테고리: Listup", "댓글 남기기"}


@dataclass
class SeedEntry:
    """One `- [YY’ Venue] Title` line of the list and the bullets under it."""

    tag_year: int | None  # None for [Summary]
    tag_venue: str | None  # None when the list gives only a year
    title: str
    heading: str  # the innermost heading the entry is under
    bullets: list[str] = field(default_factory=list)

    @property
    def is_summary(self) -> bool:
        return self.tag_year is None


def parse(path: Path) -> list[SeedEntry]:
    """Entries in the list's order. A `[SEP]` the page put on a line of its own (it was inline
    code) is joined back into its bullet: "... 경우" + " [SEP]" + "과 같은 ...".
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    entries: list[SeedEntry] = []
    heading = ""
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line or line in CHROME:
            continue
        if line == "[SEP]":
            follow = lines[i].strip() if i < len(lines) else ""
            i += 1
            entries[-1].bullets[-1] += " [SEP]" + follow
            continue
        entry = ENTRY.match(line)
        if entry:
            year, venue, title = entry.groups()
            entries.append(SeedEntry(2000 + int(year) if year else None, venue, title, heading))
            continue
        if line.startswith("- "):
            entries[-1].bullets.append(line[2:])
            continue
        numbered = NUMBERED.match(line)
        if numbered:
            heading = numbered.group(1)
        elif not line[0].isascii():
            heading = line.split(" ", 1)[1].strip()  # "🔥 Parameter-Efficient ..."
        else:
            heading = line  # an unnumbered sub-heading such as "Token-wise Analysis"
    return entries
