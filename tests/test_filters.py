"""Filters and the ArticleIndex: exact selections on a small table, agreement with a
plain-pandas reference on random tables, and the ``articles=`` argument forms."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from diplokit.annotate import Annotations
from diplokit.corpus import Corpus
from diplokit.filters import ArticleIndex, ArticleMask, Filters, article_keys, select_articles, selected_ids
from diplokit.lexicon import SECTOR_IDS


def _tables(articles: list[dict], mentions: list[tuple], sectors: list[tuple], dyads: list[tuple] = ()) -> tuple[Corpus, Annotations]:
    arts = pd.DataFrame(articles).astype({"article_id": "str", "lang": "str", "source": "str"})
    arts["date"] = pd.to_datetime(arts["date"], format="ISO8601").astype("datetime64[ns]")
    m = pd.DataFrame(mentions, columns=["article_id", "sentence_id", "entity_id", "entity_type", "country"])
    m = m.assign(start=0, end=1, surface="x", entity_name=m["entity_id"], match="name").astype(
        {"article_id": "str", "entity_id": "str", "entity_type": "str", "country": "str", "entity_name": "str"})
    s = pd.DataFrame(sectors, columns=["article_id", "sentence_id", "sector"]).assign(cue="c", surface="c", start=0, end=1).astype({"article_id": "str", "sector": "str"})
    d = pd.DataFrame(list(dyads), columns=["article_id", "country_a", "country_b"]).astype("str")
    empty = pd.DataFrame({"article_id": pd.Series([], dtype="str")})
    return Corpus(arts, pd.DataFrame(), pd.DataFrame(), pd.DataFrame({"status": []})), Annotations(m, s, empty, d, empty)


@pytest.fixture
def small():
    arts = [
        {"article_id": "a1", "date": "2024-01-05", "lang": "en", "source": "Wire"},
        {"article_id": "a2", "date": "2024-03-31 23:30", "lang": "fr", "source": "Daily"},
        {"article_id": "a3", "date": None, "lang": "en", "source": "Wire"},
        {"article_id": "a4", "date": "2025-06-01", "lang": None, "source": None},
    ]
    mentions = [
        ("a1", 0, "RWA", "country", "RWA"),
        ("a1", 0, "BEN", "country", "BEN"),
        ("a2", 0, "kagame", "person", "RWA"),          # Rwanda through a person
        ("a3", 1, "rdf", "organization", "RWA"),       # ... and through an organisation
        ("a3", 1, "KEN", "country", None),             # a country entity without a country value
        ("a4", 0, "au", "organization", None),         # no country at all
    ]
    sectors = [("a1", 0, "trade"), ("a1", 0, "trade"), ("a2", 0, "health"), ("a4", 0, "energy"), ("a4", 0, "trade")]
    return _tables(arts, mentions, sectors, dyads=[("a1", "BEN", "RWA")])


def _sel(corpus, ann, **kw) -> list[str]:
    return select_articles(corpus, ann, Filters(**kw)).tolist()


def test_filters_normalise_and_hash():
    f = Filters(countries=["RWA", "BEN", "RWA"], langs="en")
    assert f.countries == ("BEN", "RWA") and f.langs == ("en",)
    assert f == Filters(countries=("RWA", "BEN"), langs=["en"]) and hash(f) == hash(Filters(countries=("RWA", "BEN"), langs=["en"]))
    assert Filters().is_empty and not f.is_empty
    with pytest.raises(ValueError):
        Filters(date_from="not a date")


def test_no_filter_keeps_everything_in_corpus_order(small):
    corpus, ann = small
    assert _sel(corpus, ann) == ["a1", "a2", "a3", "a4"]
    ids = select_articles(corpus, ann, None)
    assert ids.name == "article_id" and str(ids.dtype) == "str"


def test_date_bounds_keep_their_granularity(small):
    corpus, ann = small
    assert _sel(corpus, ann, date_from="2024") == ["a1", "a2", "a4"]  # undated a3 never passes
    assert _sel(corpus, ann, date_to="2024-03") == ["a1", "a2"]  # through the last instant of March
    assert _sel(corpus, ann, date_to="2024-03-30") == ["a1"]
    assert _sel(corpus, ann, date_to=pd.Timestamp("2024-03-31")) == ["a1", "a2"]  # midnight = that whole day
    assert _sel(corpus, ann, date_to=pd.Timestamp("2024-03-31 12:00")) == ["a1"]  # an instant is an instant
    assert _sel(corpus, ann, date_from="2024-02", date_to="2025") == ["a2", "a4"]
    assert _sel(corpus, ann, date_from="2026") == []


def test_langs_sources_any_of_and_missing_values(small):
    corpus, ann = small
    assert _sel(corpus, ann, langs=("en",)) == ["a1", "a3"]
    assert _sel(corpus, ann, langs=("en", "fr")) == ["a1", "a2", "a3"]  # a4 has no language
    assert _sel(corpus, ann, sources="Wire") == ["a1", "a3"]
    assert _sel(corpus, ann, sources=("Nowhere",)) == []
    assert _sel(corpus, ann, langs=()) == []  # an empty selection selects nothing


def test_countries_directly_or_through_people_and_organisations(small):
    corpus, ann = small
    assert _sel(corpus, ann, countries="RWA") == ["a1", "a2", "a3"]
    assert _sel(corpus, ann, countries="KEN") == ["a3"]
    assert _sel(corpus, ann, countries=("BEN", "KEN")) == ["a1", "a3"]
    assert _sel(corpus, ann, countries=("ZZZ",)) == []


def test_sectors_and_combinations(small):
    corpus, ann = small
    assert _sel(corpus, ann, sectors="trade") == ["a1", "a4"]
    assert _sel(corpus, ann, sectors=("health", "energy")) == ["a2", "a4"]
    assert _sel(corpus, ann, sectors="trade", countries="RWA") == ["a1"]
    assert _sel(corpus, ann, sectors="trade", date_from="2025", langs="en") == []
    assert _sel(corpus, ann, countries="RWA", langs="en", sources="Wire", date_to="2024-12") == ["a1"]


def test_mask_is_an_article_mask(small):
    corpus, ann = small
    index = ArticleIndex.build(corpus, ann)
    m = index.mask(Filters(countries="RWA"))
    assert isinstance(m, np.ndarray) and isinstance(m, ArticleMask) and m.dtype == bool
    assert m.tolist() == [True, True, True, False]
    both = m & index.mask(Filters(langs="en"))
    assert selected_ids(both).tolist() == ["a1", "a3"]  # combining masks keeps the ids
    assert index.ids(both).tolist() == ["a1", "a3"]
    with pytest.raises(ValueError):
        selected_ids(m[:2])  # a sliced mask no longer knows its articles


def test_selected_ids_forms():
    universe = np.array(["a", "b", "c"], dtype=object)
    assert selected_ids(None) is None
    assert selected_ids(np.array([True, False, True]), universe).tolist() == ["a", "c"]
    assert selected_ids(pd.Series([False, True], index=["x", "y"])).tolist() == ["y"]
    assert selected_ids(["b", "a", "b"]).tolist() == ["b", "a"]
    assert selected_ids({"z"}).tolist() == ["z"]
    assert selected_ids("a").tolist() == ["a"]
    with pytest.raises(TypeError):
        selected_ids(np.array([True, False, True]))
    with pytest.raises(ValueError):
        selected_ids(np.array([True]), universe)


def test_index_as_mask_accepts_ids_from_elsewhere(small):
    corpus, ann = small
    index = ArticleIndex.build(corpus, ann)
    assert index.as_mask(["a4", "a1", "nope"]).tolist() == [True, False, False, True]
    assert index.as_mask(None).all()


def test_article_keys_and_key_masks(small):
    corpus, ann = small
    index = ArticleIndex.build(corpus, ann)
    keys = article_keys(corpus.articles, ann.mentions, ann.dyads, "country")
    assert sorted(map(tuple, keys.values.tolist())) == [("a1", "BEN"), ("a1", "RWA"), ("a2", "RWA"), ("a3", "KEN"), ("a3", "RWA")]
    assert index.key_mask("country", "RWA").tolist() == [True, True, True, False]
    assert index.key_mask("month", "2024-03").tolist() == [False, True, False, False]
    assert index.key_mask("month", pd.Timestamp("2024-01-20")).tolist() == [True, False, False, False]
    assert index.key_mask("dyad", "RWA-BEN").tolist() == [True, False, False, False]
    assert index.key_mask("dyad", ("RWA", "BEN")).tolist() == [True, False, False, False]
    assert index.key_mask("source", "Wire").tolist() == [True, False, True, False]
    assert index.key_mask("article", "a3").tolist() == [False, False, True, False]
    assert not index.key_mask("country", "ZZZ").any()
    with pytest.raises(ValueError):
        article_keys(corpus.articles, ann.mentions, ann.dyads, "week")


def test_duplicate_article_ids_are_refused(small):
    corpus, ann = small
    with pytest.raises(ValueError):
        ArticleIndex(pd.concat([corpus.articles, corpus.articles.iloc[:1]]), ann.mentions)


# --------------------------------------------------------------------------------------
# Random tables against a plain-pandas reference
# --------------------------------------------------------------------------------------
def _random_tables(seed: int, n: int = 300):
    rng = np.random.default_rng(seed)
    ids = [f"{i:016x}" for i in rng.permutation(10_000)[:n]]
    days = rng.integers(0, 3 * 365, n)
    dates = (np.datetime64("2022-01-01") + days.astype("timedelta64[D]")).astype("datetime64[ns]")
    dates[rng.random(n) < 0.1] = np.datetime64("NaT")
    arts = [{"article_id": a, "date": d, "lang": rng.choice(["en", "fr"]), "source": rng.choice(["s1", "s2", "s3"])} for a, d in zip(ids, dates)]
    countries = ["BEN", "COD", "KEN", "RWA", "UGA"]
    mentions = []
    for a in ids:
        for _ in range(rng.integers(0, 4)):
            c = rng.choice(countries)
            kind = rng.choice(["country", "person", "organization"])
            mentions.append((a, 0, f"{kind}-{c}" if kind != "country" else c, kind, c))
    sectors = [(a, 0, rng.choice(SECTOR_IDS)) for a in ids for _ in range(rng.integers(0, 3))]
    return _tables(arts, mentions, sectors)


def _reference(corpus, ann, f: Filters) -> list[str]:
    arts = corpus.articles
    keep = pd.Series(True, index=arts.index)
    if f.date_from is not None:
        keep &= arts["date"] >= pd.Period(f.date_from).start_time
    if f.date_to is not None:
        keep &= arts["date"] < (pd.Period(f.date_to) + 1).start_time
    if f.langs is not None:
        keep &= arts["lang"].isin(f.langs)
    if f.sources is not None:
        keep &= arts["source"].isin(f.sources)
    if f.countries is not None:
        keep &= arts["article_id"].isin(ann.mentions.loc[ann.mentions["country"].isin(f.countries), "article_id"])
    if f.sectors is not None:
        keep &= arts["article_id"].isin(ann.sectors.loc[ann.sectors["sector"].isin(f.sectors), "article_id"])
    return arts.loc[keep, "article_id"].tolist()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mask_matches_pandas_reference_on_random_tables(seed):
    corpus, ann = _random_tables(seed)
    index = ArticleIndex.build(corpus, ann).warm()
    rng = np.random.default_rng(100 + seed)
    for _ in range(40):
        kw = {}
        if rng.random() < 0.5:
            kw["date_from"] = f"{rng.integers(2022, 2025)}-{rng.integers(1, 13):02d}"
        if rng.random() < 0.5:
            kw["date_to"] = f"{rng.integers(2022, 2025)}-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}"
        if rng.random() < 0.3:
            kw["langs"] = tuple(rng.choice(["en", "fr", "de"], size=rng.integers(1, 3)))
        if rng.random() < 0.3:
            kw["sources"] = tuple(rng.choice(["s1", "s2", "s3"], size=rng.integers(1, 3)))
        if rng.random() < 0.5:
            kw["countries"] = tuple(rng.choice(["BEN", "COD", "KEN", "RWA", "UGA", "ZZZ"], size=rng.integers(1, 3)))
        if rng.random() < 0.5:
            kw["sectors"] = tuple(rng.choice(SECTOR_IDS, size=rng.integers(1, 4)))
        f = Filters(**kw)
        assert index.ids(index.mask(f)).tolist() == _reference(corpus, ann, f), f
