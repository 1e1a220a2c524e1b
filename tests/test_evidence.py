"""Evidence tables and their HTML: every piece of article text escaped, highlights cut
on the raw text."""
from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplokit.corpus import Corpus
from diplokit.evidence import EVIDENCE_COLUMNS, build_evidence, evidence_html, highlight, merge_spans

HOSTILE = "Rwanda <script>alert(1)</script> & Benin <img src=x onerror=alert(1)> agree."


def _row(**kw) -> dict:
    base = {"article_id": "a1", "sentence_id": 0, "title": "T", "date": pd.Timestamp("2024-05-06"), "source": "Wire", "sentence": "", "spans": []}
    base.update(kw)
    return base


def _no_markup_from_text(out: str) -> None:
    assert "<script" not in out.lower() and "<img" not in out.lower() and "<b>" not in out


def test_hostile_text_shows_as_characters():
    df = pd.DataFrame([_row(title="<script>alert('t')</script>", source="<b>Evil</b> Wire", sentence=HOSTILE,
                            spans=[(0, 6), (HOSTILE.index("Benin"), HOSTILE.index("Benin") + 5)], note="cue: <img src=y>",
                            article_id="<i>id</i>")])
    out = evidence_html(df)
    _no_markup_from_text(out)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in out  # quotes escaped too
    assert "&lt;b&gt;Evil&lt;/b&gt; Wire" in out
    assert "cue: &lt;img src=y&gt;" in out and "&lt;i&gt;id&lt;/i&gt;" in out
    assert "<mark>Rwanda</mark>" in out and "<mark>Benin</mark>" in out
    assert "&amp; <mark>Benin</mark>" in out


def test_highlight_cuts_raw_text_then_escapes_each_piece():
    text = "A & B <x> C"
    # Offsets are on the raw text: "&" is one character at 2, "<x>" spans 6..9.
    assert highlight(text, [(2, 3)]) == "A <mark>&amp;</mark> B &lt;x&gt; C"
    assert highlight(text, [(6, 9)]) == "A &amp; B <mark>&lt;x&gt;</mark> C"
    assert highlight(text, [(4, 5)]) == "A &amp; <mark>B</mark> &lt;x&gt; C"
    tag = "<script>"
    assert highlight(tag, [(0, len(tag))]) == "<mark>&lt;script&gt;</mark>"
    assert highlight("Touadéra 🇨🇫 et Kagame", [(12, 14)]) == "Touadéra 🇨🇫 <mark>et</mark> Kagame"


def test_spans_are_cleaned():
    assert merge_spans([(5, 9), (0, 3), (2, 4), (7, 8), (20, 30), (6, 6), (-3, 1)], 25) == [(0, 4), (5, 9), (20, 25)]
    assert merge_spans(None, 10) == [] and merge_spans(np.nan, 10) == []
    assert merge_spans([[1, 2]], 10) == [(1, 2)]
    assert merge_spans(np.array([[1, 2], [2, 3]]), 10) == [(1, 3)]
    assert highlight("abcdef", [(1, 3), (2, 5)]) == "a<mark>bcde</mark>f"
    assert highlight(None, [(0, 1)]) == ""


def test_rows_meta_and_limits():
    df = pd.DataFrame([_row(sentence="One.", title=None, date=pd.NaT, source=None), _row(sentence="Two.", sentence_id=1), _row(sentence="Three.", sentence_id=2)])
    out = evidence_html(df, max_rows=2)
    assert "(untitled)" in out and "undated" in out and "2024-05-06" in out
    assert "One." in out and "Two." in out and "Three." not in out
    assert "1 more row not shown" in out
    assert out.count("<tr>") == 3  # two rows + the "more" line
    assert "No evidence" in evidence_html(df.iloc[:0])
    assert "2 more rows not shown" in evidence_html(df, max_rows=1)


def test_html_is_deterministic():
    df = pd.DataFrame([_row(sentence=HOSTILE, spans=[(0, 6)])])
    assert evidence_html(df) == evidence_html(df.copy())


def _corpus() -> Corpus:
    text = "First sentence here. Rwanda & <Benin> meet. Last one."
    sentences = ["First sentence here.", "Rwanda & <Benin> meet.", "Last one."]
    starts = [0, 21, 44]
    arts = pd.DataFrame({"article_id": ["a1", "a2"], "title": ["<T1>", "T2"], "date": pd.to_datetime(["2024-01-01", "2024-06-01"]).astype("datetime64[ns]"),
                         "source": ["Wire", "Daily"], "text": [text, "Other."]}).astype({"article_id": "str", "title": "str", "source": "str", "text": "str"})
    sents = pd.DataFrame({"article_id": ["a1"] * 3 + ["a2"], "sentence_id": [0, 1, 2, 0], "start": starts + [0],
                          "end": [s + len(t) for s, t in zip(starts, sentences)] + [6], "text": sentences + ["Other."]})
    assert all(text[s:e] == t for s, e, t in zip(sents["start"][:3], sents["end"][:3], sentences))
    return Corpus(arts, sents, pd.DataFrame(), pd.DataFrame({"status": []}))


def test_build_evidence_relative_spans_order_and_limit():
    corpus = _corpus()
    units = pd.DataFrame({"article_id": ["a1", "a2"], "sentence_id": [1, 0]})
    # Article offsets: "Rwanda" at 21..27, "<Benin>" at 30..37 (and one span straddling the sentence end).
    spans = pd.DataFrame({"article_id": ["a1", "a1", "a1"], "sentence_id": [1, 1, 1], "start": [30, 21, 40], "end": [37, 27, 50]})
    ev = build_evidence(corpus, units, spans)
    assert list(ev.columns) == EVIDENCE_COLUMNS
    assert ev["article_id"].tolist() == ["a2", "a1"]  # newest first
    a1 = ev.iloc[1]
    assert a1["sentence"] == "Rwanda & <Benin> meet."
    assert a1["spans"] == [(0, 6), (9, 16), (19, 22)]  # clipped to the sentence
    assert [a1["sentence"][a:b] for a, b in a1["spans"][:2]] == ["Rwanda", "<Benin>"]
    assert ev.iloc[0]["spans"] == []
    assert build_evidence(corpus, units, spans, order="given")["article_id"].tolist() == ["a1", "a2"]
    assert len(build_evidence(corpus, units, spans, limit=1)) == 1
    out = evidence_html(ev)
    assert "<mark>&lt;Benin&gt;</mark>" in out and "&lt;T1&gt;" in out
    _no_markup_from_text(out)
    with pytest.raises(ValueError):
        build_evidence(corpus, units, spans, order="random")


def test_build_evidence_empty_and_extra_columns():
    corpus = _corpus()
    empty = build_evidence(corpus, pd.DataFrame({"article_id": [], "sentence_id": [], "note": []}), None)
    assert empty.empty and list(empty.columns) == EVIDENCE_COLUMNS + ["note"]
    ev = build_evidence(corpus, pd.DataFrame({"article_id": ["a1"], "sentence_id": [0], "note": ["<n>"]}), None)
    assert ev["note"].tolist() == ["<n>"]
    assert "&lt;n&gt;" in evidence_html(ev)
    assert re.search(r"<div class=\"dk-note\">", evidence_html(ev))



@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab <>&\"'/=sxé🇨🇫\n")), max_size=40),
    spans=st.lists(st.tuples(st.integers(-5, 50), st.integers(-5, 50)), max_size=6),
)
def test_highlight_round_trips_and_never_emits_markup_from_text(text, spans):
    out = highlight(text, spans)
    plain = out.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in plain and ">" not in plain
    assert html.unescape(plain) == text
    marked = re.findall(r"<mark>(.*?)</mark>", out, flags=re.S)
    assert [html.unescape(m) for m in marked] == [text[a:b] for a, b in merge_spans(spans, len(text))]
