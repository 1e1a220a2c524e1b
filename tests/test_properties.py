"""Property tests: for arbitrary text, sentence offsets stay valid and no line is lost."""
from __future__ import annotations

import re

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplokit import load_corpus
from diplokit.cleaning import clean_texts
from diplokit.sentences import split_sentences

WORDS = st.sampled_from(
    ["Rwanda", "the", "Gen.", "Dr.", "U.S.", "No.", "5", "3.5", "talks", "signed", "Kigali", "—", "-", "»",
     "Home", "by", "visited", "times", "Share", "this:", "You", "may", "also", "like", "Leave", "a", "Reply",
     "giriş", "casino", "(CAR)", "“quoted”", "l’accord", "é", "!", "?", ".", "…", "St.", "J.", "Touadéra"]
)
LINE = st.lists(WORDS, min_size=0, max_size=18).map(" ".join)
TEXT = st.lists(st.one_of(LINE, st.text(max_size=40)), min_size=1, max_size=25).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(TEXT, st.text(max_size=200)), min_size=1, max_size=4))
def test_sentence_offsets_are_valid(texts):
    df = split_sentences(texts)
    for doc, group in df.groupby("doc"):
        t = texts[doc]
        prev_end = 0
        for r in group.itertuples():
            assert t[r.start:r.end] == r.text
            assert r.text == r.text.strip() and r.text
            assert "\n" not in r.text
            assert r.start >= prev_end
            prev_end = r.end
        assert list(group["sentence_id"]) == list(range(len(group)))
    # Every non-space character belongs to some sentence.
    for i, t in enumerate(texts):
        covered = sum(len(x) for x in df.loc[df["doc"] == i, "text"].str.replace(r"\s", "", regex=True))
        assert covered == len("".join(t.split()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, min_size=1, max_size=3))
def test_no_line_is_lost_in_cleaning(texts):
    docs, removed = clean_texts(texts)
    for d, raw in enumerate(texts):
        paragraphs = docs.loc[d, "text"].split("\n\n") if docs.loc[d, "text"] else []
        rem = removed[removed["doc"] == d]
        lines = re.split("\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c", raw)
        for no, line in enumerate(lines, start=1):
            line = line.strip()
            if not line:
                continue
            here = rem[rem["line_no"] == no]
            whole = here[here["reason"] != "dateline (moved to the dateline column)"]
            if len(whole):
                assert whole["text"].tolist() == [line]
                continue
            if len(here):  # a dateline prefix was moved out; the rest is a paragraph
                prefix = here["text"].item()
                assert line.startswith(prefix)
                assert line[len(prefix):].strip() in paragraphs
                continue
            assert line in paragraphs, (no, line)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(TEXT, min_size=1, max_size=5))
def test_loaded_sentences_trace_back_to_articles(texts):
    corpus = load_corpus(pd.DataFrame({"text": texts}))
    by_id = corpus.articles.set_index("article_id")["text"]
    for s in corpus.sentences.itertuples():
        assert by_id[s.article_id][s.start:s.end] == s.text
    assert len(corpus.report) == len(texts)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=6))
def test_fingerprints_equal_their_plain_definition(texts):
    """Word fingerprints (dedup.py) equal BLAKE2b of the words, folded and space-joined."""
    import hashlib

    from diplokit.dedup import text_fingerprints
    from diplokit.matching import fold

    fp, n = text_fingerprints(texts)
    for t, f, k in zip(texts, fp.tolist(), n.tolist()):
        norm = " ".join(w for w in "".join(c if re.fullmatch(r"\w", c) else " " for c in fold(t)).split(" ") if w)
        units = norm.encode("utf-16-le", "surrogatepass")
        want = int.from_bytes(hashlib.blake2b(units, digest_size=8).digest(), "little") if norm else 0
        assert (f, k) == (want, len(units) // 2), t
