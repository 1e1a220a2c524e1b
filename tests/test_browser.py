"""Browser tests in Debian's headless Chromium (Python Playwright), with no network.

(a) Exported reports: the fixture notebook and every notebook in notebooks/ (whatever is
    there at collection time) rendered by diplokit.report and opened via file://; every
    request that is not file:/data:/blob: is aborted and recorded and must not happen;
    plots must draw; no dialog may open; screenshots go to test-artifacts/.
(b) JupyterLab: tests/fixtures/lab_fixture.ipynb (dropdown -> FigureWidget bar chart +
    HTML evidence panel) is run in a real JupyterLab on 127.0.0.1; changing the dropdown
    must change the bars in place and the evidence text.

Helpers are in tests/browser_util.py (documented there, reusable for the explorers in
notebooks/). Without /usr/bin/chromium these skip, except under $CI where they fail.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from browser_util import (
    FIXTURES,
    ROOT,
    NetworkGuard,
    chromium_context,
    lab_server,
    plot_values,
    record_dialogs,
    record_page_errors,
    require_chromium,
    run_notebook_in_lab,
    screenshot,
    select_dropdown,
    text_of,
    wait_for_plot,
    wait_for_plot_change,
    wait_for_text_change,
    wait_for_widget,
)

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
EVIL = "</script><script>alert(1)</script>"
REPORT_FIXTURE = FIXTURES / "report_fixture.ipynb"
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


def test_lab_dropdown_updates_figure_and_evidence(playwright, tmp_path):
    """Run lab_fixture.ipynb in JupyterLab, change the dropdown, see the bars and the
    evidence panel change."""
    shutil.copy(FIXTURES / "lab_fixture.ipynb", tmp_path)
    with lab_server(tmp_path, timeout=60) as lab, chromium_context(playwright) as ctx:
        guard = NetworkGuard(ctx, allowed_origins=[lab.base_url])
        dialogs = record_dialogs(ctx)  # every page of the context, from the start
        try:
            page = run_notebook_in_lab(ctx, lab, "lab_fixture.ipynb", timeout=60)
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
        except Exception:
            print("JupyterLab log tail:\n" + lab.log_tail(60))
            raise


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
