"""biblatex's default data model, as biber checks it (`biber --validate-datamodel`): the
entry types, the fields each accepts, the classic names biber reads as biblatex's, and the
classic BibTeX type that stands for each biblatex-only type. Data only; no I/O.

The field lists are those of biblatex's `blx-dm.def` (biblatex 3.x, the version TeX Live
ships): the facts of the data model, written out here so that an export needs no TeX.
"""

from __future__ import annotations

ALL_TYPES_FIELDS = frozenset(
    (
        "abstract annotation authortype bookpagination crossref day doi endday "
        "endhour endminute endmonth endsecond endtimezone endyear endyeardivision "
        "entryset entrysubtype eprint eprintclass eprinttype execute file gender hour "
        "ids indexsorttitle indextitle isan ismn iswc keywords label langid "
        "langidopts library lista listb listc listd liste listf minute month namea "
        "nameaddon nameatype nameb namebtype namec namectype options origday "
        "origendday origendhour origendminute origendmonth origendsecond "
        "origendtimezone origendyear origendyeardivision orighour origlocation "
        "origminute origmonth origpublisher origsecond origtimezone origtitle "
        "origyear origyeardivision pagination presort related relatedoptions "
        "relatedstring relatedtype second shortauthor shorteditor shorthand "
        "shorthandintro shortjournal shortseries shorttitle sortkey sortname "
        "sortshorthand sorttitle sortyear timezone url urlday urlendday urlendhour "
        "urlendminute urlendmonth urlendsecond urlendtimezone urlendyear urlhour "
        "urlminute urlmonth urlsecond urltimezone urlyear usera userb userc userd "
        "usere userf verba verbb verbc xdata xref year yeardivision"
    ).split()
)

ENTRY_TYPES = frozenset(
    (
        "article artwork audio bibnote book bookinbook booklet collection commentary "
        "customa customb customc customd custome customf dataset inbook incollection "
        "inproceedings inreference image jurisdiction legal legislation letter manual "
        "misc movie music mvcollection mvreference mvproceedings mvbook online patent "
        "performance periodical proceedings reference report review set software "
        "standard suppbook suppcollection suppperiodical thesis unpublished video "
    ).split()
)

_TYPE_FIELDS = {
    "article": (
        "addendum annotator author commentator editor editora editoratype editorb "
        "editorbtype editorc editorctype editortype eid issn issue issuesubtitle "
        "issuetitle issuetitleaddon journalsubtitle journaltitle "
        "journaltitleaddon language note number origlanguage pages pubstate "
        "series subtitle title titleaddon translator version volume "
    ),
    "bibnote": ("note "),
    "book": (
        "addendum afterword annotator author chapter commentator edition editor "
        "editora editoratype editorb editorbtype editorc editorctype editortype "
        "eid foreword introduction isbn language location mainsubtitle maintitle "
        "maintitleaddon note number origlanguage pages pagetotal part publisher "
        "pubstate series subtitle title titleaddon translator volume volumes "
    ),
    "mvbook": (
        "addendum afterword annotator author commentator edition editor editora "
        "editoratype editorb editorbtype editorc editorctype editortype foreword "
        "introduction isbn language location note number origlanguage pagetotal "
        "publisher pubstate series subtitle title titleaddon translator volume "
        "volumes "
    ),
    "inbook,bookinbook,suppbook": (
        "addendum afterword annotator author bookauthor booksubtitle booktitle "
        "booktitleaddon chapter commentator edition editor editora editoratype "
        "editorb editorbtype editorc editorctype editortype eid foreword "
        "introduction isbn language location mainsubtitle maintitle "
        "maintitleaddon note number origlanguage pages part publisher pubstate "
        "series subtitle title titleaddon translator volume volumes "
    ),
    "booklet": (
        "addendum author chapter editor editortype eid howpublished language "
        "location note pages pagetotal pubstate subtitle title titleaddon type "
    ),
    "collection,reference": (
        "addendum afterword annotator chapter commentator edition editor editora "
        "editoratype editorb editorbtype editorc editorctype editortype eid "
        "foreword introduction isbn language location mainsubtitle maintitle "
        "maintitleaddon note number origlanguage pages pagetotal part publisher "
        "pubstate series subtitle title titleaddon translator volume volumes "
    ),
    "mvcollection,mvreference": (
        "addendum afterword annotator author commentator edition editor editora "
        "editoratype editorb editorbtype editorc editorctype editortype foreword "
        "introduction isbn language location note number origlanguage publisher "
        "pubstate subtitle title titleaddon translator volume volumes "
    ),
    "incollection,suppcollection,inreference": (
        "addendum afterword annotator author booksubtitle booktitle "
        "booktitleaddon chapter commentator edition editor editora editoratype "
        "editorb editorbtype editorc editorctype editortype eid foreword "
        "introduction isbn language location mainsubtitle maintitle "
        "maintitleaddon note number origlanguage pages part publisher pubstate "
        "series subtitle title titleaddon translator volume volumes "
    ),
    "dataset": (
        "addendum author edition editor editortype language location note number "
        "organization publisher pubstate series subtitle title titleaddon type "
        "version "
    ),
    "manual": (
        "addendum author chapter edition editor editortype eid isbn language "
        "location note number organization pages pagetotal publisher pubstate "
        "series subtitle title titleaddon type version "
    ),
    "misc,software": (
        "addendum author editor editortype howpublished language location note "
        "organization pubstate subtitle title titleaddon type version "
    ),
    "online": (
        "addendum author editor editortype language note organization pubstate "
        "subtitle title titleaddon version "
    ),
    "patent": (
        "addendum author holder location note number pubstate subtitle title "
        "titleaddon type version "
    ),
    "periodical": (
        "addendum editor editora editoratype editorb editorbtype editorc "
        "editorctype editortype issn issue issuesubtitle issuetitle "
        "issuetitleaddon language note number pubstate series subtitle title "
        "titleaddon volume yeardivision "
    ),
    "mvproceedings": (
        "addendum editor editortype eventday eventendday eventendhour "
        "eventendminute eventendmonth eventendsecond eventendtimezone "
        "eventendyear eventendyeardivision eventhour eventminute eventmonth "
        "eventsecond eventtimezone eventtitle eventtitleaddon eventyear "
        "eventyeardivision isbn language location note number organization "
        "pagetotal publisher pubstate series subtitle title titleaddon venue "
        "volumes "
    ),
    "proceedings": (
        "addendum chapter editor editortype eid eventday eventendday eventendhour "
        "eventendminute eventendmonth eventendsecond eventendtimezone "
        "eventendyear eventendyeardivision eventhour eventminute eventmonth "
        "eventsecond eventtimezone eventtitle eventtitleaddon eventyear "
        "eventyeardivision isbn language location mainsubtitle maintitle "
        "maintitleaddon note number organization pages pagetotal part publisher "
        "pubstate series subtitle title titleaddon venue volume volumes "
    ),
    "inproceedings": (
        "addendum author booksubtitle booktitle booktitleaddon chapter editor "
        "editortype eid eventday eventendday eventendhour eventendminute "
        "eventendmonth eventendsecond eventendtimezone eventendyear "
        "eventendyeardivision eventhour eventminute eventmonth eventsecond "
        "eventtimezone eventtitle eventtitleaddon eventyear eventyeardivision "
        "isbn language location mainsubtitle maintitle maintitleaddon note number "
        "organization pages part publisher pubstate series subtitle title "
        "titleaddon venue volume volumes "
    ),
    "report": (
        "addendum author chapter eid institution isrn language location note "
        "number pages pagetotal pubstate subtitle title titleaddon type version "
    ),
    "thesis": (
        "addendum author chapter eid institution language location note pages "
        "pagetotal pubstate subtitle title titleaddon type "
    ),
    "unpublished": (
        "addendum author eventday eventendday eventendhour eventendminute "
        "eventendmonth eventendsecond eventendtimezone eventendyear "
        "eventendyeardivision eventhour eventminute eventmonth eventsecond "
        "eventtimezone eventtitle eventtitleaddon eventyear eventyeardivision "
        "howpublished language location note pubstate subtitle title titleaddon "
        "type venue "
    ),
}

# Classic names biber reads as biblatex's (its own source map, applied before the check).
TYPE_ALIASES = {
    "conference": "inproceedings",
    "electronic": "online",
    "www": "online",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
}
FIELD_ALIASES = {
    "journal": "journaltitle",
    "address": "location",
    "school": "institution",
    "annote": "annotation",
    "archiveprefix": "eprinttype",
    "primaryclass": "eprintclass",
    "key": "sortkey",
    "pdf": "file",
    "hyphenation": "langid",
}
# A date field is the year, month and day fields it is split into.
_DATE_FIELDS = {
    "date": "year",
    "urldate": "urlyear",
    "eventdate": "eventyear",
    "origdate": "origyear",
}

CLASSIC_TYPES = frozenset(
    "article book booklet inbook incollection inproceedings conference manual "
    "mastersthesis misc phdthesis proceedings techreport unpublished".split()
)
# biblatex-only types as the classic type nearest in meaning (what classic styles can
# print); anything else a classic style knows only as @misc.
_CLASSIC = {
    "mvbook": "book",
    "collection": "book",
    "mvcollection": "book",
    "reference": "book",
    "mvreference": "book",
    "bookinbook": "inbook",
    "suppbook": "inbook",
    "suppcollection": "incollection",
    "inreference": "incollection",
    "mvproceedings": "proceedings",
    "report": "techreport",
    "suppperiodical": "article",
}
# biblatex's `type` keys that say what the classic type says by itself.
THESIS_KEYS = {"phdthesis": "phdthesis", "mathesis": "mastersthesis", "candthesis": "phdthesis"}
REPORT_KEYS = frozenset("techreport resreport".split())


def biblatex_type(entry_type: str) -> str:
    """The biblatex type biber reads `entry_type` as (a classic alias resolved; a type the
    data model does not have is read as @misc)."""
    name = TYPE_ALIASES.get(entry_type, entry_type)
    return name if name in ENTRY_TYPES else "misc"


def allows(entry_type: str, field: str) -> bool:
    """Whether biblatex's data model allows `field` (a classic alias or a date field
    included) in an entry of `entry_type`."""
    name = _DATE_FIELDS.get(field, FIELD_ALIASES.get(field, field))
    if name in ALL_TYPES_FIELDS:
        return True
    kind = biblatex_type(entry_type)
    return name in _FIELDS.get(kind, _FIELDS["misc"])


def classic_type(entry_type: str, type_field: str = "") -> str:
    """The classic BibTeX type an entry of `entry_type` is written as: its own if classic,
    the nearest classic type of a biblatex-only one (a thesis by the degree its `type`
    field names), else misc."""
    if entry_type in CLASSIC_TYPES:
        return entry_type
    if entry_type == "thesis":
        return "mastersthesis" if type_field.strip() == "mathesis" else "phdthesis"
    return _CLASSIC.get(entry_type, "misc")


_FIELDS = {
    kind: frozenset(words.split())
    for kinds, words in _TYPE_FIELDS.items()
    for kind in kinds.split(",")
}
