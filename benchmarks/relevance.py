#!/usr/bin/env python3
"""Description search on a grown list: litlist against plain BM25 over title + abstract.

The papers are real ones with their abstracts, read at run time from a local git snapshot of
rbnyng/mlanthology (its `data/papers/<venue>-<year>.json.gz`, the proceedings' own metadata);
none of their text is in this repository. Get the snapshot with any git clone of that public
repository and point `--source` at it (a bare or a normal clone):

    python benchmarks/relevance.py --source /path/to/mlanthology            # both sets
    python benchmarks/relevance.py --source /path/to/mlanthology --set tune

Each set is the first N papers with an abstract of one volume, in the order of their
citation keys (deterministic). The script writes a litlist catalog of them to
benchmarks/out/relevance/<set>.toml (title, authors, year, venue and the abstract: what a
user's `litlist import` of the proceedings' .bib keeps), then runs every query of
benchmarks/relevance_queries.toml through

- litlist's own search (`litlist.query.search` on that catalog), and
- plain BM25 (k1 = 1.2, b = 0.75) over title + abstract, English Snowball stemming
  (PyStemmer), the same stop words, no other rule: the baseline a user could build,

and prints top-1 / top-3 for the description queries and how many off-topic queries return
nothing (BM25 returns something for any query holding one known word, so its column says
how often it does).

The queries were written, in our own words, from reading each target's abstract, before any
search tuning; see relevance_queries.toml.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "relevance"
QUERIES = HERE / "relevance_queries.toml"
# set name -> (volume file in the snapshot, how many papers)
SETS = {
    "tune": ("data/papers/iclr-2020.json.gz", 400),
    "heldout": ("data/papers/icml-2021.json.gz", 400),
}


def _git_root(source: Path) -> list[str]:
    return ["git", "-C", str(source)]


def read_volume(source: Path, path: str) -> list[dict]:
    """The papers of one volume file of the snapshot (a work tree or a bare git directory)."""
    direct = source / path
    if direct.is_file():
        raw = direct.read_bytes()
    else:
        raw = subprocess.run(
            [*_git_root(source), "show", f"HEAD:{path}"], check=True, capture_output=True
        ).stdout
    return json.loads(gzip.decompress(raw))["papers"]


def pick(papers: list[dict], n: int) -> list[dict]:
    """The first `n` papers with an abstract of 50 words or more, by citation key."""
    usable = [p for p in papers if len((p.get("abstract") or "").split()) >= 50 and p["title"]]
    usable.sort(key=lambda p: p["bibtex_key"])
    return usable[:n]


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_catalog(papers: list[dict], venue: str, path: Path) -> None:
    """A litlist catalog of `papers`: one topic, one venue, each paper with its abstract."""
    lines = [
        '[[topic]]\nslug = "all"\nname = "All"\n',
        f'[[venue]]\nid = "{venue}"\nname = "{venue}"\nkind = "conference"\n',
    ]
    seen: set[str] = set()
    for paper in papers:
        key = paper["bibtex_key"].replace("-", "")
        while key in seen:
            key += "x"
        seen.add(key)
        authors = [
            " ".join(x for x in (a.get("given"), a.get("family")) if x) for a in paper["authors"]
        ]
        authors = [a for a in authors if a] or ["Anonymous"]
        lines.append(
            "[[paper]]\n"
            f"id = {_toml(key)}\nkey = {_toml(key)}\ntitle = {_toml(paper['title'])}\n"
            f"authors = [{', '.join(_toml(a) for a in authors)}]\n"
            f'year = {int(paper["year"])}\nvenue = "{venue}"\ntopic = "all"\n'
            f"abstract = {_toml(' '.join(paper['abstract'].split()))}\n"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


class BM25:
    """Okapi BM25 over title + abstract with Snowball stems: the baseline."""

    def __init__(self, docs: list[str], k1: float = 1.2, b: float = 0.75) -> None:
        import Stemmer

        from litlist.index import STOPWORDS, words

        self._stem = Stemmer.Stemmer("english").stemWord
        self._words, self._stop = words, STOPWORDS
        self.k1, self.b = k1, b
        self.docs = [Counter(self.tokens(d)) for d in docs]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = sum(self.lengths) / len(self.lengths)
        self.df: Counter[str] = Counter(t for d in self.docs for t in d)

    def tokens(self, text: str) -> list[str]:
        return [self._stem(w) for w in self._words(text) if w not in self._stop]

    def rank(self, query: str) -> list[int]:
        n = len(self.docs)
        terms = set(self.tokens(query))
        scores = []
        for i, doc in enumerate(self.docs):
            s = 0.0
            for t in terms:
                tf = doc.get(t, 0)
                if tf:
                    idf = math.log(1 + (n - self.df[t] + 0.5) / (self.df[t] + 0.5))
                    norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg)
                    s += idf * tf * (self.k1 + 1) / norm
            if s > 0:
                scores.append((-s, i))
        return [i for _, i in sorted(scores)]


def evaluate(name: str, source: Path) -> dict:
    from litlist import catalog as cat
    from litlist import query

    volume, n = SETS[name]
    papers = pick(read_volume(source, volume), n)
    path = OUT / f"{name}.toml"
    write_catalog(papers, volume.rsplit("/", 1)[-1].split(".")[0], path)
    catalog = cat.load(path)
    ids = list(catalog.ids)
    spec = tomllib.loads(QUERIES.read_text(encoding="utf-8"))[name]
    bm25 = BM25([f"{p['title']} {p['abstract']}" for p in papers])
    described = spec["describe"]
    result = {"papers": len(papers), "queries": len(described)}
    ours1 = ours3 = base1 = base3 = 0
    misses = []
    started = time.perf_counter()
    for item in described:
        wanted = ids.index(item["key"])
        hits = [h.position for h in query.search(catalog, item["q"], limit=3)]
        ours1 += hits[:1] == [wanted]
        ours3 += wanted in hits
        if hits[:1] != [wanted]:
            misses.append(item["q"])
        ranked = bm25.rank(item["q"])[:3]
        base1 += ranked[:1] == [wanted]
        base3 += wanted in ranked
    korean = spec.get("korean", [])
    ko1 = ko3 = 0
    for item in korean:
        wanted = ids.index(item["key"])
        hits = [h.position for h in query.search(catalog, item["q"], limit=3)]
        ko1 += hits[:1] == [wanted]
        ko3 += wanted in hits
    off = spec["off_topic"]
    result.update(
        korean=len(korean),
        korean_top1=ko1,
        korean_top3=ko3,
        litlist_top1=ours1,
        litlist_top3=ours3,
        bm25_top1=base1,
        bm25_top3=base3,
        off_topic=len(off),
        litlist_nothing=sum(not query.search(catalog, q, limit=1) for q in off),
        bm25_nothing=sum(not bm25.rank(q) for q in off),
        misses=misses,
        seconds=round(time.perf_counter() - started, 2),
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="a clone of mlanthology")
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("--misses", action="store_true", help="list litlist's top-1 misses")
    args = parser.parse_args(argv)
    names = list(SETS) if args.set == "all" else [args.set]
    print(
        "| set | papers | queries | litlist top-1 | top-3 | BM25 top-1 | top-3 "
        "| off-topic → nothing: litlist | BM25 |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name in names:
        r = evaluate(name, args.source)
        print(
            f"| {name} | {r['papers']} | {r['queries']} | {r['litlist_top1']} | "
            f"{r['litlist_top3']} | {r['bm25_top1']} | {r['bm25_top3']} | "
            f"{r['litlist_nothing']}/{r['off_topic']} | {r['bm25_nothing']}/{r['off_topic']} |"
        )
        if r["korean"]:
            print(
                f"  Korean ({r['korean']}): litlist top-1 {r['korean_top1']}, "
                f"top-3 {r['korean_top3']} (BM25 cannot read Korean)"
            )
        if args.misses:
            for q in r["misses"]:
                print(f"  miss: {q}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
