"""Write the notebooks in notebooks/ from the cell lists below, then execute them in place.

    python scripts/make_notebooks.py            # write + execute every notebook
    python scripts/make_notebooks.py 02 03      # only the notebooks whose names start so

The notebooks are the deliverable (committed with their outputs, checked by nbval); this
script only keeps their cells reviewable as one Python file and executes them the same
way every time: nbconvert's ExecutePreprocessor with ``store_widget_state=False`` (the
widget JavaScript and state would add megabytes and random model ids), cell ids derived
from the notebook name and cell position.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
sys.path.insert(0, str(ROOT / "scripts"))

from notebook_cells import NOTEBOOKS  # noqa: E402


def build(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    stem = name.split("_")[0]
    for i, (kind, src) in enumerate(cells):
        src = src.strip("\n")
        cell = nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
        cell["id"] = f"nb{stem}-{i:02d}"
        nb.cells.append(cell)
    return nb


def execute(nb: nbformat.NotebookNode) -> None:
    # record_timing=False: no wall-clock timestamps in the committed notebooks.
    ep = ExecutePreprocessor(timeout=900, kernel_name="python3", store_widget_state=False, record_timing=False)
    ep.preprocess(nb, {"metadata": {"path": str(NB_DIR)}})
    nb.metadata.pop("widgets", None)
    # The kernel's exact Python patch level is not part of a finding.
    nb.metadata["language_info"] = {"name": "python"}


def main(argv: list[str]) -> int:
    NB_DIR.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        if argv and not any(name.startswith(a) for a in argv):
            continue
        nb = build(name, cells)
        execute(nb)
        nbformat.write(nb, NB_DIR / f"{name}.ipynb")
        print(f"wrote notebooks/{name}.ipynb ({(NB_DIR / f'{name}.ipynb').stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
