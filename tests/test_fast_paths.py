"""The vectorised fast paths give exactly what the plain per-row code they replace gives."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from diplokit import readers as rd
from diplokit.annotate import _candidate_matches, compile_lexicon
from diplokit.build import _NON_WORD, _sentence_keys
from diplokit.cleaning import _count_words
from diplokit.matching import codepoints, fold, fold_table

TRICKY = (
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


def test_long_fold_matches_translate():
    text = TRICKY * 200 + "‐‑‒–—―− ‘’ʼ´`“”«»\u00a0\u202f ÀÉÎÕÜ ǅ"
    assert len(text) > 4096
    assert fold(text) == text.translate(fold_table())


def test_word_count_matches_re2():
    lines = pa.array(["", "a b", "  x\x0by\u00a0z ", "é é  é", "\t", "word", "un\u2003deux\x0ctrois", " "] * 3, pa.large_string())
    for arr in (lines, lines.slice(3), pc.utf8_trim_whitespace(lines.slice(1))):
        assert _count_words(arr).tolist() == np.asarray(pc.count_substring_regex(arr, r"\S+")).tolist()


def test_sentence_keys_match_python():
    texts = [
        "The U.S. and the E.U. — agreed.", "Straße ß İstanbul ſ x_y  a—b", "ÀÉÎ õ ñ ǅ Ǆ ǆ", "日本語 テスト", "\x1c a \x85 b",
        "a-b\\c]d^e", "", "  __  ", "Ünïcödé ΣΊΣΥΦΟΣ σς",
    ]
    assert list(_sentence_keys(texts)) == [_NON_WORD.sub(" ", t.casefold()).strip() for t in texts]


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
    assert rd.suspicious_texts(df["text"].tolist()).tolist() == [isinstance(t, str) and bool(rd._MOJIBAKE.search(t)) for t in df["text"]]
