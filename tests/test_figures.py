"""Figures: shared look (title, axes, template, palette, hover counts), deterministic
JSON, escaping of data labels, and the kernel-free dropdown."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from diplokit.figures import figure_json, heatmap, network_figure, network_layout, palette, ranked_bar, timeline, with_dropdown
from diplokit.lexicon import SECTOR_IDS

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"}


@pytest.fixture
def matrix() -> pd.DataFrame:
    idx = pd.DatetimeIndex(["2024-01-01", "2024-02-01", "2024-03-01"], name="month")
    return pd.DataFrame([[3, 1, 0], [0, 0, 0], [0, 2, 5]], index=idx, columns=pd.Index(["trade", "health", "energy"], name="sector"))


@pytest.fixture
def net() -> tuple[pd.DataFrame, pd.DataFrame]:
    nodes = pd.DataFrame(
        {
            "entity_id": ["BEN", "RWA", "kagame", "au"],
            "name": ["Benin", "Rwanda", "Paul <b>Kagame</b>", "African Union"],
            "type": ["country", "country", "person", "organization"],
            "country": ["BEN", "RWA", "RWA", np.nan],
            "degree": [3, 2, 2, 1],
            "weighted_degree": [4, 3, 2, 1],
            "mentions": [3, 3, 1, 1],
        }
    )
    edges = pd.DataFrame(
        {
            "source": ["BEN", "BEN", "BEN", "RWA"],
            "target": ["RWA", "au", "kagame", "kagame"],
            "weight": [2, 1, 1, 1],
            "count": [2, 1, 1, 1],
            "jaccard": [2 / 3, 1 / 3, 1 / 3, 1 / 2],
            "npmi": [0.0, 0.0, 0.0, 0.369],
        }
    )
    return nodes, edges


@pytest.fixture
def shares() -> pd.DataFrame:
    periods = pd.to_datetime(["2024-01-01", "2024-02-01"]).astype("datetime64[ns]")
    rows = []
    for k, sector in enumerate(SECTOR_IDS):
        for p in periods:
            n = (len(SECTOR_IDS) - k) if sector != "mining" else 0
            rows.append({"period": p, "sector": sector, "articles": n, "share": n / 20})
    return pd.DataFrame(rows)


def _common(fig: go.Figure, axes: bool = True) -> None:
    assert fig.layout.title.text
    assert fig.layout.template == pio.templates["plotly_white"]
    if axes:
        assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    uids = [t.uid for t in fig.data]
    assert uids == [f"{t.name or t.type}-{i}" for i, t in enumerate(fig.data)]
    assert len(set(uids)) == len(uids)
    for t in fig.data:
        assert t.hovertemplate or t.hovertext is not None or t.hoverinfo == "skip", t.name


def test_palette_file():
    p = palette()
    assert set(p["categorical"]) == OKABE_ITO and len(p["categorical"]) == 8
    assert p["continuous"] in ("Cividis", "Viridis")


def test_heatmap(matrix):
    fig = heatmap(matrix, "Sectors by month", "sector", "month")
    _common(fig)
    h = fig.data[0]
    assert list(h.x) == ["trade", "health", "energy"] and list(h.y) == ["2024-01", "2024-02", "2024-03"]
    assert np.array(h.z).tolist() == matrix.to_numpy().tolist()
    assert h.colorscale == go.Heatmap(colorscale="Cividis").colorscale
    assert "%{z}" in h.hovertemplate and "count" in h.hovertemplate and "month" in h.hovertemplate
    assert fig.layout.yaxis.autorange == "reversed"  # first row on top
    assert fig.layout.xaxis.title.text == "sector" and fig.layout.yaxis.title.text == "month"
    assert h.colorbar.title.text == "count"
    shares_fig = heatmap(matrix / 10, "Shares", "sector", "month", zlabel="share", labels={"trade": "Trade"})
    assert "%{z:.3g}" in shares_fig.data[0].hovertemplate and shares_fig.data[0].x[0] == "Trade"


def test_labels_from_data_are_escaped():
    m = pd.DataFrame([[1]], index=pd.Index(["<img src=x onerror=alert(1)>"], name="source"), columns=["trade"])
    fig = heatmap(m, "<script>t</script>", "sector", "source")
    js = figure_json(fig)
    assert "<img" not in js and "<script" not in js
    assert fig.data[0].y[0] == "&lt;img src=x onerror=alert(1)&gt;"


def test_deterministic_json(matrix, net, shares):
    nodes, edges = net
    builders = [
        lambda: heatmap(matrix, "H", "x", "y"),
        lambda: network_figure(nodes, edges, "N"),
        lambda: timeline(shares, "T"),
        lambda: ranked_bar(pd.Series({"b": 2, "a": 2, "c": 5}), "R", "articles", "source"),
    ]
    for build in builders:
        assert figure_json(build()) == figure_json(build())
    # The network layout does not depend on the row order of the tables.
    shuffled = network_figure(nodes.iloc[::-1].reset_index(drop=True), edges.iloc[[2, 0, 3, 1]].reset_index(drop=True), "N")
    assert figure_json(shuffled) == figure_json(network_figure(nodes, edges, "N"))


def test_network_figure(net):
    nodes, edges = net
    fig = network_figure(nodes, edges, "Co-occurrence")
    _common(fig, axes=False)
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False  # a layout has no meaningful axes
    node_traces = [t for t in fig.data if t.mode == "markers+text"]
    assert [t.name for t in node_traces] == ["country", "organization", "person"]
    colours = [t.marker.color for t in node_traces]
    assert colours == palette()["categorical"][:3]
    countries = node_traces[0]
    assert any("mentions: 3" in h and "degree: 3" in h for h in countries.hovertext)
    person = node_traces[2]
    assert "Paul &lt;b&gt;Kagame&lt;/b&gt;" in person.hovertext[0]
    edge_info = next(t for t in fig.data if t.name == "edge info")
    assert len(edge_info.hovertext) == 4 and "count: 2" in edge_info.hovertext[0]
    pos = network_layout(nodes, edges, seed=0)
    assert set(pos) == set(nodes["entity_id"])
    assert all(round(v, 6) == v for xy in pos.values() for v in xy)
    assert network_layout(nodes, edges, seed=0) == pos
    # Edge widths come in classes: the strongest edge sits alone in the widest class.
    widths = {t.name: t.line.width for t in fig.data if t.mode == "lines"}
    assert widths == {"edges 2": 1.5, "edges 3": 3.0}
    empty = network_figure(nodes.iloc[:0], edges.iloc[:0], "Empty")
    assert len(empty.data) == 0 and empty.layout.title.text == "Empty"


def test_timeline(shares):
    fig = timeline(shares, "Sector shares", labels={"trade": "Trade"}, top=8)
    _common(fig)
    assert len(fig.data) == len(SECTOR_IDS)
    names = [t.name for t in fig.data]
    assert names[SECTOR_IDS.index("trade")] == "Trade" and names[0] == SECTOR_IDS[0]
    visible = [t.name for t in fig.data if t.visible is True]
    assert visible == [{"trade": "Trade"}.get(x, x) for x in SECTOR_IDS[:8]]  # the eight with most articles; others one click away
    assert all(t.visible == "legendonly" for t in fig.data[8:])
    assert fig.data[0].customdata.tolist() == [18, 18]
    assert "articles: %{customdata}" in fig.data[0].hovertemplate and "%{y:.1%}" in fig.data[0].hovertemplate
    assert fig.layout.yaxis.tickformat == ".0%"
    # Colours repeat after eight traces, with another dash.
    assert fig.data[0].line.color == fig.data[8].line.color and fig.data[0].line.dash != fig.data[8].line.dash
    assert {t.line.color for t in fig.data} <= OKABE_ITO


def test_ranked_bar_series_and_frame():
    fig = ranked_bar(pd.Series({"b": 2, "a": 2, "c": 5, "d": 1}), "Sources", "articles", "source", top=3)
    _common(fig)
    bar = fig.data[0]
    assert list(bar.y) == ["c", "a", "b"] and list(bar.x) == [5, 2, 2]  # ties alphabetical, top 3
    assert bar.orientation == "h" and fig.layout.yaxis.autorange == "reversed"
    assert list(fig.layout.yaxis.categoryarray) == ["c", "a", "b"]
    assert "%{x}" in bar.hovertemplate
    df = pd.DataFrame({"country": ["RWA", "BEN", "KEN"], "en": [1, 4, 0], "fr": [5, 0, 1]})
    fig2 = ranked_bar(df, "By language", "articles", "country")
    assert [t.name for t in fig2.data] == ["en", "fr"]
    assert list(fig2.data[0].y) == ["RWA", "BEN", "KEN"]  # by total 6, 4, 1
    assert fig2.layout.barmode == "stack" and fig2.layout.showlegend
    assert [t.marker.color for t in fig2.data] == palette()["categorical"][:2]
    with pytest.raises(ValueError):
        ranked_bar(pd.DataFrame({"a": ["x"], "b": ["y"]}), "t", "x", "y")


def test_with_dropdown(matrix, net):
    variants = {
        "Mentions": heatmap(matrix, "A", "sector", "month"),
        "Articles": heatmap((matrix > 0).astype(int), "B", "sector", "month (articles)"),
        "Top": ranked_bar(pd.Series({"x": 1, "y": 3}), "C", "articles", "source"),
    }
    fig = with_dropdown(variants, "Sectors")
    assert len(fig.data) == 3
    assert [t.visible for t in fig.data] == [True, False, False]
    menu = fig.layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == ["Mentions", "Articles", "Top"]
    assert [b.args[0]["visible"] for b in menu.buttons] == [[True, False, False], [False, True, False], [False, False, True]]
    assert menu.buttons[1].args[1]["yaxis.title.text"] == "month (articles)"
    assert list(menu.buttons[2].args[1]["yaxis.categoryarray"]) == ["y", "x"]
    assert menu.buttons[0].args[1]["title.text"] == "Sectors — Mentions"
    assert len({t.uid for t in fig.data}) == 3
    assert figure_json(fig) == figure_json(with_dropdown(variants, "Sectors"))
    json.loads(figure_json(fig))  # valid JSON for the HTML export
    with pytest.raises(ValueError):
        with_dropdown({}, "x")


def test_dropdown_keeps_legendonly_choices(shares):
    fig = with_dropdown({"a": timeline(shares, "t", top=2), "b": timeline(shares, "t", top=1)}, "Shares")
    n = len(SECTOR_IDS)
    assert [t.visible for t in fig.data[:3]] == [True, True, "legendonly"]
    assert all(t.visible is False for t in fig.data[n:])
    second = fig.layout.updatemenus[0].buttons[1].args[0]["visible"]
    assert second[:n] == [False] * n and second[n : n + 2] == [True, "legendonly"]
