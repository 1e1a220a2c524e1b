"""Themes: the lexicon's event types, and themes discovered from the words of the stories.

- :func:`event_table` / :func:`event_evidence`: counts of the eight cooperation event
  types (each ``events`` row is one sentence with one event type) and their sentences.
- :func:`discover_themes`: TF-IDF + NMF topics, deterministic for a given corpus and
  seed (articles are ordered by id before fitting, NMF starts from NNDSVDa). Stop words
  come from ``lexicons/theme_stopwords.txt``.
- :func:`theme_evidence`: the articles weighing most on a theme, each with the sentence
  closest to it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .evidence import build_evidence, cue_notes, empty_evidence
from .filters import ArticleIndex, cue_rows, keep_rows, selected_ids
from .resources import lexicon_path

TOKEN_PATTERN = r"(?u)\b(?=\w*[^\W\d_])\w{2,}\b"  # two or more word characters, at least one letter


# --------------------------------------------------------------------------------------
# Lexicon themes: event types
# --------------------------------------------------------------------------------------
def event_table(
    ann,
    corpus,
    by: str = "article",
    articles=None,
    value: str = "mentions",
    *,
    index: ArticleIndex | None = None,
) -> pd.DataFrame:
    """Event type counts: rows = ``by`` keys (``"article"``, ``"dyad"``, ``"month"``,
    ``"country"``; also ``"source"``, ``"lang"``), columns = the event type ids in
    lexicon order. ``value="mentions"`` counts sentences with the event type,
    ``"articles"`` counts articles with at least one."""
    idx = index if index is not None else ArticleIndex.build(corpus, ann)
    return idx.event_counts(articles, by=by, value=value)


def event_evidence(
    corpus,
    ann,
    event_type: str,
    key=None,
    by: str = "article",
    articles=None,
    limit: int | None = 50,
) -> pd.DataFrame:
    """Sentences with ``event_type``, newest first, the cue highlighted; ``note`` names
    the cue(s) and the sentence's actors. ``key``/``by`` narrow to a cell of
    :func:`event_table`."""
    ev = cue_rows(corpus, ann, "events", event_type, articles, by, key)
    if ev.empty:
        return empty_evidence(["note"])
    out = build_evidence(corpus, ev[["article_id", "sentence_id"]].drop_duplicates(), ev, limit=limit)
    shown = ev.merge(out[["article_id", "sentence_id"]], on=["article_id", "sentence_id"])
    notes = cue_notes(shown, "cue")
    actors = shown.drop_duplicates(["article_id", "sentence_id"])[["article_id", "sentence_id", "actor_names"]] if "actor_names" in shown else None
    if actors is not None and len(actors):
        notes = notes.merge(actors, on=["article_id", "sentence_id"], how="left")
        names = notes["actor_names"].fillna("").astype("str").str.replace("|", ", ", regex=False)
        notes["note"] = (notes["note"] + np.where(names != "", " · actors: " + names, "")).astype("str")
        notes = notes.drop(columns="actor_names")
    return out.merge(notes, on=["article_id", "sentence_id"], how="left", sort=False)


# --------------------------------------------------------------------------------------
# Discovered themes
# --------------------------------------------------------------------------------------
def load_stopwords(path: str | Path | None = None) -> list[str]:
    """Stop words, one per line (``#`` starts a comment line), lower-cased, sorted."""
    p = Path(path) if path is not None else lexicon_path("theme_stopwords.txt")
    words = {ln.strip().lower() for ln in p.read_text(encoding="utf-8").splitlines()}
    return sorted(w for w in words if w and not w.startswith("#"))


@dataclass(eq=False)
class ThemeModel:
    """Discovered themes.

    - ``terms``: theme, rank (0 = strongest), term, weight — the top terms of each theme;
    - ``weights``: article_id, theme, weight — every article × theme (NMF loadings);
    - ``labels``: theme -> "term1 / term2 / term3".

    Themes are numbered by decreasing total weight over the articles (theme 0 is the
    most present). ``vectorizer`` and ``nmf`` are the fitted scikit-learn objects.
    """

    terms: pd.DataFrame
    weights: pd.DataFrame
    labels: dict[int, str]
    vectorizer: object = field(repr=False, default=None)
    nmf: object = field(repr=False, default=None)
    components: np.ndarray | None = field(repr=False, default=None)

    @property
    def n_themes(self) -> int:
        return len(self.labels)

    def article_themes(self) -> pd.DataFrame:
        """Wide article × theme weights (rows sorted by article id)."""
        return self.weights.pivot(index="article_id", columns="theme", values="weight")

    def top_theme(self) -> pd.DataFrame:
        """article_id, theme, weight of each article's strongest theme (0-weight articles get -1)."""
        w = self.weights.sort_values(["article_id", "weight", "theme"], ascending=[True, False, True], kind="stable")
        top = w.drop_duplicates("article_id").reset_index(drop=True)
        top.loc[top["weight"] <= 0, "theme"] = -1
        return top


def _documents(corpus, articles) -> pd.DataFrame:
    ids = selected_ids(articles, corpus.articles["article_id"].to_numpy())
    arts = keep_rows(corpus.articles, ids)
    title = arts["title"].fillna("").astype("str") if "title" in arts else ""
    docs = pd.DataFrame({"article_id": arts["article_id"].astype("str"), "doc": (title + "\n" + arts["text"].fillna("").astype("str")).astype("str")})
    # Fit on a fixed order, so the model does not depend on how the corpus was sorted.
    return docs.sort_values("article_id", kind="stable", ignore_index=True)


def discover_themes(
    corpus,
    n_themes: int = 8,
    seed: int = 0,
    max_features: int = 5000,
    articles=None,
    *,
    n_terms: int = 10,
    min_df: int | float | None = None,
    max_df: float | None = None,
    stopwords: list[str] | None = None,
) -> ThemeModel:
    """Fit ``n_themes`` themes with TF-IDF (English + French stop words) and NMF.

    ``min_df``/``max_df`` default to 2 / 0.9 for corpora of 50 articles or more and to
    1 / 1.0 below (small samples have few repeated words). The result is identical for
    the same articles, parameters and seed.
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = _documents(corpus, articles)
    if len(docs) < 2:
        raise ValueError("discover_themes needs at least two articles")
    big = len(docs) >= 50
    vec = TfidfVectorizer(
        stop_words=stopwords if stopwords is not None else load_stopwords(),
        token_pattern=TOKEN_PATTERN,
        max_features=max_features,
        min_df=min_df if min_df is not None else (2 if big else 1),
        max_df=max_df if max_df is not None else (0.9 if big else 1.0),
        sublinear_tf=True,
        dtype=np.float64,
    )
    x = vec.fit_transform(docs["doc"].tolist())
    if x.shape[1] == 0:
        raise ValueError("no terms left after stop words and frequency limits")
    k = int(min(n_themes, x.shape[0], x.shape[1]))
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=1000)
    w = nmf.fit_transform(x)
    h = nmf.components_
    # Number themes by total weight; ties keep NMF's order.
    order = np.lexsort((np.arange(k), -w.sum(axis=0)))
    w, h = w[:, order], h[order]

    vocab = np.asarray(vec.get_feature_names_out(), dtype=object)
    n_top = min(n_terms, len(vocab))
    rows = []
    for t in range(k):
        # Strongest first; equal weights in alphabetical order.
        top = np.lexsort((vocab, -h[t]))[:n_top]
        top = top[h[t, top] > 0]
        rows.append(pd.DataFrame({"theme": t, "rank": np.arange(len(top)), "term": vocab[top], "weight": h[t, top]}))
    terms = pd.concat(rows, ignore_index=True).astype({"theme": np.int64, "rank": np.int64, "term": "str", "weight": float})
    weights = pd.DataFrame(
        {
            "article_id": pd.Series(np.repeat(docs["article_id"].to_numpy(dtype=object), k), dtype="str"),
            "theme": np.tile(np.arange(k, dtype=np.int64), len(docs)),
            "weight": w.ravel().astype(float),
        }
    )
    labels = {t: " / ".join(terms.loc[terms["theme"] == t, "term"].head(3)) or f"theme {t}" for t in range(k)}
    return ThemeModel(terms=terms, weights=weights, labels=labels, vectorizer=vec, nmf=nmf, components=h)


def theme_evidence(corpus, model: ThemeModel, theme: int, limit: int | None = 20) -> pd.DataFrame:
    """The articles weighing most on ``theme`` (weight > 0; strongest first, then by id),
    each with its sentence closest to the theme (TF-IDF · theme terms; the earliest on
    ties), the theme's top terms highlighted. Columns: the evidence columns plus
    ``weight`` and ``note`` (the theme label)."""
    if theme not in model.labels:
        raise ValueError(f"no theme {theme!r}; themes are 0..{model.n_themes - 1}")
    w = model.weights[(model.weights["theme"] == theme) & (model.weights["weight"] > 0)]
    w = w.sort_values(["weight", "article_id"], ascending=[False, True], kind="stable")
    if limit is not None:
        w = w.head(int(limit))
    if w.empty:
        return empty_evidence(["weight", "note"])
    sents = corpus.sentences[corpus.sentences["article_id"].isin(w["article_id"])]
    sents = sents.sort_values(["article_id", "sentence_id"], kind="stable", ignore_index=True)
    if sents.empty:
        return empty_evidence(["weight", "note"])
    comp = model.components if model.components is not None else model.nmf.components_
    score = np.asarray(model.vectorizer.transform(sents["text"].fillna("").astype("str").tolist()) @ comp[theme]).ravel()
    sents = sents.assign(score=score, neg=-score)
    best = sents.sort_values(["article_id", "neg", "sentence_id"], kind="stable").drop_duplicates("article_id")
    units = w[["article_id", "weight"]].merge(best[["article_id", "sentence_id"]], on="article_id", how="inner")
    units = units[["article_id", "sentence_id", "weight"]].assign(note=model.labels[theme])
    out = build_evidence(corpus, units, None, limit=None, order="given")
    top_terms = model.terms.loc[model.terms["theme"] == theme, "term"].tolist()
    out["spans"] = [term_spans(s, top_terms) for s in out["sentence"].fillna("").tolist()]
    out["weight"] = out["weight"].astype(float)
    out["note"] = out["note"].astype("str")
    return out


def term_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where whole-word occurrences of ``terms`` appear in ``text`` (case-insensitive)."""
    if not terms or not text:
        return []
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")(?!\w)", re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(text)]
