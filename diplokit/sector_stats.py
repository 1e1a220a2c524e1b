"""Sectors of cooperation: counts by article, dyad, country, source, month or language,
shares over time, and the sentences behind each number.

Attribution is by article: an article's sector cues count for every row of the
breakdown the article belongs to (every country it mentions, every dyad it carries,
its month, source and language). ``value="mentions"`` counts cue matches,
``value="articles"`` counts articles with at least one cue of the sector.
"""
from __future__ import annotations

import pandas as pd

from .evidence import build_evidence, cue_notes, empty_evidence
from .filters import ArticleIndex, articles_for_key, cue_rows

__all__ = ["sector_matrix", "sector_shares", "sector_evidence", "articles_for_key"]


def _index(corpus, ann, index: ArticleIndex | None) -> ArticleIndex:
    return index if index is not None else ArticleIndex.build(corpus, ann)


def sector_matrix(
    ann,
    corpus,
    by: str = "article",
    value: str = "mentions",
    articles=None,
    *,
    index: ArticleIndex | None = None,
) -> pd.DataFrame:
    """Sector counts: rows = ``by`` keys, columns = the sector ids in lexicon order (ints).

    ``by``: ``"article"`` (every selected article, by id), ``"dyad"`` ('AAA-BBB'),
    ``"country"`` (ISO3), ``"source"``, ``"lang"`` (keys with at least one selected
    article, sorted) or ``"month"`` (month-start timestamps, every month from the first
    to the last selected dated article). Pass a prebuilt ``index`` to skip indexing.
    """
    return _index(corpus, ann, index).sector_counts(articles, by=by, value=value)


def sector_shares(ann, corpus, freq: str = "M", articles=None, *, index: ArticleIndex | None = None) -> pd.DataFrame:
    """Tidy table ``period, sector, articles, share``: for each period (its start
    timestamp; every period between the first and last selected dated article) and each
    sector in lexicon order, the number of articles mentioning the sector and their
    share of the period's selected articles (NaN for a period without articles).
    ``freq``: ``"M"``, ``"Q"`` or ``"Y"``. Undated articles are left out."""
    return _index(corpus, ann, index).sector_shares(articles, freq=freq)


def sector_evidence(
    corpus,
    ann,
    sector: str,
    key=None,
    by: str = "article",
    articles=None,
    limit: int | None = 50,
) -> pd.DataFrame:
    """Sentences with a cue of ``sector``, newest first, cues highlighted.

    ``key`` narrows to one row of a ``by`` breakdown (e.g. ``by="country", key="RWA"``
    or ``by="month", key="2024-03"``), matching a cell of :func:`sector_matrix`.
    Columns: the evidence columns plus ``note`` ("cues: ...").
    """
    s = cue_rows(corpus, ann, "sectors", sector, articles, by, key)
    if s.empty:
        return empty_evidence(["note"])
    ev = build_evidence(corpus, s[["article_id", "sentence_id"]].drop_duplicates(), s, limit=limit)
    notes = cue_notes(s.merge(ev[["article_id", "sentence_id"]], on=["article_id", "sentence_id"]) if len(ev) else s.iloc[:0], "cues")
    return ev.merge(notes, on=["article_id", "sentence_id"], how="left", sort=False)
