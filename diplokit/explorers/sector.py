"""The sector explorer: sectors by country, by month, or ranked; a click selects a sector."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import figures as F
from ..filters import ArticleIndex, normalise_key
from .base import _Explorer, _NAT, _Table, _esc, _lexicon_country_names, _month_label, _unique_labels, _widgets


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
        self._finish_figure(560)
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
