"""People the lexicons do not list, recognised by the way stories introduce them.

A story names an official the lexicons have never heard of the way it names any official:
with a title right before the name ("Health Minister Mutahi Kagwe", "M. Jean Dupont"), or
with the role in apposition ("South Africa's defence minister, Angie Motshekga,", "le
ministre du Pétrole, Sahabi Oumarou,"). Such a name of at least two capitalised words is a
person; ``annotate`` reports every one in ``candidates`` (to grow the lexicons) and, when
``unlisted_people`` is on in ``annotation.yaml``, also counts it as a mention:

- ``entity_id`` is ``new:`` + the name folded to a slug ("Stéphane Romatet" ->
  ``new:stephane_romatet``), the convention of the gold labels for unlisted people;
- ``entity_name`` is the name as the story first writes it; ``entity_type`` is
  ``person``; ``country`` is empty (a title alone does not say which country);
- ``match`` is ``unlisted`` for the full name, and ``surname`` / ``title_surname`` when
  the same story later names the person by surname ("Kagwe said", "Mr Kagwe").

Nothing here is looked up in a model: the evidence is the title, which the user can read
in the mention's sentence.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable

import numpy as np

from .matching import fold, names_another_person, prev_word

# A word of the role phrase between a title and a comma ("minister *of Foreign Affairs*,
# Name"): no punctuation that ends a clause, at most 25 characters, so the comma is
# always within reach of the title (see ``APPOSITIVE_REACH``).
_GAP_WORD = r"[^\s,.;:!?()\[\]{}\"“”«»<>|/]{1,25}"
_GAP_FIRST = r"[a-zà-öø-ÿ][^\s,.;:!?()\[\]{}\"“”«»<>|/]{0,24}"
_GAP_WORDS = 8
_BEFORE_WORDS = 6  # the role phrase after a name and its comma ("Name, director general of ...")
#: The farthest a role phrase's comma can be from the end of its title: a '.', then up to
#: eight words (one whitespace character and at most 25 characters each), then the comma.
#: (French portfolios run long: "la ministre des Pêches et des Infrastructures maritimes et
#: portuaires, Name".)
APPOSITIVE_REACH = 1 + _GAP_WORDS * 26
# A portfolio can be a list ("le ministre de l'Énergie, du Pétrole et des Mines, Name";
# "minister of agriculture, land reform and rural development, Name"): up to three more
# comma-separated parts, each opening with a lower-case word, so a capitalised word after
# a comma always ends the role phrase.
_GAP_PARTS = 3
#: The farthest the comma before the name can be from the end of its title.
_LIST_REACH = APPOSITIVE_REACH + _GAP_PARTS * (2 + _GAP_WORDS * 26)
#: How far before its comma a name is looked for: four words (and connectors).
_NAME_REACH = 4 * 27


def appositive_re(name_pattern: str) -> re.Pattern:
    """What may follow a title's end for the role to be in apposition to a name: optional
    lower-case words of the role phrase (a list of up to four parts, each part after the
    first opening with a lower-case word after a comma), a comma, one space (or tab,
    newline, no-break space), the name."""
    part = rf"{_GAP_FIRST}(?:\s{_GAP_WORD}){{0,{_GAP_WORDS - 1}}}"
    return re.compile(rf"\.?(?:\s{part})?(?:,\s{part}){{0,{_GAP_PARTS}}},[ \t\n\xa0](?P<name>{name_pattern})")


def appositive_matches(big: str, cps: np.ndarray, title_ends: np.ndarray, pattern: re.Pattern) -> list[tuple[int, re.Match]]:
    """``pattern.match(big, e)`` at each title end ``e`` that has a comma within reach
    (the only places it can match); returns ``(e, match)`` for those that do."""
    if not len(title_ends):
        return []
    # Only a comma followed by whitespace and a capital can open the name ("minister, Jane").
    commas = np.flatnonzero(cps[:-2] == 0x2C)
    if len(commas):
        after, first = cps[commas + 1], cps[commas + 2]
        commas = commas[_is_space(after) & _is_capital(first)]
    if not len(commas):
        return []
    nxt = np.searchsorted(commas, title_ends, side="left")
    ok = nxt < len(commas)
    ok[ok] = commas[nxt[ok]] - title_ends[ok] <= _LIST_REACH
    out = []
    for e in title_ends[ok].tolist():
        mt = pattern.match(big, e)
        if mt is not None:
            out.append((e, mt))
    return out


def name_before_re(name_pattern: str, stop_words: list[str]) -> re.Pattern:
    """A name, a comma, one space and the role phrase up to a title (searched with the
    title's start as ``endpos``): "Plasduce Mbossa, director general of ...", "Lefoko
    Moagi, Botswana's minerals minister". The role phrase has at most six words; a
    relative word or a conjunction in it (``stop_words``: "..., whose chief executive",
    "..., and President") means the title is not the name's."""
    stop = "|".join(re.escape(w) for w in stop_words) or "(?!)"
    gap = rf"(?:(?!(?:{stop})\s){_GAP_WORD}[ \t\xa0]){{0,{_BEFORE_WORDS}}}"
    return re.compile(rf"(?<!\S)(?P<name>{name_pattern}),[ \t\xa0]{gap}$")


def names_before_titles(
    big: str, cps: np.ndarray, t_start: np.ndarray, t_end: np.ndarray, pattern: re.Pattern, known_ends: np.ndarray | None = None
) -> list[tuple[int, int, re.Match]]:
    """``pattern.search(big, lo, s)`` before each title ``[s, e)`` that is used as a role
    (not followed by a capitalised name, as in "President Ruto") and has a comma followed
    by whitespace within reach before it; returns ``(s, e, match)`` for those that match.
    ``known_ends`` (sorted): where known mentions end; a comma right after one ("Paul
    Kagame, the president") opens no unlisted name and is not searched."""
    if not len(t_start):
        return []
    commas = np.flatnonzero(cps[:-1] == 0x2C)
    if len(commas):
        after = cps[commas + 1]
        commas = commas[(after == 0x20) | (after == 0xA0) | (after == 0x09)]
    if known_ends is not None and len(known_ends) and len(commas):
        at = np.minimum(np.searchsorted(known_ends, commas), len(known_ends) - 1)
        commas = commas[known_ends[at] != commas]
    if not len(commas):
        return []
    n = len(cps)
    nxt = cps[np.minimum(t_end + 1, n - 1)]
    role = (t_end + 1 >= n) | (cps[np.minimum(t_end, n - 1)] != 0x20) | ~_is_capital(nxt)
    prev = np.searchsorted(commas, t_start, side="left") - 1
    ok = role & (prev >= 0)
    ok[ok] = t_start[ok] - commas[prev[ok]] <= APPOSITIVE_REACH + 1
    # The name: the word before the comma is capitalised, and so is one of the three
    # before it (looked at in a window of characters before each comma still in play).
    width = _NAME_REACH
    c = commas[prev[ok]]
    idx = c[:, None] - np.arange(1, width + 1)[None, :]
    win = cps[np.maximum(idx, 0)]
    space = _is_space(win) | (idx < 0)
    # word j (0 = the last before the comma) starts after the (j+1)-th space going back
    rank = np.cumsum(space, axis=1)
    named = np.zeros(len(c), dtype=bool)
    first_cap = np.zeros(len(c), dtype=bool)
    for j in range(4):
        at = np.argmax(space & (rank == j + 1), axis=1)  # position of that space in the window
        has = (space & (rank == j + 1)).any(axis=1) & (at > 0)
        cap = has & _is_capital(win[np.arange(len(c)), np.maximum(at - 1, 0)])
        if j == 0:
            first_cap = cap
        else:
            named |= cap
    keep = np.flatnonzero(ok)[first_cap & named]
    ok[:] = False
    ok[keep] = True
    out = []
    for s, e, c in zip(t_start[ok].tolist(), t_end[ok].tolist(), commas[prev[ok]].tolist()):
        mt = pattern.search(big, max(c - _NAME_REACH, 0), s)
        if mt is not None:
            out.append((s, e, mt))
    return out


def _is_space(cps: np.ndarray) -> np.ndarray:
    """Space, tab, newline or no-break space: what separates the words of a name."""
    return (cps == 0x20) | (cps == 0x0A) | (cps == 0x09) | (cps == 0xA0)


def _is_capital(cps: np.ndarray) -> np.ndarray:
    """Whether each code point is a capital letter (what the name pattern starts with:
    A-Z, À-Ö, Ø-Þ)."""
    return ((cps >= 0x41) & (cps <= 0x5A)) | ((cps >= 0xC0) & (cps <= 0xD6)) | ((cps >= 0xD8) & (cps <= 0xDE))


def person_slug(name: str) -> str:
    """``new:`` id of an unlisted person: folded, every run of other characters ``_``."""
    return "new:" + re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")


def strip_possessive(name: str) -> str:
    """"Jared Kushner's" -> "Jared Kushner"."""
    return name[:-2] if name.endswith(("'s", "’s")) else name


_PARTICLE = re.compile(r"^[a-zà-ÿ]{1,4}-(?=[A-ZÀ-ÖØ-Þ])")


def looks_like_person(name: str, generic: frozenset[str], titles: frozenset[str], connectors: frozenset[str]) -> bool:
    """At least two capitalised words, none of them a generic capitalised word ("Republic",
    "Affairs", "Airways"), a title or an acronym; small name connectors ("bin", "de") may
    stand between them."""
    words = name.split()
    caps = [w for w in words if fold(w) not in connectors]
    if len(caps) < 2:
        return False
    for w in caps:
        w = _PARTICLE.sub("", w)  # "al-Wazir": the name's capital comes after the particle
        f = fold(w)
        if f in generic or f in titles or not w[:1].isupper():
            return False
        letters = [c for c in w if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            return False
    return True


def surname_of(name: str, connectors: frozenset[str]) -> str:
    """The last capitalised word of a name (the part stories repeat alone)."""
    words = [w for w in name.split() if fold(w) not in connectors]
    return words[-1] if words else ""


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_-'’"


def unlisted_mentions(
    big: str,
    intros: list[tuple[int, int, int, str]],
    doc_start: np.ndarray,
    doc_end: np.ndarray,
    taken: Callable[[int, int], bool],
    in_sentence: Callable[[int, int, int], bool],
    titles_end: dict[int, int],
    generic: frozenset[str],
    titles: frozenset[str],
    connectors: frozenset[str],
) -> list[tuple[int, int, int, str, str, str]]:
    """Mentions of unlisted people in one batch text ``big``.

    ``intros``: ``(doc, start, end, name)`` of the names found after a title (offsets in
    ``big``), already checked with :func:`looks_like_person`. Each is a mention (``match``
    ``unlisted``); then every later or earlier occurrence of the person's surname in the
    same document is one too (``surname``, or ``title_surname`` right after a title, the
    mention then starting at the title), unless ``taken(start, end)`` (a lexicon actor is
    there), it is not inside one sentence (``in_sentence(doc, start, end)``), or a
    capitalised word other than the person's own first names stands right before it
    ("Margaret Kagwe" is someone else). A surname shared by two unlisted people of one
    story goes to the first introduced.

    Returns ``(doc, start, end, entity_id, entity_name, match)`` tuples, sorted by start.
    """
    out: dict[tuple[int, int], tuple] = {}
    first_name: dict[tuple[int, str], str] = {}  # (doc, id) -> the name as first written
    by_surname: dict[tuple[int, str], tuple[str, str]] = {}  # (doc, surname) -> (id, name)
    for d, a, b, name in sorted(intros, key=lambda t: (t[1], t[2])):
        pid = person_slug(name)
        shown = first_name.setdefault((d, pid), name)
        out[(a, b)] = (d, a, b, pid, shown, "unlisted")
        by_surname.setdefault((d, surname_of(name, connectors)), (pid, shown))
    spans = sorted(out)
    for (d, sur), (pid, shown) in sorted(by_surname.items()):
        if len(sur) < 3:
            continue
        prefix = shown[: len(shown) - len(sur)] if shown.endswith(sur) else None
        lo, hi = int(doc_start[d]), int(doc_end[d])
        p = big.find(sur, lo, hi)
        while p != -1:
            q = p + len(sur)
            nxt = p + 1
            if (p == lo or not _is_word_char(big[p - 1])) and (q == hi or not (big[q].isalnum() or big[q] in "_-")):
                a, kind = p, "surname"
                prev = prev_word(big, p)[0]
                if prefix and p - len(prefix) >= lo and big[p - len(prefix) : p] == prefix:
                    a, kind = p - len(prefix), "unlisted"
                elif p - 1 in titles_end and big[p - 1] == " ":
                    a, kind = titles_end[p - 1], "title_surname"
                elif names_another_person(prev, generic, titles) and fold(prev) not in connectors:
                    a = -1  # another person's name
                if a >= 0 and not _overlaps(spans, a, q) and not taken(a, q) and in_sentence(d, a, q):
                    out[(a, q)] = (d, a, q, pid, shown, kind)
                nxt = q
            p = big.find(sur, nxt, hi)
    return [out[k] for k in sorted(out)]


def _overlaps(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    """Whether ``[a, b)`` overlaps one of the sorted, disjoint ``spans``."""
    i = bisect.bisect_left(spans, (b, -1))
    return i > 0 and spans[i - 1][1] > a
