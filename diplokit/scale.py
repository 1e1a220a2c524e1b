"""The same annotation pipeline on Dask, for collections larger than one machine.

Install the extra: ``pip install 'diplokit[scale]'``. Then, on any Dask cluster::

    from dask.distributed import Client
    import dask.dataframe as dd
    from diplokit.scale import annotate_dask

    client = Client("tcp://scheduler:8786")        # or LocalCluster() on one machine
    articles = dd.read_parquet("build/articles.parquet")   # from `diplokit build`
    tables = annotate_dask(articles)                # dict of dask DataFrames
    tables["mentions"].to_parquet("out/mentions/")  # or .compute() for pandas

Each partition is split into sentences and annotated with ``map_partitions``; the
result for a partition is computed once per worker and shared by the five tables.
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

import pandas as pd

from .annotate import (
    DYAD_COLUMNS,
    EVENT_COLUMNS,
    MENTION_COLUMNS,
    OCCURRENCE_COLUMNS,
    SECTOR_COLUMNS,
    annotate_batch,
    compile_lexicon,
    summarise_candidates,
)
from .language import detect_language
from .lexicon import Lexicon
from .sentences import split_sentences

_RESULTS: "OrderedDict[tuple, dict[str, pd.DataFrame]]" = OrderedDict()
_LEXICONS: dict[tuple[str, ...], Any] = {}


def _compiled(lexicon_dirs: tuple[str, ...]):
    if lexicon_dirs not in _LEXICONS:
        _LEXICONS[lexicon_dirs] = compile_lexicon(Lexicon.load(*lexicon_dirs) if lexicon_dirs else None)
    return _LEXICONS[lexicon_dirs]


def annotate_partition(articles: pd.DataFrame, table: str, lexicon_dirs: tuple[str, ...] = ()) -> pd.DataFrame:
    """Annotate one partition of articles (``article_id``, clean ``text``, and ``lang`` if
    known: detected otherwise) and return one table: ``sentences``, ``mentions``,
    ``sectors``, ``events``, ``dyads`` or ``occurrences``."""
    ids = tuple(articles["article_id"].astype(str))
    key = (ids[:1], ids[-1:], len(ids), hash(ids), lexicon_dirs)
    res = _RESULTS.get(key)
    if res is None:
        arts = articles[[c for c in ("article_id", "text", "lang") if c in articles]].reset_index(drop=True)
        if "lang" not in arts:  # as load_corpus does when no language is given
            arts["lang"] = detect_language(arts["text"].fillna("").astype(str).tolist())
        s = split_sentences(arts["text"].fillna("").tolist())
        sents = pd.DataFrame(
            {
                "article_id": arts["article_id"].to_numpy()[s["doc"].to_numpy()].astype(str) if len(s) else pd.Series([], dtype="str"),
                "sentence_id": s["sentence_id"].to_numpy(),
                "start": s["start"].to_numpy(),
                "end": s["end"].to_numpy(),
                "text": s["text"].to_numpy(),
            }
        )
        sents["article_id"] = sents["article_id"].astype("str")
        sents["text"] = sents["text"].astype("str")
        res = annotate_batch(arts, sents, _compiled(lexicon_dirs))
        res["sentences"] = sents
        _RESULTS[key] = res
        while len(_RESULTS) > 8:  # a handful of partitions per worker is plenty
            _RESULTS.popitem(last=False)
    return res[table].reset_index(drop=True)


def _meta(table: str, lexicon_dirs: tuple[str, ...]) -> pd.DataFrame:
    empty = pd.DataFrame({"article_id": pd.Series([], dtype="str"), "text": pd.Series([], dtype="str")})
    return annotate_partition(empty, table, lexicon_dirs).iloc[:0]


def annotate_dask(articles: Any, lexicon_dirs: tuple[str | Path, ...] = ()) -> dict[str, Any]:
    """Annotation tables as dask DataFrames.

    ``articles`` is a dask DataFrame with ``article_id`` and clean ``text`` columns (and
    ``lang``, else the language is detected; such as ``corpus.articles`` or a build's
    ``articles.parquet``), or a path to a Parquet
    dataset of them. Returns a dict with ``sentences``, ``mentions``, ``sectors``,
    ``events``, ``dyads`` and ``occurrences`` (candidate names; summarise them with
    :func:`candidates_from`). Row for row the same as :func:`diplokit.annotate.annotate`.
    """
    import dask.dataframe as dd

    if isinstance(articles, (str, Path)):
        articles = dd.read_parquet(str(articles), columns=["article_id", "text"])
    dirs = tuple(map(str, lexicon_dirs))
    tables = {}
    for name in ("sentences", "mentions", "sectors", "events", "dyads", "occurrences"):
        tables[name] = articles[["article_id", "text"]].map_partitions(annotate_partition, name, dirs, meta=_meta(name, dirs))
    return tables


def candidates_from(occurrences: Any) -> pd.DataFrame:
    """Summarise the ``occurrences`` table (pandas or dask) into the candidates table."""
    occ = occurrences.compute() if hasattr(occurrences, "compute") else occurrences
    return summarise_candidates(occ)


__all__ = ["annotate_dask", "annotate_partition", "candidates_from", "MENTION_COLUMNS", "SECTOR_COLUMNS", "EVENT_COLUMNS", "DYAD_COLUMNS", "OCCURRENCE_COLUMNS"]
