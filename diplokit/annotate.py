"""``annotate``: actors, sectors and cooperation events, with every row traced to a
sentence and character offsets.

The work per batch of articles is a handful of passes over one concatenated text: two
Aho-Corasick scans (folded text and original text), numpy boundary and overlap checks,
and table operations. Only the small sets of surname and capital matches get a Python
look at their context (the word before them).
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .corpus import Corpus
from .lexicon import Lexicon, default_lexicon, shared_country_names
from .matching import (
    NAME_PUNCT,
    Matcher,
    Matches,
    Slicer,
    _fold_lut,
    all_chars,
    codepoints,
    connector_keys,
    fold,
    in_proper_name,
    longest,
    names_another_person,
    next_word,
    prev_word,
)
from .runs import rank_in_run, run_lengths, run_max, run_starts, sorted_unique
from .unlisted import (
    appositive_matches,
    appositive_re,
    looks_like_person,
    name_before_re,
    names_before_titles,
    strip_possessive,
    unlisted_mentions,
)
from .unlisted_orgs import OrgRules, name_after_lead, unlisted_org_mentions

MENTION_COLUMNS = ["article_id", "sentence_id", "start", "end", "surface", "entity_id", "entity_name", "entity_type", "country", "match"]
SECTOR_COLUMNS = ["article_id", "sentence_id", "sector", "cue", "surface", "start", "end"]
EVENT_COLUMNS = ["article_id", "sentence_id", "event_type", "cameo_root", "cue", "surface", "start", "end", "n_cues", "actor_ids", "actor_names", "countries"]
DYAD_COLUMNS = ["article_id", "country_a", "country_b", "name_a", "name_b", "evidence", "sentence_ids", "basis"]
CANDIDATE_COLUMNS = ["name", "title", "reason", "count", "n_articles", "example_article_id", "example_sentence_id", "example"]
OCCURRENCE_COLUMNS = ["article_id", "sentence_id", "start", "end", "name", "title", "reason", "sentence"]
TABLES = ("mentions", "sectors", "events", "dyads", "candidates")


@dataclass
class Annotations:
    """Annotation tables; every row carries ``article_id``, ``sentence_id`` and offsets."""

    mentions: pd.DataFrame
    sectors: pd.DataFrame
    events: pd.DataFrame
    dyads: pd.DataFrame
    candidates: pd.DataFrame
    lexicon: Lexicon | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return "<Annotations: " + ", ".join(f"{len(getattr(self, t))} {t}" for t in TABLES) + ">"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {t: getattr(self, t) for t in TABLES}

    def to_parquet(self, directory: str | Path) -> Path:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for name, df in self.tables().items():
            df.to_parquet(d / f"{name}.parquet", index=False)
        return d

    @classmethod
    def from_parquet(cls, directory: str | Path) -> "Annotations":
        d = Path(directory)
        return cls(**{t: pd.read_parquet(d / f"{t}.parquet") for t in TABLES})


# --------------------------------------------------------------------------------------
# Compiled lexicon
# --------------------------------------------------------------------------------------
@dataclass
class Compiled:
    lexicon: Lexicon
    fingerprint: str
    matcher: Matcher
    layer: np.ndarray
    kind: np.ndarray
    ref: np.ndarray
    entities: pd.DataFrame  # indexed by entity_id
    bearer_country: dict[str, str]  # entity -> country it speaks for (dyads, event actors)
    locative: frozenset[str]
    attributive: frozenset[str]
    generic: frozenset[str]
    titles_folded: frozenset[str]
    capitalised_only: frozenset[str]
    person_order: dict[str, int]
    roles: dict[str, str]  # person id -> folded role, for title matching
    cameo: dict[str, str]
    candidate_re: re.Pattern
    company_gap: tuple[re.Pattern, re.Pattern]  # after a demonym, after a country's name
    candidate_starts: "_TitleStarts | None" = None
    appositive: re.Pattern | None = None  # after a title's end: role phrase, comma, name
    name_before: re.Pattern | None = None  # before a title used as a role: name, comma, role phrase
    connectors: frozenset[str] = frozenset()
    lead_name: re.Pattern | None = None  # the name after a person_lead phrase ("headed by Jane Doe")
    portfolio: "_Portfolio | None" = None  # a title, its portfolio, a name ("Minister of Mines Jane Doe")
    dem_name: re.Pattern | None = None  # the name after a title and a demonym ("président tchadien Hissène Habré")
    given_name: re.Pattern | None = None  # a name opening with a given name, at the given name ("Bai Lowe")
    place_nouns: frozenset[str] = frozenset()  # "aéroport": a name after one names a place
    # "Highway", "Foundation", "Airlines": a name opening with a given name that holds one
    # is a place's or an organisation's (place_heads, proper_name_heads, organisation heads)
    non_person_heads: frozenset[str] = frozenset()
    demonym_articles: tuple[str, ...] = ()  # "le ", "l'": before a demonym used as a noun ("le Mauritanien X")
    name_heads: frozenset[str] = frozenset()  # "Airlines" in "Malawian Airlines": not the country
    place_connectors: tuple[str, ...] = ()  # " of ", " d'": "Bank of Kigali" (see matching.connector_keys)
    unlisted_people: bool = False  # count titled names absent from the lexicons as mentions
    org_rules: OrgRules | None = None  # find organisations absent from the lexicons by their names
    # sector -> cues (lower case) that count only beside another cue of the sector
    needs_support: dict[str, frozenset[str]] = field(default_factory=dict)
    shared: np.ndarray | None = None  # per term: a name several countries share ("Congo")
    # country -> (its capital terms, its other terms, the terms of an organisation seated in
    # that capital and of its bodies, the term the capital becomes): "Brussels" for the EU
    seats: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, int]] = field(default_factory=dict)
    text_cache: dict = field(default_factory=dict, repr=False)

    def ref_codes(self) -> np.ndarray:
        """``ref`` as integer codes: equal codes, equal refs."""
        if "ref_codes" not in self.text_cache:
            self.text_cache["ref_codes"] = pd.factorize(self.ref)[0]
        return self.text_cache["ref_codes"]

    def text_array(self, name: str):
        """``as_text(name)`` as a "str" array, to take table columns from."""
        key = name + ":str"
        if key not in self.text_cache:
            self.text_cache[key] = pd.array(self.as_text(name), dtype="str")
        return self.text_cache[key]

    def as_text(self, name: str) -> np.ndarray:
        """``kind``, ``ref`` or ``term`` as ``astype(str)`` makes them, kept as an object
        array of Python strings (which tables take in faster than numpy unicode arrays)."""
        if name not in self.text_cache:
            src = self.matcher.terms["term"].to_numpy() if name == "term" else getattr(self, name)
            self.text_cache[name] = src.astype(str).astype(object)
        return self.text_cache[name]


_CACHE: dict[str, Compiled] = {}


def compile_lexicon(lexicon: Lexicon | None = None) -> Compiled:
    """Build (or fetch from cache) the automata and lookup tables for a lexicon."""
    lex = lexicon or default_lexicon()
    key = lex.fingerprint()
    if key in _CACHE:
        return _CACHE[key]
    terms = lex.terms()
    titles = sorted({t for t in lex.titles["title"]}, key=lambda t: (-len(t), t))
    starts = _TitleStarts(titles) if titles and all(t.split(" ")[0] for t in titles) else None
    if starts is not None:
        # The first word of every title, matched in the same scan as everything else:
        # where a title-then-name candidate can start (see _TitleStarts).
        terms = pd.concat(
            [terms, pd.DataFrame({"term": starts.words, "layer": "title_start", "kind": "title_start", "ref": starts.words, "case_sensitive": False})],
            ignore_index=True,
        )
    settings = lex.settings or {}
    org_rules = _org_rules(settings)
    if org_rules is not None:
        # Head words of organisations' names, found in the same scan (see unlisted_orgs).
        heads = sorted(org_rules.heads)
        leads = sorted(org_rules.leads)
        terms = pd.concat(
            [
                terms,
                pd.DataFrame({"term": heads, "layer": "org_head", "kind": "org_head", "ref": heads, "case_sensitive": False}),
                pd.DataFrame({"term": leads, "layer": "org_lead", "kind": "org_lead", "ref": leads, "case_sensitive": False}),
            ],
            ignore_index=True,
        )
    leads = sorted({str(w) for ws in (settings.get("person_lead_phrases") or {}).values() for w in ws})
    if leads:
        # "headed by", "dirigée par": a name right after one is a person's (see annotation.yaml).
        terms = pd.concat(
            [terms, pd.DataFrame({"term": leads, "layer": "person_lead", "kind": "person_lead", "ref": leads, "case_sensitive": False})],
            ignore_index=True,
        )
    given = lex.given_names() if settings.get("unlisted_people") else []
    if given:
        # Given names, found in the same scan: where a name with no title may start.
        terms = pd.concat(
            [terms, pd.DataFrame({"term": given, "layer": "given_name", "kind": "given_name", "ref": given, "case_sensitive": False})],
            ignore_index=True,
        )
    matcher = Matcher(terms)
    if starts is not None:
        starts.attach(matcher)
    name_heads = frozenset(fold(str(w)) for w in settings.get("proper_name_heads", []))
    ents = lex.entities().set_index("entity_id")
    bearing = set(settings.get("country_bearing_org_types", []))
    not_bearing_people = _people_in_non_bearing_roles(lex, matcher, ents, settings)
    bearer: dict[str, str] = {}
    for eid, country, etype, detail in zip(ents.index, ents["country"], ents["entity_type"], ents["detail"]):
        if country and (etype == "country" or (etype == "person" and eid not in not_bearing_people) or detail in bearing):
            bearer[eid] = country
    loc = settings.get("capital_locative_words", {})
    nouns = [str(w) for ws in (settings.get("company_nouns") or {}).values() for w in ws]
    noun_alt = "|".join(re.escape(w) for w in sorted(set(nouns), key=len, reverse=True)) or "(?!)"
    # The text between a demonym (or "Country's") and a company's name when the demonym
    # only gives the company's nationality: nothing, or lower-case words ending in a noun.
    gap_words = rf"(?:(?:[a-zà-öø-ÿ][\w'’\-]*\s+){{0,3}}(?:{noun_alt})\s+)?"
    company_gap = (re.compile(rf"\s+{gap_words}"), re.compile(rf"['’]s\s+{gap_words}"))

    def title_alt(ts: list[str]) -> str:
        return "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in ts)

    # A word of a name, with an Arabic or Hassaniya particle glued to it ("al-Wazir", "ould-Abdallah").
    particles = "|".join(re.escape(str(w)) for w in settings.get("name_particles", []))
    plain_tok = r"[A-ZÀ-ÖØ-Þ][\w'’\-]*[\w]"
    name_tok = (rf"(?:(?:{particles})-)?" if particles else "") + plain_tok
    connectors = [str(w) for w in settings.get("name_connectors", [])]
    connector = "(?:" + "|".join(re.escape(w) for w in connectors) + ")" if connectors else "(?!)"
    # After a title the name opens with a capital (a particle only further in: "Minister
    # Kamel al-Wazir"), which the candidate prefilter (_TitleStarts.plausible) relies on.
    name_alt = rf"(?P<name>{plain_tok}(?:\s+(?:{connector}\s+)?{name_tok}){{0,3}})"
    candidate_re = re.compile(rf"(?<![\w])(?i:(?P<title>{title_alt(titles)}))\.?\s+{name_alt}")

    def name_after(min_words: int) -> re.Pattern:
        """A name of ``min_words`` to four words on the same line, after spaces."""
        return re.compile(rf"[ \t]+(?P<name>{name_tok}(?:[ \t]+(?:{connector}[ \t]+)?{name_tok}){{{min_words - 1},3}})")

    if starts is not None:
        # One pattern per title's first word (folded), with that word's titles in the
        # same order: where only that word starts, it finds what candidate_re finds, and
        # tries a handful of titles instead of all of them.
        groups: dict[str, list[str]] = {}
        for t in titles:
            groups.setdefault(starts.group_key(t), []).append(t)
        starts.patterns = tuple(re.compile(rf"(?<![\w])(?i:(?P<title>{title_alt(ts)}))\.?\s+{name_alt}") for ts in groups.values())
        starts.set_groups(list(groups), matcher)
    compiled = Compiled(
        lexicon=lex,
        fingerprint=key,
        matcher=matcher,
        layer=matcher.terms["layer"].to_numpy(),
        kind=matcher.terms["kind"].to_numpy(),
        ref=matcher.terms["ref"].to_numpy(),
        entities=ents,
        bearer_country=bearer,
        locative=frozenset(fold(str(w)) for ws in loc.values() for w in ws),
        attributive=frozenset(fold(str(w)) for w in settings.get("capital_attributive_suffixes") or []),
        generic=frozenset(fold(w) for w in lex.generic_words),
        titles_folded=frozenset(fold(t) for t in titles),
        capitalised_only=frozenset(fold(str(w)) for w in settings.get("capitalised_only", [])),
        person_order={pid: i for i, pid in enumerate(lex.people["id"])},
        roles={pid: fold(f"{r} {rf}") for pid, r, rf in zip(lex.people["id"], lex.people["role"], lex.people["role_fr"])},
        cameo=dict(zip(lex.events["id"], lex.events.get("cameo_root", pd.Series(dtype=str)).astype(str))) if len(lex.events) else {},
        candidate_re=candidate_re,
        company_gap=company_gap,
        candidate_starts=starts,
        appositive=appositive_re(rf"{name_tok}(?:\s+(?:{connector}\s+)?{name_tok}){{0,3}}"),
        name_before=name_before_re(
            rf"{name_tok}(?:[ \t]+(?:{connector}[ \t]+)?{name_tok}){{1,3}}", [str(w) for w in settings.get("role_phrase_stop_words", [])]
        ),
        connectors=frozenset(fold(w) for w in connectors),
        demonym_articles=tuple(str(w).lower() for w in settings.get("demonym_noun_articles") or []),
        lead_name=name_after(2),
        portfolio=_Portfolio.from_words(settings.get("portfolio_words") or {}, plain_tok, name_tok),
        dem_name=name_after(1),
        given_name=re.compile(rf"(?P<name>{name_tok}(?:[ \t]+(?:{connector}[ \t]+)?{name_tok}){{1,3}})") if given else None,
        place_nouns=frozenset(fold(str(w)) for w in lex.name_words.get("place_nouns", ())),
        non_person_heads=frozenset(fold(str(w)) for w in lex.name_words.get("place_heads", ())) | name_heads
        | frozenset(fold(h) for h in (org_rules.heads if org_rules is not None else ())),
        name_heads=name_heads,
        place_connectors=connector_keys([str(w) for w in settings.get("place_name_connectors", [])]),
        unlisted_people=bool(settings.get("unlisted_people", False)),
        org_rules=org_rules,
        needs_support=_needs_support(lex.sectors),
        shared=_shared_terms(matcher.terms, settings),
        seats=_seats(lex, matcher.terms, settings),
    )
    _CACHE.clear()  # one lexicon at a time is the common case; keep memory flat
    _CACHE[key] = compiled
    return compiled


def _shared_terms(terms: pd.DataFrame, settings: dict) -> np.ndarray | None:
    """Per matcher term, whether it is a name several countries share (None: there are none).
    Compared by term and country only: the lexicon types an acronym-shaped alias as an acronym."""
    keys = {(t, ref) for g in shared_country_names(settings) for kind in ("alias", "demonym") for t in g[kind] for ref in g["countries"]}
    if not keys:
        return None
    entity = terms["layer"].to_numpy() == "entity"
    return entity & np.fromiter(((t, r) in keys for t, r in zip(terms["term"], terms["ref"])), dtype=bool, count=len(terms))


def _resolve_shared(shared: np.ndarray, doc: np.ndarray, start: np.ndarray, end: np.ndarray, refs: np.ndarray, bearer: dict[str, str]) -> np.ndarray:
    """Mentions to drop so that each span of a shared name ("Congo") keeps the country its
    story names otherwise (the latest before the span, else the first after), or none.
    ``shared``: the mentions that are such names; the others are the evidence."""
    sh = np.flatnonzero(shared)
    # Evidence: the other mentions of the stories that use a shared name, whose country
    # (a person's or organisation's too) is one the shared names may stand for.
    ev = np.flatnonzero(~shared & np.isin(doc, np.unique(doc[sh])))
    ev_c = pd.Series(refs[ev], dtype=object).map(bearer)
    ok = ev_c.isin(set(refs[sh].tolist())).to_numpy()
    evidence: dict[tuple[int, str], list[int]] = {}
    for d, c, p in zip(doc[ev[ok]].tolist(), ev_c[ok].tolist(), start[ev[ok]].tolist()):
        evidence.setdefault((d, c), []).append(p)
    spans: dict[tuple[int, int, int], list[int]] = {}
    for j in sh.tolist():
        spans.setdefault((int(doc[j]), int(start[j]), int(end[j])), []).append(j)

    def score(d: int, s: int, j: int) -> tuple[int, int]:
        """(0, -p): named last at p before s; (1, p): first named at p after; (2, 0): not named."""
        seen = evidence.get((d, refs[j]), [])
        before = [p for p in seen if p < s]
        return (0, -max(before)) if before else ((1, min(seen)) if seen else (2, 0))

    drop = np.zeros(len(shared), dtype=bool)
    for (d, s, _), js in spans.items():
        scored = [(*score(d, s, j), refs[j], j) for j in js]
        best = min(scored)
        for sc in scored:
            drop[sc[-1]] = sc is not best or best[0] == 2
    return drop


def _seats(lex: Lexicon, terms: pd.DataFrame, settings: dict) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, int]]:
    """``capital_seats_of_organisations`` of annotation.yaml, for the lexicon at hand, as
    term numbers: country -> (its capital terms, its other terms, the terms of the
    organisation and its bodies, the term a capital becomes)."""
    refs = terms["ref"].to_numpy().astype(str)
    kind = terms["kind"].to_numpy().astype(str)
    entity = terms["layer"].to_numpy() == "entity"
    out = {}
    for country, org in (settings.get("capital_seats_of_organisations") or {}).items():
        country, org = str(country), str(org)
        bodies = set(lex.organizations.loc[lex.organizations["parent"] == org, "id"]) | {org}
        at = np.flatnonzero((refs == org) & entity)
        if len(at):
            own = entity & (refs == country)
            out[country] = (
                np.flatnonzero(own & (kind == "capital")),
                np.flatnonzero(own & (kind != "capital")),
                np.flatnonzero(entity & np.isin(refs, sorted(bodies))),
                int(at[0]),
            )
    return out


def _capitals_for_seats(compiled: Compiled, doc: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """``terms`` with a capital standing for an organisation seated there made a mention of
    that organisation: in an article that names the organisation (or one of its bodies) and
    names the capital's country in no other way ("Brussels" in a story about the EU)."""
    out = terms
    for cap_terms, country_terms, body_terms, org_term in compiled.seats.values():
        cap = np.flatnonzero(np.isin(terms, cap_terms))
        if not len(cap):
            continue
        named_org = np.isin(doc[cap], doc[np.isin(terms, body_terms)])
        named_country = np.isin(doc[cap], doc[np.isin(terms, country_terms)])
        swap = cap[named_org & ~named_country]
        if len(swap):
            out = out.copy() if out is terms else out
            out[swap] = org_term
    return out


def _org_rules(settings: dict) -> OrgRules | None:
    """The words of ``annotation.yaml`` that make organisations' names (None: off)."""
    heads = settings.get("organisation_heads") or {}
    last = [str(w) for w in heads.get("head_last") or []]
    first = [str(w) for w in heads.get("head_first") or []]
    if not last and not first:
        return None
    return OrgRules(
        heads=frozenset(w.lower() for w in last + first),
        heads_first=frozenset(w.lower() for w in first),
        connectors=frozenset(str(w).lower() for w in settings.get("organisation_name_connectors") or []),
        stop_words=frozenset(v for w in settings.get("organisation_name_stop_words") or [] for v in (str(w), str(w)[:1].upper() + str(w)[1:])),
        leads=frozenset(str(w).lower() for ws in (settings.get("organisation_leads") or {}).values() for w in ws),
        venues=tuple(fold(str(w)) for w in settings.get("organisation_venues") or []),
        participle_ends=tuple(str(w) for w in settings.get("organisation_name_participle_endings") or []),
        portfolio_words=frozenset(str(w).lower() for w in settings.get("organisation_name_not_before") or []),
    )


def _people_in_non_bearing_roles(lex: Lexicon, matcher: Matcher, ents: pd.DataFrame, settings: dict) -> set[str]:
    """People whose ``role`` names an organisation of a type listed in
    ``person_role_org_types_not_bearing`` ("Chief Executive Officer of BioNTech", "Military
    commander of the M23"): they speak for that organisation, not for their country. The
    organisation is found by the annotator's own matcher (longest match) in the role."""
    types = {str(t) for t in settings.get("person_role_org_types_not_bearing", [])}
    people = lex.people[lex.people["country"].fillna("").astype(str) != ""]
    if not types or people.empty:
        return set()
    roles = people["role"].fillna("").astype(str).tolist()
    m = matcher.find("\n".join(roles))
    sel = matcher.terms["layer"].to_numpy()[m.term] == "entity"
    s, e, t = m.start[sel], m.end[sel], m.term[sel]
    keep = longest(s, e)
    s, t = s[keep], t[keep]
    org_type = ents.loc[ents["entity_type"] == "organization", "detail"]
    hit = pd.Series(matcher.terms["ref"].to_numpy()[t]).map(org_type).isin(types).to_numpy()
    role_start = np.cumsum([0] + [len(r) + 1 for r in roles])[:-1]
    row = np.searchsorted(role_start, s[hit], side="right") - 1
    return set(people["id"].to_numpy()[row].tolist())


_WORD_TABLE_SIZE = 0x3000


class _TitleStarts:
    """Where a title-then-name candidate can start: a hit of a title's first word in the
    matcher's scan (case and accents folded; ``fold`` also unites the letters ``re``
    takes for one another ignoring case, such as "ſ" and "s"), on word boundaries (the
    matcher's word characters are ``re``'s ``\\w``), followed by whitespace or '.', and
    with a capitalised word close enough after it (``plausible``). A superset of
    ``candidate_re``'s match starts, so running ``candidate_re.match`` only there finds
    exactly what ``finditer`` finds."""

    def __init__(self, titles: list[str]):
        self.words = sorted({t.split(" ")[0] for t in titles})
        allchars = all_chars()
        # For the cheap exact prefilter in ``plausible``: what ``\s`` matches, and the
        # (case-sensitive) first letter of a name. A title matches at most ``budget``
        # characters that are not whitespace (one per literal character; ``\s+`` between
        # words), and the optional '.' adds one: the most over the titles with that first word.
        self.cls = np.zeros(0x110000, dtype=np.uint8)
        self.cls[[m.start() for m in re.finditer(r"\s", allchars)]] = 1
        self.cls[[m.start() for m in re.finditer(r"[A-ZÀ-ÖØ-Þ]", allchars)]] = 2
        self.cls[ord(".")] = 3
        budget = {w: 0 for w in self.words}
        for t in titles:
            budget[t.split(" ")[0]] = max(budget[t.split(" ")[0]], len(t) - t.count(" ") + 1)
        self.word_budget = budget
        self.window = 2 * max(budget.values()) + 8
        self.budget = np.zeros(0, dtype=np.int64)
        self.patterns: tuple[re.Pattern, ...] = ()  # candidate_re for one group of titles
        self.group = np.zeros(0, dtype=np.int64)

    @staticmethod
    def group_key(title: str) -> str:
        """The group of a title (or of a first word): its first word, folded."""
        return fold(title.split(" ")[0])

    def set_groups(self, keys: list[str], matcher: Matcher) -> None:
        """The group (position in ``keys``, ``patterns``) of each of the matcher's
        first-word terms; -1 for other terms."""
        pos = {k: i for i, k in enumerate(keys)}
        refs = matcher.terms["ref"].astype(str).tolist()
        self.group = np.array([pos.get(self.group_key(r), -1) if m else -1 for r, m in zip(refs, self.layer_mask)], dtype=np.int64)

    def attach(self, matcher: Matcher) -> None:
        """The budget of each of the matcher's terms (0 for terms that are not first words)."""
        t = matcher.terms
        is_start = (t["layer"] == "title_start").to_numpy()
        self.budget = np.where(is_start, t["ref"].map(self.word_budget).fillna(0).to_numpy(), 0).astype(np.int64)
        self.layer_mask = is_start

    def starts(self, cps: np.ndarray, m: Matches) -> tuple[np.ndarray, np.ndarray]:
        """Candidate starts among the matcher's hits ``m`` on the text ``cps``, and the
        group of titles whose first word is there (-1: first words of several groups)."""
        hit = self.layer_mask[m.term]
        s, after, budget, group = m.start[hit], m.end[hit], self.budget[m.term[hit]], self.group[m.term[hit]]
        # Right after a title's first word comes whitespace (the title's next word, or the
        # name) or '.' (before the name).
        nxt = self.cls[cps[np.minimum(after, len(cps) - 1)]]
        ok = (after < len(cps)) & ((nxt == 1) | (nxt == 3))
        s, budget, group = s[ok], budget[ok], group[ok]
        if not len(s):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        keep = self.plausible(cps, s, budget)
        s, group = s[keep], group[keep]
        if not len(s):
            return s, group
        # Hits come sorted by start (Matcher.find); several groups at one start: all titles.
        first = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
        low, high = np.minimum.reduceat(group, first), np.maximum.reduceat(group, first)
        return s[first], np.where(low == high, low, -1)

    def plausible(self, cps: np.ndarray, s: np.ndarray, budget: np.ndarray) -> np.ndarray:
        """Starts from which a candidate can match: a match at ``p`` has its name's
        capital at some ``r > p`` right after whitespace, with at most ``budget``
        non-whitespace characters in ``[p, r)``. The
        first such position after ``p`` comes no later, so it must be within budget too.
        Looked at in a window of characters after each start; when the window runs out
        with budget left, the start is kept."""
        w = self.window
        idx = s[:, None] + np.arange(w)
        c = self.cls[cps[np.minimum(idx, len(cps) - 1)]]
        c[idx >= len(cps)] = 0  # past the end: no capital, and the budget runs out
        ws = c == 1
        nonws = np.cumsum(~ws, axis=1)  # nonws[:, j]: non-whitespace in window[: j + 1]
        # r = j (window-relative, j >= 1): ws at j - 1, capital at j;
        # non-ws in [0, j) = nonws[:, j - 1].
        hit = ws[:, :-1] & (c[:, 1:] == 2) & (nonws[:, :-1] <= budget[:, None])
        return hit.any(axis=1) | (nonws[:, -1] <= budget)


def _candidate_matches(compiled: Compiled, big: str, cps: np.ndarray, m: Matches | None = None):
    """``compiled.candidate_re.finditer(big)``, trying only where a match can start.
    ``m``: the matcher's hits on ``big``, if already found."""
    cand = compiled.candidate_starts
    if cand is None:
        yield from compiled.candidate_re.finditer(big)
        return
    if m is None:
        m = compiled.matcher.find(big)
    match = [p.match for p in cand.patterns] + [compiled.candidate_re.match]  # [-1]: all titles
    pos = 0
    starts, group = cand.starts(cps, m)
    for p, g in zip(starts.tolist(), group.tolist()):
        if p < pos:
            continue
        mt = match[g](big, p)
        if mt is not None:
            yield mt
            pos = mt.end()


# --------------------------------------------------------------------------------------
# The pipeline for one batch
# --------------------------------------------------------------------------------------
_WORDISH = np.array([chr(c).isalnum() or chr(c) in "'’-._" for c in range(0x3000)], dtype=bool)
_NAME_CHARS = np.array([chr(c).isalnum() or chr(c) in NAME_PUNCT for c in range(0x3000)], dtype=bool)  # a word of a name ("Airlines")


def _drop_surnames_of_another(
    valid: np.ndarray, kinds: np.ndarray, refs: np.ndarray, es: np.ndarray, doc_start: np.ndarray,
    other_named: list[tuple[int, str, int]],
) -> None:
    """After "Ousman Sonko" (someone else with a listed person's surname), a bare "Sonko"
    or "Mr Sonko" is that other person when the article has not named the listed person in
    full before it (after "Paul Kagame ... Jeannette Kagame", "Kagame" stays the president).
    Marks those surname mentions invalid in place."""
    others: dict[tuple[int, str], list[int]] = {}
    for d, ref, s in other_named:
        others.setdefault((d, ref), []).append(s)
    docs = np.searchsorted(doc_start, es, side="right") - 1
    wanted = np.isin(refs, [r for _, r in others]) & valid
    full: dict[tuple[int, str], list[int]] = {}
    for j in np.flatnonzero(wanted & np.isin(kinds, ["name", "alias"])).tolist():
        full.setdefault((int(docs[j]), refs[j]), []).append(int(es[j]))
    for j in np.flatnonzero(wanted & np.isin(kinds, ["surname", "title_surname"])).tolist():
        key, s = (int(docs[j]), refs[j]), int(es[j])
        other_before = [p for p in others.get(key, []) if p < s]
        if other_before and not any(p < s for p in full.get(key, [])):
            valid[j] = False


def _prev_word_in(text: str, cps: np.ndarray, starts: np.ndarray, words: frozenset[str]) -> np.ndarray:
    """``prev_word(text, s)[0] in words`` for each start, from a window of the characters
    before all starts at once (rows the window cannot settle go through ``prev_word``)."""
    out = np.zeros(len(starts), dtype=bool)
    if not words or not len(starts):
        return out
    longest = max(len(w) for w in words)
    width = longest + 9
    idx = starts[:, None] - 1 - np.arange(width)[None, :]  # column j: the character at s - 1 - j
    c = cps[np.maximum(idx, 0)].astype(np.int64)
    c[idx < 0] = -1  # before the text: neither space nor word
    rare = (c >= len(_WORDISH)).any(axis=1)  # scripts beyond the table: left to prev_word
    wordish = _WORDISH[np.clip(c, 0, len(_WORDISH) - 1)] & (c >= 0) & (c < len(_WORDISH))
    space = (c == 32) | (c == 9)
    all_space = space.all(axis=1)
    n_space = np.where(all_space, width, np.argmin(space, axis=1))
    col = np.arange(width)[None, :]
    stop = ~wordish & (col >= n_space[:, None])
    first_stop = np.where(stop.any(axis=1), np.argmax(stop, axis=1), width)
    run = first_stop - n_space  # word characters right before the spaces (at least, if first_stop == width)
    settled = ~rare & ~all_space & ((first_stop < width) | (run > longest))
    for i in np.flatnonzero(settled & (n_space > 0) & (run > 0) & (run <= longest)).tolist():
        s, k, r = int(starts[i]), int(n_space[i]), int(run[i])
        out[i] = text[s - k - r : s - k] in words
    for i in np.flatnonzero(~settled).tolist():
        out[i] = prev_word(text, int(starts[i]))[0] in words
    return out


def _batch_text(texts: list[str], shared: dict | None) -> tuple[str, np.ndarray, np.ndarray, str]:
    """The texts joined by "\\n", its code points, folded code points and folded text; from
    ``shared`` (the loader's, see ``build_corpus``) when it holds exactly these texts."""
    expected = sum(map(len, texts)) + max(len(texts) - 1, 0)
    if shared and shared.get("folded_cps") is not None and _fold_lut() is not None and len(shared["big"]) == expected == len(shared["cps"]):
        big, cps, folded_cps = shared["big"], shared["cps"], shared["folded_cps"]
        try:
            return big, cps, folded_cps, folded_cps.tobytes().decode("utf-32-le")
        except UnicodeError:  # lone surrogates: fold the string instead
            pass
    big = "\n".join(texts)
    folded = fold(big)
    return big, codepoints(big), codepoints(folded), folded


def annotate_batch(articles: pd.DataFrame, sentences: pd.DataFrame, compiled: Compiled, shared: dict | None = None) -> dict[str, pd.DataFrame]:
    """Annotate a batch. ``articles`` needs ``article_id`` and ``text``; ``sentences`` needs
    ``article_id``, ``sentence_id``, ``start``, ``end`` for those articles. Returns the
    mentions, sectors, events and dyads tables, plus candidate ``occurrences``. ``shared``:
    the joined text and code points the loader computed for exactly these texts, if any."""
    ids = articles["article_id"].to_numpy()
    # Where table columns take article ids from: the Arrow strings as they are, if so.
    id_src = articles["article_id"].array if _arrow_str(articles["article_id"]) else ids
    texts = articles["text"].fillna("").astype(str).tolist()
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    doc_start = np.concatenate([[0], np.cumsum(lengths + 1)])[:-1]
    big, cps, folded_cps, folded = _batch_text(texts, shared)
    m = compiled.matcher.find(big, folded, folded_cps=folded_cps, text_cps=cps)
    doc = np.searchsorted(doc_start, m.start, side="right") - 1

    # Sentence of each match, from the sentence table laid onto the batch text.
    pos = pd.Series(np.arange(len(ids)), index=ids)
    sdoc = pos.reindex(sentences["article_id"]).to_numpy()
    sent_ok = ~np.isnan(sdoc.astype(float))
    sdoc = sdoc[sent_ok].astype(np.int64)
    s_start = doc_start[sdoc] + sentences["start"].to_numpy()[sent_ok]
    s_end = doc_start[sdoc] + sentences["end"].to_numpy()[sent_ok]
    s_id = sentences["sentence_id"].to_numpy()[sent_ok]
    order = np.argsort(s_start, kind="stable")
    s_start, s_end, s_id, sdoc = s_start[order], s_end[order], s_id[order], sdoc[order]
    si = np.searchsorted(s_start, m.start, side="right") - 1
    in_sent = (si >= 0) & (m.end <= s_end[np.maximum(si, 0)]) & (sdoc[np.maximum(si, 0)] == doc)

    layer = compiled.layer[m.term]
    out: dict[str, pd.DataFrame] = {}

    # ---- entities -----------------------------------------------------------------------
    ent = np.flatnonzero((layer == "entity") & in_sent)
    es, ee, et = m.start[ent], m.end[ent], m.term[ent]
    keep = longest(es, ee)
    es, ee, et = es[keep], ee[keep], et[keep]
    # One entity matched twice on a span (its name and an alias folding alike): keep one.
    first = ~pd.DataFrame({"s": es, "e": ee, "r": compiled.ref_codes()[et]}).duplicated().to_numpy()
    es, ee, et = es[first], ee[first], et[first]
    kinds = compiled.as_text("kind")[et]
    refs = compiled.ref[et].astype(object)
    slicer = Slicer(big, cps)
    first_upper = _is_upper(cps[es])
    # Everyday words ("turkey") only count when capitalised.
    capitalised_only = compiled.capitalised_only
    cap_only = np.zeros(len(es), dtype=bool)  # looked up only where it matters: lower-case starts
    low = np.flatnonzero(~first_upper)
    cap_only[low] = [folded[a:b] in capitalised_only for a, b in zip(es[low].tolist(), ee[low].tolist())]
    valid = ~(cap_only & ~first_upper) & (kinds != "blocker")

    # Where a title ends -> the earliest start of a title ending there (a longer title).
    tmask = (layer == "title") & in_sent
    t_end, t_start = m.end[tmask], m.start[tmask]
    t_order = np.lexsort((t_start, t_end))
    t_end, t_start = t_end[t_order], t_start[t_order]
    t_first = np.r_[True, t_end[1:] != t_end[:-1]] if len(t_end) else np.zeros(0, dtype=bool)
    titles_end = dict(zip(t_end[t_first].tolist(), t_start[t_first].tolist()))

    # A country, capital or demonym glued by a hyphen to a capitalised word that is not an
    # actor is part of a compound name ("Arlette Soudan-Nonault"); "Rwanda-Uganda" is two.
    place = np.flatnonzero(valid & np.isin(kinds, ["name", "alias", "capital", "demonym"]) & (ee < len(big) - 1))
    if len(place):
        nxt = ee[place]
        glued = (cps[nxt] == 0x2D) & _is_upper(cps[np.minimum(nxt + 1, len(cps) - 1)])
        place = place[glued]  # rare: only these are looked up among the mention starts
        nxt = ee[place] + 1  # es is sorted (the matcher's hits come ordered by start)
        at = np.minimum(np.searchsorted(es, nxt), len(es) - 1)
        place = place[es[at] != nxt]
        valid[place[_is_country(compiled, refs[place])]] = False

    occurrences: list[tuple] = []
    starts_out = es.copy()
    # Capitals right after a locative word name a place, not a government.
    cap = np.flatnonzero(valid & (kinds == "capital"))
    if len(cap):
        valid[cap[_prev_word_in(folded, folded_cps, es[cap], compiled.locative)]] = False
    # ... as does one glued to "-based", "-listed" ("a London-listed miner").
    cap = np.flatnonzero(valid & (kinds == "capital") & (ee < len(big) - 1))
    if len(cap) and compiled.attributive:
        cap = cap[cps[ee[cap]] == 0x2D]  # rare: a hyphen right after the capital
        for j in cap.tolist():
            suffix = re.match(r"[^\W\d_]+", folded[int(ee[j]) + 1 : int(ee[j]) + 24])
            if suffix and suffix.group() in compiled.attributive:
                valid[j] = False
    # ... and a capital inside an organisation's name ("Petro de Luanda", "Bank of Kigali") is part of that name.
    cap = np.flatnonzero(valid & (kinds == "capital"))
    if len(cap) and compiled.place_connectors:
        conn = np.zeros(len(cap), dtype=bool)
        for key in compiled.place_connectors:  # the folded characters right before the capital
            before = es[cap, None] - np.arange(len(key), 0, -1)
            conn |= (before[:, 0] >= 0) & (folded_cps[np.maximum(before, 0)] == codepoints(key)).all(axis=1)
        for j in cap[conn].tolist():
            if in_proper_name(big, folded, int(es[j]), compiled.place_connectors):
                valid[j] = False
    # A country's name or demonym followed by an organisation's head word is part of that
    # organisation's name ("Malawian Airlines", "Tanzania Ports Authority").
    if compiled.name_heads:
        ctry = np.flatnonzero(valid & np.isin(kinds, ["name", "alias", "demonym"]) & (ee < len(big) - 1))
        ctry = ctry[(cps[ee[ctry]] == 0x20) & _is_upper(cps[np.minimum(ee[ctry] + 1, len(cps) - 1)])]
        if len(ctry):
            # the next word, from the folded text: up to the next non-word character
            width = 24  # longer than any head word
            win = ee[ctry, None] + 1 + np.arange(width)
            c = folded_cps[np.minimum(win, len(folded_cps) - 1)]
            stop = ~_NAME_CHARS[np.minimum(c, len(_NAME_CHARS) - 1)] | (c >= len(_NAME_CHARS)) | (win >= len(folded_cps))
            w_end = ee[ctry] + 1 + np.where(stop.any(axis=1), stop.argmax(axis=1), width)
            head = np.array([folded[a + 1:b] in compiled.name_heads for a, b in zip(ee[ctry].tolist(), w_end.tolist())], dtype=bool)
            ctry = ctry[head]
            valid[ctry[_is_country(compiled, refs[ctry])]] = False
    # Surnames: with a title -> title_surname; after another capitalised name -> not ours.
    other_named: list[tuple[int, str, int]] = []  # (doc, person id, start): "Ousman Sonko" is not Ousmane Sonko
    for j in np.flatnonzero(valid & (kinds == "surname")):
        s = int(es[j])
        after = next_word(big, int(ee[j]))
        # "Lee White" is not Lee Jae-myung, nor "President Duarte Pacheco" Cristina Duarte:
        # the surname is someone's first name.
        first_name = after[:1].isupper() and not after.isupper() and fold(after) not in compiled.titles_folded and not after.endswith(("'s", "’s"))
        if s - 1 in titles_end and big[s - 1] == " ":
            if first_name and first_upper[j] and fold(after) not in compiled.generic:  # not "President Kagame Tuesday"
                valid[j] = False
                continue
            kinds[j] = "title_surname"
            starts_out[j] = titles_end[s - 1]
            continue
        word, wstart = prev_word(big, s)
        if not first_upper[j]:
            valid[j] = False
        elif first_name:
            valid[j] = False
        elif s > 1 and big[s - 1] == "-" and _glued_name_part(big, s - 1, compiled.connectors):
            valid[j] = False  # "Berit Reiss-Andersen" is not Inger Andersen: part of another surname
        elif names_another_person(word, compiled.generic, compiled.titles_folded):
            valid[j] = False
            d = int(np.searchsorted(doc_start, s, side="right") - 1)
            k = int(np.searchsorted(s_start, s, side="right") - 1)
            occurrences.append((ids[d], int(s_id[k]), int(wstart - doc_start[d]), int(ee[j] - doc_start[d]), big[wstart:ee[j]], "", "capitalised name before a known surname", big[s_start[k]:s_end[k]]))
            other_named.append((d, refs[j], s))
    if other_named:
        _drop_surnames_of_another(valid, kinds, refs, es, doc_start, other_named)
    es2, ee2, kinds2, refs2, et2 = starts_out[valid], ee[valid], kinds[valid], refs[valid], et[valid]
    edoc = np.searchsorted(doc_start, es2, side="right") - 1
    # Several people can share a surname span: resolve to the one named in full in the
    # article (the latest before, else the first after), else the first in the lexicon.
    is_surname = np.isin(kinds2, ["surname", "title_surname"])
    full = (kinds2 == "name") | (kinds2 == "alias") | (kinds2 == "acronym")
    drop = np.zeros(len(es2), dtype=bool)
    if is_surname.any():
        edoc_l, es2_l, ee2_l = edoc.tolist(), es2.tolist(), ee2.tolist()
        groups: dict[tuple[int, int], list[int]] = {}
        for j in np.flatnonzero(is_surname).tolist():
            groups.setdefault((ee2_l[j], edoc_l[j]), []).append(j)
        groups = {k: js for k, js in groups.items() if len(js) > 1}  # the rest: nothing to choose
        # Full mentions, of the people some shared surname span may be.
        wanted = {refs2[j] for js in groups.values() for j in js}
        people_full: dict[tuple[int, str], list[int]] = {}
        for j in np.flatnonzero(full & pd.Series(refs2, dtype=object).isin(wanted).to_numpy()).tolist():
            people_full.setdefault((edoc_l[j], refs2[j]), []).append(es2_l[j])
        for (_, d), js in groups.items():
            s = es2_l[js[0]]
            if kinds2[js[0]] == "title_surname" and len(js) > 1:
                # "President Kagame": prefer people whose role carries that title.
                title = fold(big[s : int(ee2[js[0]])]).rsplit(" ", 1)[0].strip()
                fits = [j for j in js if title and title in compiled.roles.get(refs2[j], "")]
                if fits:
                    for j in js:
                        if j not in fits:
                            drop[j] = True
                    js = fits

            def score(j: int) -> tuple:
                seen = people_full.get((d, refs2[j]), [])
                before = [p for p in seen if p < s]
                return (0, -max(before)) if before else ((1, min(seen)) if seen else (2, compiled.person_order.get(refs2[j], 10**9)))

            best = min(js, key=score)
            for j in js:
                if j != best:
                    drop[j] = True
    if compiled.shared is not None:
        live = np.flatnonzero(~drop)
        shared = compiled.shared[et2[live]]
        if shared.any():
            drop[live] = _resolve_shared(shared, edoc[live], es2[live], ee2[live], refs2[live], compiled.bearer_country)
    sel = ~drop
    es2, ee2, kinds2, refs2, edoc, et2 = es2[sel], ee2[sel], kinds2[sel], refs2[sel], edoc[sel], et2[sel]
    # ---- actors not in the lexicon: candidates, and unlisted people ----------------------------
    # A name some entity span overlaps is no candidate.
    nonempty = es2 < ee2
    covered = _overlap_test(es2[nonempty], ee2[nonempty])

    def sentence_of(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        k = np.searchsorted(s_start, a, side="right") - 1
        return np.where((k >= 0) & (b <= s_end[np.maximum(k, 0)]), k, -1)

    found = [(mt.group("title"), mt.span("name"), mt.group("name"), "name after a title") for mt in _candidate_matches(compiled, big, cps, m)]
    found += _names_after_person_leads(compiled, big, cps, m, layer)
    found += _names_after_title_and_demonym(compiled, big, cps, m, layer, t_start[t_first], t_end[t_first])
    found += _names_after_demonym_nouns(compiled, big, cps, m)
    found += _names_after_country_possessives(compiled, big, cps, m, layer)
    found += _names_after_portfolios(compiled, big, cps, t_start[t_first], t_end[t_first])
    if compiled.appositive is not None:
        # "the minister of Foreign Affairs, Jane Doe": the title's end is where the
        # matcher's title hit ends (the earliest start among titles ending there).
        for e, mt in appositive_matches(big, cps, np.array(sorted(titles_end), dtype=np.int64), compiled.appositive):
            # "le ministre de la Justice, Me Malick Sall": the honorific is not part of the name
            a, b = mt.span("name")
            if fold(mt.group("name").split(None, 1)[0]) in compiled.generic:  # rare: most open with a first name
                a += _name_lead(mt.group("name"), compiled.generic, compiled.titles_folded)
            if a < b:
                found.append((big[titles_end[e] : e], (a, b), big[a:b], "name in apposition to a title"))
    if compiled.name_before is not None and len(t_end):
        # "Plasduce Mbossa, director general of the ports authority, said": the name
        # before a title used as a role (the longest title ending at each end).
        for ts, te, mt in names_before_titles(big, cps, t_start[t_first], t_end[t_first], compiled.name_before, np.sort(ee2[nonempty])):
            a, b = mt.span("name")
            a += _name_lead(mt.group("name"), compiled.generic, compiled.titles_folded)
            if len(big[a:b].split()) >= 2:
                found.append((big[ts:te], (a, b), big[a:b], "name before a title in apposition"))
    found += _names_opening_with_given_names(compiled, big, cps, m, layer, covered, found)
    found.sort(key=lambda f: f[1])
    spans = np.array([f[1] for f in found], dtype=np.int64).reshape(-1, 2)
    f_sent = sentence_of(spans[:, 0], spans[:, 1])
    f_doc = np.searchsorted(doc_start, spans[:, 0], side="right") - 1
    f_ok = ~covered(spans[:, 0], spans[:, 1]) & (f_sent >= 0)
    intros: list[tuple[int, int, int, str]] = []
    for (title, (a, b), name, reason), k, d in zip(
        itertools.compress(found, f_ok), f_sent[f_ok].tolist(), f_doc[f_ok].tolist()
    ):
        if fold(name.split()[0]) in compiled.generic or fold(name) in compiled.titles_folded:
            continue
        occurrences.append((ids[d], int(s_id[k]), int(a - doc_start[d]), int(b - doc_start[d]), name, re.sub(r"\s+", " ", title), reason, big[s_start[k]:s_end[k]]))
        person = strip_possessive(name)
        if compiled.unlisted_people and looks_like_person(person, compiled.generic, compiled.titles_folded, compiled.connectors):
            intros.append((d, a, a + len(person), person))
    unlisted = []
    if intros:
        unlisted = unlisted_mentions(
            big, intros, doc_start, doc_start + lengths,
            lambda a, b: bool(covered(np.array([a]), np.array([b]))[0]),
            lambda d, a, b: (k := int(sentence_of(np.array([a]), np.array([b]))[0])) >= 0 and sdoc[k] == d,
            titles_end, compiled.generic, compiled.titles_folded, compiled.connectors,
        )

    u_type = ["person"] * len(unlisted)
    if compiled.org_rules is not None:
        blocker = kinds == "blocker"  # "Oval Office": a name, but no actor's
        orgs, after_lead = _unlisted_organisations(
            compiled, articles, big, cps, m, layer, in_sent, es2, ee2, et2, unlisted + list(zip(itertools.repeat(-1), es[blocker].tolist(), ee[blocker].tolist())),
            doc_start, lengths, sentence_of, sdoc, s_start, s_end,
        )
        for d, a, b, _, name, how in orgs:
            if how == "unlisted":  # listed in candidates too, for the lexicons to grow
                k = int(sentence_of(np.array([a]), np.array([b]))[0])
                why = "organisation name after a company noun" if (d, name) in after_lead else "organisation name with a head word"
                occurrences.append((ids[d], int(s_id[k]), int(a - doc_start[d]), int(b - doc_start[d]), big[a:b], "", why, big[s_start[k]:s_end[k]]))
        if orgs:
            # A country, capital or listed organisation inside an organisation's name is
            # not a mention of it ("Tanzania Ports Authority", "UN Support Office").
            o_s = np.array([o[1] for o in orgs], dtype=np.int64)
            o_e = np.array([o[2] for o in orgs], dtype=np.int64)
            at = np.searchsorted(o_s, es2, side="right") - 1
            inside = (at >= 0) & (ee2 <= o_e[np.maximum(at, 0)])
            if inside.any():
                es2, ee2, kinds2, refs2, edoc, et2 = es2[~inside], ee2[~inside], kinds2[~inside], refs2[~inside], edoc[~inside], et2[~inside]
            typed = sorted([(u, "person") for u in unlisted] + [(o, "organization") for o in orgs], key=lambda r: (r[0][1], r[0][2]))
            unlisted, u_type = [r[0] for r in typed], [r[1] for r in typed]

    if compiled.seats:
        et2 = _capitals_for_seats(compiled, edoc, et2)
    esent = np.searchsorted(s_start, ee2 - 1, side="right") - 1
    ent_cols = _entity_columns(compiled, et2, ("entity_name", "entity_type", "country"))
    mentions = pd.DataFrame(
        {
            "article_id": id_src.take(edoc),
            "sentence_id": s_id[esent].astype(np.int32),
            "start": (es2 - doc_start[edoc]).astype(np.int32),
            "end": (ee2 - doc_start[edoc]).astype(np.int32),
            "surface": slicer.take(es2, ee2),
            "entity_id": compiled.text_array("ref").take(et2),
            "entity_name": ent_cols["entity_name"],
            "entity_type": ent_cols["entity_type"],
            "country": ent_cols["country"],
            "match": pd.Series(kinds2, dtype="str"),
        },
        columns=MENTION_COLUMNS,
    )
    if unlisted:
        ud, ua, ub, uid, uname, umatch = (np.array(c) for c in zip(*unlisted))
        ua, ub, ud = ua.astype(np.int64), ub.astype(np.int64), ud.astype(np.int64)
        usent = np.searchsorted(s_start, ub - 1, side="right") - 1
        extra = pd.DataFrame(
            {
                "article_id": id_src.take(ud),
                "sentence_id": s_id[usent].astype(np.int32),
                "start": (ua - doc_start[ud]).astype(np.int32),
                "end": (ub - doc_start[ud]).astype(np.int32),
                "surface": pd.array([big[a:b] for a, b in zip(ua.tolist(), ub.tolist())], dtype="str"),
                "entity_id": pd.array(uid.tolist(), dtype="str"),
                "entity_name": pd.array(uname.tolist(), dtype="str"),
                "entity_type": pd.array(u_type, dtype="str"),
                "country": pd.array([None] * len(ua), dtype="str"),  # unknown, as for lexicon entries without one
                "match": pd.array(umatch.tolist(), dtype="str"),
            },
            columns=MENTION_COLUMNS,
        )
        # In text order with the lexicon's mentions (the rows below read es2/ee2/esent
        # alongside the table).
        order = np.argsort(np.r_[es2, ua], kind="stable")
        mentions = pd.concat([mentions, extra], ignore_index=True).take(order).reset_index(drop=True)
        es2, ee2, esent = np.r_[es2, ua][order], np.r_[ee2, ub][order], np.r_[esent, usent][order]
    out["mentions"] = mentions

    # ---- sectors --------------------------------------------------------------------------
    sectors = _cue_table(m, np.flatnonzero((layer == "sector") & in_sent), compiled, slicer, doc_start, s_start, s_id, id_src, "sector")
    out["sectors"] = drop_unsupported_cues(sectors, compiled.needs_support)

    # ---- events, with the actors of their sentence ------------------------------------------
    ev = _cue_table(m, np.flatnonzero((layer == "event") & in_sent), compiled, slicer, doc_start, s_start, s_id, id_src, "event_type")
    if len(ev):
        ev["n_cues"] = ev.groupby(["article_id", "sentence_id", "event_type"], sort=False)["start"].transform("size").astype(np.int32)
        ev = ev.drop_duplicates(["article_id", "sentence_id", "event_type"], keep="first").reset_index(drop=True)
    else:
        ev["n_cues"] = pd.Series([], dtype=np.int32)
    ev["cameo_root"] = ev["event_type"].map(compiled.cameo).astype("str") if len(ev) else pd.Series([], dtype="str")
    # The country each mention speaks for in events and dyads: its bearer, except a
    # demonym that only gives a company's nationality.
    cc = _bearer(mentions, compiled)
    nationality = _company_nationality(big, es2, ee2, esent, mentions, cc, compiled)
    if nationality.any():
        cc = cc.mask(nationality)
    actors = _sentence_actors(mentions, compiled, cc)
    ev = ev.merge(actors, on=["article_id", "sentence_id"], how="left")
    for c in ("actor_ids", "actor_names", "countries"):
        ev[c] = ev[c].fillna("") if len(ev) else pd.Series([], dtype="str")
    out["events"] = ev[EVENT_COLUMNS]

    # ---- dyads ------------------------------------------------------------------------------
    n_sent = pd.Series(np.bincount(sdoc, minlength=len(ids)), index=pd.Index(ids).astype(str))
    out["dyads"] = _dyads(mentions, compiled, n_sent, cc)

    # Typed even when empty (Dask takes an empty partition's types as the table's).
    occ = pd.DataFrame(occurrences, columns=OCCURRENCE_COLUMNS)
    out["occurrences"] = occ.astype({c: ("int64" if c in ("sentence_id", "start", "end") else "str") for c in OCCURRENCE_COLUMNS})
    return out


def _arrow_str(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow" and s.dtype.na_value is not pd.NA


def _unlisted_organisations(
    compiled: Compiled, articles: pd.DataFrame, big: str, cps: np.ndarray, m: Matches, layer: np.ndarray, in_sent: np.ndarray,
    es: np.ndarray, ee: np.ndarray, et: np.ndarray, people: list[tuple], doc_start: np.ndarray, lengths: np.ndarray,
    sentence_of, sdoc: np.ndarray, s_start: np.ndarray, s_end: np.ndarray,
) -> tuple[list[tuple[int, int, int, str, str, str]], set[tuple[int, str]]]:
    """Mentions of organisations the lexicons do not list (see ``unlisted_orgs``), found
    around the matcher's capitalised head-word hits, or right after a lead noun, that no
    listed person or organisation (nor an unlisted person, nor a name in ``people`` such as
    a not-entity) covers; and the ``(doc, name)`` of the names found after a lead noun."""
    hit = np.flatnonzero((layer == "org_head") & in_sent)
    hs, he = m.start[hit], m.end[hit]
    up = _is_upper(cps[hs])
    hs, he = hs[up], he[up]
    french_doc = articles["lang"].to_numpy() == "fr" if "lang" in articles else np.zeros(len(articles), dtype=bool)
    leads = _names_after_leads(compiled, big, cps, m, layer, in_sent, sentence_of, sdoc, s_start, s_end, french_doc)
    if not len(hs) and not leads:
        return [], set()
    # Spans of people: a name holding one is theirs ("Paul Kagame University" aside), not
    # a new body's. Countries and organisations may open a name ("UN Support Office").
    # A head word inside a listed organisation's name is that organisation's ("World Bank").
    etype = np.asarray(_entity_columns(compiled, et, ("entity_type",))["entity_type"], dtype=object)
    person = etype == "person"
    p_s = np.r_[es[person], np.array([p[1] for p in people], dtype=np.int64)]
    p_e = np.r_[ee[person], np.array([p[2] for p in people], dtype=np.int64)]
    blocked_many = _overlap_test(p_s, p_e)
    k = sentence_of(hs, he)
    listed = _overlap_test(es[~person], ee[~person])
    ok = (k >= 0) & ~blocked_many(hs, he) & ~listed(hs, he)
    hs, k = hs[ok], k[ok]
    if leads:
        # A name after a lead noun that holds a person or a listed actor is theirs.
        la, lb = np.array([x[1] for x in leads], dtype=np.int64), np.array([x[2] for x in leads], dtype=np.int64)
        free = ~blocked_many(la, lb) & ~listed(la, lb)
        leads = [x for x, f in zip(leads, free.tolist()) if f]
    if not len(hs) and not leads:
        return [], set()
    doc = sdoc[k]
    french = french_doc[doc]
    heads = list(zip(doc.tolist(), s_start[k].tolist(), s_end[k].tolist(), hs.tolist(), french.tolist()))
    known = np.sort(es[~person])  # where countries and organisations start: "and" stops before one
    known_ends = np.sort(ee[~person])  # ... and where they end: "and" stops after one
    orgs = unlisted_org_mentions(
        big, heads,
        doc_lo=dict(enumerate(doc_start.tolist())),
        doc_end=dict(enumerate((doc_start + lengths).tolist())),
        blocked=lambda a, b: bool(blocked_many(np.array([a]), np.array([b]))[0]),
        in_sentence=lambda d, a, b: (j := int(sentence_of(np.array([a]), np.array([b]))[0])) >= 0 and sdoc[j] == d,
        rules=compiled.org_rules,
        known_at=_holds(known),
        known_end=_holds(known_ends),
        named=leads,
    )
    return orgs, {(d, big[a:b]) for d, a, b in leads}


def _names_after_title_and_demonym(
    compiled: Compiled, big: str, cps: np.ndarray, m: Matches, layer: np.ndarray, t_start: np.ndarray, t_end: np.ndarray,
) -> list[tuple]:
    """``(title, (start, end), name, reason)`` of the names after a title and a demonym,
    one space apart ("l'ancien président tchadien Hissène Habré", French puts the demonym
    between): a title hit, a demonym hit right after it, and a capitalised name after that."""
    if compiled.dem_name is None or not len(t_end):
        return []
    dem = np.flatnonzero((compiled.kind == "demonym")[m.term])  # demonyms are entity terms only
    ds, de = m.start[dem], m.end[dem]
    if not len(ds):
        return []
    at = np.searchsorted(ds, t_end + 1)
    at_ok = at < len(ds)
    ok = at_ok & (ds[np.minimum(at, len(ds) - 1)] == t_end + 1) & (cps[np.minimum(t_end, len(cps) - 1)] == 0x20)
    out = []
    for ts, te, j in zip(t_start[ok].tolist(), t_end[ok].tolist(), at[ok].tolist()):
        mt = compiled.dem_name.match(big, int(de[j]))
        if mt is not None and fold(mt.group("name").split()[0]) not in compiled.generic:
            out.append((big[ts:te], mt.span("name"), mt.group("name"), "name after a title"))
    return out


def _person_name_at(compiled: Compiled, big: str, at: int) -> re.Match | None:
    """The name of two or more capitalised words after the space at ``at`` (None when there
    is none, or when it opens with a title or a generic word: "led by Prime Minister ..." is
    left to the title rules)."""
    mt = compiled.lead_name.match(big, at)
    if mt is None:
        return None
    first = fold(mt.group("name").split()[0])
    return None if first in compiled.generic or first in compiled.titles_folded else mt


def _names_after_demonym_nouns(compiled: Compiled, big: str, cps: np.ndarray, m: Matches) -> list[tuple]:
    """``(demonym, (start, end), name, reason)`` of the names of two or more capitalised
    words after a capitalised French demonym used as a noun, with its article ("le
    Mauritanien El-Ghassim Wane", "l'Émirien Mohammed Ben Sulayem"): French introduces a
    person by nationality that way; an adjective ("le président sénégalais") is lower case."""
    if compiled.lead_name is None or not compiled.demonym_articles:
        return []
    dem = np.flatnonzero((compiled.kind == "demonym")[m.term])
    ds, de = m.start[dem], m.end[dem]
    reach = max(len(art) for art in compiled.demonym_articles)
    ok = (ds >= min(len(art) for art in compiled.demonym_articles)) & (de < len(cps) - 1)
    ok[ok] = _is_upper(cps[ds[ok]]) & (cps[de[ok]] == 0x20) & _is_upper(cps[de[ok] + 1])
    if not ok.any():
        return []
    out = []
    for a, b in zip(ds[ok].tolist(), de[ok].tolist()):
        before = big[max(0, a - reach - 1) : a].lower()
        if not any(before.endswith(art) and (len(before) == len(art) or not before[-len(art) - 1].isalnum()) for art in compiled.demonym_articles):
            continue
        mt = _person_name_at(compiled, big, b)
        if mt is not None:
            out.append((big[a:b], mt.span("name"), mt.group("name"), "name after a demonym used as a noun"))
    return out


def _names_after_country_possessives(compiled: Compiled, big: str, cps: np.ndarray, m: Matches, layer: np.ndarray) -> list[tuple]:
    """``(country, (start, end), name, reason)`` of the names of two or more capitalised
    words right after a country's name and its possessive ("Italy's Giuseppe Conte"): the
    press introduces a foreign leader or minister that way, without a title."""
    if compiled.lead_name is None:
        return []
    le = m.end
    ok = le < len(cps) - 3
    ok[ok] = (cps[le[ok]] == 0x27) | (cps[le[ok]] == 0x2019)  # most hits end here
    ok[ok] = (cps[le[ok] + 1] == 0x73) & (cps[le[ok] + 2] == 0x20) & _is_upper(cps[le[ok] + 3])
    hit = np.flatnonzero(ok)
    hit = hit[(layer[hit] == "entity") & np.isin(compiled.kind[m.term[hit]], ["name", "alias"])]
    hit = hit[_is_country(compiled, compiled.ref[m.term[hit]])]
    out = []
    for a, b in zip(m.start[hit].tolist(), m.end[hit].tolist()):
        mt = _person_name_at(compiled, big, b + 2)
        if mt is not None:
            out.append((big[a:b + 2], mt.span("name"), mt.group("name"), "name after a country's possessive"))
    return out


@dataclass(frozen=True)
class _Portfolio:
    """``portfolio_words`` of annotation.yaml, compiled: after a title, a word that opens its
    portfolio ("of", "for"), then a run of capitalised words joined by the portfolio's small
    words: the portfolio, then the name (see ``_names_after_portfolios``)."""

    pattern: re.Pattern
    last_item_after: frozenset[str]  # folded "and", "&": the portfolio's last item follows one
    inside: frozenset[str]  # folded "of", "the": inside a portfolio, never in a name
    starts: tuple[int, ...]  # first characters of the opening words (a cheap prefilter)

    @classmethod
    def from_words(cls, words: dict, plain_tok: str, name_tok: str) -> "_Portfolio | None":
        opens = [str(w) for w in words.get("opens", [])]
        last = [str(w) for w in words.get("last_item_after", [])]
        inside = [str(w) for w in words.get("inside", [])]
        if not opens or not (last or inside):
            return None

        def alt(ws: list[str]) -> str:
            return "|".join(re.escape(w) for w in sorted(set(ws), key=len, reverse=True))

        lead = rf"(?:(?:{alt(inside)})[ \t]+)?" if inside else ""
        pattern = re.compile(
            rf"[ \t]+(?:{alt(opens)})[ \t]+{lead}(?P<run>{plain_tok}(?:[ \t]+(?:(?:{alt(last + inside)})[ \t]+)?{name_tok}){{2,8}})(?![\w'’\-])"
        )
        return cls(pattern, frozenset(map(fold, last)), frozenset(map(fold, inside)), tuple(sorted({ord(w[0]) for w in opens})))


def _names_after_portfolios(compiled: Compiled, big: str, cps: np.ndarray, t_start: np.ndarray, t_end: np.ndarray) -> list[tuple]:
    """``(title, (start, end), name, reason)`` of the names right after a title and its
    portfolio in capitals, with no comma between ("Minister of Innovation and Technology
    Jane Doe", "Regional Director for Africa Jane Doe", "Minister for Foreign Affairs Jane
    Doe"). The portfolio ends with the word after its last "and", or with its last generic
    word ("Affairs", "Africa", "Development"); the two or three words after it are the name."""
    rule = compiled.portfolio
    if rule is None or not len(t_end):
        return []
    te = t_end[t_end < len(cps) - 5]
    ts = t_start[t_end < len(cps) - 5]
    ok = (cps[te] == 0x20) & np.isin(cps[te + 1], rule.starts)  # " of", " for"
    out = []
    for a, e in zip(ts[ok].tolist(), te[ok].tolist()):
        mt = rule.pattern.match(big, e)
        if mt is None:
            continue
        run_start = mt.start("run")
        words = [(w.group(), run_start + w.start(), run_start + w.end()) for w in re.finditer(r"\S+", mt.group("run"))]
        folded = [fold(w) for w, _, _ in words]
        ands = [i for i, f in enumerate(folded) if f in rule.last_item_after]
        if ands:
            first = ands[-1] + 2
        else:
            generic = [i for i, f in enumerate(folded) if f in compiled.generic]
            first = generic[-1] + 1 if generic else len(words)
        while first < len(words) and folded[first] in compiled.generic:
            first += 1
        name = words[first:]
        if 2 <= len(name) <= 3 and not any(f in rule.inside for f in folded[first:]):
            out.append((big[a:e], (name[0][1], name[-1][2]), big[name[0][1] : name[-1][2]], "name after a title and its portfolio"))
    return out


def _names_opening_with_given_names(
    compiled: Compiled, big: str, cps: np.ndarray, m: Matches, layer: np.ndarray, covered, found: list[tuple]
) -> list[tuple]:
    """``("", (start, end), name, reason)`` of the names of two to four capitalised words
    that open with a given name (given_names.yaml: "Bai Lowe told the court") where no
    other rule found a name and no lexicon mention overlaps the given name. Not when a
    capitalised word other than a generic one stands right before ("Port Louis", "Italy's
    Giuseppe Conte": another rule's), nor a place noun ("l'aéroport Félix Houphouët-Boigny"),
    nor when a word of the name is an organisation's head word ("Mo Ibrahim Foundation")."""
    if compiled.given_name is None:
        return []
    hit = np.flatnonzero(layer == "given_name")
    s, e = m.start[hit], m.end[hit]
    n = len(cps)
    after = cps[np.minimum(e, n - 1)]
    # written with a capital, then a space (or a hyphen: "Jean-Pierre") and a capital;
    # not the second half of a hyphenated name
    ok = _is_upper(cps[s]) & (e < n - 1) & ((after == 0x20) | (after == 0x2D)) & _is_upper(cps[np.minimum(e + 1, n - 1)])
    ok &= (s == 0) | (cps[np.maximum(s - 1, 0)] != 0x2D)
    s, e = s[ok], e[ok]
    if not len(s):
        return []
    s, first = np.unique(s, return_index=True)
    e = e[first]
    s = s[~covered(s, e)]
    if not len(s):
        return []
    if found:
        taken = _overlap_test(np.array([f[1][0] for f in found], dtype=np.int64), np.array([f[1][1] for f in found], dtype=np.int64))
        s = s[~taken(s, s + 1)]
    out = []
    for a in s.tolist():
        word, w_at = prev_word(big, a)
        if word and word[0].isupper() and fold(word) not in compiled.generic and not word.endswith((".", "!", "?")):
            continue  # part of a longer name ("Port Louis"); not the end of the last sentence
        if fold(word) in compiled.connectors:
            before = prev_word(big, w_at)[0]
            if before[:1].isupper():
                continue  # "Thani bin Ahmed Al Zeyoudi"
        if word and not word[0].isupper():
            # "l'hôpital Joseph ...", "l'aéroport international Kenneth Kaunda"
            before = prev_word(big, w_at)[0] if fold(word) not in compiled.place_nouns else ""
            if _elided(fold(word)) in compiled.place_nouns or _elided(fold(before)) in compiled.place_nouns:
                continue
        mt = compiled.given_name.match(big, a)
        if mt is None or any(fold(w) in compiled.non_person_heads for w in mt.group("name").split()):
            continue
        out.append(("", mt.span("name"), mt.group("name"), "name opening with a given name"))
    return out


def _elided(word: str) -> str:
    """A word without a French elided article glued to it ("l'hopital" -> "hopital")."""
    return word.rsplit("'", 1)[-1]


def _names_after_person_leads(compiled: Compiled, big: str, cps: np.ndarray, m: Matches, layer: np.ndarray) -> list[tuple]:
    """``(phrase, (start, end), name, reason)`` of the names of two or more capitalised
    words right after a ``person_lead_phrases`` phrase ("headed by Monica Azuba Ntege");
    a name opening with a title or a generic word ("led by Prime Minister ...") is left to
    the title rules."""
    if compiled.lead_name is None:
        return []
    hit = np.flatnonzero(layer == "person_lead")
    ls, le = m.start[hit], m.end[hit]
    nxt = np.minimum(le + 1, len(cps) - 1)
    ok = (le < len(cps) - 1) & (cps[np.minimum(le, len(cps) - 1)] == 0x20) & _is_upper(cps[nxt])
    out = []
    for a, b in zip(ls[ok].tolist(), le[ok].tolist()):
        mt = _person_name_at(compiled, big, b)
        if mt is not None:
            out.append((big[a:b], mt.span("name"), mt.group("name"), "name after a phrase such as 'headed by'"))
    return out


def _names_after_leads(
    compiled: Compiled, big: str, cps: np.ndarray, m: Matches, layer: np.ndarray, in_sent: np.ndarray,
    sentence_of, sdoc: np.ndarray, s_start: np.ndarray, s_end: np.ndarray, french_doc: np.ndarray,
) -> list[tuple[int, int, int]]:
    """``(doc, start, end)`` of the names right after a lead noun written in lower case
    ("the German developer Enertrag", see ``name_after_lead``)."""
    hit = np.flatnonzero((layer == "org_lead") & in_sent)
    ls, le = m.start[hit], m.end[hit]
    # lower case, a space after it, and a capital after that (in French, or a lower-case
    # adjective first): most hits ("the company said") end here, without a Python step.
    nxt = np.minimum(le + 1, len(cps) - 1)
    ok = ~_is_upper(cps[ls]) & (le < len(cps) - 1)
    ok &= cps[np.minimum(le, len(cps) - 1)] == 0x20
    k = sentence_of(ls, le)
    ok &= k >= 0
    fr = french_doc[sdoc[np.maximum(k, 0)]]
    ok &= _is_upper(cps[nxt]) | fr
    out = []
    for a, kk, f in zip(le[ok].tolist(), k[ok].tolist(), fr[ok].tolist()):
        s0, s1 = int(s_start[kk]), int(s_end[kk])
        r = name_after_lead(big[s0:s1], a - s0, compiled.org_rules, f)
        if r is not None:
            out.append((int(sdoc[kk]), s0 + r[0], s0 + r[1]))
    return out


def _glued_name_part(text: str, hyphen: int, connectors: frozenset[str]) -> bool:
    """Whether a capitalised word that is not a particle ("al", "El") ends at ``hyphen``:
    the name after the hyphen is the second half of a compound surname ("Reiss-Andersen")."""
    i = hyphen
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    word = text[i:hyphen]
    return len(word) > 1 and word[0].isupper() and fold(word) not in connectors


def _holds(sorted_values: np.ndarray) -> Callable[[int], bool]:
    """Whether a sorted array holds a value, as a function (a binary search)."""
    last = len(sorted_values) - 1
    return lambda p: last >= 0 and sorted_values[min(int(np.searchsorted(sorted_values, p)), last)] == p


def _overlap_test(s: np.ndarray, e: np.ndarray) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A vectorised test of whether spans ``[a, b)`` overlap one of the spans ``[s, e)``:
    sorted by start with the running maximum of their ends, ``[a, b)`` overlaps one iff a
    span starting before ``b`` ends after ``a``."""
    order = np.argsort(s, kind="stable")
    s, reach = s[order], np.maximum.accumulate(e[order]) if len(e) else e

    def test(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if not len(s):
            return np.zeros(len(a), dtype=bool)
        n = np.searchsorted(s, b, side="left")
        return (n > 0) & (reach[np.maximum(n - 1, 0)] > a)

    return test


def _entity_columns(compiled: Compiled, terms: np.ndarray, cols: tuple[str, ...]) -> dict:
    """``entities.reindex(compiled.ref[terms])[c].to_numpy()`` for each column; string
    columns are taken in Arrow straight from the entity table when every ref is known."""
    entities = compiled.entities
    if entities.index.is_unique and all(_arrow_str(entities[c]) for c in cols):
        if "entity_row" not in compiled.text_cache:
            compiled.text_cache["entity_row"] = entities.index.get_indexer(compiled.ref)
        codes = compiled.text_cache["entity_row"][terms]
        if not len(codes) or codes.min() >= 0:
            return {c: entities[c].array.take(codes) for c in cols}
    tab = entities.reindex(compiled.ref[terms])
    return {c: tab[c].to_numpy() for c in cols}


@lru_cache(maxsize=1)
def _upper_table() -> np.ndarray:
    return np.array([chr(c).isupper() for c in range(_WORD_TABLE_SIZE)], dtype=bool)


def _is_country(compiled: Compiled, refs: np.ndarray) -> np.ndarray:
    """Whether each entity id is a country's."""
    return compiled.entities["entity_type"].reindex(refs).to_numpy() == "country"


def _name_lead(name: str, generic: frozenset[str], titles: frozenset[str]) -> int:
    """Characters to skip at the start of a capitalised run read as a name: words that
    open the sentence or name something else ("On Monday Jane Doe", "the Authority's
    Jane Doe", "Minister Jane Doe")."""
    skip = 0
    for m in re.finditer(r"\S+\s*", name):
        w = m.group(0).rstrip()
        if w.endswith(("'s", "’s")):
            skip = m.end()
    rest = name[skip:]
    for m in re.finditer(r"\S+\s*", rest):
        w = fold(m.group(0).rstrip())
        if w not in generic and w not in titles:
            return skip + m.start()
    return len(name)


def _is_upper(cps: np.ndarray) -> np.ndarray:
    """``chr(c).isupper()`` for each code point: a table below U+3000, Python above."""
    small = cps < _WORD_TABLE_SIZE
    out = np.zeros(len(cps), dtype=bool)
    out[small] = _upper_table()[cps[small]]
    for i in np.flatnonzero(~small).tolist():
        out[i] = chr(cps[i]).isupper()
    return out


def _needs_support(sectors: pd.DataFrame) -> dict[str, frozenset[str]]:
    if "needs_support" not in sectors:
        return {}
    out = {}
    for sid, cues in zip(sectors["id"], sectors["needs_support"]):
        if isinstance(cues, (list, tuple)) and cues:
            out[str(sid)] = frozenset(str(c).rstrip("*").strip().lower() for c in cues)
    return out


def drop_unsupported_cues(sectors: pd.DataFrame, needs_support: dict[str, frozenset[str]]) -> pd.DataFrame:
    """Drop matches of a sector's ``needs_support`` cues (sectors.yaml) in articles where
    no other cue of that sector matched: "airport" alone is where a visitor landed, not
    aviation; beside "airline" or "flights" it is."""
    if not needs_support or sectors.empty:
        return sectors
    # cues are stored as written in the lexicon; the few rows of the sectors concerned are
    # compared case-insensitively
    in_sec = sectors["sector"].isin(list(needs_support)).to_numpy()
    if not in_sec.any():
        return sectors
    sub = sectors.loc[in_sec, ["article_id", "sector", "cue"]]
    cue = sub["cue"].str.lower().to_numpy(dtype=object)
    sec = sub["sector"].to_numpy(dtype=object)
    weak = np.zeros(len(sub), dtype=bool)
    for sid, cues in needs_support.items():
        weak |= (sec == sid) & np.isin(cue, list(cues))
    if not weak.any():
        return sectors
    pairs = pd.MultiIndex.from_frame(sub[["article_id", "sector"]])
    supported = pairs.isin(pairs[~weak])
    drop = np.zeros(len(sectors), dtype=bool)
    drop[np.flatnonzero(in_sec)[weak & ~supported]] = True
    return sectors.loc[~drop].reset_index(drop=True)


def _cue_table(m, idx, compiled, slicer, doc_start, s_start, s_id, ids, id_col) -> pd.DataFrame:
    s, e, t = m.start[idx], m.end[idx], m.term[idx]
    keep = longest(s, e)
    s, e, t = s[keep], e[keep], t[keep]
    d = np.searchsorted(doc_start, s, side="right") - 1
    k = np.searchsorted(s_start, s, side="right") - 1
    df = pd.DataFrame(
        {
            "article_id": ids.take(d),
            "sentence_id": s_id[k].astype(np.int32),
            id_col: compiled.text_array("ref").take(t),
            "cue": compiled.text_array("term").take(t),
            "surface": slicer.take(s, e),
            "start": (s - doc_start[d]).astype(np.int32),
            "end": (e - doc_start[d]).astype(np.int32),
        }
    )
    for c in (id_col, "cue", "surface", "article_id"):
        df[c] = df[c].astype("str")
    return df


def _bearer(mentions: pd.DataFrame, compiled: Compiled) -> pd.Series:
    """``mentions["entity_id"].map(compiled.bearer_country)``, mapping each distinct id once."""
    ids = mentions["entity_id"]
    codes, uniq = pd.factorize(ids)
    if len(codes) and codes.min() < 0:
        return ids.map(compiled.bearer_country)
    mapped = pd.Series(uniq).map(compiled.bearer_country)
    out = mapped.take(codes)
    out.index = ids.index
    out.name = ids.name
    return out


def _company_nationality(big: str, start: np.ndarray, end: np.ndarray, sent: np.ndarray, mentions: pd.DataFrame, cc: pd.Series, compiled: Compiled) -> np.ndarray:
    """Mask of the mentions that only give a company's nationality: a demonym ("the German
    biotechnology company BioNTech", "le groupe portugais Mota-Engil") or a country's name
    before "'s" ("Germany's BioNTech"), when the next mention of the sentence is an
    organisation of that country that does not bear it (``cc``, the bearer country of each
    mention, is missing) and the text between them fits ``compiled.company_gap`` (see
    ``company_nouns`` in annotation.yaml). ``start``, ``end`` are the mentions' offsets in
    ``big`` and ``sent`` their sentence, numbered uniquely in the batch."""
    n = len(start)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    order = np.argsort(start, kind="stable")
    nxt = np.full(n, -1, dtype=np.int64)
    nxt[order[:-1]] = order[1:]
    etype = mentions["entity_type"].to_numpy(dtype=object)
    match = mentions["match"].to_numpy(dtype=object)
    demonym = match == "demonym"
    j = np.flatnonzero((etype == "country") & (demonym | (match == "name") | (match == "alias")) & (nxt >= 0))
    if not len(j):
        return out
    k = nxt[j]
    ok = (sent[k] == sent[j]) & (etype[k] == "organization") & cc.isna().to_numpy()[k] \
        & (mentions["country"].to_numpy(dtype=object)[k] == mentions["entity_id"].to_numpy(dtype=object)[j])
    j, k = j[ok], k[ok]
    if not len(j):
        return out
    after_demonym, after_name = compiled.company_gap
    fits = [bool((after_demonym if d else after_name).fullmatch(big[a:b])) for d, a, b in zip(demonym[j].tolist(), end[j].tolist(), start[k].tolist())]
    out[j[np.array(fits, dtype=bool)]] = True
    return out


def _sentence_actors(mentions: pd.DataFrame, compiled: Compiled, cc: pd.Series | None = None) -> pd.DataFrame:
    """Per sentence with mentions: its distinct entities (ids and names, by id) and the
    countries they speak for (``cc``, default their bearer country; sorted), each
    '|'-joined. Grouped on integer codes."""
    cols = ["article_id", "sentence_id", "actor_ids", "actor_names", "countries"]
    if mentions.empty:
        return pd.DataFrame({c: pd.Series([], dtype="str" if c != "sentence_id" else np.int32) for c in cols})
    art, art_uniq = pd.factorize(mentions["article_id"])
    sid = mentions["sentence_id"].to_numpy().astype(np.int64)
    width = int(sid.max()) + 1
    key = art.astype(np.int64) * width + sid  # one code per sentence
    ent, ent_uniq = pd.factorize(mentions["entity_id"], sort=True)  # codes in id order
    first = np.empty(len(ent_uniq), dtype=np.int64)
    first[ent[::-1]] = np.arange(len(ent) - 1, -1, -1)  # a row of each entity (its name is the same in all)
    names = mentions["entity_name"].to_numpy(dtype=object)[first]

    def distinct(keys: np.ndarray, codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Distinct (sentence, code) pairs, sorted by sentence then code."""
        pair = sorted_unique(keys * max(n, 1) + codes)
        return pair // max(n, 1), pair % max(n, 1)

    k_a, e_a = distinct(key, ent.astype(np.int64), len(ent_uniq))
    bearer = _bearer(mentions, compiled) if cc is None else cc
    has = bearer.notna().to_numpy()
    cc, cc_uniq = pd.factorize(bearer[has], sort=True)
    k_c, c_c = distinct(key[has], cc.astype(np.int64), len(cc_uniq))
    starts_a = np.flatnonzero(np.r_[True, k_a[1:] != k_a[:-1]])
    keys = k_a[starts_a]
    out = pd.DataFrame(
        {
            "article_id": pd.array(np.asarray(art_uniq, dtype=object)[keys // width], dtype="str"),
            "sentence_id": (keys % width).astype(mentions["sentence_id"].dtype),
            "actor_ids": _join_runs(starts_a, len(k_a), pa.array(np.asarray(ent_uniq, dtype=object)[e_a], pa.large_string())),
            "actor_names": _join_runs(starts_a, len(k_a), pa.array(names[e_a], pa.large_string())),
        }
    )
    countries = np.full(len(keys), None, dtype=object)
    if len(k_c):
        starts_c = np.flatnonzero(np.r_[True, k_c[1:] != k_c[:-1]])
        joined = _join_runs(starts_c, len(k_c), pa.array(np.asarray(cc_uniq, dtype=object)[c_c], pa.large_string()))
        countries[np.searchsorted(keys, k_c[starts_c])] = joined.to_numpy(dtype=object)
    out["countries"] = pd.array(countries, dtype="str")
    return out[cols]


def _join_runs(starts: np.ndarray, n: int, values: pa.Array) -> pd.api.extensions.ExtensionArray:
    """'|'-join ``values`` over the runs that begin at ``starts`` (and end at ``n``)."""
    arr = pa.LargeListArray.from_arrays(pa.array(np.r_[starts, n].astype(np.int64)), values)
    return pd.array(pc.binary_join(arr, pa.scalar("|", pa.large_string())), dtype="str")


def _dyads(mentions: pd.DataFrame, compiled: Compiled, n_sentences: pd.Series | None = None, cc: pd.Series | None = None) -> pd.DataFrame:
    """Country pairs of each story (see annotation.yaml). ``cc``: the country each
    mention speaks for (default: its bearer country). Computed on integer codes: articles
    numbered in corpus order, countries in alphabetical order."""
    settings = compiled.lexicon.settings or {}
    share = float(settings.get("dyad_min_share_of_top", 0.5))
    min_evidence = int(settings.get("dyad_min_evidence", 1))
    long_from = int(settings.get("dyad_min_evidence_from_sentences", 0))
    max_tied = settings.get("dyad_max_countries_tied_at_top")
    max_listed = settings.get("dyad_max_countries_per_sentence")
    empty = pd.DataFrame({c: pd.Series([], dtype=np.int64 if c == "evidence" else "str") for c in DYAD_COLUMNS})
    if mentions.empty:
        return empty
    bearer = _bearer(mentions, compiled) if cc is None else cc
    has = bearer.notna().to_numpy()
    art_all, art_uniq = pd.factorize(mentions["article_id"])  # first appearance: corpus order
    c_codes, c_uniq = pd.factorize(bearer[has], sort=True)
    if not len(c_uniq):
        return empty
    art = art_all[has].astype(np.int64)
    sid = mentions["sentence_id"].to_numpy()[has].astype(np.int64)
    n_c = len(c_uniq)
    width = int(sid.max()) + 1

    # Distinct (article, sentence, country), sorted; the pairs of each sentence's countries.
    t = sorted_unique((art * width + sid) * n_c + c_codes)
    t_c, t_sent = t % n_c, t // n_c
    t_art, t_sid = t_sent // width, t_sent % width
    first = np.r_[True, t_sent[1:] != t_sent[:-1]]
    grp_end = np.r_[np.flatnonzero(first)[1:], len(t)][np.cumsum(first) - 1]
    later = grp_end - np.arange(len(t)) - 1  # countries after this one in its sentence
    if max_listed is not None:
        # A sentence naming more countries than this is a list (a summit's members, the
        # stops of a tour): no evidence for any pair in it.
        g_first = np.flatnonzero(first)[np.cumsum(first) - 1]
        later = np.where(grp_end - g_first > int(max_listed), 0, later)
    pa_ = np.repeat(np.arange(len(t)), later)
    pb_ = pa_ + 1 + (np.arange(len(pa_)) - np.repeat(np.cumsum(later) - later, later))
    p_art, p_a, p_b, p_sid = t_art[pa_], t_c[pa_], t_c[pb_], t_sid[pa_]
    rows: list[tuple] = []  # (article code, a, b, evidence, sentence_ids, basis) arrays
    co_mentioned = np.zeros(len(art_uniq), dtype=bool)
    if len(p_art):
        order = np.lexsort((p_sid, p_b, p_a, p_art))
        p_art, p_a, p_b, p_sid = p_art[order], p_a[order], p_b[order], p_sid[order]
        pk = (p_art * n_c + p_a) * n_c + p_b
        starts = run_starts(pk)
        evidence = run_lengths(starts, len(pk))
        g_art, g_a, g_b = p_art[starts], p_a[starts], p_b[starts]
        sent_ids = _join_runs(starts, len(pk), pc.cast(pa.array(p_sid), pa.large_string()))
        co_mentioned[g_art] = True
        top = run_max(evidence, run_starts(g_art))
        # Short stories (a brief, a wire flash) state their pair once.
        if n_sentences is not None:
            n_sent = n_sentences.reindex(pd.Index(np.asarray(art_uniq, dtype=object)[g_art]).astype(str)).fillna(0).to_numpy()
        else:
            n_sent = np.full(len(g_art), long_from)
        need = np.where(n_sent >= long_from, min_evidence, 1)
        ok = evidence >= np.maximum(need, share * top)
        if max_tied is not None and ok.any():
            # No pair leads when the pairs tied at the top span too many countries.
            k_art, k_a, k_b, k_ev = g_art[ok], g_a[ok], g_b[ok], evidence[ok]
            at = k_ev == run_max(k_ev, run_starts(k_art))
            sides = sorted_unique(np.r_[k_art[at] * n_c + k_a[at], k_art[at] * n_c + k_b[at]])
            n_tied = np.bincount(sides // n_c, minlength=len(art_uniq))
            ok &= n_tied[g_art] <= int(max_tied)
        rows.append((g_art[ok], g_a[ok], g_b[ok], evidence[ok], np.asarray(sent_ids, dtype=object)[ok], "sentence"))
    # Stories whose two sides never share a sentence: pair the two most-mentioned countries
    # when they clearly lead: the runner-up is mentioned at least min_evidence times, at
    # least share × the leader's count, and more often than the third country.
    # (A story whose countries do meet in a sentence, but too seldom, is about no pair.)
    keys, n = sorted_unique(art * n_c + c_codes, return_counts=True)
    k_art, k_c = keys // n_c, keys % n_c
    sel = ~co_mentioned[k_art]
    k_art, k_c, n = k_art[sel], k_c[sel], n[sel]
    if len(k_art):
        order = np.lexsort((k_c, -n, k_art))
        k_art, k_c, n = k_art[order], k_c[order], n[order]
        f_idx = run_starts(k_art)
        rank = rank_in_run(f_idx, len(k_art))
        size = np.repeat(run_lengths(f_idx, len(k_art)), run_lengths(f_idx, len(k_art)))
        lead = np.arange(len(k_art)) - rank  # row of the article's leader
        n1 = n[lead]
        n2 = np.where(size > 1, n[np.minimum(lead + 1, len(n) - 1)], 0)
        n3 = np.where(size > 2, n[np.minimum(lead + 2, len(n) - 1)], 0)
        clear = (size > 1) & (n2 >= np.maximum(min_evidence, share * n1)) & (n2 > n3)
        one = clear & (rank == 0)
        lo_, hi_ = k_c[lead[one]], k_c[np.minimum(lead[one] + 1, len(n) - 1)]
        a_, b_ = np.minimum(lo_, hi_), np.maximum(lo_, hi_)
        rows.append((k_art[one], a_, b_, np.zeros(int(one.sum()), dtype=np.int64), np.full(int(one.sum()), "", dtype=object), "article"))
    rows = [r for r in rows if len(r[0])]
    if not rows:
        return empty
    g_art = np.concatenate([r[0] for r in rows])
    g_a = np.concatenate([r[1] for r in rows])
    g_b = np.concatenate([r[2] for r in rows])
    ev = np.concatenate([r[3] for r in rows]).astype(np.int64)
    sids = np.concatenate([r[4] for r in rows])
    basis = np.concatenate([np.full(len(r[0]), r[5], dtype=object) for r in rows])
    # Corpus order (as every other table), so batches concatenate to the same table.
    order = np.lexsort((g_b, g_a, g_art))
    g_art, g_a, g_b, ev, sids, basis = g_art[order], g_a[order], g_b[order], ev[order], sids[order], basis[order]
    cc_a = np.asarray(c_uniq, dtype=object)[g_a]
    cc_b = np.asarray(c_uniq, dtype=object)[g_b]
    names = compiled.entities["entity_name"]
    return pd.DataFrame(
        {
            "article_id": pd.array(np.asarray(art_uniq, dtype=object)[g_art], dtype="str"),
            "country_a": pd.array(cc_a, dtype="str"),
            "country_b": pd.array(cc_b, dtype="str"),
            "name_a": names.reindex(cc_a).to_numpy(),
            "name_b": names.reindex(cc_b).to_numpy(),
            "evidence": ev,
            "sentence_ids": pd.array(sids, dtype="str"),
            "basis": pd.array(basis, dtype="str"),
        }
    )


def summarise_candidates(occ: pd.DataFrame) -> pd.DataFrame:
    """Group candidate occurrences by name: counts and one example sentence each."""
    if occ.empty:
        return pd.DataFrame({c: pd.Series([], dtype=np.int64 if c in ("count", "n_articles", "example_sentence_id") else "str") for c in CANDIDATE_COLUMNS})
    occ = occ.sort_values(["name", "article_id", "sentence_id", "start"], kind="stable")
    g = occ.groupby("name", sort=True)
    res = pd.DataFrame(
        {
            "title": g["title"].agg(lambda s: s[s != ""].mode().iloc[0] if (s != "").any() else ""),
            "reason": g["reason"].first(),
            "count": g.size(),
            "n_articles": g["article_id"].nunique(),
            "example_article_id": g["article_id"].first(),
            "example_sentence_id": g["sentence_id"].first().astype(np.int64),
            "example": g["sentence"].first(),
        }
    ).reset_index()
    res = res.sort_values(["count", "name"], ascending=[False, True], kind="stable", ignore_index=True)
    for c in ("name", "title", "reason", "example_article_id", "example"):
        res[c] = res[c].astype("str")
    return res[CANDIDATE_COLUMNS]


def annotate(corpus: Corpus | pd.DataFrame, lexicon: Lexicon | None = None, *, batch_size: int = 5000, progress: bool | None = None) -> Annotations:
    """Find actors, sectors and cooperation events in every sentence of a corpus.

    ``corpus`` is a :class:`Corpus` (or a DataFrame of articles, which is loaded first).
    ``lexicon`` defaults to the bundled lexicons; see :class:`~diplokit.lexicon.Lexicon`
    for extending them. Results do not depend on ``batch_size``.
    """
    if isinstance(corpus, pd.DataFrame):
        from .loader import load_corpus

        corpus = load_corpus(corpus)
    compiled = compile_lexicon(lexicon)
    saved = corpus.extra
    if corpus.manifest.get("lexicon_fingerprint") == compiled.fingerprint and all(t in saved for t in TABLES):
        # A build already annotated this corpus with this very lexicon: reuse its tables.
        return Annotations(**{t: saved[t] for t in TABLES}, lexicon=compiled.lexicon)
    arts = corpus.articles[["article_id", "text", "lang"]]
    sents = corpus.sentences[["article_id", "sentence_id", "start", "end"]]
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in ("mentions", "sectors", "events", "dyads", "occurrences")}
    batches = range(0, len(arts), batch_size)
    if progress or (progress is None and len(arts) > 20 * batch_size):
        from tqdm.auto import tqdm

        batches = tqdm(batches, desc="diplokit: annotating", unit="batch")
    sent_groups = sents.set_index("article_id", drop=False)
    for b in batches:
        chunk = arts.iloc[b : b + batch_size]
        schunk = sent_groups.loc[sent_groups.index.isin(chunk["article_id"])] if len(arts) > batch_size else sents
        res = annotate_batch(chunk, schunk, compiled)
        for k in parts:
            parts[k].append(res[k])
    tables = {k: pd.concat(v, ignore_index=True) if v else pd.DataFrame() for k, v in parts.items()}
    occ = tables.pop("occurrences")
    ann = Annotations(**tables, candidates=summarise_candidates(occ), lexicon=compiled.lexicon)
    for name in ("mentions", "sectors", "events"):
        df = getattr(ann, name)
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].astype("str")
    return ann
