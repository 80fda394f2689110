"""Every error litlist reports to a user. Services raise these; only the CLI prints them."""

from __future__ import annotations

from pathlib import Path


class LitlistError(Exception):
    """A user-facing failure: `str()` is the one line printed after `error: `."""

    #: 1 for a mistake in what the user asked for, 2 for a malformed command line
    exit_code = 1


class CatalogError(LitlistError):
    """The catalog file cannot be used: missing, unreadable, not TOML, or invalid."""

    def __init__(self, path: Path | str, problems: list[Problem]) -> None:
        self.path = Path(path)
        self.problems = problems
        first = problems[0].render() if problems else f"{path}: invalid catalog"
        more = (
            f" (and {len(problems) - 1} more problem(s); run `litlist check`)"
            if len(problems) > 1
            else ""
        )
        super().__init__(first + more)


class Problem:
    """One thing wrong with a catalog, with the place it is in."""

    __slots__ = ("path", "line", "paper", "field", "message")

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        line: int | None = None,
        paper: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.paper = paper
        self.field = field
        self.message = message

    def render(self) -> str:
        """`file:line: paper 'id', field 'f': message`, leaving out what is unknown."""
        where = self.path + (f":{self.line}" if self.line else "")
        parts = []
        if self.paper:
            parts.append(f"paper '{self.paper}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        what = ", ".join(parts)
        return f"{where}: {what + ': ' if what else ''}{self.message}"

    def __repr__(self) -> str:
        return f"Problem({self.render()!r})"


class UnknownKey(LitlistError):
    """One or more ids/keys are not in the catalog."""

    def __init__(
        self,
        keys: list[str],
        suggestions: dict[str, list[str]],
        where: str = "",
        *,
        search: bool = False,
    ) -> None:
        self.keys = keys
        self.suggestions = suggestions
        parts = []
        # one line whatever the draft holds: the first few keys, each cut short, and a count
        for key in keys[:SHOWN]:
            near = suggestions.get(key) or []
            hint = f" (did you mean {' or '.join(near)}?)" if near else ""
            parts.append(f"'{_short(key)}'{hint}")
        if len(keys) > SHOWN:
            parts.append(f"and {len(keys) - SHOWN} more")
        origin = f" cited in {where}" if where else ""
        noun = "key" if len(keys) == 1 else "keys"
        # a name from the command line may be a description: point to search
        tip = f"; try `litlist search {_short(keys[0])}`" if search else ""
        super().__init__(f"unknown {noun}{origin}: " + ", ".join(parts) + tip)


class AmbiguousName(LitlistError):
    """A name (an alias, say) that several papers answer to."""

    def __init__(self, name: str, papers: list[str]) -> None:
        self.name = name
        self.papers = papers
        super().__init__(
            f"'{name}' names {len(papers)} papers: {', '.join(papers)}; use one of these keys"
        )


#: how many names an error lists before it says "and N more"
SHOWN = 10


def _short(text: str, limit: int = 60) -> str:
    """`text` on one line (a key read from a draft may hold a line break) and cut short."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class UnknownChoice(LitlistError):
    """A --topic or --venue value that names nothing in the catalog: a bad option value, like
    a malformed --year, so the same exit code (2)."""

    exit_code = 2

    def __init__(self, option: str, value: str, valid: list[str], closest: list[str]) -> None:
        self.option = option
        self.value = value
        self.valid = valid
        self.closest = closest
        hint = f"did you mean {' or '.join(closest)}? " if closest else ""
        # the command that lists them all, not the whole list in one long line
        listing = {"--topic": "topics", "--parent": "topics", "--venue": "venues"}.get(option)
        where = f"`litlist {listing}` lists them all" if listing else f"valid: {', '.join(valid)}"
        super().__init__(f"{option}: no match for '{value}'; {hint}{where}")


class BadOption(LitlistError):
    """An option value litlist cannot read (e.g. a malformed --year range): a usage error."""

    exit_code = 2


class OutputExists(LitlistError):
    """Refusing to overwrite a file the user already has."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} exists; use --force to overwrite it or --merge to add to it")


class InputError(LitlistError):
    """A file the user pointed us at (draft, .aux, .bib) cannot be read."""


def path_failed(path: Path | str, exc: OSError, why: str = "") -> InputError:
    """The one error for a user's path that cannot be resolved, opened or read (a symbolic
    link loop, no permission, an I/O error): `PATH: reason`, then `why` (where it was named
    from). Every read and write path turns such an OSError into this."""
    return InputError(f"{path}: {exc.strerror or exc}{why}")


class OutputFailed(LitlistError):
    """Standard output could not be written (a full disk, a closed pipe)."""

    def __init__(self, exc: OSError) -> None:
        self.errno = exc.errno
        super().__init__(f"cannot write the output: {exc.strerror or exc} (standard output)")


class UnsafeFile(LitlistError):
    """A file litlist was asked to read or write is not one it may touch: a device, a FIFO,
    a folder, a read-only file, a symbolic link planted by another user."""

    def __init__(self, path: Path | str, why: str) -> None:
        self.path = Path(path)
        self.why = why
        super().__init__(f"{path} {why}")


class FileChanged(LitlistError):
    """The file was changed by someone else between litlist reading and replacing it: nothing
    was written, so that edit is not lost."""

    def __init__(self, path: Path | str, how: str) -> None:
        self.path = Path(path)
        super().__init__(
            f"{path} {how} while litlist was working on it; nothing written, run it again"
        )


class FileBusy(LitlistError):
    """Another program held the lock on a file longer than litlist waits: nothing written."""

    def __init__(self, path: Path | str, holder: str, seconds: float) -> None:
        self.path = Path(path)
        super().__init__(
            f"{path} is still locked by {holder} after {seconds:g} s; nothing written "
            "(run it again when that has finished; LITLIST_LOCK_TIMEOUT sets the wait)"
        )
