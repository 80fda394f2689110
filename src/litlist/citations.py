"""Which citation keys a LaTeX draft uses: from its .tex sources or from a compiled .aux. Pure
reading; nothing is written.

In .tex files, comments are dropped first (an unescaped `%` to the end of the line), then every
citation command is read: natbib's (\\cite, \\citep, \\citet, \\citeauthor, ...), biblatex's
(\\autocite, \\parencite, \\textcite, \\cites, ...) and \\nocite, with optional arguments and
several keys per command. \\input, \\include and \\subfile are followed, relative to the main
file's folder, as LaTeX would.
"""

from __future__ import annotations

import re
from pathlib import Path

from litlist.errors import InputError

ALL = "*"

# a % after an even number of backslashes (`\\%` is a line break, then a comment)
_COMMENT = re.compile(r"(?<!\\)((?:\\\\)*)%.*")
# the capitalised forms too (natbib's \Citet, \Citep; biblatex's \Cite, \Cites)
_CITE = re.compile(r"\\(?:[A-Za-z]*[cC]ite[A-Za-z]*|nocite)\*?(?![A-Za-z])")
_INPUT = re.compile(r"\\(?:input|include|subfile|includeonly)\s*\{([^}]*)\}")
_AUX_CITE = re.compile(r"\\(?:citation|abx@aux@cite)(?:\{\d+\})?\{([^}]*)\}")
# the .aux of an \include'd file, which holds that file's citations
_AUX_INPUT = re.compile(r"\\@input\{([^}]*)\}")
# commands named like citations that take no keys (or define, not cite, them)
_IGNORED_CITE_COMMANDS = {
    "\\citestyle",
    "\\citesetup",
    "\\citename",
    "\\citetext",
    "\\defcitealias",
}


def _strip_comments(text: str) -> str:
    return "\n".join(_COMMENT.sub(r"\1", line) for line in text.splitlines())


def _close(text: str, pos: int) -> int:
    """Where the group opened at `pos` ({, [ or () closes; brace groups nest inside [..]."""
    closer = {"[": "]", "(": ")", "{": "}"}[text[pos]]
    depth, end = 0, pos + 1
    while end < len(text):
        char = text[end]
        if char == "\\":
            end += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
        elif char == closer and depth == 0:
            return end
        end += 1
    return end


def _groups(text: str, start: int, multi: bool = False) -> tuple[list[str], int]:
    """The key groups after a cite command, skipping [..] (and, for biblatex's multicite
    commands, (..)) optional arguments: one group, or every group for \\cites and kin."""
    keys: list[str] = []
    pos = start
    while True:
        while pos < len(text) and text[pos] in " \t\n":
            pos += 1
        if pos >= len(text) or text[pos] not in ("[({" if multi else "[{"):
            return keys, pos
        end = _close(text, pos)
        if text[pos] == "{":
            keys.append(text[pos + 1 : end])
            if not multi:
                return keys, end + 1
        pos = end + 1


def keys_in_tex(text: str) -> list[str]:
    """Citation keys in LaTeX source, in order of first use (comments ignored)."""
    text = _strip_comments(text)
    found: list[str] = []
    for match in _CITE.finditer(text):
        command = match.group(0).rstrip("*")
        if command in _IGNORED_CITE_COMMANDS:
            continue
        groups, _ = _groups(text, match.end(), multi=command.lower().endswith("cites"))
        for group in groups:
            # "#1" is a macro's parameter (\newcommand{\mycite}[1]{\citep{#1}}), not a key
            found += [k.strip() for k in group.split(",") if k.strip() and "#" not in k]
    return list(dict.fromkeys(found))


def keys_in_aux(text: str) -> list[str]:
    """Citation keys a compiled .aux records (BibTeX's \\citation, biblatex's \\abx@aux@cite)."""
    found: list[str] = []
    for match in _AUX_CITE.finditer(text):
        found += [k.strip() for k in match.group(1).split(",") if k.strip()]
    return list(dict.fromkeys(found))


def _read(path: Path, why: str = "") -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file{why}") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file{why}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text{why}") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}{why}") from None


def keys_in_draft(main: Path) -> list[str]:
    """Keys cited by `main` and every file it \\input's or \\include's."""
    root = main.parent
    seen: set[Path] = set()
    found: list[str] = []

    def visit(path: Path, why: str) -> None:
        resolved = path.resolve()
        if resolved in seen:
            return
        seen.add(resolved)
        text = _read(path, why)
        found.extend(keys_in_tex(text))
        body = _strip_comments(text)
        for match in _INPUT.finditer(body):
            for name in match.group(1).split(","):
                name = name.strip()
                if not name:
                    continue
                child = root / name
                if not child.suffix:
                    child = child.with_suffix(".tex")
                line = body[: match.start()].count("\n") + 1
                visit(child, f" (\\input from {path}:{line})")

    visit(main, "")
    return list(dict.fromkeys(found))


def _keys_in_aux_file(path: Path, seen: set[Path]) -> list[str]:
    """Keys in an .aux and in the .aux files of \\include'd files it \\@input's (LaTeX skips
    a missing one silently, and so do we)."""
    seen.add(path.resolve())
    text = _read(path)
    keys = keys_in_aux(text)
    for name in _AUX_INPUT.findall(text):
        child = path.parent / name.strip()
        if child.is_file() and child.resolve() not in seen:
            keys += _keys_in_aux_file(child, seen)
    return keys


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
