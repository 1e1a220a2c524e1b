"""diplokit.evaluate: scores computed by hand on a tiny corpus, and the project's claims
measured on the bundled corpus against gold labels written by reading the stories."""
from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import diplokit
from diplokit.annotate import Annotations, annotate
from diplokit.evaluate import ERROR_COLUMNS, GOLD_FILE, SCORE_COLUMNS, Evaluation, evaluate, read_gold
from diplokit.lexicon import SECTOR_IDS, default_lexicon
from diplokit.resources import CORPUS_DIR

# ------------------------------------------------------------------------------------------
# A tiny hand-made corpus, hand-made predictions, scores worked out on paper
# ------------------------------------------------------------------------------------------
STORIES = {
    "a.txt": "Rwanda and Uganda signed a trade deal on Monday. President Paul Kagame attended the ceremony with officials.",
    "sub/b.txt": "Kenya sent police officers to Haiti under a United Nations mandate. The mission began in June after long delays.",
    "c.txt": "African Union ministers met in Kigali on Friday. They discussed the agenda of the next summit at length.",
    "d.txt": "Rwanda said it had talks with the DRC and Burundi on Tuesday. Officials described the meeting as useful.",
}

GOLD_CSV = """file,actors,sectors,dyads
a.txt,RWA|UGA|paul_kagame|new:jane_doe,trade|diplomacy_multilateral,UGA-RWA
b.txt,KEN|HTI|un,security_defence|peacekeeping,hti-ken
c.txt,RWA|au,diplomacy_multilateral,
d.txt,RWA,,COD-RWA|BDI-RWA
"""


@pytest.fixture
def tiny(tmp_path: Path):
    root = tmp_path / "stories"
    for name, text in STORIES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text + "\n", encoding="utf-8")
    corpus = diplokit.load_corpus(root)
    aid = dict(zip(corpus.articles["path"], corpus.articles["article_id"]))
    a, b, c, d = aid["a.txt"], aid["sub/b.txt"], aid["c.txt"], aid["d.txt"]

    def rows(pairs, col):
        return pd.DataFrame({"article_id": [p[0] for p in pairs], col: [p[1] for p in pairs]})

    mentions = rows([(a, "RWA"), (a, "RWA"), (a, "UGA"), (a, "paul_kagame"), (a, "eac"),
                     (b, "KEN"), (b, "HTI"), (b, "USA"),
                     (c, "RWA"), (c, "au"), (c, "ETH"),
                     (d, "RWA")], "entity_id")
    sectors = rows([(a, "trade"), (a, "trade"), (a, "economy_investment"),
                    (b, "security_defence"), (b, "peacekeeping")], "sector")
    dyads = pd.DataFrame({
        "article_id": [a, b, b, d],
        "country_a": ["RWA", "HTI", "KEN", "COD"],
        "country_b": ["UGA", "KEN", "USA", "RWA"],
        "evidence": [3, 1, 2, 5],
    })
    ann = Annotations(mentions=mentions, sectors=sectors, events=pd.DataFrame(), dyads=dyads, candidates=pd.DataFrame())
    gold_path = tmp_path / "gold.csv"
    gold_path.write_text(GOLD_CSV, encoding="utf-8")
    return corpus, ann, gold_path


def test_read_gold_splits_and_normalises(tiny):
    _, _, path = tiny
    gold = read_gold(path)
    assert list(gold.columns) == ["file", "actors", "sectors", "dyads"]
    row = gold.set_index("file")
    assert row.at["a.txt", "actors"] == ("RWA", "UGA", "new:jane_doe", "paul_kagame")
    assert row.at["a.txt", "dyads"] == ("RWA-UGA",)          # codes put in order
    assert row.at["b.txt", "dyads"] == ("HTI-KEN",)          # and upper-cased
    assert row.at["c.txt", "dyads"] == () and row.at["d.txt", "sectors"] == ()
    assert row.at["d.txt", "dyads"] == ("BDI-RWA", "COD-RWA")


@pytest.mark.parametrize(
    "csv, message",
    [
        ("file,actors,sectors\nx.txt,RWA,trade\n", "lacks column"),
        ("file,actors,sectors,dyads\nx.txt,RWA,,RWA\n", "AAA-BBB"),
        ("file,actors,sectors,dyads\nx.txt,RWA,,RWA-RWA\n", "AAA-BBB"),
        ("file,actors,sectors,dyads\nx.txt,RWA,,\nx.txt,UGA,,\n", "labelled twice"),
    ],
)
def test_read_gold_rejects_bad_files(tmp_path, csv, message):
    p = tmp_path / "g.csv"
    p.write_text(csv, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_gold(p)


def test_scores_computed_by_hand(tiny):
    corpus, ann, path = tiny
    ev = evaluate(corpus, ann, read_gold(path))
    assert isinstance(ev, Evaluation)
    assert list(ev.scores.columns) == SCORE_COLUMNS
    s = ev.scores.set_index("layer")
    # actors: gold 4+3+2+1 = 10, predicted (distinct per story) 4+3+3+1 = 11, right 3+2+2+1 = 8
    # sectors: gold 2+2+1+0 = 5, predicted 2+2+0+0 = 4, right 1+2+0+0 = 3
    # dyads: gold 1+1+0+2 = 4, predicted 1+2+0+1 = 4, right 1+1+0+1 = 3
    expected = {"actors": (10, 11, 8), "sectors": (5, 4, 3), "dyads": (4, 4, 3)}
    for layer, (n_gold, n_pred, tp) in expected.items():
        assert (s.at[layer, "n_gold"], s.at[layer, "n_pred"], s.at[layer, "tp"]) == (n_gold, n_pred, tp), layer
        p, r = F(tp, n_pred), F(tp, n_gold)
        assert s.at[layer, "precision"] == pytest.approx(float(p))
        assert s.at[layer, "recall"] == pytest.approx(float(r))
        assert s.at[layer, "f1"] == pytest.approx(float(2 * p * r / (p + r)))
    assert s.at["actors", "f1"] == pytest.approx(16 / 21)
    # story accuracy: a right; b has the gold pair but its top pair (2 sentences) is KEN-USA;
    # c has no gold pair and none predicted: right; d misses BDI-RWA. 2 of 4.
    assert s.at["dyads", "story_accuracy"] == pytest.approx(0.5)
    assert np.isnan(s.at["actors", "story_accuracy"]) and np.isnan(s.at["sectors", "story_accuracy"])
    assert ev.score("dyads", "story_accuracy") == pytest.approx(0.5)
    st = ev.stories.set_index("file")
    assert st["dyads_correct"].to_dict() == {"a.txt": True, "b.txt": False, "c.txt": True, "d.txt": False}
    assert st.at["b.txt", "top_pred_dyad"] == "KEN-USA" and st.at["c.txt", "top_pred_dyad"] == ""


def test_errors_list_every_miss_and_spurious_id(tiny):
    corpus, ann, path = tiny
    ev = evaluate(corpus, ann, path)  # a path is read with read_gold
    assert list(ev.errors.columns) == ERROR_COLUMNS
    assert [tuple(r) for r in ev.errors.itertuples(index=False)] == [
        ("a.txt", "actors", "missed", "new:jane_doe"),
        ("a.txt", "actors", "spurious", "eac"),
        ("a.txt", "sectors", "missed", "diplomacy_multilateral"),
        ("a.txt", "sectors", "spurious", "economy_investment"),
        ("b.txt", "actors", "missed", "un"),
        ("b.txt", "actors", "spurious", "USA"),
        ("b.txt", "dyads", "spurious", "KEN-USA"),
        ("c.txt", "actors", "spurious", "ETH"),
        ("c.txt", "sectors", "missed", "diplomacy_multilateral"),
        ("d.txt", "dyads", "missed", "BDI-RWA"),
    ]


def test_a_dyad_predicted_where_the_gold_has_none_is_wrong(tiny):
    corpus, ann, path = tiny
    c = corpus.articles.set_index("path").at["c.txt", "article_id"]
    extra = pd.DataFrame({"article_id": [c], "country_a": ["RWA"], "country_b": ["ETH"], "evidence": [1]})
    ann.dyads = pd.concat([ann.dyads, extra], ignore_index=True)
    ev = evaluate(corpus, ann, path)
    assert ev.stories.set_index("file").at["c.txt", "dyads_correct"] == False  # noqa: E712
    assert ev.score("dyads", "story_accuracy") == pytest.approx(0.25)
    assert ("c.txt", "dyads", "spurious", "ETH-RWA") in [tuple(r) for r in ev.errors.itertuples(index=False)]


def test_only_labelled_stories_count_and_unknown_files_fail(tiny, tmp_path):
    corpus, ann, _ = tiny
    p = tmp_path / "one.csv"
    p.write_text("file,actors,sectors,dyads\nd.txt,RWA,,COD-RWA\n", encoding="utf-8")
    ev = evaluate(corpus, ann, p)
    assert ev.scores.set_index("layer")[["n_gold", "n_pred", "tp"]].to_dict("index") == {
        "actors": {"n_gold": 1, "n_pred": 1, "tp": 1},
        "sectors": {"n_gold": 0, "n_pred": 0, "tp": 0},
        "dyads": {"n_gold": 1, "n_pred": 1, "tp": 1},
    }
    assert ev.score("sectors", "f1") == 0.0 and ev.score("dyads", "story_accuracy") == 1.0
    assert ev.errors.empty
    p.write_text("file,actors,sectors,dyads\nnope.txt,RWA,,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="nope.txt"):
        evaluate(corpus, ann, p)


def test_real_annotations_of_the_tiny_corpus_can_be_evaluated(tiny):
    corpus, _, path = tiny
    ev = evaluate(corpus, annotate(corpus), path)
    s = ev.scores.set_index("layer")
    assert ((s[["precision", "recall", "f1"]] >= 0) & (s[["precision", "recall", "f1"]] <= 1)).all().all()
    assert set(ev.errors["kind"]) <= {"missed", "spurious"}
    assert "new:jane_doe" in set(ev.errors["id"])  # not in any lexicon: always a recall miss


# ------------------------------------------------------------------------------------------
# The bundled corpus against data/gold/articles.csv
# ------------------------------------------------------------------------------------------
# The targets are actors F1 >= 0.95, sectors F1 >= 0.85 and dyads right in >= 90 %
# of stories. On the bundled gold the dyad rules reach 39/42 = 0.929 (state companies bear
# their country, company nationality and company executives do not, no pair leads when
# four or more countries tie at the top). The three misses: the Sahel alliance (a
# trilateral bloc, labelled with no pair, shaped like the Nile dam talks, which are
# labelled with pairs), the Russia–Africa summit (Russia–Ukraine, the war, is its only
# co-mentioned pair) and the Lobito corridor story (the US–Angola visit is named together
# no more often than Angola, the DRC and Zambia).
CLAIMS = [("actors", "f1", 0.95), ("sectors", "f1", 0.85), ("dyads", "story_accuracy", 0.90)]


@pytest.fixture(scope="module")
def bundled() -> Evaluation:
    corpus = diplokit.load_corpus()
    return evaluate(corpus, annotate(corpus), read_gold(GOLD_FILE))


def test_gold_labels_cover_the_bundled_corpus_with_valid_ids():
    gold = read_gold(GOLD_FILE)
    assert sorted(gold["file"]) == sorted(p.name for p in CORPUS_DIR.glob("*.txt"))
    ents = set(default_lexicon().entities()["entity_id"])
    actors = {a for t in gold["actors"] for a in t}
    assert {a for a in actors if not a.startswith("new:")} <= ents
    assert {s for t in gold["sectors"] for s in t} <= set(SECTOR_IDS)
    countries = set(default_lexicon().countries["id"])
    for file, actors_, dyads in gold[["file", "actors", "dyads"]].itertuples(index=False):
        for d in dyads:
            assert set(d.split("-")) <= countries & set(actors_), (file, d)


@pytest.mark.parametrize("layer, metric, threshold", CLAIMS, ids=[f"{l}-{m}" for l, m, _ in CLAIMS])
def test_bundled_corpus_meets_the_claimed_quality(bundled, layer, metric, threshold):
    value = bundled.score(layer, metric)
    if metric == "story_accuracy":
        wrong = bundled.stories[~bundled.stories["dyads_correct"]]
        listing = "\n".join(f"  {f}: gold {'|'.join(g) or '-'}; predicted {'|'.join(p) or '-'}; top {t or '-'}"
                            for f, g, p, t in wrong[["file", "gold_dyads", "pred_dyads", "top_pred_dyad"]].itertuples(index=False))
    else:
        errs = bundled.errors[bundled.errors["layer"] == layer]
        listing = "\n".join(f"  {f}: {k} {i}" for f, k, i in errs[["file", "kind", "id"]].itertuples(index=False))
    assert value >= threshold, f"{layer} {metric} = {value:.3f} < {threshold}\n{listing}"


# ------------------------------------------------------------------------------------------
# Held-out stories (data/heldout/*/): written and labelled blind by helpers who had not
# seen the annotator, then scored. Their README records the blind scores and every change
# made after them; these floors keep today's scores from regressing.
# ------------------------------------------------------------------------------------------
HELDOUT = CORPUS_DIR.parent / "heldout"
HELDOUT_FLOORS = {
    "a": [("actors", "f1", 0.97), ("sectors", "f1", 0.86), ("dyads", "story_accuracy", 0.875)],
    # below the targets: see data/heldout/README.md (mostly actors no lexicon lists)
    "b": [("actors", "f1", 0.94), ("sectors", "f1", 0.81), ("dyads", "story_accuracy", 0.875)],
    # sets C and D after the changes they showed were needed (no longer held out)
    "c": [("actors", "f1", 0.92), ("sectors", "f1", 0.80), ("dyads", "story_accuracy", 0.87)],
    "d": [("actors", "f1", 0.90), ("sectors", "f1", 0.79), ("dyads", "story_accuracy", 0.875)],
    # set E after the cleaning it showed was needed: its furniture's labels dropped, and
    # with the "Thèmes" line gone he_fr_05's second pair has one sentence only (0.79 -> 0.75)
    "e": [("actors", "f1", 0.92), ("sectors", "f1", 0.89), ("dyads", "story_accuracy", 0.83)],
    # set F (35 stories) after the cleaning and sector changes it showed were needed
    "f": [("actors", "f1", 0.93), ("sectors", "f1", 0.83), ("dyads", "story_accuracy", 0.77)],
    # set G as scored blind (all three layers below the targets)
    "g": [("actors", "f1", 0.92), ("sectors", "f1", 0.78), ("dyads", "story_accuracy", 0.83)],
    # set H after the changes it showed were needed (dyads the lowest of any set: see data/heldout/README.md)
    "h": [("actors", "f1", 0.90), ("sectors", "f1", 0.80), ("dyads", "story_accuracy", 0.58)],
    # set I as scored blind
    "i": [("actors", "f1", 0.92), ("sectors", "f1", 0.82), ("dyads", "story_accuracy", 0.87)],
    # set J after the changes it showed were needed (its furniture's labels dropped)
    "j": [("actors", "f1", 0.93), ("sectors", "f1", 0.83), ("dyads", "story_accuracy", 0.83)],
    # set K after the cleaning it showed was needed (its furniture's labels dropped)
    "k": [("actors", "f1", 0.90), ("sectors", "f1", 0.85), ("dyads", "story_accuracy", 0.83)],
    # set L as scored blind (sectors above their target; actors and dyads below)
    "l": [("actors", "f1", 0.91), ("sectors", "f1", 0.90), ("dyads", "story_accuracy", 0.83)],
}


def _heldout(name: str):
    corpus = diplokit.load_corpus(HELDOUT / name / "stories", progress=False)
    return corpus, read_gold(HELDOUT / name / "gold.csv")


@pytest.mark.parametrize("name", sorted(HELDOUT_FLOORS))
def test_heldout_gold_is_valid(name):
    corpus, gold = _heldout(name)
    assert sorted(gold["file"]) == sorted(corpus.articles["path"]) and set(corpus.report["status"]) == {"loaded", "metadata"}
    ents = set(default_lexicon().entities()["entity_id"])
    actors = {a for t in gold["actors"] for a in t}
    assert {a for a in actors if not a.startswith("new:")} <= ents
    # an actor added to the lexicons after labelling loses its new: prefix in the labels
    assert not {a[4:] for a in actors if a.startswith("new:")} & ents
    assert {s for t in gold["sectors"] for s in t} <= set(SECTOR_IDS)
    langs = corpus.articles["lang"].value_counts()
    assert langs.get("en", 0) >= 10 and langs.get("fr", 0) >= 10


@pytest.mark.parametrize("name, layer, metric, floor", [(n, *c) for n, cs in sorted(HELDOUT_FLOORS.items()) for c in cs])
def test_heldout_scores_do_not_regress(name, layer, metric, floor):
    corpus, gold = _heldout(name)
    ev = evaluate(corpus, annotate(corpus), gold)
    value = ev.score(layer, metric)
    errs = ev.errors[ev.errors["layer"] == layer]
    assert value >= floor, f"{name}: {layer} {metric} = {value:.3f} < {floor}\n{errs.to_string()}"
