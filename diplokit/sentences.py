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

from .matching import Slicer
from .runs import sorted_unique
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


@lru_cache(maxsize=1)
def _lower_table() -> tuple[np.ndarray, np.ndarray]:
    """``str.lower`` of each code point below U+3000 where it is one character, and where
    it is not (those rows go to the plain test)."""
    low = np.arange(0x3000, dtype=np.uint64)
    odd = np.zeros(0x3000, dtype=bool)
    for c in range(0x3000):
        lo = chr(c).lower()
        if len(lo) == 1:
            low[c] = ord(lo)
        else:
            odd[c] = True
    return low, odd


_HASH_MULT = np.random.default_rng(20261123).integers(1, 2**63, size=7, dtype=np.uint64) | np.uint64(1)


def _token_hashes(rev: np.ndarray, length: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each lower-cased token, from its characters read backwards
    (``rev[:, j]`` is the token's (j + 1)-th character from the end)."""
    low, _ = _lower_table()
    cols = rev.shape[1]
    used = np.arange(cols)[None, :] < length[:, None]
    vals = np.where(used, low[np.minimum(rev, len(low) - 1)], 0).astype(np.uint64)
    with np.errstate(over="ignore"):
        return (vals * _HASH_MULT[:cols][None, :]).sum(axis=1, dtype=np.uint64) + length.astype(np.uint64) * _HASH_MULT[6]


@lru_cache(maxsize=4)
def _abbreviation_hashes(abbrevs: frozenset[str]) -> np.ndarray:
    words = [a for a in abbrevs if 1 <= len(a) <= 6]
    rev = np.zeros((len(words), 6), dtype=np.int64)
    for i, w in enumerate(words):
        for j, ch in enumerate(reversed(w)):
            rev[i, j] = ord(ch)
    return np.unique(_token_hashes(rev, np.array([len(w) for w in words], dtype=np.int64)))


def _abbreviation_candidates(rev: np.ndarray, length: np.ndarray, abbrevs: frozenset[str]) -> np.ndarray:
    """Rows whose token may be an abbreviation: its hash is an abbreviation's, or it has
    a character the lookup tables do not cover (a superset of the true rows)."""
    if not len(rev):
        return np.zeros(0, dtype=np.int64)
    low, odd = _lower_table()
    used = np.arange(rev.shape[1])[None, :] < length[:, None]
    rare = (used & ((rev >= len(low)) | odd[np.minimum(rev, len(low) - 1)])).any(axis=1)
    hit = np.isin(_token_hashes(rev, length), _abbreviation_hashes(abbrevs))
    return np.flatnonzero(hit | rare)


def split_sentences(texts: Sequence[str]) -> pd.DataFrame:
    """Split texts into sentences.

    Returns one row per sentence: ``doc`` (position in ``texts``), ``sentence_id``
    (0-based within the doc), ``start``/``end`` (character offsets into that text, so
    ``texts[doc][start:end] == text``) and ``text``.
    """
    return split_with_codepoints(texts)[0]


def split_with_codepoints(texts: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """``split_sentences``, plus the code points of the texts laid end to end (one "\n"
    between texts) and where each text starts in them, for later stages to reuse."""
    starts_tab, letters_tab, abbrevs = _tables()
    texts = ["" if t is None else str(t) for t in texts]
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    doc_start = np.concatenate([[0], np.cumsum(lengths + 1)])[:-1]  # +1: a "\n" between docs
    big = "\n".join(texts)
    arr = _codepoints(big)
    n = len(arr)
    if n == 0:
        return _empty(), arr, doc_start, big
    space_lut, term_lut, closer_lut, opener_lut = _class_luts()
    # Only the space mask is computed over every character; everything else is looked
    # up at the few candidate positions, through the runs of spaces.
    space = space_lut[arr]
    step = np.diff(space.view(np.int8))  # 1: a space after a non-space, -1: the reverse
    rs = np.flatnonzero(step == 1) + 1  # space-run starts
    if space[0]:
        rs = np.r_[0, rs]
    re_ = np.flatnonzero(step == -1) + 1  # space-run ends (exclusive)
    if space[-1]:
        re_ = np.r_[re_, n]
    newlines = np.flatnonzero(arr == 10)

    # Where each candidate's punctuation run ends: "x. ", "x.” ", "x.” ) ".
    run_ok = rs > 0
    e = rs[run_ok]  # a space at e after a non-space: a sentence would end at e
    k = re_[run_ok]  # next non-space after e (n if none)
    c = arr[e - 1]
    ends = term_lut[c] | closer_lut[c]  # neither: not a boundary, whatever comes before
    e, k = e[ends], k[ends]
    p = e - 1  # terminal punctuation position, skipping up to two closers
    for _ in range(2):
        step = closer_lut[arr[p]] & (p > 0)
        p = np.where(step, p - 1, p)
    ok = term_lut[arr[p]]
    e, p, k = e[ok], p[ok], k[ok]

    # No newline between e and k: the next sentence must start plausibly. A newline in
    # between is a hard break anyway.
    kk = np.minimum(k, n - 1)
    crosses_line = np.searchsorted(newlines, kk, side="right") - np.searchsorted(newlines, e - 1, side="right") > 0
    cp = arr[kk]
    next_ok = (k >= n) | crosses_line | np.where(cp < len(starts_tab), starts_tab[np.minimum(cp, len(starts_tab) - 1)], True)
    e, p = e[next_ok], p[next_ok]

    # Full stops after abbreviations, initials and dotted forms are not boundaries.
    is_dot = arr[p] == ord(".")
    if is_dot.any():
        # Token before the dot (back to a space or an opener): only its length up to 9
        # matters, so look at the 9 characters before each candidate.
        width = 9
        q = p[:, None] - np.arange(1, width + 1)[None, :]
        cq = arr[np.maximum(q, 0)]
        brk = (q < 0) | space_lut[cq] | opener_lut[cq]
        has_brk = brk.any(axis=1)
        j = np.where(has_brk, brk.argmax(axis=1), width)  # first break going back
        tok_len = j  # characters between the break and the dot (>= 9: long)
        tok_start = p - tok_len
        in_tok = np.arange(width)[None, :] < tok_len[:, None]
        inner_dot = ((cq == ord(".")) & in_tok).any(axis=1) | (p == 0)
        single = tok_len == 1
        first_cp = arr[np.maximum(p - 1, 0)]
        initial = single & (first_cp < len(letters_tab)) & letters_tab[np.minimum(first_cp, len(letters_tab) - 1)]
        bad = is_dot & (inner_dot & (tok_len <= 8) | initial)
        short = np.flatnonzero(is_dot & ~bad & (tok_len >= 1) & (tok_len <= 6))
        for j in _abbreviation_candidates(cq[short, :6], tok_len[short], abbrevs):
            j = short[j]  # a hash hit (or a rare character): the plain test decides
            if big[tok_start[j]:p[j]].lower() in abbrevs:
                bad[j] = True
        e = e[~bad]

    cuts = sorted_unique(np.concatenate([e, newlines, [0, n]]))
    seg_s, seg_e = cuts[:-1], cuts[1:]
    # First non-space at or after seg_s; last non-space at or before seg_e - 1.
    rs_pad, re_pad = np.r_[rs, n], np.r_[re_, n]  # a sentinel run: never indexed when r < 0
    r = np.searchsorted(rs, seg_s, side="right") - 1
    inside = (r >= 0) & (seg_s < re_pad[np.maximum(r, 0)])
    s = np.where(inside, re_pad[np.maximum(r, 0)], seg_s)
    q = seg_e - 1
    r = np.searchsorted(rs, q, side="right") - 1
    inside = (r >= 0) & (q < re_pad[np.maximum(r, 0)])
    last = np.where(inside, rs_pad[np.maximum(r, 0)] - 1, q)
    keep = (s < seg_e) & (last >= s)
    s, end = s[keep], last[keep] + 1

    doc = np.searchsorted(doc_start, s, side="right") - 1
    first_of_doc = np.r_[True, doc[1:] != doc[:-1]]
    run_start = np.maximum.accumulate(np.where(first_of_doc, np.arange(len(doc)), 0))
    sentence_id = np.arange(len(doc)) - run_start

    # Sentence texts sliced out of one UTF-8 buffer by byte offsets: no per-sentence Python.
    sent_text = Slicer(big, arr).take(s, end)

    df = pd.DataFrame(
        {
            "doc": doc.astype(np.int64),
            "sentence_id": sentence_id.astype(np.int32),
            "start": (s - doc_start[doc]).astype(np.int32),
            "end": (end - doc_start[doc]).astype(np.int32),
            "text": pd.Series(sent_text, dtype="str"),
        }
    )
    return df, arr, doc_start, big


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
