"""The interactive explorers: filters change the one FigureWidget in place, clicks and
select() fill an escaped evidence panel, static figures are deterministic and work
without a kernel, and bad filter values fail clearly.

Small corpora are built with ``load_corpus(DataFrame)`` + ``annotate`` (the lexicons may
change: tests pick sectors, pairs and event types from what was annotated rather than
assuming counts)."""
from __future__ import annotations

import html
import re
import warnings

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import diplokit
from diplokit.explorers import CooccurrenceExplorer, FilterError, SectorExplorer, ThemeExplorer
from diplokit.filters import ArticleIndex

HOSTILE = "Rwanda and Benin agreed on trade <script>alert(1)</script> and security <img src=x onerror=alert(1)> in Kigali."

STORIES = [
    ("2023-11-05", "en", "Wire", "Rwanda and Benin sign trade pact",
     "Rwanda and Benin signed a trade agreement in Kigali. President Paul Kagame discussed energy and security with Benin. "
     "The ministers held bilateral talks on trade."),
    ("2024-01-12", "en", "Daily", "Kenya and Rwanda talk security",
     "Kenya and Rwanda held bilateral talks on security. Troops from Rwanda will train in Kenya. Kenya discussed trade with Rwanda."),
    ("2024-02-20", "fr", "Le Journal", "Le Rwanda et la France",
     "Le Rwanda et la France ont signé un accord de commerce. La sécurité régionale a été discutée à Kigali."),
    ("2024-03-03", "en", "Wire", "Energy deal for Kenya and France",
     "France and Kenya discussed energy cooperation. France will finance energy projects in Kenya. Benin attended the trade summit."),
    ("2024-03-28", "en", "Daily", "Benin and Kenya trade",
     "Benin and Kenya agreed to expand trade. Rwanda and Benin discussed security. A working visit by Kenya to Benin followed."),
    ("2024-05-15", "en", "Wire", "Hostile <script>alert('t')</script> story", HOSTILE + " France and Kenya discussed energy."),
    ("2024-06-01", "fr", "Le Journal", "Sécurité au Kenya",
     "Le Kenya et la France ont discuté de sécurité. Le Rwanda a parlé de commerce avec le Bénin."),
    ("2025-01-09", "en", "Daily", "Rwanda Kenya energy",
     "Rwanda and Kenya discussed energy and trade. President Paul Kagame met Kenya officials for bilateral talks."),
]


def _frame(stories=STORIES) -> pd.DataFrame:
    return pd.DataFrame({
        "date": [s[0] for s in stories], "lang": [s[1] for s in stories], "source": [s[2] for s in stories],
        "title": [s[3] for s in stories], "text": [s[4] for s in stories],
    })


@pytest.fixture(scope="module")
def small():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = diplokit.load_corpus(_frame())
    ann = diplokit.annotate(corpus)
    assert len(corpus.articles) == len(STORIES)
    return corpus, ann, ArticleIndex.build(corpus, ann)


def _classes(widget) -> set[str]:
    out = set(getattr(widget, "_dom_classes", ()))
    for child in getattr(widget, "children", ()) or ():
        out |= _classes(child)
    return out


def _top_sector(ann) -> str:
    return ann.sectors["sector"].value_counts().sort_index().sort_values(ascending=False, kind="stable").index[0]


def _a_country_subset(index) -> str:
    """A country some but not all articles mention."""
    counts = np.asarray(index.country_csc.sum(axis=0)).ravel()
    ok = [c for c, k in zip(index.country_ids, counts) if 0 < k < index.n]
    assert ok, "the small corpus should mention countries"
    return sorted(ok)[0]


def _trace_values(fig) -> str:
    return go.Figure(fig).to_json()


# --------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, css", [(SectorExplorer, "dk-sector-explorer"), (CooccurrenceExplorer, "dk-cooccurrence-explorer"),
                                      (ThemeExplorer, "dk-theme-explorer")])
def test_widget_tree_has_stable_classes(small, cls, css):
    corpus, ann, index = small
    e = cls(corpus, ann, index=index)
    classes = _classes(e.widget) | set(e.figure._dom_classes)
    for c in (css, "dk-explorer", "dk-filter-bar", "dk-filter-date", "dk-filter-lang", "dk-filter-source", "dk-filter-country",
              "dk-filter-sector", "dk-filter-reset", "dk-view", "dk-figure", "dk-evidence", "dk-status"):
        assert c in classes, c
    assert isinstance(e.figure, go.FigureWidget) and e.figure in e.widget.children
    assert isinstance(e.update(), float)
    # Trace uids are deterministic (a FigureWidget's repr would otherwise carry random ones).
    assert [t.uid for t in e.figure.data] == [f"{e.kind}-{i}" for i in range(len(e.figure.data))]


def test_cooccurrence_controls(small):
    corpus, ann, index = small
    classes = _classes(CooccurrenceExplorer(corpus, ann, index=index).widget)
    assert {"dk-measure", "dk-window", "dk-entity-type", "dk-min-count", "dk-top"} <= classes
    assert "dk-measure" in _classes(SectorExplorer(corpus, ann, index=index).widget)


def test_repr_is_stable_and_used_as_plain_text(small):
    corpus, ann, index = small
    for cls in (SectorExplorer, CooccurrenceExplorer, ThemeExplorer):
        a, b = cls(corpus, ann, index=index), cls(corpus, ann, index=index)
        assert repr(a) == repr(b)
        assert not re.search(r"0x[0-9a-f]+|[0-9a-f]{8}-[0-9a-f]{4}", repr(a))
        bundle = a._repr_mimebundle_()
        assert bundle["text/plain"] == repr(a)
        assert "application/vnd.jupyter.widget-view+json" in bundle


def test_same_inputs_give_identical_figures(small):
    corpus, ann, index = small
    for cls in (SectorExplorer, CooccurrenceExplorer, ThemeExplorer):
        a, b = cls(corpus, ann, index=index), cls(corpus, ann, index=ArticleIndex.build(corpus, ann))
        assert _trace_values(a.figure) == _trace_values(b.figure)
        c = a.set_filters(langs=["en"]), b.set_filters(langs=["en"])
        assert _trace_values(a.figure) == _trace_values(b.figure)


# --------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------
def test_sector_filter_change_updates_the_same_figure_in_place(small):
    corpus, ann, index = small
    e = SectorExplorer(corpus, ann, index=index)
    fig, heat = e.figure, e.figure.data[0]
    before = (np.array(heat.z).tolist(), tuple(heat.y))
    ms = e.set_filters(langs=["fr"])
    assert isinstance(ms, float) and ms >= 0
    assert e.figure is fig and e.figure.data[0] is heat
    assert (np.array(heat.z).tolist(), tuple(heat.y)) != before
    assert e.filters.langs == ("fr",) and e.filter_widgets["langs"].value == ("fr",)
    assert int(e.mask.sum()) == int((corpus.articles["lang"] == "fr").sum())
    # Timeline and ranked views live in the same figure.
    for view in ("timeline", "ranked"):
        e.set_view(view)
        assert e.figure is fig
    before = list(e.figure.data[-1].x)
    e.reset_filters()
    assert list(e.figure.data[-1].x) != before and e.filters.is_empty


def test_date_slider_and_multiselect_drive_the_filters(small):
    corpus, ann, index = small
    e = SectorExplorer(corpus, ann, index=index, view="ranked")
    before = list(e.figure.data[-1].x)
    months = list(e.date_slider.options)
    assert months == sorted(months) and months[0] == "2023-11" and months[-1] == "2025-01"
    e.date_slider.index = (0, months.index("2024-02"))  # as if the slider were dragged
    assert e.filters.date_from == "2023-11" and e.filters.date_to == "2024-02"
    assert int(e.mask.sum()) == 3 and list(e.figure.data[-1].x) != before
    country = _a_country_subset(index)
    e.filter_widgets["countries"].value = (country,)
    assert e.filters.countries == (country,)
    e.date_slider.index = (0, len(months) - 1)  # the whole range = no date filter
    assert e.filters.date_from is None and e.filters.date_to is None
    e.set_filters(date_from="2024-03")
    assert e.date_slider.value[0] == "2024-03"


@pytest.mark.parametrize("cls", [CooccurrenceExplorer, ThemeExplorer])
def test_other_explorers_update_in_place(small, cls):
    corpus, ann, index = small
    e = cls(corpus, ann, index=index)
    fig, first = e.figure, e.figure.data[0]
    before = _trace_values(fig)
    e.set_filters(date_from="2024-03", date_to="2024-06")
    assert e.figure is fig and e.figure.data[0] is first
    assert _trace_values(fig) != before


def test_unknown_filter_values_raise_clear_errors(small):
    corpus, ann, index = small
    e = SectorExplorer(corpus, ann, index=index)
    with pytest.raises(ValueError, match="unknown country"):
        e.set_filters(countries=["XXX"])
    with pytest.raises(ValueError, match="unknown lang"):
        e.set_filters(lang="zz")
    with pytest.raises(ValueError, match="unknown sector"):
        e.set_filters(sectors=["not_a_sector"])
    with pytest.raises(ValueError, match="unknown source"):
        e.set_filters(sources=["Nobody"])
    with pytest.raises(ValueError, match="unknown filter"):
        e.set_filters(colour="red")
    with pytest.raises(ValueError, match="date"):
        e.set_filters(date_from="not a date")
    with pytest.raises(FilterError):
        e.set_filters(countries=["XXX"])
    assert e.filters.is_empty  # nothing applied after an error
    with pytest.raises(ValueError):
        SectorExplorer(corpus, ann, index=index, view="pie")
    with pytest.raises(ValueError):
        CooccurrenceExplorer(corpus, ann, index=index, measure="pmi")
    with pytest.raises(ValueError, match="unknown sector"):
        e.select("not_a_sector")


@pytest.mark.parametrize("cls", [SectorExplorer, CooccurrenceExplorer, ThemeExplorer])
def test_empty_filter_result_explains_itself(small, cls):
    corpus, ann, index = small
    e = cls(corpus, ann, index=index)
    e.set_filters(date_from="2030")
    assert int(e.mask.sum()) == 0
    notes = [a.text for a in e.figure.layout.annotations]
    assert any("No articles match" in t for t in notes)
    assert "0 of" in e.status.value and "No articles match" in e.evidence_panel.value
    e.reset_filters()
    assert not e.figure.layout.annotations


# --------------------------------------------------------------------------------------
# Selection and evidence
# --------------------------------------------------------------------------------------
def test_sector_select_fills_evidence_with_cue_sentences(small):
    corpus, ann, index = small
    e = SectorExplorer(corpus, ann, index=index)
    sector = _top_sector(ann)
    surfaces = {s.lower() for s in ann.sectors.loc[ann.sectors["sector"] == sector, "surface"]}
    ev = e.select(sector)
    assert len(ev) > 0 and ev is e.evidence and e.evidence_total == len(ev)
    for sentence, spans in zip(ev["sentence"], ev["spans"]):
        assert spans, "every evidence sentence highlights its cue"
        assert any(sentence[a:b].lower() in surfaces for a, b in spans)
    assert "<mark>" in e.evidence_panel.value and html.escape(e.sector_labels[sector]) in e.evidence_panel.value
    assert list(ev["date"]) == sorted(ev["date"], reverse=True)  # newest first
    # Narrowed to a country: only articles mentioning it.
    country = ann.mentions.loc[ann.mentions["entity_type"] == "country", "entity_id"].value_counts().index[0]
    ev_c = e.select(sector, country=country)
    arts = set(index.ids(index.key_mask("country", country)))
    assert set(ev_c["article_id"]) <= arts and len(ev_c) <= len(ev)
    # The evidence follows the filters.
    e.set_filters(langs=["en"])
    assert set(e.evidence["article_id"]) <= set(corpus.articles.loc[corpus.articles["lang"] == "en", "article_id"])
    assert e.selection == (sector, country, None)


def test_evidence_is_capped_and_counted(small):
    corpus, ann, index = small
    e = SectorExplorer(corpus, ann, index=index, max_evidence=2)
    sector = _top_sector(ann)
    total = int(ann.sectors.loc[ann.sectors["sector"] == sector, ["article_id", "sentence_id"]].drop_duplicates().shape[0])
    ev = e.select(sector)
    assert len(ev) == min(2, total) and e.evidence_total == total
    if total > 2:
        assert f"showing 2 of {total} sentences" in e.evidence_panel.value


def test_heatmap_click_selects_a_cell(small):
    from plotly.callbacks import InputDeviceState, Points

    corpus, ann, index = small
    e = SectorExplorer(corpus, ann, index=index)
    heat = e.figure.data[0]
    z = np.array(heat.z)
    i, j = np.argwhere(z > 0)[0]
    heat._dispatch_on_click(Points(point_inds=[[int(i), int(j)]], xs=[heat.x[j]], ys=[heat.y[i]], trace_name=heat.name, trace_index=0),
                            InputDeviceState(ctrl=False, alt=False, shift=False, meta=False, button=0, buttons=0))
    assert e.selection is not None and e.selection[1] is not None
    assert len(e.evidence) > 0 and "<mark>" in e.evidence_panel.value


def test_pair_select_shows_sentences_with_both_actors(small):
    corpus, ann, index = small
    e = CooccurrenceExplorer(corpus, ann, index=index, window="sentence")
    ids = e._actors
    assert len(ids) >= 2
    z = np.array(e.figure.data[0].z, dtype=float)
    i, j = np.argwhere(np.nan_to_num(z) > 0)[0]
    a, b = ids[i], ids[j]
    ev = e.select(a, b)
    assert len(ev) > 0
    m = ann.mentions
    for aid, sid in zip(ev["article_id"], ev["sentence_id"]):
        here = set(m.loc[(m["article_id"] == aid) & (m["sentence_id"] == sid), "entity_id"])
        assert {a, b} <= here
    assert all(len(s) >= 2 for s in ev["spans"])
    assert e.selection == tuple(sorted((a, b)))
    # Article window: one actor's first sentence per shared article at least.
    e.set_options(window="article")
    assert len(e.evidence) >= 1
    # One actor (a network node).
    e.set_options(view="network")
    assert e.figure.data[2].visible and not e.figure.data[0].visible
    assert len(e.select(a)) > 0
    with pytest.raises(ValueError, match="unknown actor"):
        e.select("nobody_at_all")


def test_cooccurrence_measures_and_options(small):
    corpus, ann, index = small
    e = CooccurrenceExplorer(corpus, ann, index=index)
    z_count = np.array(e.figure.data[0].z, dtype=float)
    e.set_options(measure="jaccard")
    z_jac = np.array(e.figure.data[0].z, dtype=float)
    assert np.nanmax(z_jac) <= 1.0 and not np.array_equal(np.nan_to_num(z_count), np.nan_to_num(z_jac))
    e.set_options(measure="npmi")
    assert np.nanmax(np.array(e.figure.data[0].z, dtype=float)) <= 1.0
    e.set_options(entity_types="country", measure="count")
    assert set(e._ent_types[[e._ent_pos[x] for x in e._actors]]) == {"country"}
    e.set_options(min_count=10_000)
    assert np.isnan(np.array(e.figure.data[0].z, dtype=float)).all()
    with pytest.raises(ValueError):
        e.set_options(entity_types="planet")


def test_hostile_story_is_escaped_everywhere(small):
    corpus, ann, index = small
    e = SectorExplorer(corpus, ann, index=index, max_evidence=50)
    hostile_id = corpus.articles.loc[corpus.articles["text"].str.contains("<script>", regex=False), "article_id"].iloc[0]
    hit = ann.sectors[ann.sectors["article_id"] == hostile_id]
    assert len(hit), "the hostile story has sector cues"
    e.set_filters(date_from="2024-05", date_to="2024-05")
    e.select(hit["sector"].iloc[0])
    panel = e.evidence_panel.value
    assert hostile_id in set(e.evidence["article_id"])
    assert "<script" not in panel.lower() and "<img" not in panel.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in panel
    assert "&lt;img src=x onerror=alert(1)&gt;" in panel
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in panel  # the title too
    # The pair explorer and the static figures' hover text as well.
    co = CooccurrenceExplorer(corpus, ann, index=index, window="sentence")
    co.set_filters(date_from="2024-05", date_to="2024-05")
    m = ann.mentions[(ann.mentions["article_id"] == hostile_id) & (ann.mentions["sentence_id"] == 0)]
    pair = sorted(set(m["entity_id"]))[:2]
    co.select(*pair)
    assert "<script" not in co.evidence_panel.value.lower() and "&lt;script&gt;" in co.evidence_panel.value
    for ex in (e, co, ThemeExplorer(corpus, ann, index=index)):
        js = ex.static_figure().to_json()
        assert "<script" not in js.lower() and "<img" not in js.lower()


def test_theme_explorer_events_and_discovered_themes(small):
    corpus, ann, index = small
    e = ThemeExplorer(corpus, ann, index=index)
    heat = e.figure.data[0]
    assert list(heat.y) == [html.escape(e.event_labels[x], quote=False) for x in index.event_ids]  # plotly text is HTML
    if len(ann.events):
        event = ann.events["event_type"].value_counts().sort_index().idxmax()
        ev = e.select(event)
        assert len(ev) > 0 and e.evidence_total >= len(ev)
        keys = set(zip(ann.events.loc[ann.events["event_type"] == event, "article_id"], ann.events.loc[ann.events["event_type"] == event, "sentence_id"]))
        assert set(zip(ev["article_id"], ev["sentence_id"])) <= keys
        month = pd.Timestamp(ev["date"].dropna().iloc[0]).strftime("%Y-%m")
        ev_m = e.select(event, month=month)
        assert all(pd.Timestamp(d).strftime("%Y-%m") == month for d in ev_m["date"])
        e.set_view("events_dyad")
        assert e.figure is heat.figure or e.figure.data[0] is heat
    e.set_view("themes")
    bar = e.figure.data[1]
    assert bar.visible and not e.figure.data[0].visible and len(bar.y) >= 2
    labels = list(bar.y)
    again = ThemeExplorer(corpus, ann, index=index, view="themes")
    assert list(again.figure.data[1].y) == labels  # fixed seed: same themes
    ev = e.select(theme=0)
    assert len(ev) > 0 and "note" in ev.columns
    assert "article" in e.evidence_panel.value
    with pytest.raises(ValueError):
        e.select(theme=99)
    with pytest.raises(ValueError, match="unknown event type"):
        e.select("not_an_event")


# --------------------------------------------------------------------------------------
# Kernel-free figures
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [SectorExplorer, CooccurrenceExplorer, ThemeExplorer])
def test_static_figure_has_menus_and_is_deterministic(small, cls):
    corpus, ann, index = small
    fig = cls(corpus, ann, index=index).static_figure()
    assert type(fig) is go.Figure
    assert fig.layout.updatemenus and len(fig.layout.updatemenus[0].buttons) >= 2
    again = cls(corpus, ann, index=ArticleIndex.build(corpus, ann)).static_figure()
    assert fig.to_json() == again.to_json()
    hover = [t.hovertemplate for t in fig.data if t.hovertemplate]
    assert any("customdata" in h for h in hover)
    examples = [c for t in fig.data if t.customdata is not None for row in t.customdata for c in row if c]
    assert any("e.g." in c or len(c) > 0 for c in examples)
    assert all(len(re.sub("<br>", "", c)) < 400 for c in examples)  # truncated


# --------------------------------------------------------------------------------------
# The bundled corpus
# --------------------------------------------------------------------------------------
def test_smoke_bundled_corpus():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = diplokit.load_corpus()
    ann = diplokit.annotate(corpus)
    index = ArticleIndex.build(corpus, ann)
    sec = SectorExplorer(corpus, ann, index=index)
    co = CooccurrenceExplorer(corpus, ann, index=index)
    th = ThemeExplorer(corpus, ann, index=index)
    for e in (sec, co, th):
        assert e.update() >= 0
        assert e.static_figure().layout.updatemenus
        assert repr(e).startswith(f"<{type(e).__name__}: {len(corpus.articles)} of {len(corpus.articles)} articles")
    if len(ann.sectors):
        assert len(sec.select(_top_sector(ann))) > 0
    if len(co._actors) >= 2:
        co.select(co._actors[0], co._actors[1])
        assert "<script" not in co.evidence_panel.value.lower()
    lang = corpus.articles["lang"].dropna().iloc[0]
    sec.set_filters(langs=[lang])
    assert 0 < int(sec.mask.sum()) <= len(corpus.articles)


def test_countries_reached_only_through_people_get_their_names():
    # Switzerland is never named, only reached through a Swiss organisation's country.
    from diplokit.explorers import SectorExplorer
    from diplokit.lexicon import default_lexicon

    lex = default_lexicon().add_organization("Zorblax Health Institute", type="ngo", country="CHE")
    corpus = diplokit.load_corpus(pd.DataFrame({"text": ["Rwanda and the Zorblax Health Institute discussed health and trade cooperation."]}))
    ann = diplokit.annotate(corpus, lexicon=lex)
    assert "CHE" in set(ann.mentions["country"])
    ex = SectorExplorer(corpus, ann)
    labels = [str(v) for v in ex.figure.data[0].y]
    assert "Switzerland" in labels and "CHE" not in labels
