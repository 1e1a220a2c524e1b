"""Evidence: the sentences behind a number, as a table and as safe HTML.

Every evidence function (``pair_evidence``, ``sector_evidence``, ``event_evidence``,
``theme_evidence``) returns the same columns, built by :func:`build_evidence`:

``article_id, sentence_id, title, date, source, sentence, spans`` (+ function-specific
columns such as ``note`` or ``weight``), where ``spans`` is a list of ``(start, end)``
character offsets *relative to the sentence* to highlight.

:func:`evidence_html` renders such a table. Article text is untrusted input (scraped
news): every piece of it is passed through :func:`html.escape`, and highlights are cut
on the raw text before escaping, so offsets never land inside an entity like ``&amp;``.
"""
from __future__ import annotations

import html
from typing import Iterable

import numpy as np
import pandas as pd

EVIDENCE_COLUMNS = ["article_id", "sentence_id", "title", "date", "source", "sentence", "spans"]


def empty_evidence(extra: Iterable[str] = ()) -> pd.DataFrame:
    """An evidence table with no rows and the standard columns (plus ``extra``)."""
    cols = {
        "article_id": pd.Series([], dtype="str"),
        "sentence_id": pd.Series([], dtype=np.int64),
        "title": pd.Series([], dtype="str"),
        "date": pd.Series([], dtype="datetime64[ns]"),
        "source": pd.Series([], dtype="str"),
        "sentence": pd.Series([], dtype="str"),
        "spans": pd.Series([], dtype=object),
    }
    for c in extra:
        cols[c] = pd.Series([], dtype=object)
    return pd.DataFrame(cols)


def build_evidence(
    corpus,
    units: pd.DataFrame,
    spans: pd.DataFrame | None,
    limit: int | None = 50,
    order: str = "date",
) -> pd.DataFrame:
    """Evidence rows for ``units`` (article_id, sentence_id, plus any extra columns).

    ``spans`` holds article-level offsets (article_id, sentence_id, start, end) to
    highlight; they are made relative to each sentence and clipped to it.
    ``order="date"`` sorts newest first (undated last), then by article and sentence;
    ``order="given"`` keeps the order of ``units``. At most ``limit`` rows are returned.
    """
    extra = [c for c in units.columns if c not in ("article_id", "sentence_id")]
    if units.empty:
        return empty_evidence(extra)
    u = units.drop_duplicates(["article_id", "sentence_id"]).copy()
    u["article_id"] = u["article_id"].astype("str")
    u["sentence_id"] = u["sentence_id"].astype(np.int64)
    arts = corpus.articles
    meta = pd.DataFrame(
        {
            "article_id": arts["article_id"].astype("str"),
            "title": arts["title"].astype("str") if "title" in arts else pd.Series(np.nan, index=arts.index, dtype="str"),
            "date": pd.to_datetime(arts["date"]).astype("datetime64[ns]"),
            "source": arts["source"].astype("str") if "source" in arts else pd.Series(np.nan, index=arts.index, dtype="str"),
        }
    )
    u = u.merge(meta, on="article_id", how="left", sort=False)
    if order == "date":
        u = u.sort_values(["date", "article_id", "sentence_id"], ascending=[False, True, True], na_position="last", kind="stable")
    elif order != "given":
        raise ValueError(f"order must be 'date' or 'given'; got {order!r}")
    if limit is not None:
        u = u.head(int(limit))
    u = u.reset_index(drop=True)
    s = corpus.sentences[["article_id", "sentence_id", "start", "text"]].rename(columns={"start": "s_start", "text": "sentence"})
    s = s.astype({"article_id": "str", "sentence_id": np.int64})
    u = u.merge(s, on=["article_id", "sentence_id"], how="left", sort=False)
    u["sentence"] = u["sentence"].astype("str")
    u["spans"] = _relative_spans(u, spans)
    return u[EVIDENCE_COLUMNS + extra]


def _relative_spans(u: pd.DataFrame, spans: pd.DataFrame | None) -> list[list[tuple[int, int]]]:
    empty: list[list[tuple[int, int]]] = [[] for _ in range(len(u))]
    if spans is None or spans.empty or u.empty:
        return empty
    sp = spans[["article_id", "sentence_id", "start", "end"]].astype({"article_id": "str", "sentence_id": np.int64})
    keyed = u[["article_id", "sentence_id", "s_start", "sentence"]].reset_index(names="row")
    sp = sp.merge(keyed, on=["article_id", "sentence_id"], how="inner")
    if sp.empty:
        return empty
    length = sp["sentence"].str.len().fillna(0).to_numpy(dtype=np.int64)
    base = sp["s_start"].fillna(0).to_numpy(dtype=np.int64)
    a = np.clip(sp["start"].to_numpy(dtype=np.int64) - base, 0, length)
    b = np.clip(sp["end"].to_numpy(dtype=np.int64) - base, 0, length)
    rows = sp["row"].to_numpy()
    ok = b > a
    order = np.lexsort((b[ok], a[ok], rows[ok]))
    rows, a, b = rows[ok][order], a[ok][order], b[ok][order]
    # At most `limit` sentences, a few spans each: building the lists in Python is cheap.
    for r, x, y in zip(rows.tolist(), a.tolist(), b.tolist()):
        if (x, y) not in empty[r][-1:]:
            empty[r].append((x, y))
    return empty


def cue_notes(rows: pd.DataFrame, label: str) -> pd.DataFrame:
    """(article_id, sentence_id, note) with the distinct matched surfaces per sentence."""
    if rows.empty:
        return pd.DataFrame({"article_id": pd.Series([], dtype="str"), "sentence_id": pd.Series([], dtype=np.int64), "note": pd.Series([], dtype="str")})
    r = rows[["article_id", "sentence_id", "surface"]].astype({"article_id": "str", "sentence_id": np.int64, "surface": "str"})
    r = r.drop_duplicates().sort_values(["article_id", "sentence_id", "surface"], kind="stable")
    notes = r.groupby(["article_id", "sentence_id"], sort=True)["surface"].agg(lambda s: f"{label}: " + ", ".join(s)).reset_index(name="note")
    notes["note"] = notes["note"].astype("str")
    return notes


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------
def merge_spans(spans, length: int) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ``(start, end)`` spans within ``[0, length]``."""
    if spans is None or (isinstance(spans, float) and np.isnan(spans)):
        return []
    clean = []
    for sp in spans:
        a, b = int(sp[0]), int(sp[1])
        a, b = max(0, min(a, length)), max(0, min(b, length))
        if b > a:
            clean.append((a, b))
    clean.sort()
    merged: list[tuple[int, int]] = []
    for a, b in clean:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def highlight(text: str, spans) -> str:
    """``text`` as HTML with ``spans`` wrapped in ``<mark>``; every piece escaped."""
    text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    out: list[str] = []
    pos = 0
    for a, b in merge_spans(spans, len(text)):
        out.append(html.escape(text[pos:a]))
        out.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        pos = b
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _text(value, default: str = "") -> str:
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return default
    return str(value)


def _date(value) -> str:
    if value is None or pd.isna(value):
        return "undated"
    return pd.Timestamp(value).strftime("%Y-%m-%d")


_STYLE = (
    "<style>.dk-evidence{border-collapse:collapse;font-family:sans-serif;font-size:13px}"
    ".dk-evidence td{border-top:1px solid #ddd;padding:4px 8px;vertical-align:top;text-align:left}"
    ".dk-evidence .dk-meta{width:28%;color:#333}.dk-evidence .dk-sub{color:#666;font-size:12px}"
    ".dk-evidence mark{background:#F0E442;color:#000;padding:0 1px}"
    ".dk-evidence .dk-note{color:#555;font-size:12px}</style>"
)


def evidence_html(df: pd.DataFrame, max_rows: int = 50) -> str:
    """An HTML fragment listing evidence rows: title, date and source beside each
    sentence, highlighted spans in ``<mark>``, an optional ``note`` under the sentence.

    All article-derived text (title, source, sentence, note, ids) is escaped.
    """
    if df is None or df.empty:
        return evidence_records_html([])
    shown = df.head(max_rows)
    has_note = "note" in shown.columns
    records = (
        (getattr(r, "article_id", None), getattr(r, "sentence_id", None), getattr(r, "title", None), _date(getattr(r, "date", None)),
         getattr(r, "source", None), getattr(r, "sentence", ""), getattr(r, "spans", None), getattr(r, "note", None) if has_note else None)
        for r in shown.itertuples(index=False)
    )
    return evidence_records_html(records, more=len(df) - len(shown))


def evidence_records_html(records, more: int = 0) -> str:
    """The HTML of :func:`evidence_html` from plain rows, without a DataFrame: each record
    is ``(article_id, sentence_id, title, date_text, source, sentence, spans, note)``
    with ``date_text`` already formatted (``"YYYY-MM-DD"`` or ``"undated"``) and
    ``note`` None when there is none; ``more`` rows are counted as not shown.

    Every article-derived value is escaped here, exactly as in :func:`evidence_html`.
    """
    rows: list[str] = []
    for aid, sid, title, date_text, source, sentence, spans, note in records:
        title = html.escape(_text(title, "(untitled)"))
        source = html.escape(_text(source))
        sub = " · ".join(x for x in (html.escape(_text(date_text, "undated")), source) if x)
        note = html.escape(_text(note))
        rows.append(
            f'<tr><td class="dk-meta"><strong>{title}</strong><br><span class="dk-sub">{sub}</span>'
            f'<br><span class="dk-sub">{html.escape(_text(aid))} #{html.escape(_text(sid))}</span></td>'
            f'<td class="dk-sentence">{highlight(sentence, spans)}' + (f'<div class="dk-note">{note}</div>' if note else "") + "</td></tr>"
        )
    if not rows and more <= 0:
        return '<div class="dk-evidence-empty"><em>No evidence sentences.</em></div>'
    tail = f'<tr><td colspan="2" class="dk-sub">… {more} more row{"s" if more != 1 else ""} not shown</td></tr>' if more > 0 else ""
    return _STYLE + '<table class="dk-evidence"><tbody>' + "".join(rows) + tail + "</tbody></table>"


def trace(corpus, row) -> pd.Series:
    """Where an annotation row (a mention, sector cue or event: anything with
    ``article_id``, ``sentence_id``, ``start``, ``end``) comes from: the article's text at
    those offsets, the sentence it sits in, and the story's title, date and source."""
    art = corpus.articles.set_index("article_id").loc[row["article_id"]]
    sent = corpus.sentences.set_index(["article_id", "sentence_id"]).loc[(row["article_id"], int(row["sentence_id"]))]
    start, end = int(row["start"]), int(row["end"])
    return pd.Series(
        {
            "article_id": row["article_id"],
            "sentence_id": int(row["sentence_id"]),
            "start": start,
            "end": end,
            "text_at_offsets": art["text"][start:end],
            "sentence": sent["text"],
            "title": art.get("title"),
            "date": art.get("date"),
            "source": art.get("source"),
        },
        name="trace",
    )
