from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Fixture notebooks are inputs of the report/browser tests, not notebooks for nbval.
collect_ignore_glob = ["fixtures/*"]
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir() or not list(SEEDS.glob("*.txt")):
        pytest.skip("../shared/seeds is not beside the checkout")
    return SEEDS


def seed_lines(name_prefix: str) -> list[str]:
    """The lines of a seed file (1-based: index 0 is unused)."""
    path = next(SEEDS.glob(f"{name_prefix}*.txt"))
    return [""] + path.read_text(encoding="utf-8").split("\n")
