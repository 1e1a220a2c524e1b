"""The committed notebooks: the promised set, executed, small, thin, and free of saved
widget state (nbval itself re-runs them and compares outputs; see the Makefile)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = ["00_tour", "01_corpus_and_cleaning", "02_sector_mentions", "03_actor_cooccurrence", "04_cooperation_themes", "05_bring_your_own_articles"]


def test_the_promised_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_executed_small_and_thin(path):
    assert path.stat().st_size < 1_500_000, "keep committed notebooks small (no widget state, no embedded plotly.js)"
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in nb.get("metadata", {}), "widget state must not be saved"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    md = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert code and md and len(md) >= 4, "a notebook tells a story in markdown"
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), "committed with outputs, run top to bottom"
    for c in code:
        src = "".join(c["source"])
        assert len(src.strip().splitlines()) <= 12, f"logic longer than a few lines belongs in diplokit:\n{src}"
        assert not any(o.get("output_type") == "error" for o in c["outputs"])
        for o in c["outputs"]:
            assert o.get("name") != "stderr" or "Traceback" not in "".join(o.get("text", ""))
    text = "".join("".join(c["source"]) for c in md)
    assert "FINDINGS" not in text and "TODO" not in text
    # Nothing that changes from run to run: no execution timestamps, no random widget ids.
    assert all("execution" not in c.get("metadata", {}) for c in code)
    for c in code:
        for o in c["outputs"]:
            view = o.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view:
                assert view["model_id"].startswith("diplokit-widget-"), view


def test_widget_ids_are_numbered_in_creation_order():
    ipywidgets = pytest.importorskip("ipywidgets")
    from diplokit.notebook import setup

    setup()
    setup()  # idempotent: one counter
    a, b = ipywidgets.Label("a"), ipywidgets.Label("b")
    na, nb_ = int(a.model_id.rsplit("-", 1)[1]), int(b.model_id.rsplit("-", 1)[1])
    assert a.model_id.startswith("diplokit-widget-") and nb_ > na  # (a Label also makes its layout and style widgets)
