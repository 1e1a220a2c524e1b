"""Sector matrices, shares over time and sector evidence on five hand-made articles."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from diplokit.annotate import Annotations
from diplokit.corpus import Corpus
from diplokit.filters import ArticleIndex, Filters
from diplokit.lexicon import SECTOR_IDS
from diplokit.sector_stats import articles_for_key, sector_evidence, sector_matrix, sector_shares

ENT = {"RWA": ("Rwanda", "country", "RWA"), "BEN": ("Benin", "country", "BEN"), "KEN": ("Kenya", "country", "KEN"), "kagame": ("Paul Kagame", "person", "RWA")}

# id: (date, lang, source, sentences, mentions [(sentence, surface, entity)], sector cues [(sentence, surface, sector)])
STORIES = {
    "a1": ("2024-01-05", "en", "Wire", ["Rwanda and Benin signed a trade and defence pact.", "Trade talks follow."],
           [(0, "Rwanda", "RWA"), (0, "Benin", "BEN")], [(0, "trade", "trade"), (0, "defence", "security_defence"), (1, "Trade", "trade")]),
    "a2": ("2024-03-10", "fr", "Daily", ["Kagame a parlé de santé."], [(0, "Kagame", "kagame")], [(0, "santé", "health")]),
    "a3": ("2024-03-20", "en", "Wire", ["Kenya opens a clinic."], [(0, "Kenya", "KEN")], [(0, "clinic", "health")]),
    "a4": (None, "en", "Daily", ["Nothing here."], [], []),
    "a5": ("2024-01-30", "en", "Wire", ["Benin trade fair."], [(0, "Benin", "BEN")], [(0, "trade", "trade")]),
}


def make(stories=STORIES, lexicon=None) -> tuple[Corpus, Annotations]:
    arts, sents, ments, secs = [], [], [], []
    for aid, (date, lang, source, sentences, mentions, cues) in stories.items():
        arts.append({"article_id": aid, "title": f"Title {aid}", "date": date, "source": source, "lang": lang, "text": " ".join(sentences)})
        starts = np.cumsum([0] + [len(s) + 1 for s in sentences])
        for i, s in enumerate(sentences):
            sents.append({"article_id": aid, "sentence_id": i, "start": int(starts[i]), "end": int(starts[i]) + len(s), "text": s})
        for sid, surface, eid in mentions:
            at = int(starts[sid]) + sentences[sid].index(surface)
            name, typ, country = ENT[eid]
            ments.append({"article_id": aid, "sentence_id": sid, "start": at, "end": at + len(surface), "surface": surface, "entity_id": eid,
                          "entity_name": name, "entity_type": typ, "country": country, "match": "name"})
        for sid, surface, sector in cues:
            at = int(starts[sid]) + sentences[sid].index(surface)
            secs.append({"article_id": aid, "sentence_id": sid, "sector": sector, "cue": surface.lower(), "surface": surface, "start": at, "end": at + len(surface)})
    a = pd.DataFrame(arts).astype({"article_id": "str", "title": "str", "source": "str", "lang": "str", "text": "str"})
    a["date"] = pd.to_datetime(a["date"]).astype("datetime64[ns]")
    dyads = pd.DataFrame({"article_id": ["a1"], "country_a": ["BEN"], "country_b": ["RWA"], "name_a": ["Benin"], "name_b": ["Rwanda"],
                          "evidence": [1], "sentence_ids": ["0"], "basis": ["sentence"]})
    empty = pd.DataFrame({"article_id": pd.Series([], dtype="str")})
    ann = Annotations(pd.DataFrame(ments).astype({"article_id": "str", "entity_id": "str", "country": "str"}),
                      pd.DataFrame(secs).astype({"article_id": "str", "sector": "str", "surface": "str"}), empty, dyads, empty, lexicon=lexicon)
    return Corpus(a, pd.DataFrame(sents), pd.DataFrame(), pd.DataFrame({"status": []})), ann


@pytest.fixture
def tables():
    return make()


def _nonzero(df: pd.DataFrame) -> dict:
    """{row: {sector: n}} without the zeros, for compact exact comparisons."""
    return {(k.strftime("%Y-%m") if isinstance(k, pd.Timestamp) else k): {c: int(v) for c, v in row.items() if v} for k, row in df.iterrows()}


def test_by_article_mentions_and_articles(tables):
    corpus, ann = tables
    m = sector_matrix(ann, corpus, by="article")
    assert list(m.columns) == SECTOR_IDS and m.index.name == "article_id"
    assert (m.dtypes == np.int64).all()
    assert _nonzero(m) == {"a1": {"security_defence": 1, "trade": 2}, "a2": {"health": 1}, "a3": {"health": 1}, "a4": {}, "a5": {"trade": 1}}
    a = sector_matrix(ann, corpus, by="article", value="articles")
    assert _nonzero(a)["a1"] == {"security_defence": 1, "trade": 1}


def test_by_country_dyad_source_lang(tables):
    corpus, ann = tables
    # Rwanda: a1 directly, a2 through Kagame.
    assert _nonzero(sector_matrix(ann, corpus, by="country")) == {
        "BEN": {"trade": 3, "security_defence": 1}, "KEN": {"health": 1}, "RWA": {"trade": 2, "security_defence": 1, "health": 1}}
    assert _nonzero(sector_matrix(ann, corpus, by="country", value="articles")) == {
        "BEN": {"trade": 2, "security_defence": 1}, "KEN": {"health": 1}, "RWA": {"trade": 1, "security_defence": 1, "health": 1}}
    assert _nonzero(sector_matrix(ann, corpus, by="dyad")) == {"BEN-RWA": {"trade": 2, "security_defence": 1}}
    assert _nonzero(sector_matrix(ann, corpus, by="source")) == {"Daily": {"health": 1}, "Wire": {"trade": 3, "security_defence": 1, "health": 1}}
    assert _nonzero(sector_matrix(ann, corpus, by="lang", value="articles")) == {"en": {"trade": 2, "security_defence": 1, "health": 1}, "fr": {"health": 1}}


def test_by_month_is_a_continuous_calendar(tables):
    corpus, ann = tables
    m = sector_matrix(ann, corpus, by="month")
    assert isinstance(m.index, pd.DatetimeIndex) and m.index.name == "month"
    assert list(m.index) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01")]
    assert _nonzero(m) == {"2024-01": {"trade": 3, "security_defence": 1}, "2024-02": {}, "2024-03": {"health": 2}}


def test_articles_argument_restricts(tables):
    corpus, ann = tables
    m = sector_matrix(ann, corpus, by="month", articles=["a1", "a2"])
    assert _nonzero(m) == {"2024-01": {"trade": 2, "security_defence": 1}, "2024-02": {}, "2024-03": {"health": 1}}
    index = ArticleIndex.build(corpus, ann)
    mask = index.mask(Filters(langs="en"))
    pd.testing.assert_frame_equal(sector_matrix(ann, corpus, by="country", articles=mask), sector_matrix(ann, corpus, by="country", articles=["a1", "a3", "a4", "a5"]))
    pd.testing.assert_frame_equal(sector_matrix(ann, corpus, by="source", articles=mask, index=index), index.sector_counts(mask, by="source"))
    # A plain boolean array is read in corpus order.
    plain = np.array([True, False, True, False, False])
    assert list(sector_matrix(ann, corpus, by="article", articles=plain).index) == ["a1", "a3"]
    assert sector_matrix(ann, corpus, by="country", articles=[]).empty


def test_columns_follow_the_lexicon_order(tables):
    corpus, _ = tables
    order = list(reversed(SECTOR_IDS))
    lex = SimpleNamespace(sectors=pd.DataFrame({"id": order}), events=pd.DataFrame({"id": []}))
    _, ann = make(lexicon=lex)
    assert list(sector_matrix(ann, corpus, by="source").columns) == order
    assert sector_shares(ann, corpus)["sector"].unique().tolist() == order


def test_bad_arguments(tables):
    corpus, ann = tables
    with pytest.raises(ValueError):
        sector_matrix(ann, corpus, by="week")
    with pytest.raises(ValueError):
        sector_matrix(ann, corpus, value="cues")
    with pytest.raises(ValueError):
        sector_shares(ann, corpus, freq="W")


def test_shares_by_month(tables):
    corpus, ann = tables
    s = sector_shares(ann, corpus, freq="M")
    assert list(s.columns) == ["period", "sector", "articles", "share"]
    assert len(s) == 3 * len(SECTOR_IDS)  # three months × every sector
    assert s["period"].dtype == "datetime64[ns]" and s["articles"].dtype == np.int64 and str(s["sector"].dtype) == "str"
    jan = s[s["period"] == "2024-01-01"].set_index("sector")
    # January: a1 and a5, both with trade, a1 with defence.
    assert jan.loc["trade", "share"] == 1.0 and jan.loc["security_defence", "share"] == 0.5 and jan.loc["health", "share"] == 0.0
    assert jan.loc["trade", "articles"] == 2
    feb = s[s["period"] == "2024-02-01"]
    assert (feb["articles"] == 0).all() and feb["share"].isna().all()  # no articles: share undefined
    mar = s[s["period"] == "2024-03-01"].set_index("sector")
    assert mar.loc["health", "share"] == 1.0 and mar.loc["health", "articles"] == 2


@pytest.mark.parametrize("freq", ["Q", "Y"])
def test_shares_by_quarter_and_year(tables, freq):
    corpus, ann = tables
    s = sector_shares(ann, corpus, freq=freq).set_index("sector")
    # One period (2024Q1 / 2024) of 4 dated articles; undated a4 left out.
    assert s["period"].unique().tolist() == [pd.Timestamp("2024-01-01")]
    assert s.loc["trade", "share"] == 0.5 and s.loc["security_defence", "share"] == 0.25 and s.loc["health", "share"] == 0.5
    assert s.loc["energy", "share"] == 0.0


def test_shares_denominator_counts_articles_without_sectors():
    stories = dict(STORIES)
    stories["a6"] = ("2024-01-15", "en", "Wire", ["Quiet day."], [], [])
    corpus, ann = make(stories)
    shares = sector_shares(ann, corpus)
    jan = shares[shares["period"] == pd.Timestamp("2024-01-01")].set_index("sector")
    assert jan.loc["trade", "share"] == pytest.approx(2 / 3)


def test_determinism_under_row_order(tables):
    corpus, ann = tables
    shuffled_corpus = Corpus(corpus.articles.sample(frac=1, random_state=3).reset_index(drop=True), corpus.sentences, corpus.removed, corpus.report)
    shuffled = Annotations(ann.mentions.sample(frac=1, random_state=1), ann.sectors.sample(frac=1, random_state=2), ann.events, ann.dyads, ann.candidates)
    for by in ("article", "country", "month", "source"):
        pd.testing.assert_frame_equal(sector_matrix(ann, corpus, by=by), sector_matrix(shuffled, shuffled_corpus, by=by))
    pd.testing.assert_frame_equal(sector_shares(ann, corpus), sector_shares(shuffled, shuffled_corpus))


def test_sector_evidence(tables):
    corpus, ann = tables
    ev = sector_evidence(corpus, ann, "trade")
    assert list(ev.columns) == ["article_id", "sentence_id", "title", "date", "source", "sentence", "spans", "note"]
    assert list(zip(ev["article_id"], ev["sentence_id"])) == [("a5", 0), ("a1", 0), ("a1", 1)]  # newest first
    for s, spans in zip(ev["sentence"], ev["spans"]):
        assert [s[a:b].lower() for a, b in spans] == ["trade"]
    assert ev["note"].tolist() == ["cues: trade", "cues: trade", "cues: Trade"]
    by_country = sector_evidence(corpus, ann, "trade", key="RWA", by="country")
    assert by_country["article_id"].unique().tolist() == ["a1"]
    assert sector_evidence(corpus, ann, "trade", key="2024-01", by="month")["article_id"].tolist() == ["a5", "a1", "a1"]
    assert sector_evidence(corpus, ann, "trade", key=("RWA", "BEN"), by="dyad")["article_id"].unique().tolist() == ["a1"]
    assert sector_evidence(corpus, ann, "trade", limit=1)["article_id"].tolist() == ["a5"]
    assert sector_evidence(corpus, ann, "trade", articles=["a1"], key="Wire", by="source")["sentence_id"].tolist() == [0, 1]
    assert sector_evidence(corpus, ann, "energy").empty
    with pytest.raises(ValueError):
        sector_evidence(corpus, ann, "tradee")


def test_articles_for_key(tables):
    corpus, ann = tables
    assert articles_for_key(corpus, ann, "country", "RWA").tolist() == ["a1", "a2"]
    assert articles_for_key(corpus, ann, "month", "2024-03").tolist() == ["a2", "a3"]
    assert articles_for_key(corpus, ann, "lang", "fr").tolist() == ["a2"]


@pytest.mark.parametrize("seed", [0, 1])
def test_sector_counts_match_pandas_groupby_on_random_tables(seed):
    rng = np.random.default_rng(seed)
    n = 150
    ids = [f"r{i:03d}" for i in range(n)]
    arts = pd.DataFrame({"article_id": ids, "source": rng.choice(["s1", "s2", "s3"], n), "lang": rng.choice(["en", "fr"], n),
                         "date": pd.Series(pd.to_datetime("2023-01-01") + pd.to_timedelta(rng.integers(0, 500, n), unit="D")).astype("datetime64[ns]")})
    arts = arts.astype({"article_id": "str", "source": "str", "lang": "str"})
    secs = pd.DataFrame({"article_id": rng.choice(ids, 600), "sentence_id": 0, "sector": rng.choice(SECTOR_IDS, 600), "cue": "c", "surface": "c", "start": 0, "end": 1})
    secs = secs.astype({"article_id": "str", "sector": "str"})
    empty = pd.DataFrame({"article_id": pd.Series([], dtype="str")})
    ment = pd.DataFrame({"article_id": pd.Series([], dtype="str"), "sentence_id": [], "entity_id": pd.Series([], dtype="str"), "entity_name": pd.Series([], dtype="str"),
                         "entity_type": pd.Series([], dtype="str"), "country": pd.Series([], dtype="str")})
    corpus = Corpus(arts, pd.DataFrame(), pd.DataFrame(), pd.DataFrame({"status": []}))
    ann = Annotations(ment, secs, empty, empty, empty)
    chosen = pd.Index(rng.choice(ids, 90, replace=False))
    got = sector_matrix(ann, corpus, by="source", articles=chosen)
    s = secs[secs["article_id"].isin(chosen)].merge(arts[["article_id", "source"]], on="article_id")
    want = s.groupby(["source", "sector"]).size().unstack(fill_value=0).reindex(columns=SECTOR_IDS, fill_value=0)
    want = want.reindex(sorted(arts.loc[arts["article_id"].isin(chosen), "source"].unique()), fill_value=0)
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
    assert list(got.index) == list(want.index)
    got_a = sector_matrix(ann, corpus, by="lang", value="articles", articles=chosen)
    want_a = s.merge(arts[["article_id", "lang"]], on="article_id").drop_duplicates(["article_id", "sector"]).groupby(["lang", "sector"]).size().unstack(fill_value=0)
    np.testing.assert_array_equal(got_a.to_numpy(), want_a.reindex(columns=SECTOR_IDS, fill_value=0).reindex(got_a.index, fill_value=0).to_numpy())
