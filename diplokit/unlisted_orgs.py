"""Organisations the lexicons do not list, recognised by their names.

Stories name an agency, a company or a court the lexicons have never heard of the way
they name any organisation: a run of capitalised words around a head word that says what
kind of body it is ("Tanzania Ports Authority", "University of Nairobi", "Société des mines
de l'Air"), often followed by its acronym in brackets ("Kenya Private Sector Alliance
(KEPSA)", "Agence nationale de sécurité sanitaire (ANSS)"). The head words, the small
words allowed inside a name and the words that cannot open one are in ``annotation.yaml``
(``organisation_heads``, ``organisation_name_connectors``, ``organisation_name_stop_words``).

- The name is the run of capitalised words (and connectors between them) that holds the
  head word, within one sentence; a possessive ("Kenya's"), punctuation or a lower-case
  word ends it. After a French head word ("Agence", "Tribunal") lower-case words may
  follow, up to a capitalised word that ends the name ("Tribunal criminel de Dixinn") or
  up to a bracketed acronym whose letters the words spell ("... sanitaire (ANSS)").
- A bracketed acronym right after the name is kept only if its letters appear in the
  name's words in order, the first at the name's start (the test of Schwartz & Hearst,
  2003); the story's later uses of the acronym are mentions of the organisation too.
- ``entity_id`` is ``new:`` + the name folded (the convention of the gold labels),
  ``entity_type`` ``organization``, ``match`` ``unlisted`` for the name and ``acronym`` for
  the acronym; a country or capital inside the name is not a mention of it.

The evidence is the name itself, which the user reads in the mention's sentence.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .matching import fold, next_word
from .unlisted import person_slug

_TOKEN = re.compile(r"\S+")
_ACRONYM = re.compile(r"\(([A-Z][^\W_]*(?:[&\-][^\W_]+)*)\)")
_ELISION = re.compile(r"^[dlDL]['’](?=\w)")
_REACH = 200  # characters around a head word: about max_words words of a name
_AND = frozenset({"and", "et", "&"})
_MAX_LOWER = 3  # lower-case words in a row inside a French name ("de sécurité sanitaire")
_MAX_TRAILING = 2  # lower-case adjectives ending a French name ("Enseignement supérieur")
_EDGE_PUNCT = ",.;:!?)]}»”\"’'"
_OPEN_PUNCT = "([{«“\"‘"


@dataclass(frozen=True)
class OrgRules:
    """The words that make and bound an organisation's name (heads and connectors in
    lower case, compared with the text's words lowered)."""

    heads: frozenset[str]  # "authority", "agence": a capitalised one makes a name
    heads_first: frozenset[str]  # French heads: lower-case words may follow them
    connectors: frozenset[str]  # "of", "de", "d'": between the capitalised words of a name
    stop_words: frozenset[str]  # "The", "Monday", "a" (a verb): as written, and capitalised (not "UN" for "un")
    max_words: int = 12
    leads: frozenset[str] = frozenset()  # "developer", "groupe": a name right after one (in lower case) is an organisation's
    participle_ends: tuple[str, ...] = ()  # "é", "ée": a lower-case word ending so is a verb, not an adjective of the name
    venues: tuple[str, ...] = ()  # folded: "convention centre", "palais des congres" (a place, not an actor)
    portfolio_words: frozenset[str] = frozenset()  # "minister": after a name, the name was a portfolio ("Public Service Minister")


def _is_name_word(w: str) -> bool:
    """A capitalised word (after an elided "d'"/"l'": "d'Afrique") or a number ("28")."""
    core = _ELISION.sub("", w)
    return bool(core) and (core[0].isupper() or core[0].isdigit())


def _split(tok: str) -> tuple[str, bool, bool]:
    """A token without its edge punctuation, and whether punctuation stood before / after
    it (either ends a name)."""
    before = tok[:1] in _OPEN_PUNCT
    core = tok.lstrip(_OPEN_PUNCT)
    if core.endswith(("s'", "s’")) and len(core) > 3:
        return core, before, False  # a plural possessive inside a name: "Teachers' Union"
    stripped = core.rstrip(_EDGE_PUNCT)
    after = len(stripped) < len(core)
    return stripped, before, after


def acronym_fits(name: str, acronym: str) -> bool:
    """Whether the acronym's letters appear in the name in order, the first one opening
    the name's first word and each letter (going backwards) found before the next one's
    (Schwartz & Hearst's ``findBestLongForm``)."""
    s, l = len(acronym) - 1, len(name) - 1
    name_low, acr_low = name.lower(), acronym.lower()
    while s >= 0:
        c = acr_low[s]
        if not c.isalnum():
            s -= 1
            continue
        while l >= 0 and (name_low[l] != c or (s == 0 and l > 0 and name_low[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return False
        l -= 1
        s -= 1
    return l < 0 or not name[: l + 1].strip(" '’-")


def org_name_at(
    sentence: str,
    head_start: int,
    rules: OrgRules,
    french: bool = False,
    known_at: Callable[[int], bool] | None = None,
    known_end: Callable[[int], bool] | None = None,
) -> tuple[int, int, str | None] | None:
    """The organisation name around the capitalised head word starting at ``head_start``
    in ``sentence`` (``french``: the story is in French, so lower-case words may follow a
    head word of ``rules.heads_first``; ``known_at(offset)``: a listed actor's name starts
    there, and "and" does not join it to the name; ``known_end(offset)``: one ends there, and
    "and" does not join it either: "Air Tanzania et Precision Air" is two airlines):
    ``(start, end, acronym)`` offsets in
    the sentence (``acronym`` None when the name is not followed by one it spells), or
    None if the words there make no name of two words or more."""
    # Only the words within reach of the head are read: a window of characters around it,
    # without the words its edges cut.
    w_lo, w_hi = max(0, head_start - _REACH), min(len(sentence), head_start + _REACH)
    toks = [(mt.start(), mt.end(), mt.group()) for mt in _TOKEN.finditer(sentence, w_lo, w_hi)]
    if toks and w_lo > 0 and not sentence[w_lo - 1].isspace():
        toks = toks[1:]
    if toks and w_hi < len(sentence) and not sentence[w_hi].isspace():
        toks = toks[:-1]
    i = next((k for k, t in enumerate(toks) if t[0] <= head_start < t[1]), None)
    if i is None:
        return None
    words = [_split(t[2]) for t in toks]  # (word, punctuation before, punctuation after)
    head, _, head_close = words[i]

    def word_start(k: int) -> int:
        """Where word ``k`` starts, after an opening bracket or an elided article."""
        at = toks[k][0] + (1 if words[k][1] else 0)
        el = _ELISION.match(words[k][0])
        return at + (el.end() if el else 0)

    if word_start(i) != head_start or not sentence[head_start:head_start + 1].isupper():
        return None
    head = _ELISION.sub("", head)

    def word_end(k: int) -> int:
        return toks[k][0] + (1 if words[k][1] else 0) + len(words[k][0])

    def name_word(k: int) -> bool:
        return _is_name_word(words[k][0]) and words[k][0] not in rules.stop_words

    def joins_two(k: int) -> bool:
        """Whether an "and" next to word ``k`` joins two names rather than two words of
        one ("Malawi Airlines and ...", "Kenya and ..."; not "Mines and Minerals")."""
        w = _ELISION.sub("", words[k][0]).lower()
        return (
            w in rules.heads
            or w[:1].isdigit()
            or (known_at is not None and known_at(word_start(k)))
            or (known_end is not None and known_end(word_end(k)))
        )

    # Left: capitalised words, or a connector with a capitalised word before it.
    lo = i
    k = i - 1
    while not words[lo][1] and k >= 0 and i - k < rules.max_words:
        w, _, closed = words[k]
        if closed or w.endswith(("'s", "’s")):
            break
        if name_word(k) and not words[k][0][:1].isdigit():
            lo, k = k, k - 1
        elif w.lower() in rules.connectors and k > 0 and name_word(k - 1) and not words[k - 1][2] and not (w.lower() in _AND and joins_two(k - 1)):
            k -= 1
        else:
            break
    # Right: capitalised words, and connectors followed by one; after a French head word,
    # lower-case words too, if a capitalised word or the acronym they spell follows.
    loose = french and head.lower() in rules.heads_first
    hi, k, acronym, lower = i, i + 1, None, 0
    closed = head_close
    while k < len(toks) and k - lo < rules.max_words:
        w, opened, _ = words[k]
        if opened or closed:
            mt = _ACRONYM.fullmatch(toks[k][2].rstrip(",.;:")) if opened else None
            if mt:
                ends = [k - 1, hi] if loose and k - 1 > hi else [hi]
                for j in ends:
                    if acronym_fits(sentence[word_start(lo) : word_end(j)], mt.group(1)):
                        hi, acronym = j, mt.group(1)
                        break
            break
        if name_word(k) and w.isdigit() and not (name_word(k - 1) and not words[k - 1][0].isdigit()) and not (k + 1 < len(toks) and name_word(k + 1)):
            break  # a number after a lower-case word, with no name word after it: a date ("Cour en 2021")
        if name_word(k):
            hi, lower = k, 0
        elif w.lower() in _AND and (joins_two(hi) or (k + 1 < len(toks) and joins_two(k + 1))):
            break
        elif w.lower() in rules.connectors:
            pass
        elif loose and w[:1].islower() and w not in rules.stop_words and lower < _MAX_LOWER:
            lower += 1  # "nationale", "criminel": lower-case words of a French name
        else:
            break
        closed = words[k][2]
        k += 1
    if loose and sentence[word_start(hi) : word_start(hi) + 1].isupper():
        # French adjectives after the last capitalised word are the name's ("Affaires
        # étrangères", "Santé publique") when a clause boundary follows them: punctuation,
        # the sentence's end, or a word that cannot be in a name (a verb, "qui").
        j = hi
        while j + 1 < len(toks) and j - hi < _MAX_TRAILING and not words[j][2] and not words[j + 1][1]:
            w = words[j + 1][0]
            if not w[:1].islower() or w.lower() in rules.connectors or w in rules.stop_words or _ELISION.match(w) or (bool(rules.participle_ends) and w.endswith(rules.participle_ends)):
                break  # a past participle is the verb of a clause ("dirigée par", "réunies")
            if known_at is not None and known_at(word_start(j + 1)):
                break  # a demonym says whose body it is ("le Conseil italien"): the country's mention
            j += 1
        last = j + 1 == len(toks) and toks[j][1] >= len(sentence.rstrip())
        verb_next = j + 1 < len(toks) and words[j + 1][0] in rules.stop_words and words[j + 1][0][:1].islower()
        if j > hi and (words[j][2] or last or verb_next):
            hi = j
    start = word_start(lo)
    end = word_end(hi)
    if sum(1 for w in sentence[start:end].split() if w.lower() not in rules.connectors) < 2:
        return None
    return start, end, acronym


_LEAD_NAME = re.compile(r"[A-ZÀ-ÖØ-Þ][\w'’\-]*(?:\s+(?:&\s+)?[A-ZÀ-ÖØ-Þ0-9][\w'’\-]*){0,3}")
_LEAD_ADJ = re.compile(r"\s+([a-zà-öø-ÿ][\w\-]*)")
_SPACE = re.compile(r"\s+")


def name_after_lead(sentence: str, lead_end: int, rules: OrgRules, french: bool = False) -> tuple[int, int] | None:
    """The organisation name right after a lead noun ending at ``lead_end`` in ``sentence``
    ("developer Enertrag", in French after up to two lower-case adjectives: "groupe minier
    canadien Barrick Gold"): ``(start, end)`` in the sentence, or None. A stop word
    ("Monday", "Le") cannot open the name, a connector cannot stand between ("la société
    civile de Bukavu"), and a possessive's "'s" is not part of it."""
    at = lead_end
    for _ in range(2 if french else 0):
        adj = _LEAD_ADJ.match(sentence, at)
        if adj is None or adj.group(1) in rules.connectors or adj.group(1) in rules.stop_words:
            break
        at = adj.end()
    space = _SPACE.match(sentence, at)
    if space is None:
        return None
    mt = _LEAD_NAME.match(sentence, space.end())
    if mt is None:
        return None
    toks = [(t.start(), t.end(), t.group()) for t in _TOKEN.finditer(sentence, mt.start(), mt.end())]
    while toks and (toks[-1][2] in rules.stop_words or toks[-1][2] == "&"):
        toks.pop()
    if not toks or toks[0][2] in rules.stop_words:
        return None
    end = toks[-1][1]
    if sentence[toks[-1][0]:end].endswith(("'s", "’s")):
        end -= 2
    return (toks[0][0], end) if end > toks[0][0] else None


@lru_cache(maxsize=8)
def _venue_re(venues: tuple[str, ...]) -> re.Pattern:
    """One pattern for "begins or ends with one of ``venues``" (folded, whole words)."""
    alt = "|".join(re.escape(v) for v in sorted(venues, key=len, reverse=True))
    return re.compile(rf"^(?:{alt})(?: |$)|(?:^| )(?:{alt})$")


def _is_venue(name: str, venues: tuple[str, ...]) -> bool:
    """Whether the name is a venue's ("Kigali Convention Centre", "Palais des congrès de
    Yaoundé"): it ends, or begins, with one of ``venues`` (folded)."""
    return _venue_re(venues).search(fold(name)) is not None


def org_id(name: str) -> str:
    """``new:`` id of an unlisted organisation: its name folded, as for people."""
    return person_slug(name)


def unlisted_org_mentions(
    big: str,
    heads: list[tuple[int, int, int, int, bool]],
    doc_end: dict[int, int],
    doc_lo: dict[int, int],
    blocked: Callable[[int, int], bool],
    in_sentence: Callable[[int, int, int], bool],
    rules: OrgRules,
    known_at: Callable[[int], bool] | None = None,
    known_end: Callable[[int], bool] | None = None,
    named: list[tuple[int, int, int]] = (),
) -> list[tuple[int, int, int, str, str, str]]:
    """Mentions of unlisted organisations in one batch text ``big``.

    ``heads``: ``(doc, sentence start, sentence end, head start, French)`` of the capitalised head words that no
    lexicon actor covers (offsets in ``big``). The name around each (``org_name_at``) is a
    mention (``match`` ``unlisted``) unless ``blocked(start, end)`` (a person or a listed
    organisation is inside it); then every other occurrence of that name in the document,
    and of the acronym it defines (as written, on word boundaries), is one too (``unlisted``
    / ``acronym``), unless blocked, already taken, or not inside one sentence
    (``in_sentence(doc, start, end)``). ``doc_lo``/``doc_end``: each document's span;
    ``known_at(offset)`` / ``known_end(offset)``: a listed actor's name starts / ends there
    (see ``org_name_at``). ``named``: ``(doc, start, end)`` of names found otherwise (after
    a lead noun, ``name_after_lead``), taken like the names around head words.

    Returns ``(doc, start, end, entity_id, entity_name, match)`` tuples, sorted by start.
    """
    out: dict[tuple[int, int], tuple] = {}
    spans: dict[int, list[tuple[int, int]]] = {}  # per document: a story names a few
    names: dict[tuple[int, str], tuple[str, str]] = {}  # (doc, form) -> (id, name), in text order

    def free(d: int, a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in spans.get(d, ())) and not blocked(a, b)

    found: list[tuple[int, int, int, str | None]] = []
    for d, s0, s1, h, fr in heads:
        r = org_name_at(
            big[s0:s1], h - s0, rules, fr,
            None if known_at is None else lambda p, s0=s0: known_at(s0 + p),
            None if known_end is None else lambda p, s0=s0: known_end(s0 + p),
        )
        if r is not None:
            found.append((s0 + r[0], s0 + r[1], d, r[2]))
    found += [(a, b, d, None) for d, a, b in named]
    for a, b, d, acronym in sorted(found, key=lambda f: f[:2]):
        if not free(d, a, b):
            continue
        name = big[a:b]
        if rules.venues and _is_venue(name, rules.venues):
            continue
        if rules.portfolio_words and next_word(big, b).lower() in rules.portfolio_words:
            continue
        spans.setdefault(d, []).append((a, b))
        oid, shown = names.setdefault((d, name), (org_id(name), name))
        out[(a, b)] = (d, a, b, oid, shown, "unlisted")
        if acronym:
            names.setdefault((d, acronym), (oid, shown))
    for (d, form), (oid, shown) in sorted(names.items()):
        lo, hi = doc_lo[d], doc_end[d]
        p = big.find(form, lo, hi)
        while p != -1:
            q = p + len(form)
            bounded = (p == lo or not big[p - 1].isalnum()) and (q == hi or not big[q].isalnum())
            if bounded and free(d, p, q) and in_sentence(d, p, q):
                spans[d].append((p, q))
                out[(p, q)] = (d, p, q, oid, shown, "unlisted" if form == shown or len(form.split()) > 1 else "acronym")
            p = big.find(form, q, hi)
    return [out[k] for k in sorted(out)]

