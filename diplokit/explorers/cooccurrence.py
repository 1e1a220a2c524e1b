"""The co-occurrence explorer: who appears with whom (heatmap or network); a click selects a pair or an actor."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import figures as F
from ..cooccurrence import MEASURES, npmi
from ..filters import ArticleIndex
from .base import _Explorer, _SHIFT, _Table, _dense, _esc, _sorted_unique, _unique_labels, _widgets


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
        self._finish_figure(620, showlegend=False)
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
