"""Browser tests in Debian's headless Chromium (Python Playwright), with no network.

(a) Exported reports: the fixture notebook and every notebook in notebooks/ (whatever is
    there at collection time) rendered by diplokit.report and opened via file://; every
    request that is not file:/data:/blob: is aborted and recorded and must not happen;
    plots must draw; no dialog may open; screenshots go to test-artifacts/.
(b) JupyterLab (one server for the module, on 127.0.0.1; every request must stay there):
    - tests/fixtures/lab_fixture.ipynb (dropdown -> FigureWidget bar chart + HTML evidence
      panel): changing the dropdown must change the bars in place and the evidence text.
    - tests/fixtures/explorer_fixture.ipynb (the real SectorExplorer and
      CooccurrenceExplorer on the bundled corpus, run once for two tests): clicking a
      language in the filter bar changes the sector heatmap in place (same DOM node) and
      re-filters the selected evidence; clicking a heatmap cell selects that sector and
      country (checked in the panel and in the kernel); choosing npmi as the measure
      redraws the co-occurrence heatmap in place.
    - tests/fixtures/hostile_fixture.ipynb: a story with <script> and <img onerror> in
      its title and text, selected in both explorers, is shown as text; no dialog, no
      <img>, no script, no request for the image.

Helpers are in tests/browser_util.py (documented there, reusable for the explorers in
notebooks/). Without /usr/bin/chromium these skip, except under $CI where they fail.
"""
from __future__ import annotations

import html
import json
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from browser_util import (
    FIXTURES,
    ROOT,
    NetworkGuard,
    chromium_context,
    click_heatmap_cell,
    has_mark,
    heatmap_data,
    kernel_json,
    lab_server,
    mark_node,
    plot_values,
    record_dialogs,
    record_page_errors,
    require_chromium,
    run_notebook_in_lab,
    screenshot,
    select_dropdown,
    select_multiple_option,
    text_of,
    wait_for_plot,
    wait_for_heatmap_change,
    wait_for_plot_change,
    wait_for_text_change,
    wait_for_widget,
)

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
EVIL = "</script><script>alert(1)</script>"
REPORT_FIXTURE = FIXTURES / "report_fixture.ipynb"
EXPLORER_NB = "explorer_fixture.ipynb"
HOSTILE_NB = "hostile_fixture.ipynb"
LAB_NOTEBOOKS = ("lab_fixture.ipynb", EXPLORER_NB, HOSTILE_NB)
SECTOR = ".dk-sector-explorer"
COOC = ".dk-cooccurrence-explorer"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REPORT_CASES = [pytest.param(REPORT_FIXTURE, id="fixture-report_fixture")] + [
    pytest.param(nb, id=f"notebooks-{nb.stem}") for nb in NOTEBOOKS
]


@pytest.fixture(scope="module")
def playwright():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def context(playwright):
    """A fresh Chromium profile per test."""
    with chromium_context(playwright) as ctx:
        yield ctx


@pytest.fixture(scope="module")
def lab(playwright, tmp_path_factory):
    """One JupyterLab for the module, serving copies of the Lab fixture notebooks (each
    test opens its notebook in a fresh page; the copies are never written back)."""
    root = tmp_path_factory.mktemp("lab-root")
    for name in LAB_NOTEBOOKS:
        shutil.copy(FIXTURES / name, root)
    with lab_server(root, timeout=60) as server:
        yield server


@contextmanager
def _lab_log_on_failure(lab):
    try:
        yield
    except BaseException:
        print("JupyterLab log tail:\n" + lab.log_tail(60))
        raise


@pytest.fixture(scope="module")
def explorer_lab(playwright, lab):
    """explorer_fixture.ipynb run once in JupyterLab (loading and annotating the bundled
    corpus is the slow part); the sector and co-occurrence tests each drive their own
    explorer on this page. Network guard and dialog recorder cover the whole run."""
    with chromium_context(playwright) as ctx:
        guard = NetworkGuard(ctx, allowed_origins=[lab.base_url])
        dialogs = record_dialogs(ctx)
        with _lab_log_on_failure(lab):
            page = run_notebook_in_lab(ctx, lab, EXPLORER_NB, timeout=120)
            errors = record_page_errors(page)
            for explorer in (SECTOR, COOC):
                wait_for_widget(page, f"{explorer} .dk-filter-lang select", timeout=60)
                wait_for_plot(page, f"{explorer} .dk-figure", timeout=60)
            # cells 2 and 4 selected evidence after the explorers were displayed
            page.wait_for_function(
                "([a, b]) => [a, b].every(s => { const el = document.querySelector(s); return el && el.querySelector('.dk-evidence-head'); })",
                arg=[f"{SECTOR} .dk-evidence-panel", f"{COOC} .dk-evidence-panel"],
                timeout=30_000,
            )
        yield SimpleNamespace(lab=lab, page=page, guard=guard, dialogs=dialogs, errors=errors)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[Path, Path]:
    """notebook path -> rendered HTML (fixture and notebooks/ rendered separately, so a
    real notebook named like the fixture cannot clash)."""
    from diplokit.report import render_reports

    pages: dict[Path, Path] = {}
    fixture_src = tmp_path_factory.mktemp("fixture-notebooks")
    shutil.copy(REPORT_FIXTURE, fixture_src)
    sources = [(fixture_src, [REPORT_FIXTURE])]
    if NOTEBOOKS:
        sources.append((ROOT / "notebooks", NOTEBOOKS))
    for src, notebooks in sources:
        out = tmp_path_factory.mktemp("reports")
        written = render_reports(src, out)
        for nb in notebooks:
            page = out / f"{nb.stem}.html"
            assert page in written
            pages[nb] = page
    return pages


def _outputs(nb_path: Path) -> list[dict]:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return [o.get("data", {}) for c in nb["cells"] if c.get("cell_type") == "code" for o in c.get("outputs", [])]


def _figures(nb_path: Path) -> int:
    return sum(PLOTLY_MIME in data for data in _outputs(nb_path))


def _expected_scripts(nb_path: Path) -> int:
    """Script elements the page should have: PlotlyConfig + plotly.js + one per figure,
    plus what the notebook's own outputs carry (application/javascript outputs, <script>
    in text/html outputs). Any other script element (a breakout from figure JSON or an
    escaped story) makes the count differ."""
    figures = _figures(nb_path)
    n = 2 + figures if figures else 0
    for data in _outputs(nb_path):
        if PLOTLY_MIME in data or WIDGET_VIEW_MIME in data:
            continue
        if "application/javascript" in data:
            n += 1
        elif "text/html" in data:
            text = data["text/html"]
            n += len(re.findall(r"<script\b", "".join(text) if isinstance(text, list) else text, re.I))
    return n


@pytest.mark.parametrize("notebook", REPORT_CASES)
def test_exported_report_offline(notebook, context, reports):
    html_path = reports[notebook]
    guard = NetworkGuard(context)
    page = context.new_page()
    dialogs = record_dialogs(page)
    errors = record_page_errors(page)
    page.goto(html_path.as_uri(), wait_until="load", timeout=60_000)

    figures = _figures(notebook)
    if figures:
        wait_for_plot(page, ".js-plotly-plot", timeout=30)
        page.wait_for_function(
            "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n && "
            "Array.from(document.querySelectorAll('.js-plotly-plot')).every(gd => gd._fullLayout)",
            arg=figures,
            timeout=30_000,
        )
    drawn = page.evaluate("() => document.querySelectorAll('.js-plotly-plot').length")
    scripts = page.evaluate("() => document.scripts.length")
    screenshot(page, f"report-{notebook.parent.name}-{notebook.stem}")

    assert guard.blocked == [], f"requests off the machine: {guard.blocked}"
    assert dialogs == [], f"dialogs opened: {dialogs}"
    assert errors == [], f"JavaScript errors: {errors}"
    assert drawn == figures
    assert scripts == _expected_scripts(notebook)
    assert page.locator("text=plotly.js did not load").count() == 0

    if notebook == REPORT_FIXTURE:
        assert scripts == 3
        gd = page.evaluate("() => { const d = document.querySelector('.js-plotly-plot').data[0]; return {h: d.hovertext, y: d.y}; }")
        assert gd == {"h": [EVIL, "energy <!-- <script>", "security & </SCRIPT >"], "y": [3, 5, 2]}
        assert page.locator(".js-plotly-plot .bars path").count() == 3
        # hover the bar whose hover text is the script-tag breakout: shown as text, no alert
        # (plotly's drag layer sits on top of the bars and takes the mouse: move it there)
        box = page.locator(".js-plotly-plot .bars path").first.bounding_box(timeout=10_000)
        page.mouse.move(box["x"] + box["width"] / 2 - 5, box["y"] + box["height"] / 2)
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
        label = page.locator(".js-plotly-plot .hoverlayer .hovertext").first
        label.wait_for(state="attached", timeout=10_000)
        assert "alert(1)" in label.text_content()
        assert dialogs == [] and page.evaluate("() => document.scripts.length") == scripts
        assert page.locator("p.evil-story").inner_text() == "Talks <script>alert(2)</script> end"
        note = page.locator(".diplokit-widget-note")
        assert note.count() == 1 and "open the notebook in JupyterLab" in note.inner_text()


def test_lab_dropdown_updates_figure_and_evidence(lab, context):
    """Run lab_fixture.ipynb in JupyterLab, change the dropdown, see the bars and the
    evidence panel change."""
    guard = NetworkGuard(context, allowed_origins=[lab.base_url])
    dialogs = record_dialogs(context)  # every page of the context, from the start
    with _lab_log_on_failure(lab):
        page = run_notebook_in_lab(context, lab, "lab_fixture.ipynb", timeout=60)
        wait_for_widget(page, ".lab-fixture-dropdown select", timeout=30)
        wait_for_plot(page, ".lab-fixture-figure", timeout=30)
        wait_for_widget(page, ".lab-fixture-evidence", timeout=30)
        before_y = plot_values(page, "y", plot_selector=".lab-fixture-figure")
        before_text = text_of(page, ".lab-fixture-evidence")
        assert before_y == [3, 5, 2]
        assert before_text.startswith("trade: 10 stories")
        screenshot(page, "lab-before", full_page=False, scroll_to=".lab-fixture-dropdown")

        select_dropdown(page, ".lab-fixture-dropdown", "energy")
        after_y = wait_for_plot_change(page, before_y, "y", plot_selector=".lab-fixture-figure", timeout=30)
        after_text = wait_for_text_change(page, ".lab-fixture-evidence", before_text, timeout=30)
        screenshot(page, "lab-after", full_page=False, scroll_to=".lab-fixture-dropdown")

        assert after_y == [1, 7, 4]
        assert after_text == "energy: 12 stories; top headline: Pipeline talks <resume> & stall"
        # in place: still one figure, and the bars drawn follow the data
        assert page.locator(".js-plotly-plot").count() == 1
        assert page.locator(".lab-fixture-figure .bars path").count() == 3
        assert dialogs == []
        assert guard.blocked == [], f"requests off the machine: {guard.blocked}"


def _cells(data: dict) -> list[tuple[int, int, float]]:
    """(column, row, value) of every non-empty heatmap cell, row by row from the top."""
    return [(xi, yi, v) for yi, row in enumerate(data["z"]) for xi, v in enumerate(row) if v is not None]


def test_lab_sector_explorer_filters_and_click(explorer_lab):
    """The real SectorExplorer in JupyterLab: a language chosen in the filter bar
    changes the heatmap in place and re-filters the selected evidence; clicking a cell
    selects that sector and country."""
    run = explorer_lab
    page, rel = run.page, EXPLORER_NB
    fig, panel = f"{SECTOR} .dk-figure", f"{SECTOR} .dk-evidence-panel"
    with _lab_log_on_failure(run.lab):
        assert page.locator(SECTOR).count() == 1
        before = heatmap_data(page, fig)
        before_text = text_of(page, panel)
        before_state = kernel_json(page, rel, '{"selection": ex.selection, "total": ex.evidence_total, "n": len(ex.mask)}')
        # as the notebook left it: cell 2 selected Security & defence in Rwanda, no filter
        assert before_state["selection"] == ["security_defence", "RWA", None]
        assert before_text.startswith("Security & defence × RWA — ")
        assert "Security & defence" in map(html.unescape, before["x"]) and "Rwanda" in before["y"]
        assert sum(v for *_, v in _cells(before)) > 0
        assert text_of(page, f"{SECTOR} .dk-status").startswith(f"{before_state['n']} of {before_state['n']} articles selected")
        mark = mark_node(page, fig)
        screenshot(page, "lab-sector-explorer-before", full_page=False, scroll_to=SECTOR)

        # 1. a user clicks "fr" in the language list of the filter bar
        select_multiple_option(page, f"{SECTOR} .dk-filter-lang", "fr")
        filtered = wait_for_heatmap_change(page, before, fig, timeout=30)
        filtered_text = wait_for_text_change(page, panel, before_text, timeout=30)
        state = kernel_json(page, rel, '{"langs": ex.filters.langs, "selection": ex.selection, "total": ex.evidence_total, '
                                       '"selected": int(ex.mask.sum())}')
        assert page.evaluate("s => Array.from(document.querySelector(s).selectedOptions, o => o.value)", f"{SECTOR} .dk-filter-lang select") == ["fr"]
        assert state["langs"] == ["fr"]
        assert state["selection"] == ["security_defence", "RWA", None]  # the selection survives a filter
        assert 0 < state["total"] < before_state["total"]
        assert 0 < state["selected"] < before_state["n"]
        assert filtered_text.startswith(f"Security & defence × RWA — {state['total']} sentence")
        assert sum(v for *_, v in _cells(filtered)) < sum(v for *_, v in _cells(before))
        status = wait_for_text_change(page, f"{SECTOR} .dk-status", f"{before_state['n']} of {before_state['n']} articles selected")
        assert status == f"{state['selected']} of {before_state['n']} articles selected · langs: fr"
        # in place: the same plot node, still one figure in this explorer
        assert has_mark(page, fig, mark), "the figure was re-created instead of updated"
        assert page.locator(f"{SECTOR} .js-plotly-plot").count() == 1
        screenshot(page, "lab-sector-explorer-filtered", full_page=False, scroll_to=SECTOR)

        # 2. a user clicks a heatmap cell of another sector (near the top, so on screen)
        candidates = [(xi, yi, v) for xi, yi, v in _cells(filtered)
                      if v > 0 and yi < 8 and html.unescape(filtered["x"][xi]) != "Security & defence"]
        assert candidates, filtered
        xi, yi, value = max(candidates, key=lambda c: (c[2], -c[1], -c[0]))
        sector_label, country_name = html.unescape(filtered["x"][xi]), html.unescape(filtered["y"][yi])
        click_heatmap_cell(page, fig, xi, yi)
        clicked_text = wait_for_text_change(page, panel, filtered_text, timeout=30)
        clicked = kernel_json(page, rel, '{"selection": ex.selection, "total": ex.evidence_total, "rows": len(ex.evidence), '
                                         '"sector": ex.sector_labels[ex.selection[0]], '
                                         '"country": str(ex.index.entities.set_index("entity_id")["name"].get(ex.selection[1], ex.selection[1]))}')
        sector_id, country_id, month = clicked["selection"]
        assert (clicked["sector"], clicked["country"], month) == (sector_label, country_name, None)
        assert clicked_text.startswith(f"{sector_label} × {country_id} — ")
        assert clicked["total"] >= value > 0  # sentences behind a cell counting articles
        assert page.locator(f"{panel} table.dk-evidence tr").count() == clicked["rows"] > 0
        # the click changes the evidence, not the figure, and the filter still holds
        assert heatmap_data(page, fig) == filtered
        assert has_mark(page, fig, mark)
        assert kernel_json(page, rel, "ex.filters.langs") == ["fr"]
        screenshot(page, "lab-sector-explorer-clicked", full_page=False, scroll_to=f"{SECTOR} .dk-status")

        assert run.dialogs == [], f"dialogs opened: {run.dialogs}"
        assert run.guard.blocked == [], f"requests off the machine: {run.guard.blocked}"
        assert run.errors == [], f"JavaScript errors: {run.errors}"


def test_lab_cooccurrence_explorer_measure_change(explorer_lab):
    """The real CooccurrenceExplorer in JupyterLab: choosing npmi in the measure
    dropdown redraws the same heatmap with npmi values; the selected pair's evidence
    stays."""
    run = explorer_lab
    page, rel = run.page, EXPLORER_NB
    fig, panel = f"{COOC} .dk-figure", f"{COOC} .dk-evidence-panel"
    with _lab_log_on_failure(run.lab):
        assert page.locator(COOC).count() == 1
        before = heatmap_data(page, fig)
        before_text = text_of(page, panel)
        assert page.locator(f"{COOC} .dk-measure select").input_value() == "count"
        counts = [v for *_, v in _cells(before)]
        assert counts and all(float(v).is_integer() and v >= 1 for v in counts)
        mark = mark_node(page, fig)
        screenshot(page, "lab-cooccurrence-explorer-before", full_page=False, scroll_to=COOC)

        select_dropdown(page, f"{COOC} .dk-measure", "npmi")
        after = wait_for_heatmap_change(page, before, fig, timeout=30)
        page.wait_for_function("s => /npmi/.test(document.querySelector(s)._fullLayout.title.text)", arg=fig, timeout=30_000)
        state = kernel_json(page, rel, '{"measure": co.measure_dropdown.value, "selection": co.selection}')
        screenshot(page, "lab-cooccurrence-explorer-npmi", full_page=False, scroll_to=COOC)

        assert state["measure"] == "npmi"
        # same actors, same empty cells (pairs never seen together), new values in [-1, 1]
        assert (after["x"], after["y"]) == (before["x"], before["y"])
        assert [(xi, yi) for xi, yi, _ in _cells(after)] == [(xi, yi) for xi, yi, _ in _cells(before)]
        npmis = [v for *_, v in _cells(after)]
        assert all(-1 <= v <= 1 for v in npmis) and any(not float(v).is_integer() for v in npmis)
        assert page.evaluate("s => { const d = document.querySelector(s)._fullData[0]; return [d.zmin, d.zmax]; }", fig) == [-1, 1]
        # in place, and the evidence of the pair selected in the notebook is unchanged
        assert has_mark(page, fig, mark), "the figure was re-created instead of updated"
        assert page.locator(f"{COOC} .js-plotly-plot").count() == 1
        assert state["selection"] is not None and text_of(page, panel) == before_text
        assert run.dialogs == [], f"dialogs opened: {run.dialogs}"
        assert run.guard.blocked == [], f"requests off the machine: {run.guard.blocked}"
        assert run.errors == [], f"JavaScript errors: {run.errors}"


def test_lab_malicious_story_runs_nothing(lab, context):
    """A story with <script> and <img onerror> in its title and text, selected as
    evidence in both explorers: shown as text, nothing runs, nothing is fetched."""
    guard = NetworkGuard(context, allowed_origins=[lab.base_url])
    dialogs = record_dialogs(context)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    with _lab_log_on_failure(lab):
        page = run_notebook_in_lab(context, lab, HOSTILE_NB, timeout=90)
        panels = {f"{SECTOR} .dk-evidence-panel": "Trade × BEN — ", f"{COOC} .dk-evidence-panel": "Benin – Rwanda (same article) — "}
        for sel, head in panels.items():
            page.wait_for_function("([s, h]) => { const el = document.querySelector(s); return !!el && el.innerText.startsWith(h); }",
                                   arg=[sel, head], timeout=60_000)
        wait_for_plot(page, f"{SECTOR} .dk-figure", timeout=30)
        page.wait_for_timeout(500)  # give a broken-image onerror handler, if any, time to fire
        screenshot(page, "lab-hostile-story", full_page=False, scroll_to=f"{SECTOR} .dk-evidence-panel")

        for sel in panels:
            text = text_of(page, sel)
            assert text.count("<script>alert(1)</script>") >= 2, text  # title and sentence
            assert "<img src=x onerror=alert(2)>" in text
            assert page.locator(f"{sel} table.dk-evidence mark").count() >= 1  # our own markup still renders
            assert page.locator(f"{sel} img, {sel} script, {sel} [onerror]").count() == 0
        assert page.locator("img[src='x'], [onerror]").count() == 0
        assert page.evaluate("() => Array.from(document.scripts).filter(s => s.textContent.includes('alert(')).length") == 0
        assert [u for u in requests if urlsplit(u).path.rstrip("/").endswith("/x")] == []
        assert dialogs == [], f"dialogs opened: {dialogs}"
        assert guard.blocked == [], f"requests off the machine: {guard.blocked}"


def test_guards_see_requests_and_dialogs(context, tmp_path):
    """The offline and dialog checks above are not vacuous: an off-machine image and an
    alert on a file:// page are caught (the request is aborted inside the browser)."""
    page_path = tmp_path / "leaky.html"
    page_path.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://cdn.example.invalid/x.css"></head>'
        '<body><img src="https://example.invalid/pixel.png" alt="x"><script>alert("caught")</script></body></html>',
        encoding="utf-8",
    )
    guard = NetworkGuard(context)
    page = context.new_page()
    dialogs = record_dialogs(page)
    page.goto(page_path.as_uri(), wait_until="load", timeout=30_000)
    assert dialogs == ["alert: caught"]
    assert sorted(guard.blocked) == ["https://cdn.example.invalid/x.css", "https://example.invalid/pixel.png"]
