"""What goes into your list comes out as it went in (issue #15): real bibliographies imported
into an empty list with `litlist import`, exported again (`litlist export`, classic BibTeX and
`--biblatex`), and compared with their source field by field, entry by entry.

The sources are the files in tests/fixtures/realworld/ (provenance in its README) and TeX Live's
own `xampl.bib` and `biblatex-examples.bib`, read where TeX installs them. The test drives only
the command line, so it measures whatever code it runs on. It never uses litlist's reader to
read a source: source and export are both parsed here, with bibtexparser v2 for the syntax and
this file's own rules for what BibTeX does next (@string, `#`, `crossref`).

Results are reported per source, export variant and field class, so the output shows which
classes fail; `FAILING_TODAY` lists the ones that fail on the code this test was written on,
marked `xfail(strict=True)`: a fix turns its line into an XPASS failure, and the line is deleted.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import DuplicateFieldKeyBlock, Entry, ParsingFailedBlock, String
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from typer.testing import CliRunner

from conftest import requires_tools
from litlist.cli import app
from test_export_cli import TEX_FLAGS, _tool, requires_tex_file

REALWORLD = Path(__file__).parent / "fixtures" / "realworld"
FIXTURES = sorted(p.stem for p in REALWORLD.glob("*.bib"))
TEX_LIVE = {"xampl": "xampl.bib", "biblatex-examples": "biblatex-examples.bib"}
SOURCES = FIXTURES + list(TEX_LIVE)
VARIANTS = {"bibtex": [], "biblatex": ["--biblatex"]}


def _source_path(name: str) -> Path:
    """The file of a source: a fixture, or TeX Live's copy found by kpsewhich. Skipped with
    the reason where TeX is not installed; under CI (CI=true) a missing file fails."""
    if name not in TEX_LIVE:
        return REALWORLD / f"{name}.bib"
    found = shutil.which("kpsewhich") and subprocess.run(
        ["kpsewhich", TEX_LIVE[name]], capture_output=True, text=True, timeout=60
    )
    if not (found and found.returncode == 0 and found.stdout.strip()):
        if os.environ.get("CI"):
            pytest.fail(f"{TEX_LIVE[name]} not found by kpsewhich under CI")
        pytest.skip(f"{TEX_LIVE[name]} not found by kpsewhich (Debian: texlive-bibtex-extra)")
    return Path(found.stdout.strip())


# ---------------------------------------------------------------- reading a .bib as BibTeX does

# BibTeX's (plain.bst's) month macros, which every style defines.
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip


def _split_concatenation(raw: str) -> list[str]:
    """The parts of a field value joined by `#` outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return [p.strip() for p in parts]


def _evaluate(raw: str, strings: dict[str, str]) -> str:
    """A field value as BibTeX reads it: braced or quoted text, a number, or a macro
    (@string or month), concatenated with `#`; an undefined macro is empty, as in BibTeX."""
    out = []
    for part in _split_concatenation(raw):
        if part[:1] in '{"' and len(part) >= 2:
            out.append(part[1:-1])
        elif part.isdigit():
            out.append(part)
        elif part.lower() in strings:
            out.append(strings[part.lower()])
        elif part.lower() in MONTHS:
            out.append(MONTH_NAMES[MONTHS.index(part.lower())])
        else:
            out.append("")
    return "".join(out)


@dataclass
class Bib:
    """A parsed .bib: its entries (fields evaluated, crossref resolved) by key, each entry's
    first line, the entries BibTeX itself would reject, and how many entries it holds."""

    entries: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)
    total: int = 0


def read_bib(text: str) -> Bib:
    """Parse `text` as BibTeX does. An entry is broken (a user's file may hold one; import
    must refuse it and only it) when BibTeX cannot read it: a field given twice, a block that
    does not parse, a key given twice, or no title even after `crossref` (a biblatex
    @set or @xdata, which has none by design, excepted)."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    strings: dict[str, str] = {}
    bib = Bib()
    raw: list[tuple[str, str, dict[str, str], int]] = []
    for block in library.blocks:
        if isinstance(block, String):
            strings[block.key.lower()] = _evaluate(block.value, strings)
        elif isinstance(block, Entry):
            values = {f.key.lower(): _evaluate(f.value, strings) for f in block.fields}
            raw.append((block.key, block.entry_type.lower(), values, block.start_line + 1))
        elif isinstance(block, DuplicateFieldKeyBlock | ParsingFailedBlock):
            found = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s]+)", block.raw)
            key = found.group(1) if found else f"<line {block.start_line + 1}>"
            bib.total += 1
            bib.lines[key] = block.start_line + 1
            bib.broken[key] = (
                "a field given twice" if isinstance(block, DuplicateFieldKeyBlock) else "unreadable"
            )
    seen: set[str] = set()
    for key, kind, values, line in raw:
        bib.total += 1
        if key.lower() in seen:
            bib.broken[key] = "its key given twice"
            continue
        seen.add(key.lower())
        bib.entries[key] = (kind, values)
        bib.lines[key] = line
    _resolve_crossrefs(bib.entries)
    for key, (kind, values) in bib.entries.items():
        # biblatex's @set and @xdata have no title by design: biber reads them
        if kind not in ("set", "xdata") and not values.get("title", "").strip():
            bib.broken[key] = "no title"
    return bib


def _resolve_crossrefs(entries: dict[str, tuple[str, dict[str, str]]]) -> None:
    """BibTeX's crossref: a child takes every field it lacks from the entry it names."""
    by_key = {key.lower(): values for key, (_, values) in entries.items()}
    for _, values in entries.values():
        parent = by_key.get(values.pop("crossref", "").strip().lower())
        for name, value in (parent or {}).items():
            values.setdefault(name, value)


# ---------------------------------------------------------------- the one normalisation

# biber's own aliases of BibTeX's field names (biber's default driver map): both sides are
# compared under biblatex's name. An alias whose target the entry already has keeps its name.
FIELD_ALIASES = {
    "address": "location",
    "annote": "annotation",
    "archiveprefix": "eprinttype",
    "journal": "journaltitle",
    "pdf": "file",
    "primaryclass": "eprintclass",
    "school": "institution",
}
# biblatex's type aliases: the classic thesis and report types are @thesis/@report with a type.
TYPE_ALIASES = {
    "conference": ("inproceedings", None),
    "electronic": ("online", None),
    "www": ("online", None),
    "phdthesis": ("thesis", "phdthesis"),
    "mastersthesis": ("thesis", "mathesis"),
    "techreport": ("report", "techreport"),
}
BIBTEX_TYPES = {
    "article", "book", "booklet", "inbook", "incollection", "inproceedings", "manual",
    "mastersthesis", "misc", "phdthesis", "proceedings", "techreport", "unpublished",
    "conference",
}  # fmt: skip
# What a biblatex-only type is in the classic export: the standard type it is a kind of (a
# @mvbook or @collection is a book, an @inreference a part of one, a @report a @techreport);
# any other biblatex type is @misc, the type biblatex's own styles fall back to. A
# @periodical (an issue of a journal, by no author and no publisher) is @misc too: as @book,
# plainnat warns of both, where BibTeX reads the source's unknown @periodical as @misc.
CLASSIC_OF = {
    "mvbook": "book", "bookinbook": "inbook", "suppbook": "inbook", "collection": "book",
    "mvcollection": "book", "incollection": "incollection", "suppcollection": "incollection",
    "reference": "book", "mvreference": "book", "inreference": "incollection",
    "mvproceedings": "proceedings", "report": "techreport",
    "suppperiodical": "article", "review": "article",
}  # fmt: skip
VERBATIM = {"url", "doi", "eprint", "file", "verba", "verbb", "verbc", "urlraw"}
NAME_FIELDS = {
    "author", "editor", "editora", "editorb", "editorc", "translator", "annotator",
    "commentator", "introduction", "foreword", "afterword", "bookauthor", "holder",
    "shortauthor", "shorteditor", "namea", "nameb", "namec",
}  # fmt: skip
FIELD_CLASSES = {
    "names": NAME_FIELDS,
    "title": {
        "title", "subtitle", "titleaddon", "shorttitle", "booktitle", "booksubtitle",
        "booktitleaddon", "maintitle", "mainsubtitle", "maintitleaddon", "issuetitle",
        "issuesubtitle", "journalsubtitle", "origtitle", "indextitle", "reprinttitle",
    },
    "venue": {
        "journaltitle", "shortjournal", "publisher", "institution", "organization",
        "howpublished", "series", "location", "edition", "type", "eventtitle", "venue",
        "origlocation", "origpublisher",
    },
    "date": {"year", "month", "day", "date", "urldate", "eventdate", "origdate"},
    "numbers": {"volume", "number", "pages", "chapter", "pagetotal", "eid", "issue",
                "part", "volumes"},
    "identifiers": {"doi", "url", "eprint", "eprinttype", "eprintclass", "isbn", "issn",
                    "isrn", "arxiv", "arxivid", "pmid", "ids"},
    "text": {"abstract", "keywords", "note", "annotation", "addendum"},
}  # fmt: skip
CLASSES = ["type", "key", *FIELD_CLASSES, "other"]

# pylatexenc prints nothing for the TeX logos and for a box's text: give them what TeX prints.
_PRINTS = get_default_latex_context_db()
_PRINTS.add_context_category(
    "fidelity",
    prepend=True,
    macros=[MacroTextSpec(box, simplify_repl="%(1)s") for box in ("mbox", "hbox", "makebox")]
    + [MacroTextSpec(logo, simplify_repl=logo) for logo in ("TeX", "LaTeX", "BibTeX", "XeTeX")],
)
_LATEX = LatexNodes2Text(math_mode="verbatim", latex_context=_PRINTS)


def field_class(name: str) -> str:
    """The class a (canonical) field name is reported under."""
    return next((c for c, names in FIELD_CLASSES.items() if name in names), "other")


def _text(value: str) -> str:
    """LaTeX decoded to Unicode as it prints (`\\noopsort{…}` prints nothing), braces dropped,
    white space folded."""
    value = re.sub(r"\\noopsort\s*\{[^{}]*\}", "", value)
    try:
        value = _LATEX.latex_to_text(value)
    except Exception:  # pylatexenc's parser gives up on unbalanced input: compare it as written
        pass
    return " ".join(value.replace("{", "").replace("}", "").split())


def _verbatim(value: str) -> str:
    """A verbatim field (URL, DOI, eprint, file): a `\\url{…}` wrapper and the backslash of an
    escaped special character removed, white space folded; nothing else decoded."""
    found = re.fullmatch(r"\s*\\url\s*\{(.*)\}\s*", value, re.S)
    value = found.group(1) if found else value
    return " ".join(re.sub(r"\\([_&%#$~{}])", r"\1", value).split())


def _name_parts(name: str) -> tuple[str, str, str, str]:
    """(given, prefix, family, suffix) of one name, in BibTeX's grammar or biblatex's
    extended format (`family=…, given=…, prefix=…, suffix=…`; options such as useprefix and
    given-i are not parts of the name)."""
    if re.match(r"\s*(family|given|prefix|suffix)\s*=", name):
        parts = dict.fromkeys(("given", "prefix", "family", "suffix"), "")
        depth, start, items = 0, 0, []
        for i, char in enumerate(name + ","):
            depth += {"{": 1, "}": -1}.get(char, 0)
            if char == "," and depth == 0:
                items.append(name[start:i])
                start = i + 1
        for item in items:
            key, _, value = item.partition("=")
            if key.strip() in parts:
                parts[key.strip()] = value.strip()
        return tuple(_text(parts[p]) for p in ("given", "prefix", "family", "suffix"))  # type: ignore[return-value]
    split = parse_single_name_into_parts(name, strict=False)
    return tuple(_text(" ".join(p)) for p in (split.first, split.von, split.last, split.jr))  # type: ignore[return-value]


def _month(value: str) -> str:
    text = _text(value).strip().rstrip(".").lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return str(int(text))
    for number, name in enumerate(MONTH_NAMES, 1):
        if len(text) >= 3 and name.lower().startswith(text):
            return str(number)
    return text


def normalise(name: str, value: str) -> object:
    """The one normalisation both sides of every comparison go through.

    Every value: LaTeX decoded to Unicode as it prints, braces (which only protect case or
    group) dropped, white space folded; case is kept. On top of that, by field:

    - names (author, editor, ...): the list of names, each as its four parts (given, prefix,
      family, suffix), read with BibTeX's name grammar or biblatex's extended name format;
      `and others` is a name;
    - verbatim fields (url, doi, eprint, file): not LaTeX-decoded; a `\\url{}` wrapper and the
      backslash of an escaped `_ & % # $ ~` dropped; a DOI also without its resolver prefix
      (https://doi.org/, http://dx.doi.org/, http://doi.acm.org/, ...) and in lower case, as
      DOIs are case-insensitive;
    - month: its number, from BibTeX's macro, an English name or abbreviation, or a number;
    - pages: any run of dashes (`-`, `--`, en and em dash) is one `-`;
    - keywords: the list of keywords, split at `,` or `;`;
    - eprinttype: lower case (biblatex reads `arXiv` and `arxiv` alike).
    """
    if name in NAME_FIELDS:
        return [_name_parts(n) for n in split_multiple_persons_names(value)]
    if name in VERBATIM:
        text = _verbatim(value)
        if name == "doi":
            text = re.sub(r"^\w+://[^/]*/(?=10\.)", "", text).lower()
        return text
    if name == "month":
        return _month(value)
    if name == "pages":
        return re.sub(r"\s*[-\u2013\u2014]+\s*", "-", _text(value))
    if name == "keywords":
        return [k for k in (_text(k) for k in re.split(r"[,;]", value)) if k]
    if name == "eprinttype":
        return _text(value).lower()
    return _text(value)


def canonical(kind: str, values: dict[str, str]) -> tuple[str, dict[str, str]]:
    """An entry under biblatex's names: field aliases and type aliases resolved, and an ISO
    `date` (YYYY, YYYY-MM, YYYY-MM-DD) as its year, month and day."""
    out: dict[str, str] = {}
    for name, value in values.items():
        target = FIELD_ALIASES.get(name, name)
        out[target if target not in values else name] = value
    kind, implied = TYPE_ALIASES.get(kind, (kind, None))
    if implied and "type" not in out:
        out["type"] = implied
    date = re.fullmatch(r"\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?\s*", out.get("date", ""))
    if date:
        del out["date"]
        for part, got in zip(("year", "month", "day"), date.groups(), strict=True):
            if got:
                out.setdefault(part, got)
    return kind, out


def expected_type(kind: str, values: dict[str, str], variant: str) -> str:
    """The type an entry must have in an export: its own, or in the classic export a biblatex
    type's classic equivalent (`@thesis` by its type, `@online` and others `@misc`)."""
    if variant == "biblatex" or kind in BIBTEX_TYPES:
        return canonical(kind, values)[0]
    if kind == "thesis":
        masters = re.search(r"ma|master", values.get("type", ""), re.I)
        return canonical("mastersthesis" if masters else "phdthesis", values)[0]
    return canonical(CLASSIC_OF.get(kind, "misc"), values)[0]


# ---------------------------------------------------------------- known, justified differences

# (variant, canonical field) -> why the export may leave the field out. Fields biber reports as
# invalid in biblatex's data model for an entry (`biber --tool --validate-datamodel` on the
# source) may be left out of the --biblatex export too, if the export names them on stderr:
# the data model forbids them, and the issue asks only to say so.
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("bibtex", "day"): "classic BibTeX dates by year and month; no style reads a day, so the "
    "classic export writes a biblatex date as year and month (the --biblatex export keeps it)",
    ("bibtex", "crossref"): "resolved on both sides before comparing; the export may inline it",
    ("biblatex", "crossref"): "resolved on both sides before comparing; the export may inline it",
}

# (source, variant, class) -> what fails on the code this test was written on (main at
# e045647, before the import/export fixes of #15). Strict xfail: fixing one makes its test
# XPASS and fail; then delete its line here.
# The refusals of better-biblatex, better-bibtex and jabref were found once the report's
# lines stopped wrapping (COLUMNS in `_run`): an entry with no year or no author is refused
# where BibTeX reads it with a warning, since the catalog needs both.
FAILING_TODAY: dict[tuple[str, str, str], str] = {
    ("better-biblatex", "bibtex", "refusals"): "refused for no year: 2 entries",
    ("better-bibtex", "bibtex", "refusals"): "refused for no year: 1 entry",
    ("biblatex-examples", "biblatex", "names"): "1: author changed 1",
    ("biblatex-examples", "bibtex", "compiles"): "3 warning(s) the source does not cause:",
    ("biblatex-examples", "bibtex", "names"): "1: author changed 1",
    ("biblatex-examples", "bibtex", "venue"): "1: type changed 1",
    ("jabref", "bibtex", "refusals"): "refused for no authors: 1 @article",
    ("xampl", "biblatex", "date"): "3: month changed 2, year changed 1",
    ("xampl", "biblatex", "title"): "2: booktitle lost 1, title changed 1",
    ("xampl", "bibtex", "date"): "1: year changed 1",
    (
        "xampl",
        "bibtex",
        "refusals",
    ): "refused for no year: booklet-minimal, manual-minimal, unpublished-minimal",
    ("xampl", "bibtex", "title"): "1: title changed 1",
}


# ---------------------------------------------------------------- running litlist


@dataclass
class Run:
    """One source through litlist: what import said and what each export wrote."""

    report: str
    exports: dict[str, str]
    export_notes: dict[str, str]


@functools.cache
def _run(name: str, home: Path) -> Run:
    """init --empty, import the source, export it both ways: in folders of its own."""
    runner = CliRunner()
    env = {
        "LITLIST_DATA_DIR": str(home / name / "data"),
        "LITLIST_CACHE_DIR": str(home / name / "cache"),
        "LITLIST_CATALOG": None,
        "LITLIST_NO_CACHE": None,
        "NO_COLOR": "1",
        "COLUMNS": "10000",  # the report is fitted to the screen: one line per entry here
    }

    def invoke(*args: str | Path):
        result = runner.invoke(app, [str(a) for a in args], env=env, prog_name="litlist")
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
        return result

    assert invoke("init", "--empty").exit_code == 0
    imported = invoke("import", _source_path(name), "--topic", "peft")
    exports, notes = {}, {}
    for variant, flags in VARIANTS.items():
        out = home / name / f"{variant}.bib"
        # --abstracts: every field comes back, the abstract too (a plain export leaves it out)
        done = invoke("export", "--abstracts", *flags, "-o", out)
        exports[variant] = out.read_text(encoding="utf-8") if out.exists() else ""
        notes[variant] = done.stdout + done.stderr
    return Run(imported.stdout + imported.stderr, exports, notes)


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory):
    """Each source's run, made once per session on first use."""
    home = tmp_path_factory.mktemp("fidelity")
    return lambda name: _run(name, home)


@functools.cache
def _source(name: str) -> Bib:
    return read_bib(_source_path(name).read_text(encoding="utf-8", errors="replace"))


@functools.cache
def _forbidden_by_biblatex(name: str, folder: Path) -> dict[str, set[str]]:
    """Per entry key, the fields biber's own check says biblatex's data model does not
    allow (`Field 'x' invalid in data model`)."""
    folder.mkdir(parents=True, exist_ok=True)
    bib = folder / "source.bib"
    shutil.copyfile(_source_path(name), bib)
    _tool(folder, "biber", "--tool", "--validate-datamodel", bib.name)
    log = (folder / "source.bib.blg").read_text(encoding="utf-8", errors="replace")
    invalid: dict[str, set[str]] = {}
    # biber says it two ways: "Field 'x' invalid in data model" (a field of no type) and
    # "Invalid field 'x' for entrytype 'y'" (a field of other types: an @article's publisher)
    for key, one, other in re.findall(
        r"Entry '([^']*)' \([^)]*\): (?:Field '([^']*)' invalid|Invalid field '([^']*)')", log
    ):
        invalid.setdefault(key, set()).add((one or other).lower())
    return invalid


# ---------------------------------------------------------------- reading import's report

SUMMARY = re.compile(
    r"(?:added|would add) (\d+), already present (\d+), (?:failed|refused) (\d+)"
    r"(?:, sets and volumes of others (\d+))?"
)
REFUSED = "failed|refused"


def _reported(report: str, verb: str) -> dict[str, str]:
    """Entry key -> its line of the report, for lines `<verb>: … entry 'KEY' …` (a
    file:line may come before or after the entry)."""
    found = re.finditer(rf"^(?:{verb}):.*?\bentry '([^']*)'.*$", report, re.M)
    return {m.group(1): m.group(0) for m in found}


def _title_key(values: dict[str, str]) -> str:
    return re.sub(r"\W+", "", _text(values.get("title", "")).casefold())


def _identifiers(values: dict[str, str]) -> set[str]:
    ids = {f"doi:{normalise('doi', values['doi'])}"} if values.get("doi") else set()
    for name in ("eprint", "arxiv", "arxivid"):
        if values.get(name):
            ids.add(f"eprint:{_verbatim(values[name]).lower()}")
    return ids | ({f"title:{_title_key(values)}"} if _title_key(values) else set())


def matched(name: str, run: Run, variant: str) -> dict[str, tuple[str, str, dict[str, str]]]:
    """Source key -> (export key, type, fields) for each imported entry found in the export:
    by its own key, else (a key litlist changed) by its title among the export's unmatched
    entries."""
    source, exported = _source(name), read_bib(run.exports[variant])
    refused = _reported(run.report, REFUSED) | _reported(run.report, "already present")
    out: dict[str, tuple[str, str, dict[str, str]]] = {}
    lower = {k.lower(): k for k in exported.entries}
    for key in source.entries:
        if key.lower() in lower:
            found = lower.pop(key.lower())
            out[key] = (found, *exported.entries[found])
    by_title = {_title_key(exported.entries[k][1]): k for k in lower.values()}
    for key, (_, values) in source.entries.items():
        if key not in out and key not in refused and _title_key(values) in by_title:
            found = by_title.pop(_title_key(values))
            out[key] = (found, *exported.entries[found])
    return out


# ---------------------------------------------------------------- the comparison


def differences(name: str, run: Run, variant: str, forbidden: dict[str, set[str]]) -> dict:
    """Class -> list of (key, field, source value, export value) that differ after the
    normalisation, for every imported entry."""
    source = _source(name)
    found: dict[str, list] = {c: [] for c in CLASSES}
    for key, (export_key, export_kind, export_values) in matched(name, run, variant).items():
        kind, values = source.entries[key]
        if export_key != key:
            found["key"].append((key, "key", key, export_key))
        want = expected_type(kind, values, variant)
        got, theirs = canonical(export_kind, export_values)
        if got != want:
            found["type"].append((key, "@type", want, got))
        _, ours = canonical(kind, values)
        may_drop = forbidden.get(key, set()) if variant == "biblatex" else set()
        for fname, value in ours.items():
            if (variant, fname) in KNOWN_DIFFERENCES or not value.strip():
                continue
            cls = field_class(fname)
            if fname not in theirs:
                aliases = {fname} | {a for a, t in FIELD_ALIASES.items() if t == fname}
                said = any(a in run.export_notes[variant] for a in aliases)
                if not (aliases & may_drop and said):
                    found[cls].append((key, fname, normalise(fname, value), "<missing>"))
                continue
            if fname == "type" and got in {"thesis", "report"}:
                # a thesis's or report's type: biblatex's keys (phdthesis, mathesis,
                # techreport) and the words a person writes ("PhD thesis") name the same
                ours_t, theirs_t = (re.sub(r"\W", "", v.lower()) for v in (value, theirs[fname]))
                if ours_t.replace("dissertation", "thesis") == theirs_t.replace(
                    "dissertation", "thesis"
                ) or {ours_t, theirs_t} <= {"phdthesis", "phd"}:
                    continue
            a, b = normalise(fname, value), normalise(fname, theirs[fname])
            if a != b:
                found[cls].append((key, fname, a, b))
    return found


def _params(classes: list[str], variants: list[str]):
    for source in SOURCES:
        for variant in variants:
            for cls in classes:
                marks = []
                why = FAILING_TODAY.get((source, variant, cls))
                if why:
                    marks.append(pytest.mark.xfail(strict=True, reason=why))
                if variant == "biblatex":
                    marks.append(requires_tools("biber"))
                yield pytest.param(
                    source, variant, cls, marks=marks, id=f"{source}-{variant}-{cls}"
                )


@pytest.mark.parametrize(("source", "variant", "cls"), list(_params(CLASSES, list(VARIANTS))))
def test_every_field_comes_back(runs, tmp_path_factory, source, variant, cls):
    """Every field of every imported entry, in this class, is in the export and equal to the
    source's after `normalise`, or is a difference `KNOWN_DIFFERENCES` justifies."""
    run = runs(source)
    forbidden = (
        _forbidden_by_biblatex(source, tmp_path_factory.getbasetemp() / "validate" / source)
        if variant == "biblatex"
        else {}
    )
    wrong = differences(source, run, variant, forbidden)[cls]
    assert not wrong, f"{len(wrong)} {cls} field(s) changed or lost:\n" + "\n".join(
        f"  {key}: {fname}: {a!r} -> {b!r}" for key, fname, a, b in wrong
    )


# ---------------------------------------------------------------- counts, refusals, duplicates

COUNT_CHECKS = ["counts", "refusals", "duplicates"]


@pytest.mark.parametrize(("source", "variant", "cls"), list(_params(COUNT_CHECKS, ["bibtex"])))
def test_every_entry_is_accounted_for(runs, source, variant, cls):
    """imported + already present + refused = the entries of the file, and the imported ones
    are the export's; each refusal is an entry BibTeX cannot use (`read_bib`) named with its
    file:line; each duplicate has a twin in the file (same DOI, arXiv id or title)."""
    run, bib, path = runs(source), _source(source), _source_path(source)
    failed, skipped = _reported(run.report, REFUSED), _reported(run.report, "already present")
    if cls == "counts":
        summary = SUMMARY.search(run.report)
        assert summary, run.report[-2000:]
        added, present, refused, parts = (int(n or 0) for n in summary.groups())
        assert added + present + refused + parts == bib.total, (
            f"added {added} + already present {present} + failed {refused} + sets and "
            f"volumes {parts} != {bib.total} entries in {path.name}"
        )
        found = matched(source, run, variant)
        assert len(found) == added, (
            f"{added} added but {len(found)} in the export; missing: "
            f"{sorted(set(bib.entries) - set(found) - set(failed) - set(skipped))}"
        )
    elif cls == "refusals":
        wrong = [k for k in failed if k not in bib.broken]
        assert not wrong, "refused but BibTeX reads them:\n" + "\n".join(failed[k] for k in wrong)
        unnamed = [
            line for key, line in failed.items() if f"{path.name}:{bib.lines.get(key)}" not in line
        ]
        assert not unnamed, "a refusal not named with file:line:\n" + "\n".join(unnamed)
        kept = sorted(k for k in bib.broken if k not in failed)
        assert not kept, f"broken entries not refused: {kept}"
    else:
        twins: dict[str, list[str]] = {}
        for key, (_, values) in bib.entries.items():
            for ident in _identifiers(values):
                twins.setdefault(ident, []).append(key)
        lonely = [
            line
            for key, line in skipped.items()
            if key in bib.entries
            and not any(len(twins[i]) > 1 for i in _identifiers(bib.entries[key][1]))
        ]
        assert not lonely, "called already present, with no twin in the file:\n" + "\n".join(lonely)


# ---------------------------------------------------------------- the exports compile

BIBTEX_DOC = (
    "\\documentclass{article}\n\\usepackage{natbib}\n\\usepackage{url}\n"
    "\\begin{document}\n\\nocite{*}\n\\bibliographystyle{plainnat}\n\\bibliography{refs}\n"
    "\\end{document}\n"
)
BIBER_DOC = (
    "\\documentclass{article}\n\\usepackage[backend=biber,style=authoryear]{biblatex}\n"
    "\\addbibresource{refs.bib}\n\\begin{document}\n\\nocite{*}\n\\printbibliography\n"
    "\\end{document}\n"
)


def _warnings(folder: Path, bib_text: str, backend: str) -> tuple[set[str], list[str]]:
    """Compile a document citing every entry of `bib_text` (pdflatex, then bibtex with
    plainnat or biber with biblatex): the warnings and the errors of bibtex or biber, with
    line numbers and file names left out so two files' warnings compare."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs.bib").write_text(bib_text, encoding="utf-8")
    (folder / "doc.tex").write_text(BIBTEX_DOC if backend == "bibtex" else BIBER_DOC)
    subprocess.run(
        ["pdflatex", *TEX_FLAGS, "doc"], cwd=folder, capture_output=True, timeout=300,
        env=dict(os.environ, TEXMFVAR=str(folder.parent / "texmf-var")),
    )  # fmt: skip
    done = subprocess.run(
        [backend, "doc"], cwd=folder, capture_output=True, text=True, errors="replace",
        timeout=300, env=dict(os.environ, TEXMFVAR=str(folder.parent / "texmf-var")),
    )  # fmt: skip
    blg = (folder / "doc.blg").read_text(encoding="utf-8", errors="replace").splitlines()
    warnings, errors = set(), []
    for number, line in enumerate(blg):
        line = re.sub(r"^\[\d+\] [\w:.]+> ", "", line)  # biber's timing prefix
        if "---" in line:  # bibtex: the message, then "---line N of file F"
            errors.append(f"{blg[number - 1] if number else ''} {line}".strip())
        elif line.startswith("ERROR"):
            errors.append(line)
        elif line.startswith(("Warning--", "WARN")):
            warnings.add(re.sub(r"\S*refs\.bib\S*|line \d+|\(\d+\)", "", line).strip())
    if backend == "bibtex" and done.returncode >= 2:
        errors.append(f"bibtex exited {done.returncode}")
    return warnings, errors


@requires_tools("pdflatex", "bibtex", "biber")
@requires_tex_file("biblatex.sty", "texlive-bibtex-extra")
@pytest.mark.parametrize(
    ("source", "variant"),
    [
        pytest.param(
            s, v, id=f"{s}-{v}",
            marks=[pytest.mark.xfail(strict=True, reason=FAILING_TODAY[(s, v, "compiles")])]
            if (s, v, "compiles") in FAILING_TODAY else [],
        )
        for s in SOURCES for v in VARIANTS
    ],
)  # fmt: skip
def test_export_compiles_with_no_warning_the_source_does_not_cause(runs, tmp_path, source, variant):
    """The classic export with bibtex and plainnat, the --biblatex export with biber: no
    error, and no warning that compiling the source itself does not give (keys litlist
    changed are read as the source's)."""
    run, backend = runs(source), "bibtex" if variant == "bibtex" else "biber"
    assert run.exports[variant].strip(), run.report[-2000:]
    mine, errors = _warnings(tmp_path / "export", run.exports[variant], backend)
    theirs, _ = _warnings(
        tmp_path / "source", _source_path(source).read_text(encoding="utf-8", errors="replace"),
        backend,
    )  # fmt: skip
    renamed = {k2: k for k, (k2, _, _) in matched(source, run, variant).items() if k2 != k}
    for new, old in renamed.items():
        mine = {re.sub(rf"(?<![\w:/.-]){re.escape(new)}(?![\w:/.-])", old, w) for w in mine}
    assert not errors, "\n".join(errors)
    new = sorted(mine - theirs)
    assert not new, f"{len(new)} warning(s) the source does not cause:\n" + "\n".join(new)


# ---------------------------------------------------------------- the instrument itself


@pytest.mark.parametrize("source", SOURCES)
def test_a_source_compared_with_itself_differs_in_nothing(source):
    """The normalisation makes no difference where there is none: a file given back as its
    own --biblatex export matches itself in every class."""
    text = _source_path(source).read_text(encoding="utf-8", errors="replace")
    found = differences(source, Run("", {"biblatex": text}, {"biblatex": ""}), "biblatex", {})
    assert {cls: items for cls, items in found.items() if items} == {}


def test_a_field_lost_or_changed_is_found_in_its_class():
    """One field dropped, one changed and a type changed, in a copy of the DBLP file: each
    reported once, in its class."""
    text = (REALWORLD / "dblp.bib").read_text(encoding="utf-8")
    changed = (
        text.replace("  series    = {Lecture Notes in Computer Science},\n", "", 1)
        .replace("pages     = {1493--1500}", "pages     = {1493--1501}", 1)
        .replace("@book{DBLP:books/infix/Ley93", "@misc{DBLP:books/infix/Ley93", 1)
    )
    found = differences("dblp", Run("", {"bibtex": changed}, {"bibtex": ""}), "bibtex", {})
    assert {cls: len(items) for cls, items in found.items() if items} == {
        "venue": 1,
        "numbers": 1,
        "type": 1,
    }
    assert found["venue"][0][:2] == ("DBLP:conf/spire/BastMW06", "series")
