"""What every command shares: the Typer app, its global options, shared option types, error
reporting and output. Commands live in the modules beside this one, one job each.

Every `LitlistError` a service raises becomes one `error: …` line on stderr and its exit code
(1, or 2 for a malformed option value); a usage mistake (unknown option, bad value) becomes
one `error: …` line and exit code 2; an OSError naming a file, `error: PATH: reason`. Nothing
else is caught: a bug should show its traceback.
"""

import copy
import errno
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum, StrEnum
from typing import Annotated

import typer
from typer.core import TyperGroup

from litlist import __version__, catalog, query, render
from litlist.errors import LitlistError, OutputFailed, path_failed
from litlist.model import Catalog, Paper


class ExitCode(IntEnum):
    OK = 0
    USER_ERROR = 1
    USAGE = 2


# typer re-exports BadParameter but not its bases; these are click's UsageError and
# ClickException whichever click (bundled or not) this typer uses.
_UsageError = typer.BadParameter.__mro__[1]
_ClickException = _UsageError.__mro__[1]


# Help hints as words, the way gh and uv write them, instead of Typer's `<str>`, `<path>`
_HINTS = {"str": "TEXT", "text": "TEXT", "int": "N", "integer": "N", "float": "NUMBER"}


def _worded_hints(command) -> None:
    """Give every option and argument of a command a hint in capitals (TEXT, N, PATH) where
    the command did not choose one, so each command's help reads alike."""
    for param in command.params:
        kind = param.param_type_name
        if getattr(param, "is_flag", False) or kind not in ("option", "argument"):
            continue
        name = getattr(param.type, "name", "") or ""
        word = _HINTS.get(name, name.upper() or "TEXT")
        if kind == "argument":
            if param.metavar is None:
                param.metavar = (param.name or word).upper() + ("..." if param.nargs != 1 else "")
            # the hint column of an argument comes from its type: a copy, never the type
            # object other parameters share
            typed = copy.copy(param.type)
            typed.get_metavar = lambda param, ctx, word=word: word
            param.type = typed
        elif param.metavar is None and not getattr(param.type, "choices", None):
            param.metavar = word


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


def _settle_stderr() -> None:
    """Flush stderr now: a message it could not take (`2>/dev/full`) is dropped here, so
    Python's own flush at exit cannot fail and turn the command's exit code into 120."""
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
    except (OSError, ValueError):
        _discard_output(sys.stderr)


class _Group(TyperGroup):
    """Report usage errors as one `error:` line (Typer would draw a rich panel), and a
    failed standard output (full disk: one `error:` line; closed pipe: quietly) with exit 1."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        render.set_color("auto")  # each run decides anew (tests run many in one process)
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
            # what is still buffered must fail here, where it can be reported; unless a
            # write failed already and was reported inside the command: the bytes it left
            # in the buffer would fail again and print the error twice
            if not guarded.failed:
                sys.stdout.flush()
        except OutputFailed as exc:
            # outside a command's reporting(): `check`'s summary, --version
            if exc.errno != errno.EPIPE:
                render.error(str(exc))
            sys.exit(ExitCode.USER_ERROR)
        except _ClickException as exc:
            if not exc.format_message().strip():  # bare `litlist`: help shown, nothing wrong
                sys.exit(ExitCode.OK)
            ctx = getattr(exc, "ctx", None)
            path = ctx.command_path if ctx is not None else "litlist"
            render.error(f"{usage_message(exc)} (see `{path} --help`)")
            sys.exit(ExitCode.USAGE)
        except typer.Abort:
            sys.exit(130)
        finally:
            sys.stdout = real
            if guarded.failed:
                _discard_output(real)
            _settle_stderr()
        if guarded.failed:  # reported (or, for a closed pipe, not) inside the command
            sys.exit(ExitCode.USER_ERROR)
        sys.exit(result if isinstance(result, int) else ExitCode.OK)

    def get_command(self, ctx, cmd_name):
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _worded_hints(command)
            _global_options(self, command)
            _name_the_command(command)
        return command


def _name_the_command(command) -> None:
    """Let a usage error raised while a command's options are parsed ("--topic needs a
    value") know its command, so it points to `litlist show --help`, not `litlist --help`
    (click's parser raises some without a context)."""
    if getattr(command, "_litlist_parse", False):
        return
    parse = command.parse_args

    def parse_args(ctx, args):
        try:
            return parse(ctx, args)
        except _UsageError as exc:
            if getattr(exc, "ctx", None) is None:
                exc.ctx = ctx
            raise

    command.parse_args = parse_args
    command._litlist_parse = True


def _quoted(names) -> str:
    """Names as litlist writes choices: `a`, `b` or `c`."""
    names = [f"`{n}`" for n in names]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def usage_message(exc) -> str:
    """Click's own usage messages ("Option '--topic' requires an argument.", "No such
    command 'shwo'. Did you mean 'show'?") in litlist's voice: lower case, no closing full
    stop, the option named first, values in 'quotes', names to type in backticks."""
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    option = param.opts[0] if param is not None and getattr(param, "opts", None) else None
    text = " ".join(exc.format_message().split()) if kind != "BadParameter" else exc.message
    if kind == "NoSuchOption":
        near = getattr(exc, "possibilities", None)
        hint = f"; did you mean {_quoted(sorted(near))}?" if near else ""
        return f"no option {exc.option_name}{hint}"
    if kind == "BadOptionUsage" and "requires an argument" in text:
        return f"{exc.option_name} needs a value"
    if kind == "MissingParameter" and param is not None:
        if param.param_type_name == "argument":
            return f"missing {param.human_readable_name}"
        return f"missing {option}"
    if kind == "BadParameter":
        found = re.fullmatch(r"'(.*)' is not one of (.*)\.", exc.message, re.S)
        if found:  # a closed choice (--format, --sort, --color)
            choices = re.findall(r"'([^']*)'", found[2])
            near = query.closest(found[1], choices)
            hint = f"; did you mean {' or '.join(near)}?" if near else ""
            text = f"'{found[1]}' is not one of {', '.join(choices)}{hint}"
        else:
            found = re.fullmatch(r"'(.*)' is not a valid (integer|int|float)\.", exc.message)
            if found:
                whole = found[2] != "float"
                text = f"'{found[1]}' is not a {'whole ' if whole else ''}number"
            else:
                text = _sentence(text)
        hint = option or exc.param_hint
        return f"{hint}: {text}" if hint else text
    found = re.fullmatch(r"No such command '(.*?)'\.(?: Did you mean '(.*?)'\?)?", text)
    if found:
        return f"no command '{found[1]}'" + (f"; did you mean `{found[2]}`?" if found[2] else "")
    found = re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", text)
    if found:
        return f"unexpected argument: {found[1]}"
    return _sentence(text)


def _sentence(text: str) -> str:
    """Click's sentence in litlist's case: lower case first, no closing full stop."""
    return (text[:1].lower() + text[1:]).removesuffix(".")


def _global_options(group, command) -> None:
    """Give a command the group's `--color`, so that `litlist show --color always` works as
    `litlist --color always show` does (gh's global flags go anywhere)."""
    if any(p.name == "color" for p in command.params):
        return
    for param in group.params:
        if param.name == "color":
            shared = copy.copy(param)
            shared.expose_value = False  # the command's function takes no `color`
            command.params.append(shared)


app = typer.Typer(
    cls=_Group,
    help="A typed, searchable catalog of the 'Language Model Post List' reading list.\n\n"
    "Examples:\n"
    "  litlist search dpo\n"
    "  litlist show --topic peft\n"
    "  litlist export --tex draft.tex -o refs.bib",
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
def told() -> Iterator[None]:
    """Write status lines to stderr, best effort: a stderr that cannot be written (a full
    disk, `2>/dev/full`, a closed descriptor) never changes what a command did or its exit
    code. A change already written then still exits 0, so a script does not run it again
    (and add a note twice); nothing more is said, as there is nowhere to say it."""
    try:
        yield
    except (OSError, ValueError):  # ValueError: a stream closed meanwhile
        pass
    except AttributeError:  # started with stderr closed (`2>&-`): Python's sys.stderr is None
        if sys.stderr is not None:
            raise


@contextmanager
def reporting() -> Iterator[None]:
    """Turn a LitlistError into `error: …` on stderr and exit code 1.

    Reads and writes turn an OSError about a user's path into one (`errors.path_failed`);
    an OSError naming a file that still gets here (a loop of links met on a path no check
    foresaw) is reported the same way, `error: PATH: reason`, never as a traceback."""
    try:
        yield
    except LitlistError as exc:
        # a reader who closed the pipe (`litlist show | head`) needs no message
        if not (isinstance(exc, OutputFailed) and exc.errno == errno.EPIPE):
            with told():  # the exit code says it if stderr cannot
                render.error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except OSError as exc:
        if exc.filename is None:  # not about a path: a bug, whose traceback must show
            raise
        with told():
            render.error(str(path_failed(exc.filename, exc)))
        raise typer.Exit(ExitCode.USER_ERROR) from None


def say_lock_waits() -> None:
    """Let a write that has to wait for another program's lock on its file say so, once,
    on stderr (services never print: fsutil calls this hook)."""
    from litlist import fsutil

    def note(text: str) -> None:
        sys.stderr.write(f"note: {render.printable(text)}\n")
        sys.stderr.flush()

    fsutil.notify = note


# ---------------------------------------------------------------- completion


def _complete_names(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        cat = catalog.load(_catalog_option(ctx))
    except LitlistError:
        return []
    names = [n for n in [*cat.columns["id"], *cat.columns["key"]] if n]
    typed = incomplete.casefold()  # names are looked up in any case (`Vaswani2017` keys)
    return [n for n in names if n.casefold().startswith(typed)]


def _complete_topics(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        cat = catalog.load(_catalog_option(ctx))
    except LitlistError:
        return []
    slugs = [t.slug for t in cat.topics]
    segments = [s.rsplit("/", 1)[-1] for s in slugs]
    return [s for s in dict.fromkeys(slugs + segments) if s.startswith(incomplete)]


def _complete_venues(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        cat = catalog.load(_catalog_option(ctx))
    except LitlistError:
        return []
    # one word each (a name with spaces would need quoting in the shell)
    names = [n for v in cat.venues for n in (v.id, *v.aliases) if " " not in n]
    # --venue reads any case, but the shell keeps only what starts with the typed text: so
    # `neur` is offered `neurips`, and `Neur` `NeurIPS`
    found = [
        n if n.startswith(incomplete) else n.lower()
        for n in names
        if n.lower().startswith(incomplete.lower())
    ]
    return list(dict.fromkeys(found))


def _catalog_option(ctx: typer.Context) -> str | None:
    root = ctx.find_root()
    return (root.params or {}).get("catalog_path") or (ctx.obj or {}).get("catalog")


# ---------------------------------------------------------------- shared options


def _year_range(value: str | None) -> str | None:
    """`2022-2024` (or with an en dash) is the range the user means: `2022..2024`."""
    if value is None:
        return None
    found = re.fullmatch(r"\s*(\d{4})\s*[-–]\s*(\d{4})?\s*", value)
    if not found:
        return value
    low, high = found.groups()
    if high and int(low) > int(high):  # said here, in the user's own spelling
        raise typer.BadParameter(f"'{value}' is an empty range ({low} is after {high})")
    return f"{low}..{high or ''}"


# Short options only where no one misreads them: -t topic, -y year, -f format, -n limit,
# -c catalog. --venue has none: users read -v as verbose or version.
TopicOpt = Annotated[
    str | None,
    typer.Option(
        "--topic",
        "-t",
        metavar="TOPIC",
        help="Topic slug, slug segment or heading name (peft, rlhf, 'Attention Sink').",
        autocompletion=_complete_topics,
    ),
]
VenueOpt = Annotated[
    str | None,
    typer.Option(
        "--venue",
        metavar="VENUE",
        help="Venue or alias, any case (neurips, nips, icml-ws).",
        autocompletion=_complete_venues,
    ),
]
YearOpt = Annotated[
    str | None,
    typer.Option(
        "--year",
        "-y",
        metavar="YEAR",
        help="A year or range: 2024, 2022..2023 (or 2022-2023), 2023.., ..2020.",
        callback=_year_range,
    ),
]
FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="table (for people), json, keys (one citation key a line), markdown.",
    ),
]
FullOpt = Annotated[
    bool, typer.Option("--full", help="Cards with authors, summaries and whole abstracts.")
]
NamesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Paper ids or citation keys.",
        metavar="NAME...",
        autocompletion=_complete_names,
        show_default=False,
    ),
]


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


def _color(value: Color | None) -> None:
    if value is not None:  # not given: what an earlier --color (or auto) chose stands
        render.set_color(value.value)


ColorOpt = Annotated[
    Color | None,
    typer.Option(
        "--color",
        metavar="WHEN",
        callback=_color,
        is_eager=True,
        show_default=False,
        help="Colour: auto (on a terminal, unless NO_COLOR; FORCE_COLOR forces it), always "
        "(also into a pipe: `| less -R`, laid out as on the terminal) or never.",
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
    color: ColorOpt = None,
) -> None:
    """litlist: find, read and cite the papers of a curated LLM reading list (the app's
    `help` above is what `litlist --help` shows)."""
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
    grouped: bool | None = None,
    whole: bool = False,
    added: bool = False,
) -> None:
    """Write `positions` of `cat` in `fmt`; for people, a table (under the list's headings
    when `grouped`) or cards (with whole abstracts when `whole`); into a pipe, a table is one
    paper a line, tab-separated. With `added` (sorted by it), tables and records show the
    date added. Every format lists the papers in the order the table shows them."""
    if grouped is None:
        grouped = scores is None
    if grouped:
        positions = query.in_topic_order(cat, positions)
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
    elif not cards and not render.for_people(sys.stdout):
        emit(render.paper_records(papers, scores, added=added))
    else:
        limit = render.width(sys.stdout)
        if cards:
            lines = render.cards(cat, papers, limit, whole=whole)
        else:
            lines = render.table(cat, papers, limit, scores, matched, grouped=grouped, added=added)
        render.write(sys.stdout, lines)
        sys.stdout.flush()
