"""Which citation keys a LaTeX draft uses: from its .tex sources or from a compiled .aux. Pure
reading; nothing is written.

In .tex files, comments are dropped first (an unescaped `%` to the end of the line), then every
citation command is read: natbib's (\\cite, \\citep, \\citet, \\citeauthor, ...), biblatex's
(\\autocite, \\parencite, \\textcite, \\cites, ...) and \\nocite, with optional arguments and
several keys per command. \\input (with or without braces), \\include, \\subfile and
\\InputIfFileExists are followed relative to the main file's folder, as LaTeX would, and the
import package's \\import and \\subimport relative to their folders. Reading is linear in
the size of the draft, whatever it holds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from litlist import fsutil
from litlist.errors import InputError

ALL = "*"

# A line's text before its comment: any run of ordinary characters and escape pairs (`\%`
# is a percent sign, `\\%` a line break and then a comment). One match per line, so a line
# of a million backslashes costs a million steps, not a million squared.
_BEFORE_COMMENT = re.compile(r"(?:[^\\%]|\\.)*")
# the capitalised forms too (natbib's \Citet, \Citep; biblatex's \Cite, \Cites)
_CITE = re.compile(r"\\(?:[A-Za-z]*[cC]ite[A-Za-z]*|nocite)\*?(?![A-Za-z])")
# A name in braces stops at the next backslash or brace as well as at its closing brace: a
# name holds neither, and an unclosed `\input{x` then costs the distance to the next
# command, not a scan to the end of the file for each one (quadratic).
_NAME = r"[^{}\\\n]*"
# What brings in another source file. \input also has TeX's form without braces, a name
# ending at a space (`\input chap`); \import takes a folder (from the main file's folder)
# and a file, \subimport a folder relative to the importing file; \InputIfFileExists
# tolerates a missing file.
_INPUT = re.compile(
    r"\\(?P<command>input|include|subfile|includeonly|InputIfFileExists)(?![A-Za-z@])\s*"
    rf"(?:\{{(?P<braced>{_NAME})\}}|(?P<bare>[^\s{{}}%\\]+))"
    r"|\\(?P<importer>import|subimport|inputfrom|subinputfrom|includefrom|subincludefrom)"
    rf"\*?\s*\{{(?P<folder>{_NAME})\}}\s*\{{(?P<file>{_NAME})\}}"
)
_AUX_CITE = re.compile(rf"\\(?:citation|abx@aux@cite)(?:\{{\d+\}})?\{{({_NAME})\}}")
# the .aux of an \include'd file, which holds that file's citations
_AUX_INPUT = re.compile(rf"\\@input\{{({_NAME})\}}")
# commands named like citations that take no keys (or define, not cite, them)
_IGNORED_CITE_COMMANDS = {
    "\\citestyle",
    "\\citesetup",
    "\\citename",
    "\\citetext",
    "\\defcitealias",
}
_DELIMITER = re.compile(r"\\.|[{}\[\]()]", re.DOTALL)
_OPTION_OPENERS = "[("


def _strip_comments(text: str) -> str:
    # split on "\n" only (not splitlines, which also breaks at form feeds and U+2028), so
    # that line numbers in messages are the ones an editor shows
    return "\n".join(
        _BEFORE_COMMENT.match(line).group(0)  # type: ignore[union-attr]
        for line in text.split("\n")
    )


def _closers(text: str) -> dict[int, int]:
    """Where each {, [ and ( of `text` closes, found in one pass; a group that never closes
    is left out. A [..] or (..) option ends at the first ] or ) at its own brace depth, so
    brace groups nest inside it (`[{p. 3]}]`), and it is left open when the group around it
    closes first, as TeX would read it. Looking each group up here keeps reading linear
    where scanning ahead from every `\\cite[` was quadratic."""
    closes: dict[int, int] = {}
    braces: list[int] = []
    # options still open, by the brace depth they were opened at
    waiting: dict[str, dict[int, list[int]]] = {"[": {}, "(": {}}
    for match in _DELIMITER.finditer(text):
        char, pos = match.group(0), match.start()
        if char == "{":
            braces.append(pos)
        elif char == "}":
            if braces:  # a stray } closes nothing
                waiting["["].pop(len(braces), None)
                waiting["("].pop(len(braces), None)
                closes[braces.pop()] = pos
        elif char in _OPTION_OPENERS:
            waiting[char].setdefault(len(braces), []).append(pos)
        elif char in "])":
            for opener in waiting["[" if char == "]" else "("].pop(len(braces), ()):
                closes[opener] = pos
    return closes


def _groups(
    text: str, start: int, closes: dict[int, int], multi: bool = False
) -> tuple[list[str], int | None]:
    """The key groups after a cite command, skipping [..] (and, for biblatex's multicite
    commands, (..)) optional arguments: one group, or every group for \\cites and kin.
    The position is None when a group after the command never closes."""
    keys: list[str] = []
    pos = start
    while True:
        while pos < len(text) and text[pos] in " \t\n":
            pos += 1
        if pos >= len(text) or text[pos] not in ("[({" if multi else "[{"):
            return keys, pos
        end = closes.get(pos)
        if end is None:
            return keys, None
        if text[pos] == "{":
            keys.append(text[pos + 1 : end])
            if not multi:
                return keys, end + 1
        pos = end + 1


def keys_in_tex(text: str, where: str = "") -> list[str]:
    """Citation keys in LaTeX source, in order of first use (comments ignored). A citation
    whose braces never close is an InputError naming `where` and the line."""
    return list(dict.fromkeys(key for key, _ in _cited_with_lines(text, where)))


def _cited_with_lines(text: str, where: str = "") -> Iterator[tuple[str, int]]:
    """(key, line) of every key each citation command of `text` names."""
    text = _strip_comments(text)
    closes = _closers(text)
    line, counted = 1, 0
    for match in _CITE.finditer(text):
        command = match.group(0).rstrip("*")
        if command in _IGNORED_CITE_COMMANDS:
            continue
        line += text.count("\n", counted, match.start())  # counted on from the last match
        counted = match.start()
        groups, end = _groups(text, match.end(), closes, multi=command.lower().endswith("cites"))
        if end is None:
            raise InputError(
                f"{where or 'line'}{':' if where else ' '}{line}: {command} has an argument "
                "that is never closed"
            )
        for group in groups:
            # "#1" is a macro's parameter (\newcommand{\mycite}[1]{\citep{#1}}), not a key
            for key in group.split(","):
                if key.strip() and "#" not in key:
                    yield key.strip(), line


def keys_in_aux(text: str) -> list[str]:
    """Citation keys a compiled .aux records (BibTeX's \\citation, biblatex's \\abx@aux@cite)."""
    found: list[str] = []
    for match in _AUX_CITE.finditer(text):
        found += [k.strip() for k in match.group(1).split(",") if k.strip()]
    return list(dict.fromkeys(found))


# No draft or .aux is this large; /dev/zero or /dev/urandom given as one would otherwise be
# read until memory runs out (a FIFO, which would wait for a writer, is refused unread).
MAX_CHARS = 64 * 2**20


def _real(path: Path) -> Path:
    """`path` with its links followed as far as they go. Never raises: Path.resolve() raises
    RuntimeError on a loop of links, and the read that follows names that path instead, as
    one `error:` line (`fsutil.read_user_file`)."""
    return Path(os.path.realpath(path))


def _read(path: Path, why: str = "") -> str:
    # /dev/null is an empty draft; /dev/zero is cut off by the limit
    return fsutil.read_text(path, why, limit=MAX_CHARS, too_long="not a LaTeX file", devices=True)


def _included(body: str, base: Path, root: Path) -> list[tuple[Path, Path, bool, int]]:
    """(file, folder its own inputs resolve from, may be missing, line) for every file that
    `body` brings in, in order."""
    out = []
    line, counted = 1, 0
    for match in _INPUT.finditer(body):
        line += body.count("\n", counted, match.start())  # counted on from the last match
        counted = match.start()
        if match.group("importer"):
            command = match.group("importer")
            folder = Path(match.group("folder").strip())
            # \import's folder is from the main file's; \subimport's from the importing one
            folder = (base if command.startswith("sub") else root) / folder
            names, optional = [match.group("file")], False
        else:
            command, folder = match.group("command"), base
            names = (match.group("braced") or match.group("bare") or "").split(",")
            optional = command == "InputIfFileExists"
        for name in names:
            if not name.strip():
                continue
            child = _tex_file(folder / name.strip())
            if not match.group("importer") and folder != root and not child.is_file():
                # in an imported file, \input looks in the import's folder, then in the main one
                child = _tex_file(root / name.strip())
            out.append((child, folder, optional, line))
    return out


def _tex_file(path: Path) -> Path:
    """The file TeX reads for `path`: `name.tex` when the name has no .tex and that exists,
    else the name as given (\\input{table.v2} is table.v2.tex if there is one)."""
    if path.suffix == ".tex":
        return path
    with_tex = path.with_name(path.name + ".tex")
    return path if path.is_file() and not with_tex.is_file() else with_tex


def keys_in_draft(main: Path) -> list[str]:
    """Keys cited by `main` and every file it brings in (\\input, \\include, \\subfile,
    \\import, \\subimport, \\InputIfFileExists), each file once; depth does not matter."""
    found: list[str] = []
    for path, text in _draft_files(main):
        found.extend(keys_in_tex(text, str(path)))
    return list(dict.fromkeys(found))


def _draft_files(main: Path) -> Iterator[tuple[Path, str]]:
    """(path, text) of `main` and of every file it brings in, each once, in reading order."""
    root = main.parent
    seen: set[Path] = set()
    # a stack, not recursion: a chain of thousands of \input's is only a long list
    todo: list[tuple[Path, Path, str, bool]] = [(main, root, "", False)]
    while todo:
        path, base, why, optional = todo.pop()
        resolved = _real(path)
        if resolved in seen:
            continue
        if optional and not path.is_file():
            continue
        seen.add(resolved)
        text = _read(path, why)
        yield path, text
        children = [
            (child, folder, f" (\\input from {path}:{line})", may_miss)
            for child, folder, may_miss, line in _included(_strip_comments(text), base, root)
        ]
        todo.extend(reversed(children))  # depth first, in the order the file has them


def where_cited(tex: list[Path], aux: Path | None, keys: set[str]) -> dict[str, list[str]]:
    """For each of `keys` the drafts cite, every `file:line` that cites it (in the .aux when
    only a compiled .aux was given: it has no lines of the draft)."""
    places: dict[str, list[str]] = {}
    for main in tex:
        for path, text in _draft_files(main):
            for key, line in _cited_with_lines(text, str(path)):
                if key in keys:
                    places.setdefault(key, []).append(f"{path}:{line}")
    if aux is not None and not tex:
        text = _read(aux)
        line, counted = 1, 0
        for match in _AUX_CITE.finditer(text):
            line += text.count("\n", counted, match.start())
            counted = match.start()
            for key in match.group(1).split(","):
                if key.strip() in keys:
                    places.setdefault(key.strip(), []).append(f"{aux}:{line}")
    return places


def _keys_in_aux_file(path: Path, seen: set[Path]) -> list[str]:
    """Keys in an .aux and in the .aux files of \\include'd files it \\@input's (LaTeX skips
    a missing one silently, and so do we)."""
    keys: list[str] = []
    todo = [path]
    while todo:
        current = todo.pop()
        seen.add(_real(current))
        text = _read(current)
        keys += keys_in_aux(text)
        children = [current.parent / name.strip() for name in _AUX_INPUT.findall(text)]
        todo.extend(
            child for child in reversed(children) if child.is_file() and _real(child) not in seen
        )
    return keys


def files_read(tex: list[Path], aux: Path | None) -> list[Path]:
    """Every file reading `tex` and `aux` opens: each draft and every file it brings in
    (\\input and kin, followed as `keys_in_draft` does), the .aux and the .aux files it
    \\@input's. What an export must never write over."""
    found: list[Path] = []
    for main in tex:
        found += [path for path, _ in _draft_files(main)]
    if aux is not None:
        seen: set[Path] = set()
        _keys_in_aux_file(aux, seen)
        found += sorted(seen)
    return found


def collect(tex: list[Path], aux: Path | None) -> tuple[list[str], str]:
    """Keys cited by the drafts and/or .aux given, and a short name of where they came from."""
    keys: list[str] = []
    sources = []
    for path in tex:
        keys += keys_in_draft(path)
        sources.append(str(path))
    if aux is not None:
        keys += _keys_in_aux_file(aux, set())
        sources.append(str(aux))
    return list(dict.fromkeys(keys)), ", ".join(sources)
