"""What every command shares: the Typer app, its global options, shared option types, error
reporting and output. Commands live in the modules beside this one, one job each.

Every `LitlistError` a service raises becomes one `error: …` line on stderr and its exit code
(1, or 2 for a malformed option value); a usage mistake (unknown option, bad value) becomes
one `error: …` line and exit code 2. Nothing else is caught: a bug should show its traceback.
"""

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum, StrEnum
from typing import Annotated

import typer
from typer.core import TyperGroup

from litlist import __version__, catalog, render
from litlist.errors import LitlistError, OutputFailed
from litlist.model import Catalog, Paper


class ExitCode(IntEnum):
    OK = 0
    USER_ERROR = 1
    USAGE = 2


# typer re-exports BadParameter but not its bases; these are click's UsageError and
# ClickException whichever click (bundled or not) this typer uses.
_UsageError = typer.BadParameter.__mro__[1]
_ClickException = _UsageError.__mro__[1]


class _GuardedOutput:
    """Standard output whose write errors (a full disk, a closed pipe) become OutputFailed,
    so that they are reported like any user-facing failure, not as a traceback."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self.failed = False

    def _fail(self, exc: OSError) -> OutputFailed:
        self.failed = True
        return OutputFailed(exc)

    def write(self, text: str) -> int:
        try:
            if self._stream is None:  # started with stdout closed (`litlist show >&-`)
                raise OSError(errno.EBADF, os.strerror(errno.EBADF))
            return self._stream.write(text)
        except OSError as exc:
            raise self._fail(exc) from None

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            if self._stream is not None:
                self._stream.flush()
        except OSError as exc:
            raise self._fail(exc) from None

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _discard_output(stream) -> None:
    """After stdout failed, point its descriptor at /dev/null: the bytes still buffered would
    otherwise fail again when Python flushes at exit, with an "Exception ignored" message."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return  # not a real descriptor (tests capture output in memory)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


class _Group(TyperGroup):
    """Report usage errors as one `error:` line (Typer would draw a rich panel), and a
    failed standard output (full disk: one `error:` line; closed pipe: quietly) with exit 1."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        real = sys.stdout
        guarded = sys.stdout = _GuardedOutput(real)
        try:
            result = super().main(
                args=args,
                prog_name=prog_name or "litlist",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
            # what is still buffered must fail here, where it can be reported
            sys.stdout.flush()
        except OutputFailed as exc:
            # outside a command's reporting(): `check`'s summary, --version
            if exc.errno != errno.EPIPE:
                render.error(str(exc))
            sys.exit(ExitCode.USER_ERROR)
        except _ClickException as exc:
            message = exc.format_message().strip()
            if not message:  # bare `litlist`: the help was shown, nothing went wrong
                sys.exit(ExitCode.OK)
            ctx = getattr(exc, "ctx", None)
            path = ctx.command_path if ctx is not None else "litlist"
            render.error(f"{message.replace(chr(10), ' ')} (see '{path} --help')")
            sys.exit(ExitCode.USAGE)
        except typer.Abort:
            sys.exit(130)
        finally:
            sys.stdout = real
            if guarded.failed:
                _discard_output(real)
        if guarded.failed:  # reported (or, for a closed pipe, not) inside the command
            sys.exit(ExitCode.USER_ERROR)
        sys.exit(result if isinstance(result, int) else ExitCode.OK)


app = typer.Typer(
    cls=_Group,
    help="A typed, searchable catalog of the 'Language Model Post List' reading list.",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(StrEnum):
    table = "table"
    json = "json"
    keys = "keys"
    markdown = "markdown"


@contextmanager
def reporting() -> Iterator[None]:
    """Turn a LitlistError into `error: …` on stderr and exit code 1."""
    try:
        yield
    except LitlistError as exc:
        # a reader who closed the pipe (`litlist show | head`) needs no message
        if not (isinstance(exc, OutputFailed) and exc.errno == errno.EPIPE):
            render.error(str(exc))
        raise typer.Exit(exc.exit_code) from None


# ---------------------------------------------------------------- completion


def _complete_names(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        cat = catalog.load(_catalog_option(ctx))
    except LitlistError:
        return []
    names = [n for n in [*cat.columns["id"], *cat.columns["key"]] if n]
    return [n for n in names if n.startswith(incomplete)]


def _complete_topics(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        cat = catalog.load(_catalog_option(ctx))
    except LitlistError:
        return []
    slugs = [t.slug for t in cat.topics]
    segments = [s.rsplit("/", 1)[-1] for s in slugs]
    return [s for s in dict.fromkeys(slugs + segments) if s.startswith(incomplete)]


def _catalog_option(ctx: typer.Context) -> str | None:
    root = ctx.find_root()
    return (root.params or {}).get("catalog_path") or (ctx.obj or {}).get("catalog")


# ---------------------------------------------------------------- shared options

TopicOpt = Annotated[
    str | None,
    typer.Option(
        "--topic",
        "-t",
        help="Topic slug, slug segment or heading name (peft, rlhf, 'Attention Sink').",
        autocompletion=_complete_topics,
    ),
]
VenueOpt = Annotated[
    str | None,
    typer.Option("--venue", "-v", help="Venue or alias, any case (neurips, nips, icml-ws)."),
]
YearOpt = Annotated[
    str | None,
    typer.Option("--year", "-y", help="A year or range: 2024, 2022..2023, 2023.., ..2020."),
]
FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format", "-f", help="table (for people), json, keys (one citation key a line), markdown."
    ),
]
FullOpt = Annotated[bool, typer.Option("--full", help="Cards with authors and summaries.")]
NamesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Paper ids or citation keys.", autocompletion=_complete_names, show_default=False
    ),
]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"litlist {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    catalog_path: Annotated[
        str | None,
        typer.Option(
            "--catalog",
            "-c",
            metavar="PATH",
            help="Catalog file to use (default: $LITLIST_CATALOG, else your own catalog made by "
            "`litlist init`, else the catalog shipped with litlist).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """litlist: find, read and cite the papers of a curated LLM reading list.

    Examples: litlist search dpo · litlist show --topic peft ·
    litlist export --tex draft.tex -o refs.bib
    """
    ctx.obj = {"catalog": catalog_path}


def load_catalog(ctx: typer.Context) -> Catalog:
    cat = catalog.load(ctx.obj.get("catalog"), progress=render.progress_factory(sys.stderr))
    for note in cat.warnings:
        render.warning(note)
    return cat


def emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def output(
    cat: Catalog,
    positions: list[int],
    fmt: Format,
    *,
    cards: bool,
    scores: list[float] | None = None,
    empty: str = "no papers match",
    matched: list | None = None,
) -> None:
    """Write `positions` of `cat` in `fmt`; for people, a table or cards."""
    if fmt is Format.keys:
        emit(render.to_keys(cat.columns["key"][i] for i in positions))
        return
    # a table shows only what the columns hold: no record is decoded for it
    brief = fmt is Format.table and not cards
    papers: list[Paper] = [cat.brief(i) if brief else cat.paper(i) for i in positions]
    if fmt is Format.json:
        emit(render.to_json(papers, scores, matched))
    elif fmt is Format.markdown:
        emit(render.to_markdown(cat, papers))
    elif not papers:
        sys.stderr.write(render.printable(empty) + "\n")
    elif render.fancy(sys.stdout):
        if cards:
            render.rich_cards(sys.stdout, cat, papers)
        else:
            render.rich_table(sys.stdout, cat, papers, scores, matched=matched)
    elif cards:
        emit("\n".join(render.plain_card(cat, p) for p in papers))
    else:
        emit(render.plain_table(cat, papers, scores, matched))
