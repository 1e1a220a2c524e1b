"""Helpers for browser tests: Debian's Chromium driven by Python Playwright, offline.

Everything here is bounded in time and cleans up after itself. No browser is ever
downloaded: Chromium is ``/usr/bin/chromium`` from Debian (``apt-get install chromium``;
``.ci/run`` installs it). Without it tests skip, except under ``CI`` where they fail.

Exported HTML (see tests/test_browser.py)::

    with sync_playwright() as pw, chromium_context(pw) as context:
        guard = NetworkGuard(context)            # allow file:/data:/blob:, abort+record the rest
        page = context.new_page()
        dialogs = record_dialogs(page)           # alert()/confirm() would land here
        page.goto(path.as_uri())
        ...
        assert guard.blocked == [] and dialogs == []
        screenshot(page, "report-name")          # -> test-artifacts/report-name.png

A notebook in JupyterLab (the explorer pattern: dropdown -> figure + evidence panel)::

    root = stage_notebook(ROOT / "notebooks" / "explorer.ipynb", tmp_path, links=("data",))
    with lab_server(root) as lab, sync_playwright() as pw, chromium_context(pw) as context:
        guard = NetworkGuard(context, allowed_origins=[lab.base_url])
        page = run_notebook_in_lab(context, lab, "notebooks/explorer.ipynb")  # opens, runs all, waits idle
        wait_for_widget(page, ".my-dropdown select")
        before_y = plot_values(page, "y", plot_selector=".js-plotly-plot")
        before_text = text_of(page, ".my-evidence")
        select_dropdown(page, ".my-dropdown", "energy")           # by visible label
        after_y = wait_for_plot_change(page, before_y, "y")
        after_text = wait_for_text_change(page, ".my-evidence", before_text)

Give the explorer's widgets CSS classes in the notebook (``dropdown.add_class("...")``,
``panel.add_class("...")``) so selectors are stable; an ipywidgets Dropdown renders as
``<div class="widget-dropdown CLASS"><label/><select/></div>``, an ``ipywidgets.HTML``
as ``<div class="widget-html CLASS">``, a FigureWidget as a ``.js-plotly-plot`` div.

Lab isolation: the server runs with its own config/data/runtime/settings/workspace
folders in a temp dir, news, update checks and the pypi extension manager off, toasts
silenced, autosave off (a notebook it runs is never written back), every cell attached
to the DOM (``windowingMode: none``), and ``window.jupyterapp`` exposed so commands
(``notebook:run-all-cells``) and the kernel status can be used directly.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import quote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 900}
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


# --------------------------------------------------------------------------------------
# Availability
# --------------------------------------------------------------------------------------
def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: .ci/run must install it)", pytrace=False)
    pytest.skip(reason)


def require_chromium() -> None:
    """Skip (or fail when $CI is set) unless Debian's Chromium and Playwright are here."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing(f"{CHROMIUM} not found: apt-get install chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the playwright Python package is not installed (pip install -e '.[dev]')")


@contextmanager
def chromium_context(playwright, **context_options) -> Iterator:
    """A fresh Chromium (new temp user-data-dir, deleted afterwards) as a Playwright
    BrowserContext. Service workers are blocked so every request goes through routes."""
    profile = tempfile.mkdtemp(prefix="diplokit-chromium-")
    options = {"viewport": VIEWPORT, "service_workers": "block", **context_options}
    context = None
    try:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=60_000,
            **options,
        )
        context.set_default_timeout(30_000)
        context.set_default_navigation_timeout(60_000)
        yield context
    finally:
        if context is not None:
            try:
                context.close()
            except Exception:
                pass
        shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------------------------------
# Network, dialogs, errors, screenshots
# --------------------------------------------------------------------------------------
def _origin(url: str) -> str:
    """scheme://host:port, lower case; a WebSocket counts as its HTTP origin."""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme.lower(), parts.scheme.lower())
    return f"{scheme}://{parts.netloc}".lower()


@dataclass
class NetworkGuard:
    """Route every request of ``context``: URLs with a local scheme (file:, data:,
    blob:, about:) or one of ``allowed_origins`` (e.g. ``"http://127.0.0.1:8888"``) go
    on; anything else is aborted and its URL appended to ``blocked``. Requests seen by
    ``context.on("request")`` and WebSockets of pages made after the guard are checked
    too, so nothing that bypasses routing goes unrecorded."""

    context: object
    allowed_origins: Iterable[str] = ()
    blocked: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._allowed = {_origin(o) for o in self.allowed_origins}
        self.context.route("**/*", self._route)
        self.context.on("request", lambda request: self._check(request.url))
        self.context.on("page", self.watch_page)
        for page in self.context.pages:
            self.watch_page(page)

    def allowed(self, url: str) -> bool:
        return url.lower().startswith(LOCAL_SCHEMES) or _origin(url) in self._allowed

    def _check(self, url: str) -> None:
        if not self.allowed(url) and url not in self.blocked:
            self.blocked.append(url)

    def _route(self, route) -> None:
        url = route.request.url
        if self.allowed(url):
            route.continue_()
        else:
            self._check(url)
            route.abort("blockedbyclient")

    def watch_page(self, page) -> None:
        page.on("websocket", lambda ws: self._check(ws.url))


def record_dialogs(page_or_context) -> list[str]:
    """Every alert/confirm/prompt/beforeunload a page (or every page of a context) opens,
    dismissed and listed."""
    seen: list[str] = []

    def on_dialog(dialog):
        seen.append(f"{dialog.type}: {dialog.message}")
        try:
            dialog.dismiss()
        except Exception:
            pass

    page_or_context.on("dialog", on_dialog)
    return seen


def record_page_errors(page) -> list[str]:
    """Uncaught JavaScript exceptions in the page."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def screenshot(page, name: str, *, full_page: bool = True, scroll_to: str | None = None) -> Path:
    """Save a PNG to ``test-artifacts/<name>.png`` (repo root, gitignored).

    JupyterLab scrolls inside its own panels, so a "full page" shot of Lab is just the
    window: pass ``scroll_to=<selector>`` to bring e.g. the explorer's widget into view
    first (it is scrolled to the top of its panel)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".png")
    if scroll_to:
        page.locator(scroll_to).first.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.screenshot(path=str(path), full_page=full_page, timeout=30_000)
    return path


# --------------------------------------------------------------------------------------
# JupyterLab server
# --------------------------------------------------------------------------------------
_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (Linux /proc; [] elsewhere)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            ppid = int(text.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


@dataclass
class LabServer:
    """A running ``jupyter lab`` (see :func:`lab_server`)."""

    root_dir: Path
    port: int
    token: str
    proc: subprocess.Popen
    home: Path
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, relpath: str, workspace: str | None = None) -> str:
        """``/lab/tree/<relpath>?token=...`` (relpath relative to root_dir, / separated);
        ``/lab/workspaces/<workspace>/tree/...`` in a named workspace."""
        ws = f"/workspaces/{quote(workspace)}" if workspace else ""
        return f"{self.base_url}/lab{ws}/tree/{quote(str(relpath))}?token={self.token}"

    def api(self, path: str, method: str = "GET", timeout: float = 5.0):
        request = urllib.request.Request(
            f"{self.base_url}{path}", method=method, headers={"Authorization": f"token {self.token}"}, data=b"" if method == "POST" else None
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body.strip() else None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 15.0) -> None:
        """Shut down kernels and the server; SIGTERM then SIGKILL whatever is left of
        the processes this server started (its process group and its descendants)."""
        if self.proc.poll() is None:
            tree = _descendants(self.proc.pid)
            try:
                self.api("/api/shutdown", method="POST", timeout=5)
            except (OSError, urllib.error.URLError, ValueError):
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if self.proc.poll() is None:
                    try:
                        os.killpg(self.proc.pid, sig)
                    except (ProcessLookupError, PermissionError):
                        pass
                    try:
                        self.proc.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        pass
            # Kernels run in sessions of their own; they exit with the server, but be sure.
            deadline = time.monotonic() + 5
            for pid in tree:
                while _alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.1)
                if _alive(pid):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
        shutil.rmtree(self.home, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return False


def start_lab(root_dir: Path | str, *, timeout: float = 60.0, attempts: int = 3) -> LabServer:
    """Start JupyterLab on 127.0.0.1 (free port, random token) serving ``root_dir``;
    return once ``/api/status`` answers. Raises RuntimeError with the log tail if it
    does not within ``timeout`` seconds (retried on another port if the port was taken)."""
    root = Path(root_dir).resolve()
    last = ""
    for _ in range(attempts):
        home = Path(tempfile.mkdtemp(prefix="diplokit-lab-"))
        for rel, values in _LAB_SETTINGS.items():
            path = home / "settings" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        for sub in ("config", "data", "runtime", "workspaces", "ipython"):
            (home / sub).mkdir(exist_ok=True)
        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_DATA_DIR=str(home / "data"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            IPYTHONDIR=str(home / "ipython"),
            JUPYTER_PLATFORM_DIRS="1",
            PYTHONUNBUFFERED="1",
            PYDEVD_DISABLE_FILE_VALIDATION="1",
            PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        )
        port, token = free_port(), secrets.token_hex(24)
        cmd = [
            sys.executable, "-m", "jupyter", "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",  # ServerApp.token is the deprecated spelling
            "--ServerApp.allow_root=True",  # CI runs as root
            f"--ServerApp.root_dir={root}",
            "--ServerApp.open_browser=False",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={home / 'settings'}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
        ]
        log_path = home / "lab.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        server = LabServer(root, port, token, proc, home, log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            try:
                server.api("/api/status", timeout=2)
                return server
            except (OSError, urllib.error.URLError, ValueError):
                time.sleep(0.25)
        last = server.log_tail()
        code = proc.poll()
        server.stop()
        why = f"exited with code {code}" if code is not None else f"did not answer within {timeout:.0f}s"
        if not (code is not None and "already in use" in last):
            break
    raise RuntimeError(f"JupyterLab {why}; log tail:\n{last}")


@contextmanager
def lab_server(root_dir: Path | str, *, timeout: float = 60.0) -> Iterator[LabServer]:
    """``with lab_server(dir) as lab:`` — started, and always stopped afterwards."""
    server = start_lab(root_dir, timeout=timeout)
    try:
        yield server
    finally:
        server.stop()


def stage_notebook(src: Path | str, dest_root: Path | str, *, links: Iterable[str] = ()) -> Path:
    """Copy notebook ``src`` into ``dest_root`` at the same place relative to the repo
    (``notebooks/x.ipynb`` -> ``dest_root/notebooks/x.ipynb``; a file outside the repo
    goes to ``dest_root/<name>``) and symlink each repo folder in ``links`` (e.g.
    ``"data"``) beside it, so relative paths in the notebook still work and the real
    notebook is never touched. Returns ``dest_root`` (serve it with :func:`lab_server`)."""
    src = Path(src).resolve()
    dest_root = Path(dest_root)
    try:
        rel = src.relative_to(ROOT)
    except ValueError:
        rel = Path(src.name)
    target = dest_root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, target)
    for name in links:
        link = dest_root / name
        if not link.exists():
            link.symlink_to(ROOT / name, target_is_directory=(ROOT / name).is_dir())
    return dest_root


# --------------------------------------------------------------------------------------
# Driving a notebook in JupyterLab
# --------------------------------------------------------------------------------------
_FIND_PANEL = """
const findPanel = (path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  for (const w of app.shell.widgets('main')) {
    if (w && w.context && w.context.path === path && w.sessionContext && w.content) return w;
  }
  return null;
};
const withTimeout = (promise, ms, what) => Promise.race([
  promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(what + ' timed out after ' + ms + ' ms')), ms)),
]);
"""

_JS_OPEN = _FIND_PANEL + """
async ({path, ms}) => {
  const panel = findPanel(path);
  await withTimeout(panel.context.ready, ms, 'document load');
  await withTimeout(panel.sessionContext.ready, ms, 'session start');
  await withTimeout(panel.revealed, ms, 'notebook reveal');
  window.jupyterapp.shell.activateById(panel.id);
  return panel.sessionContext.session && panel.sessionContext.session.kernel ? panel.sessionContext.session.kernel.name : null;
}
"""

_JS_KERNEL_IDLE = _FIND_PANEL + """
(path) => {
  const panel = findPanel(path);
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
}
"""

_JS_RUN_ALL = _FIND_PANEL + """
async ({path, ms}) => {
  const app = window.jupyterapp;
  const panel = findPanel(path);
  app.shell.activateById(panel.id);
  const ok = await withTimeout(app.commands.execute('notebook:run-all-cells'), ms, 'run all cells');
  const errors = [];
  for (const cell of panel.content.widgets) {
    if (cell.model.type !== 'code') continue;
    for (const out of cell.model.outputs.toJSON()) {
      if (out.output_type === 'error') errors.push(out.ename + ': ' + out.evalue);
    }
  }
  return {ok: ok !== false, errors};
}
"""

_JS_IDLE_AND_DONE = _FIND_PANEL + """
(path) => {
  const panel = findPanel(path);
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  // every code cell has run: an execution count, no "[*]" pending
  return panel.content.widgets.every(c => c.model.type !== 'code' || c.model.sharedModel.getSource().trim() === '' || (c.model.executionCount !== null && (c.model.executionState === undefined || c.model.executionState === 'idle')));
}
"""


def open_notebook_in_lab(context, lab: LabServer, relpath: str, *, timeout: float = 60.0):
    """Open ``relpath`` (relative to the server's root) in a new page; return it once
    the document is loaded, its kernel started and idle. Uses the notebook's kernelspec
    (the fixture's is ``python3``, the venv's Python). Each page gets a new, empty Lab
    workspace, so a server shared by several tests does not reopen the notebooks of
    earlier pages (Lab restores a workspace's open documents on load)."""
    page = context.new_page()
    ms = int(timeout * 1000)
    page.goto(lab.notebook_url(relpath, workspace=f"test-{secrets.token_hex(6)}"), wait_until="domcontentloaded", timeout=ms)
    page.wait_for_function(_FIND_PANEL + "(path) => !!findPanel(path)", arg=relpath, timeout=ms)
    kernel = page.evaluate(_JS_OPEN, {"path": relpath, "ms": ms})
    if kernel is None:
        raise RuntimeError(f"{relpath}: no kernel started (missing kernelspec in the notebook?)")
    page.wait_for_function(_JS_KERNEL_IDLE, arg=relpath, timeout=ms, polling=200)
    return page


def run_all_cells(page, relpath: str, *, timeout: float = 90.0) -> None:
    """Run every cell (the ``notebook:run-all-cells`` command, i.e. Run → Run All Cells)
    and wait until all have executed and the kernel is idle. Raises AssertionError with
    the error outputs if a cell failed."""
    ms = int(timeout * 1000)
    result = page.evaluate(_JS_RUN_ALL, {"path": relpath, "ms": ms})
    if not result["ok"] or result["errors"]:
        raise AssertionError(f"{relpath}: run all cells failed: {result['errors'] or 'stopped early'}")
    page.wait_for_function(_JS_IDLE_AND_DONE, arg=relpath, timeout=ms, polling=200)


def run_notebook_in_lab(context, lab: LabServer, relpath: str, *, timeout: float = 90.0):
    """:func:`open_notebook_in_lab` + :func:`run_all_cells`; returns the page."""
    page = open_notebook_in_lab(context, lab, relpath, timeout=timeout)
    run_all_cells(page, relpath, timeout=timeout)
    return page


def wait_for_widget(page, selector: str, *, timeout: float = 60.0):
    """Wait until ``selector`` is visible (e.g. ``".my-dropdown select"``); returns the
    locator of its first match."""
    locator = page.locator(selector).first
    locator.wait_for(state="visible", timeout=int(timeout * 1000))
    return locator


def wait_for_plot(page, plot_selector: str = ".js-plotly-plot", *, timeout: float = 60.0) -> None:
    """Wait until a plotly figure under ``plot_selector`` has drawn (its SVG exists)."""
    page.locator(f"{plot_selector} .main-svg").first.wait_for(state="attached", timeout=int(timeout * 1000))


_JS_PLOT_VALUES = """
({selector, attr, trace}) => {
  const el = document.querySelector(selector);
  const gd = el && (el.classList.contains('js-plotly-plot') ? el : el.querySelector('.js-plotly-plot'));
  if (!gd || !gd.data || !gd.data[trace]) return null;
  let v = gd.data[trace][attr];
  if (v && !Array.isArray(v) && !ArrayBuffer.isView(v) && gd._fullData && gd._fullData[trace]) v = gd._fullData[trace][attr];
  if (v === undefined || v === null) return null;
  return Array.from(v, x => (typeof x === 'bigint' ? Number(x) : x));
}
"""


def plot_values(page, attr: str = "y", *, trace: int = 0, plot_selector: str = ".js-plotly-plot"):
    """``gd.data[trace][attr]`` of the plotly figure at ``plot_selector`` (the first
    match, or the first ``.js-plotly-plot`` inside it: a FigureWidget's own CSS class may
    sit on the plot div itself), as a list (typed and base64 arrays decoded), or None if
    not drawn yet."""
    return page.evaluate(_JS_PLOT_VALUES, {"selector": plot_selector, "attr": attr, "trace": trace})


def wait_for_plot_change(page, before, attr: str = "y", *, trace: int = 0, plot_selector: str = ".js-plotly-plot", timeout: float = 30.0):
    """Wait until :func:`plot_values` differs from ``before``; return the new values."""
    page.wait_for_function(
        "([args, before]) => { const v = (" + _JS_PLOT_VALUES + ")(args); return v !== null && JSON.stringify(v) !== JSON.stringify(before); }",
        arg=[{"selector": plot_selector, "attr": attr, "trace": trace}, before],
        timeout=int(timeout * 1000),
        polling=100,
    )
    return plot_values(page, attr, trace=trace, plot_selector=plot_selector)


def text_of(page, selector: str) -> str:
    """The visible text of the first element matching ``selector``."""
    return page.locator(selector).first.inner_text(timeout=10_000)


def wait_for_text_change(page, selector: str, before: str, *, timeout: float = 30.0) -> str:
    """Wait until the text of ``selector`` differs from ``before``; return it."""
    page.wait_for_function(
        "([sel, before]) => { const el = document.querySelector(sel); return !!el && el.innerText !== before; }",
        arg=[selector, before],
        timeout=int(timeout * 1000),
        polling=100,
    )
    return text_of(page, selector)


def select_dropdown(page, container_selector: str, label: str) -> None:
    """Choose the option with visible text ``label`` in the ``<select>`` inside
    ``container_selector`` (an ipywidgets Dropdown's element) — a real UI change event."""
    page.locator(f"{container_selector} select").first.select_option(label=label, timeout=10_000)


# --------------------------------------------------------------------------------------
# Explorers: kernel state, heatmaps, clicks, DOM identity
# --------------------------------------------------------------------------------------
_JS_KERNEL_EXEC = _FIND_PANEL + """
async ({path, code, ms}) => {
  const panel = findPanel(path);
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel) throw new Error('no kernel for ' + path);
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let out = '';
  let error = null;
  future.onIOPub = (msg) => {
    const t = msg.header.msg_type;
    if (t === 'stream' && msg.content.name === 'stdout') out += msg.content.text;
    if (t === 'error') error = msg.content.ename + ': ' + msg.content.evalue;
  };
  await withTimeout(future.done, ms, 'kernel execute');
  return {out, error};
}
"""


def kernel_json(page, relpath: str, expression: str, *, timeout: float = 30.0):
    """Evaluate ``expression`` in the kernel of the open notebook ``relpath`` (outside
    any cell: nothing is added to the notebook) and return it, sent as JSON. For reading
    an explorer's state (``ex.selection``, ``ex.filters``) after a browser interaction."""
    code = f"import json as _dk_json\nprint(_dk_json.dumps({expression}, default=str))"
    result = page.evaluate(_JS_KERNEL_EXEC, {"path": relpath, "code": code, "ms": int(timeout * 1000)})
    if result["error"]:
        raise AssertionError(f"kernel: {expression}: {result['error']}")
    return json.loads(result["out"].strip().splitlines()[-1])


# The plot div of a selector: the match itself, or the first plot inside it (an expression).
_JS_GD = "((el) => el && (el.classList.contains('js-plotly-plot') ? el : el.querySelector('.js-plotly-plot')))(document.querySelector(selector))"

_JS_HEATMAP = """
({selector, trace}) => {
  const gd = """ + _JS_GD + """;
  const d = gd && gd._fullData && gd._fullData[trace];
  if (!d || !d.z) return null;
  const plain = (v) => (v === null || v === undefined) ? null : (typeof v === 'bigint' ? Number(v) : (Number.isNaN(v) ? null : v));
  return {
    x: Array.from(d.x || [], String),
    y: Array.from(d.y || [], String),
    z: Array.from(d.z, row => Array.from(row, plain)),
  };
}
"""


def heatmap_data(page, plot_selector: str, *, trace: int = 0) -> dict | None:
    """``{"x": [...], "y": [...], "z": [[...], ...]}`` of a heatmap trace as drawn
    (``gd._fullData``: typed/base64 arrays decoded, NaN -> None), or None if not drawn."""
    return page.evaluate(_JS_HEATMAP, {"selector": plot_selector, "trace": trace})


def wait_for_heatmap_change(page, before: dict, plot_selector: str, *, trace: int = 0, timeout: float = 30.0) -> dict:
    """Wait until :func:`heatmap_data` differs from ``before``; return the new data."""
    page.wait_for_function(
        "([args, before]) => { const v = (" + _JS_HEATMAP + ")(args); return v !== null && JSON.stringify(v) !== JSON.stringify(before); }",
        arg=[{"selector": plot_selector, "trace": trace}, before],
        timeout=int(timeout * 1000),
        polling=100,
    )
    return heatmap_data(page, plot_selector, trace=trace)


def mark_node(page, selector: str) -> str:
    """Tag the first element matching ``selector`` (a JS property, invisible to the
    page) and return the tag; :func:`has_mark` later tells whether the element there is
    still that same DOM node (not re-rendered or replaced)."""
    token = secrets.token_hex(8)
    ok = page.evaluate("([selector, token]) => { const el = document.querySelector(selector); if (!el) return false; el.__dkTestMark = token; return true; }",
                       [selector, token])
    if not ok:
        raise AssertionError(f"nothing matches {selector!r}")
    return token


def has_mark(page, selector: str, token: str) -> bool:
    return page.evaluate("([sel, token]) => { const el = document.querySelector(sel); return !!el && el.__dkTestMark === token; }", [selector, token])


_JS_CELL_POINT = """
({selector, xi, yi}) => {
  const gd = """ + _JS_GD + """;
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.getBoundingClientRect();
  const x = box.left + xa._offset + xa.c2p(xi), y = box.top + ya._offset + ya.c2p(yi);
  const hit = document.elementFromPoint(x, y);
  return {x, y, width: window.innerWidth, height: window.innerHeight,
          onPlot: !!hit && gd.contains(hit), hit: hit ? hit.tagName + '.' + String(hit.className.baseVal ?? hit.className) : null};
}
"""


def click_heatmap_cell(page, plot_selector: str, xi: int, yi: int) -> None:
    """Click the centre of heatmap cell (column ``xi``, row ``yi``) with the mouse, as a
    user would: the plot is scrolled into view, the pointer moved onto the cell until
    plotly shows its hover label (plotly's click event reports the hovered point), then
    pressed and released. Cell centres come from the plot's own axes (category index ->
    pixel), so layout changes do not matter."""
    gd = page.locator(plot_selector).first
    gd.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    p = page.evaluate(_JS_CELL_POINT, {"selector": plot_selector, "xi": xi, "yi": yi})
    if not (0 <= p["x"] < p["width"] and 0 <= p["y"] < p["height"]):
        raise AssertionError(f"heatmap cell ({xi}, {yi}) is outside the window at {p}")
    if not p["onPlot"]:  # e.g. a Lab toolbar floating over the plot would take the click
        raise AssertionError(f"heatmap cell ({xi}, {yi}) is covered by {p['hit']} at {p}")
    page.mouse.move(p["x"] - 3, p["y"] - 3)
    page.mouse.move(p["x"], p["y"], steps=4)
    page.locator(f"{plot_selector} .hoverlayer .hovertext").first.wait_for(state="attached", timeout=10_000)
    page.mouse.down()
    page.mouse.up()


def select_multiple_option(page, container_selector: str, label: str) -> None:
    """Click the option with visible text ``label`` in the ``<select multiple>`` inside
    ``container_selector`` (an ipywidgets SelectMultiple): a plain click, which makes it
    the only selected option, as in any browser."""
    option = page.locator(f"{container_selector} select option").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).first
    option.scroll_into_view_if_needed(timeout=10_000)
    option.click(timeout=10_000)
