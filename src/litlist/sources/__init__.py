"""Where a new paper comes from: one module per place (`arxiv`, `crossref`, `bibfile`).

Each turns an identifier or a BibTeX entry into a `Draft`: what the source says about the
paper, not yet checked against any catalog (that is `editing.py`'s job). No writes here, and
httpx is imported only inside the functions that go to the network.
"""

from __future__ import annotations

import functools
import os
import re
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from litlist import __version__
from litlist.errors import InputError, LitlistError
from litlist.model import looks_like_organisation

# A request gets READ_TIMEOUT seconds for each read and TIMEOUT for the whole answer: a
# server that sends one byte every few seconds never trips a per-read limit alone.
TIMEOUT = 15.0
READ_TIMEOUT = 5.0
# The most an answer may hold once decompressed: a work record is a few kB, an arXiv
# entry less; 5 MB is room for the longest reference lists, and a gzip bomb stops there.
MAX_BYTES = 5_000_000
# An httpx transport used instead of the network: tests replay recorded answers with it.
TRANSPORT = None
# The clock the total time is measured on; tests put a fake one here.
CLOCK: Callable[[], float] = time.monotonic
EMAIL_ENV_VAR = "LITLIST_EMAIL"

_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
# an id as pasted: bare, after "arXiv:" (any case, spaces allowed), or in an arxiv.org link
# (abs, pdf or html page, any host of arxiv.org, with or without https://, a version, ".pdf",
# a trailing slash, a query or a fragment)
ARXIV_ID = re.compile(
    rf"^(?:arxiv:\s*|(?:https?://)?(?:[a-z]+\.)?arxiv\.org/(?:abs|pdf|html)/)?"
    rf"({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?(?:\.pdf)?/?(?:[?#]\S*)?$",
    re.IGNORECASE,
)
# in a URL, a note or a journal field; an old-style id only after "arxiv" (a bare "abs/"
# is DBLP's CoRR volume, abs/2106.09685, but also any site's /abs/name/1234567)
ARXIV_IN_TEXT = re.compile(
    rf"(?:arxiv(?:\.org)?[.:/ ]*(?:abs/|pdf/|html/)?|abs/(?=\d))({_ARXIV_NEW}|{_ARXIV_OLD})"
    r"(?:v\d+)?",
    re.IGNORECASE,
)
# a DOI as pasted: bare, after "doi:", or in a doi.org link (with or without https://); a
# publisher's page whose path names the DOI (dl.acm.org/doi/10..., onlinelibrary.wiley.com/doi/
# full/10...) says it too
DOI_ID = re.compile(r"^(?:doi:\s*)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
DOI_URL = re.compile(
    r"^(?:https?://)?(?:(?:www\.|dx\.)?doi\.org/|[a-z0-9.\-]+\.[a-z]+/(?:\S*/)?doi/"
    r"(?:abs/|full/|pdf/|epdf/|book/)?)(10\.\d{4,9}/[^?#\s]+)(?:[?#]\S*)?$",
    re.IGNORECASE,
)
DOI_IN_TEXT = re.compile(r"(?:doi\.org/|doi:\s*)?(10\.\d{4,9}/[^\s\"<>{}]+)", re.IGNORECASE)
# arXiv's own DOIs name the preprint, which the `arxiv` field already holds
ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


class SourceError(LitlistError):
    """A service could not give the paper: no network, a timeout, an HTTP error, an unknown
    id or an answer we cannot read. Nothing was written."""

    def __init__(self, service: str, what: str) -> None:
        self.service = service
        self.what = what
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
    urldate: str | None = None  # when a web page was read (biblatex's urldate)
    month: int | None = None
    address: str | None = None  # where a conference was held
    editors: list[str] = field(default_factory=list)
    entry_type: str | None = None  # the entry type a .bib wrote it as ("incollection")
    others: bool = False  # the source's author list ends in "and others"
    abstract: str | None = None
    keywords: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)  # other fields, verbatim BibTeX text
    key: str | None = None  # a BibTeX entry's own key
    origin: str = ""  # for messages: "arXiv 2305.18290", "entry 'rafailov2023direct'"
    notes: list[str] = field(default_factory=list)  # what the user should know


def parse_id(text: str) -> tuple[str, str]:
    """('arxiv', '2305.18290') or ('doi', '10.1/x') from an id or URL as users paste them."""
    from urllib.parse import unquote

    text = text.strip()
    found = ARXIV_ID.match(text)
    if found:
        return "arxiv", arxiv_id(found.group(1))
    found = DOI_ID.match(text)
    # in a link, a DOI is percent-encoded and "?" or "#" starts the query or fragment
    doi = found.group(1) if found else (m := DOI_URL.match(text)) and unquote(m.group(1))
    if doi:
        doi = doi.rstrip(".")
        arxiv = ARXIV_DOI.match(doi)
        return ("arxiv", arxiv_id(arxiv.group(1))) if arxiv else ("doi", doi)
    shown = text if len(text) <= 60 else text[:59] + "…"  # a pasted page is not echoed whole
    raise InputError(
        f"'{shown}' is neither an arXiv id (2305.18290, an arxiv.org URL) nor a DOI "
        "(10.NNNN/…, a doi.org URL)"
    )


def arxiv_id(text: str) -> str:
    """An arXiv id as arXiv writes it: an old-style archive in lower case and its subject
    class in upper case ('HEP-TH/9901001' -> 'hep-th/9901001', 'math.gt/…' -> 'math.GT/…')."""
    if "/" not in text:
        return text
    archive, number = text.split("/", 1)
    name, dot, subject = archive.partition(".")
    return f"{name.lower()}{dot}{subject.upper()}/{number}"


def user_agent() -> str:
    """'litlist/0.1.0', plus the user's address when $LITLIST_EMAIL is set (Crossref's
    "polite pool" asks for one; we never invent it)."""
    email = os.environ.get(EMAIL_ENV_VAR, "").strip()
    return f"litlist/{__version__}" + (f" (mailto:{email})" if email else "")


@dataclass(frozen=True)
class Answer:
    """A service's answer, read whole within the limits: status, media type, body."""

    status: int
    content_type: str
    body: bytes


def get(service: str, url: str, params: dict | None = None, *, transport=None) -> Answer:
    """One GET, no retries, read within TIMEOUT seconds in all and MAX_BYTES decoded:
    the Answer, or SourceError saying in words what went wrong. `transport` lets tests
    replay recorded answers."""
    import httpx

    deadline = CLOCK() + TIMEOUT
    try:
        with httpx.Client(
            timeout=httpx.Timeout(READ_TIMEOUT),
            # only what _decoded can undo with a bound on the output
            headers={"User-Agent": user_agent(), "Accept-Encoding": "gzip, deflate"},
            follow_redirects=True,
            transport=transport or TRANSPORT,
        ) as client:
            with client.stream("GET", url, params=params) as response:
                if response.is_stream_consumed:
                    # an answer built whole in memory (a test's): httpx decoded it already
                    chunks: Iterable[bytes] = [response.content]
                    encoding = ""
                else:
                    chunks = response.iter_raw()
                    encoding = response.headers.get("content-encoding", "")
                body = bytearray()
                for chunk in _decoded(service, chunks, encoding):
                    body += chunk
                    if len(body) > MAX_BYTES:
                        raise SourceError(
                            service, f"the answer is larger than {MAX_BYTES // 1_000_000} MB"
                        )
                    if CLOCK() > deadline:
                        raise SourceError(service, f"no whole answer within {TIMEOUT:.0f} s")
                kind = response.headers.get("content-type", "").split(";")[0].strip()
                return Answer(response.status_code, kind.lower(), bytes(body))
    except httpx.HTTPError as exc:
        raise SourceError(service, _in_words(exc)) from None


def _decoded(service: str, chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """The body as sent, decompressed piece by piece: no piece is ever more than 64 kB,
    so a small compressed answer that unpacks to gigabytes is stopped at the cap."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        yield from chunks
        return
    if encoding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflater = zlib.decompressobj()
    else:
        raise SourceError(service, f"the answer is compressed as '{encoding[:20]}', not gzip")
    try:
        for chunk in chunks:
            while chunk and not inflater.eof:
                yield inflater.decompress(chunk, 65536)
                chunk = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error:
        raise SourceError(service, "the answer's compressed data is damaged") from None


def _in_words(exc: Exception) -> str:
    """What an httpx error means for the user, in words (never a class name)."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {READ_TIMEOUT:.0f} s"
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect (no network, or the service is down)"
    if isinstance(exc, httpx.TooManyRedirects):
        return "the service sent the request round in circles (too many redirects)"
    if isinstance(exc, httpx.DecodingError):
        return "the answer's compressed data is damaged"
    if isinstance(exc, httpx.TransportError):
        return "the connection broke off before the answer was complete"
    return "the request failed"


# ---------------------------------------------------------------- names

_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def catalog_name(first: str, von: str, last: str, jr: str) -> str:
    """A person as the catalog writes them: 'Given Family' when BibTeX would split it back
    the same way, else 'Family, Given' (several family words, a von part) or
    'Family, Jr., Given'; also a person whose family name is a word teams end in ("Lab,
    Tom"), which written 'Given Family' would be exported as an organisation."""
    family = " ".join(part for part in (von, last) if part)
    if jr:
        return ", ".join(part for part in (family, jr, first) if part)
    # a lower-case word in a given name ("Alexander G de G") would be read as a von part
    # if the given name came first: it stays where it is only after the comma
    particle = any(word[:1].islower() for word in first.split())
    if " " in family or particle or (first and looks_like_organisation(f"{first} {family}")):
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


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def paragraphs(text: str, convert: Callable[[str], str] = one_line) -> str:
    """Text as an abstract is stored: its paragraphs (split at a blank line) each made one
    line by `convert` (LaTeX decoded, for a .bib), joined by a blank line."""
    found = (convert(part) for part in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in found if p)


# What LaTeX looks like: without any of these a value is plain text (most values are),
# and pylatexenc, which costs ~0.2 ms a value, is not needed.
_LATEX = re.compile(r"[\\{}$~%`&]|--|''")
# Math operators TeX sets apart from what follows ($O(n \log n)$ prints "log n"); strict
# spacing, right for text (`\L ukasz` is "Łukasz"), would glue them ("logn"), unless the
# macro is ended by an empty group.
_OPERATOR = re.compile(
    r"\\(?:log|lg|ln|exp|max|min|arg|sup|inf|lim|det|dim|deg|ker|gcd|Pr|sin|cos|tan)(?=\s)"
)
# A bare % or & (not \% or \&) in a title is text, as BibTeX copies it: in LaTeX % would
# start a comment that eats the rest of the title, & an alignment tab.
_BARE_SPECIAL = re.compile(r"(?<!\\)([%&])")


_KEEP_ARG = ("texttt", "textsf", "textnormal", "textup", "textsl", "textmd", "mbox", "hbox")
_LOGOS = ("TeX", "LaTeX", "BibTeX")


class _Decoder:
    """LaTeX to the text it prints (pylatexenc), fast for the plain values most are."""

    def __init__(self) -> None:
        from pylatexenc import latex2text
        from pylatexenc.latexwalker import get_default_latex_context_db

        # pylatexenc prints nothing for some font and box commands titles use
        # ("A \texttt{torch.compile} Study" lost its subject) or for the TeX logos
        texts = latex2text.get_default_latex_context_db()
        texts.add_context_category(
            "litlist",
            prepend=True,
            macros=[
                *(latex2text.MacroTextSpec(name, simplify_repl="%(1)s") for name in _KEEP_ARG),
                *(latex2text.MacroTextSpec(name, simplify_repl=name) for name in _LOGOS),
            ],
        )
        # math as text: "$\alpha$-divergences" is "α-divergences" (kept verbatim, the
        # export would print the dollars and the backslash)
        self._decoder = latex2text.LatexNodes2Text(
            latex_context=texts, math_mode="text", strict_latex_spaces=True
        )
        # built once: pylatexenc builds it again for every value unless given one
        self._context = get_default_latex_context_db()

    def __call__(self, value: str) -> str:
        from pylatexenc.latexwalker import LatexWalker

        if not _LATEX.search(value):
            return one_line(value)
        value = _BARE_SPECIAL.sub(r"\\\1", value)
        if "$" in value:
            value = _OPERATOR.sub(r"\g<0>{}", value)
        try:
            walker = LatexWalker(value, latex_context=self._context, tolerant_parsing=True)
            text = self._decoder.nodelist_to_text(walker.get_latex_nodes()[0])
        except Exception:  # noqa: BLE001 - odd LaTeX in a user's entry: keep it as written
            text = value.replace("{", "").replace("}", "")
        text = _MATH_LETTERS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
        return one_line(_ENTITY.sub(_entity, text) if "&" in text else text)


# $\mathcal{O}$ decodes to 𝒪, $\mathbb{R}$ to ℝ: kept as plain letters, which every LaTeX
# font has (exported as \mathscr or \mathbb they need packages a document may not load);
# ℓ, which LaTeX has as \ell, stays
_MATH_LETTERS = re.compile("[\u2100-\u2112\u2114-\u214f\U0001d400-\U0001d7ff]")


# HTML entities some sites put into BibTeX (ACM: "\&amp;", "\&\#x1f99c;")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")


def _entity(match: re.Match) -> str:
    """The character an HTML entity stands for when LaTeX can print it from a BibTeX file
    (a Latin letter, punctuation); else the entity as written: pdflatex stops at an emoji
    or a CJK character in a reference list, where the entity at least prints."""
    import html

    char = html.unescape(match.group())
    if len(char) == 1 and (ord(char) < 0x250 or 0x2000 <= ord(char) <= 0x206F):
        return char
    return match.group()


_DECODER: _Decoder | None = None


@functools.lru_cache(maxsize=1 << 16)
def latex_text(value: str) -> str:
    """A BibTeX value or a title with LaTeX in it (arXiv's titles keep their $\\alpha$) as
    the text it prints: accents, math as Unicode, braces gone, on one line."""
    global _DECODER
    if _DECODER is None:
        _DECODER = _Decoder()
    return _DECODER(value)
