"""Interactive explorers for Jupyter: a filter bar, one plotly ``FigureWidget`` updated in
place, and an evidence panel with the sentences behind whatever is clicked.

- :class:`SectorExplorer`: sectors by country (heatmap), by month (shares over time) or
  ranked; a click selects a sector (and a country or month).
- :class:`CooccurrenceExplorer`: who appears with whom among the top actors (heatmap of
  count / jaccard / npmi, article or sentence window) or as a network; a click selects a
  pair or an actor.
- :class:`ThemeExplorer`: lexicon event types by month or by dyad, and themes discovered
  from the words of the stories (:func:`~diplokit.themes.discover_themes`, fixed seed).

Every explorer is built once from ``(corpus, annotations)`` (pass a prebuilt
:class:`~diplokit.filters.ArticleIndex` to skip indexing). A filter change is a mask on
the index plus a sparse product (no re-annotation, no pandas group-by over the mention
tables); the figure is created once and its traces are changed inside
``figure.batch_update()``. Evidence is selected with numpy on precomputed row groups and
rendered by :func:`diplokit.evidence.evidence_html`, which escapes all article text.

Public API (all three): ``.widget``, ``.figure``, ``.filters`` / ``.set_filters(**kw)`` /
``.reset_filters()``, ``.select(...)`` (returns the evidence table), ``.evidence``,
``.evidence_total``, ``.update()`` (returns elapsed ms), ``.static_figure()`` (a plain
``go.Figure`` with plotly's own dropdown, for HTML exports without a kernel).

Widgets carry stable CSS classes for browser tests: the box ``dk-explorer`` plus
``dk-sector-explorer`` / ``dk-cooccurrence-explorer`` / ``dk-theme-explorer``; the filter
bar ``dk-filter-bar`` with ``dk-filter-date``, ``dk-filter-lang``, ``dk-filter-source``,
``dk-filter-country``, ``dk-filter-sector``, ``dk-filter-reset``; the controls
``dk-view``, ``dk-measure``, ``dk-window``, ``dk-entity-type``, ``dk-min-count``,
``dk-top``; ``dk-status``, ``dk-figure`` and ``dk-evidence`` (also ``dk-evidence-panel``).
"""
from __future__ import annotations

import html
import time
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import figures as F
from .cooccurrence import MEASURES, npmi
from .evidence import empty_evidence, evidence_html, evidence_records_html
from .filters import ArticleIndex, Filters, normalise_key

__all__ = ["SectorExplorer", "CooccurrenceExplorer", "ThemeExplorer", "FilterError"]

_NAT = np.iinfo(np.int64).min
_SHIFT = 20  # unit key = article position << 20 | sentence id
_SID_MASK = (1 << _SHIFT) - 1
FILTER_FIELDS = ("date_from", "date_to", "langs", "sources", "countries", "sectors")
_ALIASES = {"lang": "langs", "source": "sources", "country": "countries", "sector": "sectors"}


class FilterError(ValueError, TypeError):
    """An unknown filter name or value (a ValueError; also a TypeError for bad names)."""


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------
def _esc(value) -> str:
    """Escaped for plotly text (and hovertemplate: '%{' would start a variable)."""
    return html.escape(str(value), quote=False).replace("%{", "% {")


def _short(text, width: int = 160, line: int = 60) -> str:
    """An example sentence for hover text: truncated, escaped, wrapped with <br>."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    t = " ".join(str(text).split())
    if len(t) > width:
        t = t[: width - 1].rstrip() + "…"
    lines, cur = [], ""
    for word in t.split(" "):
        if cur and len(cur) + 1 + len(word) > line:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    if cur:
        lines.append(cur)
    return "<br>".join(_esc(x) for x in lines)


def _month_label(ts) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m")


def _labels_from_lexicon(ann, kind: str, ids: list[str]) -> dict[str, str]:
    lex = getattr(ann, "lexicon", None)
    table = getattr(lex, kind, None) if lex is not None else None
    out = {i: i for i in ids}
    if table is not None and len(table) and "label" in table.columns:
        for i, lab in zip(table["id"].astype(str), table["label"]):
            if i in out and isinstance(lab, str) and lab.strip():
                out[i] = lab
    # Labels must be unique to map clicks back to ids.
    seen: dict[str, int] = {}
    for v in out.values():
        seen[v] = seen.get(v, 0) + 1
    return {k: (v if seen[v] == 1 else f"{v} ({k})") for k, v in out.items()}


def _unique_labels(ids: list[str], names: list[str]) -> list[str]:
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    return [n if counts[n] == 1 else f"{n} ({i})" for i, n in zip(ids, names)]


def _widgets():
    import ipywidgets as widgets

    return widgets


# --------------------------------------------------------------------------------------
# Fast evidence: annotation rows grouped once, selected with numpy per click / filter
# --------------------------------------------------------------------------------------
class _Table:
    """An annotation table with each row's article position and unit key, and row
    indices grouped by one column."""

    def __init__(self, index: ArticleIndex, df: pd.DataFrame, column: str) -> None:
        self.df = df.reset_index(drop=True)
        n = len(self.df)
        if n:
            self.pos = index.positions(self.df["article_id"]).astype(np.int64)
            self.sid = self.df["sentence_id"].to_numpy(dtype=np.int64)
        else:
            self.pos = np.zeros(0, np.int64)
            self.sid = np.zeros(0, np.int64)
        self.key = np.where(self.pos >= 0, (self.pos << _SHIFT) | self.sid, -1)
        if n:
            codes, cats = pd.factorize(self.df[column].astype("str"), sort=True)
            # Within each group, rows in unit-key order: masked keys stay sorted.
            order = np.lexsort((self.key, codes))
            bounds = np.searchsorted(codes[order], np.arange(len(cats) + 1))
            self.groups = {str(c): order[bounds[i] : bounds[i + 1]] for i, c in enumerate(cats)}
        else:
            self.groups = {}
        cols = set(self.df.columns)
        self.has_offsets = {"start", "end"} <= cols
        self.has_surface = "surface" in cols
        self._offsets: tuple[np.ndarray, np.ndarray] | None = None

    def offsets(self) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) of every row as int64 arrays (computed once)."""
        if self._offsets is None:
            self._offsets = (self.df["start"].to_numpy(dtype=np.int64), self.df["end"].to_numpy(dtype=np.int64))
        return self._offsets

    def surfaces(self, rows: np.ndarray) -> list:
        """The ``surface`` of ``rows`` (a few: taken, not converted as a whole)."""
        return self.df["surface"].array.take(rows).tolist() if len(rows) else []

    def rows(self, value: str, mask: np.ndarray) -> np.ndarray:
        """Rows of ``value`` whose article passes ``mask``."""
        r = self.groups.get(str(value))
        if r is None or not len(r):
            return np.zeros(0, np.int64)
        p = self.pos[r]
        ok = p >= 0
        r, p = r[ok], p[ok]
        return r[mask[p]]


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """Distinct values, sorted (no sort when ``keys`` already is)."""
    if len(keys) > 1 and not (keys[1:] >= keys[:-1]).all():
        keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT


class _Rows:
    """At most ``max_evidence`` evidence rows as plain lists: the panel's HTML is built
    from them directly; the evidence DataFrame only when asked for (:meth:`frame`)."""

    __slots__ = ("article_id", "sentence_id", "title", "date_ns", "source", "sentence", "spans", "note", "note_str", "weight", "_frame")

    def __init__(self, article_id: list, sentence_id: list, title: list, date_ns: np.ndarray, source: list, sentence: list, spans: list,
                 note: list | None = None, note_str: bool = False, frame: pd.DataFrame | None = None, weight: list | None = None) -> None:
        self.article_id, self.sentence_id, self.title, self.date_ns = article_id, sentence_id, title, date_ns
        self.source, self.sentence, self.spans, self.note, self.note_str = source, sentence, spans, note, note_str
        self.weight, self._frame = weight, frame

    @classmethod
    def of_frame(cls, df: pd.DataFrame) -> "_Rows":
        """Rows already held as an evidence DataFrame (the themes' evidence)."""
        return cls([], [], [], np.zeros(0, np.int64), [], [], [], frame=df)

    @classmethod
    def empty(cls, note: bool) -> "_Rows":
        return cls.of_frame(empty_evidence(["note"] if note else []))

    def __len__(self) -> int:
        return len(self._frame) if self._frame is not None else len(self.article_id)

    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            cols = {
                "article_id": pd.Series(self.article_id, dtype="str"),
                "sentence_id": np.asarray(self.sentence_id, dtype=np.int64),
                "title": pd.Series(self.title, dtype="str"),
                "date": np.asarray(self.date_ns, dtype=np.int64).view("datetime64[ns]"),
                "source": pd.Series(self.source, dtype="str"),
                "sentence": pd.Series(self.sentence, dtype="str"),
                "spans": pd.Series(self.spans, dtype=object),
            }
            if self.weight is not None:
                cols["weight"] = np.asarray(self.weight, dtype=float)
            if self.note is not None:
                cols["note"] = pd.Series(self.note, dtype="str" if self.note_str else object)
            self._frame = pd.DataFrame(cols)
        return self._frame

    def html(self, max_rows: int) -> str:
        if self._frame is not None:
            return evidence_html(self._frame, max_rows=max_rows)
        n = min(len(self.article_id), int(max_rows))
        d = np.asarray(self.date_ns[:n], dtype=np.int64)
        days = np.datetime_as_string(d.view("datetime64[ns]"), unit="D").tolist()
        dates = ["undated" if v == _NAT else t for v, t in zip(d.tolist(), days)]
        note = self.note if self.note is not None else [None] * n
        records = zip(self.article_id[:n], self.sentence_id[:n], self.title[:n], dates, self.source[:n], self.sentence[:n], self.spans[:n], note[:n])
        return evidence_records_html(records, more=len(self.article_id) - n)


class _Evidence:
    """Builds evidence rows for unit keys: newest first, at most ``limit``, from arrays
    prepared once (sentence keys, starts and text; title, date and source by article
    position), so the cost does not depend on the corpus size and no DataFrame is made."""

    def __init__(self, corpus, index: ArticleIndex) -> None:
        self.corpus = corpus
        self.index = index
        s = corpus.sentences
        if len(s) and {"article_id", "sentence_id", "text"} <= set(s.columns):
            pos = index.positions(s["article_id"]).astype(np.int64)
            key = (pos << _SHIFT) | s["sentence_id"].to_numpy(dtype=np.int64)
            ok = np.flatnonzero(pos >= 0)
            order = np.argsort(key[ok], kind="stable")
            self._skey, self._srow = key[ok][order], ok[order]
            self._sstart = s["start"].to_numpy(dtype=np.int64)[self._srow] if "start" in s.columns else np.zeros(len(self._srow), np.int64)
            self._stext = s["text"].array  # taken a few rows at a time
        else:
            self._skey, self._srow = np.zeros(0, np.int64), np.zeros(0, np.int64)
            self._sstart, self._stext = np.zeros(0, np.int64), None
        d = index.dates
        self._date_key = np.where(d == _NAT, np.iinfo(np.int64).max, -d)
        self._id_rank = np.empty(index.n, dtype=np.int64)
        self._id_rank[np.argsort(index.article_ids.astype(str), kind="stable")] = np.arange(index.n)
        # Per article position: id, title, source (object arrays, NaN where missing).
        arts = corpus.articles
        self._aid = index.article_ids.astype(object)
        self._title = np.full(index.n, np.nan, dtype=object)
        self._source = np.full(index.n, np.nan, dtype=object)
        if len(arts):
            p = index.positions(arts["article_id"])
            ok = p >= 0
            for name, out in (("title", self._title), ("source", self._source)):
                if name in arts.columns:
                    out[p[ok]] = arts[name].astype("str").to_numpy(dtype=object)[ok]

    def order(self, keys: np.ndarray, limit: int | None = None) -> np.ndarray:
        """Unit keys sorted newest first, then by article id and sentence (only the
        first ``limit`` are sorted when given)."""
        dk = self._date_key[keys >> _SHIFT]
        if limit is not None and len(keys) > 4 * limit > 0:
            # Every key at least as new as the limit-th newest: a partition, not a sort.
            cut = np.partition(dk, limit - 1)[limit - 1]
            keep = dk <= cut
            keys, dk = keys[keep], dk[keep]
        order = keys[np.lexsort((keys & _SID_MASK, self._id_rank[keys >> _SHIFT], dk))]
        return order if limit is None else order[:limit]

    def _lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in the sorted sentence arrays, found?) for each unit key."""
        if not len(self._skey) or not len(keys):
            return np.zeros(len(keys), np.int64), np.zeros(len(keys), bool)
        j = np.clip(np.searchsorted(self._skey, keys), 0, len(self._skey) - 1)
        return j, self._skey[j] == keys

    def sentence_text(self, keys: np.ndarray) -> list:
        """The text of each unit's sentence (None where missing)."""
        j, hit = self._lookup(keys)
        if not hit.any():
            return [None] * len(keys)
        found = self._stext.take(self._srow[j[hit]]).tolist()
        out: list = [None] * len(keys)
        for i, t in zip(np.flatnonzero(hit).tolist(), found):
            out[i] = None if _missing(t) else t
        return out

    def build(self, keys: np.ndarray, limit: int, table: _Table | None = None, rows: np.ndarray | None = None,
              note: str | None = None) -> tuple[_Rows, int]:
        """Evidence for the distinct unit ``keys`` (highlight spans: ``table`` rows
        ``rows`` in those units; ``note``: "<note>: " + their distinct surfaces); returns
        (at most ``limit`` rows, total units)."""
        keys = _sorted_unique(keys[keys >= 0])
        total = len(keys)
        if not total:
            return _Rows.empty(bool(note)), 0
        chosen = self.order(keys, int(limit))
        n = len(chosen)
        p = chosen >> _SHIFT
        j, hit = self._lookup(chosen)
        text = self.sentence_text(chosen)
        base = np.where(hit, self._sstart[j] if len(self._sstart) else 0, 0).tolist()
        length = [len(t) if isinstance(t, str) else 0 for t in text]
        spans: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        note_sets: list[set] | None = None
        r = np.zeros(0, np.int64)
        if table is not None and rows is not None and len(rows):
            # The annotation rows inside the chosen units (``chosen`` is short: sort it once).
            srt = np.argsort(chosen)
            cs = chosen[srt]
            rk = table.key[rows]
            jj = np.clip(np.searchsorted(cs, rk), 0, n - 1)
            inside = cs[jj] == rk
            r, at = rows[inside], srt[jj[inside]]
            if len(r):
                order = np.argsort(r, kind="stable")
                r, at = r[order], at[order]
            if table.has_offsets and len(r):
                st, en = table.offsets()
                found: list[list[tuple[int, int]]] = [[] for _ in range(n)]
                for i, a, b in zip(at.tolist(), st[r].tolist(), en[r].tolist()):
                    L, o = length[i], base[i]
                    a, b = min(max(a - o, 0), L), min(max(b - o, 0), L)
                    if b > a:
                        found[i].append((a, b))
                for i, f in enumerate(found):
                    prev = None
                    for sp in sorted(f):
                        if sp != prev:
                            spans[i].append(sp)
                        prev = sp
            if note and table.has_surface and len(r):
                note_sets = [set() for _ in range(n)]
                for i, sf in zip(at.tolist(), table.surfaces(r)):
                    if not _missing(sf):
                        note_sets[i].add(str(sf))
        notes = None
        if note:
            notes = ([f"{note}: " + ", ".join(sorted(x)) if x else None for x in note_sets] if note_sets is not None else [None] * n)
        pl = p.tolist()
        ev = _Rows(
            article_id=[self._aid[k] for k in pl],
            sentence_id=(chosen & _SID_MASK).tolist(),
            title=[self._title[k] for k in pl],
            date_ns=self.index.dates[p],
            source=[self._source[k] for k in pl],
            sentence=text,
            spans=spans,
            note=notes,
            note_str=note_sets is not None,
        )
        return ev, total

    def article_sentences(self, p: int) -> tuple[np.ndarray, list]:
        """(unit keys, texts) of the sentences of the article at position ``p``, in order."""
        lo, hi = np.searchsorted(self._skey, [p << _SHIFT, (p + 1) << _SHIFT])
        if hi <= lo:
            return np.zeros(0, np.int64), []
        return self._skey[lo:hi], self._stext.take(self._srow[lo:hi]).tolist()

    def rows_for(self, chosen: np.ndarray, **extra) -> _Rows:
        """Evidence rows for the unit keys ``chosen``, in that order (spans empty)."""
        p = chosen >> _SHIFT
        pl = p.tolist()
        return _Rows(article_id=[self._aid[k] for k in pl], sentence_id=(chosen & _SID_MASK).tolist(), title=[self._title[k] for k in pl],
                     date_ns=self.index.dates[p], source=[self._source[k] for k in pl], sentence=self.sentence_text(chosen),
                     spans=[[] for _ in pl], **extra)

    def examples(self, codes: np.ndarray, keys: np.ndarray) -> dict[int, str]:
        """For each group code, the newest unit's sentence (hover text form)."""
        ok = keys >= 0
        codes, keys = codes[ok], keys[ok]
        if not len(keys):
            return {}
        p = keys >> _SHIFT
        order = np.lexsort((keys & _SID_MASK, self._id_rank[p], self._date_key[p], codes))
        codes, keys = codes[order], keys[order]
        first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        texts = self.sentence_text(keys[first])
        return {int(c): _short(t) for c, t in zip(codes[first].tolist(), texts)}


# --------------------------------------------------------------------------------------
# The shared explorer
# --------------------------------------------------------------------------------------
def _lexicon_country_names(ann) -> dict[str, str]:
    """ISO3 -> country name from the annotations' lexicon: a country reached only through
    a person or an organisation (never named itself) still gets its name on the axes."""
    lex = getattr(ann, "lexicon", None)
    if lex is None or not hasattr(lex, "countries"):
        return {}
    c = lex.countries
    return dict(zip(c["id"].astype(str), c["name"].astype(str)))


class _Explorer:
    kind = "explorer"
    css = "dk-explorer"
    title = "Explorer"

    def __init__(self, corpus, ann, *, index: ArticleIndex | None = None, max_evidence: int = 50) -> None:
        self.corpus = corpus
        self.ann = ann
        self.index = index if index is not None else ArticleIndex.build(corpus, ann)
        if self.index.n != len(corpus.articles):
            raise ValueError(f"the index has {self.index.n} articles but the corpus has {len(corpus.articles)}")
        self.max_evidence = int(max_evidence)
        self._filters = Filters()
        self._mask = np.ones(self.index.n, dtype=bool)
        self._selection: tuple | None = None
        self._rows = _Rows.empty(False)
        self._evidence: pd.DataFrame | None = None  # built from self._rows when read
        self._evidence_total = 0
        self._layout_state: dict[str, Any] = {}
        self.last_update_ms = 0.0
        self._syncing = False
        self._finder = _Evidence(corpus, self.index)
        self.sector_labels = _labels_from_lexicon(ann, "sectors", self.index.sector_ids)
        self.event_labels = _labels_from_lexicon(ann, "events", self.index.event_ids)
        self._prepare()
        w = _widgets()
        self._build_filter_bar()
        self.controls = self._build_controls()
        self.status = w.HTML(value="")
        self.status.add_class("dk-status")
        self.figure = go.FigureWidget()
        self.figure.add_class("dk-figure")
        self._init_figure()
        self.evidence_panel = w.HTML(value=self._placeholder())
        self.evidence_panel.add_class("dk-evidence")
        self.evidence_panel.add_class("dk-evidence-panel")
        self.widget = w.VBox([self.filter_bar, w.HBox(self.controls), self.status, self.figure, self.evidence_panel])
        self.widget.add_class("dk-explorer")
        self.widget.add_class(self.css)
        self.update()

    # ---- subclass hooks -----------------------------------------------------------------
    def _prepare(self) -> None: ...

    def _build_controls(self) -> list:
        return []

    def _init_figure(self) -> None: ...

    def _refresh(self, mask: np.ndarray, empty: bool) -> None: ...

    def _evidence_for(self, selection: tuple, mask: np.ndarray) -> tuple[_Rows, int, str]:
        raise NotImplementedError

    def _placeholder(self) -> str:
        return '<div class="dk-evidence-empty"><em>Click a cell or bar to see the sentences behind it.</em></div>'

    # ---- filter bar -------------------------------------------------------------------------
    def _build_filter_bar(self) -> None:
        w = _widgets()
        idx = self.index
        _, months = idx.keys("month")
        self._months = [_month_label(m) for m in months]
        if self._months:
            self.date_slider = w.SelectionRangeSlider(options=self._months, index=(0, len(self._months) - 1), description="months",
                                                      continuous_update=False, layout=w.Layout(width="520px"))
        else:
            self.date_slider = w.SelectionRangeSlider(options=["(undated)"], index=(0, 0), description="months", disabled=True)
        self.date_slider.add_class("dk-filter-date")
        self._known = {
            "langs": list(idx._lang[1]),
            "sources": list(idx._source[1]),
            "countries": list(idx.country_ids),
            "sectors": list(idx.sector_ids),
        }
        ents = _lexicon_country_names(self.ann)
        if len(idx.entities):
            ents.update({str(e): n for e, n in zip(idx.entities["entity_id"], idx.entities["name"]) if isinstance(n, str)})

        def country_label(c: str) -> str:
            n = ents.get(c)
            return f"{c} — {n}" if isinstance(n, str) and n != c else c

        labels = {
            "langs": lambda v: v,
            "sources": lambda v: v,
            "countries": country_label,
            "sectors": lambda v: self.sector_labels.get(v, v),
        }
        self.filter_widgets: dict[str, Any] = {}
        for name, desc, css in (("langs", "language", "dk-filter-lang"), ("sources", "source", "dk-filter-source"),
                                ("countries", "country", "dk-filter-country"), ("sectors", "sector", "dk-filter-sector")):
            sel = w.SelectMultiple(options=[(labels[name](v), v) for v in self._known[name]], value=(), description=desc,
                                   rows=4, layout=w.Layout(width="240px"))
            sel.add_class(css)
            sel.add_class("dk-filter")
            self.filter_widgets[name] = sel
        self.reset_button = w.Button(description="reset filters", tooltip="no filter: every article")
        self.reset_button.add_class("dk-filter-reset")
        self.reset_button.on_click(lambda _b: self.reset_filters())
        self.date_slider.observe(self._on_filter_widget, names="value")
        for sel in self.filter_widgets.values():
            sel.observe(self._on_filter_widget, names="value")
        self.filter_bar = w.VBox([w.HBox([self.date_slider, self.reset_button]), w.HBox(list(self.filter_widgets.values()))])
        self.filter_bar.add_class("dk-filter-bar")

    def _on_filter_widget(self, _change=None) -> None:
        if self._syncing:
            return
        t0 = time.perf_counter()
        kw: dict[str, Any] = {}
        if self._months:
            lo, hi = self.date_slider.index
            full = lo == 0 and hi == len(self._months) - 1
            kw["date_from"] = None if full else self._months[lo]
            kw["date_to"] = None if full else self._months[hi]
        for name, sel in self.filter_widgets.items():
            kw[name] = tuple(sel.value) or None  # nothing chosen in a list = no filter
        self._filters = Filters(**kw)
        self.update(_t0=t0)

    def _sync_widgets(self) -> None:
        f = self._filters
        self._syncing = True
        try:
            if self._months:
                lo = 0 if f.date_from is None else self._month_pos(f.date_from, 0)
                hi = len(self._months) - 1 if f.date_to is None else self._month_pos(f.date_to, len(self._months) - 1)
                self.date_slider.index = (min(lo, hi), max(lo, hi))
            for name, sel in self.filter_widgets.items():
                v = getattr(f, name)
                sel.value = tuple(v) if v else ()
        finally:
            self._syncing = False

    def _month_pos(self, value, default: int) -> int:
        try:
            label = pd.Period(value, "M").strftime("%Y-%m") if isinstance(value, str) else pd.Timestamp(value).strftime("%Y-%m")
        except (ValueError, TypeError):
            return default
        if label in self._months:
            return self._months.index(label)
        return 0 if label < self._months[0] else len(self._months) - 1

    @property
    def filters(self) -> Filters:
        """The current :class:`~diplokit.filters.Filters`."""
        return self._filters

    def set_filters(self, filters: Filters | None = None, /, **kw) -> float:
        """Change some filters (``date_from``, ``date_to``, ``langs``, ``sources``,
        ``countries``, ``sectors``; singular names work too; ``None`` clears one), or
        replace them all with a ``Filters``. Unknown names or values raise
        :class:`FilterError` (a ValueError). Returns the time in ms of the whole change:
        checking the filters, syncing the widgets, then :meth:`update`."""
        t0 = time.perf_counter()
        if filters is not None and not isinstance(filters, Filters):
            raise FilterError(f"set_filters takes a Filters object or keywords; got {type(filters).__name__}")
        base = {f: getattr(filters if filters is not None else self._filters, f) for f in FILTER_FIELDS}
        for key, value in kw.items():
            name = _ALIASES.get(key, key)
            if name not in FILTER_FIELDS:
                raise FilterError(f"unknown filter {key!r}; use one of {', '.join(FILTER_FIELDS)}")
            base[name] = value
        try:
            new = Filters(**base)
        except ValueError as exc:
            raise FilterError(str(exc)) from exc
        for name, known in self._known.items():
            values = getattr(new, name)
            if values is None:
                continue
            unknown = sorted(set(values) - set(known))
            if unknown:
                shown = ", ".join(known[:30]) + (" …" if len(known) > 30 else "")
                raise FilterError(f"unknown {name[:-1] if name != 'countries' else 'country'} value(s) {unknown}; known: {shown or '(none)'}")
        self._filters = new
        self._sync_widgets()
        return self.update(_t0=t0)

    def reset_filters(self) -> float:
        """No filter: every article."""
        t0 = time.perf_counter()
        self._filters = Filters()
        self._sync_widgets()
        return self.update(_t0=t0)

    # ---- update ---------------------------------------------------------------------------
    def _set(self, target, name: str, **props) -> None:
        """Set plotly properties (magic-underscore names) on ``target`` (the layout or a
        trace, cached under ``name``) that differ from what this explorer last set there:
        unchanged ones are neither validated again nor sent. Only for properties the
        front end does not change itself (not ``visible`` or axis ranges: those are set
        directly, and plotly skips them when equal to the figure's current state)."""
        last = self._layout_state.setdefault(name, {})
        changed = {k: v for k, v in props.items() if k not in last or not _same(last[k], v)}
        if changed:
            target.update(changed)
            last.update(changed)

    @property
    def mask(self) -> np.ndarray:
        """Boolean array over the index: the articles passing the current filters."""
        return self._mask

    def _set_choice(self, name: str, value: str, allowed, dropdown) -> float:
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
        setattr(self, "_" + name, value)
        if dropdown.value != value:
            dropdown.value = value  # the observer calls back here and updates
            return self.last_update_ms
        return self.update()

    def update(self, *, _t0: float | None = None) -> float:
        """Recompute everything a filter change shows, for the current filters: the mask,
        the figure's traces and layout (one ``batch_update``, whose message to the
        front end is built and sent before this returns), the status line and the
        evidence panel of the current selection (rows and HTML). Returns the elapsed
        milliseconds of all of it (from ``_t0`` when a caller started the clock earlier,
        e.g. :meth:`set_filters` checking filters and syncing widgets); also kept in
        ``last_update_ms``. Only the evidence DataFrame is left to be built when
        :attr:`evidence` is read."""
        t0 = time.perf_counter() if _t0 is None else _t0
        self._mask = np.asarray(self.index.mask(self._filters))
        n_sel = int(self._mask.sum())
        empty = n_sel == 0
        with self.figure.batch_update():  # one message to the front end
            self._refresh(self._mask, empty)
            if self._layout_state.get("empty") != empty:  # (update() would merge, not replace, a list)
                self.figure.layout.annotations = (
                    [dict(text="No articles match these filters: widen the dates or clear a filter.", showarrow=False,
                          xref="paper", yref="paper", x=0.5, y=0.5, font=dict(size=15, color="#555"))] if empty else []
                )
                self._layout_state["empty"] = empty
        self.status.value = self._status_html(n_sel)
        if self._selection is not None:
            self._show_evidence()
        elif empty:
            self.evidence_panel.value = '<div class="dk-evidence-empty"><em>No articles match these filters.</em></div>'
        else:
            self.evidence_panel.value = self._placeholder()
        self.last_update_ms = (time.perf_counter() - t0) * 1000
        return self.last_update_ms

    def _status_html(self, n_sel: int) -> str:
        desc = self._filter_text()
        return f"<span>{n_sel:,} of {self.index.n:,} articles selected" + (f" · {html.escape(desc)}" if desc else "") + "</span>"

    def _filter_text(self) -> str:
        f = self._filters
        parts = []
        if f.date_from is not None or f.date_to is not None:
            parts.append(f"dates {f.date_from or '…'} to {f.date_to or '…'}")
        for name in ("langs", "sources", "countries", "sectors"):
            v = getattr(f, name)
            if v is not None:
                parts.append(f"{name}: {', '.join(v) if v else '(none)'}")
        return "; ".join(parts)

    # ---- selection and evidence -------------------------------------------------------------
    @property
    def selection(self) -> tuple | None:
        return self._selection

    @property
    def evidence(self) -> pd.DataFrame:
        """The evidence table of the current selection (at most ``max_evidence`` rows;
        built on first read after a change, the panel does not need it)."""
        if self._evidence is None:
            self._evidence = self._rows.frame()
        return self._evidence

    @property
    def evidence_total(self) -> int:
        """How many sentences (or articles, for themes) stand behind the selection."""
        return self._evidence_total

    def clear_selection(self) -> None:
        self._selection = None
        self._rows, self._evidence = _Rows.empty(False), None
        self._evidence_total = 0
        self.evidence_panel.value = self._placeholder()

    def _select(self, selection: tuple) -> pd.DataFrame:
        self._selection = selection
        self._show_evidence()
        return self.evidence

    def _show_evidence(self) -> None:
        ev, total, label = self._evidence_for(self._selection, self._mask)
        if isinstance(ev, pd.DataFrame):
            ev = _Rows.of_frame(ev)
        self._rows, self._evidence, self._evidence_total = ev, None, int(total)
        head = f"<div class=\"dk-evidence-head\"><strong>{html.escape(label)}</strong> — "
        if total == 0:
            msg = "no sentences under the current filters." if self._mask.any() else "no articles match these filters."
            self.evidence_panel.value = head + html.escape(msg) + "</div>"
            return
        unit = self._unit_name()
        shown = len(ev)
        count = f"showing {shown} of {total:,} {unit}{'s' if total != 1 else ''}" if shown < total else f"{total:,} {unit}{'s' if total != 1 else ''}"
        self.evidence_panel.value = head + count + "</div>" + ev.html(self.max_evidence)

    def _unit_name(self) -> str:
        return "sentence"

    # ---- display ----------------------------------------------------------------------------
    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["text/plain"] = repr(self)  # the widget's own repr carries trace uids
        return bundle

    def _state(self) -> str:
        return ""

    def __repr__(self) -> str:
        sel = "none" if self._selection is None else " × ".join(str(s) for s in self._selection if s is not None)
        state = self._state()
        return (f"<{type(self).__name__}: {int(self._mask.sum())} of {self.index.n} articles selected"
                + (f", {state}" if state else "") + f", selection: {sel}>")

    def _set_uids(self) -> None:
        for i, tr in enumerate(self.figure.data):
            tr.uid = f"{self.kind}-{i}"


def _same(a, b) -> bool:
    """Equal plain values (lists compared element by element, types must match; numpy
    arrays by shape, dtype and values, NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f")))
    return a is b or (type(a) is type(b) and a == b)


def _heatmap_click_handler(callback):
    """A plotly on_click handler passing the clicked (x, y) labels to ``callback``."""

    def handler(trace, points, state):
        xs, ys = list(points.xs or []), list(points.ys or [])
        if xs and ys:
            callback(xs[0], ys[0])

    return handler


def _dense(z: np.ndarray) -> list:
    """A 2-D array as nested lists with None for NaN (JSON-friendly, stable)."""
    z = np.asarray(z, dtype=float)
    return [[None if np.isnan(v) else (int(v) if float(v).is_integer() else round(float(v), 6)) for v in row] for row in z]


# --------------------------------------------------------------------------------------
# Sectors
# --------------------------------------------------------------------------------------
class SectorExplorer(_Explorer):
    """Sectors of cooperation: sector × country heatmap, sector shares by month, or a
    ranked bar of sectors. A click selects a sector (and the country or month clicked).

    ``SectorExplorer(corpus, ann, *, index=None, view="heatmap", value="articles",
    top_countries=25, max_evidence=50)``.
    """

    kind = "sector"
    css = "dk-sector-explorer"
    title = "Sectors"
    VIEWS = ("heatmap", "timeline", "ranked")
    VALUES = ("articles", "mentions")

    def __init__(self, corpus, ann, *, index: ArticleIndex | None = None, view: str = "heatmap", value: str = "articles",
                 top_countries: int = 25, max_evidence: int = 50) -> None:
        if view not in self.VIEWS:
            raise ValueError(f"view must be one of {', '.join(self.VIEWS)}; got {view!r}")
        if value not in self.VALUES:
            raise ValueError(f"value must be one of {', '.join(self.VALUES)}; got {value!r}")
        self._view, self._value, self.top_countries = view, value, int(top_countries)
        super().__init__(corpus, ann, index=index, max_evidence=max_evidence)

    def _prepare(self) -> None:
        self._sectors = _Table(self.index, self.ann.sectors, "sector")
        self._label_to_sector = {_esc(v): k for k, v in self.sector_labels.items()}
        self._country_of_label: dict[str, str] = {}

    def _build_controls(self) -> list:
        w = _widgets()
        self.view_dropdown = w.Dropdown(options=[("sector × country", "heatmap"), ("sector shares by month", "timeline"), ("ranked sectors", "ranked")],
                                        value=self._view, description="view")
        self.view_dropdown.add_class("dk-view")
        self.measure_dropdown = w.Dropdown(options=[("articles", "articles"), ("cue mentions", "mentions")], value=self._value, description="count")
        self.measure_dropdown.add_class("dk-measure")
        self.view_dropdown.observe(lambda ch: self.set_view(ch["new"]), names="value")
        self.measure_dropdown.observe(lambda ch: self.set_value(ch["new"]), names="value")
        return [self.view_dropdown, self.measure_dropdown]

    def set_view(self, view: str) -> float:
        """Switch the figure to another view (one of ``VIEWS``); returns the update's ms."""
        return self._set_choice("view", view, self.VIEWS, self.view_dropdown)

    def set_value(self, value: str) -> float:
        """Count stories ("articles") or cue mentions ("mentions"); returns the update's ms."""
        return self._set_choice("value", value, self.VALUES, self.measure_dropdown)

    @property
    def view(self) -> str:
        return self._view

    def _init_figure(self) -> None:
        fig = self.figure
        sids = self.index.sector_ids
        fig.add_trace(go.Heatmap(z=[[]], x=[], y=[], name="sector × country", colorscale=F.palette()["continuous"], xgap=1, ygap=1))
        for i, s in enumerate(sids):
            fig.add_trace(go.Scatter(x=[], y=[], mode="lines+markers", name=_esc(self.sector_labels[s]), legendgroup="timeline",
                                     line=dict(color=F.categorical(i), dash=F.DASHES[i // 8 % len(F.DASHES)], width=2),
                                     marker=dict(size=5, symbol=F.SYMBOLS[i // 8 % len(F.SYMBOLS)]),
                                     hovertemplate="<b>%{fullData.name}</b><br>%{x|%Y-%m}<br>share: %{y:.1%}<br>articles: %{customdata}<extra></extra>"))
        fig.add_trace(go.Bar(x=[], y=[], orientation="h", name="sectors", marker=dict(color=F.categorical(0)),
                             hovertemplate="%{y}<br>%{customdata}<extra></extra>"))
        fig.update_layout(template=F.TEMPLATE, height=560, margin=dict(l=10, r=10, t=60, b=10), hoverlabel=dict(namelength=-1),
                          title=dict(x=0.01, xanchor="left"))
        self._set_uids()
        fig.data[0].on_click(_heatmap_click_handler(self._on_heatmap_click))
        for tr in fig.data[1:-1]:
            tr.on_click(self._on_line_click)
        fig.data[-1].on_click(self._on_bar_click)

    def _on_heatmap_click(self, x, y) -> None:
        s, c = self._label_to_sector.get(x), self._country_of_label.get(y)
        if s is not None and c is not None:
            self.select(s, country=c)

    def _on_line_click(self, trace, points, state) -> None:
        if points.point_inds:
            name = trace.name
            s = self._label_to_sector.get(name)
            if s is not None:
                self.select(s, month=_month_label(points.xs[0]))

    def _on_bar_click(self, trace, points, state) -> None:
        if points.ys:
            s = self._label_to_sector.get(points.ys[0])
            if s is not None:
                self.select(s)

    def _refresh(self, mask: np.ndarray, empty: bool) -> None:
        fig = self.figure
        view, value = self._view, self._value
        n_sec = len(self.index.sector_ids)
        heat, lines, bar = fig.data[0], fig.data[1 : 1 + n_sec], fig.data[-1]
        lay = fig.layout
        heat.visible = view == "heatmap"
        bar.visible = view == "ranked"
        if view != "timeline":
            for tr in lines:
                tr.visible = False
        unit = "articles" if value == "articles" else "cue mentions"
        if view == "heatmap":
            m = self.index.sector_counts(mask, by="country", value=value)
            tot = m.to_numpy().sum(axis=1)
            order = np.lexsort((np.asarray(m.index, dtype=str), -tot))[: self.top_countries]
            order = order[tot[order] > 0]
            m = m.iloc[order]
            names = self._country_names()
            ylab = [_esc(n) for n in _unique_labels(list(m.index), [names.get(c, c) for c in m.index])]
            self._country_of_label = dict(zip(ylab, m.index))
            xlab = [_esc(self.sector_labels[s]) for s in m.columns]
            z = m.to_numpy()
            self._set(heat, "heat", z=z.astype(np.int64) if len(m) else [[]], x=xlab, y=ylab, colorbar_title_text=unit,
                      hovertemplate=f"country: %{{y}}<br>sector: %{{x}}<br>{unit}: %{{z}}<extra></extra>")
            self._set(lay, "layout", showlegend=False, xaxis_type="category", xaxis_categoryorder="array", xaxis_categoryarray=xlab,
                      xaxis_tickangle=-45, xaxis_title_text="sector", yaxis_type="category", yaxis_categoryorder="array",
                      yaxis_categoryarray=ylab, yaxis_title_text="country", yaxis_tickformat=None, yaxis_rangemode=None,
                      title_text=f"Sectors by country ({unit}) — click a cell for its sentences",
                      height=int(min(1200, max(420, 180 + 22 * len(ylab)))))
            lay.xaxis.autorange, lay.yaxis.autorange = True, "reversed"
        elif view == "timeline":
            shares = self.index.sector_shares(mask, freq="M")
            n_per = len(shares) // n_sec if n_sec else 0
            periods = shares["period"].to_numpy()[::n_sec] if n_sec and len(shares) else np.array([], dtype="datetime64[ns]")
            arts = shares["articles"].to_numpy().reshape(n_per, n_sec) if n_per else np.zeros((0, n_sec), np.int64)
            share = shares["share"].to_numpy().reshape(n_per, n_sec) if n_per else np.zeros((0, n_sec))
            x = np.datetime_as_string(np.asarray(periods, dtype="datetime64[ns]"), unit="M").tolist()
            totals = arts.sum(axis=0)
            ranked = sorted(range(n_sec), key=lambda i: (-int(totals[i]), i))
            shown = set(ranked[:8])
            # Numpy columns: plotly validates each with one copy (not element by element)
            # and sends it as a binary buffer; NaN shares are gaps.
            ys = np.round(share.astype(float), 6).T.copy()
            cds = arts.astype(np.int64).T.copy()
            for i, tr in enumerate(lines):
                self._set(tr, f"line{i}", x=x, y=ys[i], customdata=cds[i])
                tr.visible = True if i in shown else "legendonly"
            self._set(lay, "layout", showlegend=True, xaxis_type="date", xaxis_categoryorder=None, xaxis_categoryarray=None, xaxis_tickangle=None,
                      xaxis_title_text="month", yaxis_type="linear", yaxis_categoryorder=None, yaxis_categoryarray=None,
                      yaxis_title_text="share of articles", yaxis_tickformat=".0%", yaxis_rangemode="tozero",
                      title_text="Share of articles mentioning each sector, by month — click a point for its sentences", height=520)
            lay.xaxis.autorange, lay.yaxis.autorange = True, True
        else:
            mm = self.index.sector_binary if value == "articles" else self.index.sector_matrix
            tot = np.asarray(mm[np.flatnonzero(mask)].sum(axis=0)).ravel().astype(np.int64) if mask.any() else np.zeros(n_sec, np.int64)
            sids = self.index.sector_ids
            labels = [_esc(self.sector_labels[s]) for s in sids]
            order = sorted(range(n_sec), key=lambda i: (-int(tot[i]), labels[i]))
            cats = [labels[i] for i in order]
            self._set(bar, "bar", x=[int(tot[i]) for i in order], y=cats, customdata=[f"{unit}: {int(tot[i])}" for i in order])
            self._set(lay, "layout", showlegend=False, xaxis_type="linear", xaxis_categoryorder=None, xaxis_categoryarray=None, xaxis_tickangle=None,
                      xaxis_title_text=unit, yaxis_type="category", yaxis_categoryorder="array", yaxis_categoryarray=cats,
                      yaxis_title_text="sector", yaxis_tickformat=None, yaxis_rangemode=None,
                      title_text=f"Sectors ranked by {unit} — click a bar for its sentences", height=int(min(900, max(320, 120 + 24 * n_sec))))
            lay.xaxis.autorange, lay.yaxis.autorange = True, "reversed"

    def _country_names(self) -> dict[str, str]:
        """Entity id -> display name (string names only), computed once."""
        if getattr(self, "_names", None) is None:
            self._names = _lexicon_country_names(self.ann)
            ents = self.index.entities
            if len(ents):
                self._names.update({str(e): n for e, n in zip(ents["entity_id"], ents["name"]) if isinstance(n, str)})
        return self._names

    def select(self, sector: str, country: str | None = None, month=None) -> pd.DataFrame:
        """Select a sector (by id or label), optionally in one country (ISO3) or one
        month ('YYYY-MM'); fills the evidence panel and returns the evidence table."""
        sector = self._sector_id(sector)
        if country is not None and country not in set(self.index.country_ids):
            raise ValueError(f"unknown country {country!r}")
        if month is not None:
            month = _month_label(normalise_key("month", month))
        return self._select((sector, country, month))

    def _sector_id(self, sector: str) -> str:
        if sector in self.sector_labels:
            return sector
        back = {v: k for k, v in self.sector_labels.items()}
        if sector in back:
            return back[sector]
        raise ValueError(f"unknown sector {sector!r}; known: {', '.join(self.index.sector_ids)}")

    def _evidence_for(self, selection, mask):
        sector, country, month = selection
        m = mask
        if country is not None:
            m = m & self.index.key_mask("country", country)
        if month is not None:
            m = m & self.index.key_mask("month", month)
        rows = self._sectors.rows(sector, m)
        ev, total = self._finder.build(self._sectors.key[rows], self.max_evidence, self._sectors, rows, note="cues")
        label = " × ".join(x for x in (self.sector_labels[sector], country, month) if x)
        return ev, total, label

    def _state(self) -> str:
        return f"view={self._view}, count={self._value}"

    def static_figure(self) -> go.Figure:
        """A kernel-free figure: the sector × country heatmap for all years and for each
        year, switched by plotly's dropdown; hover shows the count and the newest
        sentence with a cue of that sector in that country and period."""
        idx = self.index
        years = sorted({int(str(m)[:4]) for m in self._months}) if self._months else []
        variants: dict[str, go.Figure] = {}
        dates = idx.dates
        year_of = np.where(dates == _NAT, -1, dates.astype("datetime64[ns]").astype("datetime64[Y]").astype(np.int64) + 1970)
        ckeys, clabels = idx.keys("country")
        # Cue rows expanded over the countries of their article: code = sector, country, year.
        t = self._sectors
        ok = t.pos >= 0
        rows = np.flatnonzero(ok)
        sec_code = pd.Index(idx.sector_ids).get_indexer(t.df["sector"].astype(str).to_numpy()[rows]) if len(rows) else np.zeros(0, np.int64)
        sub = ckeys[t.pos[rows]] if len(rows) else None
        reps = np.diff(sub.indptr) if sub is not None else np.zeros(0, np.int64)
        r_rep = np.repeat(rows, reps)
        c_rep = sub.indices.astype(np.int64) if sub is not None else np.zeros(0, np.int64)
        s_rep = np.repeat(sec_code, reps)
        n_c, n_s = len(clabels), len(idx.sector_ids)
        for label, year in [("all years", None)] + [(str(y), y) for y in years]:
            mask = np.ones(idx.n, bool) if year is None else year_of == year
            m = idx.sector_counts(mask, by="country", value="articles")
            if m.empty:
                continue
            tot = m.to_numpy().sum(axis=1)
            order = np.lexsort((np.asarray(m.index, dtype=str), -tot))[: self.top_countries]
            m = m.iloc[order[tot[order] > 0]]
            if m.empty:
                continue
            m = m.rename(columns=self.sector_labels)
            fig = F.heatmap(m, f"Sectors by country — {label}", "sector", "country", "articles")
            yr = year_of[t.pos[r_rep]] if len(r_rep) else np.zeros(0, np.int64)
            sel = np.ones(len(r_rep), bool) if year is None else yr == year
            ex = self._finder.examples((s_rep[sel] * n_c + c_rep[sel]).astype(np.int64), t.key[r_rep[sel]])
            cidx = clabels.get_indexer(m.index)
            sidx = np.arange(n_s)
            fig.data[0].customdata = [[ex.get(int(si * n_c + ci), "") for si in sidx] for ci in cidx]
            fig.data[0].hovertemplate = fig.data[0].hovertemplate.replace("<extra></extra>", "<br>e.g. %{customdata}<extra></extra>")
            variants[label] = fig
        if not variants:
            variants["all years"] = F.heatmap(pd.DataFrame(np.zeros((0, n_s), np.int64), columns=[self.sector_labels[s] for s in idx.sector_ids]),
                                              "Sectors by country — no data", "sector", "country", "articles")
        return F.with_dropdown(variants, "Sectors by country")


# --------------------------------------------------------------------------------------
# Co-occurrence
# --------------------------------------------------------------------------------------
class CooccurrenceExplorer(_Explorer):
    """Who appears with whom among the top actors of the selected articles.

    ``CooccurrenceExplorer(corpus, ann, *, index=None, measure="count", window="article",
    entity_types=None, min_count=1, top=20, view="heatmap", max_evidence=50)``.
    A heatmap cell selects a pair; a network node selects an actor.
    """

    kind = "cooccurrence"
    css = "dk-cooccurrence-explorer"
    title = "Co-occurrence"
    VIEWS = ("heatmap", "network")
    WINDOWS = ("article", "sentence")

    def __init__(self, corpus, ann, *, index: ArticleIndex | None = None, measure: str = "count", window: str = "article",
                 entity_types=None, min_count: int = 1, top: int = 20, view: str = "heatmap", max_evidence: int = 50) -> None:
        self._check(measure=measure, window=window, view=view, min_count=min_count, top=top)
        self._measure, self._window, self._view = measure, window, view
        self._types = None if entity_types in (None, "all") else ((entity_types,) if isinstance(entity_types, str) else tuple(sorted(entity_types)))
        self._min_count, self._top = int(min_count), int(top)
        self._actors: list[str] = []
        super().__init__(corpus, ann, index=index, max_evidence=max_evidence)

    def _check(self, measure=None, window=None, view=None, min_count=None, top=None) -> None:
        if measure is not None and measure not in MEASURES:
            raise ValueError(f"measure must be one of {', '.join(MEASURES)}; got {measure!r}")
        if window is not None and window not in self.WINDOWS:
            raise ValueError(f"window must be one of {', '.join(self.WINDOWS)}; got {window!r}")
        if view is not None and view not in self.VIEWS:
            raise ValueError(f"view must be one of {', '.join(self.VIEWS)}; got {view!r}")
        if min_count is not None and int(min_count) < 1:
            raise ValueError("min_count must be at least 1")
        if top is not None and int(top) < 2:
            raise ValueError("top must be at least 2")

    def _prepare(self) -> None:
        self._mentions = _Table(self.index, self.ann.mentions, "entity_id")
        ents = self.index.entities
        self._ent_ids = ents["entity_id"].astype(str).tolist()
        self._ent_pos = {e: i for i, e in enumerate(self._ent_ids)}
        self._ent_names = ents["name"].astype(str).tolist()
        self._ent_types = ents["type"].astype(str).to_numpy()
        self._all_types = sorted(set(self._ent_types.tolist()))
        if self._types is not None:
            bad = sorted(set(self._types) - set(self._all_types))
            if bad:
                raise ValueError(f"unknown entity type(s) {bad}; known: {', '.join(self._all_types)}")
        self._label_to_ent: dict[str, str] = {}

    def _build_controls(self) -> list:
        w = _widgets()
        self.view_dropdown = w.Dropdown(options=[("heatmap", "heatmap"), ("network", "network")], value=self._view, description="view")
        self.measure_dropdown = w.Dropdown(options=list(MEASURES), value=self._measure, description="measure")
        self.window_dropdown = w.Dropdown(options=[("same article", "article"), ("same sentence", "sentence")], value=self._window, description="window")
        type_opts = [("all types", "all")] + [(t, t) for t in self._all_types]
        self.type_dropdown = w.Dropdown(options=type_opts, value="all" if self._types is None or len(self._types) != 1 else self._types[0], description="actors")
        self.min_count_input = w.BoundedIntText(value=self._min_count, min=1, max=1_000_000, description="min count", layout=w.Layout(width="170px"))
        self.top_slider = w.IntSlider(value=self._top, min=2, max=60, description="top", continuous_update=False)
        for wd, css in ((self.view_dropdown, "dk-view"), (self.measure_dropdown, "dk-measure"), (self.window_dropdown, "dk-window"),
                        (self.type_dropdown, "dk-entity-type"), (self.min_count_input, "dk-min-count"), (self.top_slider, "dk-top")):
            wd.add_class(css)
            wd.observe(self._on_control, names="value")
        return [self.view_dropdown, self.measure_dropdown, self.window_dropdown, self.type_dropdown, self.min_count_input, self.top_slider]

    def _on_control(self, _change=None) -> None:
        if self._syncing:
            return
        t = self.type_dropdown.value
        self._view, self._measure, self._window = self.view_dropdown.value, self.measure_dropdown.value, self.window_dropdown.value
        self._types = None if t == "all" else (t,)
        self._min_count, self._top = max(1, int(self.min_count_input.value)), int(self.top_slider.value)
        self.update()

    def set_options(self, *, measure=None, window=None, entity_types="keep", min_count=None, top=None, view=None) -> float:
        """Change the measure, window, entity types (None or "all" = every type),
        min count, number of actors or view; returns the update time in ms."""
        self._check(measure=measure, window=window, view=view, min_count=min_count, top=top)
        if entity_types != "keep":
            types = None if entity_types in (None, "all") else ((entity_types,) if isinstance(entity_types, str) else tuple(sorted(entity_types)))
            if types is not None:
                bad = sorted(set(types) - set(self._all_types))
                if bad:
                    raise ValueError(f"unknown entity type(s) {bad}; known: {', '.join(self._all_types)}")
            self._types = types
        self._measure = measure or self._measure
        self._window = window or self._window
        self._view = view or self._view
        self._min_count = int(min_count) if min_count is not None else self._min_count
        self._top = int(top) if top is not None else self._top
        self._syncing = True
        try:
            self.view_dropdown.value, self.measure_dropdown.value, self.window_dropdown.value = self._view, self._measure, self._window
            self.type_dropdown.value = "all" if self._types is None or len(self._types) != 1 else self._types[0]
            self.min_count_input.value = self._min_count
            self.top_slider.value = min(max(self._top, 2), self.top_slider.max)
        finally:
            self._syncing = False
        return self.update()

    def _init_figure(self) -> None:
        fig = self.figure
        fig.add_trace(go.Heatmap(z=[[]], x=[], y=[], name="pairs", colorscale=F.palette()["continuous"], xgap=1, ygap=1,
                                 hovertemplate="%{y} – %{x}<br>%{customdata}<extra></extra>"))
        edge_colour = F.palette().get("edge", "#999999")
        fig.add_trace(go.Scatter(x=[], y=[], mode="lines", name="edges", line=dict(width=1, color=edge_colour), opacity=0.6, hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=[], y=[], mode="markers+text", name="actors", textposition="top center", textfont=dict(size=11),
                                 marker=dict(size=10, color=F.categorical(0), line=dict(width=1, color="#FFFFFF")), hoverinfo="text", showlegend=False))
        fig.update_layout(template=F.TEMPLATE, height=620, margin=dict(l=10, r=10, t=60, b=10), hoverlabel=dict(namelength=-1),
                          title=dict(x=0.01, xanchor="left"), showlegend=False)
        self._set_uids()
        fig.data[0].on_click(_heatmap_click_handler(self._on_heatmap_click))
        fig.data[2].on_click(self._on_node_click)

    def _on_heatmap_click(self, x, y) -> None:
        a, b = self._label_to_ent.get(y), self._label_to_ent.get(x)
        if a is not None and b is not None and a != b:
            self.select(a, b)

    def _on_node_click(self, trace, points, state) -> None:
        if points.point_inds:
            i = points.point_inds[0]
            if 0 <= i < len(self._actors):
                self.select(self._actors[i])

    def matrix(self, mask: np.ndarray | None = None) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(top actor ids, counts, measure values (NaN off the table), n per actor, N)
        for the current options and ``mask`` (default: the current filters)."""
        mask = self._mask if mask is None else mask
        c, per, bits = self.index.pair_counts(mask, self._window)
        *_, types = self.index._pair_base(self._window)
        if self._types is None:
            n_units = int(np.count_nonzero(bits))
            allowed = np.ones(len(self._ent_ids), bool)
        else:
            want = sum(1 << k for k, t in enumerate(types) if t in set(self._types))
            n_units = int(np.count_nonzero(bits & want))
            allowed = np.isin(self._ent_types, list(self._types))
        cand = np.flatnonzero(allowed & (per > 0))
        order = cand[np.lexsort((cand, -per[cand]))][: self._top]
        top = order
        sub = c[top][:, top].toarray().astype(np.int64) if len(top) else np.zeros((0, 0), np.int64)
        n = per[top].astype(np.int64)
        np.fill_diagonal(sub, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            if self._measure == "count":
                val = sub.astype(float)
            elif self._measure == "jaccard":
                val = sub / (n[:, None] + n[None, :] - sub)
            else:
                a, b = np.broadcast_arrays(n[:, None], n[None, :])
                val = np.zeros(sub.shape)
                nz = sub > 0
                val[nz] = npmi(sub[nz], a[nz], b[nz], max(n_units, 1))
        val = np.where(sub >= self._min_count, val, np.nan)
        return [self._ent_ids[i] for i in top], sub, val, n, n_units

    def _refresh(self, mask: np.ndarray, empty: bool) -> None:
        fig = self.figure
        ids, sub, val, n, n_units = self.matrix(mask)
        self._actors = ids
        labels = [_esc(x) for x in _unique_labels(ids, [self._ent_names[self._ent_pos[e]] for e in ids])]
        self._label_to_ent = dict(zip(labels, ids))
        heat, edges, nodes = fig.data
        lay = fig.layout
        win = "article" if self._window == "article" else "sentence"
        if self._view == "heatmap":
            heat.visible, edges.visible, nodes.visible = True, False, False
            k = len(ids)
            if k:
                vals = val.tolist()
                subl, nl = sub.tolist(), n.tolist()
                if self._measure == "count":
                    shown = [["" if v != v else str(int(v)) for v in row] for row in vals]
                else:
                    shown = [["" if v != v else f"{v:.3f}" for v in row] for row in vals]
                custom = [[f"{self._measure}: {shown[i][j]}<br>together in {subl[i][j]} {win}s<br>{nl[i]} and {nl[j]} {win}s each"
                           for j in range(k)] for i in range(k)]
            else:
                custom = [[]]
            zr = (-1, 1, 0) if self._measure == "npmi" else (None, None, None)
            self._set(heat, "heat", z=_dense(val) if k else [[]], x=labels, y=labels, customdata=custom, colorbar_title_text=self._measure,
                      zmin=zr[0], zmax=zr[1], zmid=zr[2])
            self._set(lay, "layout", xaxis_type="category", xaxis_categoryorder="array", xaxis_categoryarray=labels, xaxis_tickangle=-45,
                      xaxis_visible=True, xaxis_showgrid=True, xaxis_zeroline=None, xaxis_showticklabels=None, xaxis_title_text="actor",
                      yaxis_type="category", yaxis_categoryorder="array", yaxis_categoryarray=labels, yaxis_visible=True,
                      yaxis_showgrid=None, yaxis_zeroline=None, yaxis_showticklabels=None, yaxis_scaleanchor=None, yaxis_title_text="actor",
                      title_text=f"Top {k} actors: {self._measure} of co-occurrence in the same {win} — click a cell",
                      height=int(min(1200, max(460, 200 + 22 * k))))
            lay.xaxis.autorange, lay.yaxis.autorange = True, "reversed"
        else:
            heat.visible, edges.visible, nodes.visible = False, True, True
            i, j = np.nonzero(np.triu(~np.isnan(val), k=1)) if len(ids) else (np.zeros(0, int), np.zeros(0, int))
            w_ = val[i, j]
            nd = pd.DataFrame({"entity_id": ids})
            ed = pd.DataFrame({"source": [ids[k] for k in i], "target": [ids[k] for k in j], "weight": w_})
            pos = F.network_layout(nd, ed, seed=0) if len(ids) else {}
            xs: list = []
            ys: list = []
            for s, t in zip(ed["source"], ed["target"]):
                xs += [pos[s][0], pos[t][0], None]
                ys += [pos[s][1], pos[t][1], None]
            deg = (~np.isnan(val)).sum(axis=1) if len(ids) else np.zeros(0)
            size = 8 + 22 * np.sqrt(n / n.max()) if len(n) and n.max() > 0 else np.zeros(0)
            type_order = {t: k for k, t in enumerate(self._all_types)}
            self._set(edges, "edges", x=xs, y=ys)
            self._set(nodes, "nodes", x=[pos[e][0] for e in ids], y=[pos[e][1] for e in ids], text=labels,
                      hovertext=[f"<b>{lab}</b> ({_esc(self._ent_types[self._ent_pos[e]])})<br>{int(k)} {win}s<br>{int(d)} partners shown"
                                 for lab, e, k, d in zip(labels, ids, n, deg)],
                      marker_size=np.round(size, 3).tolist(),
                      marker_color=[F.categorical(type_order[self._ent_types[self._ent_pos[e]]]) for e in ids])
            axis = dict(showgrid=False, zeroline=False, showticklabels=False, visible=False, type="linear", categoryorder=None, categoryarray=None,
                        title_text=None)
            self._set(lay, "layout", xaxis_tickangle=None, yaxis_scaleanchor="x", **{f"{ax}_{k}": v for ax in ("xaxis", "yaxis") for k, v in axis.items()},
                      title_text=f"Network of the top {len(ids)} actors ({self._measure}, same {win}) — click a node", height=620)
            lay.xaxis.autorange, lay.yaxis.autorange = True, True

    def _entity(self, x: str) -> str:
        if x in self._ent_pos:
            return x
        hits = [e for e, nm in zip(self._ent_ids, self._ent_names) if nm == x]
        if len(hits) == 1:
            return hits[0]
        raise ValueError(f"unknown actor {x!r} (give an entity id)" if not hits else f"ambiguous actor name {x!r}: {hits}")

    def select(self, entity_a: str, entity_b: str | None = None) -> pd.DataFrame:
        """Select a pair of actors (entity ids or names), or one actor; fills the
        evidence panel with the sentences behind it and returns them."""
        a = self._entity(entity_a)
        b = self._entity(entity_b) if entity_b is not None else None
        if b == a:
            raise ValueError("select needs two different actors (or one)")
        if b is not None:
            a, b = sorted((a, b))
        return self._select((a, b))

    def _evidence_for(self, selection, mask):
        a, b = selection
        t = self._mentions
        name = lambda e: self._ent_names[self._ent_pos[e]]
        ra = t.rows(a, mask)
        if b is None:
            ev, total = self._finder.build(t.key[ra], self.max_evidence, t, ra)
            return ev, total, name(a)
        rb = t.rows(b, mask)
        ka, kb = _sorted_unique(t.key[ra]), _sorted_unique(t.key[rb])
        if self._window == "sentence":
            j = np.clip(np.searchsorted(kb, ka), 0, max(len(kb) - 1, 0))
            units = ka[kb[j] == ka] if len(kb) else kb
        else:
            # Articles with both; in each, the first sentence of either actor.
            both = np.zeros(self.index.n, bool)
            both[ka >> _SHIFT] = True
            in_b = np.zeros(self.index.n, bool)
            in_b[kb >> _SHIFT] = True
            both &= in_b
            units = []
            for k in (ka, kb):
                k = k[both[k >> _SHIFT]]  # sorted: an article's first sentence comes first
                if len(k):
                    art = k >> _SHIFT
                    units.append(k[np.r_[True, art[1:] != art[:-1]]])
            units = _sorted_unique(np.concatenate(units)) if units else np.zeros(0, np.int64)
        rows = np.concatenate([ra, rb])
        ev, total = self._finder.build(units, self.max_evidence, t, rows)
        return ev, total, f"{name(a)} – {name(b)} (same {self._window})"

    def _state(self) -> str:
        types = "all" if self._types is None else ",".join(self._types)
        return f"view={self._view}, measure={self._measure}, window={self._window}, types={types}, min_count={self._min_count}, top={self._top}"

    def static_figure(self) -> go.Figure:
        """A kernel-free figure: heatmaps of the top actors (all articles) for each
        measure, switched by plotly's dropdown; hover shows the count, the measure and
        the newest sentence where both actors appear."""
        full = np.ones(self.index.n, bool)
        saved = self._measure
        variants: dict[str, go.Figure] = {}
        try:
            for measure in MEASURES:
                self._measure = measure
                ids, sub, val, n, _ = self.matrix(full)
                labels = _unique_labels(ids, [self._ent_names[self._ent_pos[e]] for e in ids])
                df = pd.DataFrame(np.where(np.isnan(val), np.nan, val), index=labels, columns=labels)
                fig = F.heatmap(df, f"Top actors — {measure}", "actor", "actor", measure)
                if measure == "npmi":
                    fig.data[0].update(zmin=-1, zmax=1, zmid=0)
                ex = self._pair_examples(ids)
                fig.data[0].customdata = [[f"together: {int(sub[i, j])}" + (f"<br>e.g. {ex[(i, j)]}" if ex.get((i, j)) else "")
                                           for j in range(len(ids))] for i in range(len(ids))]
                fig.data[0].hovertemplate = fig.data[0].hovertemplate.replace("<extra></extra>", "<br>%{customdata}<extra></extra>")
                fig.data[0].z = _dense(val) if len(ids) else [[]]
                variants[measure] = fig
        finally:
            self._measure = saved
        return F.with_dropdown(variants, f"Who appears with whom (same {self._window})")

    def _pair_examples(self, ids: list[str]) -> dict[tuple[int, int], str]:
        """For each pair of ``ids`` (positions), the newest sentence mentioning both."""
        t = self._mentions
        rows = [t.rows(e, np.ones(self.index.n, bool)) for e in ids]
        if not rows:
            return {}
        code = np.concatenate([np.full(len(r), k, np.int64) for k, r in enumerate(rows)])
        key = np.concatenate([t.key[r] for r in rows])
        d = pd.DataFrame({"k": key, "c": code}).drop_duplicates()
        pairs = d.merge(d, on="k")
        pairs = pairs[pairs["c_x"] < pairs["c_y"]]
        if pairs.empty:
            return {}
        m = len(ids)
        ex = self._finder.examples((pairs["c_x"] * m + pairs["c_y"]).to_numpy(np.int64), pairs["k"].to_numpy(np.int64))
        out = {}
        for c, s in ex.items():
            i, j = divmod(c, m)
            out[(i, j)] = out[(j, i)] = s
        return out


# --------------------------------------------------------------------------------------
# Themes
# --------------------------------------------------------------------------------------
class ThemeExplorer(_Explorer):
    """Lexicon event types by month or by dyad (heatmaps), and discovered themes (bars
    of the selected articles whose strongest theme it is, top terms in the hover).

    ``ThemeExplorer(corpus, ann, themes=None, *, index=None, view="events_month",
    n_themes=8, seed=0, top_dyads=20, max_evidence=50)``; ``themes`` is a fitted
    :class:`~diplokit.themes.ThemeModel` or None (fitted when the themes view is first
    shown, with ``seed``).
    """

    kind = "theme"
    css = "dk-theme-explorer"
    title = "Themes"
    VIEWS = ("events_month", "events_dyad", "themes")

    def __init__(self, corpus, ann, themes=None, *, index: ArticleIndex | None = None, view: str = "events_month", n_themes: int = 8,
                 seed: int = 0, top_dyads: int = 20, max_evidence: int = 50) -> None:
        if view not in self.VIEWS:
            raise ValueError(f"view must be one of {', '.join(self.VIEWS)}; got {view!r}")
        self._view, self._model, self.n_themes, self.seed, self.top_dyads = view, themes, int(n_themes), int(seed), int(top_dyads)
        self._theme_error: str | None = None
        self._top_theme: np.ndarray | None = None
        super().__init__(corpus, ann, index=index, max_evidence=max_evidence)

    def _prepare(self) -> None:
        self._events = _Table(self.index, self.ann.events, "event_type")
        self._label_to_event = {_esc(v): k for k, v in self.event_labels.items()}
        self._col_keys: dict[str, object] = {}

    def _build_controls(self) -> list:
        w = _widgets()
        self.view_dropdown = w.Dropdown(options=[("event types by month", "events_month"), ("event types by dyad", "events_dyad"),
                                                 ("discovered themes", "themes")], value=self._view, description="view")
        self.view_dropdown.add_class("dk-view")
        self.view_dropdown.observe(lambda ch: self.set_view(ch["new"]), names="value")
        return [self.view_dropdown]

    def set_view(self, view: str) -> float:
        """Switch the figure to another view (one of ``VIEWS``); returns the update's ms."""
        return self._set_choice("view", view, self.VIEWS, self.view_dropdown)

    @property
    def themes(self):
        """The :class:`~diplokit.themes.ThemeModel` (fitted on first use; None if the
        corpus is too small to fit one)."""
        self._ensure_model()
        return self._model

    def _ensure_model(self) -> None:
        if self._model is None and self._theme_error is None:
            from .themes import discover_themes

            try:
                self._model = discover_themes(self.corpus, n_themes=self.n_themes, seed=self.seed)
            except ValueError as exc:
                self._theme_error = str(exc)
                return
        if self._model is not None and self._top_theme is None:
            top = self._model.top_theme()
            arr = np.full(self.index.n, -1, np.int64)
            pos = self.index.positions(top["article_id"])
            ok = pos >= 0
            arr[pos[ok]] = top["theme"].to_numpy(np.int64)[ok]
            self._top_theme = arr
            # Per theme: positions of the articles weighing on it (weight > 0), strongest
            # first then by article id (theme_evidence's order), and their weights.
            w = self._model.weights
            wp = self.index.positions(w["article_id"]).astype(np.int64)
            wt = w["theme"].to_numpy(np.int64)
            ww = w["weight"].to_numpy(float)
            ok = (wp >= 0) & (ww > 0)
            wp, wt, ww = wp[ok], wt[ok], ww[ok]
            order = np.lexsort((self._finder._id_rank[wp], -ww, wt))
            wp, wt, ww = wp[order], wt[order], ww[order]
            bounds = np.searchsorted(wt, np.arange(self._model.n_themes + 1))
            self._theme_articles = {t: (wp[bounds[i] : bounds[i + 1]], ww[bounds[i] : bounds[i + 1]]) for i, t in enumerate(range(self._model.n_themes))}
            self._best_sentence: dict[tuple[int, int], int] = {}

    def _init_figure(self) -> None:
        fig = self.figure
        fig.add_trace(go.Heatmap(z=[[]], x=[], y=[], name="event types", colorscale=F.palette()["continuous"], xgap=1, ygap=1,
                                 hovertemplate="%{y}<br>%{x}<br>event sentences: %{z}<extra></extra>"))
        fig.add_trace(go.Bar(x=[], y=[], orientation="h", name="themes", marker=dict(color=F.categorical(1)),
                             hovertemplate="%{y}<br>%{customdata}<extra></extra>"))
        fig.update_layout(template=F.TEMPLATE, height=520, margin=dict(l=10, r=10, t=60, b=10), hoverlabel=dict(namelength=-1),
                          title=dict(x=0.01, xanchor="left"), showlegend=False)
        self._set_uids()
        fig.data[0].on_click(_heatmap_click_handler(self._on_heatmap_click))
        fig.data[1].on_click(self._on_bar_click)

    def _on_heatmap_click(self, x, y) -> None:
        e = self._label_to_event.get(y)
        key = self._col_keys.get(x)
        if e is None:
            return
        if self._view == "events_month":
            self.select(e, month=key)
        else:
            self.select(e, dyad=key)

    def _on_bar_click(self, trace, points, state) -> None:
        if points.point_inds and self._theme_order is not None:
            i = points.point_inds[0]
            if 0 <= i < len(self._theme_order):
                self.select(theme=self._theme_order[i])

    _theme_order: list[int] | None = None

    def _refresh(self, mask: np.ndarray, empty: bool) -> None:
        fig = self.figure
        heat, bar = fig.data
        lay = fig.layout
        if self._view in ("events_month", "events_dyad"):
            heat.visible, bar.visible = True, False
            by = "month" if self._view == "events_month" else "dyad"
            m = self.index.event_counts(mask, by=by, value="mentions")
            if by == "dyad" and len(m):
                tot = m.to_numpy().sum(axis=1)
                order = np.lexsort((np.asarray(m.index, dtype=str), -tot))[: self.top_dyads]
                m = m.iloc[order[tot[order] > 0]]
            keys = [_month_label(k) for k in m.index] if by == "month" else [str(k) for k in m.index]
            xlab = [_esc(k) for k in keys]
            if getattr(self, "_ylab", None) is None:
                self._ylab = [_esc(self.event_labels[e]) for e in self.index.event_ids]
            ylab = self._ylab
            self._col_keys = dict(zip(xlab, keys))
            z = m.to_numpy().T  # event types as rows
            self._set(heat, "heat", z=z.astype(np.int64) if len(m) else [[]], x=xlab, y=ylab, colorbar_title_text="sentences")
            self._set(lay, "layout", xaxis_type="category", xaxis_categoryorder="array", xaxis_categoryarray=xlab, xaxis_tickangle=-45,
                      xaxis_title_text=by, yaxis_type="category", yaxis_categoryorder="array", yaxis_categoryarray=ylab,
                      yaxis_title_text="event type", title_text=f"Cooperation event types by {by} — click a cell for its sentences", height=520)
            lay.xaxis.autorange, lay.yaxis.autorange = True, "reversed"
        else:
            heat.visible, bar.visible = False, True
            self._ensure_model()
            if self._model is None:
                self._set(bar, "bar", x=[], y=[], customdata=[])
                self._theme_order = []
                self._set(lay, "layout", title_text=f"No themes: {self._theme_error or 'no model'}")
                return
            k = self._model.n_themes
            tt = self._top_theme[mask]
            counts = np.bincount(tt[tt >= 0], minlength=k)
            labels = [_esc(f"{t}: {self._model.labels[t]}") for t in range(k)]
            order = sorted(range(k), key=lambda t: (-int(counts[t]), t))
            self._theme_order = order
            if getattr(self, "_top_terms", None) is None:
                terms = self._model.terms
                self._top_terms = {t: ", ".join(terms.loc[terms["theme"] == t, "term"].head(8)) for t in range(k)}
            top_terms = self._top_terms
            self._set(bar, "bar", x=[int(counts[t]) for t in order], y=[labels[t] for t in order],
                      customdata=[f"articles (strongest theme): {int(counts[t])}<br>top terms: {_esc(top_terms[t])}" for t in order])
            self._set(lay, "layout", xaxis_type="linear", xaxis_categoryorder=None, xaxis_categoryarray=None, xaxis_tickangle=None,
                      xaxis_title_text="articles", yaxis_type="category", yaxis_categoryorder="array", yaxis_categoryarray=[labels[t] for t in order],
                      yaxis_title_text="theme", title_text=f"Discovered themes (seed {self.seed}) — click a bar for its articles",
                      height=int(max(320, 120 + 30 * k)))
            lay.xaxis.autorange, lay.yaxis.autorange = True, "reversed"

    def select(self, event_type: str | None = None, *, month=None, dyad=None, theme: int | None = None) -> pd.DataFrame:
        """Select an event type (id or label), optionally in one month ('YYYY-MM') or
        dyad ('AAA-BBB'), or a discovered ``theme`` number; returns the evidence."""
        if theme is not None:
            if event_type is not None:
                raise ValueError("select either an event type or a theme")
            self._ensure_model()
            if self._model is None:
                raise ValueError(f"no themes: {self._theme_error}")
            if int(theme) not in self._model.labels:
                raise ValueError(f"no theme {theme!r}; themes are 0..{self._model.n_themes - 1}")
            return self._select(("theme", int(theme)))
        if event_type is None:
            raise ValueError("select needs an event type or a theme")
        if event_type not in self.event_labels:
            back = {v: k for k, v in self.event_labels.items()}
            if event_type not in back:
                raise ValueError(f"unknown event type {event_type!r}; known: {', '.join(self.index.event_ids)}")
            event_type = back[event_type]
        if month is not None and dyad is not None:
            raise ValueError("select a month or a dyad, not both")
        if month is not None:
            month = _month_label(normalise_key("month", month))
        if dyad is not None:
            dyad = normalise_key("dyad", dyad)
        return self._select(("event", event_type, month, dyad))

    def _evidence_for(self, selection, mask):
        if selection[0] == "theme":
            t = selection[1]
            ev, total = self._theme_rows(t, mask)
            return ev, total, f"theme {t}: {self._model.labels[t]}"
        _, e, month, dyad = selection
        m = mask
        if month is not None:
            m = m & self.index.key_mask("month", month)
        if dyad is not None:
            m = m & self.index.key_mask("dyad", dyad)
        rows = self._events.rows(e, m)
        ev, total = self._finder.build(self._events.key[rows], self.max_evidence, self._events, rows, note="cue")
        return ev, total, " × ".join(x for x in (self.event_labels[e], month, dyad) if x)

    def _theme_rows(self, t: int, mask: np.ndarray) -> tuple[_Rows, int]:
        """What :func:`~diplokit.themes.theme_evidence` gives for the articles passing
        ``mask`` (strongest first; in each, the sentence closest to the theme, its top
        terms highlighted), from the per-theme order prepared once; each article's best
        sentence is scored once and cached (the model does not change)."""
        from .themes import term_spans

        self._ensure_model()
        pos, wt = self._theme_articles.get(t, (np.zeros(0, np.int64), np.zeros(0)))
        keep = mask[pos]
        total = int(np.count_nonzero(keep))
        if not total:
            return _Rows.of_frame(empty_evidence(["weight", "note"])), 0
        head = np.flatnonzero(keep)[: self.max_evidence]
        pos, wt = pos[head], wt[head]
        todo = [int(p) for p in pos.tolist() if (t, int(p)) not in self._best_sentence]
        if todo:
            comp = self._model.components if self._model.components is not None else self._model.nmf.components_
            keys, texts, owner = [], [], []
            for p in todo:
                k, tx = self._finder.article_sentences(p)
                keys.append(k)
                texts += ["" if _missing(x) else str(x) for x in tx]
                owner.append(len(k))
            score = np.asarray(self._model.vectorizer.transform(texts) @ comp[t]).ravel() if texts else np.zeros(0)
            at = 0
            for p, k, n in zip(todo, keys, owner):
                # The best score; the earliest sentence on ties (argmax takes the first).
                self._best_sentence[(t, p)] = int(k[int(np.argmax(score[at : at + n]))]) if n else -1
                at += n
        units = [(self._best_sentence[(t, int(p))], w) for p, w in zip(pos.tolist(), wt.tolist())]
        chosen = np.array([k for k, _ in units if k >= 0], dtype=np.int64)
        weights = [w for k, w in units if k >= 0]
        if not len(chosen):
            return _Rows.of_frame(empty_evidence(["weight", "note"])), total
        label = self._model.labels[t]
        ev = self._finder.rows_for(chosen, weight=weights, note=[label] * len(chosen), note_str=True)
        terms = self._model.terms
        top_terms = terms.loc[terms["theme"] == t, "term"].tolist()
        ev.spans = [term_spans("" if x is None else x, top_terms) for x in ev.sentence]
        return ev, total

    def _unit_name(self) -> str:
        return "article" if self._selection and self._selection[0] == "theme" else "sentence"

    def __repr__(self) -> str:
        sel = self._selection
        if sel is not None:
            sel = ("theme", sel[1]) if sel[0] == "theme" else tuple(x for x in sel[1:] if x is not None)
        return (f"<ThemeExplorer: {int(self._mask.sum())} of {self.index.n} articles selected, view={self._view}, "
                f"selection: {'none' if sel is None else ' × '.join(str(s) for s in sel)}>")

    def static_figure(self) -> go.Figure:
        """A kernel-free figure: event types by month, for all years and each year,
        switched by plotly's dropdown; hover shows the count and the newest sentence
        with that event type in that month."""
        idx = self.index
        full = np.ones(idx.n, bool)
        m = idx.event_counts(full, by="month", value="mentions")
        ev_ids = idx.event_ids
        t = self._events
        ok = t.pos >= 0
        rows = np.flatnonzero(ok)
        e_code = pd.Index(ev_ids).get_indexer(t.df["event_type"].astype(str).to_numpy()[rows]) if len(rows) else np.zeros(0, np.int64)
        d = idx.dates[t.pos[rows]] if len(rows) else np.zeros(0, np.int64)
        dated = d != _NAT
        month_code = np.where(dated, d.astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64), -1)
        ex = self._finder.examples(np.where(dated, month_code * len(ev_ids) + e_code, -1)[dated], t.key[rows][dated]) if len(rows) else {}
        variants: dict[str, go.Figure] = {}
        years = sorted({k.year for k in m.index}) if len(m) else []
        for label, year in [("all years", None)] + [(str(y), y) for y in years]:
            part = m if year is None else m[[k.year == year for k in m.index]]
            if part.empty:
                continue
            tab = part.T.rename(index=self.event_labels)
            tab.columns = [_month_label(k) for k in part.index]
            fig = F.heatmap(tab, f"Event types by month — {label}", "month", "event type", "event sentences")
            mcodes = [int(np.datetime64(k, "M").astype(np.int64)) for k in part.index]
            fig.data[0].customdata = [[ex.get(mc * len(ev_ids) + ei, "") for mc in mcodes] for ei in range(len(ev_ids))]
            fig.data[0].hovertemplate = fig.data[0].hovertemplate.replace("<extra></extra>", "<br>e.g. %{customdata}<extra></extra>")
            variants[label] = fig
        if not variants:
            variants["all years"] = F.heatmap(pd.DataFrame(np.zeros((len(ev_ids), 0), np.int64), index=[self.event_labels[e] for e in ev_ids]),
                                              "Event types by month — no data", "month", "event type", "event sentences")
        return F.with_dropdown(variants, "Cooperation event types by month")
