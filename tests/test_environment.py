"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies."""
from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT

# Extras that environment.yml mirrors; "bench" (spaCy, benchmark only) is pip-only.
MIRRORED_EXTRAS = ("notebook", "dev", "scale")


def _split(req: str) -> dict[str, str]:
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)", req)
    assert m, req
    name, extras, spec = m.group(1).lower().replace("_", "-"), m.group(2), m.group(3).replace(" ", "")
    out = {name: spec}
    if name == "dask" and extras and "distributed" in extras:
        out["distributed"] = spec  # conda-forge ships dask[distributed] as two packages
    return out


def test_environment_yml_matches_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = list(pyproject["project"]["dependencies"])
    for extra in MIRRORED_EXTRAS:
        reqs += pyproject["project"]["optional-dependencies"][extra]
    want: dict[str, str] = {}
    for r in reqs:
        want.update(_split(r))
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    got: dict[str, str] = {}
    pip_section = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_section += dep.get("pip", [])
            continue
        name, spec = _split(dep).popitem()
        if name not in ("python", "pip"):
            got[name] = spec
    assert got == want
    assert "-e ." in pip_section  # installs diplokit itself
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"] if isinstance(d, str))


def test_readme_explains_every_dependency():
    readme = (ROOT / "README.md").read_text().lower()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = list(pyproject["project"]["dependencies"])
    for extras in pyproject["project"]["optional-dependencies"].values():
        reqs += extras
    for r in reqs:
        name = next(iter(_split(r)))
        assert f"`{name}`" in readme, f"README does not say why {name} is a dependency"
