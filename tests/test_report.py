"""diplokit.report: offline, self-contained, deterministic HTML (no browser here; see
tests/test_browser.py for the same pages in Chromium)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from diplokit import report
from diplokit.report import (
    PLOTLY_MIME,
    WIDGET_NOTE,
    WIDGET_VIEW_MIME,
    ExternalResourceWarning,
    external_resources,
    notebook_title,
    plotly_js,
    render_reports,
    script_json,
)

FIXTURE = Path(__file__).parent / "fixtures" / "report_fixture.ipynb"
EVIL = "</script><script>alert(1)</script>"


class _Tags(HTMLParser):
    """Start tags with their attributes (script contents are not parsed as markup)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


def figures_in(nb_path: Path) -> int:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return sum(PLOTLY_MIME in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("notebooks")
    shutil.copy(FIXTURE, src)
    out = tmp_path_factory.mktemp("reports")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExternalResourceWarning)
        written = render_reports(src, out)
    assert written == [out / "report_fixture.html", out / "index.html"]
    return out


@pytest.fixture(scope="module")
def page(rendered) -> str:
    return (rendered / "report_fixture.html").read_text(encoding="utf-8")


def test_fixture_has_the_outputs_under_test():
    nb = nbformat.read(str(FIXTURE), as_version=4)
    kinds = [set(o.get("data", {})) for c in nb.cells for o in c.get("outputs", [])]
    assert {PLOTLY_MIME} in kinds  # plotly JSON only, as fig.show() saves it under nbconvert
    assert any(WIDGET_VIEW_MIME in k for k in kinds)
    assert any("text/html" in k for k in kinds)
    assert "widgets" not in nb.metadata  # no saved widget state
    assert FIXTURE.stat().st_size < 100_000


def test_index_links_every_page_with_escaped_titles(rendered):
    index = (rendered / "index.html").read_text(encoding="utf-8")
    links = [a["href"] for t, a in tags(index) if t == "a"]
    assert links == ["report_fixture.html"]
    assert all((rendered / href).is_file() for href in links)
    # the heading '# Sector report <b>&</b> "evil" titles', escaped
    assert "Sector report &lt;b&gt;&amp;&lt;/b&gt; &quot;evil&quot; titles</a>" in index
    assert "<b>" not in index


def test_page_title_is_the_first_heading(page):
    assert re.search(r"<title>Sector report &lt;b&gt;&amp;&lt;/b&gt; \"evil\" titles</title>", page)


def test_plotly_js_inlined_exactly_once(page):
    js = plotly_js()
    assert page.count(js) == 1
    assert page.count("plotly.js v") == 1  # the bundle's banner
    head = page[: page.index("</head>")]
    assert js in head  # before any figure script runs


def test_script_elements_are_exactly_the_expected_ones(page):
    scripts = [a for t, a in tags(page) if t == "script"]
    # PlotlyConfig + plotly.js + one per figure; a breakout from the figure JSON would add more
    assert len(scripts) == 2 + figures_in(FIXTURE) == 3
    assert all("src" not in a for a in scripts)
    assert page.lower().count("<script") == 3
    assert page.count("Plotly.newPlot(") == 1


def test_no_external_urls_in_src_or_href(page, rendered):
    for name in ("report_fixture.html", "index.html"):
        text = (rendered / name).read_text(encoding="utf-8")
        for tag, attrs in tags(text):
            for attr in ("src", "href", "srcset", "data", "poster"):
                value = attrs.get(attr)
                if value is not None:
                    assert not re.match(r"\s*([a-z][a-z0-9+.-]*:|//)", value, re.I) or value.startswith("data:"), (name, tag, attr, value)
        assert external_resources(text) == []
    rest = page.replace(plotly_js(), "", 1)  # plotly.js mentions URLs it never loads for bar charts
    for cdn in ("cdnjs", "unpkg", "require.min.js", "require.js", "mathjax@", "cdn.plot.ly", "cdn.jsdelivr"):
        assert cdn not in rest.lower(), cdn


def test_evil_text_stays_text(page):
    assert EVIL not in page
    assert "<script>alert(2)" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page  # the story, escaped as saved
    assert "onerror=alert(3)>" not in page
    # the hover text is in the figure JSON with <, > and & as \u escapes
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page


def test_figure_json_round_trips(page):
    m = re.search(r"var fig = (\{.*?\});\n", page)
    fig = json.loads(m.group(1))
    assert fig["data"][0]["hovertext"][0] == EVIL
    assert fig["data"][0]["y"] == [3, 5, 2]
    assert fig["layout"]["height"] == 360
    assert 'style="width:100%;height:360px;"' in page


def test_widget_output_becomes_a_note(page):
    assert WIDGET_NOTE in page.replace("&mdash;", "—")
    assert WIDGET_VIEW_MIME not in page
    assert "model_id" not in page
    assert "application/vnd.jupyter.widget-state+json" not in page


def test_render_is_deterministic(tmp_path, rendered):
    src = tmp_path / "nb"
    src.mkdir()
    shutil.copy(FIXTURE, src)
    render_reports(src, tmp_path / "a")
    render_reports(src, tmp_path / "b")
    for name in ("report_fixture.html", "index.html"):
        a = (tmp_path / "a" / name).read_bytes()
        assert a == (tmp_path / "b" / name).read_bytes(), name
        assert a == (rendered / name).read_bytes(), name


def test_page_without_figures_has_no_plotly(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("Intro\n=====\n\ntext"), new_code_cell("1", outputs=[new_output("execute_result", {"text/plain": "1"}, execution_count=1)])])
    (tmp_path / "nb").mkdir()
    nbformat.write(nb, str(tmp_path / "nb" / "plain.ipynb"))
    render_reports(tmp_path / "nb", tmp_path / "out")
    text = (tmp_path / "out" / "plain.html").read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert len(text) < 500_000
    assert ">Intro</a>" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_sorted_pages_and_empty_folder(tmp_path):
    src = tmp_path / "nb"
    src.mkdir()
    render_reports(src, tmp_path / "empty")
    assert "No notebooks found." in (tmp_path / "empty" / "index.html").read_text()
    for name in ("b_second", "a_first"):
        nbformat.write(new_notebook(cells=[new_markdown_cell(f"# {name}")]), str(src / f"{name}.ipynb"))
    written = render_reports(src, tmp_path / "out")
    assert [p.name for p in written] == ["a_first.html", "b_second.html", "index.html"]


def test_index_notebook_name_is_refused(tmp_path):
    nbformat.write(new_notebook(), str(tmp_path / "index.ipynb"))
    with pytest.raises(ValueError, match="index"):
        render_reports(tmp_path, tmp_path / "out")


def test_execute_runs_a_copy(tmp_path):
    src = tmp_path / "nb"
    src.mkdir()
    nb = new_notebook(cells=[new_code_cell("import plotly.graph_objects as go\ngo.Figure(go.Bar(y=[1, 2])).show('plotly_mimetype')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(src / "run.ipynb"))
    before = (src / "run.ipynb").read_bytes()
    render_reports(src, tmp_path / "out", execute=True, timeout=120)
    text = (tmp_path / "out" / "run.html").read_text(encoding="utf-8")
    assert text.count("Plotly.newPlot(") == 1
    assert (src / "run.ipynb").read_bytes() == before


def test_external_resource_is_warned(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell('# Remote\n\n<img src="https://example.invalid/x.png" alt="x">')])
    nbformat.write(nb, str(tmp_path / "remote.ipynb"))
    with pytest.warns(ExternalResourceWarning, match="example.invalid"):
        render_reports(tmp_path, tmp_path / "out")


def test_external_resources_detector():
    page = (
        '<script src="https://cdn.example/x.js"></script><link rel="stylesheet" href="//cdn.example/y.css">'
        '<img src="data:image/png;base64,AA"><img src="local.png"><a href="https://example.org/">a link</a>'
        '<style>@import "https://fonts.example/f.css"; .a { background: url(data:image/svg+xml,abc) }</style>'
        '<div style="background-image: url(\'http://x.example/b.png\')"></div>'
        "<script>var s = '<img src=\"https://not.a.tag/\">';</script>"
    )
    found = external_resources(page)
    assert len(found) == 4, found
    assert not any("example.org" in f or "not.a.tag" in f for f in found)


@pytest.mark.parametrize(
    "value",
    [EVIL, "<!-- <script>", "a & b > c", "\u2028\u2029", {"k</script>": ["</SCRIPT >"]}, 1.5, None],
)
def test_script_json_is_safe_and_round_trips(value):
    text = script_json(value)
    assert not re.search(r"[<>&\u2028\u2029]", text)
    assert json.loads(text) == value


@pytest.mark.parametrize(
    "source, title",
    [
        (["Intro text", "## Second-level first\n# Later"], "Second-level first"),
        (["```\n# not a heading\n```\n# Real <one> #"], "Real <one>"),
        (["Setext title\n------------"], "Setext title"),
        (["no heading at all"], None),
    ],
)
def test_notebook_title(source, title):
    nb = new_notebook(cells=[new_markdown_cell(s) for s in source])
    assert notebook_title(nb) == title


def test_main_missing_folder_exits_2(tmp_path, capsys):
    assert report.main(["--notebooks", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "not found" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_python_dash_m(tmp_path):
    src = tmp_path / "nb"
    src.mkdir()
    shutil.copy(FIXTURE, src)
    run = subprocess.run(
        [sys.executable, "-m", "diplokit.report", "--notebooks", str(src), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "index.html").is_file() and (tmp_path / "out" / "report_fixture.html").is_file()
    bad = subprocess.run([sys.executable, "-m", "diplokit.report", "--notebooks", str(tmp_path / "missing")], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "not found" in bad.stderr
