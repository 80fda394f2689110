"""`litlist export`: BibTeX for papers, for a draft's citations, into a new or existing file."""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from litlist import query, render
from litlist.cli._app import (
    NamesArg,
    TopicOpt,
    VenueOpt,
    YearOpt,
    app,
    emit,
    load_catalog,
    reporting,
    say_lock_waits,
)

if TYPE_CHECKING:  # imported when the command runs: startup stays cheap
    from litlist.bibtex import Dropped, Trouble


@app.command(name="export")
def export_cmd(
    ctx: typer.Context,
    names: NamesArg = None,
    topic: TopicOpt = None,
    venue: VenueOpt = None,
    year: YearOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (refuses to overwrite without --force); - is stdout.",
            dir_okay=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the -o file.")] = False,
    merge: Annotated[
        Path | None,
        typer.Option(
            "--merge",
            help="Add the papers not already in this .bib, keeping every line of it.",
            dir_okay=False,
        ),
    ] = None,
    tex: Annotated[
        list[Path] | None,
        typer.Option(
            "--tex", help="Export what this LaTeX draft cites (follows \\input and \\include)."
        ),
    ] = None,
    aux: Annotated[
        Path | None, typer.Option("--aux", help="Export what this .aux file cites.")
    ] = None,
    allow_missing: Annotated[
        bool,
        typer.Option("--allow-missing", help="Export the known keys and warn about unknown ones."),
    ] = False,
    add_as_cited: Annotated[
        bool,
        typer.Option(
            "--add-as-cited",
            help="With --merge and a draft: add a paper the .bib has under another key "
            "under the key the draft cites, instead of failing.",
        ),
    ] = False,
    biblatex: Annotated[
        bool,
        typer.Option(
            "--biblatex", help="biblatex fields (eprinttype, journaltitle, date) for biber."
        ),
    ] = False,
    as_listed: Annotated[
        bool,
        typer.Option(
            "--as-listed",
            help="Cite papers as the list gives them, not their later version of record.",
        ),
    ] = False,
    abstracts: Annotated[
        bool,
        typer.Option("--abstracts", help="Include each paper's abstract (left out by default)."),
    ] = False,
) -> None:
    """Write BibTeX for papers: all, a selection, or exactly what a draft cites.

    Examples:
      litlist export --topic rlhf
      litlist export --tex draft.tex -o refs.bib
      litlist export dpo --merge refs.bib
    """
    from litlist import bibtex, citations

    with reporting():
        if output is not None and merge is not None:
            raise bibtex.ExportError("use either -o or --merge, not both")
        if add_as_cited and (merge is None or not (tex or aux)):
            raise bibtex.ExportError("--add-as-cited goes with --merge and --tex or --aux")
        if output == Path("-"):  # the usual name for standard output
            output = None
        cat = load_catalog(ctx)
        # --force or --merge would put BibTeX over a file this command reads
        read: list[tuple[str | Path, str]] = [(cat.path, "the catalog in use")]
        read += [(t, "a draft being read") for t in tex or []]
        read += [(aux, "the .aux being read")] if aux is not None else []
        if (output is not None or merge is not None) and (tex or aux):
            # and every file the draft brings in (\input, \include, an .aux's \@input)
            read += [(p, "a file the draft reads") for p in citations.files_read(tex or [], aux)]
        for target in (output, merge):
            for path, what in read:
                if target is not None and _same_file(target, path):
                    raise bibtex.ExportError(
                        f"{target} is {what}; write the BibTeX to another file"
                    )
        positions = query.select(cat, topic=topic, venue=venue, year=year)
        cited, source = citations.collect(tex or [], aux) if (tex or aux) else ([], "")
        if (tex or aux) and not cited:
            # never "everything": with --merge that would fill the user's .bib
            verb = "cites" if len(tex or []) + (aux is not None) == 1 else "cite"
            raise bibtex.ExportError(f"{source} {verb} no papers")
        # the keys the draft names: \nocite{*} names none (every .bib entry is listed anyway)
        named = frozenset(cited) - {citations.ALL}
        if citations.ALL in cited:  # \nocite{*}: the draft cites everything
            cited = [k for k in cat.columns["key"] if k]
        if names or cited:
            found, warnings = query.resolve(
                cat, names or [], cited, where=source, allow_missing=allow_missing
            )
            for warning in warnings:
                render.warning(warning)
            chosen = set(positions)
            positions = [i for i in found if i in chosen]
        summaries = [cat.columns["id"][i] for i in positions if cat.columns["kind"][i] != "paper"]
        if summaries and (names or cited):
            render.warning(f"not citable, skipped (summary posts): {', '.join(summaries)}")
        positions = [i for i in positions if cat.columns["kind"][i] == "paper"]
        if not positions and (cited or output is not None or merge is not None):
            filters = {"--topic": topic, "--venue": venue, "--year": year}
            raise bibtex.ExportError(_nothing_to_write(source, filters, output or merge))
        papers = [cat.paper(i) for i in positions]
        style = bibtex.Style(biblatex=biblatex, as_listed=as_listed, abstracts=abstracts)
        if merge is not None:
            # the draft must still compile after the merge: its cited keys, and where
            draft = (
                bibtex.CitingDraft(
                    named,
                    lambda keys: citations.where_cited(tex or [], aux, keys),
                    add_as_cited,
                )
                if named
                else None
            )
            say_lock_waits()
            report = bibtex.merge_into(
                merge,
                papers,
                cat,
                style,
                progress=render.progress_factory(sys.stderr),
                draft=draft,
            )
            for line in report.lines():
                sys.stderr.write(render.printable(line) + "\n")
            _warn_of(report.trouble)
            _note_dropped(report.dropped)
            return
        dropped = bibtex.Dropped()
        text = bibtex.export(
            papers, cat, style, progress=render.progress_factory(sys.stderr), dropped=dropped
        )
        _note_dropped(dropped)
        if not biblatex:
            _warn_of(bibtex.pdflatex_trouble(text))
        entries = f"{len(papers)} {'entry' if len(papers) == 1 else 'entries'}"
        if output is None:
            emit(text)
            if not (names or cited or topic or venue or year):
                # nothing chose these: say how many, and how to choose
                sys.stderr.write(
                    f"exported {entries}: every paper in the list (name papers, or choose "
                    "with --topic, --venue, --year or --tex)\n"
                )
        else:
            bibtex.write_new(output, text, force=force)
            sys.stderr.write(render.printable(f"wrote {entries} to {output}") + "\n")


def _note_dropped(dropped: "Dropped") -> None:
    """Say once which fields of the user's own entries a --biblatex export left out."""
    if dropped:
        sys.stderr.write(render.printable(f"note: {dropped.line()}") + "\n")


def _warn_of(trouble: "Trouble") -> None:
    """Say which entries pdflatex will stop on, and what compiles them."""
    for key, chars in trouble.untypesettable.items():
        render.warning(
            f"{key}: pdflatex cannot typeset {chars[:12]} (no LaTeX command writes it); "
            "compile with XeLaTeX or LuaLaTeX"
        )
    for key, commands in trouble.needs_t1.items():
        render.warning(
            f"{key}: {commands} need T1 fonts: add \\usepackage[T1]{{fontenc}} if the "
            "document has none (LaTeX's default OT1, as in ICML's template, stops on them)"
        )


def _same_file(target: Path, path: str | Path) -> bool:
    """Whether `target` is the file at `path` (by any name: a symlink, a hard link)."""
    try:
        return os.path.samefile(target, path)
    except OSError:  # no such file yet: nothing to protect
        return False


def _nothing_to_write(source: str, filters: dict[str, str | None], target: Path | None) -> str:
    """Why an export for a draft or into a file has no entry (rather than an empty file)."""
    given = " ".join(f"{option} {value}" for option, value in filters.items() if value)
    if source:
        where = f"the selection ({given})" if given else "the catalog"  # --allow-missing
        what = f"none of the papers {source} cites is in {where}"
    else:
        what = "no citable paper to export" + (f" with {given}" if given else "")
    return what + (f"; {target} not written" if target is not None else "")
