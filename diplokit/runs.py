"""Runs of equal keys in sorted arrays: where each run starts, and per-run values spread
back over the run's rows (the group-by of the vectorised stages, without pandas)."""
from __future__ import annotations

import numpy as np


def run_starts(*keys: np.ndarray) -> np.ndarray:
    """Rows where a run of equal keys begins (rows sorted so equal keys are adjacent; with
    several key arrays, a run ends when any of them changes)."""
    n = len(keys[0])
    change = np.ones(n, dtype=bool)
    if n > 1:
        change[1:] = np.logical_or.reduce([k[1:] != k[:-1] for k in keys])
    return np.flatnonzero(change)


def run_lengths(starts: np.ndarray, n: int) -> np.ndarray:
    """Rows in each run, given its starts and the number of rows."""
    return np.diff(np.r_[starts, n])


def run_max(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """For each row, the largest value of its run."""
    if not len(values):
        return values.copy()
    return np.repeat(np.maximum.reduceat(values, starts), run_lengths(starts, len(values)))


def rank_in_run(starts: np.ndarray, n: int) -> np.ndarray:
    """Each row's position in its run (0 for the first)."""
    return np.arange(n) - np.repeat(starts, run_lengths(starts, n))
