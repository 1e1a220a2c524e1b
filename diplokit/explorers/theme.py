"""The theme explorer: lexicon event types by month or dyad, and discovered themes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import figures as F
from ..evidence import empty_evidence
from ..filters import ArticleIndex, normalise_key
from .base import _Explorer, _NAT, _Rows, _Table, _esc, _missing, _month_label, _widgets


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
            from ..themes import discover_themes

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
        self._finish_figure(520, showlegend=False)
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
        from ..themes import term_spans

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
