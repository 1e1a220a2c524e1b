"""Measure the annotation against gold labels written by reading the stories.

A gold file is a CSV with one row per story and four columns (see ``data/gold/README.md``)::

    file,actors,sectors,dyads
    story.txt,RWA|CAF|paul_kagame|minusca|new:jane_doe,security_defence|peacekeeping,CAF-RWA

``actors`` and ``sectors`` hold lexicon ids separated by ``|`` (actors that are not in the
lexicons get a made-up id starting with ``new:``); ``dyads`` holds the country pairs the
story is mainly about, written ``AAA-BBB`` (the order does not matter, it is normalised).

>>> from diplokit.evaluate import read_gold, evaluate
>>> ev = evaluate(corpus, annotate(corpus), read_gold("my_gold.csv"))
>>> ev.scores          # precision / recall / F1 per layer, dyad story accuracy
>>> ev.errors          # every missed and spurious id, story by story

Everything is compared at article level: an actor, sector or dyad counts once per story
however many times it is found.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

import numpy as np
import pandas as pd

from .annotate import Annotations
from .corpus import Corpus
from .resources import DATA_DIR

#: Gold labels of the bundled corpus (data/gold/articles.csv), written by reading the stories.
GOLD_FILE: Path = DATA_DIR / "gold" / "articles.csv"
LAYERS: tuple[str, ...] = ("actors", "sectors", "dyads")
GOLD_COLUMNS: list[str] = ["file", *LAYERS]
SCORE_COLUMNS: list[str] = ["layer", "precision", "recall", "f1", "n_gold", "n_pred", "tp", "story_accuracy"]
ERROR_COLUMNS: list[str] = ["file", "layer", "kind", "id"]
STORY_COLUMNS: list[str] = ["file", "article_id", "gold_dyads", "pred_dyads", "top_pred_dyad", "dyads_correct"]


def _split(cell: str) -> tuple[str, ...]:
    return tuple(sorted({p.strip() for p in str(cell).split("|") if p.strip()}))


def _norm_dyad(d: str) -> str:
    parts = [p.strip().upper() for p in d.split("-")]
    if len(parts) != 2 or not all(len(p) == 3 and p.isalpha() for p in parts) or parts[0] == parts[1]:
        raise ValueError(f"dyad {d!r} is not two different ISO3 codes written AAA-BBB")
    return "-".join(sorted(parts))


def read_gold(path: str | Path) -> pd.DataFrame:
    """Read a gold-label CSV (``file, actors, sectors, dyads``; ids separated by ``|``).

    Returns one row per story with ``file`` (str) and, for each layer, a sorted tuple of
    ids. Dyads are normalised to ``AAA-BBB`` with the two codes in alphabetical order.
    Raises ``ValueError`` for a missing column, a duplicated file or a malformed dyad.
    Empty cells mean "nothing" (a story about one country has no dyad).
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    raw.columns = [c.strip().lower() for c in raw.columns]
    missing = [c for c in GOLD_COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: gold file lacks column(s) {missing}; expected {GOLD_COLUMNS}")
    gold = pd.DataFrame({"file": raw["file"].str.strip()})
    if (gold["file"] == "").any():
        raise ValueError(f"{path}: a row has an empty 'file'")
    dup = gold["file"][gold["file"].duplicated()].unique().tolist()
    if dup:
        raise ValueError(f"{path}: file(s) labelled twice: {dup}")
    gold["actors"] = raw["actors"].map(_split)
    gold["sectors"] = raw["sectors"].map(_split)
    gold["dyads"] = raw["dyads"].map(lambda c: tuple(sorted({_norm_dyad(d) for d in _split(c)})))
    return gold


@dataclass
class Evaluation:
    """Result of :func:`evaluate`.

    ``scores``: one row per layer (``actors``, ``sectors``, ``dyads``) with micro-averaged
    ``precision``, ``recall``, ``f1`` over all (story, id) pairs, the numbers of gold and
    predicted pairs (``n_gold``, ``n_pred``) and true positives (``tp``); for ``dyads`` also
    ``story_accuracy`` (NaN for the other layers, see :func:`evaluate`).

    ``errors``: one row per mistake — ``file``, ``layer``, ``kind`` (``missed``: in the gold
    labels, not found; ``spurious``: found, not in the gold labels) and ``id``. Missed
    ``new:`` ids are actors absent from the lexicons.

    ``stories``: per story, the gold and predicted dyads, the top predicted dyad and whether
    the story counts as correct for ``story_accuracy``.
    """

    scores: pd.DataFrame
    errors: pd.DataFrame
    stories: pd.DataFrame

    def score(self, layer: str, metric: str = "f1") -> float:
        """One number from ``scores``, e.g. ``ev.score("dyads", "story_accuracy")``."""
        return float(self.scores.set_index("layer").loc[layer, metric])

    def __repr__(self) -> str:
        s = self.scores.set_index("layer")
        parts = [f"{layer} P={s.at[layer, 'precision']:.3f} R={s.at[layer, 'recall']:.3f} F1={s.at[layer, 'f1']:.3f}" for layer in s.index]
        acc = s.at["dyads", "story_accuracy"]
        return f"<Evaluation: {len(self.stories)} stories; " + "; ".join(parts) + f"; dyad story accuracy={acc:.3f}; {len(self.errors)} errors>"


def _file_keys(articles: pd.DataFrame, files: pd.Series) -> pd.DataFrame:
    """Map gold ``file`` names to ``article_id``: the exact ``path`` first, else its base
    name when that is unique in the corpus."""
    paths = articles[["article_id", "path"]].astype({"path": "str"})
    exact = paths.rename(columns={"path": "file"})
    base = paths.assign(file=paths["path"].map(lambda p: PurePath(p).name))
    base = base[~base["file"].duplicated(keep=False) & ~base["file"].isin(exact["file"])]
    keys = pd.concat([exact, base[["article_id", "file"]]], ignore_index=True).drop_duplicates("file")
    found = pd.DataFrame({"file": files}).merge(keys, on="file", how="left")
    unknown = found.loc[found["article_id"].isna(), "file"].tolist()
    if unknown:
        raise ValueError(f"gold file(s) not in corpus.articles.path: {unknown[:10]}{' ...' if len(unknown) > 10 else ''}")
    return found


def _long(df: pd.DataFrame, col: str, layer: str) -> pd.DataFrame:
    """(article_id, tuple of ids) -> one row per (article_id, layer, id)."""
    out = df[["article_id", col]].explode(col).dropna(subset=[col])
    return pd.DataFrame({"article_id": out["article_id"].to_numpy(), "layer": layer, "id": out[col].astype("str").to_numpy()})


def _predictions(ann: Annotations, ids: pd.Index) -> pd.DataFrame:
    """Article-level predictions of the three layers, long format, for ``ids`` only."""
    m = ann.mentions[["article_id", "entity_id"]].rename(columns={"entity_id": "id"}).assign(layer="actors")
    s = ann.sectors[["article_id", "sector"]].rename(columns={"sector": "id"}).assign(layer="sectors")
    d = ann.dyads
    a_, b_ = d["country_a"].astype("str"), d["country_b"].astype("str")
    dy = pd.DataFrame({"article_id": d["article_id"], "id": np.where(a_ < b_, a_ + "-" + b_, b_ + "-" + a_), "layer": "dyads"})
    pred = pd.concat([m, s, dy], ignore_index=True)[["article_id", "layer", "id"]].astype("str")
    return pred[pred["article_id"].isin(ids)].drop_duplicates(ignore_index=True)


def _top_dyads(ann: Annotations, ids: pd.Index) -> pd.Series:
    """The top predicted dyad of each article: most evidence sentences, ties broken by the
    pair's alphabetical order (the order in which ``ann.dyads`` lists them)."""
    d = ann.dyads[ann.dyads["article_id"].isin(ids)]
    if d.empty:
        return pd.Series(dtype="str", name="top_pred_dyad")
    a_, b_ = d["country_a"].astype("str"), d["country_b"].astype("str")
    d = d.assign(pair=np.where(a_ < b_, a_ + "-" + b_, b_ + "-" + a_))
    ev = d["evidence"] if "evidence" in d.columns else pd.Series(0, index=d.index)
    d = d.assign(_ev=ev.astype("int64")).sort_values(["article_id", "_ev", "pair"], ascending=[True, False, True], kind="stable")
    return d.groupby("article_id")["pair"].first().rename("top_pred_dyad")


def evaluate(corpus: Corpus, ann: Annotations, gold: pd.DataFrame | str | Path) -> Evaluation:
    """Compare annotations with gold labels, story by story.

    ``gold`` is the output of :func:`read_gold` (or a path to a gold CSV). Its ``file``
    values are joined to ``corpus.articles.path`` (exactly, or by base name when that is
    unique), and only the labelled stories are scored; a file that is not in the corpus
    raises ``ValueError``.

    Predictions are taken at article level: actors are the set of
    ``ann.mentions.entity_id`` of a story, sectors the set of ``ann.sectors.sector``,
    dyads the set of ``ann.dyads`` pairs (``country_a``-``country_b``, sorted).

    Precision, recall and F1 are micro-averaged: every (story, id) pair is one decision,
    ``precision = tp / n_pred``, ``recall = tp / n_gold`` (0 when the denominator is 0).

    ``story_accuracy`` (dyads only) is the share of labelled stories whose dyads are
    "right": when the story has gold dyads, the predicted dyads must include **every**
    gold dyad **and** the top predicted dyad — the one with the most evidence sentences
    (``ann.dyads.evidence``), ties broken by alphabetical order of the pair — must be a
    gold dyad (extra, weaker predicted dyads are allowed). When the story has no gold dyad
    (one country, or a multilateral event without a clear pair), it is right only if no
    dyad is predicted.
    """
    if not isinstance(gold, pd.DataFrame):
        gold = read_gold(gold)
    missing = [c for c in GOLD_COLUMNS if c not in gold.columns]
    if missing:
        raise ValueError(f"gold lacks column(s) {missing}; read it with read_gold()")
    keyed = _file_keys(corpus.articles, gold["file"])
    g = gold.assign(article_id=keyed["article_id"].to_numpy())
    ids = pd.Index(g["article_id"])
    files = g.set_index("article_id")["file"]

    gold_long = pd.concat([_long(g, layer, layer) for layer in LAYERS], ignore_index=True).drop_duplicates(ignore_index=True)
    pred_long = _predictions(ann, ids)
    both = gold_long.merge(pred_long, on=["article_id", "layer", "id"], how="outer", indicator=True)
    kind = both["_merge"].map({"both": "tp", "left_only": "missed", "right_only": "spurious"}).astype("str")
    both = both.assign(kind=kind)

    full = pd.MultiIndex.from_product([list(LAYERS), ["tp", "missed", "spurious"]], names=["layer", "kind"])
    counts = both.groupby(["layer", "kind"]).size().reindex(full, fill_value=0).unstack("kind").reindex(index=list(LAYERS), columns=["tp", "missed", "spurious"]).astype("int64")
    tp, n_gold, n_pred = counts["tp"], counts["tp"] + counts["missed"], counts["tp"] + counts["spurious"]
    precision = (tp / n_pred.where(n_pred > 0)).fillna(0.0)
    recall = (tp / n_gold.where(n_gold > 0)).fillna(0.0)
    f1 = (2 * precision * recall / (precision + recall).where(precision + recall > 0)).fillna(0.0)

    # ---- dyad story accuracy ---------------------------------------------------------------
    pred_dyads = pred_long[pred_long["layer"] == "dyads"].groupby("article_id")["id"].apply(lambda s: tuple(sorted(s)))
    stories = pd.DataFrame({"file": g["file"].to_numpy(), "article_id": g["article_id"].to_numpy(), "gold_dyads": g["dyads"].to_numpy()})
    stories["pred_dyads"] = stories["article_id"].map(pred_dyads).map(lambda v: v if isinstance(v, tuple) else ())
    stories["top_pred_dyad"] = stories["article_id"].map(_top_dyads(ann, ids)).fillna("").astype("str")
    dy = both[both["layer"] == "dyads"]
    n_missed = dy[dy["kind"] == "missed"].groupby("article_id").size().reindex(stories["article_id"], fill_value=0).to_numpy()
    has_gold = stories["gold_dyads"].map(len).to_numpy() > 0
    has_pred = stories["pred_dyads"].map(len).to_numpy() > 0
    top_is_gold = np.array([t in gd for t, gd in zip(stories["top_pred_dyad"], stories["gold_dyads"])], dtype=bool)
    stories["dyads_correct"] = np.where(has_gold, (n_missed == 0) & top_is_gold, ~has_pred)
    story_accuracy = float(stories["dyads_correct"].mean()) if len(stories) else 0.0

    scores = pd.DataFrame(
        {
            "layer": list(LAYERS),
            "precision": precision.to_numpy(float),
            "recall": recall.to_numpy(float),
            "f1": f1.to_numpy(float),
            "n_gold": n_gold.to_numpy(),
            "n_pred": n_pred.to_numpy(),
            "tp": tp.to_numpy(),
            "story_accuracy": [np.nan, np.nan, story_accuracy],
        }
    )[SCORE_COLUMNS]

    err = both[both["kind"] != "tp"]
    errors = pd.DataFrame({"file": err["article_id"].map(files).to_numpy(), "layer": err["layer"].to_numpy(), "kind": err["kind"].to_numpy(), "id": err["id"].to_numpy()})
    errors["layer"] = pd.Categorical(errors["layer"], categories=list(LAYERS), ordered=True)
    errors = errors.sort_values(["file", "layer", "kind", "id"], kind="stable", ignore_index=True)
    errors["layer"] = errors["layer"].astype("str")
    return Evaluation(scores=scores, errors=errors[ERROR_COLUMNS], stories=stories[STORY_COLUMNS])
