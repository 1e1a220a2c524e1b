"""Multi-pattern matching with Aho-Corasick automata over whole batches of text.

Texts are laid end to end and folded (lower case, accents and dash/quote variants
removed) with a one-to-one character table, so offsets in the folded text are offsets in
the original. One automaton scans the folded text for case-insensitive terms; another
scans the original text for acronyms, which are case-sensitive ("AU" is not "au").
Word boundaries, wildcard cues and longest-match selection are then numpy operations on
the arrays of match positions.
"""
from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick
import numpy as np
import pandas as pd

_TABLE_SIZE = 0x3000
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u00b4": "'", "`": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"'}


@lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """A str.translate table mapping each character to exactly one character."""
    table: dict[int, str] = {}
    for cp in range(_TABLE_SIZE):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        low = base.lower()
        out = low if len(low) == 1 else base
        if out != ch:
            table[cp] = out
    for d in _DASHES:
        table[ord(d)] = "-"
    for q, r in _QUOTES.items():
        table[ord(q)] = r
    table[0xA0] = " "
    table[0x202F] = " "
    return table


@lru_cache(maxsize=1)
def _fold_lut() -> np.ndarray | None:
    """``fold_table`` as an array over all code points (None if some entry is not one char)."""
    lut = np.arange(0x110000, dtype=np.uint32)
    for cp, out in fold_table().items():
        if len(out) != 1:
            return None
        lut[cp] = ord(out)
    return lut


def fold(text: str) -> str:
    """Lower-case, strip accents, unify dashes and quotes; ``len(fold(t)) == len(t)``."""
    if len(text) > 4096:  # long batch texts: one array lookup instead of str.translate
        lut = _fold_lut()
        if lut is not None:
            try:
                return lut[codepoints(text)].tobytes().decode("utf-32-le")
            except UnicodeError:  # lone surrogates: leave them to str.translate
                pass
    return text.translate(fold_table())


@lru_cache(maxsize=1)
def _word_table() -> np.ndarray:
    return np.array([chr(c).isalnum() or chr(c) == "_" for c in range(_TABLE_SIZE)], dtype=bool)


def word_chars(codepoints: np.ndarray) -> np.ndarray:
    """Boolean array: is each code point part of a word (letters, digits, underscore)."""
    table = _word_table()
    out = np.ones(len(codepoints), dtype=bool)  # rare scripts count as word characters
    small = codepoints < _TABLE_SIZE
    out[small] = table[codepoints[small]]
    return out


def codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


@dataclass
class Matches:
    """Raw matches: ``start``/``end`` offsets into the searched text and the term index."""

    start: np.ndarray
    end: np.ndarray
    term: np.ndarray


class Matcher:
    """Compiled automata for a table of terms (see ``Lexicon.terms``).

    ``terms`` needs columns ``term``, ``case_sensitive`` and optionally ``prefix`` (a
    trailing ``*`` in the term also sets it): a prefix term may be followed by more
    word characters, and its match is extended to the end of that word.
    """

    def __init__(self, terms: pd.DataFrame):
        t = terms.reset_index(drop=True).copy()
        raw = t["term"].astype(str)
        t["prefix"] = raw.str.endswith("*")
        t["term"] = raw.str.rstrip("*").str.strip()
        self.terms = t
        self._auto: dict[bool, ahocorasick.Automaton] = {}
        self._keys: dict[bool, list[np.ndarray]] = {}
        self._key_len: dict[bool, np.ndarray] = {}
        self._key_count: dict[bool, np.ndarray] = {}
        self._key_terms: dict[bool, np.ndarray] = {}
        self._key_first: dict[bool, np.ndarray] = {}
        for cs in (False, True):
            sub = t[t["case_sensitive"] == cs]
            a = ahocorasick.Automaton()
            groups: dict[str, list[int]] = {}
            for i, term in zip(sub.index, sub["term"]):
                key = term if cs else fold(term)
                groups.setdefault(key, []).append(int(i))
            keys = []
            for k, (key, ids) in enumerate(sorted(groups.items())):
                a.add_word(key, k)
                keys.append(np.array(ids, dtype=np.int64))
            if keys:
                a.make_automaton()
                self._auto[cs] = a
            self._keys[cs] = keys
            self._key_len[cs] = np.array([len(k) for k in sorted(groups)], dtype=np.int64)
            self._key_count[cs] = np.array([len(ids) for ids in keys], dtype=np.int64)
            self._key_terms[cs] = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
            self._key_first[cs] = np.r_[0, np.cumsum(self._key_count[cs])[:-1]].astype(np.int64) if keys else np.zeros(0, dtype=np.int64)
        self.prefix = t["prefix"].to_numpy()

    def find(self, text: str, folded: str | None = None) -> Matches:
        """All matches of all terms that sit on word boundaries (several terms can share
        one span, e.g. a surname shared by two people: each gets a row)."""
        folded = fold(text) if folded is None else folded
        starts, ends, terms = [], [], []
        for cs, hay in ((False, folded), (True, text)):
            a = self._auto.get(cs)
            if a is None:
                continue
            # One C-level scan, read straight into an array of (end, key) pairs.
            found = np.fromiter(itertools.chain.from_iterable(a.iter(hay)), dtype=np.int64).reshape(-1, 2)
            if not len(found):
                continue
            key = found[:, 1]
            e = found[:, 0] + 1
            s = e - self._key_len[cs][key]
            counts = self._key_count[cs][key]
            rep = np.repeat(np.arange(len(found)), counts)
            # Each match expands to its key's terms, in the key's order.
            within = np.arange(len(rep)) - np.repeat(np.cumsum(counts) - counts, counts)
            starts.append(s[rep])
            ends.append(e[rep])
            terms.append(self._key_terms[cs][self._key_first[cs][key[rep]] + within])
        if not starts:
            empty = np.zeros(0, dtype=np.int64)
            return Matches(empty, empty, empty)
        s, e, term = np.concatenate(starts), np.concatenate(ends), np.concatenate(terms)
        cps = codepoints(folded)
        isword = word_chars(cps)
        n = len(cps)
        left_ok = (s == 0) | ~isword[np.maximum(s - 1, 0)]
        # A term that itself starts or ends with a non-word character needs no boundary there.
        first_word = isword[np.minimum(s, n - 1)]
        last_word = isword[np.maximum(e - 1, 0)]
        left_ok |= ~first_word
        right_edge = np.minimum(e, n - 1)
        right_ok = (e >= n) | ~isword[right_edge] | ~last_word
        pre = self.prefix[term]
        keep = left_ok & (right_ok | pre)
        s, e, term, pre = s[keep], e[keep], term[keep], pre[keep]
        if pre.any():
            # Extend wildcard matches to the end of their word.
            idx = np.arange(n + 1)
            nonword = np.where(np.r_[~isword, True], idx, n)
            next_nonword = np.minimum.accumulate(nonword[::-1])[::-1]
            e = np.where(pre, next_nonword[np.minimum(e, n)], e)
        order = np.lexsort((term, -(e - s), s))
        return Matches(s[order], e[order], term[order])


def longest(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Mask of the spans kept by "longest match wins": drop every span contained in a
    longer (or equal, earlier-listed) one, then drop spans overlapping a kept earlier span.
    Input must be sorted by start, then by length descending."""
    if len(start) == 0:
        return np.zeros(0, dtype=bool)
    prev_max_end = np.maximum.accumulate(np.r_[-1, end[:-1]])
    same_span = np.r_[False, (start[1:] == start[:-1]) & (end[1:] == end[:-1])]
    keep = (end > prev_max_end) | same_span  # not inside an earlier-starting longer span
    # Partial overlaps that survive: keep the earlier span.
    k = np.flatnonzero(keep)
    ks, ke = start[k], end[k]
    kept_end = np.maximum.accumulate(np.r_[-1, ke[:-1]])
    same = np.r_[False, (ks[1:] == ks[:-1]) & (ke[1:] == ke[:-1])]
    ok = (ks >= kept_end) | same
    out = np.zeros(len(start), dtype=bool)
    out[k[ok]] = True
    return out
