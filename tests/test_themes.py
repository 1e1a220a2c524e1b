"""Event tables and evidence (lexicon themes), discovered themes (TF-IDF + NMF):
exact counts, determinism, and two well-separated clusters of stories recovered."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from diplokit.annotate import Annotations
from diplokit.corpus import Corpus
from diplokit.lexicon import EVENT_IDS
from diplokit.resources import lexicon_path
from diplokit.themes import ThemeModel, discover_themes, event_evidence, event_table, load_stopwords, term_spans, theme_evidence

HEALTH = [
    "Rwanda and Kenya launch a malaria vaccine campaign in rural clinics.",
    "Health ministers discussed vaccine production and malaria clinics.",
    "Le Bénin lance une campagne de vaccination contre le paludisme dans les cliniques.",
    "Nurses from Kenya trained on malaria vaccine delivery in clinics.",
    "The vaccine plant will supply malaria doses to regional clinics.",
    "Doctors said malaria cases fell after the vaccine campaign reached clinics.",
]
MINING = [
    "Congo signs a cobalt mining deal with a copper refinery investor.",
    "The copper mine and cobalt refinery will export through the port.",
    "La RDC signe un accord minier sur le cobalt et le cuivre avec la raffinerie.",
    "Zambia expands copper mining and cobalt refining capacity.",
    "Cobalt prices rose as the copper mining consortium opened a refinery.",
    "Officials said the cobalt mine will feed the copper refinery next year.",
]


def corpus_of(texts: dict[str, str], dates: dict[str, str] | None = None) -> Corpus:
    ids = list(texts)
    arts = pd.DataFrame({"article_id": ids, "title": [f"Story {i}" for i in ids], "source": "Wire", "lang": "en", "text": [texts[i] for i in ids]})
    arts = arts.astype({"article_id": "str", "title": "str", "source": "str", "lang": "str", "text": "str"})
    arts["date"] = pd.to_datetime([(dates or {}).get(i, "2024-01-01") for i in ids]).astype("datetime64[ns]")
    rows = []
    for aid in ids:
        pos = 0
        for k, s in enumerate(texts[aid].split("|")):
            rows.append({"article_id": aid, "sentence_id": k, "start": pos, "end": pos + len(s), "text": s})
            pos += len(s) + 1
    arts["text"] = arts["text"].str.replace("|", " ", regex=False).astype("str")
    return Corpus(arts, pd.DataFrame(rows), pd.DataFrame(), pd.DataFrame({"status": []}))


@pytest.fixture(scope="module")
def themed() -> Corpus:
    texts = {}
    for i, t in enumerate(HEALTH):
        texts[f"h{i}"] = f"Opening remarks were brief.|{t}"
    for i, t in enumerate(MINING):
        texts[f"m{i}"] = f"Opening remarks were brief.|{t}"
    return corpus_of(texts)


# --------------------------------------------------------------------------------------
# Lexicon themes: events
# --------------------------------------------------------------------------------------
@pytest.fixture
def events():
    corpus = corpus_of(
        {
            "a1": "Kagame visited Cotonou.|Rwanda and Benin signed an accord.|They also signed a memorandum.",
            "a2": "Kenya criticised the move.",
            "a3": "Talks were held in Kigali.",
        },
        dates={"a1": "2024-01-10", "a2": "2024-02-03", "a3": "2024-02-20"},
    )
    ev = pd.DataFrame(
        [
            ("a1", 0, "visit", "04", "visited", "visited", 7, 14, 1, "kagame", "Paul Kagame", "RWA"),
            ("a1", 1, "agreement_signed", "05", "signed", "signed", 41, 47, 1, "BEN|RWA", "Benin|Rwanda", "BEN|RWA"),
            ("a1", 2, "agreement_signed", "05", "signed", "signed", 69, 75, 1, "", "", ""),
            ("a2", 0, "criticism_tension", "11", "criticised", "criticised", 6, 16, 1, "KEN", "Kenya", "KEN"),
            ("a3", 0, "meeting_talks", "04", "talks", "Talks", 0, 5, 1, "", "", ""),
        ],
        columns=["article_id", "sentence_id", "event_type", "cameo_root", "cue", "surface", "start", "end", "n_cues", "actor_ids", "actor_names", "countries"],
    ).astype({"article_id": "str", "event_type": "str", "surface": "str", "actor_names": "str"})
    mentions = pd.DataFrame(
        [("a1", 0, "kagame", "Paul Kagame", "person", "RWA"), ("a1", 1, "RWA", "Rwanda", "country", "RWA"), ("a1", 1, "BEN", "Benin", "country", "BEN"),
         ("a2", 0, "KEN", "Kenya", "country", "KEN")],
        columns=["article_id", "sentence_id", "entity_id", "entity_name", "entity_type", "country"],
    ).assign(start=0, end=1, surface="x", match="name").astype({"article_id": "str", "entity_id": "str", "country": "str"})
    dyads = pd.DataFrame({"article_id": ["a1"], "country_a": ["BEN"], "country_b": ["RWA"]})
    empty = pd.DataFrame({"article_id": pd.Series([], dtype="str")})
    return corpus, Annotations(mentions, empty, ev, dyads, empty)


def test_event_table_counts(events):
    corpus, ann = events
    t = event_table(ann, corpus)
    assert list(t.columns) == EVENT_IDS and list(t.index) == ["a1", "a2", "a3"] and (t.dtypes == np.int64).all()
    assert t.loc["a1", "agreement_signed"] == 2 and t.loc["a1", "visit"] == 1 and t.loc["a2", "criticism_tension"] == 1
    assert t.to_numpy().sum() == 5
    assert event_table(ann, corpus, value="articles").loc["a1", "agreement_signed"] == 1
    by_month = event_table(ann, corpus, by="month")
    assert list(by_month.index) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]
    assert by_month.loc["2024-02-01", ["criticism_tension", "meeting_talks"]].tolist() == [1, 1]
    by_country = event_table(ann, corpus, by="country")
    assert by_country.loc["RWA", "agreement_signed"] == 2 and by_country.loc["KEN"].sum() == 1
    assert event_table(ann, corpus, by="dyad").loc["BEN-RWA"].sum() == 3
    assert event_table(ann, corpus, by="article", articles=["a2"]).index.tolist() == ["a2"]


def test_event_evidence(events):
    corpus, ann = events
    ev = event_evidence(corpus, ann, "agreement_signed")
    assert list(zip(ev["article_id"], ev["sentence_id"])) == [("a1", 1), ("a1", 2)]
    assert [s[a:b] for s, sp in zip(ev["sentence"], ev["spans"]) for a, b in sp] == ["signed", "signed"]
    assert ev["note"].tolist() == ["cue: signed · actors: Benin, Rwanda", "cue: signed"]
    assert event_evidence(corpus, ann, "visit", key="RWA", by="country")["article_id"].tolist() == ["a1"]
    assert event_evidence(corpus, ann, "visit", key="KEN", by="country").empty
    assert event_evidence(corpus, ann, "support_aid").empty
    with pytest.raises(ValueError):
        event_evidence(corpus, ann, "handshake")


# --------------------------------------------------------------------------------------
# Discovered themes
# --------------------------------------------------------------------------------------
def test_stopwords_file():
    words = load_stopwords()
    assert lexicon_path("theme_stopwords.txt").is_file()
    assert {"the", "and", "les", "une", "said", "était"} <= set(words)
    assert words == sorted(set(words)) and all(w == w.lower() and " " not in w and not w.startswith("#") for w in words)


def test_two_clusters_are_recovered(themed):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # e.g. "stop_words may be inconsistent with your preprocessing"
        model = discover_themes(themed, n_themes=2)
    assert isinstance(model, ThemeModel) and model.n_themes == 2
    top = model.top_theme().set_index("article_id")["theme"]
    health_theme = top["h0"]
    # The French stories (index 2) share no words with their English cluster, so only the
    # English ones have a determined theme; the French ones check the stop words below.
    english = [0, 1, 3, 4, 5]
    assert all(top[f"h{i}"] == health_theme for i in english)
    assert all(top[f"m{i}"] == 1 - health_theme for i in english)
    vocabulary = set(model.vectorizer.vocabulary_)
    assert {"paludisme", "cobalt", "cuivre"} <= vocabulary
    assert not vocabulary & {"le", "la", "les", "une", "dans", "sur", "avec", "contre", "et", "un", "de"}
    terms = model.terms.groupby("theme")["term"].apply(lambda s: set(s.head(4)))
    assert "malaria" in terms[health_theme] or "vaccine" in terms[health_theme]
    assert "cobalt" in terms[1 - health_theme] or "copper" in terms[1 - health_theme]
    assert not set(model.terms["term"]) & set(load_stopwords())
    assert model.labels[health_theme].count(" / ") == 2


def test_tables_shape_and_types(themed):
    model = discover_themes(themed, n_themes=3, n_terms=5)
    assert list(model.terms.columns) == ["theme", "rank", "term", "weight"]
    assert list(model.weights.columns) == ["article_id", "theme", "weight"]
    assert len(model.weights) == 12 * 3
    assert model.weights["article_id"].tolist() == sorted(model.weights["article_id"].tolist())
    assert model.terms.groupby("theme")["rank"].apply(list).tolist() == [list(range(5))] * 3
    assert (model.terms.groupby("theme")["weight"].apply(lambda s: s.is_monotonic_decreasing)).all()
    # Theme 0 carries the most weight overall.
    totals = model.weights.groupby("theme")["weight"].sum()
    assert totals.is_monotonic_decreasing
    assert str(model.terms["term"].dtype) == "str" and model.weights["theme"].dtype == np.int64


def test_deterministic_across_runs_and_row_order(themed):
    a = discover_themes(themed, n_themes=3, seed=0)
    b = discover_themes(themed, n_themes=3, seed=0)
    shuffled = Corpus(themed.articles.sample(frac=1, random_state=5).reset_index(drop=True), themed.sentences.sample(frac=1, random_state=6), themed.removed, themed.report)
    c = discover_themes(shuffled, n_themes=3, seed=0)
    for other in (b, c):
        pd.testing.assert_frame_equal(a.terms, other.terms, check_exact=True)
        pd.testing.assert_frame_equal(a.weights, other.weights, check_exact=True)
        assert a.labels == other.labels


def test_articles_argument_and_errors(themed):
    model = discover_themes(themed, n_themes=2, articles=[f"h{i}" for i in range(6)])
    assert set(model.weights["article_id"]) == {f"h{i}" for i in range(6)}
    with pytest.raises(ValueError):
        discover_themes(themed, articles=["h0"])


def test_theme_evidence(themed):
    model = discover_themes(themed, n_themes=2)
    health = int(model.top_theme().set_index("article_id").loc["h0", "theme"])
    ev = theme_evidence(themed, model, health, limit=4)
    assert len(ev) == 4 and ev["article_id"].str.startswith("h").all()
    assert ev["weight"].is_monotonic_decreasing
    # The best sentence is the story, not the shared boilerplate opening.
    assert (ev["sentence_id"] == 1).all()
    assert ev["note"].unique().tolist() == [model.labels[health]]
    top_terms = set(model.terms.loc[model.terms["theme"] == health, "term"])
    for s, spans in zip(ev["sentence"], ev["spans"]):
        assert spans and all(s[a:b].lower() in top_terms for a, b in spans)
    pd.testing.assert_frame_equal(ev, theme_evidence(themed, model, health, limit=4))
    with pytest.raises(ValueError):
        theme_evidence(themed, model, 7)


def test_term_spans():
    assert term_spans("Malaria vaccines; malaria.", ["malaria", "vaccine"]) == [(0, 7), (18, 25)]
    assert term_spans("", ["x"]) == [] and term_spans("abc", []) == []
