"""Where diplokit's bundled data lives, and small cached readers for it."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
LEXICON_DIR = PACKAGE_DIR / "lexicons"
#: The bundled corpus ships in the repository's top-level data/ folder.
DATA_DIR = PACKAGE_DIR.parent / "data"
CORPUS_DIR = DATA_DIR / "corpus"


def lexicon_path(name: str) -> Path:
    """Path of a bundled lexicon file such as ``"sectors.yaml"``."""
    return LEXICON_DIR / name


# libyaml's C parser when PyYAML was built with it (the wheels are): ten times faster than
# the pure-Python one, which start-up (and every build) would otherwise wait for.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=None)
def _read_yaml(path: str, mtime: float) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SAFE_LOADER)


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file (cached until the file changes on disk)."""
    p = Path(path)
    return _read_yaml(str(p), p.stat().st_mtime)
