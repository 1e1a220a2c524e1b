"""Notebook set-up: one call at the top of every notebook.

Notebooks are regression-tested with nbval and exported to offline HTML, so their outputs
must be the same on every run and must not depend on a CDN:

* plotly figures are emitted as ``application/vnd.plotly.v1+json`` only (JupyterLab draws
  it with the bundled jupyterlab-plotly extension; :mod:`diplokit.report` turns it into an
  inline ``Plotly.newPlot`` with plotly.js embedded), never as HTML that loads plotly.js
  from the web;
* pandas tables are shown at a fixed size;
* diplokit's load warnings are shown as one plain line ("DiplokitLoadWarning: ..."),
  without the temporary file name of the cell that raised them (which changes per run);
* widgets get model ids numbered in creation order ("diplokit-widget-000001") instead of
  random UUIDs, so a saved widget output is the same on every run (ids only need to be
  unique within one kernel, which the counter guarantees).
"""
from __future__ import annotations

import itertools
import warnings

import pandas as pd
import plotly.io as pio

from .loader import DiplokitLoadWarning

__all__ = ["setup"]


def setup(max_rows: int = 12, max_colwidth: int = 90) -> None:
    """Deterministic, offline-friendly notebook display settings."""
    pio.renderers.default = "plotly_mimetype"
    pd.set_option("display.max_rows", max_rows)
    pd.set_option("display.min_rows", max_rows)
    pd.set_option("display.max_columns", 12)
    pd.set_option("display.max_colwidth", max_colwidth)
    pd.set_option("display.width", 120)
    _plain_diplokit_warnings()
    _numbered_widget_ids()


def _numbered_widget_ids() -> None:
    try:
        from ipywidgets import Widget
    except ImportError:  # widgets are optional for plain display settings
        return
    if getattr(Widget.__init__, "_diplokit", False):
        return
    original = Widget.__init__
    counter = itertools.count(1)

    def init(self, **kwargs):
        # A widget opened from the front end brings its comm (and id): leave it alone.
        if "comm" not in kwargs:
            kwargs.setdefault("model_id", f"diplokit-widget-{next(counter):06d}")
        original(self, **kwargs)

    init._diplokit = True
    Widget.__init__ = init


def _plain_diplokit_warnings() -> None:
    original = warnings.showwarning
    if getattr(original, "_diplokit", False):
        return

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, DiplokitLoadWarning):
            import sys

            print(f"{category.__name__}: {message}", file=sys.stderr if file is None else file)
        else:
            original(message, category, filename, lineno, file, line)

    show._diplokit = True
    warnings.showwarning = show
