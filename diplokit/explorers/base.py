"""What the three explorers share: the filter bar and status widgets, sparse count tables,
row groups for evidence, the evidence panel, and the :class:`_Explorer` base class that wires
filters, figure updates and selections together."""
from __future__ import annotations

import html
import time
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import figures as F
from ..evidence import empty_evidence, evidence_html, evidence_records_html
from ..filters import ArticleIndex, Filters


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

    def _finish_figure(self, height: int, **layout) -> None:
        """The layout every explorer's figure shares, stable trace uids, and clicks on the
        heatmap (always the first trace) wired to ``_on_heatmap_click``."""
        fig = self.figure
        fig.update_layout(template=F.TEMPLATE, height=height, margin=dict(l=10, r=10, t=60, b=10), hoverlabel=dict(namelength=-1),
                          title=dict(x=0.01, xanchor="left"), **layout)
        self._set_uids()
        fig.data[0].on_click(_heatmap_click_handler(self._on_heatmap_click))


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
