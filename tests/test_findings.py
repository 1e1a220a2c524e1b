"""The findings the notebooks state in markdown, checked against the bundled corpus.

nbval compares the notebooks' outputs; the prose around them is checked here, so a change
to the corpus, lexicons or package that changes a finding fails the suite instead of
leaving a notebook that says something its tables no longer show.
"""
from __future__ import annotations

import pytest

import diplokit
from diplokit.cooccurrence import actor_counts, cooccurrence
from diplokit.sector_stats import sector_matrix
from diplokit.themes import discover_themes, event_table


@pytest.fixture(scope="module")
def bundled():
    corpus = diplokit.load_corpus()
    return corpus, diplokit.annotate(corpus)


def test_tour_findings(bundled):
    corpus, ann = bundled
    counts = actor_counts(ann).set_index("entity_id")["articles"]
    assert (len(corpus.articles), counts["RWA"], counts["paul_kagame"]) == (42, 29, 20)
    assert (counts["au"], counts["COD"], counts["FRA"], counts["un"]) == (13, 10, 8, 8)
    rwandan = ann.mentions.loc[ann.mentions["entity_id"].eq("RWA") | ann.mentions["country"].eq("RWA"), "article_id"]
    assert (~corpus.articles["article_id"].isin(rwandan)).sum() == 13


def test_cleaning_findings(bundled):
    corpus, _ = bundled
    assert set(corpus.report["status"]) == {"loaded", "metadata"}
    r = corpus.removed
    bp = r[r["kind"] == "boilerplate"]["reason"].value_counts()
    assert bp.sum() == 100 and bp.idxmax() == "related-stories list" and bp.max() == 27
    assert bp["SEO spam (glued betting/casino keywords)"] == 8
    meta = r[r["kind"] == "metadata"]["reason"].str.split().str[0].value_counts()
    assert (meta["title"], meta["byline"], meta["dateline"]) == (42, 25, 30)


def test_sector_findings(bundled):
    corpus, ann = bundled
    total = sector_matrix(ann, corpus, by="article", value="articles").sum()
    assert total.sort_values(ascending=False, kind="stable").index[:4].tolist() == ["diplomacy_multilateral", "security_defence", "trade", "economy_investment"]
    assert (total["diplomacy_multilateral"], total["economy_investment"], total["security_defence"], total["trade"]) == (37, 25, 27, 27)
    assert (total["aviation"], total["peacekeeping"], total["environment_climate"]) == (3, 7, 7)
    bc = sector_matrix(ann, corpus, by="country", value="articles")
    assert (bc.loc["RWA", "security_defence"], bc.loc["RWA", "trade"], bc.loc["RWA", "education_training"]) == (19, 17, 17)
    assert (bc.loc["COD", "security_defence"], bc.loc["COD", "humanitarian_migration"]) == (9, 5)
    assert (bc.loc["FRA", "justice_rule_of_law"], bc.loc["FRA", "health"]) == (5, 5)


def test_cooccurrence_findings(bundled):
    _, ann = bundled
    e = cooccurrence(ann, level="article", min_count=2).set_index(["entity_a", "entity_b"])
    assert e.loc[("RWA", "paul_kagame"), "count"] == 20 and round(e.loc[("RWA", "paul_kagame"), "npmi"], 2) == 0.50
    assert e.loc[("COD", "RWA"), "count"] == 9
    assert e.loc[("COD", "felix_tshisekedi"), "count"] == e.loc[("COD", "m23"), "count"] == 7
    assert round(e.loc[("COD", "m23"), "npmi"], 2) == 0.80
    assert e.loc[("RWA", "au"), "count"] == 8 and e.loc[("RWA", "au"), "npmi"] < 0
    countries = e[(e["type_a"] == "country") & (e["type_b"] == "country")]
    assert countries["count"].idxmax() == ("COD", "RWA")
    s = cooccurrence(ann, level="sentence", min_count=2, entity_types="country").sort_values("npmi", ascending=False)
    top = {frozenset(p) for p in zip(s["entity_a"].head(7), s["entity_b"].head(7))}
    assert {frozenset({"BFA", "NER"}), frozenset({"BFA", "MLI"}), frozenset({"GAB", "TGO"}), frozenset({"EGY", "SDN"}), frozenset({"MRT", "SEN"})} <= top
    assert frozenset({"RUS", "UKR"}) in {frozenset(p) for p in zip(s["entity_a"].head(8), s["entity_b"].head(8))}


def test_theme_findings(bundled):
    corpus, ann = bundled
    ev = event_table(ann, corpus, by="article", value="articles").sum()
    assert (ev["meeting_talks"], ev["agreement_signed"], ev["criticism_tension"]) == (34, 31, 19)
    assert ev.idxmax() == "meeting_talks"
    bd = event_table(ann, corpus, by="dyad", value="articles")
    assert (bd.loc["COD-RWA", "meeting_talks"], bd.loc["COD-RWA", "joint_statement_commitment"], bd.loc["COD-RWA", "criticism_tension"]) == (5, 5, 4)
    stories = ann.dyads.assign(d=ann.dyads["country_a"] + "-" + ann.dyads["country_b"]).groupby("d")["article_id"].nunique()
    assert (stories["CAF-RWA"], stories["MOZ-RWA"]) == (3, 2)
    assert (bd.loc["CAF-RWA", "military_deployment"], bd.loc["MOZ-RWA", "military_deployment"]) == (3, 2)
    assert bd.loc["MOZ-RWA", "criticism_tension"] == 0
    labels = " ".join(discover_themes(corpus, n_themes=10, seed=0).labels.values())
    for word in ("asylum", "biontech", "cabo", "ethiopia", "samia", "rwandais"):
        assert word in labels
