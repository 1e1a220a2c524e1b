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
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from re._casefix import (
    _EXTRA_CASES,  # re's extra case equivalences (private, stable since 3.11)
)

import ahocorasick
import numpy as np
import pandas as pd
import pyarrow as pa

from .runs import sorted_unique

_TABLE_SIZE = 0x3000
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_SEP = "\x01"  # stands for every non-word character in the scanned text (see Matcher)
_SEP_CP = ord(_SEP)
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
    # Letters that ``re`` takes for the same letter ignoring case without sharing its lower
    # case ("ſ" for "s", "ı" for "i"): folded alike, so case-insensitive matching here finds
    # at least what ``re`` finds (the candidate scan in annotate.py relies on it).
    for lo, extras in _EXTRA_CASES.items():
        rep = table.get(lo, chr(lo))
        for e in extras:
            if table.get(e, chr(e)) != rep and len(rep) == 1:
                table[e] = rep
    # Letters with a stroke have no decomposition: "Møller" is written "Moller" too.
    for ch, base in {"ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ħ": "h", "Ħ": "h", "ŧ": "t", "Ŧ": "t"}.items():
        table[ord(ch)] = base
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
def all_chars() -> str:
    """Every code point once, in order: for building lookup tables with ``re``."""
    return np.arange(0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=1)
def _word_table() -> np.ndarray:
    """Python's ``\\w`` (letters, digits, underscore) over all code points."""
    table = np.zeros(0x110000, dtype=bool)
    table[[m.start() for m in re.finditer(r"\w", all_chars())]] = True
    return table


def word_chars(codepoints: np.ndarray) -> np.ndarray:
    """Boolean array: is each code point part of a word (letters, digits, underscore)."""
    return _word_table()[codepoints]


def codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


class Slicer:
    """Substrings of one big text by character offsets, taken in Arrow from its UTF-8 bytes
    (no Python string per slice): ``Slicer(big, cps).take(start, end)`` equals
    ``[big[s:e] for s, e in zip(start, end)]`` as a pandas "str" array."""

    def __init__(self, text: str, cps: np.ndarray | None = None):
        cps = codepoints(text) if cps is None else cps
        self.text = text
        self.data = pa.py_buffer(text.encode("utf-8", "surrogatepass"))
        wide = np.flatnonzero(cps >= 0x80)
        wcp = cps[wide]
        self.wide = wide
        # Extra UTF-8 bytes of the non-ASCII characters before each wide one.
        self.extra = np.r_[0, np.cumsum(1 + (wcp >= 0x800).astype(np.int64) + (wcp >= 0x10000))]

    def byte_offsets(self, chars: np.ndarray) -> np.ndarray:
        chars = np.asarray(chars, dtype=np.int64)
        return chars + self.extra[np.searchsorted(self.wide, chars, side="left")]

    def take(self, start: np.ndarray, end: np.ndarray) -> pd.api.extensions.ExtensionArray:
        n = len(start)
        bounds = np.empty(2 * n + 1, dtype=np.int64)
        bounds[0:-1:2] = self.byte_offsets(start)
        bounds[1::2] = self.byte_offsets(end)
        bounds[-1] = bounds[-2] if n else 0
        if n and not np.all(bounds[1:] >= bounds[:-1]):  # overlapping or unsorted: rare
            return pd.array([self.text[a:b] for a, b in zip(np.asarray(start).tolist(), np.asarray(end).tolist())], dtype="str")
        # One string per boundary gap; every second one is a wanted slice.
        pieces = pa.LargeStringArray.from_buffers(len(bounds) - 1, pa.py_buffer(bounds.tobytes()), self.data)
        arr = pieces.take(pa.array(np.arange(0, 2 * n, 2)))
        return pd.array(arr, dtype="str")


@dataclass
class Matches:
    """Raw matches: ``start``/``end`` offsets into the searched text and the term index,
    ordered by start, longest first, then term."""

    start: np.ndarray
    end: np.ndarray
    term: np.ndarray


class Matcher:
    """A compiled automaton for a table of terms (see ``Lexicon.terms``).

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
        self.prefix = t["prefix"].to_numpy()
        self.case_sensitive = t["case_sensitive"].to_numpy(dtype=bool)
        self._auto: ahocorasick.Automaton | None = None
        self._compile(t)

    def _compile(self, t: pd.DataFrame) -> None:
        """One automaton over *anchored* folded keys, scanned in folded text where every
        non-word character is ``_SEP``: a key gets ``_SEP`` in place of its own non-word
        characters, and a leading/trailing ``_SEP`` where its first/last character is a
        word character (no trailing one for prefix terms). A hit is then a match on word
        boundaries, provided the key's non-word characters are the text's (folded), and,
        for case-sensitive terms (acronyms: "AU" is not "au"), every character is the
        text's as written: both checked afterwards, in numpy."""
        n_terms = len(t)
        groups: dict[str, list[int]] = {}
        length = np.zeros(n_terms, dtype=np.int64)
        right = np.zeros(n_terms, dtype=np.int64)
        nw_first = np.zeros(n_terms, dtype=np.int64)
        nw_count = np.zeros(n_terms, dtype=np.int64)
        nw_off: list[int] = []
        nw_cp: list[int] = []
        cs_first = np.zeros(n_terms, dtype=np.int64)
        cs_cp: list[int] = []
        # Folded once for all terms (folding keeps lengths), word characters looked up once.
        term_list = t["term"].tolist()
        joined = "\n".join(term_list)
        folded_all = fold(joined)
        isword_all = word_chars(codepoints(folded_all)).tolist()
        pos = 0
        for i, (term, cs, pre) in enumerate(zip(term_list, self.case_sensitive.tolist(), self.prefix.tolist())):
            key, isword = folded_all[pos : pos + len(term)], isword_all[pos : pos + len(term)]
            pos += len(term) + 1
            if not key:
                continue  # an empty key never matches
            r = isword[-1] and not pre
            body = "".join(c if w else _SEP for c, w in zip(key, isword))
            anchored = (_SEP if isword[0] else "") + body + (_SEP if r else "")
            groups.setdefault(anchored, []).append(i)
            length[i], right[i] = len(key), int(r)
            if cs:  # the whole term as written (which covers its non-word characters)
                cs_first[i] = len(cs_cp)
                cs_cp += [ord(c) for c in term]
                continue
            off = [j for j, w in enumerate(isword) if not w]
            nw_first[i], nw_count[i] = len(nw_off), len(off)
            nw_off += off
            nw_cp += [ord(key[j]) for j in off]
        a = ahocorasick.Automaton()
        ids = []
        for k, (anchored, members) in enumerate(sorted(groups.items())):
            a.add_word(anchored, k)
            ids.append(np.array(members, dtype=np.int64))
        if not ids:
            return
        a.make_automaton()
        self._auto = a
        count = np.array([len(m) for m in ids], dtype=np.int64)
        self._key_terms = np.concatenate(ids)  # terms of each anchored key, key after key
        self._key_first = np.r_[0, np.cumsum(count)[:-1]].astype(np.int64)  # first of each key
        self._key_count = count
        self._length, self._right = length, right
        self._nw = (nw_first, nw_count, np.array(nw_off, dtype=np.int64), np.array(nw_cp, dtype=np.int64))
        self._cs = (cs_first, np.array(cs_cp, dtype=np.int64))

    @staticmethod
    def _mismatch(src: np.ndarray, s: np.ndarray, first: np.ndarray, count: np.ndarray, off: np.ndarray | None, cp: np.ndarray) -> np.ndarray:
        """Rows whose characters at ``s + off`` (or ``s + 0..count-1`` when ``off`` is None)
        differ from ``cp[first:first + count]``."""
        hit = np.repeat(np.arange(len(s)), count)
        j = np.arange(len(hit)) - np.repeat(np.cumsum(count) - count, count)
        k = first[hit] + j
        pos = s[hit] + (off[k] if off is not None else j)
        return sorted_unique(hit[src[pos] != cp[k]])

    def find(self, text: str, folded: str | None = None, *, folded_cps: np.ndarray | None = None, text_cps: np.ndarray | None = None) -> Matches:
        """All matches of all terms that sit on word boundaries (several terms can share
        one span, e.g. a surname shared by two people: each gets a row)."""
        empty = np.zeros(0, dtype=np.int64)
        if self._auto is None:
            return Matches(empty, empty, empty)
        folded = fold(text) if folded is None else folded
        cps = codepoints(folded) if folded_cps is None else folded_cps
        isword = word_chars(cps)
        n = len(cps)
        nonword = np.flatnonzero(~isword)
        hay = np.empty(n + 2, dtype=np.uint32)
        hay[0] = hay[-1] = _SEP_CP
        hay[1:-1] = cps
        hay[nonword + 1] = _SEP_CP
        # One C-level scan, read straight into an array of (end, key) pairs.
        found = np.fromiter(itertools.chain.from_iterable(self._auto.iter(hay.tobytes().decode("utf-32-le"))), dtype=np.int64).reshape(-1, 2)
        if not len(found):
            return Matches(empty, empty, empty)
        key = found[:, 1]
        counts = self._key_count[key]
        rep = np.repeat(np.arange(len(found)), counts)
        # Each hit expands to its key's terms.
        within = np.arange(len(rep)) - np.repeat(np.cumsum(counts) - counts, counts)
        term = self._key_terms[self._key_first[key[rep]] + within]
        e = found[rep, 0] - self._right[term]  # the haystack has one extra leading character
        s = e - self._length[term]
        inside = (s >= 0) & (e <= n)  # not on the separators added at both ends
        if not inside.all():
            s, e, term = s[inside], e[inside], term[inside]
        ok = np.ones(len(term), dtype=bool)
        # The key's non-word characters must be the text's (folded).
        nw_first, nw_count, nw_off, nw_cp = self._nw
        c = nw_count[term]
        if c.any():
            ok[self._mismatch(cps, s, nw_first[term], c, nw_off, nw_cp)] = False
        # Case-sensitive terms must be the text as written, character for character.
        cs = self.case_sensitive[term]
        if cs.any():
            src = codepoints(text) if text_cps is None else text_cps
            rows = np.flatnonzero(cs)
            cs_first, cs_cp = self._cs
            t_cs = term[rows]
            ok[rows[self._mismatch(src, s[rows], cs_first[t_cs], self._length[t_cs], None, cs_cp)]] = False
        if not ok.all():
            s, e, term = s[ok], e[ok], term[ok]
        pre = self.prefix[term]
        if pre.any():
            # Extend wildcard matches to the end of their word.
            nxt = np.r_[nonword, n][np.searchsorted(nonword, e[pre], side="left")]
            e = e.copy()
            e[pre] = nxt
        order = _span_order(s, e, term)
        return Matches(s[order], e[order], term[order])


def _span_order(s: np.ndarray, e: np.ndarray, term: np.ndarray) -> np.ndarray:
    """``np.lexsort((term, -(e - s), s))``: by start, longest first, then term. The three
    keys are packed into one integer when they fit, and its stable sort runs through the
    automaton's nearly ordered hits in about linear time (lexsort: ~30x slower here)."""
    if not len(s):
        return np.zeros(0, dtype=np.int64)
    length = e - s
    t_bits, l_bits = int(term.max()).bit_length(), int(length.max()).bit_length()
    if int(s.max()).bit_length() + l_bits + t_bits > 62:
        return np.lexsort((term, -length, s))
    key = (s << (l_bits + t_bits)) | (((1 << l_bits) - 1 - length) << t_bits) | term
    return np.argsort(key, kind="stable")


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


def prev_word(text: str, s: int) -> tuple[str, int]:
    """The word right before offset ``s`` (skipping spaces), and where it starts."""
    j = s
    while j > 0 and text[j - 1] in " \t":
        j -= 1
    if j == s or j == 0:
        return "", s
    i = j
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] in "'’-._"):
        i -= 1
    return text[i:j], i


#: Characters of a word inside a name, besides letters and digits ("Kouyaté-Price", "N'Golo").
NAME_PUNCT = "'’-_"


def next_word(text: str, e: int) -> str:
    """The word right after offset ``e`` (after one space or tab), or "" when another
    character follows (punctuation, a line break)."""
    if e >= len(text) or text[e] not in " \t":
        return ""
    j = e + 1
    k = j
    while k < len(text) and (text[k].isalnum() or text[k] in NAME_PUNCT):
        k += 1
    return text[j:k]


def connector_keys(connectors: list[str]) -> tuple[str, ...]:
    """What stands, folded, right before a place joined to a name by each connector: " of ",
    " de ", and " d'" for an elided one (glued to the place)."""
    return tuple(" " + fold(c) + ("" if c.endswith(("'", "’")) else " ") for c in connectors)


def in_proper_name(text: str, folded: str, s: int, keys: tuple[str, ...]) -> bool:
    """Whether offset ``s`` follows "<Capitalised word> <connector>" inside a sentence
    (``keys`` from ``connector_keys``): a place inside an organisation's name ("University
    of Nairobi", "Petro de Luanda", "GS Pétroliers d'Alger"), not a government. A
    capitalised word opening the sentence ("Representatives of Kinshasa") does not count."""
    key = next((k for k in keys if s >= len(k) and folded.startswith(k, s - len(k))), None)
    if key is None:
        return False
    j = s - len(key) + 1  # the connector's first character, after its space
    word, i = prev_word(text, j)
    if not word or not word[0].isupper():
        return False
    k = i
    while k > 0 and text[k - 1] in " \t":
        k -= 1
    return k > 0 and text[k - 1] not in ".!?…\n\"“«:;"


def names_another_person(word: str, generic: frozenset[str], titles: frozenset[str]) -> bool:
    """Whether ``word``, right before a surname, is someone's first name ("Jeannette" in
    "Jeannette Kagame"): capitalised, and not a generic capitalised word ("Rwandan",
    "During"), a title, a possessive ("Kenya's") or an abbreviation ("Gen.")."""
    return bool(word) and word[0].isupper() and fold(word) not in generic and fold(word) not in titles \
        and not word.endswith(("'s", "’s")) and not word.endswith(".")
