"""Exact and near-duplicate stories: the same body syndicated under other headers and footers.

Stories and sentences are compared by *fingerprints* of their words: letters and digits
folded to lower case without accents, every run of other characters (spaces,
punctuation) one separator, nothing before the first word or after the last ("Talks, in
KIGALI." and "talks in Kigali" are one fingerprint). The normalised words of all spans
of a batch are laid out once as one numpy array of UTF-16 code units (no normalised
string is built per span) and each span's slice of it is hashed with BLAKE2b: the same fingerprint
comes out whether a story is loaded alone, in a batch, or in a chunk of a streaming build,
on any machine.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np
import pandas as pd

from .matching import _fold_lut, fold_table, word_chars

MIN_SENTENCE_CHARS = 30
MAX_DOCS_PER_SENTENCE = 50  # a sentence shared that widely is boilerplate, not a story
_SEP = 0x20  # the separator between words


@lru_cache(maxsize=1)
def _word_fold() -> np.ndarray:
    """Folded code point of every character (lower case, no accents), as matching folds."""
    lut = _fold_lut()
    if lut is None:  # not one-to-one: take the first character of each translation
        lut = np.arange(0x110000, dtype=np.uint32)
        for cp, out in fold_table().items():
            lut[cp] = ord(out[0])
    return lut.astype(np.uint32)


def fingerprints(cps: np.ndarray, start: np.ndarray, end: np.ndarray, folded_out: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fingerprint of the words of each span ``[start, end)`` of the code points ``cps``.

    Returns ``(fingerprint, length)``: the 64-bit BLAKE2b of the span's normalised text
    (see the module docstring) encoded as UTF-16-LE, and that text's length in UTF-16 code
    units (characters; the rare ones beyond U+FFFF count twice). A span without words has
    length 0 and fingerprint 0. If ``folded_out`` is a dict, its ``"folded_cps"`` entry is
    set to the folded code points (``matching.fold``'s), for annotation to reuse.
    """
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    out = np.zeros(len(start), dtype=np.uint64)
    if len(cps) == 0 or len(start) == 0:
        return out, np.zeros(len(start), dtype=np.int64)
    folded = _word_fold()[cps]
    if folded_out is not None:
        folded_out["folded_cps"] = folded
    # Word characters as folded: "ʼ" (a modifier letter) folds to "'", a separator, so
    # "Dʼivoire" and "D'ivoire" are the same words.
    isword = word_chars(folded)
    keep = isword.copy()
    keep[1:] |= isword[:-1]  # words, and the first character of each run between words
    sym = np.where(isword, folded, np.uint32(_SEP))
    wide = keep & (sym >= 0x10000)
    if wide.any():  # beyond U+FFFF: two UTF-16 code units (a surrogate pair)
        vals, w = sym[keep], wide[keep]
        units = np.repeat(vals, 1 + w.astype(np.int64))
        at = np.flatnonzero(np.repeat(w, 1 + w.astype(np.int64)))[::2]
        v = units[at] - 0x10000
        units[at], units[at + 1] = 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)
        units = units.astype(np.uint16)
        ck = np.r_[0, np.cumsum(keep.astype(np.int64) + wide)]
        lo, hi = ck[start], ck[end]
    else:
        units = sym[keep].astype(np.uint16)
        # Code units before a character: kept characters before it (a running count).
        kept = np.cumsum(keep, dtype=np.int32 if len(keep) < 2**31 else np.int64)
        lo = np.where(start > 0, kept[np.maximum(start - 1, 0)], 0).astype(np.int64)
        hi = np.where(end > 0, kept[np.maximum(end - 1, 0)], 0).astype(np.int64)
    n = len(units)
    if n == 0:  # no word anywhere
        return out, np.zeros(len(start), dtype=np.int64)
    # A span's units can begin or end with one separator (the run around it): drop it.
    hi = np.where((hi > lo) & (units[np.clip(hi - 1, 0, n - 1)] == _SEP), hi - 1, hi)
    lo = np.where((hi > lo) & (units[np.clip(lo, 0, n - 1)] == _SEP), lo + 1, lo)
    length = np.maximum(hi - lo, 0)
    idx = np.flatnonzero(length > 0)
    out[idx] = _digests(units, lo[idx], hi[idx])
    return out, length


def _digests(symbols: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """BLAKE2b (64-bit) of the bytes of each slice ``symbols[lo:hi]`` (little-endian,
    whatever the machine), as an array of uint64."""
    width = symbols.dtype.itemsize
    mv = memoryview(symbols.astype(symbols.dtype.newbyteorder("<"), copy=False).tobytes())
    blake = hashlib.blake2b
    joined = b"".join([blake(mv[x:y], digest_size=8).digest() for x, y in zip((lo * width).tolist(), (hi * width).tolist())])
    return np.frombuffer(joined, dtype="<u8").copy()


def group_fingerprints(group: np.ndarray, fingerprint: np.ndarray, n_groups: int) -> np.ndarray:
    """One fingerprint per group (e.g. per document, over its sentences' fingerprints in
    order, sentences without words left out; ``group`` must be sorted): equal exactly when
    the groups' normalised texts are equal. Groups without words get 0."""
    group = np.asarray(group, dtype=np.int64)
    keep = np.asarray(fingerprint) != 0
    g, f = group[keep], np.asarray(fingerprint, dtype=np.uint64)[keep]
    out = np.zeros(n_groups, dtype=np.uint64)
    if not len(g):
        return out
    bounds = np.searchsorted(g, np.arange(n_groups + 1), side="left")
    has = bounds[1:] > bounds[:-1]
    # The digests of one group are contiguous 64-bit words: hash those as symbols.
    out[has] = _digests(f, bounds[:-1][has], bounds[1:][has])
    return out


def text_fingerprints(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``fingerprints`` of whole texts (each text one span)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    start = np.concatenate([[0], np.cumsum(lengths + 1)])[:-1]
    cps = np.frombuffer("\n".join(texts).encode("utf-32-le"), dtype="<u4")
    return fingerprints(cps, start, start + lengths)


def find_near_duplicates(doc: np.ndarray, fingerprint: np.ndarray, length: np.ndarray, threshold: float = 0.8) -> list[tuple[int, int, float]]:
    """Find documents whose sentences are mostly found in an earlier document.

    One row per sentence: ``doc`` (document position), its ``fingerprint`` and normalised
    ``length``; sentences shorter than ``MIN_SENTENCE_CHARS`` do not count. Documents
    sharing fingerprints are counted with a self-join. Returns ``(doc, kept_doc, share)``
    for each duplicate, where ``share`` is the fraction of the duplicate's sentences found
    in ``kept_doc``; the kept document is always the earlier one.
    """
    ok = np.asarray(length) >= MIN_SENTENCE_CHARS
    if not ok.any():
        return []
    t = pd.DataFrame({"doc": np.asarray(doc)[ok], "h": np.asarray(fingerprint)[ok]})
    t = t.drop_duplicates()
    sizes = t.groupby("doc").size()
    spread = t.groupby("h")["doc"].transform("size")
    t = t[(spread > 1) & (spread <= MAX_DOCS_PER_SENTENCE)]
    if t.empty:
        return []
    pairs = t.merge(t, on="h", suffixes=("_a", "_b"))
    pairs = pairs[pairs["doc_a"] < pairs["doc_b"]]
    shared = pairs.groupby(["doc_a", "doc_b"]).size().rename("shared").reset_index()
    shared["share"] = shared["shared"] / np.minimum(sizes.reindex(shared["doc_a"]).to_numpy(), sizes.reindex(shared["doc_b"]).to_numpy())
    hits = shared[shared["share"] >= threshold].sort_values(["doc_b", "doc_a"], kind="stable")
    keeper: dict[int, int] = {}
    out = []
    for a, b, share in hits[["doc_a", "doc_b", "share"]].itertuples(index=False):
        if b in keeper:
            continue
        root = keeper.get(a, a)  # if the earlier one is itself a copy, point at its original
        keeper[b] = root
        out.append((int(b), int(root), float(share)))
    return out
