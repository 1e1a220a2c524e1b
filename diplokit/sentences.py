"""Sentence boundaries with character offsets, computed on numpy arrays of code points.

All texts of a batch are laid end to end and scanned as one array: candidate boundaries
are terminal punctuation followed by whitespace and a plausible sentence start; a full
stop after an abbreviation ("Gen.", "Dr.", "No. 5"), an initial ("J.") or a dotted form
("U.S.") is not a boundary, and neither is a decimal point. Line breaks always are.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .resources import lexicon_path, read_yaml

_TERMINALS = np.array([ord(c) for c in ".!?…"], dtype=np.uint32)
_CLOSERS = np.array([ord(c) for c in "\"'”’»)]"], dtype=np.uint32)
_OPENERS = np.array([ord(c) for c in "\"'“‘«(["], dtype=np.uint32)
_SPACES = np.array([9, 10, 11, 12, 13, 0x1C, 0x1D, 0x1E, 0x1F, 32, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000], dtype=np.uint32)


@lru_cache(maxsize=1)
def _class_luts() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Boolean lookups over all code points for spaces, terminals, closers and openers
    (one array index per character instead of ``np.isin``)."""
    out = []
    for cls in (_SPACES, _TERMINALS, _CLOSERS, _OPENERS):
        lut = np.zeros(0x110000, dtype=bool)
        lut[cls] = True
        out.append(lut)
    return tuple(out)


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray, frozenset[str]]:
    # Lookup tables over the first 0x3000 code points (Latin, Greek, Cyrillic...);
    # rarer scripts count as "may start a sentence", which errs towards splitting.
    cps = range(0x3000)
    starts = np.array([chr(c).isupper() or chr(c).isdigit() or chr(c).istitle() for c in cps], dtype=bool)
    starts[_OPENERS] = True
    letters = np.array([chr(c).isalpha() for c in cps], dtype=bool)
    abbrevs = frozenset(a.lower() for a in read_yaml(lexicon_path("languages.yaml"))["abbreviations"])
    return starts, letters, abbrevs


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def split_sentences(texts: Sequence[str]) -> pd.DataFrame:
    """Split texts into sentences.

    Returns one row per sentence: ``doc`` (position in ``texts``), ``sentence_id``
    (0-based within the doc), ``start``/``end`` (character offsets into that text, so
    ``texts[doc][start:end] == text``) and ``text``.
    """
    starts_tab, letters_tab, abbrevs = _tables()
    texts = ["" if t is None else str(t) for t in texts]
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    doc_start = np.concatenate([[0], np.cumsum(lengths + 1)])[:-1]  # +1: a "\n" between docs
    big = "\n".join(texts)
    arr = _codepoints(big)
    n = len(arr)
    if n == 0:
        return _empty()
    space_lut, term_lut, closer_lut, opener_lut = _class_luts()
    space = space_lut[arr]
    term = term_lut[arr]
    closer = closer_lut[arr]

    # Where each candidate's punctuation run ends: "x. ", "x.” ", "x.”) ".
    e = np.flatnonzero(space[1:]) + 1  # a space at e, sentence would end at e
    e = e[~space[e - 1]]
    p = e - 1  # terminal punctuation position, skipping up to two closers
    for _ in range(2):
        step = closer[p] & (p > 0)
        p = np.where(step, p - 1, p)
    ok = term[p]
    e, p = e[ok], p[ok]

    idx = np.arange(n)
    nxt = np.where(~space, idx, n)
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]  # next non-space at or after i
    k = nxt[e]
    newline = arr == 10
    # No newline between e and k: the next sentence must start plausibly. A newline in
    # between is a hard break anyway.
    nl_cum = np.cumsum(newline)
    crosses_line = nl_cum[np.minimum(k, n - 1)] - nl_cum[e - 1] > 0
    kk = np.minimum(k, n - 1)
    cp = arr[kk]
    next_ok = (k >= n) | crosses_line | np.where(cp < len(starts_tab), starts_tab[np.minimum(cp, len(starts_tab) - 1)], True)
    e, p = e[next_ok], p[next_ok]

    # Full stops after abbreviations, initials and dotted forms are not boundaries.
    is_dot = arr[p] == ord(".")
    if is_dot.any():
        tok_break = space | opener_lut[arr]
        brk = np.flatnonzero(tok_break)
        pos = np.searchsorted(brk, p, side="left") - 1
        tok_start = np.where(pos >= 0, brk[np.maximum(pos, 0)] + 1, 0)
        tok_len = p - tok_start
        dots = np.cumsum(arr == ord("."))
        inner_dot = (dots[p - 1] - np.where(tok_start > 0, dots[np.maximum(tok_start - 1, 0)], 0)) > 0
        single = tok_len == 1
        first_cp = arr[np.minimum(tok_start, n - 1)]
        initial = single & (first_cp < len(letters_tab)) & letters_tab[np.minimum(first_cp, len(letters_tab) - 1)]
        bad = is_dot & (inner_dot & (tok_len <= 8) | initial)
        short = np.flatnonzero(is_dot & ~bad & (tok_len >= 1) & (tok_len <= 6))
        for j in short:  # few: only short words right before a full stop
            if big[tok_start[j]:p[j]].lower() in abbrevs:
                bad[j] = True
        e = e[~bad]

    cuts = np.unique(np.concatenate([e, np.flatnonzero(newline), [0, n]]))
    seg_s, seg_e = cuts[:-1], cuts[1:]
    s = nxt[seg_s]
    prv = np.where(~space, idx, -1)
    prv = np.maximum.accumulate(prv)
    last = prv[seg_e - 1]
    keep = (s < seg_e) & (last >= s)
    s, end = s[keep], last[keep] + 1

    doc = np.searchsorted(doc_start, s, side="right") - 1
    first_of_doc = np.r_[True, doc[1:] != doc[:-1]]
    run_start = np.maximum.accumulate(np.where(first_of_doc, np.arange(len(doc)), 0))
    sentence_id = np.arange(len(doc)) - run_start

    # Slice sentence texts out of one UTF-8 buffer by byte offsets: no per-sentence Python.
    nbytes = np.where(arr < 0x80, 1, np.where(arr < 0x800, 2, np.where(arr < 0x10000, 3, 4)))
    byte_at = np.concatenate([[0], np.cumsum(nbytes)])
    bounds = np.empty(2 * len(s) + 2, dtype=np.int64)
    bounds[0] = 0
    bounds[1:-1:2] = byte_at[s]
    bounds[2:-1:2] = byte_at[end]
    bounds[-1] = byte_at[-1]
    data = big.encode("utf-8")
    pieces = pa.LargeStringArray.from_buffers(len(bounds) - 1, pa.py_buffer(bounds.tobytes()), pa.py_buffer(data))
    sent_text = pc.take(pieces, pa.array(np.arange(1, len(bounds) - 1, 2)))

    return pd.DataFrame(
        {
            "doc": doc.astype(np.int64),
            "sentence_id": sentence_id.astype(np.int32),
            "start": (s - doc_start[doc]).astype(np.int32),
            "end": (end - doc_start[doc]).astype(np.int32),
            "text": pd.Series(sent_text.to_pandas(), dtype="str"),
        }
    )


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc": pd.Series([], dtype=np.int64),
            "sentence_id": pd.Series([], dtype=np.int32),
            "start": pd.Series([], dtype=np.int32),
            "end": pd.Series([], dtype=np.int32),
            "text": pd.Series([], dtype="str"),
        }
    )
