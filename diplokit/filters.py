"""Selecting articles: the :class:`Filters` an analyst sets, and an :class:`ArticleIndex`
that answers them (and recomputes the explorers' tables) in milliseconds on 100,000 stories.

The index is built once from the tidy tables. Everything an explorer asks on a filter
change is then an operation on numpy arrays and scipy CSR matrices:

- ``mask(filters)``: comparisons on an int64 date array, lookup tables on factorised
  language/source codes, and column slices of CSC incidence matrices for countries and
  sectors (cost proportional to the selected columns' non-zeros, not to the tables);
- ``cooccurrence(mask, level)``: ``X.T @ X`` on the selected rows of a binary
  unit × entity matrix;
- ``sector_counts(mask, by)`` / ``event_counts`` / ``sector_shares``: ``K.T @ M`` on the
  selected rows of an article × key incidence matrix ``K`` and an article × category
  count matrix ``M``.

Semantics, shared by every function that takes ``articles=``:

- within one filter the values are alternatives (any of the countries), and the filters
  combine with AND;
- ``None`` means "no filter"; an empty tuple means "none of them" and selects nothing;
- an article matches a country when it mentions it directly, or mentions a person or an
  organisation of that country (the ``country`` column of ``mentions``);
- a date bound given as a string keeps its granularity: ``date_from="2024"`` starts on
  1 January 2024 and ``date_to="2024-03"`` ends with the last instant of March 2024; a
  ``Timestamp`` at midnight stands for that whole day. Undated articles never pass a
  date filter.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from typing import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp

BY_KEYS = ("article", "dyad", "country", "source", "month", "lang")
PERIOD_FREQS = ("M", "Q", "Y")
_NAT = np.iinfo(np.int64).min


# --------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------
def _bound(value: str | pd.Timestamp | None, end: bool) -> int | None:
    """A date bound as int64 nanoseconds: inclusive start, or *exclusive* end."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        try:
            p = pd.Period(value.strip())
        except (ValueError, TypeError) as exc:
            raise ValueError(f"cannot read {value!r} as a date") from exc
        # Exclusive end at the next period's start: Period.end_time stops at microseconds.
        ts = (p + 1).start_time if end else p.start_time
    else:
        ts = pd.Timestamp(value)
        if ts.tzinfo is not None:
            ts = ts.tz_convert(None)
        if end:
            ts = ts + pd.Timedelta(days=1) if ts == ts.normalize() else ts + pd.Timedelta(1, "ns")
    return int(ts.as_unit("ns").value)


@dataclass(frozen=True)
class Filters:
    """What an analyst selects; every field ``None`` means no filter.

    Sequences are normalised to sorted, de-duplicated tuples (a bare string is one
    value), so equal selections compare and hash equal and can key caches.
    """

    date_from: str | pd.Timestamp | None = None
    date_to: str | pd.Timestamp | None = None
    langs: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None
    sectors: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("langs", "sources", "countries", "sectors"):
            v = getattr(self, name)
            if v is None:
                continue
            if isinstance(v, str):
                v = (v,)
            object.__setattr__(self, name, tuple(sorted({str(x) for x in v})))
        # Fail on an unreadable date when the filter is made, not when it is applied.
        _bound(self.date_from, end=False)
        _bound(self.date_to, end=True)

    @property
    def is_empty(self) -> bool:
        """True when no field is set (everything passes)."""
        return all(getattr(self, f.name) is None for f in fields(self))


class ArticleMask(np.ndarray):
    """A boolean array over articles that remembers which article each position is.

    Returned by :meth:`ArticleIndex.mask`; functions taking ``articles=`` read
    ``article_ids`` so the mask can be passed to them without the index.
    """

    article_ids: np.ndarray | None

    def __new__(cls, values: np.ndarray, article_ids: np.ndarray) -> "ArticleMask":
        obj = np.asarray(values, dtype=bool).view(cls)
        obj.article_ids = article_ids
        return obj

    def __array_finalize__(self, obj) -> None:
        self.article_ids = getattr(obj, "article_ids", None)


def selected_ids(articles, universe: np.ndarray | pd.Index | None = None) -> pd.Index | None:
    """Turn an ``articles=`` argument into an Index of article ids (``None`` = all).

    Accepted: ``None``; an :class:`ArticleMask`; a boolean ``pd.Series`` indexed by
    article id; a plain boolean array aligned with ``universe`` (the corpus article
    order); or any collection of article ids.
    """
    if articles is None:
        return None
    if isinstance(articles, ArticleMask) and articles.article_ids is not None:
        if len(articles.article_ids) != len(articles):
            raise ValueError("this ArticleMask was sliced: its length no longer matches its article ids")
        return pd.Index(np.asarray(articles.article_ids)[np.asarray(articles)], dtype="str", name="article_id")
    if isinstance(articles, pd.Series) and articles.dtype == bool:
        return pd.Index(articles.index[articles.to_numpy()], dtype="str", name="article_id")
    if isinstance(articles, np.ndarray) and articles.dtype == bool:
        if universe is None:
            raise TypeError(
                "a plain boolean mask needs to know its article order: pass an ArticleMask from "
                "ArticleIndex.mask(), an Index of article ids, or a boolean Series indexed by article id"
            )
        if len(articles) != len(universe):
            raise ValueError(f"boolean mask of length {len(articles)} does not match {len(universe)} articles")
        return pd.Index(np.asarray(universe)[articles], dtype="str", name="article_id")
    if isinstance(articles, str):
        articles = [articles]
    elif not isinstance(articles, (pd.Index, np.ndarray, pd.Series, list, tuple)):
        articles = list(articles)  # sets, generators
    return pd.Index(pd.unique(np.asarray(articles, dtype=object)), dtype="str", name="article_id")


def keep_rows(df: pd.DataFrame, ids: pd.Index | None, column: str = "article_id") -> pd.DataFrame:
    """Rows of ``df`` whose ``column`` is among ``ids`` (all rows when ``ids`` is None)."""
    if ids is None:
        return df
    return df[df[column].isin(ids)]


# --------------------------------------------------------------------------------------
# Per-article keys: the one place where "which country / dyad / month is this article
# about" is defined; the index and the evidence functions both use it.
# --------------------------------------------------------------------------------------
def month_start(dates: pd.Series | np.ndarray) -> np.ndarray:
    """datetime64[ns] month starts (NaT stays NaT)."""
    d = np.asarray(pd.to_datetime(pd.Series(dates)).astype("datetime64[ns]"))
    return d.astype("datetime64[M]").astype("datetime64[ns]")


def mention_countries(mentions: pd.DataFrame) -> pd.DataFrame:
    """Distinct (article_id, country) pairs: a country entity counts for itself, a person
    or an organisation for its ``country``."""
    country = mentions["country"].astype("str")
    own = mentions["entity_type"].astype("str").eq("country") & country.isna()
    country = country.where(~own, mentions["entity_id"].astype("str"))
    out = pd.DataFrame({"article_id": mentions["article_id"].astype("str"), "key": country}).dropna()
    return out.drop_duplicates(ignore_index=True)


def dyad_label(a: str, b: str) -> str:
    """The key of a country pair: ISO3 codes in alphabetical order joined by '-'."""
    a, b = sorted((str(a), str(b)))
    return f"{a}-{b}"


def article_keys(articles: pd.DataFrame, mentions: pd.DataFrame | None, dyads: pd.DataFrame | None, by: str) -> pd.DataFrame:
    """Long table (article_id, key): which row(s) of a ``by`` breakdown each article
    belongs to. Countries and dyads give several keys per article; month, source and
    lang at most one (missing values give none)."""
    if by not in BY_KEYS:
        raise ValueError(f"by must be one of {', '.join(BY_KEYS)}; got {by!r}")
    aid = articles["article_id"].astype("str")
    if by == "article":
        out = pd.DataFrame({"article_id": aid, "key": aid})
    elif by in ("source", "lang"):
        out = pd.DataFrame({"article_id": aid, "key": articles[by].astype("str")}).dropna()
    elif by == "month":
        out = pd.DataFrame({"article_id": aid, "key": month_start(articles["date"])}).dropna()
    elif by == "country":
        out = mention_countries(mentions) if mentions is not None and len(mentions) else pd.DataFrame(columns=["article_id", "key"])
    else:
        if dyads is None or dyads.empty:
            out = pd.DataFrame(columns=["article_id", "key"])
        else:
            a = dyads["country_a"].astype("str").to_numpy(dtype=object)
            b = dyads["country_b"].astype("str").to_numpy(dtype=object)
            lo, hi = np.where(a <= b, a, b), np.where(a <= b, b, a)
            out = pd.DataFrame({"article_id": dyads["article_id"].astype("str"), "key": pd.Series(lo + "-" + hi, index=dyads.index, dtype="str")})
        out = out.drop_duplicates(ignore_index=True)
    return out.reset_index(drop=True)


def normalise_key(by: str, key) -> object:
    """A user's key in the form ``article_keys`` uses (months as month-start Timestamps,
    dyads as 'AAA-BBB' from a string or a pair)."""
    if by == "month":
        return pd.Timestamp(pd.Period(key, "M").start_time).as_unit("ns") if not isinstance(key, pd.Period) else key.asfreq("M").start_time.as_unit("ns")
    if by == "dyad":
        if isinstance(key, str):
            parts = key.replace("|", "-").split("-")
            if len(parts) != 2:
                raise ValueError(f"a dyad key is 'AAA-BBB' or a pair of ISO3 codes; got {key!r}")
            return dyad_label(*parts)
        a, b = key
        return dyad_label(a, b)
    return str(key)


def entity_table(mentions: pd.DataFrame) -> pd.DataFrame:
    """One row per mentioned entity, sorted by ``entity_id``: entity_id, name, type,
    country (first non-missing value seen for each)."""
    if mentions.empty:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in ("entity_id", "name", "type", "country")})
    cols = mentions[["entity_id", "entity_name", "entity_type", "country"]].astype("str")
    first = cols.groupby("entity_id", sort=True).first()
    return pd.DataFrame(
        {
            "entity_id": pd.Series(first.index, dtype="str"),
            "name": pd.Series(first["entity_name"].to_numpy(), dtype="str"),
            "type": pd.Series(first["entity_type"].to_numpy(), dtype="str"),
            "country": pd.Series(first["country"].to_numpy(), dtype="str"),
        }
    )


def articles_for_key(corpus, ann, by: str, key) -> pd.Index:
    """Ids of the articles in one row of a ``by`` breakdown (``key`` as in
    :func:`sector_matrix`'s index; months also as 'YYYY-MM', dyads also as a pair)."""
    keys = article_keys(corpus.articles, ann.mentions, ann.dyads, by)
    k = normalise_key(by, key)
    hit = keys["key"] == k
    return pd.Index(keys.loc[hit, "article_id"].unique(), dtype="str", name="article_id")


def scope_ids(corpus, ann, articles=None, by: str = "article", key=None) -> pd.Index | None:
    """Ids selected by ``articles`` and, when ``key`` is given, in that row of the ``by``
    breakdown (None = every article)."""
    ids = selected_ids(articles, corpus.articles["article_id"].to_numpy())
    if key is None:
        return ids
    in_key = articles_for_key(corpus, ann, by, key)
    return in_key if ids is None else in_key.intersection(ids, sort=False)


# --------------------------------------------------------------------------------------
# Sparse helpers
# --------------------------------------------------------------------------------------
def incidence(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], binary: bool = False) -> sp.csr_array:
    """CSR matrix counting (row, col) occurrences (or 1 where any, if ``binary``)."""
    data = np.ones(len(rows), dtype=np.int64)
    m = sp.csr_array((data, (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))), shape=shape)
    m.sum_duplicates()
    if binary:
        m.data[:] = 1
    return m


def binary(m: sp.csr_array) -> sp.csr_array:
    """1 wherever ``m`` is non-zero."""
    b = m.copy()
    b.eliminate_zeros()
    b.data = np.ones_like(b.data)
    return b


def rows_with_any(csc: sp.csc_array, cols: np.ndarray) -> np.ndarray:
    """Boolean array over rows: True where any of ``cols`` is non-zero."""
    hit = np.zeros(csc.shape[0], dtype=bool)
    if len(cols):
        ptr = csc.indptr
        # A handful of selected columns: each is one contiguous slice of the CSC indices.
        idx = np.concatenate([csc.indices[ptr[c] : ptr[c + 1]] for c in cols])
        hit[idx] = True
    return hit


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Sorted factorisation; missing values get code -1."""
    codes, cats = pd.factorize(values.astype("str"), sort=True, use_na_sentinel=True)
    return codes.astype(np.int64), pd.Index(cats, dtype="str")


# --------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------
class ArticleIndex:
    """Precomputed arrays and sparse incidence matrices over a set of articles.

    Build once (``ArticleIndex.build(corpus, ann)``, or the constructor for bare tables that
    did not come through the loader), then ask it for masks and tables as often as the
    filters change. Positions follow the row order of the articles table; the matrices
    are built on first use (``warm()`` builds them all up front).
    """

    def __init__(
        self,
        articles: pd.DataFrame,
        mentions: pd.DataFrame,
        sectors: pd.DataFrame | None = None,
        events: pd.DataFrame | None = None,
        dyads: pd.DataFrame | None = None,
        *,
        sector_ids: Iterable[str] | None = None,
        event_ids: Iterable[str] | None = None,
    ) -> None:
        from .lexicon import EVENT_IDS, SECTOR_IDS

        self.article_ids: np.ndarray = articles["article_id"].astype("str").to_numpy(dtype=object)
        self._pos = pd.Index(self.article_ids, dtype="str")
        if self._pos.has_duplicates:
            raise ValueError("article ids are not unique")
        self.n = len(self.article_ids)
        self._articles = articles
        self._mentions = mentions
        self._sectors = _with_columns(sectors, ["article_id", "sector"])
        self._events = _with_columns(events, ["article_id", "event_type"])
        self._dyads = _with_columns(dyads, ["article_id", "country_a", "country_b"])
        self.sector_ids: list[str] = _category_order(sector_ids or SECTOR_IDS, self._sectors["sector"])
        self.event_ids: list[str] = _category_order(event_ids or EVENT_IDS, self._events["event_type"])

    @classmethod
    def build(cls, corpus, ann, *, warm: bool = False) -> "ArticleIndex":
        """Index a :class:`~diplokit.corpus.Corpus` and its
        :class:`~diplokit.annotate.Annotations`; lexicon order for sectors and events."""
        index = cls(
            corpus.articles,
            ann.mentions,
            ann.sectors,
            ann.events,
            ann.dyads,
            sector_ids=lexicon_ids(ann, "sectors"),
            event_ids=lexicon_ids(ann, "events"),
        )
        return index.warm() if warm else index

    def warm(self) -> "ArticleIndex":
        """Build every array and matrix now, so the first filter change is as fast as the rest."""
        for name in ("dates", "lang_codes", "source_codes", "country_csc", "sector_csc", "sector_binary", "event_binary"):
            getattr(self, name)
        for by in BY_KEYS[1:]:
            self.keys(by)
        for level in ("article", "sentence"):
            self._pair_base(level)
        return self

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        return f"<ArticleIndex: {self.n} articles, {len(self.sector_ids)} sectors>"

    # ---- positions ------------------------------------------------------------------------
    def positions(self, article_ids: pd.Series | np.ndarray) -> np.ndarray:
        """Row position of each id (-1 for ids not in the index)."""
        return self._pos.get_indexer(pd.Index(article_ids, dtype="str"))

    def ids(self, mask: np.ndarray | None = None) -> pd.Index:
        """Article ids where ``mask`` is True (all ids for None), in index order."""
        ids = self.article_ids if mask is None else self.article_ids[np.asarray(mask, dtype=bool)]
        return pd.Index(ids, dtype="str", name="article_id")

    def as_mask(self, articles) -> np.ndarray:
        """Any ``articles=`` argument (see :func:`selected_ids`) as a bool array over the index."""
        if articles is None:
            return np.ones(self.n, dtype=bool)
        if isinstance(articles, np.ndarray) and articles.dtype == bool and len(articles) == self.n:
            ids = getattr(articles, "article_ids", None)
            # A plain array is in index order by contract; a mask from this index is too.
            if ids is None or ids is self.article_ids:
                return np.asarray(articles)
        ids = selected_ids(articles, self.article_ids)
        mask = np.zeros(self.n, dtype=bool)
        pos = self.positions(ids)
        mask[pos[pos >= 0]] = True
        return mask

    # ---- per-article arrays -------------------------------------------------------------------
    @cached_property
    def dates(self) -> np.ndarray:
        """int64 nanoseconds since the epoch; undated articles hold int64 min."""
        d = pd.to_datetime(self._articles["date"]).astype("datetime64[ns]")
        return np.asarray(d).view(np.int64)

    @cached_property
    def _lang(self) -> tuple[np.ndarray, pd.Index]:
        return _codes(self._articles["lang"]) if "lang" in self._articles else (np.full(self.n, -1, np.int64), pd.Index([], dtype="str"))

    @cached_property
    def _source(self) -> tuple[np.ndarray, pd.Index]:
        return _codes(self._articles["source"]) if "source" in self._articles else (np.full(self.n, -1, np.int64), pd.Index([], dtype="str"))

    @property
    def lang_codes(self) -> np.ndarray:
        return self._lang[0]

    @property
    def source_codes(self) -> np.ndarray:
        return self._source[0]

    # ---- incidence matrices -------------------------------------------------------------------
    @cached_property
    def _country(self) -> tuple[sp.csr_array, pd.Index]:
        keys = mention_countries(self._mentions) if len(self._mentions) else pd.DataFrame({"article_id": [], "key": []})
        return self._key_matrix(keys)

    @cached_property
    def country_ids(self) -> pd.Index:
        """Columns of the article × country matrix (ISO3, sorted)."""
        return self._country[1]

    @cached_property
    def country_csc(self) -> sp.csc_array:
        """Binary article × country matrix, column-compressed for fast column slices."""
        return self._country[0].tocsc()

    @cached_property
    def sector_matrix(self) -> sp.csr_array:
        """article × sector: number of sector cue matches."""
        return self._category_matrix(self._sectors, "sector", self.sector_ids)

    @cached_property
    def sector_csc(self) -> sp.csc_array:
        return self.sector_matrix.tocsc()

    @cached_property
    def sector_binary(self) -> sp.csr_array:
        """article × sector: 1 where the article has a cue of the sector."""
        return binary(self.sector_matrix)

    @cached_property
    def event_binary(self) -> sp.csr_array:
        return binary(self.event_matrix)

    @cached_property
    def event_matrix(self) -> sp.csr_array:
        """article × event type: number of sentences with that event type."""
        return self._category_matrix(self._events, "event_type", self.event_ids)

    @cached_property
    def entities(self) -> pd.DataFrame:
        """Columns of the entity matrices: entity_id (sorted), name, type, country."""
        return entity_table(self._mentions)

    @cached_property
    def _mention_codes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(article position, sentence id, entity code) per mention row of indexed articles."""
        m = self._mentions
        pos = self.positions(m["article_id"]) if len(m) else np.zeros(0, np.int64)
        ent = pd.Index(self.entities["entity_id"]).get_indexer(m["entity_id"].astype("str")) if len(m) else np.zeros(0, np.int64)
        sid = m["sentence_id"].to_numpy(dtype=np.int64) if len(m) else np.zeros(0, np.int64)
        ok = pos >= 0
        return pos[ok], sid[ok], ent[ok]

    @cached_property
    def entity_matrix(self) -> sp.csr_array:
        """article × entity: number of mentions."""
        pos, _, ent = self._mention_codes
        return incidence(pos, ent, (self.n, len(self.entities)))

    @cached_property
    def entity_binary(self) -> sp.csr_array:
        return binary(self.entity_matrix)

    @cached_property
    def sentence_units(self) -> tuple[sp.csr_array, np.ndarray, np.ndarray]:
        """Binary sentence × entity matrix over the sentences that mention someone, with
        each row's article position and sentence id."""
        pos, sid, ent = self._mention_codes
        width = int(sid.max()) + 1 if len(sid) else 1
        units, unit_code = np.unique(pos * width + sid, return_inverse=True)
        x = incidence(unit_code, ent, (len(units), len(self.entities)), binary=True)
        return x, units // width, units % width

    def keys(self, by: str) -> tuple[sp.csr_array, pd.Index]:
        """Binary article × key matrix for a ``by`` breakdown, and its (sorted) keys."""
        cache = self.__dict__.setdefault("_keys_cache", {})
        if by not in cache:
            if by == "country":
                cache[by] = self._country
            elif by == "month":
                cache[by] = self._month_keys()
            elif by == "article":
                cache[by] = (sp.eye_array(self.n, dtype=np.int64, format="csr"), self._pos)
            else:
                cache[by] = self._key_matrix(article_keys(self._articles, self._mentions, self._dyads, by))
        return cache[by]

    def _month_keys(self) -> tuple[sp.csr_array, pd.Index]:
        # Every month from the first to the last dated article, so gaps show as zeros.
        d = self.dates
        ok = d != _NAT
        months = np.full(self.n, -1, dtype=np.int64)
        months[ok] = d[ok].astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
        if not ok.any():
            return sp.csr_array((self.n, 0), dtype=np.int64), pd.DatetimeIndex([], name="month")
        lo, hi = months[ok].min(), months[ok].max()
        rows = np.flatnonzero(ok)
        m = incidence(rows, months[ok] - lo, (self.n, int(hi - lo + 1)), binary=True)
        labels = pd.DatetimeIndex(np.arange(lo, hi + 1).astype("datetime64[M]").astype("datetime64[ns]"), name="month")
        return m, labels

    def _key_matrix(self, keys: pd.DataFrame) -> tuple[sp.csr_array, pd.Index]:
        pos = self.positions(keys["article_id"]) if len(keys) else np.zeros(0, np.int64)
        ok = pos >= 0
        codes, cats = pd.factorize(keys["key"].astype("str")[ok], sort=True) if ok.any() else (np.zeros(0, np.int64), pd.Index([], dtype="str"))
        return incidence(pos[ok], codes, (self.n, len(cats)), binary=True), pd.Index(cats, dtype="str")

    def _category_matrix(self, df: pd.DataFrame, column: str, order: list[str]) -> sp.csr_array:
        if df.empty:
            return sp.csr_array((self.n, len(order)), dtype=np.int64)
        pos = self.positions(df["article_id"])
        col = pd.Index(order).get_indexer(df[column].astype("str"))
        ok = (pos >= 0) & (col >= 0)
        return incidence(pos[ok], col[ok], (self.n, len(order)))

    # ---- filtering -------------------------------------------------------------------------------
    def mask(self, filters: Filters | None = None) -> ArticleMask:
        """Boolean array over the index: True for articles passing ``filters``."""
        keep = np.ones(self.n, dtype=bool)
        if filters is None or filters.is_empty:
            return ArticleMask(keep, self.article_ids)
        lo, hi = _bound(filters.date_from, end=False), _bound(filters.date_to, end=True)
        if lo is not None or hi is not None:
            d = self.dates
            keep &= d != _NAT
            if lo is not None:
                keep &= d >= lo
            if hi is not None:
                keep &= d < hi
        if filters.langs is not None:
            keep &= _lookup(*self._lang, filters.langs)
        if filters.sources is not None:
            keep &= _lookup(*self._source, filters.sources)
        if filters.countries is not None:
            cols = self.country_ids.get_indexer(list(filters.countries))
            keep &= rows_with_any(self.country_csc, cols[cols >= 0])
        if filters.sectors is not None:
            cols = pd.Index(self.sector_ids).get_indexer(list(filters.sectors))
            keep &= rows_with_any(self.sector_csc, cols[cols >= 0])
        return ArticleMask(keep, self.article_ids)

    def key_mask(self, by: str, key) -> np.ndarray:
        """Articles belonging to one row of a ``by`` breakdown (e.g. ``("country", "RWA")``)."""
        _, labels = self.keys(by)
        j = labels.get_indexer([normalise_key(by, key)])[0]
        if j < 0:
            return np.zeros(self.n, dtype=bool)
        csc = self.__dict__.setdefault("_keys_csc", {})
        if by not in csc:
            csc[by] = self.keys(by)[0].tocsc()
        return rows_with_any(csc[by], np.array([j]))

    # ---- tables for the explorers -----------------------------------------------------------------
    def _rows(self, mask) -> np.ndarray | None:
        if mask is None:
            return None
        return np.flatnonzero(self.as_mask(mask))

    def _units(self, level: str) -> tuple[sp.csr_array, np.ndarray | None]:
        """Binary unit × entity matrix of a level and each unit's article (None = identity)."""
        if level == "article":
            return self.entity_binary, None
        if level == "sentence":
            x, unit_article, _ = self.sentence_units
            return x, unit_article
        raise ValueError(f"level must be 'article' or 'sentence'; got {level!r}")

    def _pair_base(self, level: str) -> tuple[sp.csr_array, sp.csr_array, np.ndarray, np.ndarray, list[str]]:
        """Cached per level: X, X.T @ X over all units, units per entity, and a bitmask
        per unit of the entity types it mentions (bit k = k-th type in ``types``)."""
        cache = self.__dict__.setdefault("_pair_cache", {})
        if level not in cache:
            x, _ = self._units(level)
            types = sorted(set(self.entities["type"].dropna()))
            if len(types) > 62:
                raise ValueError("more than 62 entity types")
            code = pd.Index(types).get_indexer(self.entities["type"])
            ent_bits = np.where(code >= 0, np.left_shift(np.int64(1), np.maximum(code, 0)), 0).astype(np.int64)
            # OR of the type bits over each row's entities (empty rows: 0).
            vals = np.append(ent_bits[x.indices], 0)
            starts = np.minimum(x.indptr[:-1], len(vals) - 1)
            bits = np.bitwise_or.reduceat(vals, starts) if len(starts) else np.zeros(0, np.int64)
            bits[np.diff(x.indptr) == 0] = 0
            cache[level] = (x, x.T.tocsr() @ x, np.asarray(x.sum(axis=0)).ravel().astype(np.int64), bits, types)
        return cache[level]

    def pair_counts(self, mask=None, level: str = "article") -> tuple[sp.csr_array, np.ndarray, np.ndarray]:
        """For the selected articles: entity × entity co-occurrence counts, units per
        entity, and the type bitmask of each selected unit.

        When most units are selected it is cheaper to remove the others from the cached
        full product than to multiply the selection: ``C(sel) = C(all) - C(rest)``.
        """
        x, full, per_full, bits, _ = self._pair_base(level)
        _, unit_article = self._units(level)
        if mask is None:
            return full, per_full, bits
        art = self.as_mask(mask)
        sel = art if unit_article is None else art[unit_article]
        n_sel = int(sel.sum())
        if n_sel == len(sel):
            return full, per_full, bits
        if n_sel * 2 <= len(sel):
            xs = x[np.flatnonzero(sel)]
            return xs.T.tocsr() @ xs, np.asarray(xs.sum(axis=0)).ravel().astype(np.int64), bits[sel]
        xr = x[np.flatnonzero(~sel)]
        c = full - xr.T.tocsr() @ xr
        c.eliminate_zeros()
        return c, per_full - np.asarray(xr.sum(axis=0)).ravel().astype(np.int64), bits[sel]

    def cooccurrence(self, mask=None, level: str = "article", min_count: int = 1, entity_types: Iterable[str] | str | None = None) -> pd.DataFrame:
        """Entity pair table for the selected articles; the same table as
        :func:`diplokit.cooccurrence.cooccurrence` with ``articles=mask``."""
        from .cooccurrence import edges_from_counts

        c, per_entity, bits = self.pair_counts(mask, level)
        *_, types = self._pair_base(level)
        ents = self.entities
        if entity_types is None:
            n_units = int(np.count_nonzero(bits))
        else:
            wanted = {entity_types} if isinstance(entity_types, str) else {str(t) for t in entity_types}
            want_bits = sum(1 << k for k, t in enumerate(types) if t in wanted)
            n_units = int(np.count_nonzero(bits & want_bits))
            cols = np.flatnonzero(ents["type"].isin(wanted).to_numpy())
            c = sp.csr_array(c[cols][:, cols])
            per_entity = per_entity[cols]
            ents = ents.iloc[cols]
        return edges_from_counts(c, per_entity, n_units, ents, min_count)

    def _group_counts(self, kind: str, categories: list[str], mask, by: str, value: str) -> pd.DataFrame:
        if value not in ("mentions", "articles"):
            raise ValueError(f"value must be 'mentions' or 'articles'; got {value!r}")
        if by not in BY_KEYS:
            raise ValueError(f"by must be one of {', '.join(BY_KEYS)}; got {by!r}")
        rows = self._rows(mask)
        m = getattr(self, f"{kind}_matrix" if value == "mentions" else f"{kind}_binary")
        if rows is not None:
            m = m[rows]
        name = "article_id" if by == "article" else by
        if by == "article":
            ids = self.article_ids if rows is None else self.article_ids[rows]
            order = np.argsort(ids, kind="stable")
            out = pd.DataFrame(m.toarray()[order].astype(np.int64), index=pd.Index(ids[order], dtype="str", name=name), columns=pd.Index(categories, name="category"))
            return out
        k, labels = self.keys(by)
        if rows is not None:
            k = k[rows]
        counts = (k.T @ m).toarray().astype(np.int64)
        present = np.asarray(k.sum(axis=0)).ravel() > 0
        if by == "month" and present.any():
            # Keep the calendar continuous between the first and last selected month.
            idx = np.flatnonzero(present)
            present[idx[0] : idx[-1] + 1] = True
        out = pd.DataFrame(counts[present], index=labels[present].rename(name), columns=pd.Index(categories, name="category"))
        return out

    def sector_counts(self, mask=None, by: str = "month", value: str = "mentions") -> pd.DataFrame:
        """Rows = ``by`` keys with at least one selected article, columns = sector ids in
        lexicon order; see :func:`diplokit.sector_stats.sector_matrix`."""
        out = self._group_counts("sector", self.sector_ids, mask, by, value)
        out.columns.name = "sector"
        return out

    def event_counts(self, mask=None, by: str = "article", value: str = "mentions") -> pd.DataFrame:
        """Like :meth:`sector_counts` for the event types (``mentions`` = event sentences)."""
        out = self._group_counts("event", self.event_ids, mask, by, value)
        out.columns.name = "event_type"
        return out

    def sector_shares(self, mask=None, freq: str = "M") -> pd.DataFrame:
        """Tidy (period, sector, articles, share); see :func:`diplokit.sector_stats.sector_shares`."""
        if freq not in PERIOD_FREQS:
            raise ValueError(f"freq must be one of {', '.join(PERIOD_FREQS)}; got {freq!r}")
        sel = self.as_mask(mask) & (self.dates != _NAT)
        rows = np.flatnonzero(sel)
        n_sec = len(self.sector_ids)
        if not len(rows):
            return pd.DataFrame({"period": pd.Series([], dtype="datetime64[ns]"), "sector": pd.Series([], dtype="str"),
                                 "articles": pd.Series([], dtype=np.int64), "share": pd.Series([], dtype=float)})
        months = self.dates[rows].astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
        step = {"M": 1, "Q": 3, "Y": 12}[freq]
        # Months since 1970 floor-divided into periods; 1970 starts a quarter and a year.
        code = months // step
        lo = code.min()
        code = code - lo
        n_per = int(code.max()) + 1
        p = incidence(code, np.arange(len(rows)), (n_per, len(rows)))
        counts = (p @ self.sector_binary[rows]).toarray().astype(np.int64)
        total = np.bincount(code, minlength=n_per)
        starts = ((np.arange(n_per) + lo) * step).astype("datetime64[M]").astype("datetime64[ns]")
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total[:, None] > 0, counts / np.maximum(total[:, None], 1), np.nan)
        return pd.DataFrame(
            {
                "period": np.repeat(starts, n_sec),
                "sector": pd.Series(np.tile(np.array(self.sector_ids, dtype=object), n_per), dtype="str"),
                "articles": counts.ravel(),
                "share": share.ravel().astype(float),
            }
        )


def _lookup(codes: np.ndarray, cats: pd.Index, wanted: tuple[str, ...]) -> np.ndarray:
    # One slot per category plus a last one for missing values (code -1), never wanted.
    lut = np.zeros(len(cats) + 1, dtype=bool)
    j = cats.get_indexer(list(wanted))
    lut[j[j >= 0]] = True
    return lut[codes]


def _with_columns(df: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """``df``, or an empty table with ``columns`` when it is missing or has no rows."""
    if df is None or (df.empty and not set(columns) <= set(df.columns)):
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in columns})
    return df


def _category_order(order: Iterable[str], seen: pd.Series) -> list[str]:
    """The lexicon's ids in order, then any id met in the data but not in it (sorted)."""
    base = list(dict.fromkeys(str(x) for x in order))
    extra = sorted(set(seen.dropna().astype("str").unique().tolist()) - set(base)) if len(seen) else []
    return base + extra


def lexicon_ids(ann, kind: str) -> list[str]:
    """Sector ids (``kind="sectors"``) or event type ids (``"events"``) in lexicon order
    (the annotations' lexicon, else the bundled id lists), then ids met only in the data."""
    from .lexicon import EVENT_IDS, SECTOR_IDS

    if kind not in ("sectors", "events"):
        raise ValueError("kind must be 'sectors' or 'events'")
    lex = getattr(ann, "lexicon", None)
    table = getattr(lex, kind, None) if lex is not None else None
    base = list(table["id"]) if table is not None and len(table) else (SECTOR_IDS if kind == "sectors" else EVENT_IDS)
    col = "sector" if kind == "sectors" else "event_type"
    df = getattr(ann, kind)
    return _category_order(base, df[col] if col in df.columns else pd.Series([], dtype="str"))


def select_articles(corpus, ann, filters: Filters | None = None) -> pd.Index:
    """Ids of the articles passing ``filters``, in corpus order.

    For repeated filtering build an :class:`ArticleIndex` once and call ``mask``.
    """
    index = ArticleIndex.build(corpus, ann)
    return index.ids(index.mask(filters))


def cue_rows(corpus, ann, kind: str, value: str, articles=None, by: str = "article", key=None) -> pd.DataFrame:
    """The rows of ``ann.sectors`` (``kind="sectors"``) or ``ann.events`` (``"events"``)
    for one sector or event type, within the selected articles and one cell of a ``by``
    breakdown, with ``article_id`` as str and ``sentence_id`` as int64 (the evidence
    functions' starting point)."""
    column = {"sectors": "sector", "events": "event_type"}[kind]
    if value not in lexicon_ids(ann, kind):
        raise ValueError(f"unknown {column.replace('_', ' ')} {value!r}")
    rows = keep_rows(getattr(ann, kind), scope_ids(corpus, ann, articles, by, key))
    rows = rows[rows[column] == value]
    return rows.astype({"article_id": "str", "sentence_id": np.int64})
