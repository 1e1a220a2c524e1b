"""Boilerplate removal and header extraction (title, byline, dateline), on whole columns.

Every input text is split into lines once; rules from ``lexicons/boilerplate.yaml`` are
evaluated with RE2 over the whole column of lines (pyarrow.compute), and the per-article
logic (tail blocks, header zone, first paragraph) is done with grouped numpy arrays, so
cleaning 100,000 stories needs no Python loop over lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .resources import lexicon_path, read_yaml
from .runs import sorted_unique
from .utf8_rows import Utf8Rows

TITLE_REASON = "title (moved to the title column)"
BYLINE_REASON = "byline (moved to the byline column)"
DATE_REASON = "date line (moved to the date column)"
DATELINE_REASON = "dateline (moved to the dateline column)"
DUP_TITLE_REASON = "repeated title"
BIO_REASON = "author bio (starts with the byline's name)"
HEADER_REASON = "header line above the story (site name, tagline or label)"
STANDFIRST_REASON = "standfirst (the summary under the headline, above the story)"
_RULES_PER_PASS = 8  # boilerplate rules matched together in one pass (see clean_texts)

_BYLINE_LEAD = r"((by|par|written by|écrit par|posted by|published by|posté par|publié par)\s+|(signé|author|auteur)\s*:\s*|(la\s+)?rédaction\b\s*)"
#: A header line that names the author: "By X", "Par X, correspondant à Y", "Signé : X",
#: or such a segment after a date ("Le 12 juin 2024 | Par X | 5 min de lecture").
#: A date before the author: "Posted on January 31, 2022 by Newsroom", "Publié le 3 mai par X".
_DATED_LEAD = r"(posted|published|publié|posté|mis en ligne)\s+(on|le)\s+[^|•·]{1,40}?\s+"
BYLINE_RE = rf"^([^|•·]{{0,40}}[|•·]\s*|{_DATED_LEAD})?{_BYLINE_LEAD}\S"
#: "Par X, à Kampala — Journaliste santé, ancien correspondant à Goma.": a name, where it
#: was filed from, and a short bio after a dash.
_BYLINE_WITH_BIO = (
    rf"^(?i:{_BYLINE_LEAD})[A-ZÀ-ÖØ-Þ][^,|·•—–.]{{0,40}}(,\s*(?i:à|in|au|en|at|from|depuis)\s+[^,|·•—–.]{{1,30}})?"
    r"\s+[—–]\s+[^—–|]{1,100}$"
)


def _byline_name(line: str) -> str:
    """The author part of a byline line: the segment that starts with "By"/"Par"/...,
    without that word and without what follows a comma ("Par X, correspondant à Y")."""
    segments = [p.strip() for p in re.split(r"\s*[|•·]\s*", line)]
    segments = [re.sub(rf"^{_DATED_LEAD}(?=(by|par)\s)", "", p, flags=re.I) for p in segments]
    seg = next((p for p in segments if re.match(_BYLINE_LEAD, p, flags=re.I)), segments[0])
    if re.match(r"(la\s+)?rédaction\b", seg, flags=re.I):
        return seg
    name = re.sub(rf"^{_BYLINE_LEAD}", "", seg, flags=re.I)
    return re.split(r",|\s[—–]\s", name)[0].strip()


@dataclass(frozen=True)
class Rule:
    id: str
    reason: str
    scope: str  # "line", "tail" or "block"
    pattern: str


@dataclass(frozen=True)
class BoilerplateRules:
    """Rules read from one or more boilerplate YAML files (see lexicons/boilerplate.yaml)."""

    rules: tuple[Rule, ...]
    spam_reason: str
    spam_keywords: tuple[str, ...]
    spam_min_hits: int
    spam_min_share: float
    spam_glued_len: int
    place_connectors: tuple[str, ...] = ()
    rule_max_words: int = 60
    block_end_words: int = 12
    bio_verbs: tuple[str, ...] = ()

    @classmethod
    def load(cls, extra: Iterable[str | Path] = ()) -> "BoilerplateRules":
        """Bundled rules plus any extra rule files (their rules are appended)."""
        paths = [lexicon_path("boilerplate.yaml"), *map(Path, extra)]
        rules: list[Rule] = []
        spam: dict = {}
        keywords: list[str] = []
        connectors: list[str] = []
        bio_verbs: list[str] = []
        max_words, block_end = cls.rule_max_words, cls.block_end_words
        for p in paths:
            doc = read_yaml(p) or {}
            max_words = int(doc.get("rule_max_words", max_words))
            block_end = int(doc.get("block_end_words", block_end))
            connectors += [str(w) for w in doc.get("dateline_place_connectors", [])]
            bio_verbs += [str(w).lower() for w in doc.get("author_bio_verbs", [])]
            for r in doc.get("rules", []):
                scope = r.get("scope", "line")
                if scope not in ("line", "tail", "block"):
                    raise ValueError(f"{p}: rule {r.get('id')!r} has scope {scope!r}; use 'line', 'tail' or 'block'")
                rule = Rule(str(r["id"]), str(r["reason"]), scope, str(r["pattern"]))
                try:  # fail early, naming the rule, rather than deep inside pyarrow
                    pc.match_substring_regex(pa.array([""]), rule.pattern, ignore_case=True)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise ValueError(f"{p}: rule {rule.id!r} is not a valid RE2 pattern: {exc}") from None
                rules.append(rule)
            if "spam" in doc:
                spam = {**spam, **doc["spam"]}
                keywords += [str(k) for k in doc["spam"].get("keywords", [])]
        return cls(
            rules=tuple(rules),
            spam_reason=str(spam.get("reason", "SEO spam")),
            spam_keywords=tuple(dict.fromkeys(k for k in keywords if k.strip())),
            spam_min_hits=int(spam.get("min_keyword_hits", 3)),
            spam_min_share=float(spam.get("min_token_share", 0.5)),
            spam_glued_len=int(spam.get("min_glued_token_length", 35)),
            place_connectors=tuple(dict.fromkeys(w for w in connectors if w.strip())),
            rule_max_words=max_words,
            block_end_words=block_end,
            bio_verbs=tuple(dict.fromkeys(w for w in bio_verbs if w.strip())),
        )


def _author_bios(
    s: pa.Array, keep: np.ndarray, short_byline: np.ndarray, names: np.ndarray, parent: np.ndarray, verbs: Sequence[str] = ()
) -> np.ndarray:
    """Lines other than a byline whose first two words are the first two words of the
    article's byline name (``names``, one per article, None without a byline; names of
    at least two words), or its first name and one of ``verbs`` ("Gustavo reports on
    ...": some sites sign the bio with the first name only)."""
    key = np.full(len(names), None, dtype=object)
    first_key = np.full(len(names), None, dtype=object)
    for d in np.flatnonzero(names != None).tolist():  # noqa: E711 - elementwise comparison
        words = names[d].lower().split()
        if len(words) >= 2 and any(c.isalpha() for c in words[1]):
            key[d] = " ".join(words[:2])
            first_key[d] = words[0]
    out = np.zeros(len(parent), dtype=bool)
    has_key = key != None  # noqa: E711 - elementwise comparison
    cand = np.flatnonzero(keep & has_key[parent] & ~short_byline)
    if len(cand):
        # the first two words, a trailing comma aside ("Jane Doe, a reporter, covers ...")
        lead = pc.extract_regex(pc.utf8_lower(pc.take(s, pa.array(cand))), r"^(?P<w>(?P<w1>\S+)\s+(?P<w2>[^\s,;:]+))")
        first_two = pc.struct_field(lead, "w").to_numpy(zero_copy_only=False)
        out[cand] = first_two == key[parent[cand]]
        if verbs:
            w1 = pc.struct_field(lead, "w1").to_numpy(zero_copy_only=False)
            w2 = pc.struct_field(lead, "w2")
            out[cand] |= (w1 == first_key[parent[cand]]) & _bool(pc.is_in(w2, pa.array(list(verbs))))
    return out


def _blocks(fire: np.ndarray, resumes: np.ndarray, parent: np.ndarray, starts: np.ndarray, n: int) -> np.ndarray:
    """Lines inside blocks: from each firing line down to (not including) the next line
    where the story resumes, or the end of the article."""
    f = np.flatnonzero(fire)
    if not len(f):
        return np.zeros(n, dtype=bool)
    doc_end = np.r_[starts[1:], n][parent[f]]
    # the first resuming line at or after each index (n: none), looked up after each fire
    nxt = np.r_[np.where(resumes, np.arange(n), n), n]
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]
    stop = np.minimum(nxt[f + 1], doc_end)
    delta = np.zeros(n + 1, dtype=np.int64)
    np.add.at(delta, f, 1)
    np.add.at(delta, stop, -1)
    return np.cumsum(delta[:-1]) > 0


def _month_alternation() -> str:
    months = read_yaml(lexicon_path("languages.yaml"))["months"]
    names = sorted({n for names in months.values() for n in names}, key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


def _bool(a) -> np.ndarray:
    return np.asarray(a.to_numpy(zero_copy_only=False), dtype=bool)


def _matches_where(s: pa.Array, mask: np.ndarray, pattern: str, ignore_case: bool = False) -> np.ndarray:
    """``match_substring_regex`` run only on the lines where ``mask`` holds (False elsewhere):
    the header-zone tests concern a few lines per article."""
    out = np.zeros(len(mask), dtype=bool)
    rows = np.flatnonzero(mask)
    if len(rows):
        out[rows] = _bool(pc.match_substring_regex(pc.take(s, pa.array(rows)), pattern, ignore_case=ignore_case))
    return out


def _first_per_group(mask: np.ndarray, parent: np.ndarray, n_groups: int) -> np.ndarray:
    """Global index of the first True line of each group, or -1."""
    out = np.full(n_groups, -1, dtype=np.int64)
    idx = np.flatnonzero(mask)
    groups, first = sorted_unique(parent[idx], return_index=True)
    out[groups] = idx[first]
    return out


def _exclusive_group_cumsum(flag: np.ndarray, parent: np.ndarray, starts: np.ndarray) -> np.ndarray:
    cs = np.cumsum(flag, dtype=np.int64)
    before = np.concatenate([[0], cs])[starts]  # total before each group's first line
    return cs - flag - before[parent]


def _has_odd_breaks(arr: pa.Array) -> bool:
    """Whether any text has a line break other than "\\n" (\\r, \\v, \\f, U+2028, U+2029):
    a byte scan of the UTF-8 buffer, so the regex replacement only runs when needed."""
    data = Utf8Rows.of(arr).data
    if _ODD_BREAK_BYTE[data].any():
        return True
    e2 = np.flatnonzero(data[:-2] == 0xE2)  # U+2028 and U+2029 are E2 80 A8 and E2 80 A9
    return bool(((data[e2 + 1] == 0x80) & ((data[e2 + 2] == 0xA8) | (data[e2 + 2] == 0xA9))).any())


_ODD_BREAK_BYTE = np.zeros(256, dtype=bool)
_ODD_BREAK_BYTE[[0x0B, 0x0C, 0x0D]] = True


def _count_words(s: pa.Array, rows: Utf8Rows | None = None) -> np.ndarray:
    """``count_substring_regex(s, r"\\S+")`` (null rows: 0): runs of bytes that are not RE2
    spaces, counted on the UTF-8 buffer with numpy. ``rows``: ``Utf8Rows.of(s)``, if made."""
    rows = Utf8Rows.of(s) if rows is None else rows
    n, data, rel = len(rows), rows.data, rows.bounds
    if n == 0 or not len(data):
        return np.zeros(n, dtype=np.int64)
    word = ~rows.re2_space
    start = word.copy()
    start[1:] &= ~word[:-1]
    first = rel[:-1][rel[:-1] < len(data)]
    start[first] = word[first]  # a line's first byte starts a word whatever came before
    at = np.flatnonzero(start)  # word starts: count them per line by binary search
    return np.searchsorted(at, rel[1:], side="left") - np.searchsorted(at, rel[:-1], side="left")


def _long_runs(s: pa.Array, length: int, rows: Utf8Rows | None = None) -> np.ndarray:
    """Lines with a run of at least ``length`` bytes that are not RE2 spaces: a superset
    of the lines with ``length`` letters in a row (a letter is one or more such bytes),
    found on the UTF-8 buffer with numpy. ``rows``: ``Utf8Rows.of(s)``, if made."""
    rows = Utf8Rows.of(s) if rows is None else rows
    n, data, rel = len(rows), rows.data, rows.bounds
    if n == 0 or not len(data):
        return np.zeros(n, dtype=bool)
    # Runs of non-space bytes, cut at line ends too; a line has a long one iff one of
    # its runs (clipped to the line) is long enough.
    brk = rows.re2_space
    cut = np.zeros(len(data) + 1, dtype=bool)
    cut[rel] = True
    edges = np.flatnonzero(np.r_[True, brk[1:] != brk[:-1]] | cut[:-1])
    run_len = np.diff(np.r_[edges, len(data)])
    long_start = edges[(run_len >= length) & ~brk[edges]]
    out = np.zeros(n, dtype=bool)
    out[rows.row_of(long_start)] = True
    return out


def clean_texts(raw: Sequence[str | None], rules: BoilerplateRules | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean many raw article texts at once.

    Returns ``(docs, removed)``. ``docs`` has one row per input, in input order, with
    ``title``, ``byline``, ``dateline``, ``header_date`` (unparsed), ``text`` (body
    paragraphs joined by blank lines). ``removed`` has one row per non-blank line that is
    not part of ``text``: ``doc`` (input position), ``line_no`` (1-based, in the raw
    text), ``text``, ``reason`` and ``kind`` ("boilerplate" or "metadata" for lines moved
    to the title/byline/date/dateline columns).
    """
    rules = rules or BoilerplateRules.load()
    arr = pa.array([r if isinstance(r, str) else "" for r in raw], pa.large_string())
    n_docs = len(arr)
    if _has_odd_breaks(arr):
        arr = pc.replace_substring_regex(arr, "\r\n|\r|\u2028|\u2029|\x0b|\x0c", "\n")
    lists = pc.split_pattern(arr, "\n")
    starts = np.asarray(lists.offsets)[:-1].astype(np.int64)
    parent = np.asarray(pc.list_parent_indices(lists), dtype=np.int64)
    n = len(parent)
    line_no = np.arange(n, dtype=np.int64) - starts[parent] + 1
    s = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    nonempty = np.asarray(pc.utf8_length(s).to_numpy(zero_copy_only=False)) > 0
    rows = Utf8Rows.of(s)  # the lines' bytes, scanned once for spaces by both counts below
    words = _count_words(s, rows)

    # --- boilerplate rules -------------------------------------------------------------
    rule_of = np.full(n, -1, dtype=np.int64)
    if rules.rules:
        # A few passes, each of a group of rules at once, find the few lines any rule
        # matches; each rule then runs on those lines only (the first that matches names
        # the reason). Groups, not one pass of all rules: RE2's automaton for the union of
        # thirty rules, several with a ".*" inside, outgrows its memory and falls back to
        # a slow engine (measured: one pass of all 30 rules 0.8 s on 8,000 stories,
        # groups of 8 rules 0.06 s).
        # Furniture lines are short: paragraphs longer than rule_max_words are not tried.
        short = np.flatnonzero(nonempty & (words <= rules.rule_max_words))
        # Rules see a typographic apostrophe as a straight one ("À propos de l’auteur"
        # matches a rule written "l''auteur").
        short_lines = pc.replace_substring_regex(pc.take(s, pa.array(short)), "[’ʼ‘]", "'")
        hit = np.zeros(len(short), dtype=bool)
        for g in range(0, len(rules.rules), _RULES_PER_PASS):
            group = "|".join(f"(?:{r.pattern})" for r in rules.rules[g : g + _RULES_PER_PASS])
            hit |= _bool(pc.match_substring_regex(short_lines, group, ignore_case=True))
        cand = short[hit]
        if len(cand):
            sub = pc.take(short_lines, pa.array(np.flatnonzero(hit)))
            sub_rule = np.full(len(cand), -1, dtype=np.int64)
            for i, rule in enumerate(rules.rules):
                m = _bool(pc.match_substring_regex(sub, rule.pattern, ignore_case=True)) & (sub_rule < 0)
                sub_rule[m] = i
            rule_of[cand] = sub_rule
    spam = np.zeros(n, dtype=bool)
    if rules.spam_keywords:
        kw = "|".join(re.escape(k) for k in rules.spam_keywords)
        hits = np.asarray(pc.count_substring_regex(s, f"(?i)({kw})").to_numpy(zero_copy_only=False))
        many = np.flatnonzero(hits >= rules.spam_min_hits)  # only these can be spam
        if len(many):
            kw_tokens = np.asarray(pc.count_substring_regex(pc.take(s, pa.array(many)), f"(?i)\\S*({kw})\\S*").to_numpy(zero_copy_only=False))
            spam[many] = kw_tokens / np.maximum(words[many], 1) >= rules.spam_min_share
    # A glued token of letters: RE2's DFA for a long Unicode-letter repeat is slow, so
    # only lines with a long non-space run (a byte scan, _long_runs) are checked for it.
    long_run = np.flatnonzero(_long_runs(s, rules.spam_glued_len, rows))
    if len(long_run):
        glued = _bool(pc.match_substring_regex(pc.take(s, pa.array(long_run)), f"\\pL{{{rules.spam_glued_len},}}"))
        spam[long_run[glued]] = True
    spam &= nonempty & (rule_of < 0)

    by_rule = rule_of >= 0
    ends_term = _bool(pc.match_substring_regex(s, "[.!…:;][\"'”’»)\\]]*$"))
    is_body = nonempty & ~by_rule & ~spam & ((ends_term & (words >= 4)) | (words > 25))

    # Tail rules cut everything below them, block rules everything down to the next
    # sentence of the story; both once the story has started.
    scope_of = np.array([r.scope for r in rules.rules] + ["line"])[rule_of]
    body_before = _exclusive_group_cumsum(is_body, parent, starts)
    started = by_rule & (body_before > 0)
    tail_fire = started & (scope_of == "tail")
    in_tail = (_exclusive_group_cumsum(tail_fire, parent, starts) + tail_fire) > 0
    resumes = is_body & ~by_rule & ~spam & (words >= rules.block_end_words)
    block_fire = started & (scope_of == "block")
    in_block = _blocks(block_fire, resumes, parent, starts, n)
    in_tail |= in_block
    # a removed line takes its reason from the nearest tail or block heading above it
    last_fire = np.maximum.accumulate(np.where(tail_fire | block_fire, np.arange(n), -1))

    removed = nonempty & (by_rule | spam | in_tail)
    keep = nonempty & ~removed
    idx = np.arange(n)
    s_list = s.to_pylist()  # materialised once; used for the few per-article picks below

    # --- author bios: lines that start with the byline's name --------------------------
    # ("Jane Doe covers East Africa for ..."), above or below the story. A bio ends in a
    # full stop, so it can pass for the first paragraph: found before the header zone is.
    # Removing bios only widens the header zone, so the first byline above the first
    # paragraph found here is the article's byline.
    short_byline = keep & (words <= 16) & _bool(pc.match_substring_regex(s, BYLINE_RE, ignore_case=True))
    # A dated byline may name several reporters ("Posted on ... by Newsroom — Reporting by X in Y and Z in W").
    short_byline |= _matches_where(s, keep & (words > 16) & (words <= 30), rf"^{_DATED_LEAD}{_BYLINE_LEAD}\S", ignore_case=True)
    # ... or a name, then its dates after separators ("Écrit par X – Alger | Publié le ... | Mis à jour le ...").
    short_byline |= _matches_where(s, keep & (words > 16) & (words <= 30), rf"^(?i:{_BYLINE_LEAD})[A-ZÀ-ÖØ-Þ][^|·•]{{0,60}}\s[|·•]\s.*\d{{4}}")
    first_body = _first_per_group(keep & is_body, parent, n_docs)
    byline_idx = _first_per_group(short_byline & (idx < first_body[parent]), parent, n_docs)
    # A standfirst (the summary under the headline) may come before the byline: "Headline
    # / standfirst / By X / Accra — ...". A byline-shaped line right below a first paragraph
    # of a standfirst's length is then the article's byline, and the story (with its
    # dateline) starts below it; the standfirst stays in the text, as the first paragraph.
    # Short, unpunctuated and followed by a capitalised name: "Par ailleurs, ..." stays.
    late = np.flatnonzero((byline_idx < 0) & (first_body >= 0))
    if len(late):
        kept_idx = np.flatnonzero(keep)
        pos = np.searchsorted(kept_idx, first_body[late], side="right")
        nxt = kept_idx[np.minimum(pos, len(kept_idx) - 1)]
        ok = (pos < len(kept_idx)) & (parent[nxt] == late) & short_byline[nxt]
        ok &= words[first_body[late]] <= 60
        named = np.zeros(n, dtype=bool)
        named[nxt[ok]] = True
        # A name, then nothing much ("Par Kofi Mensah") or the byline's date and reading
        # time after a separator ("Par X | 28 août 2022 - 21:15 | Lecture 5 min"); or a
        # name, the place it was filed from and a one-line bio after a dash ("Par X, à
        # Kampala — Journaliste santé, ancien correspondant à Goma."), which may end in a stop.
        plain = ~ends_term[nxt[ok]] & _matches_where(s, named, rf"^(?i:{_BYLINE_LEAD})[A-ZÀ-ÖØ-Þ]")[nxt[ok]] & (
            (words[nxt[ok]] <= 10) | _matches_where(s, named, rf"^(?i:{_BYLINE_LEAD})[A-ZÀ-ÖØ-Þ][^|·•]{{0,60}}\s[|·•]\s")[nxt[ok]]
        )
        with_bio = _matches_where(s, named, _BYLINE_WITH_BIO)[nxt[ok]]
        ok[ok] = plain | with_bio
        late = late[ok]
        byline_idx[late] = nxt[ok]
    byline_val = np.array([_byline_name(s_list[i]) if i >= 0 else None for i in byline_idx], dtype=object)
    bio = _author_bios(s, keep, short_byline, byline_val, parent, rules.bio_verbs)
    if bio.any():
        keep &= ~bio
        first_body = _first_per_group(keep & is_body, parent, n_docs)
    story_start = first_body.copy()
    if len(late):  # the first paragraph below a byline that follows a standfirst
        after = np.flatnonzero(keep & is_body)
        at = np.searchsorted(after, byline_idx[late], side="right")
        has_next = at < len(after)
        has_next[has_next] = parent[after[at[has_next]]] == late[has_next]
        story_start[late[has_next]] = after[at[has_next]]

    # --- header zone: kept lines above the first body paragraph ------------------------
    header = keep & (idx < first_body[parent])
    byline = header & short_byline
    byline[byline_idx[(byline_idx >= 0) & (byline_idx > first_body)]] = True  # after a standfirst
    months = _month_alternation()
    date_re = (
        r"^((published|updated|posted|last updated|published on|updated on|publié|publié le|mis à jour|mis à jour le"
        r"|mis en ligne|mis en ligne le|actualisé le|le)\s*:?\s*)?"
        r"((\pL+\.?,?\s+)?\d{1,2}(er)?\s+(" + months + r")\.?,?\s+\d{4}|(" + months + r")\.?\s+\d{1,2},?\s+\d{4}"
        r"|\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{4})((\s+at\s+|[\sT,à|•·–—-]+)\d{1,2}[:h]\d{2}.*|\s*[|•·]\s.*)?$"
    )
    # A byline line may carry the date too; it stays a byline, and gives the date. Below a
    # byline that follows a standfirst, the date line is the article's too.
    under_late_byline = keep & (idx > first_body[parent]) & (idx < story_start[parent])
    dated = _matches_where(s, header | under_late_byline, date_re, ignore_case=True)
    date_line = dated & ~byline
    # A headline ends without punctuation and tells no time of day ("Diffusée le 22/11 à
    # 16h05 — Mise à jour à 17h40" is a dispatch stamp that no date rule recognised).
    title_ok = header & ~byline & ~date_line & (words <= 30)
    title_ok &= ~_matches_where(s, title_ok, r"[.,;:]$|\b\d{1,2}[:h]\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")
    # The headline is the longest such line: site names, taglines and section labels
    # that no rule knows sit above or beside it in the header, and are shorter. A
    # masthead ("HORN OBSERVER — Independent reporting from ...") comes last whatever its length.
    masthead = _matches_where(s, title_ok, r"^[A-ZÀ-ÖØ-Þ0-9&'’. ]{3,}\s[—–|-]\s")
    # ... or a site's name and its tagline in lower case ("Prétoire Info – l'actualité
    # judiciaire au quotidien", "Horn Monitor | news and analysis").
    masthead |= _matches_where(s, title_ok & ~masthead, r"^[A-ZÀ-ÖØ-Þ][\pL\pN'’&.]*(?: [A-ZÀ-ÖØ-Þ0-9][\pL\pN'’&.]*){0,4} [—–|] [a-zà-ÿ]")
    # ... as does a line right above the site's menu or breadcrumb ("PetroAfrique Insight —
    # Energy intelligence ..." over "Home / Energy / Oil & Gas"): the site's chrome.
    nav_rules = [i for i, r in enumerate(rules.rules) if r.id in ("breadcrumb", "navigation")]
    if nav_rules:
        ne = np.flatnonzero(nonempty)
        t_ok = np.flatnonzero(title_ok)
        below = np.searchsorted(ne, t_ok, side="right")
        nxt = ne[np.minimum(below, len(ne) - 1)]
        over_nav = (below < len(ne)) & (parent[nxt] == parent[t_ok]) & np.isin(rule_of[nxt], nav_rules)
        masthead[t_ok[over_nav]] = True
    title_idx = np.full(n_docs, -1, dtype=np.int64)
    standfirst_line = np.zeros(n, dtype=bool)
    t = np.flatnonzero(title_ok)
    if len(t):
        t = t[np.lexsort((t, -words[t], masthead[t], parent[t]))]
        first = np.r_[True, parent[t][1:] != parent[t][:-1]]
        title_idx[parent[t[first]]] = t[first]
        # ... unless it is a standfirst: a long summary line right below a headline-sized one.
        h = np.flatnonzero(header)
        d = np.flatnonzero(title_idx >= 0)
        cur = title_idx[d]
        above = np.searchsorted(h, cur) - 1
        prev = h[np.maximum(above, 0)]
        standfirst = (above >= 0) & (parent[prev] == d) & title_ok[prev] & ~masthead[prev] & (words[prev] >= 5) & (words[prev] < 18)
        # A shorter standfirst needs a plain headline above it: a line with separators
        # ("Ports & Logistics / East Africa", "Accueil → Nation") is the site's chrome.
        long_sf = words[cur] >= 18
        short_sf = standfirst & ~long_sf & (words[cur] > words[prev])
        above_short = np.zeros(n, dtype=bool)
        above_short[prev[short_sf]] = True
        short_sf[short_sf] = ~_matches_where(s, above_short, r"[|/›»→>•·—–:]")[prev[short_sf]]
        standfirst &= long_sf | short_sf
        title_idx[d[standfirst]] = prev[standfirst]
        standfirst_line[cur[standfirst]] = True
    is_title = np.zeros(n, dtype=bool)
    is_title[title_idx[title_idx >= 0]] = True

    title = np.array([s_list[i] if i >= 0 else None for i in title_idx], dtype=object)
    # A breadcrumb that ends in the headline is the only title some pages have.
    if nav_rules:
        crumb = _first_per_group(np.isin(rule_of, nav_rules), parent, n_docs)
        for d in np.flatnonzero((title_idx < 0) & (crumb >= 0)):
            tail_text = re.split(r"\s*(?:»|>|›|/|\||::|•|·)\s*", s_list[crumb[d]])[-1].strip()
            if len(tail_text.split()) >= 4:
                title[d] = tail_text
    title_fold = pd.Series(title).str.casefold().to_numpy()
    dup_title = keep & ~is_title & (title_idx[parent] >= 0)
    cand = np.flatnonzero(dup_title)
    if len(cand):
        s_fold = pc.utf8_lower(pc.take(s, pa.array(cand))).to_numpy(zero_copy_only=False)
        dup_title[cand] = s_fold == title_fold[parent[cand]]
    # A repeated headline sits in the header or right after it, never deep in the body.
    dup_title &= header | (idx == first_body[parent])
    first_body = _first_per_group(keep & is_body & ~dup_title, parent, n_docs)
    first_body = np.maximum(first_body, story_start)  # below a byline that follows a standfirst

    # --- dateline at the start of the first paragraph ----------------------------------
    upper = "A-ZÀ-ÖØ-Þ"
    # Lower-case words allowed inside a place name ("Dar es Salaam", "Mocímboa da Praia").
    conn = "|".join(re.escape(w) for w in rules.place_connectors)
    conn_opt = rf"(?:(?:{conn})\s+)?" if conn else ""
    dateline_re = (
        # (two places for a story filed from both: "YAOUNDÉ / MALABO, Feb 17 —")
        rf"^(?P<place>[{upper}][\pL'’.\-]*(?:(?:[ ,]+{conn_opt}|\s*/\s*)[{upper}(][\pL'’.\-)]*){{0,4}}"
        # a date after the place: "le 3 mai", "16 March 2024" or "March 16, 2024"
        r"(?:,?\s+(?:le\s+)?(?:\d{1,2}(?:er)?\s+\pL+\.?|\pL+\.?\s+\d{1,2})(?:,?\s+\d{4})?)?(?:\s*\([^)]{1,40}\))?)"
        r"\s*[—–-]{1,2}\s+(?P<rest>\S.*)$"
    )
    dateline = np.full(n_docs, None, dtype=object)
    dateline_line = np.full(n_docs, -1, dtype=np.int64)
    body_text = np.array(s_list, dtype=object)
    fb_docs = np.flatnonzero(first_body >= 0)

    def split_datelines(docs_: np.ndarray, lines: np.ndarray) -> None:
        ex = pc.extract_regex(pc.take(s, pa.array(lines)), dateline_re)
        valid = _bool(pc.is_valid(ex))
        places = pc.struct_field(ex, "place").to_pylist()
        rests = pc.struct_field(ex, "rest").to_pylist()
        for d, line, ok, place, rest in zip(docs_, lines, valid, places, rests):
            # the place itself is short; an agency in brackets may follow it
            if ok and len(re.sub(r"\s*\([^)]*\)$", "", place)) <= 40:
                dateline[d] = place.strip(" ,")
                dateline_line[d] = line
                body_text[line] = rest

    if len(fb_docs):
        split_datelines(fb_docs, first_body[fb_docs])
        # A standfirst kept as the first paragraph ("Inauguré lundi par ... / Kazungula —
        # Les files de camions ..."): the dateline opens the paragraph under it.
        short_first = fb_docs[(dateline_line[fb_docs] < 0) & (words[first_body[fb_docs]] <= 60)]
        if len(short_first):
            body_lines = np.flatnonzero(keep & is_body)
            at = np.searchsorted(body_lines, first_body[short_first], side="right")
            ok = at < len(body_lines)
            ok[ok] = parent[body_lines[at[ok]]] == short_first[ok]
            if ok.any():
                split_datelines(short_first[ok], body_lines[at[ok]])

    # --- assemble ----------------------------------------------------------------------
    # What else sits above the first paragraph is page furniture (site name, tagline,
    # labels): out of the text, into `removed`.
    header_rest = header & ~is_title & ~byline & ~date_line & ~dup_title
    in_text = keep & ~header_rest & ~is_title & ~byline & ~date_line & ~dup_title
    counts = np.bincount(parent[in_text], minlength=n_docs)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    values = pa.array(body_text[in_text].tolist(), pa.large_string())
    text = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), values), pa.scalar("\n\n", pa.large_string()))

    date_idx = _first_per_group(dated, parent, n_docs)
    docs = pd.DataFrame(
        {
            "title": pd.Series(title, dtype=object),
            "byline": pd.Series(byline_val, dtype=object),
            "dateline": pd.Series(dateline, dtype=object),
            "header_date": pd.Series([s_list[i] if i >= 0 else None for i in date_idx], dtype=object),
            "text": pd.Series(text.to_pylist(), dtype=object),
        }
    )

    # --- the account of everything taken out -------------------------------------------
    reasons = np.full(n, None, dtype=object)
    kinds = np.full(n, "boilerplate", dtype=object)
    rule_reasons = np.array([r.reason for r in rules.rules] + [None], dtype=object)
    reasons[by_rule] = rule_reasons[rule_of[by_rule]]
    reasons[spam] = rules.spam_reason
    tail_only = in_tail & ~by_rule & ~spam & nonempty
    reasons[tail_only] = rule_reasons[rule_of[last_fire[tail_only]]]
    reasons[dup_title] = DUP_TITLE_REASON
    reasons[bio] = BIO_REASON
    reasons[header_rest] = HEADER_REASON
    reasons[header_rest & standfirst_line] = STANDFIRST_REASON
    for mask, why in ((is_title, TITLE_REASON), (byline, BYLINE_REASON), (date_line, DATE_REASON)):
        reasons[mask] = why
        kinds[mask] = "metadata"
    out = np.flatnonzero(reasons != None)  # noqa: E711 - elementwise comparison
    removed_df = pd.DataFrame(
        {
            "doc": parent[out],
            "line_no": line_no[out],
            "text": [s_list[i] for i in out],
            "reason": reasons[out],
            "kind": kinds[out],
        }
    )
    # Datelines are a prefix of a line, recorded beside the whole-line removals.
    dl_docs = np.flatnonzero(dateline_line >= 0)
    if len(dl_docs):
        dl_lines = dateline_line[dl_docs]
        extra = pd.DataFrame(
            {
                "doc": dl_docs,
                "line_no": line_no[dl_lines],
                "text": [s_list[i][: len(s_list[i]) - len(body_text[i])].strip() for i in dl_lines],
                "reason": DATELINE_REASON,
                "kind": "metadata",
            }
        )
        removed_df = pd.concat([removed_df, extra], ignore_index=True)
        removed_df = removed_df.sort_values(["doc", "line_no", "kind"], kind="stable", ignore_index=True)
    return docs, removed_df
