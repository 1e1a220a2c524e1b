"""Readers for each input kind. Each yields ``Record`` (an article to clean) or ``Problem``
(an input that cannot become an article, with a human reason) and never raises on bad
input: the loader turns problems into report rows."""
from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .encoding import NotTextError, decode_bytes, fix_text
from .runs import sorted_unique
from .utf8_rows import Utf8Rows

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TABLE_SUFFIXES = {".jsonl", ".ndjson", ".csv", ".parquet"}
SUPPORTED = sorted(TEXT_SUFFIXES | HTML_SUFFIXES | TABLE_SUFFIXES)
META_COLUMNS = ("title", "date", "source", "url", "lang", "byline")
SIDECAR_NAME = "metadata.csv"

# Heuristic markers of mojibake: ftfy is only run where they appear, which keeps
# loading fast on clean text (ftfy costs ~0.1 ms per story).
_MOJIBAKE_LEADS = "ÃÂâÅÐÑÎÏÄÆØ"  # letters that begin a mis-decoded UTF-8 sequence
_MOJIBAKE_PATTERN = "[\u0080-\u009f]|[" + _MOJIBAKE_LEADS + "][\u00a0-\u00bf\u2013-\u203a\u20ac\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc]"
_MOJIBAKE = re.compile(_MOJIBAKE_PATTERN)


@dataclass
class Record:
    origin: str  # "file.txt" or "file.jsonl:12"
    path: str
    raw: str
    meta: dict[str, Any] = field(default_factory=dict)
    encoding: str = ""
    repaired: bool = False


@dataclass
class Problem:
    origin: str
    path: str
    reason: str
    status: str = "skipped"


def maybe_fix(text: str) -> tuple[str, bool]:
    """Repair mojibake with ftfy when the text shows signs of it."""
    if _MOJIBAKE.search(text):
        fixed = fix_text(text).text
        return fixed, fixed != text
    return text, False


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def read_bytes(path: Path, rel: str, max_bytes: int) -> bytes | Problem:
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Problem(rel, rel, f"cannot read file: {exc.strerror or exc}")
    if size > max_bytes:
        return Problem(rel, rel, f"file too large ({_mb(size)} > {_mb(max_bytes)} limit for one article; raise max_file_mb to load it)")
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        return Problem(rel, rel, f"cannot read file: {exc.strerror or exc}")


def _decode(data: bytes, rel: str) -> tuple[str, str, bool] | Problem:
    if not data.strip():
        return Problem(rel, rel, "empty file")
    try:
        d = decode_bytes(data)
    except NotTextError as exc:
        return Problem(rel, rel, str(exc))
    if not d.text.strip():
        return Problem(rel, rel, "empty file (only whitespace after decoding)")
    return d.text, d.encoding, d.repaired


def read_text_file(path: Path, rel: str, max_bytes: int) -> Iterator[Record | Problem]:
    data = read_bytes(path, rel, max_bytes)
    if isinstance(data, Problem):
        yield data
        return
    dec = _decode(data, rel)
    if isinstance(dec, Problem):
        yield dec
        return
    text, enc, repaired = dec
    yield Record(rel, rel, text, {}, enc, repaired)


def read_html_file(path: Path, rel: str, max_bytes: int) -> Iterator[Record | Problem]:
    import trafilatura  # imported lazily: it is slow to import and only HTML needs it

    data = read_bytes(path, rel, max_bytes)
    if isinstance(data, Problem):
        yield data
        return
    dec = _decode(data, rel)
    if isinstance(dec, Problem):
        yield dec
        return
    html, enc, repaired = dec
    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True)
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        yield Problem(rel, rel, f"HTML could not be parsed: {type(exc).__name__}: {exc}")
        return
    if doc is None:
        yield Problem(rel, rel, "no main text found in the HTML page")
        return
    get = (lambda k: getattr(doc, k, None)) if not isinstance(doc, dict) else doc.get
    text = get("text") or ""
    if not text.strip():
        yield Problem(rel, rel, "no main text found in the HTML page")
        return
    meta = {
        "title": get("title"),
        "byline": get("author"),
        "date": get("date"),
        "source": get("sitename"),
        "url": get("url"),
        "lang": get("language"),
    }
    text, fixed = maybe_fix(text)
    yield Record(rel, rel, text, {k: v for k, v in meta.items() if v}, enc, repaired or fixed)


def suspicious_texts(texts: list) -> np.ndarray:
    """``_MOJIBAKE.search`` for a whole column at once; non-strings are False."""
    strs = [t if isinstance(t, str) else "" for t in texts]
    if not strs:
        return np.zeros(0, dtype=bool)
    return _mojibake_rows(pa.array(strs, pa.large_string()))


# UTF-8 of the pattern's first characters: C1 controls (C2 80-9F) and the leading letters
# (all in U+00C0-U+00FF, so C3 then one byte: "Ã" C3 83, "â" C3 A2, ...).
assert all(0xC0 <= ord(c) <= 0xFF for c in _MOJIBAKE_LEADS)
_MOJIBAKE_C3 = np.zeros(256, dtype=bool)
_MOJIBAKE_C3[[ord(c) - 0xC0 + 0x80 for c in _MOJIBAKE_LEADS]] = True
_C1_CONTROL = np.zeros(256, dtype=bool)
_C1_CONTROL[0x80:0xA0] = True


def _mojibake_rows(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """``_MOJIBAKE.search`` on each row of a string column (nulls: False). Rows whose UTF-8
    bytes hold none of the pattern's first characters cannot match, which a numpy scan of
    the buffer settles; RE2 then runs on the few rows left."""
    rows = Utf8Rows.of(col)
    data = rows.data
    lead = np.flatnonzero(data[:-1] >= 0xC2)  # (a character starting at the buffer's last byte has no second byte)
    nxt = data[lead + 1]
    hit = lead[((data[lead] == 0xC3) & _MOJIBAKE_C3[nxt]) | ((data[lead] == 0xC2) & _C1_CONTROL[nxt])]
    out = np.zeros(len(rows), dtype=bool)
    if len(hit):
        idx = sorted_unique(rows.row_of(hit))
        arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        found = pc.fill_null(pc.match_substring_regex(arr.take(pa.array(idx)), _MOJIBAKE_PATTERN), False)
        out[idx] = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    return out


def _missing(v: Any) -> bool:
    """None, NaN, pandas' NA or NaT: a cell with no value (not its text "<NA>" or "NaT")."""
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _meta_value(k: str, v: Any) -> Any:
    """A metadata value as a record keeps it, or None when it is missing or blank."""
    if _missing(v):
        return None
    if isinstance(v, str):
        return v if v and not v.isspace() else None  # (v.strip() without the copy)
    return (v if k == "date" else str(v)) if str(v).strip() else None


def table_records(df: pd.DataFrame, label: str, rel: str, first: int, enc: str, max_chars: int, fix: np.ndarray | None = None) -> list[Record | Problem]:
    """One ``Record`` or ``Problem`` per row of a table with a ``text`` column (rows are
    named ``label:first``, ``label:first+1``...). The same as ``_row_record`` on each
    row, with the mojibake test done on the whole column and columns read once."""
    texts = df["text"].tolist()
    fix = suspicious_texts(texts) if fix is None else fix
    # Each metadata column cleaned once; a row keeps its non-missing values, in column order.
    metas = [(k, [_meta_value(k, v) for v in df[k].tolist()]) for k in META_COLUMNS if k in df.columns]
    out: list[Record | Problem] = []
    for i, text in enumerate(texts):
        origin = f"{label}:{first + i}"
        if not isinstance(text, str):
            if _missing(text):
                out.append(Problem(origin, rel, "missing 'text' value"))
            else:
                out.append(Problem(origin, rel, f"'text' is a {type(text).__name__}, not a string"))
            continue
        if not text or text.isspace():
            out.append(Problem(origin, rel, "empty 'text' value"))
            continue
        if len(text) > max_chars:
            out.append(Problem(origin, rel, f"'text' too long ({len(text):,} characters > {max_chars:,} limit for one article)"))
            continue
        fixed = False
        if fix[i]:
            new = fix_text(text).text
            text, fixed = new, new != text
        meta = {k: vals[i] for k, vals in metas if vals[i] is not None}
        out.append(Record(origin, rel, text, meta, enc, fixed))
    return out


def parquet_batch_records(table: pa.Table | pa.RecordBatch, names: dict[str, str], rel: str, first: int, max_chars: int) -> list[Record | Problem]:
    """Records of a slice of a Parquet file (rows numbered from ``first``)."""
    df = table.to_pandas().rename(columns={v: k for k, v in names.items()})
    fix = None
    col = table.column(names["text"]) if names.get("text") in table.column_names else None
    if col is not None and (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        fix = _mojibake_rows(col)  # straight on the Arrow column (no copy into a new array)
    return table_records(df, rel, rel, first, "parquet", max_chars, fix)


def open_parquet(path: Path, rel: str) -> tuple[pq.ParquetFile, dict[str, str], list[str]] | Problem:
    """The Parquet file, its lower-cased column names and the columns to read."""
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError...
        return Problem(rel, rel, f"not a readable Parquet file: {exc}")
    names = {n.lower(): n for n in pf.schema_arrow.names}
    if "text" not in names:
        return Problem(rel, rel, f"no 'text' column (columns found: {', '.join(pf.schema_arrow.names) or 'none'})")
    return pf, names, [names[c] for c in ("text", *META_COLUMNS) if c in names]


def _row_record(origin: str, rel: str, row: dict[str, Any], enc: str, max_chars: int) -> Record | Problem:
    text = row.get("text")
    if _missing(text):
        return Problem(origin, rel, "missing 'text' value")
    if not isinstance(text, str):
        return Problem(origin, rel, f"'text' is a {type(text).__name__}, not a string")
    if not text.strip():
        return Problem(origin, rel, "empty 'text' value")
    if len(text) > max_chars:
        return Problem(origin, rel, f"'text' too long ({len(text):,} characters > {max_chars:,} limit for one article)")
    text, fixed = maybe_fix(text)
    meta = {k: v for k in META_COLUMNS if (v := _meta_value(k, row.get(k))) is not None}
    return Record(origin, rel, text, meta, enc, fixed)


def read_jsonl(path: Path, rel: str, max_chars: int) -> Iterator[Record | Problem]:
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield Problem(rel, rel, f"cannot read file: {exc.strerror or exc}")
        return
    n_ok = 0
    with fh:
        head = fh.read(8192)
        fh.seek(0)
        if not head.strip():
            yield Problem(rel, rel, "empty file")
            return
        try:
            decode_bytes(head)
        except NotTextError as exc:
            yield Problem(rel, rel, str(exc))
            return
        for i, line in enumerate(fh, start=1):
            origin = f"{rel}:{i}"
            if not line.strip():
                continue
            try:
                obj = json.loads(decode_bytes(line).text)
            except (json.JSONDecodeError, NotTextError) as exc:
                yield Problem(origin, rel, f"malformed JSON on line {i}: {exc}")
                continue
            if not isinstance(obj, dict):
                yield Problem(origin, rel, f"line {i} is a JSON {type(obj).__name__}, not an object with a 'text' field")
                continue
            rec = _row_record(origin, rel, obj, "utf-8", max_chars)
            n_ok += isinstance(rec, Record)
            yield rec


def read_csv(path: Path, rel: str, max_bytes: int, max_chars: int) -> Iterator[Record | Problem]:
    data = read_bytes(path, rel, max_bytes)
    if isinstance(data, Problem):
        yield data
        return
    dec = _decode(data, rel)
    if isinstance(dec, Problem):
        yield dec
        return
    text, enc, _ = dec
    bad: list[list[str]] = []
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, engine="python", on_bad_lines=lambda row: bad.append(row) and None)
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        yield Problem(rel, rel, f"malformed CSV: {exc}")
        return
    for row in bad:
        yield Problem(rel, rel, f"malformed CSV row skipped ({len(row)} fields): {','.join(row)[:80]!r}")
    cols = {c.strip().lower(): c for c in df.columns}
    if "text" not in cols:
        yield Problem(rel, rel, f"no 'text' column (columns found: {', '.join(map(str, df.columns)) or 'none'})")
        return
    df = df.rename(columns={v: k for k, v in cols.items()})
    for i, row in enumerate(df.to_dict("records"), start=2):  # line 1 is the header
        row = {k: (v if v != "" else None) for k, v in row.items()}
        yield _row_record(f"{rel}:{i}", rel, row, enc, max_chars)


def read_parquet(path: Path, rel: str, max_chars: int) -> Iterator[Record | Problem]:
    opened = open_parquet(path, rel)
    if isinstance(opened, Problem):
        yield opened
        return
    pf, names, wanted = opened
    i = 1
    for batch in pf.iter_batches(columns=wanted, batch_size=20_000):
        yield from parquet_batch_records(batch, names, rel, i, max_chars)
        i += batch.num_rows


def read_dataframe(df: pd.DataFrame, text_column: str = "text", label: str = "dataframe") -> Iterator[Record | Problem]:
    if text_column not in df.columns:
        yield Problem(label, label, f"no {text_column!r} column (columns found: {', '.join(map(str, df.columns))})")
        return
    df = df.rename(columns={text_column: "text"})
    if df.columns.is_unique:
        yield from table_records(df, label, label, 0, "str", 10**9)
        return
    for i, row in enumerate(df.to_dict("records")):
        yield _row_record(f"{label}:{i}", label, row, "str", 10**9)


def read_sidecar(path: Path, rel: str) -> tuple[dict[str, dict[str, Any]], Problem]:
    """Read ``metadata.csv``: file name -> metadata. Returns the mapping and a report row."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:
        return {}, Problem(rel, rel, f"metadata sidecar could not be read: {exc}", status="skipped")
    cols = {c.strip().lower(): c for c in df.columns}
    key = next((cols[c] for c in ("file", "filename", "path", "name") if c in cols), None)
    if key is None:
        return {}, Problem(rel, rel, "metadata sidecar has no 'file' column; ignored", status="skipped")
    out: dict[str, dict[str, Any]] = {}
    for row in df.to_dict("records"):
        name = str(row[key]).strip()
        meta = {k: row[cols[k]].strip() for k in META_COLUMNS if k in cols and str(row[cols[k]]).strip()}
        if name:
            out[name] = meta
    return out, Problem(rel, rel, f"metadata sidecar for {len(out)} files", status="metadata")


def walk(root: Path) -> tuple[list[Path], list[Path]]:
    """Files under ``root`` (recursive, sorted) and the hidden folders not searched."""
    found: list[Path] = []
    hidden: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        hidden += [Path(dirpath) / d for d in sorted(dirnames) if d.startswith((".", "__"))]
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        found += [Path(dirpath) / f for f in sorted(filenames)]
    return found, hidden
