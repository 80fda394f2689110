"""Reading a user's .bib (sources/bibfile.py): what each entry says reaches the Draft.

The small files in tests/fixtures/bib/repro/ are copies of the minimal reproductions filed
with issue #15 (one defect each); each test here failed before its fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from litlist.sources import bibfile

REPRO = Path(__file__).parent / "fixtures" / "bib" / "repro"


def _items(text: str) -> dict[str, bibfile.Item]:
    items, broken = bibfile.read(text)
    assert broken == []
    return {item.key: item for item in items}


def _draft(text: str, key: str | None = None):
    items = _items(text)
    item = items[key] if key else next(iter(items.values()))
    assert item.draft is not None, item.problem
    return item.draft


# ---------------------------------------------------------------- @string macros


class _CountingMacros(dict):
    """The @string table, counting every read of it: a copy of the table reads each entry."""

    reads = 0

    def keys(self):
        type(self).reads += len(self)
        return super().keys()

    def __getitem__(self, name):
        type(self).reads += 1
        return super().__getitem__(name)

    def get(self, name, default=None):
        type(self).reads += 1
        return super().get(name, default)

    def __iter__(self):
        type(self).reads += len(self)
        return super().__iter__()


def _macro_reads(monkeypatch: pytest.MonkeyPatch, strings: int) -> int:
    text = "".join(f'@string{{s{i} = "Name " # s{i - 1}}}\n' for i in range(strings))
    text += "".join(
        f"@article{{k{i}, title={{T {i}}}, author={{A B}}, journal=s{i}, year=2020}}\n"
        for i in range(0, strings, 10)
    )
    _CountingMacros.reads = 0
    monkeypatch.setattr(bibfile, "_new_macros", _CountingMacros)
    items, _ = bibfile.read(text)
    assert len(items) == strings // 10
    return _CountingMacros.reads


def test_many_string_macros_are_read_in_linear_work(monkeypatch):
    # each value used to be resolved against a fresh copy of every @string so far: 40,000
    # @string lines took 52.7 s. Four times the @strings must cost four times the reads.
    small, large = _macro_reads(monkeypatch, 1000), _macro_reads(monkeypatch, 4000)
    assert large <= 4.5 * small, (small, large)


def _repro(name: str) -> dict[str, bibfile.Item]:
    return _items((REPRO / name).read_text(encoding="utf-8"))


def _repro_draft(name: str, key: str):
    item = _repro(name)[key]
    assert item.draft is not None, item.problem
    return item.draft


# ---------------------------------------------------------------- names


def test_lower_case_words_in_a_given_name_stay_in_it():
    draft = _repro_draft("von-in-given.bib", "matthews2018")
    # "Matthews, Alexander G de G" was stored "Alexander G de G Matthews", then exported
    # with "de G Matthews" as the family name
    assert draft.authors == ["Matthews, Alexander G de G", "Santos, Cicero Nogueira dos"]


def test_biblatex_extended_names_are_one_person_each():
    draft = _repro_draft("biblatex-extended-names.bib", "acosta2022")
    assert draft.authors == [
        "Monica Pena Acosta",
        "dos Santos, Joao Miguel Oliveira",
        "Andre Doree",
    ]


def test_extended_name_with_braced_and_quoted_parts():
    text = (
        "@article{a, title={T}, journal={J}, year=2020, author={"
        'family={van der Berg}, given="Jan Willem", suffix=Jr. and given=Ada, family=Lovelace}}'
    )
    assert _draft(text).authors == ["van der Berg, Jr., Jan Willem", "Ada Lovelace"]


def test_and_others_is_kept():
    draft = _repro_draft("others.bib", "lin2010")
    assert draft.authors == ["Yuanqing Lin", "X Zhou"] and draft.others


# ---------------------------------------------------------------- identifiers and years


@pytest.mark.parametrize(
    ("name", "key", "arxiv"),
    [
        ("arxiv-braced.bib", "Bahdanau.Cho.Bengio.2014", "1409.0473"),
        # the identifier part of arxiv-fuzzy.bib: each entry keeps its own number
        ("arxiv-fuzzy.bib", "smith2022using", "2201.11990"),
        ("arxiv-fuzzy.bib", "wei2022chain", "2201.11903"),
        ("arxiv-in-volume.bib", "BateEtal15b", "1506.04967"),
        ("arxiv-in-volume.bib", "Shulman18", "1805.07518"),
        ("volume-with-eprint.bib", "sardana2024beyond", "2401.00448"),
    ],
)
def test_arxiv_ids_are_found_wherever_people_put_them(name, key, arxiv):
    draft = _repro_draft(name, key)
    assert draft.arxiv == arxiv


@pytest.mark.parametrize(
    "fields",
    [
        "arxivid={2301.00001}",
        "eprint={2301.00001}, eprinttype={arxiv}",
        "journal={arXiv preprint arXiv:2301.00001}",
        "journal={{arXiv}}, number={2301.00001}",
        "journal={{arXiv}}, note={2301.00001}",
        "howpublished={\\url{https://arxiv.org/abs/2301.00001v2}}",
        "note={arXiv:2301.00001}",
        "url={http://arxiv.org/pdf/2301.00001.pdf}",
    ],
)
def test_arxiv_id_in_any_field_that_may_hold_one(fields):
    draft = _draft(f"@misc{{a, title={{T}}, author={{X Y}}, year=2023, {fields}}}")
    assert draft.arxiv == "2301.00001"


def test_a_bare_number_names_no_arxiv_paper_unless_the_entry_says_arxiv():
    draft = _draft(
        "@article{a, title={T}, author={X Y}, year=2023, journal={J}, volume={1506.04967}}"
    )
    assert draft.arxiv is None and draft.volume == "1506.04967"


@pytest.mark.parametrize(
    "field", ["note={doi:10.1000/xyz123}", "url={https://doi.org/10.1000/xyz123}"]
)
def test_a_doi_in_a_note_or_url_is_found(field):
    assert (
        _draft(f"@misc{{a, title={{T}}, author={{X Y}}, year=2023, {field}}}").doi
        == "10.1000/xyz123"
    )


def test_a_sort_key_in_a_year_is_not_the_year():
    draft = _repro_draft("noopsort-year.bib", "knuth81")
    assert draft.year == 1981 and not draft.notes


def test_years_before_1900_and_from_date():
    assert _repro_draft("old-year.bib", "gauss1809").year == 1809
    draft = _repro_draft("thesis-journaltitle.bib", "hjelseth2019")
    assert (draft.year, draft.month) == (2019, 1)
    assert draft.extra["date"] == "2019-01-08"  # the day, kept as written


# ---------------------------------------------------------------- types and fields


def test_an_article_keeps_its_journal_over_a_stray_booktitle():
    draft = _repro_draft("article-with-booktitle.bib", "Arch11a")
    assert draft.venue == "Neurotoxicity Research" and draft.booktitle is None
    assert draft.extra == {"booktitle": "Acta Neurologica Scandinavica"}


def test_a_thesis_keeps_its_institution_over_a_journaltitle():
    draft = _repro_draft("thesis-journaltitle.bib", "hjelseth2019")
    assert draft.venue == "Norwegian University of Life Sciences, Ås"
    assert draft.venue_kind == "phdthesis" and draft.entry_type == "thesis"
    assert draft.extra["journaltitle"] == "1 b. (flere pag.)"


def test_article_number_pages_and_series_and_volume_with_eprint_are_kept():
    assert _repro_draft("article-number-pages.bib", "DBLP:journals/pacmpl/EmmiE19").pages == (
        "60:1-60:28"
    )
    draft = _repro_draft("volume-with-eprint.bib", "sardana2024beyond")
    assert (draft.volume, draft.extra["series"]) == (
        "235",
        "Proceedings of Machine Learning Research",
    )


def test_valid_entries_of_every_kind_are_read():
    items = _repro("misc-venues.bib")
    assert {key: item.problem for key, item in items.items()} == dict.fromkeys(items)
    booklet = items["booklet-full"].draft
    assert booklet and booklet.extra["howpublished"] == "Vernier Art Center"
    collection = items["gaonkar"].draft
    assert (
        collection
        and collection.authors == []
        and collection.editors == ["Dilip Parameshwar Gaonkar"]
    )
    assert collection.entry_type == "collection"
    unpublished = items["caselli2022"].draft
    assert unpublished and unpublished.extra == {
        "eventtitle": "Knowledge Graph Forum 2022",
        "venue": 'Z{\\"u}rich',
    }


def test_a_crossref_child_inherits_author_and_editor():
    items = _repro("crossref-author.bib")
    chapter = items["inbook-crossref"].draft
    assert chapter and chapter.authors == ["Donald E. Knuth"]
    assert (chapter.booktitle, chapter.extra) == (
        "The Art of Computer Programming",
        {"chapter": "1.2"},
    )
    assert items["chap"].draft and items["chap"].draft.entry_type == "incollection"


def test_a_titles_laid_out_math_is_kept_as_latex():
    # "$\pi_n(S^n)$" was decoded to "π_n(S^n)" and exported with its _ and ^ escaped
    draft = _repro_draft("math-title.bib", "LicataB")
    assert draft.title == "$\\pi_n(S^n)$ in Homotopy Type Theory"
    assert _draft("@misc{a, title={On $\\alpha$-divergences}, author={X Y}, year=2020}").title == (
        "On α-divergences"
    )


def _parts(name: str) -> tuple[str, ...]:
    """(first, von, last, jr) as BibTeX reads a name, LaTeX decoded."""
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    from litlist.sources import latex_text

    parts = parse_single_name_into_parts(name)
    return tuple(latex_text(" ".join(p)) for p in (parts.first, parts.von, parts.last, parts.jr))


@pytest.mark.parametrize(
    "name",
    [
        "Matthews, Alexander G de G",
        "Santos, Cicero Nogueira dos",
        "Ludwig van Beethoven",
        "van Beethoven, Ludwig",
        "Del Maestro, Adrian",
        "Adrian Del Maestro",
        "Jean de La Fontaine",
        "King, Jr., Martin Luther",
        "Charles Louis Xavier Joseph de la Vall{\\'e}e Poussin",
        "{\\'E}mile Zola",
        "Brinch Hansen, Per",
        "Zeyuan Allen{-}Zhu",
    ],
)
def test_a_name_is_exported_as_bibtex_read_it(name):
    from litlist.bibtex import bibtex_name

    [stored], _ = bibfile._people(name, bibfile.latex_text)
    assert _parts(bibtex_name(stored)) == _parts(name), stored


def test_an_extended_name_is_exported_with_its_parts():
    from litlist.bibtex import bibtex_name

    [stored], _ = bibfile._people(
        "family=Oord, given=Aaron, prefix=van den, useprefix=true", bibfile.latex_text
    )
    assert _parts(bibtex_name(stored)) == ("Aaron", "van den", "Oord", "")


def test_a_misc_known_only_by_its_doi_is_read():
    draft = _draft("@misc{d, title={Data}, author={X Y}, year=2021, doi={10.5281/zenodo.1234}}")
    assert (draft.doi, draft.venue, draft.entry_type) == ("10.5281/zenodo.1234", "Unknown", "misc")
