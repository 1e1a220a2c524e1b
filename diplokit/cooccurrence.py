"""Who appears with whom: entity co-occurrence edges, networks, exports and evidence.

Counting is one sparse product (:func:`pair_table`; the explorers' fast path,
:meth:`ArticleIndex.cooccurrence <diplokit.filters.ArticleIndex.cooccurrence>`, reuses a
cached product and shares :func:`edges_from_counts`, so both give identical tables). With ``X`` the binary unit × entity matrix (a unit is an
article or a sentence), ``C = X.T @ X`` holds in ``C[i, j]`` the number of units where
entities *i* and *j* both appear, and on its diagonal the number of units of each entity.

Association measures, over the ``N`` units that mention at least one of the entities
considered (units with no actor carry no information about who appears with whom):

- ``jaccard = count / (n_a + n_b - count)``;
- ``npmi = log(p_ab / (p_a p_b)) / -log(p_ab)`` with ``p_ab = count / N``,
  ``p_a = n_a / N``, ``p_b = n_b / N``. It is 1 when the two entities never appear apart
  (``count == n_a == n_b``; this includes ``count == N``, where the formula is 0/0),
  0 for independence, and tends to -1 for pairs that avoid each other. Only pairs seen
  together at least once are listed, so it is always finite.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .evidence import build_evidence, empty_evidence
from .filters import binary, entity_table, incidence, keep_rows, selected_ids

EDGE_COLUMNS = ["entity_a", "entity_b", "name_a", "name_b", "type_a", "type_b", "count", "n_a", "n_b", "jaccard", "npmi"]
NODE_COLUMNS = ["entity_id", "name", "type", "country", "degree", "weighted_degree", "mentions"]
NETWORK_EDGE_COLUMNS = ["source", "target", "weight", "count", "jaccard", "npmi"]
MEASURES = ("count", "jaccard", "npmi")
LEVELS = ("article", "sentence")


def _types(entity_types: Iterable[str] | str | None) -> set[str] | None:
    if entity_types is None:
        return None
    return {entity_types} if isinstance(entity_types, str) else {str(t) for t in entity_types}


def _empty_edges() -> pd.DataFrame:
    cols = {c: pd.Series([], dtype="str") for c in EDGE_COLUMNS[:6]}
    cols.update({c: pd.Series([], dtype=np.int64) for c in ("count", "n_a", "n_b")})
    cols.update({c: pd.Series([], dtype=float) for c in ("jaccard", "npmi")})
    return pd.DataFrame(cols)


def npmi(count: np.ndarray, n_a: np.ndarray, n_b: np.ndarray, n_units: int) -> np.ndarray:
    """Normalised PMI of pairs seen together ``count`` (>= 1) times among ``n_units``."""
    c = np.asarray(count, dtype=float)
    a = np.asarray(n_a, dtype=float)
    b = np.asarray(n_b, dtype=float)
    if not len(c):
        return np.zeros(0)
    n = float(n_units)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Logs of integer products (exact in float64 below 2**53), so independence
        # (count * N == n_a * n_b) gives exactly 0 rather than a rounding residue.
        pmi = np.log(c * n) - np.log(a * b)
        h = np.log(n) - np.log(c)
        out = np.where(h > 0, pmi / np.where(h > 0, h, 1.0), 1.0)
    # Never apart -> exactly 1 (the ratio of two logs of the same number may miss by an ulp).
    out = np.where((c == a) & (c == b), 1.0, out)
    return np.clip(out, -1.0, 1.0)


def edges_from_counts(
    counts: sp.sparray,
    per_entity: np.ndarray,
    n_units: int,
    entities: pd.DataFrame,
    min_count: int = 1,
) -> pd.DataFrame:
    """Edge table from a symmetric entity × entity count matrix (``X.T @ X`` of a binary
    unit × entity matrix whose columns are the rows of ``entities``), the units of each
    entity, and the number of units ``N`` mentioning any of them."""
    if int(min_count) < 1:
        raise ValueError("min_count must be at least 1")
    if counts.shape[0] < 2 or n_units == 0:
        return _empty_edges()
    c = sp.triu(counts, k=1, format="coo")
    keep = c.data >= min_count
    i, j, cnt = c.row[keep].astype(np.int64), c.col[keep].astype(np.int64), c.data[keep].astype(np.int64)
    if not len(cnt):
        return _empty_edges()
    # Column codes follow sorted entity ids, so sorting codes sorts ids.
    order = np.lexsort((j, i, -cnt))
    i, j, cnt = i[order], j[order], cnt[order]
    per_entity = np.asarray(per_entity, dtype=np.int64)
    n_a, n_b = per_entity[i], per_entity[j]
    ents = entities.reset_index(drop=True)

    def take(col: str, codes: np.ndarray) -> pd.Series:
        return ents[col].astype("str").take(codes).reset_index(drop=True)

    return pd.DataFrame(
        {
            "entity_a": take("entity_id", i),
            "entity_b": take("entity_id", j),
            "name_a": take("name", i),
            "name_b": take("name", j),
            "type_a": take("type", i),
            "type_b": take("type", j),
            "count": cnt,
            "n_a": n_a,
            "n_b": n_b,
            "jaccard": cnt / (n_a + n_b - cnt),
            "npmi": npmi(cnt, n_a, n_b, n_units),
        }
    )


def pair_table(x: sp.sparray, entities: pd.DataFrame, min_count: int = 1, entity_types: Iterable[str] | str | None = None) -> pd.DataFrame:
    """Edges from a unit × entity matrix whose columns are the rows of ``entities``
    (entity_id sorted, name, type): ``X.T @ X`` on the binary matrix, restricted to
    ``entity_types`` first."""
    if int(min_count) < 1:
        raise ValueError("min_count must be at least 1")
    wanted = _types(entity_types)
    ents = entities.reset_index(drop=True)
    if wanted is not None:
        cols = np.flatnonzero(ents["type"].isin(wanted).to_numpy())
        x = sp.csr_array(x[:, cols])
        ents = ents.iloc[cols].reset_index(drop=True)
    x = binary(sp.csr_array(x))
    if x.shape[1] < 2 or x.nnz == 0:
        return _empty_edges()
    n_units = int((np.diff(x.indptr) > 0).sum())
    per_entity = np.asarray(x.sum(axis=0)).ravel()
    return edges_from_counts(x.T.tocsr() @ x, per_entity, n_units, ents, min_count)


def unit_matrix(mentions: pd.DataFrame, level: str = "article") -> tuple[sp.csr_array, pd.DataFrame]:
    """Binary unit × entity matrix of a mentions table and its entity columns."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    ents = entity_table(mentions)
    if mentions.empty:
        return sp.csr_array((0, 0), dtype=np.int64), ents
    ent = pd.Index(ents["entity_id"]).get_indexer(mentions["entity_id"].astype("str"))
    art = pd.factorize(mentions["article_id"].astype("str"))[0].astype(np.int64)
    if level == "article":
        unit = art
    else:
        sid = mentions["sentence_id"].to_numpy(dtype=np.int64)
        unit = np.unique(art * (int(sid.max()) + 1) + sid, return_inverse=True)[1]
    n_units = int(unit.max()) + 1
    return incidence(unit, ent, (n_units, len(ents)), binary=True), ents


def cooccurrence(
    ann,
    level: str = "article",
    min_count: int = 1,
    entity_types: Iterable[str] | str | None = None,
    articles=None,
) -> pd.DataFrame:
    """Entity pairs appearing in the same article (or sentence).

    One row per unordered pair (``entity_a < entity_b``) with columns
    ``entity_a, entity_b, name_a, name_b, type_a, type_b, count, n_a, n_b, jaccard,
    npmi``; ``count`` is the number of units where both appear and ``n_a``/``n_b`` the
    units of each (see the module docstring for the measures). ``entity_types``
    restricts to some of person/country/organization; ``articles`` restricts the
    articles (ids, a boolean Series by id, or an ``ArticleMask``). Sorted by count
    (descending), then entity_a, entity_b.
    """
    ids = selected_ids(articles)
    m = keep_rows(ann.mentions, ids)
    x, ents = unit_matrix(m, level)
    return pair_table(x, ents, min_count=min_count, entity_types=entity_types)


def network(edges: pd.DataFrame, ann, measure: str = "count", articles=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and weighted edges of the co-occurrence network in ``edges``.

    ``nodes``: entity_id, name, type, country, degree (number of neighbours),
    weighted_degree (sum of edge weights), mentions (mention rows in the selected
    articles), sorted by weighted_degree (descending) then entity_id.
    ``edges``: source, target, weight (= the ``measure`` column: count, jaccard or npmi),
    count, jaccard, npmi, sorted by weight (descending) then source, target.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}; got {measure!r}")
    weight = edges[measure].to_numpy(dtype=np.int64 if measure == "count" else float)
    out_edges = pd.DataFrame(
        {
            "source": edges["entity_a"].astype("str").to_numpy(),
            "target": edges["entity_b"].astype("str").to_numpy(),
            "weight": weight,
            "count": edges["count"].to_numpy(dtype=np.int64),
            "jaccard": edges["jaccard"].to_numpy(dtype=float),
            "npmi": edges["npmi"].to_numpy(dtype=float),
        }
    ).astype({"source": "str", "target": "str"})
    out_edges = out_edges.sort_values(["weight", "source", "target"], ascending=[False, True, True], kind="stable", ignore_index=True)

    ids = pd.Index(sorted(set(out_edges["source"]) | set(out_edges["target"])), dtype="str")
    a, b = ids.get_indexer(out_edges["source"]), ids.get_indexer(out_edges["target"])
    weight = out_edges["weight"].to_numpy()  # aligned with the sorted edges
    degree = np.bincount(a, minlength=len(ids)) + np.bincount(b, minlength=len(ids))
    wdeg = np.bincount(a, weights=weight, minlength=len(ids)) + np.bincount(b, weights=weight, minlength=len(ids))
    m = keep_rows(ann.mentions, selected_ids(articles))
    meta = entity_table(ann.mentions).set_index("entity_id").reindex(ids)
    # Names and types as the edges give them (the caller's view), lexicon data otherwise.
    names = pd.concat([pd.Series(edges["name_a"].to_numpy(), index=edges["entity_a"].to_numpy()), pd.Series(edges["name_b"].to_numpy(), index=edges["entity_b"].to_numpy())])
    types = pd.concat([pd.Series(edges["type_a"].to_numpy(), index=edges["entity_a"].to_numpy()), pd.Series(edges["type_b"].to_numpy(), index=edges["entity_b"].to_numpy())])
    names = names[~names.index.duplicated()].reindex(ids)
    types = types[~types.index.duplicated()].reindex(ids)
    counts = m["entity_id"].astype("str").value_counts().reindex(ids).fillna(0)
    nodes = pd.DataFrame(
        {
            "entity_id": ids,
            "name": pd.Series(names.to_numpy(), dtype="str"),
            "type": pd.Series(types.to_numpy(), dtype="str"),
            "country": pd.Series(meta["country"].to_numpy(), dtype="str"),
            "degree": degree.astype(np.int64),
            "weighted_degree": wdeg.astype(np.int64) if measure == "count" else wdeg,
            "mentions": counts.to_numpy(dtype=np.int64),
        }
    )
    nodes = nodes.sort_values(["weighted_degree", "entity_id"], ascending=[False, True], kind="stable", ignore_index=True)
    return nodes[NODE_COLUMNS], out_edges[NETWORK_EDGE_COLUMNS]


def _native(value):
    """GraphML holds str/int/float/bool: numpy scalars become Python ones, missing ''."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return value.item() if isinstance(value, np.generic) else value


def to_networkx(nodes: pd.DataFrame, edges: pd.DataFrame):
    """An undirected :class:`networkx.Graph` with the node and edge columns as attributes
    (nodes and edges added in table order)."""
    import networkx as nx

    g = nx.Graph()
    attrs = [c for c in nodes.columns if c != "entity_id"]
    for row in nodes.itertuples(index=False):
        d = row._asdict()
        g.add_node(str(d["entity_id"]), **{c: _native(d[c]) for c in attrs})
    eattrs = [c for c in edges.columns if c not in ("source", "target")]
    for row in edges.itertuples(index=False):
        d = row._asdict()
        g.add_edge(str(d["source"]), str(d["target"]), **{c: _native(d[c]) for c in eattrs})
    return g


def to_graphml(nodes: pd.DataFrame, edges: pd.DataFrame, path: str | Path) -> Path:
    """Write the network as GraphML (for Gephi, Cytoscape, ``networkx.read_graphml``)."""
    import networkx as nx

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(to_networkx(nodes, edges), p, encoding="utf-8")
    return p


def to_csv(nodes: pd.DataFrame, edges: pd.DataFrame, directory: str | Path) -> tuple[Path, Path]:
    """Write ``nodes.csv`` and ``edges.csv`` (UTF-8, no index) into ``directory``."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    nodes.to_csv(d / "nodes.csv", index=False, encoding="utf-8")
    edges.to_csv(d / "edges.csv", index=False, encoding="utf-8")
    return d / "nodes.csv", d / "edges.csv"


def pair_evidence(
    corpus,
    ann,
    entity_a: str,
    entity_b: str,
    level: str = "sentence",
    articles=None,
    limit: int | None = 50,
) -> pd.DataFrame:
    """The sentences behind a co-occurrence edge, newest first.

    ``level="sentence"``: every sentence mentioning both entities (at most ``limit``).
    ``level="article"``: for each article mentioning both (at most ``limit`` articles),
    the first sentence mentioning each entity (one row when that is the same sentence).
    Columns: article_id, sentence_id, title, date, source, sentence, spans (the two
    entities' mentions, relative to the sentence).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    if entity_a == entity_b:
        raise ValueError("pair_evidence needs two different entities")
    ids = selected_ids(articles, corpus.articles["article_id"].to_numpy())
    m = keep_rows(ann.mentions, ids)
    m = m.loc[m["entity_id"].isin([entity_a, entity_b]), ["article_id", "sentence_id", "start", "end", "entity_id"]]
    m = m.astype({"article_id": "str", "sentence_id": np.int64, "entity_id": "str"})
    key = ["article_id", "sentence_id"]
    has_a = m.loc[m["entity_id"] == entity_a, key].drop_duplicates()
    has_b = m.loc[m["entity_id"] == entity_b, key].drop_duplicates()
    if level == "sentence":
        units = has_a.merge(has_b, on=key, how="inner")
        if units.empty:
            return empty_evidence()
        return build_evidence(corpus, units, m, limit=limit)
    both = np.intersect1d(has_a["article_id"].unique(), has_b["article_id"].unique())
    if not len(both):
        return empty_evidence()
    first_a = has_a[has_a["article_id"].isin(both)].groupby("article_id", as_index=False)["sentence_id"].min()
    first_b = has_b[has_b["article_id"].isin(both)].groupby("article_id", as_index=False)["sentence_id"].min()
    units = pd.concat([first_a, first_b], ignore_index=True).drop_duplicates()
    ev = build_evidence(corpus, units, m, limit=None)
    if limit is not None:
        keep = pd.unique(ev["article_id"])[: int(limit)]
        ev = ev[ev["article_id"].isin(keep)].reset_index(drop=True)
    return ev


def actor_counts(ann, entity_types: Iterable[str] | str | None = None, articles=None) -> pd.DataFrame:
    """How often each actor is mentioned: entity_id, name, type, country, ``articles``
    (stories mentioning it) and ``mentions`` (every mention), most covered first
    (ties by entity id, so the order is stable)."""
    m = keep_rows(ann.mentions, selected_ids(articles))
    wanted = _types(entity_types)
    if wanted is not None:
        m = m[m["entity_type"].isin(wanted)]
    ents = entity_table(m)
    if m.empty:
        return ents.assign(articles=pd.Series([], dtype=np.int64), mentions=pd.Series([], dtype=np.int64))
    g = m.groupby("entity_id", sort=True)
    counts = pd.DataFrame({"articles": g["article_id"].nunique(), "mentions": g.size()}).astype(np.int64)
    out = ents.merge(counts, left_on="entity_id", right_index=True, how="left")
    return out.sort_values(["articles", "mentions", "entity_id"], ascending=[False, False, True], ignore_index=True)
