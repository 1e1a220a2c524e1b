"""Co-occurrence edges, networks, exports and pair evidence on hand-made tables whose
counts, Jaccard and NPMI values are worked out by hand in the comments."""
from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplokit.annotate import Annotations
from diplokit.cooccurrence import EDGE_COLUMNS, actor_counts, cooccurrence, network, npmi, pair_evidence, to_csv, to_graphml
from diplokit.corpus import Corpus
from diplokit.filters import ArticleIndex, Filters

COUNTRY, PERSON, ORG = "country", "person", "organization"
ENTITY = {
    "RWA": ("Rwanda", COUNTRY, "RWA"),
    "BEN": ("Benin", COUNTRY, "BEN"),
    "kagame": ("Paul Kagame", PERSON, "RWA"),
    "au": ("African Union", ORG, None),
}


def make(stories: dict, mentions: list[tuple]) -> tuple[Corpus, Annotations]:
    """``stories``: id -> (date, [sentences]); ``mentions``: (id, sentence, surface,
    entity) with offsets found in the sentence text."""
    arts, sents, ments = [], [], []
    for aid, (date, sentences) in stories.items():
        text = " ".join(sentences)
        arts.append({"article_id": aid, "title": f"Title {aid}", "date": date, "source": "Wire", "lang": "en", "text": text})
        pos = 0
        for i, s in enumerate(sentences):
            sents.append({"article_id": aid, "sentence_id": i, "start": pos, "end": pos + len(s), "text": s})
            pos += len(s) + 1
    starts = {(s["article_id"], s["sentence_id"]): (s["start"], s["text"]) for s in sents}
    for aid, sid, surface, eid in mentions:
        base, text = starts[(aid, sid)]
        at = text.index(surface)
        name, typ, country = ENTITY[eid]
        ments.append({"article_id": aid, "sentence_id": sid, "start": base + at, "end": base + at + len(surface), "surface": surface,
                      "entity_id": eid, "entity_name": name, "entity_type": typ, "country": country, "match": "name"})
    articles = pd.DataFrame(arts).astype({"article_id": "str", "title": "str", "source": "str", "lang": "str", "text": "str"})
    articles["date"] = pd.to_datetime(articles["date"]).astype("datetime64[ns]")
    m = pd.DataFrame(ments).astype({"article_id": "str", "surface": "str", "entity_id": "str", "entity_name": "str", "entity_type": "str", "country": "str", "match": "str"})
    empty = pd.DataFrame({"article_id": pd.Series([], dtype="str")})
    return Corpus(articles, pd.DataFrame(sents), pd.DataFrame(), pd.DataFrame({"status": []})), Annotations(m, empty, empty, empty, empty)


@pytest.fixture
def tables():
    # a1: s0 {RWA, BEN}, s1 {kagame};  a2: s0 {BEN, au};  a3: s0 {BEN, RWA}, s1 {RWA}
    return make(
        {
            "a1": ("2024-01-05", ["Rwanda and Benin signed a pact.", "Kagame praised it."]),
            "a2": ("2024-02-10", ["Benin hosts the AU summit."]),
            "a3": (None, ["Benin <b>and</b> Rwanda & co talk.", "Rwanda hosts next."]),
        },
        [
            ("a1", 0, "Rwanda", "RWA"), ("a1", 0, "Benin", "BEN"), ("a1", 1, "Kagame", "kagame"),
            ("a2", 0, "Benin", "BEN"), ("a2", 0, "AU", "au"),
            ("a3", 0, "Benin", "BEN"), ("a3", 0, "Rwanda", "RWA"), ("a3", 1, "Rwanda", "RWA"),
        ],
    )


def _edge(edges: pd.DataFrame, a: str, b: str) -> pd.Series:
    row = edges[(edges["entity_a"] == a) & (edges["entity_b"] == b)]
    assert len(row) == 1, (a, b)
    return row.iloc[0]


def test_article_level_counts_jaccard_npmi_by_hand(tables):
    _, ann = tables
    e = cooccurrence(ann)
    assert list(e.columns) == EDGE_COLUMNS
    # Sorted by count desc, then ids (code point order: upper case first).
    assert list(zip(e["entity_a"], e["entity_b"])) == [("BEN", "RWA"), ("BEN", "au"), ("BEN", "kagame"), ("RWA", "kagame")]
    assert e["count"].tolist() == [2, 1, 1, 1]
    assert e["n_a"].tolist() == [3, 3, 3, 2]
    assert e["n_b"].tolist() == [2, 1, 1, 1]
    assert e["jaccard"].tolist() == pytest.approx([2 / 3, 1 / 3, 1 / 3, 1 / 2])
    # N = 3 articles. BEN is in every article, so its pairs are independent: NPMI exactly 0.
    assert e["npmi"].tolist()[:3] == [0.0, 0.0, 0.0]
    # RWA-kagame: log((1/3) / ((2/3)(1/3))) / -log(1/3) = log(1.5) / log(3)
    assert _edge(e, "RWA", "kagame")["npmi"] == pytest.approx(math.log(1.5) / math.log(3))
    assert _edge(e, "BEN", "au")[["name_a", "name_b", "type_a", "type_b"]].tolist() == ["Benin", "African Union", COUNTRY, ORG]
    assert (e["entity_a"] < e["entity_b"]).all()
    assert str(e["entity_a"].dtype) == "str" and e["count"].dtype == np.int64


def test_sentence_level_by_hand(tables):
    _, ann = tables
    e = cooccurrence(ann, level="sentence")
    # Units: a1s0 {BEN,RWA}, a1s1 {kagame}, a2s0 {BEN,au}, a3s0 {BEN,RWA}, a3s1 {RWA}: N = 5.
    assert list(zip(e["entity_a"], e["entity_b"], e["count"])) == [("BEN", "RWA", 2), ("BEN", "au", 1)]
    ben_rwa = _edge(e, "BEN", "RWA")
    assert (ben_rwa["n_a"], ben_rwa["n_b"]) == (3, 3)
    assert ben_rwa["jaccard"] == pytest.approx(2 / 4)
    assert ben_rwa["npmi"] == pytest.approx(math.log((2 / 5) / (3 / 5 * 3 / 5)) / -math.log(2 / 5))
    assert _edge(e, "BEN", "au")["npmi"] == pytest.approx(math.log(5 / 3) / math.log(5))


def test_npmi_edge_cases_are_finite():
    # Always together and present in every unit (count == N): the formula is 0/0; NPMI = 1.
    assert npmi(np.array([4]), np.array([4]), np.array([4]), 4).tolist() == [1.0]
    # Never apart but not everywhere: exactly 1 as well.
    assert npmi(np.array([2]), np.array([2]), np.array([2]), 7).tolist() == [1.0]
    # One entity in every unit: independent, 0.
    assert npmi(np.array([3]), np.array([10]), np.array([3]), 10).tolist() == [0.0]
    # Rarely together: negative, above -1.
    v = npmi(np.array([1]), np.array([50]), np.array([50]), 100)[0]
    assert -1 < v < 0
    assert npmi(np.array([], dtype=int), np.array([], dtype=int), np.array([], dtype=int), 0).tolist() == []


def test_pair_always_together_in_selection_has_npmi_one(tables):
    _, ann = tables
    e = cooccurrence(ann, articles=pd.Index(["a1", "a3"]))
    row = _edge(e, "BEN", "RWA")
    assert (row["count"], row["n_a"], row["n_b"], row["jaccard"], row["npmi"]) == (2, 2, 2, 1.0, 1.0)
    assert np.isfinite(e[["jaccard", "npmi"]].to_numpy()).all()


def test_filters_min_count_and_entity_types(tables):
    _, ann = tables
    assert cooccurrence(ann, min_count=2)[["entity_a", "entity_b"]].values.tolist() == [["BEN", "RWA"]]
    only_countries = cooccurrence(ann, entity_types="country")
    assert only_countries[["entity_a", "entity_b", "count", "n_a", "n_b"]].values.tolist() == [["BEN", "RWA", 2, 3, 2]]
    # Units with a person or a country: all three articles (a2 has Benin).
    pc = cooccurrence(ann, entity_types=["person", "country"])
    assert _edge(pc, "RWA", "kagame")["npmi"] == pytest.approx(math.log(1.5) / math.log(3))
    assert cooccurrence(ann, entity_types="organization").empty
    with pytest.raises(ValueError):
        cooccurrence(ann, min_count=0)
    with pytest.raises(ValueError):
        cooccurrence(ann, level="paragraph")


def test_articles_argument_forms_agree(tables):
    corpus, ann = tables
    index = ArticleIndex.build(corpus, ann)
    mask = index.mask(Filters(date_from="2024-01-01"))  # a1, a2 (a3 is undated)
    assert mask.tolist() == [True, True, False]
    by_ids = cooccurrence(ann, articles=pd.Index(["a1", "a2"]))
    by_list = cooccurrence(ann, articles=["a2", "a1"])
    by_mask = cooccurrence(ann, articles=mask)
    by_series = cooccurrence(ann, articles=pd.Series([True, True, False], index=["a1", "a2", "a3"]))
    for other in (by_list, by_mask, by_series):
        pd.testing.assert_frame_equal(by_ids, other)
    with pytest.raises(TypeError):
        cooccurrence(ann, articles=np.array([True, False, True]))


@pytest.mark.parametrize("level", ["article", "sentence"])
@pytest.mark.parametrize("filters", [None, Filters(countries=("RWA",)), Filters(date_to="2024-01"), Filters(countries=("XXX",))])
def test_index_path_equals_function_path(tables, level, filters):
    corpus, ann = tables
    index = ArticleIndex.build(corpus, ann)
    mask = index.mask(filters)
    for types in (None, "country", ("person", "country")):
        pd.testing.assert_frame_equal(index.cooccurrence(mask, level=level, entity_types=types), cooccurrence(ann, level=level, entity_types=types, articles=mask))


def test_deterministic_under_row_order(tables):
    _, ann = tables
    shuffled = Annotations(ann.mentions.sample(frac=1, random_state=7).reset_index(drop=True), ann.sectors, ann.events, ann.dyads, ann.candidates)
    for level in ("article", "sentence"):
        pd.testing.assert_frame_equal(cooccurrence(ann, level=level), cooccurrence(shuffled, level=level))


def test_empty_inputs_give_typed_empty_tables(tables):
    _, ann = tables
    e = cooccurrence(ann, articles=[])
    assert e.empty and list(e.columns) == EDGE_COLUMNS and e["count"].dtype == np.int64
    nodes, edges = network(e, ann)
    assert nodes.empty and edges.empty


def test_network_nodes_and_edges(tables):
    _, ann = tables
    nodes, edges = network(cooccurrence(ann), ann)
    assert nodes["entity_id"].tolist() == ["BEN", "RWA", "kagame", "au"]  # weighted degree 4, 3, 2, 1
    assert nodes["degree"].tolist() == [3, 2, 2, 1]
    assert nodes["weighted_degree"].tolist() == [4, 3, 2, 1]
    assert nodes["mentions"].tolist() == [3, 3, 1, 1]
    assert nodes["country"].tolist()[:3] == ["BEN", "RWA", "RWA"] and pd.isna(nodes["country"].iloc[3])
    assert nodes["type"].tolist() == [COUNTRY, COUNTRY, PERSON, ORG]
    assert list(edges.columns) == ["source", "target", "weight", "count", "jaccard", "npmi"]
    assert edges[["source", "target", "weight"]].values.tolist() == [["BEN", "RWA", 2], ["BEN", "au", 1], ["BEN", "kagame", 1], ["RWA", "kagame", 1]]

    nodes_j, edges_j = network(cooccurrence(ann), ann, measure="jaccard")
    assert edges_j["weight"].tolist() == pytest.approx([2 / 3, 1 / 2, 1 / 3, 1 / 3])
    assert nodes_j.set_index("entity_id").loc["BEN", "weighted_degree"] == pytest.approx(2 / 3 + 1 / 3 + 1 / 3)
    # Mentions counted in the selected articles only.
    nodes_a1, _ = network(cooccurrence(ann, articles=["a1"]), ann, articles=["a1"])
    assert dict(zip(nodes_a1["entity_id"], nodes_a1["mentions"])) == {"BEN": 1, "RWA": 1, "kagame": 1}
    with pytest.raises(ValueError):
        network(cooccurrence(ann), ann, measure="pmi")


def test_graphml_round_trip(tables, tmp_path):
    _, ann = tables
    nodes, edges = network(cooccurrence(ann), ann, measure="npmi")
    path = to_graphml(nodes, edges, tmp_path / "out" / "net.graphml")
    g = nx.read_graphml(path)
    assert sorted(g.nodes) == sorted(nodes["entity_id"])
    for row in nodes.itertuples(index=False):
        attrs = g.nodes[row.entity_id]
        assert attrs["name"] == row.name and attrs["type"] == row.type
        assert attrs["mentions"] == row.mentions and attrs["degree"] == row.degree
        assert attrs["country"] == ("" if pd.isna(row.country) else row.country)
        assert attrs["weighted_degree"] == pytest.approx(row.weighted_degree)
    assert g.number_of_edges() == len(edges)
    for row in edges.itertuples(index=False):
        d = g.edges[row.source, row.target]
        assert d["count"] == row.count
        assert d["weight"] == pytest.approx(row.weight) and d["npmi"] == pytest.approx(row.npmi) and d["jaccard"] == pytest.approx(row.jaccard)


def test_csv_export(tables, tmp_path):
    _, ann = tables
    nodes, edges = network(cooccurrence(ann), ann)
    n_path, e_path = to_csv(nodes, edges, tmp_path / "csv")
    back_n = pd.read_csv(n_path, keep_default_na=False)
    back_e = pd.read_csv(e_path)
    assert back_n["entity_id"].tolist() == nodes["entity_id"].tolist()
    assert back_n["mentions"].tolist() == nodes["mentions"].tolist()
    assert back_e[["source", "target", "count"]].values.tolist() == edges[["source", "target", "count"]].values.tolist()


def test_pair_evidence_sentence_level(tables):
    corpus, ann = tables
    ev = pair_evidence(corpus, ann, "BEN", "RWA")
    assert list(ev.columns) == ["article_id", "sentence_id", "title", "date", "source", "sentence", "spans"]
    # Newest first, undated last.
    assert list(zip(ev["article_id"], ev["sentence_id"])) == [("a1", 0), ("a3", 0)]
    assert ev["sentence"].tolist() == ["Rwanda and Benin signed a pact.", "Benin <b>and</b> Rwanda & co talk."]
    # Spans are relative to the sentence and cover the two entities.
    assert ev["spans"].tolist() == [[(0, 6), (11, 16)], [(0, 5), (17, 23)]]
    for s, spans in zip(ev["sentence"], ev["spans"]):
        assert sorted(s[a:b] for a, b in spans) == ["Benin", "Rwanda"]
    assert ev["title"].tolist() == ["Title a1", "Title a3"]
    assert pair_evidence(corpus, ann, "RWA", "BEN").equals(ev)  # order of the pair does not matter
    assert len(pair_evidence(corpus, ann, "BEN", "RWA", limit=1)) == 1
    assert pair_evidence(corpus, ann, "BEN", "RWA", articles=["a3"])["article_id"].tolist() == ["a3"]
    assert pair_evidence(corpus, ann, "au", "kagame").empty
    with pytest.raises(ValueError):
        pair_evidence(corpus, ann, "BEN", "BEN")


def test_pair_evidence_article_level(tables):
    corpus, ann = tables
    ev = pair_evidence(corpus, ann, "RWA", "kagame", level="article")
    # a1: Rwanda first in s0, Kagame first in s1 -> two rows, each with its own highlight.
    assert list(zip(ev["article_id"], ev["sentence_id"])) == [("a1", 0), ("a1", 1)]
    assert ev["spans"].tolist() == [[(0, 6)], [(0, 6)]]
    both = pair_evidence(corpus, ann, "BEN", "RWA", level="article", limit=1)
    assert both["article_id"].unique().tolist() == ["a1"]


def _random_ann(seed: int, n_articles: int = 120):
    rng = np.random.default_rng(seed)
    ids = [f"r{i:03d}" for i in range(n_articles)]
    kinds = {f"c{k}": COUNTRY for k in range(8)} | {f"p{k}": PERSON for k in range(6)} | {f"o{k}": ORG for k in range(6)}
    names = sorted(kinds)
    rows = []
    for a in ids:
        for _ in range(rng.integers(0, 7)):
            e = names[rng.integers(0, len(names))]
            rows.append({"article_id": a, "sentence_id": int(rng.integers(0, 4)), "start": 0, "end": 1, "surface": e, "entity_id": e,
                         "entity_name": e.upper(), "entity_type": kinds[e], "country": "C0" if kinds[e] != ORG else None, "match": "name"})
    dates = pd.Series(pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n_articles), unit="D")).astype("datetime64[ns]")
    arts = pd.DataFrame({"article_id": ids, "date": dates, "lang": rng.choice(["en", "fr"], n_articles), "source": "Wire"}).astype({"article_id": "str", "lang": "str", "source": "str"})
    empty = pd.DataFrame({"article_id": pd.Series([], dtype="str")})
    m = pd.DataFrame(rows).astype({"article_id": "str", "entity_id": "str", "entity_name": "str", "entity_type": "str", "country": "str"})
    return Corpus(arts, pd.DataFrame(), pd.DataFrame(), pd.DataFrame({"status": []})), Annotations(m, empty, empty, empty, empty)


@pytest.mark.parametrize("seed", [0, 1])
def test_index_matches_function_on_random_tables(seed):
    # Selections below and above half the units exercise both ways of counting
    # (multiplying the selection, or subtracting the rest from the cached total).
    corpus, ann = _random_ann(seed)
    index = ArticleIndex.build(corpus, ann).warm()
    rng = np.random.default_rng(seed)
    for frac in (0.0, 0.1, 0.45, 0.55, 0.9, 1.0):
        mask = index.as_mask(np.asarray(rng.random(len(corpus.articles)) < frac))
        ids = index.ids(mask)
        for level in ("article", "sentence"):
            for types in (None, "organization", ("person", "country")):
                for min_count in (1, 2):
                    got = index.cooccurrence(mask, level=level, entity_types=types, min_count=min_count)
                    want = cooccurrence(ann, level=level, entity_types=types, min_count=min_count, articles=ids)
                    pd.testing.assert_frame_equal(got, want)



@settings(max_examples=300, deadline=None)
@given(st.integers(1, 60), st.data())
def test_npmi_is_finite_bounded_and_one_when_never_apart(n_units, data):
    n_a = data.draw(st.integers(1, n_units))
    n_b = data.draw(st.integers(1, n_units))
    lo = max(1, n_a + n_b - n_units)  # both sets fit in N units
    if lo > min(n_a, n_b):
        return
    count = data.draw(st.integers(lo, min(n_a, n_b)))
    v = npmi(np.array([count]), np.array([n_a]), np.array([n_b]), n_units)[0]
    assert np.isfinite(v) and -1.0 <= v <= 1.0
    if count == n_a == n_b:
        assert v == 1.0  # includes count == N, where "independent" and "never apart" coincide
    elif count * n_units == n_a * n_b:
        assert v == 0.0


def test_actor_counts_by_hand(tables):
    _, ann = tables
    c = actor_counts(ann)
    assert list(c["entity_id"][:2]) == ["BEN", "RWA"]  # BEN in 3 stories, RWA in 2 (3 mentions)
    assert c.set_index("entity_id").loc["RWA", ["articles", "mentions"]].tolist() == [2, 3]
    assert set(actor_counts(ann, entity_types="person")["entity_id"]) == {"kagame"}
    assert list(actor_counts(ann, articles=["a2"])["entity_id"]) == ["BEN", "au"]


def test_trace_returns_the_text_at_the_offsets(tables):
    from diplokit.evidence import trace

    corpus, ann = tables
    for _, row in ann.mentions.iterrows():
        t = trace(corpus, row)
        assert t["text_at_offsets"] == row["surface"]
        assert row["surface"] in t["sentence"]
