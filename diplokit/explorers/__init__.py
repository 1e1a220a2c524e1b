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

from .base import FilterError
from .cooccurrence import CooccurrenceExplorer
from .sector import SectorExplorer
from .theme import ThemeExplorer

__all__ = ["SectorExplorer", "CooccurrenceExplorer", "ThemeExplorer", "FilterError"]
