"""Plotly figures for the analysis tables.

Every figure has a title, labelled axes (a network layout has no meaningful axes, so
they are hidden there), hover text with the counts, the ``plotly_white`` template and
colour-blind-safe colours from ``lexicons/palette.yaml`` (Okabe–Ito for categories,
Cividis for continuous values). Traces get deterministic uids (``f"{name}-{i}"``) and
layouts are computed with fixed seeds, so the same inputs give byte-identical JSON
(:func:`figure_json`), which keeps exported HTML and notebook diffs stable.

Labels that come from the data (sources, entity names, sector ids) are HTML-escaped
before they reach plotly, which renders a subset of HTML in text.

:func:`with_dropdown` combines precomputed variants of a figure into one whose dropdown
switches between them without a kernel (for exported HTML).
"""
from __future__ import annotations

import html
from typing import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .resources import lexicon_path, read_yaml

TEMPLATE = "plotly_white"
DASHES = ("solid", "dash", "dot", "dashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up")
TYPE_ORDER = ("country", "organization", "person")


def palette() -> dict:
    """The colours in ``lexicons/palette.yaml`` (categorical list, continuous scale name...)."""
    return read_yaml(lexicon_path("palette.yaml"))


def categorical(i: int) -> str:
    """The i-th categorical colour (cycling)."""
    colours = palette()["categorical"]
    return colours[i % len(colours)]


def _safe(value) -> str:
    """A data-derived label, escaped for plotly's HTML-like text rendering."""
    return html.escape(_label(value), quote=False)


def _label(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "(missing)"
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        ts = pd.Timestamp(value)
        return ts.strftime("%Y-%m") if ts == ts.normalize() and ts.day == 1 else ts.strftime("%Y-%m-%d")
    if isinstance(value, tuple):
        return " – ".join(_label(v) for v in value)
    return str(value)


def _template_text(s: str) -> str:
    """Text placed inside a plotly hovertemplate: '%{' would start a variable."""
    return html.escape(str(s), quote=False).replace("%{", "% {")


def finalize(fig: go.Figure, title: str, x_label: str | None, y_label: str | None) -> go.Figure:
    """Apply the shared look (template, title, axis titles) and deterministic uids."""
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=html.escape(str(title), quote=False), x=0.01, xanchor="left"),
        hoverlabel=dict(namelength=-1),
        margin=dict(l=10, r=10, t=60, b=10),
    )
    if x_label is not None:
        fig.update_xaxes(title_text=html.escape(str(x_label), quote=False), automargin=True)
    if y_label is not None:
        fig.update_yaxes(title_text=html.escape(str(y_label), quote=False), automargin=True)
    for i, trace in enumerate(fig.data):
        trace.uid = f"{trace.name or trace.type}-{i}"
    return fig


def figure_json(fig: go.Figure) -> str:
    """The figure as JSON (what determinism tests compare)."""
    return fig.to_json()


# --------------------------------------------------------------------------------------
# Heatmap
# --------------------------------------------------------------------------------------
def heatmap(
    matrix_df: pd.DataFrame,
    title: str,
    x_label: str,
    y_label: str,
    zlabel: str = "count",
    *,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """A heatmap of a matrix table (e.g. :func:`~diplokit.sector_stats.sector_matrix`):
    rows on the y axis top to bottom in table order, columns on the x axis. ``labels``
    renames columns (e.g. sector id -> label)."""
    x = [_safe(labels.get(c, c) if labels else c) for c in matrix_df.columns]
    y = [_safe(v) for v in matrix_df.index]
    z = matrix_df.to_numpy()
    z = z.astype(np.int64) if np.issubdtype(z.dtype, np.integer) else z.astype(float)
    fmt = "%{z}" if np.issubdtype(z.dtype, np.integer) else "%{z:.3g}"
    trace = go.Heatmap(
        z=z,
        x=x,
        y=y,
        name="heatmap",
        colorscale=palette()["continuous"],
        colorbar=dict(title=dict(text=html.escape(zlabel, quote=False))),
        hovertemplate=f"{_template_text(y_label)}: %{{y}}<br>{_template_text(x_label)}: %{{x}}<br>{_template_text(zlabel)}: {fmt}<extra></extra>",
        xgap=1,
        ygap=1,
    )
    fig = go.Figure(trace)
    fig.update_yaxes(autorange="reversed", type="category", categoryorder="array", categoryarray=y)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=x, tickangle=-45)
    fig.update_layout(height=int(min(1600, max(380, 160 + 22 * len(y)))))
    return finalize(fig, title, x_label, y_label)


# --------------------------------------------------------------------------------------
# Network
# --------------------------------------------------------------------------------------
def network_layout(nodes: pd.DataFrame, edges: pd.DataFrame, seed: int = 0, method: str = "spring") -> dict[str, tuple[float, float]]:
    """Node positions, deterministic: the graph is built in sorted node and edge order,
    the layout seeded, and coordinates rounded to 6 decimals."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(sorted(nodes["entity_id"].astype(str)))
    if len(edges):
        w = edges["weight"].to_numpy(dtype=float)
        # Layout needs positive attraction: scale weights to (0, 1], negatives to a floor.
        top = w.max() if w.max() > 0 else 1.0
        lw = np.clip(w / top, 0.05, 1.0)
        e = pd.DataFrame({"s": edges["source"].astype(str), "t": edges["target"].astype(str), "w": lw}).sort_values(["s", "t"], kind="stable")
        g.add_weighted_edges_from(e.itertuples(index=False, name=None), weight="w")
    if method == "spring":
        pos = nx.spring_layout(g, seed=seed, weight="w") if len(g) else {}
    elif method == "kamada_kawai":
        pos = nx.kamada_kawai_layout(g, weight="w") if len(g) else {}
    else:
        raise ValueError("method must be 'spring' or 'kamada_kawai'")
    return {n: (round(float(p[0]), 6) + 0.0, round(float(p[1]), 6) + 0.0) for n, p in pos.items()}


def network_figure(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    title: str,
    seed: int = 0,
    *,
    label_top: int = 15,
    method: str = "spring",
) -> go.Figure:
    """The co-occurrence network from :func:`~diplokit.cooccurrence.network`: node size
    by weighted degree, colour by entity type, edge width in three classes of weight;
    names shown for the ``label_top`` strongest nodes, everything in hover."""
    pos = network_layout(nodes, edges, seed=seed, method=method)
    fig = go.Figure()
    edge_colour = palette().get("edge", "#999999")
    if len(edges):
        w = edges["weight"].to_numpy(dtype=float)
        top = w.max() if w.max() > 0 else 1.0
        cls = np.clip(np.ceil(np.clip(w / top, 0, 1) * 3), 1, 3).astype(int)
        names = dict(zip(nodes["entity_id"].astype(str), nodes["name"].astype(str)))
        for k, width in ((1, 0.6), (2, 1.5), (3, 3.0)):
            sel = edges[cls == k].sort_values(["source", "target"], kind="stable")
            if sel.empty:
                continue
            xs: list = []
            ys: list = []
            for s, t in zip(sel["source"].astype(str), sel["target"].astype(str)):
                xs += [pos[s][0], pos[t][0], None]
                ys += [pos[s][1], pos[t][1], None]
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=f"edges {k}", line=dict(width=width, color=edge_colour), opacity=0.6, hoverinfo="skip", showlegend=False))
        es = edges.sort_values(["source", "target"], kind="stable")
        mx = [round((pos[s][0] + pos[t][0]) / 2, 6) for s, t in zip(es["source"].astype(str), es["target"].astype(str))]
        my = [round((pos[s][1] + pos[t][1]) / 2, 6) for s, t in zip(es["source"].astype(str), es["target"].astype(str))]
        hover = [
            f"{_safe(names.get(s, s))} – {_safe(names.get(t, t))}<br>count: {int(c)}<br>jaccard: {j:.3f}<br>npmi: {n:.3f}"
            for s, t, c, j, n in zip(es["source"].astype(str), es["target"].astype(str), es["count"], es["jaccard"], es["npmi"])
        ]
        fig.add_trace(go.Scatter(x=mx, y=my, mode="markers", name="edge info", marker=dict(size=6, color=edge_colour, opacity=0), hovertext=hover, hoverinfo="text", showlegend=False))
    if len(nodes):
        wd = nodes["weighted_degree"].to_numpy(dtype=float)
        top = wd.max() if wd.max() > 0 else 1.0
        size = 8 + 22 * np.sqrt(np.clip(wd / top, 0, 1))
        ranked = nodes.assign(_wd=wd).sort_values(["_wd", "entity_id"], ascending=[False, True], kind="stable")
        labelled = set(ranked["entity_id"].astype(str).head(label_top))
        n = nodes.assign(_size=size).sort_values("entity_id", kind="stable")
        types = [t for t in TYPE_ORDER if t in set(n["type"])] + sorted(set(n["type"].dropna()) - set(TYPE_ORDER))
        for i, typ in enumerate(types):
            part = n[n["type"] == typ]
            ids = part["entity_id"].astype(str).tolist()
            hover = [
                f"<b>{_safe(nm)}</b> ({_safe(typ)})<br>country: {_safe(c) if isinstance(c, str) else '—'}<br>mentions: {int(m)}<br>degree: {int(d)}<br>weighted degree: {wdg:.4g}"
                for nm, c, m, d, wdg in zip(part["name"], part["country"], part["mentions"], part["degree"], part["weighted_degree"])
            ]
            fig.add_trace(
                go.Scatter(
                    x=[pos[e][0] for e in ids],
                    y=[pos[e][1] for e in ids],
                    mode="markers+text",
                    name=typ,
                    text=[_safe(nm) if e in labelled else "" for e, nm in zip(ids, part["name"])],
                    textposition="top center",
                    textfont=dict(size=11),
                    marker=dict(size=np.round(part["_size"].to_numpy(), 3), color=categorical(i), symbol=SYMBOLS[i // 8 % len(SYMBOLS)], line=dict(width=1, color="#FFFFFF")),
                    hovertext=hover,
                    hoverinfo="text",
                )
            )
    axis = dict(showgrid=False, zeroline=False, showticklabels=False, visible=False)
    fig.update_xaxes(**axis)
    fig.update_yaxes(scaleanchor="x", scaleratio=1, **axis)
    fig.update_layout(height=650, legend=dict(title=dict(text="entity type")))
    return finalize(fig, title, None, None)


# --------------------------------------------------------------------------------------
# Timeline
# --------------------------------------------------------------------------------------
def timeline(
    shares_df: pd.DataFrame,
    title: str,
    *,
    labels: Mapping[str, str] | None = None,
    x_label: str = "period",
    y_label: str = "share of articles",
    top: int | None = 8,
) -> go.Figure:
    """Lines per sector over time from :func:`~diplokit.sector_stats.sector_shares`.

    Sectors keep the table's order; the ``top`` sectors by total articles are drawn,
    the others start hidden (click them in the legend). Hover: share and article count.
    """
    order = list(dict.fromkeys(shares_df["sector"].astype(str)))
    totals = shares_df.groupby("sector", sort=False)["articles"].sum().reindex(order)
    ranked = sorted(order, key=lambda s: (-int(totals[s]), order.index(s)))
    shown = set(ranked if top is None else ranked[:top])
    fig = go.Figure()
    for i, sector in enumerate(order):
        part = shares_df[shares_df["sector"].astype(str) == sector].sort_values("period", kind="stable")
        name = _safe(labels.get(sector, sector) if labels else sector)
        fig.add_trace(
            go.Scatter(
                x=part["period"],
                y=part["share"].astype(float),
                customdata=part["articles"].to_numpy(dtype=np.int64),
                mode="lines+markers",
                name=name,
                line=dict(color=categorical(i), dash=DASHES[i // 8 % len(DASHES)], width=2),
                marker=dict(size=5, symbol=SYMBOLS[i // 8 % len(SYMBOLS)]),
                hovertemplate="<b>%{fullData.name}</b><br>%{x|%Y-%m-%d}<br>share: %{y:.1%}<br>articles: %{customdata}<extra></extra>",
                visible=True if sector in shown else "legendonly",
            )
        )
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_layout(hovermode="closest", legend=dict(title=dict(text="sector")))
    return finalize(fig, title, x_label, y_label)


# --------------------------------------------------------------------------------------
# Ranked bars
# --------------------------------------------------------------------------------------
def ranked_bar(
    series_or_df: pd.Series | pd.DataFrame,
    title: str,
    x_label: str,
    y_label: str,
    *,
    top: int | None = 30,
    barmode: str = "stack",
) -> go.Figure:
    """Horizontal bars ranked from the largest (top) down; ``x_label`` names the value
    axis, ``y_label`` the categories.

    A Series gives one bar per index label. A DataFrame gives one trace per numeric
    column (stacked by default), ranked by row total; its labels are the index, or its
    only non-numeric column. Ties rank alphabetically. ``top`` keeps the first rows.
    """
    if isinstance(series_or_df, pd.Series):
        df = series_or_df.to_frame(name=series_or_df.name if series_or_df.name is not None else "value")
        labels = list(series_or_df.index)
    else:
        df = series_or_df
        text_cols = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
        if len(text_cols) == 1:
            labels = list(df[text_cols[0]])
            df = df.drop(columns=text_cols)
        else:
            labels = list(df.index)
    df = df.select_dtypes("number")
    if df.shape[1] == 0:
        raise ValueError("ranked_bar needs at least one numeric column")
    names = [_safe(v) for v in labels]
    total = df.sum(axis=1).to_numpy(dtype=float)
    order = sorted(range(len(names)), key=lambda i: (-total[i], names[i]))
    if top is not None:
        order = order[:top]
    cats = [names[i] for i in order]
    fig = go.Figure()
    for k, col in enumerate(df.columns):
        vals = df[col].to_numpy()[order]
        fig.add_trace(
            go.Bar(
                x=vals,
                y=cats,
                orientation="h",
                name=_safe(col),
                marker=dict(color=categorical(k)),
                hovertemplate=f"%{{y}}<br>{_template_text(_label(col))}: %{{x}}<extra></extra>",
            )
        )
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=cats, autorange="reversed")
    fig.update_layout(barmode=barmode, showlegend=df.shape[1] > 1, height=int(min(1400, max(320, 120 + 24 * len(cats)))))
    return finalize(fig, title, x_label, y_label)


# --------------------------------------------------------------------------------------
# Kernel-free variants
# --------------------------------------------------------------------------------------
_AXIS_KEYS = ("title", "categoryorder", "categoryarray", "autorange", "type", "visible", "showticklabels", "showgrid", "zeroline",
              "tickformat", "tickangle", "scaleanchor", "rangemode")
_LAYOUT_KEYS = ("height", "barmode", "showlegend", "hovermode")


def _layout_updates(fig: go.Figure) -> dict:
    """The layout settings that differ between kinds of figures, as relayout keys
    (None resets a setting to plotly's default)."""
    out: dict = {key: fig.layout[key] for key in _LAYOUT_KEYS}
    out["legend.title.text"] = fig.layout.legend.title.text
    for axis in ("xaxis", "yaxis"):
        spec = fig.layout[axis].to_plotly_json()
        for key in _AXIS_KEYS:
            value = spec.get(key)
            if key == "title":
                out[f"{axis}.title.text"] = (value or {}).get("text", "")
            else:
                out[f"{axis}.{key}"] = value
    return out


def with_dropdown(figs_by_label: Mapping[str, go.Figure], title: str) -> go.Figure:
    """One figure holding every variant's traces; a dropdown shows one variant at a
    time (traces toggled with ``visible``, axis titles and category orders swapped).
    Works in exported HTML without a Python kernel. The first variant shows first."""
    if not figs_by_label:
        raise ValueError("with_dropdown needs at least one figure")
    labels = list(figs_by_label)
    first = figs_by_label[labels[0]]
    combined = go.Figure(layout=first.layout)
    owner: list[int] = []
    for k, label in enumerate(labels):
        for tr in figs_by_label[label].data:
            tr = tr.to_plotly_json()
            # "legendonly" survives as the variant's own choice; other variants start hidden.
            tr["visible"] = tr.get("visible", True) if k == 0 else False
            combined.add_trace(tr)
            owner.append(k)
    base_visible = []
    for k, label in enumerate(labels):
        base_visible.append([tr.to_plotly_json().get("visible", True) for tr in figs_by_label[label].data])
    buttons = []
    for k, label in enumerate(labels):
        vis: list = []
        for kk, lab in enumerate(labels):
            vis += base_visible[kk] if kk == k else [False] * len(base_visible[kk])
        layout_update = {"title.text": html.escape(f"{title} — {label}", quote=False), **_layout_updates(figs_by_label[label])}
        buttons.append(dict(label=html.escape(str(label), quote=False), method="update", args=[{"visible": vis}, layout_update]))
    combined.update_layout(
        # Above the plot area, right-aligned: never over the data.
        updatemenus=[dict(type="dropdown", direction="down", active=0, buttons=buttons, x=1.0, xanchor="right", y=1.0, yanchor="bottom", pad=dict(b=8), showactive=True)],
        margin=dict(t=100),
    )
    combined.update_layout(title=dict(text=html.escape(f"{title} — {labels[0]}", quote=False), x=0.01, xanchor="left"))
    for i, tr in enumerate(combined.data):
        tr.uid = f"{tr.name or tr.type}-{i}"
    return combined
