"""The vectorised fast paths give exactly what the plain per-row code they replace gives."""
from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from diplokit import readers as rd
from diplokit.annotate import _candidate_matches, compile_lexicon
from diplokit.dedup import fingerprints, group_fingerprints, text_fingerprints
from diplokit.cleaning import _count_words
from diplokit.matching import codepoints, fold, fold_table

TRICKY = (
    "le président tchadien Hissène Habré et le ministre des Transports Nord, l'ancien président américain Bill Clinton. "
    "Talks opened. President Kagame met Prime Minister Abiy Ahmed. ministre des  Affaires étrangères Jean-Yves Le Drian "
    "said; MR. Smith and mR Jones, Dr.\nWho, xDr Foo, the PRÉSIDENT Félix Tshisekedi, Sheikh Mohamed bin Zayed "
    "and ſecretary Blinken (long s), Straße ß İstanbul, 日本 President\u00a0Macron, Gen. Mark Milley.\n"
)


def test_candidate_prefilter_finds_what_finditer_finds():
    compiled = compile_lexicon()
    big = (TRICKY * 3) + "\n".join(TRICKY.split(". "))
    want = [(m.span(), m.group(0)) for m in compiled.candidate_re.finditer(big)]
    got = [(m.span(), m.group(0)) for m in _candidate_matches(compiled, big, codepoints(big))]
    assert got == want and want


def test_candidate_title_groups_find_what_the_full_pattern_finds():
    """Each start is matched with the pattern of its first word's titles; a start where
    first words of several groups begin ("Vice" and "Vice-President") uses all titles."""
    compiled = compile_lexicon()
    big = (
        "Vice-President Kashim Shettima met Vice President Mshai Mwangi, Lieutenant-Colonel Assimi "
        "Goïta and Secretary-General António Guterres; BRIG. Jane Roe, Maj-Gen Tom Okello.\n"
    ) * 2 + TRICKY
    m = compiled.matcher.find(big)
    starts, group = compiled.candidate_starts.starts(codepoints(big), m)
    assert (group == -1).any() and (group >= 0).any()
    want = [(m.span(), m.group(0)) for m in compiled.candidate_re.finditer(big)]
    got = [(m.span(), m.group(0)) for m in _candidate_matches(compiled, big, codepoints(big))]
    assert got == want and any("Shettima" in g for _, g in got)


def test_long_fold_matches_translate():
    text = TRICKY * 200 + "‐‑‒–—―− ‘’ʼ´`“”«»\u00a0\u202f ÀÉÎÕÜ ǅ"
    assert len(text) > 4096
    assert fold(text) == text.translate(fold_table())


def test_word_count_matches_re2():
    lines = pa.array(["", "a b", "  x\x0by\u00a0z ", "é é  é", "\t", "word", "un\u2003deux\x0ctrois", " "] * 3, pa.large_string())
    for arr in (lines, lines.slice(3), pc.utf8_trim_whitespace(lines.slice(1))):
        assert _count_words(arr).tolist() == np.asarray(pc.count_substring_regex(arr, r"\S+")).tolist()


def _reference_fingerprint(text: str) -> tuple[int, int]:
    """The normalised words, built the plain way, and their BLAKE2b as fingerprints() defines it."""
    # Word characters: re's \w (letters, digits and "_").
    folded = "".join(c if re.fullmatch(r"\w", c) else " " for c in fold(text))
    norm = " ".join(w for w in folded.split(" ") if w)
    if not norm:
        return 0, 0
    units = norm.encode("utf-16-le")
    return int.from_bytes(hashlib.blake2b(units, digest_size=8).digest(), "little"), len(units) // 2


FINGERPRINT_TEXTS = [
    "The U.S. and the E.U. — agreed.", "Straße ß İstanbul ſ x_y  a—b", "ÀÉÎ õ ñ ǅ Ǆ ǆ", "日本語 テスト", "\x1c a \x85 b",
    "a-b\\c]d^e", "", "  __  ", "Ünïcödé ΣΊΣΥΦΟΣ σς", "«Talks», in KIGALI.", "talks in kigali", "𝄞 music 𝄞", "...", TRICKY,
    "𝐀𝐁 text 𠀀 ıſ", "AB TEXT 𠀀 is",
]


def test_fingerprints_match_the_plain_definition():
    got_fp, got_len = text_fingerprints(FINGERPRINT_TEXTS)
    want = [_reference_fingerprint(t) for t in FINGERPRINT_TEXTS]
    assert [(int(f), int(n)) for f, n in zip(got_fp, got_len)] == want
    # Case, accents, punctuation and spacing do not count; words and their order do.
    assert got_fp[9] == got_fp[10] != 0
    assert got_fp[14] != got_fp[15] and got_len[14] == got_len[15] + 2  # astral letters: 2 units each; ı and ſ fold to i and s
    assert text_fingerprints(["Kigali talks"])[0][0] != text_fingerprints(["talks Kigali"])[0][0]


def test_fingerprints_of_texts_without_words():
    fp, n = text_fingerprints(["—", "", " . "])
    assert fp.tolist() == [0, 0, 0] and n.tolist() == [0, 0, 0]


def test_fingerprints_of_spans_do_not_depend_on_the_batch():
    rng = np.random.default_rng(3)
    big = "\n".join(FINGERPRINT_TEXTS * 3)
    cps = codepoints(big)
    start = rng.integers(0, len(big), 300)
    end = np.minimum(start + rng.integers(0, 80, 300), len(big))
    fp, n = fingerprints(cps, start, end)
    for s, e, f, k in zip(start.tolist(), end.tolist(), fp.tolist(), n.tolist()):
        ref_f, ref_n = _reference_fingerprint(big[s:e])
        assert (f, k) == (ref_f, ref_n), (s, e, big[s:e])


def test_group_fingerprints_equal_iff_words_equal():
    texts = ["One story. Two sentences here!", "one   story two,\nsentences HERE", "One story. Two sentences", "", "..."]
    fp, n = text_fingerprints(texts)
    # Per "sentence" (here one per text) grouped as documents 0,0 / 1 / 2 / 3.
    g = group_fingerprints(np.array([0, 0, 1, 2, 3]), fp, 4)
    g_single = group_fingerprints(np.arange(5), fp, 5)
    assert g_single[0] == g_single[1] != g_single[2]
    assert g[3] == 0 and g_single[3] == 0 and g_single[4] == 0  # no words, no fingerprint
    assert len({int(x) for x in g[:3]}) == 3


def test_table_records_match_row_records():
    df = pd.DataFrame(
        {
            "text": ["Plain story.", "cafÃ© crÃ¨me story", None, "   ", 12, float("nan"), "x" * 50, "\x93quoted\x94 text"],
            "title": ["T", None, "", " ", "t5", float("nan"), "t7", 8],
            "date": ["2020-01-02", pd.NaT, None, "3 mars 2021", "", "x", pd.Timestamp("2021-01-01"), 5],
            "lang": ["en", "fr", None, None, "en", "en", "en", "und"],
        }
    )
    fast = rd.table_records(df, "t", "t", 1, "str", 40)
    slow = [rd._row_record(f"t:{i + 1}", "t", row, "str", 40) for i, row in enumerate(df.to_dict("records"))]
    assert fast == slow
    # Unicode whitespace (what str.strip removes) and odd values, in text and metadata.
    odd = pd.DataFrame({"text": ["\u00a0\u2003", "\x1c\x1d", "ok \u2003", 3.5, pd.NA], "source": ["\u2003", "\x1f", "S ", 0, pd.NaT], "date": [pd.NaT, 0.0, "\u3000", "d", None]})
    got = rd.table_records(odd, "o", "o", 0, "str", 40)
    assert got == [rd._row_record(f"o:{i}", "o", row, "str", 40) for i, row in enumerate(odd.to_dict("records"))]
    assert [getattr(r, "reason", None) for r in got] == ["empty 'text' value", "empty 'text' value", None, "'text' is a float, not a string", "missing 'text' value"]
    assert got[2].meta == {"source": "S "}  # blank and NA-like values ("\u3000", NaT, <NA>) are no metadata
    assert rd.suspicious_texts(df["text"].tolist()).tolist() == [isinstance(t, str) and bool(rd._MOJIBAKE.search(t)) for t in df["text"]]
    # A Parquet slice (mojibake tested on the Arrow column) gives the same records.
    strs = df.assign(text=[t if isinstance(t, str) else None for t in df["text"]], date=df["date"].astype(str), title=df["title"].astype(str))
    table = pa.Table.from_pandas(strs, preserve_index=False)
    names = {c: c for c in table.column_names}
    assert rd.parquet_batch_records(table, names, "t", 1, 40) == rd.table_records(table.to_pandas(), "t", "t", 1, "parquet", 40)


def _naive_find(terms: pd.DataFrame, text: str) -> list[tuple[int, int, int]]:
    """Matcher.find spelled out: every occurrence of every term, kept on word boundaries
    (as the folded text sees them), wildcard terms extended to the end of their word."""
    folded = fold(text)
    word = [c.isalnum() or c == "_" or ord(c) >= 0x3000 for c in folded]
    n = len(text)
    out = []
    for i, (term, cs) in enumerate(zip(terms["term"], terms["case_sensitive"])):
        prefix = term.endswith("*")
        key = term.rstrip("*").strip()
        key = key if cs else fold(key)
        hay = text if cs else folded
        if not key:
            continue
        s = hay.find(key)
        while s >= 0:
            e = s + len(key)
            left = s == 0 or not word[s - 1] or not word[s]
            right = e >= n or not word[e] or not word[e - 1]
            if left and (right or prefix):
                ee = e
                if prefix:
                    while ee < n and word[ee]:
                        ee += 1
                out.append((s, ee, i))
            s = hay.find(key, s + 1)
    return sorted(out, key=lambda m: (m[0], -(m[1] - m[0]), m[2]))


def test_anchored_matcher_matches_naive_search():
    from diplokit.matching import Matcher

    terms = pd.DataFrame(
        {
            "term": ["a-", "a", "a*", "-b", "(UK)", "U.S.", "u s", "x y*", "St.", "é", "OPEC+", "+", "'s", "ab", "AB", "a.b", "Inc.", "日本"],
            "case_sensitive": [False] * 10 + [True, False, False, False, True, False, False, False],
        }
    )
    m = Matcher(terms)
    rng = np.random.default_rng(0)
    alpha = ["a", "b", "-", " ", "(", "UK", "uk", ")", "U", "S", ".", "u", "s", "x", "y", "St", "é", "É", "OPEC", "+", "'", "AB", "ab", "Inc", "日本", "\n"]
    for _ in range(400):
        text = "".join(rng.choice(alpha, size=rng.integers(0, 16)))
        got = m.find(text)
        assert list(zip(got.start.tolist(), got.end.tolist(), got.term.tolist())) == _naive_find(terms, text), text
    lexicon_terms = compile_lexicon().matcher.terms[["term", "case_sensitive"]].copy()
    lexicon_terms["term"] = [t + "*" if p else t for t, p in zip(lexicon_terms["term"], compile_lexicon().matcher.prefix)]
    got = Matcher(lexicon_terms).find(TRICKY)
    assert list(zip(got.start.tolist(), got.end.tolist(), got.term.tolist())) == _naive_find(lexicon_terms, TRICKY)


def test_sentence_split_edge_cases():
    from diplokit.sentences import split_sentences

    texts = [
        ". Starts with a stop. Then Dr. Who met J. Smith in the U.S. capital. Next one",
        "abcdefghij. Long token. a.b.c. Fine! “Quoted.” Closing) (Open",
        "nospaces",
        "   padded   \n\n  lines  ",
        "Prix 3.5 millions. Élysée dit é. Ça va 𝄞 oui. Fin",
        "",
    ]
    s = split_sentences(texts)
    for d, a, b, t in zip(s["doc"], s["start"], s["end"], s["text"]):
        assert texts[d][a:b] == t
    assert s["text"].tolist() == [  # as the full-array version (before the candidate-only rewrite) splits
        ". Starts with a stop.",
        "Then Dr. Who met J. Smith in the U.S. capital.",
        "Next one",
        "abcdefghij.",
        "Long token. a.b.c. Fine!",
        "“Quoted.”",
        "Closing) (Open",
        "nospaces",
        "padded",
        "lines",
        "Prix 3.5 millions.",
        "Élysée dit é. Ça va 𝄞 oui.",
        "Fin",
    ]


def test_candidate_prefilter_on_random_text():
    """The start prefilter (first word followed by whitespace or '.', and a capital after
    whitespace within the title's budget) never drops a start where ``finditer`` matches."""
    import random

    compiled = compile_lexicon()
    titles = sorted(set(compiled.lexicon.titles["title"]))
    rng = random.Random(7)
    pieces = ["Kagame", "Jean-Yves", "Le", "Drian", "de", "bin", "said", "the", "a", "x", "Émile", "Øyvind", "ünter", "Zayed", "O'Neil", "talks", "tchadien", "américaine", "al-Wazir"]
    spaces = [" ", "  ", "\n", "\t", "\u00a0", " . ", ".", ". ", ", ", "-", "", "\u3000"]
    for _ in range(40):
        parts = []
        for _ in range(300):
            r = rng.random()
            if r < 0.35:
                t = rng.choice(titles)
                t = rng.choice([t, t.upper(), t.lower(), t.title()])
                parts.append(t.replace(" ", rng.choice([" ", "  ", "\n", " \t"])))
            else:
                parts.append(rng.choice(pieces))
            parts.append(rng.choice(spaces))
        big = "".join(parts)
        want = [(m.span(), m.group(0)) for m in compiled.candidate_re.finditer(big)]
        got = [(m.span(), m.group(0)) for m in _candidate_matches(compiled, big, codepoints(big))]
        assert got == want


def test_table_helpers_match_pandas():
    from diplokit.annotate import _bearer

    compiled = compile_lexicon()
    ids = list(compiled.entities.index[:40]) * 3
    mentions = pd.DataFrame({"entity_id": pd.Series(ids, dtype="str")}, index=np.arange(len(ids)) * 2)
    pd.testing.assert_series_equal(_bearer(mentions, compiled), mentions["entity_id"].map(compiled.bearer_country))


def test_odd_line_break_scan():
    from diplokit.cleaning import _has_odd_breaks

    for text, want in [("a\nb — “c”", False), ("a\r\nb", True), ("a\u2028b", True), ("a\u2029", True), ("x\x0b", True), ("x\x0c", True), ("é\u2027", False)]:
        arr = pa.array(["plain", text, "more"], pa.large_string())
        assert _has_odd_breaks(arr) is want, text
        assert _has_odd_breaks(arr.slice(1, 1)) is want, text


def test_previous_word_window_matches_prev_word():
    from diplokit.annotate import _prev_word_in
    from diplokit.matching import prev_word as _prev_word

    rng = np.random.default_rng(5)
    pieces = ["in", "at", "to", " ", "  ", "\t", "Kigali", "arrivé", "x", "-", "'", ".", "日本", "\n", "in-", "visited", "a" * 30]
    text = "".join(rng.choice(pieces, 4000).tolist())
    words = frozenset({"in", "at", "visited", "arrivé", "to"})
    starts = np.unique(rng.integers(0, len(text), 3000))
    got = _prev_word_in(text, codepoints(text), starts, words)
    want = np.array([_prev_word(text, int(s))[0] in words for s in starts])
    assert got.tolist() == want.tolist() and want.any()


def _dyads_by_hand(rows, n_sentences, settings):
    """The dyad rules of annotation.yaml, story by story in plain Python."""
    share, min_ev = settings["dyad_min_share_of_top"], settings["dyad_min_evidence"]
    long_from, max_tied = settings["dyad_min_evidence_from_sentences"], settings.get("dyad_max_countries_tied_at_top")
    max_listed = settings.get("dyad_max_countries_per_sentence")
    out = []
    for art in dict.fromkeys(r[0] for r in rows):  # corpus order
        mine = [r for r in rows if r[0] == art and r[2] is not None]
        by_sent: dict = {}
        for _, s, c in mine:
            by_sent.setdefault(s, set()).add(c)
        pairs: dict = {}
        for s, cs in by_sent.items():
            cs = sorted(cs)
            if max_listed is not None and len(cs) > max_listed:
                continue  # a list of countries: no evidence for a pair
            for i in range(len(cs)):
                for j in range(i + 1, len(cs)):
                    pairs.setdefault((cs[i], cs[j]), []).append(s)
        if pairs:
            top = max(len(v) for v in pairs.values())
            need = min_ev if n_sentences.get(art, 0) >= long_from else 1
            kept = {p: v for p, v in pairs.items() if len(v) >= max(need, share * top)}
            if max_tied is not None and kept:
                ktop = max(len(v) for v in kept.values())
                if len({c for p, v in kept.items() if len(v) == ktop for c in p}) > max_tied:
                    kept = {}
            out += [(art, a, b, len(v), "|".join(map(str, sorted(v))), "sentence") for (a, b), v in sorted(kept.items())]
            continue
        counts: dict = {}
        for _, _, c in mine:
            counts[c] = counts.get(c, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if len(ranked) >= 2:
            n1, n2 = ranked[0][1], ranked[1][1]
            n3 = ranked[2][1] if len(ranked) > 2 else 0
            if n2 >= max(min_ev, share * n1) and n2 > n3:
                a, b = sorted([ranked[0][0], ranked[1][0]])
                out.append((art, a, b, 0, "", "article"))
    return out


def test_dyads_match_the_rules_written_out():
    from diplokit.annotate import _dyads

    compiled = compile_lexicon()
    settings = compiled.lexicon.settings
    rng = np.random.default_rng(11)
    countries = ["RWA", "COD", "UGA", "AGO", "USA", "FRA"]
    for trial in range(40):
        rows = []
        for art in range(rng.integers(1, 6)):
            for _ in range(rng.integers(0, 14)):
                c = countries[rng.integers(0, len(countries))] if rng.random() > 0.15 else None
                rows.append((f"a{trial}_{art:02d}", int(rng.integers(0, 8)), c))
        if not rows:
            continue
        n_sent = {a: int(rng.integers(1, 9)) for a in {r[0] for r in rows}}
        mentions = pd.DataFrame({"article_id": pd.array([r[0] for r in rows], dtype="str"), "sentence_id": np.array([r[1] for r in rows], dtype=np.int32),
                                 "entity_id": pd.array([r[2] or "unknown_org" for r in rows], dtype="str")})
        cc = pd.Series([r[2] for r in rows], dtype=object)
        got = _dyads(mentions, compiled, pd.Series(n_sent), cc)
        got_rows = list(got[["article_id", "country_a", "country_b", "evidence", "sentence_ids", "basis"]].itertuples(index=False, name=None))
        assert got_rows == _dyads_by_hand(rows, n_sent, settings), trial


def test_abbreviation_prefilter_keeps_every_abbreviation():
    from diplokit.sentences import _abbreviation_candidates, _tables

    abbrevs = _tables()[2]
    words = sorted(a for a in abbrevs if 1 <= len(a) <= 6)
    tokens = [w for a in words for w in (a, a.upper(), a.title())] + ["word", "Kigali", "İst", "Straß", "xyz", "ÉTÉ"]
    rev = np.zeros((len(tokens), 6), dtype=np.int64)
    for i, t in enumerate(tokens):
        for j, ch in enumerate(reversed(t[:6])):
            rev[i, j] = ord(ch)
    got = set(_abbreviation_candidates(rev, np.array([min(len(t), 6) for t in tokens]), abbrevs).tolist())
    want = {i for i, t in enumerate(tokens) if t.lower() in abbrevs}
    assert want and want <= got
    assert len(got - want) <= 3  # the hash lets through hardly anything else (rare characters do go through)


def _reference_cross_chunk(chunks, threshold):
    """Cross-chunk deduplication written out article by article."""
    names, sent_sets, body_owner, sent_owner, seen = [], [], {}, {}, set()
    out = []
    for ids, bodies, sents in chunks:
        drop = {}
        for i, a in enumerate(ids):
            if a in seen:
                drop[a] = (a, "exact")
                continue
            if bodies[i] and bodies[i] in body_owner:
                drop[a] = (names[body_owner[bodies[i]]], "exact")
                continue
            counts: dict[int, int] = {}
            for h in sents[i]:
                if h in sent_owner:
                    counts[sent_owner[h]] = counts.get(sent_owner[h], 0) + 1
            if counts:
                k = min(counts, key=lambda k: (-counts[k], names[k]))
                share = counts[k] / min(len(sents[i]), len(sent_sets[k]))
                if share >= threshold:
                    drop[a] = (names[k], "near")
        for i, a in enumerate(ids):
            if a in drop:
                continue
            k = len(names)
            names.append(a)
            seen.add(a)
            sent_sets.append(sents[i])
            if bodies[i]:
                body_owner.setdefault(bodies[i], k)
            for h in sents[i]:
                sent_owner.setdefault(h, k)
        out.append(drop)
    return out


def test_cross_chunk_dedup_matches_the_rules_written_out():
    from diplokit.build import _ChunkKeys, _SeenStories

    rng = np.random.default_rng(11)
    for trial in range(30):
        chunks = []
        n_chunks = int(rng.integers(1, 12))
        for c in range(n_chunks):
            n = int(rng.integers(0, 9))
            ids = [f"a{int(x):02d}" for x in rng.integers(0, 60, n)]
            ids = list(dict.fromkeys(ids))  # ids are unique within a chunk (the worker dedups)
            bodies = [int(x) for x in rng.integers(0, 40, len(ids))]  # 0: no words
            # few sentence fingerprints, so articles share many of them and ties happen
            sents = [sorted({int(x) for x in rng.integers(1, 12, int(rng.integers(0, 6)))}) for _ in ids]
            chunks.append((ids, bodies, sents))
        want = _reference_cross_chunk(chunks, 0.5)
        seen = _SeenStories()
        for (ids, bodies, sents), exp in zip(chunks, want):
            art = np.array([i for i, s in enumerate(sents) for _ in s], dtype=np.int64)
            fp = np.array([h for s in sents for h in s], dtype=np.uint64)
            keys = _ChunkKeys(np.array(ids, dtype=object), np.array(bodies, dtype=np.uint64), art, fp, np.bincount(art, minlength=len(ids)))
            drop, reasons = seen.duplicates(keys, 0.5)
            assert {a: (k, "exact" if reasons[a].startswith("exact") else "near") for a, k in drop.items()} == exp, (trial, ids)


def test_long_run_prefilter_covers_glued_words():
    from diplokit.cleaning import _long_runs

    rng = np.random.default_rng(5)
    alphabet = list("ab Zé\u00a0\t日x-.") + ["\u2003"]
    lines = ["".join(rng.choice(alphabet, int(rng.integers(0, 30)))) for _ in range(400)] + ["", "abcdefghijkl", "ééééééé", "a" * 11 + " b"]
    s = pa.array(lines, pa.large_string())
    for length in (3, 6, 11):
        got = _long_runs(s, length)
        letters = np.asarray(pc.match_substring_regex(s, f"\\pL{{{length},}}").to_numpy(zero_copy_only=False), dtype=bool)
        assert not (letters & ~got).any()  # every line with a glued word is kept
        ascii_ = np.array([t.isascii() for t in lines])
        plain = np.asarray(pc.match_substring_regex(s, f"\\S{{{length},}}").to_numpy(zero_copy_only=False), dtype=bool)
        assert (got[ascii_] == plain[ascii_]).all()  # and on ASCII it is exactly RE2's \S{n,}
        assert (got[~ascii_] >= plain[~ascii_]).all()


def test_mojibake_rows_match_the_pattern():
    rng = np.random.default_rng(9)
    alphabet = list("ab é") + ["Ã", "©", "â", "€", "\u0085", "Â", "\u00a0", "Ø", "œ", "“", "ü", "日", "\U0001f600"]
    texts = ["".join(rng.choice(alphabet, int(rng.integers(0, 12)))) for _ in range(600)] + ["", "cafÃ© crÃ¨me", "château", "Ã"]
    want = [bool(rd._MOJIBAKE.search(t)) for t in texts]
    assert any(want) and not all(want)
    assert rd.suspicious_texts(texts).tolist() == want
    arr = pa.array([None] + texts, pa.string())  # nulls, a non-large type, and a slice
    assert rd._mojibake_rows(arr.slice(1)).tolist() == want
    assert rd._mojibake_rows(pa.chunked_array([arr.slice(0, 300), arr.slice(300)])).tolist() == [False] + want


def test_run_helpers_match_groupby():
    from diplokit.runs import rank_in_run, run_lengths, run_max, run_starts

    rng = np.random.default_rng(3)
    a = np.sort(rng.integers(0, 6, 50))
    b = rng.integers(0, 3, 50)
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    v = rng.integers(0, 100, 50)
    df = pd.DataFrame({"a": a, "b": b, "v": v})
    starts = run_starts(a)
    assert starts.tolist() == df.groupby("a").head(1).index.tolist()
    assert run_lengths(starts, len(a)).tolist() == df.groupby("a").size().tolist()
    assert run_max(v, starts).tolist() == df.groupby("a")["v"].transform("max").tolist()
    assert rank_in_run(starts, len(a)).tolist() == df.groupby("a").cumcount().tolist()
    assert run_starts(a, b).tolist() == df.groupby(["a", "b"]).head(1).index.tolist()
    assert run_starts(np.zeros(0)).tolist() == [] and run_max(np.zeros(0, int), np.zeros(0, int)).tolist() == []


def test_appositive_prefilter_finds_what_every_title_end_finds():
    from diplokit.unlisted import appositive_matches

    compiled = compile_lexicon()
    text = (
        "the minister of Foreign Affairs and International Cooperation, Jane Doe, said; the president,\u00a0"
        "Félix Tshisekedi; le ministre français de l'Intérieur, Bruno Retailleau, a dit; the envoy "
        + "x" * 30 + " word, Late Comma; Minister, Ann Lee and ambassador. , Bob Ray" + " padding" * 40
        + ", Zed Zed"
    )
    big = text * 2
    cps = codepoints(big)
    ends = np.array([m.end() for m in re.finditer(r"(?i)\b(?:minister|president|ministre|envoy|ambassador)\b", big)], dtype=np.int64)
    want = [(e, mt.span()) for e in ends.tolist() if (mt := compiled.appositive.match(big, e)) is not None]
    got = [(e, mt.span()) for e, mt in appositive_matches(big, cps, ends, compiled.appositive)]
    assert got == want and len(want) >= 6


def test_sorted_unique_matches_np_unique():
    from diplokit.runs import sorted_unique

    rng = np.random.default_rng(7)
    nearly = np.sort(rng.integers(0, 500, 2000))
    nearly[::37] = rng.integers(0, 500, len(nearly[::37]))  # out-of-order stretches
    for a in (nearly, rng.integers(-50, 50, 999), np.zeros(0, dtype=np.int64), np.array([3]), np.full(5, 9)):
        assert np.array_equal(sorted_unique(a), np.unique(a))
        for got, want in zip(sorted_unique(a, return_counts=True, return_index=True), np.unique(a, return_index=True, return_counts=True)):
            assert np.array_equal(got, want)


def test_packed_span_order_matches_lexsort():
    from diplokit.matching import _span_order

    rng = np.random.default_rng(3)
    for high in (50, 2**40):  # packed keys, and starts too large to pack (lexsort)
        s = rng.integers(0, high, 3000)
        e = s + rng.integers(0, 40, 3000)
        term = rng.integers(0, 70000, 3000)
        s[:100], e[:100] = s[0], e[0]  # one span shared by many terms
        assert np.array_equal(_span_order(s, e, term), np.lexsort((term, -(e - s), s)))
