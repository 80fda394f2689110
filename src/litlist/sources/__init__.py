"""Where a new paper comes from: one module per place (`arxiv`, `crossref`, `bibfile`).

Each turns an identifier or a BibTeX entry into a `Draft`: what the source says about the
paper, not yet checked against any catalog (that is `editing.py`'s job). No writes here, and
httpx is imported only inside the functions that go to the network.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field

from litlist import __version__
from litlist.errors import InputError, LitlistError

TIMEOUT = 5.0  # seconds: a few, never "forever"
# An httpx transport used instead of the network: tests replay recorded answers with it.
TRANSPORT = None
EMAIL_ENV_VAR = "LITLIST_EMAIL"

_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID = re.compile(
    rf"^(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)?"
    rf"({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?(?:\.pdf)?/?$",
    re.IGNORECASE,
)
ARXIV_IN_TEXT = re.compile(
    rf"(?:arxiv(?:\.org)?[.:/ ]*(?:abs/|pdf/)?|abs/)({_ARXIV_NEW})(?:v\d+)?", re.IGNORECASE
)
DOI_ID = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
DOI_IN_TEXT = re.compile(r"(?:doi\.org/|doi:\s*)?(10\.\d{4,9}/[^\s\"<>{}]+)", re.IGNORECASE)
# arXiv's own DOIs name the preprint, which the `arxiv` field already holds
ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


class SourceError(LitlistError):
    """A service could not give the paper: no network, a timeout, an HTTP error, an unknown
    id or an answer we cannot read. Nothing was written."""

    def __init__(self, service: str, what: str) -> None:
        self.service = service
        super().__init__(
            f"{service}: {what}; nothing was added (offline? add it from a BibTeX entry: "
            "litlist add --bib FILE)"
        )


@dataclass
class Draft:
    """A paper as a source gives it: catalog-shaped values, unvalidated."""

    title: str
    authors: list[str]
    year: int | None = None
    venue: str | None = None  # a venue's name as the source writes it
    venue_kind: str = "preprint"  # the kind a new [[venue]] table would get
    booktitle: str | None = None
    workshop: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    publisher: str | None = None
    arxiv: str | None = None
    arxiv_class: str | None = None
    doi: str | None = None
    url: str | None = None
    key: str | None = None  # a BibTeX entry's own key
    origin: str = ""  # for messages: "arXiv 2305.18290", "entry 'rafailov2023direct'"
    notes: list[str] = field(default_factory=list)  # what the user should know


def parse_id(text: str) -> tuple[str, str]:
    """('arxiv', '2305.18290') or ('doi', '10.1/x') from an id or URL as users paste them."""
    text = text.strip()
    found = ARXIV_ID.match(text)
    if found:
        return "arxiv", found.group(1)
    found = DOI_ID.match(text)
    if found:
        doi = found.group(1).rstrip(".")
        arxiv = ARXIV_DOI.match(doi)
        return ("arxiv", arxiv.group(1)) if arxiv else ("doi", doi)
    raise InputError(
        f"'{text}' is neither an arXiv id (2305.18290, an arxiv.org URL) nor a DOI "
        "(10.NNNN/…, a doi.org URL)"
    )


def user_agent() -> str:
    """'litlist/0.1.0', plus the user's address when $LITLIST_EMAIL is set (Crossref's
    "polite pool" asks for one; we never invent it)."""
    email = os.environ.get(EMAIL_ENV_VAR, "").strip()
    return f"litlist/{__version__}" + (f" (mailto:{email})" if email else "")


def get(service: str, url: str, params: dict | None = None, *, transport=None):
    """One GET with a short timeout and no retries: the httpx response, or SourceError
    naming the service. `transport` lets tests replay recorded answers."""
    import httpx

    try:
        with httpx.Client(
            timeout=TIMEOUT,
            headers={"User-Agent": user_agent()},
            follow_redirects=True,
            transport=transport or TRANSPORT,
        ) as client:
            return client.get(url, params=params)
    except httpx.TimeoutException:
        raise SourceError(service, f"no answer within {TIMEOUT:.0f} s") from None
    except httpx.HTTPError as exc:
        raise SourceError(service, f"cannot connect ({type(exc).__name__})") from None


# ---------------------------------------------------------------- names

_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def catalog_name(first: str, von: str, last: str, jr: str) -> str:
    """A person as the catalog writes them: 'Given Family' when BibTeX would split it back
    the same way, else 'Family, Given' (several family words, a von part) or
    'Family, Jr., Given'."""
    family = " ".join(part for part in (von, last) if part)
    if jr:
        return ", ".join(part for part in (family, jr, first) if part)
    if " " in family:
        return f"{family}, {first}" if first else family
    return " ".join(part for part in (first, family) if part)


def split_plain_name(name: str) -> str:
    """A name as arXiv prints it ('Ludwig van Beethoven', 'Tom Brown Jr.') in catalog form."""
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    words = name.split()
    jr = ""
    if len(words) > 2 and words[-1].casefold() in _SUFFIXES:
        jr = words.pop().rstrip(",")
        words[-1] = words[-1].rstrip(",")
    try:
        parts = parse_single_name_into_parts(" ".join(words))
    except InvalidNameError:
        return " ".join(name.split())
    return catalog_name(" ".join(parts.first), " ".join(parts.von), " ".join(parts.last), jr)


def ascii_fold(text: str) -> str:
    """Letters without accents, lower case, letters and digits only ("O'Brien" -> "obrien")."""
    text = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("ł", "l"))
    return "".join(c for c in text.casefold() if c.isascii() and c.isalnum())


def one_line(text: str) -> str:
    """Whitespace (line breaks in Atom titles, runs of spaces) collapsed to single spaces."""
    return " ".join(text.split())
