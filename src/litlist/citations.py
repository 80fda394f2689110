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

_COMMENT = re.compile(r"(?<!\\)%.*")
_CITE = re.compile(r"\\(?:[A-Za-z]*cite[A-Za-z]*|nocite)\*?(?![A-Za-z])")
_INPUT = re.compile(r"\\(?:input|include|subfile|includeonly)\s*\{([^}]*)\}")
_AUX_CITE = re.compile(r"\\(?:citation|abx@aux@cite)(?:\{\d+\})?\{([^}]*)\}")
_IGNORED_CITE_COMMANDS = {"\\citestyle", "\\citesetup", "\\citename"}


def _strip_comments(text: str) -> str:
    return "\n".join(_COMMENT.sub("", line) for line in text.splitlines())


def _groups(text: str, start: int) -> tuple[list[str], int]:
    """The brace groups after a cite command (skipping [..] and (..) optional arguments)."""
    keys: list[str] = []
    pos = start
    while True:
        while pos < len(text) and text[pos] in " \t\n":
            pos += 1
        if pos >= len(text):
            return keys, pos
        opener = text[pos]
        closer = {"[": "]", "(": ")", "{": "}"}.get(opener)
        if closer is None:
            return keys, pos
        depth, end = 0, pos
        while end < len(text):
            if text[end] == opener:
                depth += 1
            elif text[end] == closer:
                depth -= 1
                if depth == 0:
                    break
            end += 1
        if opener == "{":
            keys.append(text[pos + 1 : end])
        pos = end + 1


def keys_in_tex(text: str) -> list[str]:
    """Citation keys in LaTeX source, in order of first use (comments ignored)."""
    text = _strip_comments(text)
    found: list[str] = []
    for match in _CITE.finditer(text):
        if match.group(0).rstrip("*") in _IGNORED_CITE_COMMANDS:
            continue
        groups, _ = _groups(text, match.end())
        for group in groups:
            found += [k.strip() for k in group.split(",") if k.strip()]
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


def collect(tex: list[Path], aux: Path | None) -> tuple[list[str], str]:
    """Keys cited by the drafts and/or .aux given, and a short name of where they came from."""
    keys: list[str] = []
    sources = []
    for path in tex:
        keys += keys_in_draft(path)
        sources.append(str(path))
    if aux is not None:
        keys += keys_in_aux(_read(aux))
        sources.append(str(aux))
    return list(dict.fromkeys(keys)), ", ".join(sources)
