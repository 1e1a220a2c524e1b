"""Render notebooks to offline, self-contained HTML reports.

    python -m diplokit.report [--notebooks DIR] [--out DIR] [--execute] [--timeout S]

:func:`render_reports` turns every ``*.ipynb`` in a folder (sorted by name) into
``<out>/<stem>.html`` and writes ``<out>/index.html`` linking them, titled by each
notebook's first markdown heading. The pages work with no network:

* nbconvert's ``lab`` template is used with every CDN load removed: require.js, MathJax,
  mermaid.js and the jupyter-widgets HTML manager (from unpkg) are not referenced.
* Plotly figures saved as ``application/vnd.plotly.v1+json`` (what ``fig.show()`` emits
  under nbconvert/nbval, and what nbconvert does not draw) become a ``<div>`` plus a
  ``<script>`` calling ``Plotly.newPlot``; plotly.js itself (bundled with the plotly
  package) is inlined once per page, only on pages that have a figure. The figure JSON
  has ``<``, ``>`` and ``&`` written as ``\\u003c`` etc., so text in a figure (article
  titles in hover text...) can never close the script element (a superset of escaping
  ``</`` as ``<\\/``).
* Widget outputs (``application/vnd.jupyter.widget-view+json``) need a kernel; they are
  replaced by a short note, and the saved widget state is not embedded.
* Output is deterministic: the same notebook gives byte-identical HTML.

:func:`external_resources` lists what a page would load from off the machine (used by
the tests, and warned about by :func:`render_reports`: e.g. a markdown image with an
``https://`` source written by hand in a notebook).

Exit codes of :func:`main`: 0 success, 2 bad arguments or paths, 1 failure while working.
"""
from __future__ import annotations

import argparse
import copy
import html
import json
import re
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = "interactive widget — open the notebook in JupyterLab; see the static view below"
INDEX_NAME = "index.html"
_PLOTLYJS_MARKER = "/* diplokit: plotly.js goes here */"

__all__ = [
    "render_reports",
    "render_notebook",
    "notebook_title",
    "external_resources",
    "PlotlyPreprocessor",
    "ExternalResourceWarning",
    "main",
]


class ExternalResourceWarning(UserWarning):
    """A rendered page references a resource off the machine (it will not load offline)."""


# --------------------------------------------------------------------------------------
# Safe embedding
# --------------------------------------------------------------------------------------
_JS_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JS_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def script_json(value) -> str:
    """``value`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where ``\\u003c`` etc. mean the
    same characters, so ``</script>`` or ``<!--`` in the data cannot end or confuse the
    script element; the result is still valid JSON and a valid JavaScript expression.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _JS_ESCAPE_RE.sub(lambda m: _JS_ESCAPES[m.group(0)], text)


_plotlyjs_cache: str | None = None


def plotly_js() -> str:
    """plotly.js as bundled with the plotly package (offline), ready to inline."""
    global _plotlyjs_cache
    if _plotlyjs_cache is None:
        from plotly.offline import get_plotlyjs

        js = get_plotlyjs()
        # The bundle has no "</script" today; keep it that way if a future one does
        # (inside a JS string or regex literal "<\/" means the same as "</").
        _plotlyjs_cache = re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)
    return _plotlyjs_cache


def _size_css(value, default: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 100_000:
        return f"{float(value):g}px"
    return default


# --------------------------------------------------------------------------------------
# The preprocessor
# --------------------------------------------------------------------------------------
try:
    from nbconvert.preprocessors import Preprocessor as _Preprocessor
except ImportError:  # pragma: no cover - nbconvert is in the notebook extra
    _Preprocessor = object  # type: ignore[assignment,misc]


class PlotlyPreprocessor(_Preprocessor):
    """Make outputs renderable offline.

    * An output with a plotly figure (``application/vnd.plotly.v1+json``) becomes a
      ``text/html`` output: ``<div id="diplokit-plot-N">`` and a script calling
      ``Plotly.newPlot`` (any other representation in that output, e.g. a ``text/html``
      from a CDN-loading renderer, is dropped). Sets ``resources["diplokit_plotly"]`` to
      the number of figures so the template inlines plotly.js once.
    * A widget-view output becomes a short escaped note (no kernel in a static page).
    * ``metadata.widgets`` (saved widget state, megabytes of JavaScript) is removed.
    """

    def preprocess(self, nb, resources):
        resources = resources if resources is not None else {}
        nb.metadata.pop("widgets", None)
        counter = 0
        for cell in nb.cells:
            if cell.get("cell_type") != "code":
                continue
            for output in cell.get("outputs", []):
                data = output.get("data")
                if not isinstance(data, dict):
                    continue
                if PLOTLY_MIME in data:
                    output["data"] = {"text/html": self.figure_html(data[PLOTLY_MIME], f"diplokit-plot-{counter}")}
                    output["metadata"] = {}
                    counter += 1
                elif WIDGET_VIEW_MIME in data:
                    output["data"] = {"text/html": widget_note_html()}
                    output["metadata"] = {}
        resources["diplokit_plotly"] = counter
        return nb, resources

    @staticmethod
    def figure_html(figure, div_id: str) -> str:
        """The ``<div>`` + ``<script>`` that draws ``figure`` (a plotly JSON dict)."""
        if isinstance(figure, str):  # some writers store the bundle as a JSON string
            figure = json.loads(figure)
        figure = figure if isinstance(figure, dict) else {}
        layout = figure.get("layout") or {}
        config = {"responsive": True, "displaylogo": False}
        config.update(figure.get("config") or {})
        payload = {"data": figure.get("data") or [], "layout": layout, "config": config}
        width = _size_css(layout.get("width"), "100%")
        height = _size_css(layout.get("height"), "450px")
        return (
            f'<div id="{div_id}" class="diplokit-plotly" style="width:{width};height:{height};"></div>\n'
            '<script type="text/javascript">\n'
            "(function () {\n"
            f'  var el = document.getElementById("{div_id}");\n'
            f"  var fig = {script_json(payload)};\n"
            "  if (window.Plotly) { window.Plotly.newPlot(el, fig.data, fig.layout, fig.config); }\n"
            '  else { el.textContent = "(plotly.js did not load: figure not drawn)"; }\n'
            "})();\n"
            "</script>\n"
        )


def widget_note_html() -> str:
    return f'<div class="diplokit-widget-note" role="note">{html.escape(WIDGET_NOTE)}</div>\n'


# --------------------------------------------------------------------------------------
# The exporter
# --------------------------------------------------------------------------------------
_TEMPLATE = r"""{%- extends 'index.html.j2' -%}

{#- No require.js (CDN); plotly.js inline, once, where the page has a figure. -#}
{%- block html_head_js -%}
{%- if resources.diplokit_plotly -%}
<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: 'local'};</script>
<script type="text/javascript">{{ resources.diplokit_plotlyjs_marker }}</script>
{%- endif -%}
{%- endblock html_head_js -%}

{#- No jupyter-widgets HTML manager (unpkg), no MathJax or mermaid.js (cdnjs). -#}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}

{%- block extra_css -%}
<style type="text/css">
.diplokit-widget-note {
  margin: 4px 0; padding: 6px 10px; border-left: 3px solid #999;
  background: #f5f5f5; color: #333; font-style: italic;
}
.diplokit-plotly { max-width: 100%; }
</style>
{%- endblock extra_css -%}
"""


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"diplokit_report.html.j2": _TEMPLATE})],
        template_file="diplokit_report.html.j2",
        # Belt and braces: were any of these reached, they would not point off-machine.
        require_js_url="",
        mathjax_url="",
        mermaid_js_url="",
        jupyter_widgets_base_url="",
    )
    exporter.register_preprocessor(PlotlyPreprocessor(), enabled=True)
    return exporter


# --------------------------------------------------------------------------------------
# Titles
# --------------------------------------------------------------------------------------
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def notebook_title(nb) -> str | None:
    """The text of the first markdown heading (ATX ``# Title`` or setext), or None."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        fence = None
        prev = ""
        for line in source.splitlines():
            m = _FENCE.match(line)
            if m:
                marker = m.group(1)
                if fence is None:
                    fence = marker[0]
                elif marker[0] == fence:
                    fence = None
                prev = ""
                continue
            if fence is not None:
                continue
            m = _ATX.match(line)
            if m and m.group(2).strip():
                return m.group(2).strip()
            if _SETEXT.match(line) and prev.strip() and not prev.startswith("    "):
                return prev.strip()
            prev = line
    return None


# --------------------------------------------------------------------------------------
# Offline check
# --------------------------------------------------------------------------------------
_URL_ATTRS = {"src", "srcset", "poster", "data", "background"}
_LOADING_HREF_TAGS = {"link", "base", "image", "use"}
_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_LOCAL_SCHEMES = ("data:", "blob:", "about:", "file:", "javascript:", "#")
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.IGNORECASE)


def _is_external(url: str) -> bool:
    u = url.strip().lower()
    return bool(_EXTERNAL.match(u)) and not u.startswith(_LOCAL_SCHEMES)


class _ResourceFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in _URL_ATTRS or (name in ("href", "xlink:href") and tag in _LOADING_HREF_TAGS):
                urls = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                self.found += [f"<{tag} {name}={u!r}>" for u in urls if _is_external(u)]
            elif name == "style":
                self._css(value, tag)

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data, "style")

    def _css(self, text, tag):
        self.found += [f"<{tag}> css url({u!r})" for u in _CSS_URL.findall(text) if _is_external(u)]


def external_resources(page: str) -> list[str]:
    """What ``page`` (HTML text) would load from off the machine: ``src``/``srcset``/
    ``poster``/``data`` attributes of any element, ``href`` of ``<link>``/``<base>``/SVG
    ``<image>``/``<use>``, and CSS ``url()``/``@import`` in ``<style>`` or ``style=``,
    whose URL has a scheme other than data:/blob:/file: or is protocol-relative.
    Plain ``<a href>`` links are navigation, not loads, and are not listed; neither is
    text inside inline scripts (plotly.js mentions URLs it never loads for plain charts).
    """
    finder = _ResourceFinder()
    finder.feed(page)
    finder.close()
    return finder.found


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------
def _read(path: Path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def _execute(nb, cwd: Path, timeout: int):
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=timeout, resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def render_notebook(nb, name: str, path: Path | str | None = None, exporter=None) -> str:
    """One notebook node (not modified) as an offline HTML page (a string)."""
    nb = copy.deepcopy(nb)
    title = notebook_title(nb)
    if title:
        nb.metadata["title"] = title
    exporter = exporter or _exporter()
    resources = {"metadata": {"name": name, "path": str(path or ".")}, "diplokit_plotlyjs_marker": _PLOTLYJS_MARKER}
    body, resources = exporter.from_notebook_node(nb, resources=resources)
    # plotly.js (4.8 MB) goes in after nbconvert's BeautifulSoup pass over the page, so
    # it is not parsed and re-serialised; once, at the marker in <head> (the first one:
    # should a notebook's own text contain the marker, that text comes later).
    if resources.get("diplokit_plotly"):
        if _PLOTLYJS_MARKER not in body:
            raise RuntimeError("plotly.js placeholder missing from the rendered page")
        body = body.replace(_PLOTLYJS_MARKER, plotly_js(), 1)
    return body


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(text.encode("utf-8"))
    tmp.replace(path)


def _index_html(entries: list[tuple[str, str, str]]) -> str:
    """entries: (html file name, title, notebook file name)."""
    items = "\n".join(
        f'  <li><a href="{html.escape(quote(fname), quote=True)}">{html.escape(title)}</a>'
        f' <span class="file">{html.escape(nbname)}</span></li>'
        for fname, title, nbname in entries
    )
    body = f"<ul>\n{items}\n</ul>" if entries else "<p>No notebooks found.</p>"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        "<title>diplokit reports</title>\n"
        "<style>\n"
        "body { font-family: system-ui, sans-serif; max-width: 50em; margin: 2em auto; padding: 0 1em; color: #222; }\n"
        "li { margin: .4em 0; } .file { color: #777; font-size: .85em; margin-left: .5em; }\n"
        "</style>\n</head>\n<body>\n<h1>diplokit reports</h1>\n"
        f"{body}\n</body>\n</html>\n"
    )


def render_reports(notebooks_dir="notebooks", out_dir="reports", execute=False, *, timeout: int = 600) -> list[Path]:
    """Render every ``*.ipynb`` in ``notebooks_dir`` (sorted by name) to
    ``out_dir/<stem>.html`` and write ``out_dir/index.html`` linking them.

    Returns the written paths: the notebook pages in order, then ``index.html`` last.
    ``execute=True`` re-runs each notebook (in a copy; the file is not changed) with its
    own folder as working directory and ``timeout`` seconds per cell before rendering.
    Raises FileNotFoundError if ``notebooks_dir`` is not a folder and ValueError if a
    notebook is called ``index.ipynb`` (its page would be the index). Warns with
    :class:`ExternalResourceWarning` if a page still references something off-machine
    (a hand-written ``<img src="https://...">`` in markdown, for instance).
    """
    src = Path(notebooks_dir)
    if not src.is_dir():
        raise FileNotFoundError(f"notebooks folder {str(src)!r} not found")
    notebooks = sorted(p for p in src.glob("*.ipynb") if p.is_file())
    clash = [p.name for p in notebooks if p.stem == Path(INDEX_NAME).stem]
    if clash:
        raise ValueError(f"{clash[0]}: a notebook may not be named like the index page ({INDEX_NAME}); rename it")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    exporter = _exporter()
    written: list[Path] = []
    entries: list[tuple[str, str, str]] = []
    for nb_path in notebooks:
        try:
            nb = _read(nb_path)
            if execute:
                nb = _execute(nb, nb_path.parent, timeout)
            page = render_notebook(nb, nb_path.stem, nb_path.parent, exporter)
        except Exception as exc:
            raise RuntimeError(f"{nb_path}: {type(exc).__name__}: {exc}") from exc
        for ref in external_resources(page):
            warnings.warn(f"{nb_path.name}: page loads an off-machine resource: {ref}", ExternalResourceWarning, stacklevel=2)
        target = out / f"{nb_path.stem}.html"
        _write(target, page)
        written.append(target)
        entries.append((target.name, notebook_title(nb) or nb_path.stem, nb_path.name))
    index = out / INDEX_NAME
    _write(index, _index_html(entries))
    written.append(index)
    return written


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m diplokit.report",
        description="Render notebooks to self-contained HTML that works offline (plotly.js inline, no CDN).",
    )
    p.add_argument("--notebooks", default="notebooks", help="folder of *.ipynb (default: notebooks)")
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--execute", action="store_true", help="re-run each notebook before rendering (files are not changed)")
    p.add_argument("--timeout", type=int, default=600, help="seconds per cell with --execute (default 600)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    src = Path(args.notebooks)
    if not src.is_dir():
        print(f"diplokit report: notebooks folder {str(src)!r} not found (use --notebooks DIR)", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"diplokit report: output {str(out)!r} exists and is not a folder", file=sys.stderr)
        return 2
    if args.timeout < 1:
        print("diplokit report: --timeout must be positive", file=sys.stderr)
        return 2
    with warnings.catch_warnings():
        warnings.simplefilter("always", ExternalResourceWarning)
        warnings.showwarning = lambda message, *a, **k: print(f"diplokit report: warning: {message}", file=sys.stderr)
        try:
            written = render_reports(src, out, execute=args.execute, timeout=args.timeout)
        except ValueError as exc:
            print(f"diplokit report: {exc}", file=sys.stderr)
            return 2
        except Exception as exc:
            print(f"diplokit report: {exc}", file=sys.stderr)
            return 1
    print(f"wrote {len(written) - 1} report(s) and {written[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
