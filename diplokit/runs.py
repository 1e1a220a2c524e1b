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


def sorted_unique(a: np.ndarray, return_counts: bool = False, return_index: bool = False):
    """``np.unique`` for integer arrays that are already nearly sorted (hits in text
    order, rows grouped by article): a stable sort runs through sorted stretches in
    linear time, where numpy's hash-based ``unique`` hashes every element (about 30x
    slower on such arrays). Same results as ``np.unique`` with the same flags
    (``return_index``: the first occurrence of each value)."""
    a = np.asarray(a).ravel()
    order = np.argsort(a, kind="stable") if return_index else None
    b = a[order] if order is not None else np.sort(a, kind="stable")
    starts = run_starts(b) if len(b) else np.zeros(0, dtype=np.int64)
    out = [b[starts]]
    if return_index:
        out.append(order[starts])
    if return_counts:
        out.append(run_lengths(starts, len(b)))
    return out[0] if len(out) == 1 else tuple(out)


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
