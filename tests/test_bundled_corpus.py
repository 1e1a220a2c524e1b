"""The corpus bundled in data/: what issue 2 promises about it."""
from __future__ import annotations

import re
import unicodedata
import warnings

import pandas as pd
import pytest

import diplokit
from diplokit.resources import CORPUS_DIR

from conftest import SEEDS


@pytest.fixture(scope="module")
def corpus():
    with warnings.catch_warnings():
        warnings.simplefilter("error", diplokit.DiplokitLoadWarning)
        return diplokit.load_corpus()


def test_every_file_is_an_article_with_metadata(corpus):
    files = sorted(p.name for p in CORPUS_DIR.glob("*.txt"))
    assert len(files) >= 40
    arts = corpus.articles
    assert sorted(arts["path"]) == files
    meta = pd.read_csv(CORPUS_DIR / "metadata.csv", dtype=str)
    assert sorted(meta["file"]) == files, "metadata.csv must list exactly the story files"
    assert arts["date"].notna().all() and arts["source"].ne("").all()
    assert arts["date"].min() >= pd.Timestamp("2019-01-01") and arts["date"].max() < pd.Timestamp("2027-01-01")
    assert arts["source"].nunique() >= 8
    assert set(corpus.report["status"]) == {"loaded"} | ({"metadata"} & set(corpus.report["status"]))


def test_languages_and_lengths(corpus):
    arts = corpus.articles
    assert (arts["lang"] == "fr").sum() >= 6
    assert set(arts["lang"]) == {"en", "fr"}
    words = arts["text"].str.split().str.len()
    assert words.between(150, 400).all(), arts.loc[~words.between(150, 400), "path"].tolist()


def test_some_stories_are_saved_like_scraped_pages(corpus):
    removed = corpus.removed[corpus.removed["kind"] == "boilerplate"]
    per_article = removed.groupby("article_id")["reason"].nunique()
    assert (per_article >= 3).sum() >= 4, "a few stories should carry breadcrumbs, counters, share prompts, spam"
    assert {"breadcrumb navigation", "view counter", "related-stories list", "comment section"} <= set(removed["reason"])


def test_no_direct_quotations(corpus):
    # Reported speech only: no quoted passages of several words attributed to anyone.
    quoted = corpus.articles["text"].str.contains(r"[\"“«]\s*\w+(?:\s+\w+){3,}[^\"”»]*[\"”»]", regex=True)
    assert not quoted.any(), corpus.articles.loc[quoted, "path"].tolist()


def _norm_sentences(text: str) -> set[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return {re.sub(r"\W+", " ", p).strip() for p in parts if len(p.split()) >= 8}


def test_the_bundled_corpus_copies_nothing_from_the_seeds(seeds_dir, corpus):
    seed_sents = set().union(*(_norm_sentences(p.read_text(encoding="utf-8")) for p in seeds_dir.glob("*.txt")))
    ours = set().union(*(_norm_sentences(t) for t in corpus.articles["text"]))
    assert seed_sents and not (seed_sents & ours)
    assert not any(p.name in {s.name for s in SEEDS.glob("*")} for p in CORPUS_DIR.iterdir())
