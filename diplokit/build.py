"""Streaming builds: load, clean and annotate a large collection in chunks, on all cores,
and write every table as Parquet.

The parent process lists the inputs and hands chunks (a few thousand files, or record
batches of a big Parquet/JSONL/CSV file) to worker processes; each worker reads, cleans,
splits and annotates its chunk. The parent keeps only what deduplication across chunks
needs (ids, body hashes, long-sentence hashes) and appends each chunk's tables to
Parquet files, so memory stays flat however many stories there are.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import readers as rd
from .annotate import OCCURRENCE_COLUMNS, TABLES as ANN_TABLES, annotate_batch, compile_lexicon, summarise_candidates
from .cleaning import BoilerplateRules
from .corpus import FORMAT, MANIFEST, TABLES as CORPUS_TABLES
from .lexicon import Lexicon
from .loader import build_corpus, collect_jobs, read_job
from .dedup import MIN_SENTENCE_CHARS

TABLE_KINDS = {".jsonl", ".ndjson", ".csv", ".parquet"}


@dataclass
class BuildSummary:
    out: Path
    inputs: int
    articles: int
    skipped: int
    duplicates: int
    seconds: float
    mb: float

    def __str__(self) -> str:
        rate = self.articles / self.seconds if self.seconds else float("nan")
        return (
            f"{self.articles:,} articles from {self.inputs:,} inputs ({self.skipped:,} skipped, {self.duplicates:,} duplicates) "
            f"in {self.seconds:.1f} s — {rate:,.0f} articles/s, {self.mb / self.seconds:.1f} MB/s — written to {self.out}"
        )


# ---- worker side ------------------------------------------------------------------------
_STATE: dict = {}


def _init_worker(boilerplate: tuple[str, ...], lexicon_dirs: tuple[str, ...], max_bytes: int) -> None:
    _STATE["rules"] = BoilerplateRules.load(boilerplate)
    _STATE["compiled"] = compile_lexicon(Lexicon.load(*lexicon_dirs) if lexicon_dirs else None)
    _STATE["max_bytes"] = max_bytes


def _process(task: tuple) -> dict[str, pd.DataFrame]:
    kind, payload = task
    records: list[rd.Record] = []
    problems: list[rd.Problem] = []
    if kind == "files":
        items = (it for job in payload for it in read_job(job, _STATE["max_bytes"]))
    elif kind == "parquet":  # a slice of a Parquet file, read by the parent as Arrow IPC
        rel, names, first, ipc, meta = payload
        items = rd.parquet_batch_records(pa.ipc.open_stream(ipc).read_all(), names, rel, first, _STATE["max_bytes"])
        extra = {k: v for k, v in meta.items() if v}
        if extra:
            for it in items:
                if isinstance(it, rd.Record):
                    it.meta = {**it.meta, **extra}
    else:
        items = payload
    for it in items:
        (records if isinstance(it, rd.Record) else problems).append(it)
    norms: dict = {}
    corpus = build_corpus(records, problems, _STATE["rules"], sentence_norms=norms)
    res = annotate_batch(corpus.articles[["article_id", "text"]], corpus.sentences, _STATE["compiled"])
    out = {t: getattr(corpus, t) for t in CORPUS_TABLES}
    out.update(res)
    out["_dedup_keys"] = _dedup_keys(corpus.articles, corpus.sentences, norms.get("sentences"), norms.get("bodies"))  # hashed here, in parallel
    return out


# ---- parent side ------------------------------------------------------------------------
def _tasks(jobs: list, batch_size: int, max_bytes: int) -> Iterator[tuple]:
    files = [j for j in jobs if j[0].suffix.lower() not in TABLE_KINDS]
    tables = [j for j in jobs if j[0].suffix.lower() in TABLE_KINDS]
    for i in range(0, len(files), batch_size):
        yield ("files", files[i : i + batch_size])
    for job in tables:  # big table files are read here and shipped in record batches
        if job[0].suffix.lower() == ".parquet" and not job[0].name.startswith(".") and job[0].is_file():
            yield from _parquet_tasks(job, batch_size)
            continue
        batch: list = []
        for it in read_job(job, max_bytes):
            batch.append(it)
            if len(batch) >= batch_size:
                yield ("records", batch)
                batch = []
        if batch:
            yield ("records", batch)


def _parquet_tasks(job, batch_size: int) -> Iterator[tuple]:
    """Slices of ``batch_size`` rows of a Parquet file, as Arrow IPC streams: the parent
    only decodes columns; workers turn rows into records (as ``read_parquet`` would)."""
    f, rel, meta = job
    opened = rd.open_parquet(f, rel)
    if isinstance(opened, rd.Problem):
        yield ("records", [opened])
        return
    pf, names, wanted = opened
    pending: list[pa.RecordBatch] = []
    n_pending = 0
    first = 1

    def ship(table: pa.Table) -> tuple:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as w:
            w.write_table(table)
        return ("parquet", (rel, names, first, sink.getvalue(), meta))

    for b in pf.iter_batches(columns=wanted, batch_size=batch_size):
        pending.append(b)
        n_pending += b.num_rows
        while n_pending >= batch_size:
            t = pa.Table.from_batches(pending)
            yield ship(t.slice(0, batch_size))
            first += batch_size
            rest = t.slice(batch_size)
            pending, n_pending = rest.to_batches(), rest.num_rows
    if n_pending:
        yield ship(pa.Table.from_batches(pending))


_TEXT_COLUMNS = {
    "article_id", "duplicate_of", "reason", "origin", "path", "status", "title", "byline", "dateline", "source", "url",
    "lang", "text", "kind", "surface", "cue", "entity_id", "entity_name", "entity_type", "country", "match", "sector",
    "event_type", "cameo_root", "actor_ids", "actor_names", "countries", "country_a", "country_b", "name_a", "name_b",
    "sentence_ids", "basis", "name", "example", "sentence",
}


class _Writers:
    """Appends each table's chunks to one Parquet file, with a schema fixed by the first."""

    def __init__(self, out: Path):
        self.out = out
        self.writers: dict[str, pq.ParquetWriter] = {}

    def write(self, name: str, df: pd.DataFrame) -> None:
        # A chunk where a text column is all missing (no duplicates yet) would otherwise
        # fix that column's type as double for the whole file.
        text_cols = [c for c in df.columns if df[c].dtype == object or (df[c].isna().all() and df[c].dtype == float and c in _TEXT_COLUMNS)]
        if text_cols:
            df = df.astype({c: "str" for c in text_cols})
        table = pa.Table.from_pandas(df, preserve_index=False)
        w = self.writers.get(name)
        if w is None:
            w = self.writers[name] = pq.ParquetWriter(self.out / f"{name}.parquet", table.schema)
        elif table.schema != w.schema:
            table = table.cast(w.schema)
        w.write_table(table)

    def close(self) -> None:
        for w in self.writers.values():
            w.close()


def build(
    source: str | Path | Sequence[str | Path],
    out: str | Path,
    *,
    batch_size: int = 4000,
    workers: int | None = None,
    lexicon_dirs: Sequence[str | Path] = (),
    boilerplate: Sequence[str | Path] = (),
    max_file_mb: float = 10,
    near_duplicate_threshold: float = 0.8,
    progress: bool = True,
) -> BuildSummary:
    """Load, clean and annotate ``source`` in chunks and write all tables to ``out``.

    ``load_corpus(out)`` reopens the corpus and ``annotate()`` on it returns the stored
    annotations (when the lexicon is unchanged) without recomputing.
    """
    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.parquet"):
        old.unlink()
    max_bytes = int(max_file_mb * 1_000_000)
    workers = workers or max(1, min(os.cpu_count() or 1, 8))
    jobs, problems = collect_jobs(source)
    lexicon = Lexicon.load(*lexicon_dirs) if lexicon_dirs else None
    fingerprint = compile_lexicon(lexicon).fingerprint  # compiled once here; forked workers inherit it
    init = (tuple(map(str, boilerplate)), tuple(map(str, lexicon_dirs)), max_bytes)

    writers = _Writers(out)
    seen_ids: set[str] = set()
    seen_body: dict[int, str] = {}
    seen_sent: dict[int, str] = {}
    sent_counts: dict[str, int] = {}
    occurrences: list[pd.DataFrame] = []
    n_articles = n_dup = n_skip = 0
    mb = 0.0
    writers.write("report", _report_frame(problems))
    n_skip += sum(p.status == "skipped" for p in problems)

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(jobs), desc="diplokit build", unit="input")

    def consume(res: dict[str, pd.DataFrame], n_inputs: int) -> None:
        nonlocal n_articles, n_dup, n_skip, mb
        arts, sents, report = res["articles"], res["sentences"], res["report"]
        drop, reasons = _cross_chunk_duplicates(arts, sents, seen_ids, seen_body, seen_sent, sent_counts, near_duplicate_threshold, res.get("_dedup_keys"))
        if drop:
            mask = report["article_id"].isin(drop.keys()) & report["status"].eq("loaded")
            report.loc[mask, "status"] = "duplicate"
            report.loc[mask, "duplicate_of"] = report.loc[mask, "article_id"].map(lambda a: drop[a])
            report.loc[mask, "reason"] = report.loc[mask, "article_id"].map(reasons)
        keep_ids = _kept(arts, drop)
        arts = arts[keep_ids]
        n_articles += len(arts)
        n_dup += int(report["status"].eq("duplicate").sum())
        n_skip += int(report["status"].eq("skipped").sum())
        mb += float(arts["text"].str.len().sum()) / 1e6
        writers.write("articles", arts)
        writers.write("report", report)
        writers.write("sentences", sents[_kept(sents, drop)])
        writers.write("removed", res["removed"])
        for name in ("mentions", "sectors", "events", "dyads"):
            df = res[name]
            writers.write(name, df[_kept(df, drop)])
        res.pop("_dedup_keys", None)
        occ = res["occurrences"]
        occurrences.append(occ[_kept(occ, drop)])
        if bar is not None:
            bar.update(n_inputs)

    tasks = _tasks(jobs, batch_size, max_bytes)
    if workers == 1:
        _init_worker(*init)
        for task in tasks:
            consume(_process(task), _task_inputs(task))
    else:
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=init) as pool:
            inflight: list[tuple[Future, int]] = []
            for task in tasks:
                inflight.append((pool.submit(_process, task), _task_inputs(task)))
                while len(inflight) > 2 * workers:  # bounded: memory stays flat
                    fut, n = inflight.pop(0)
                    consume(fut.result(), n)
            for fut, n in inflight:
                consume(fut.result(), n)
    if bar is not None:
        bar.close()
    occ = pd.concat(occurrences, ignore_index=True) if occurrences else pd.DataFrame(columns=OCCURRENCE_COLUMNS)
    writers.write("candidates", summarise_candidates(occ))
    writers.close()
    # Empty inputs still leave readable (empty) tables behind.
    for name in (*CORPUS_TABLES, *ANN_TABLES):
        if not (out / f"{name}.parquet").exists():
            raise RuntimeError(f"build produced no {name} table")
    manifest = {
        "format": FORMAT,
        "version": 1,
        "tables": sorted(set(CORPUS_TABLES) | set(ANN_TABLES)),
        "lexicon_fingerprint": fingerprint,
        "built_from": [str(s) for s in ([source] if isinstance(source, (str, Path)) else source)],
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return BuildSummary(out, len(jobs) + len(problems), n_articles, n_skip, n_dup, time.perf_counter() - t0, mb)


def _kept(df: pd.DataFrame, drop: dict[str, str]) -> np.ndarray:
    """Rows whose article is not dropped (an Arrow set lookup, not a Python one per row)."""
    if not drop or df.empty:
        return np.ones(len(df), dtype=bool)
    ids = pa.array(df["article_id"].to_numpy(dtype=object), pa.large_string())
    return ~np.asarray(pc.is_in(ids, value_set=pa.array(list(drop), pa.large_string())).to_numpy(zero_copy_only=False), dtype=bool)


def _task_inputs(task: tuple) -> int:
    return len(task[1]) if task[0] == "files" else 0


def _report_frame(problems: list[rd.Problem]) -> pd.DataFrame:
    from .loader import REPORT_COLUMNS, _typed

    rows = [{"origin": p.origin, "path": p.path, "status": p.status, "reason": p.reason, "article_id": None, "duplicate_of": None} for p in problems]
    return _typed(pd.DataFrame(rows, columns=REPORT_COLUMNS).astype(object))


_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1)
def _arrow_safe_pattern() -> str:
    """RE2 class of the characters for which Arrow's lower case + ``[^\\pL\\pN]`` gives
    exactly Python's ``casefold()`` + ``[\\W_]`` (checked here, character by character)."""
    chars = [chr(c) for c in range(0x250)]
    low = pc.utf8_lower(pa.array(chars)).to_pylist()
    keep = np.asarray(pc.match_substring_regex(pa.array(low), r"^[\pL\pN]$").to_numpy(zero_copy_only=False), dtype=bool)
    ok = [c for c, lo, k in zip(chars, low, keep) if c.casefold() == lo and (not _NON_WORD.fullmatch(lo)) == bool(k)]
    return _class_pattern(ok)


@lru_cache(maxsize=1)
def _arrow_body_safe_pattern() -> str:
    """RE2 class of the characters for which Arrow's lower case + ``[\\s\\pZ]`` runs to one
    space + trim gives exactly Python's ``" ".join(casefold().split())`` (checked here)."""
    chars = [chr(c) for c in range(0x250)]
    low = pc.utf8_lower(pa.array(chars)).to_pylist()
    space = np.asarray(pc.match_substring_regex(pa.array(chars), r"^[\s\pZ]$").to_numpy(zero_copy_only=False), dtype=bool)
    trims = np.asarray(pc.equal(pc.utf8_trim_whitespace(pa.array(chars)), "").to_numpy(zero_copy_only=False), dtype=bool)
    ok = [c for c, lo, s, t in zip(chars, low, space, trims) if c.casefold() == lo and c.isspace() == bool(s) == bool(t)]
    return _class_pattern(ok)


def _class_pattern(ok: list[str]) -> str:
    """``^[...]*$`` over the given characters, as compact RE2 ranges."""
    ranges, start = [], None
    cps = sorted(map(ord, ok))
    for i, cp in enumerate(cps):  # compact ranges: [a-z...]
        if start is None:
            start = cp
        if i + 1 == len(cps) or cps[i + 1] != cp + 1:
            ranges.append(f"\\x{{{start:x}}}-\\x{{{cp:x}}}" if cp > start else f"\\x{{{cp:x}}}")
            start = None
    return "^[" + "".join(ranges) + "]*$"


def _sentence_keys(texts: list[str], arrow_norm: np.ndarray | None = None) -> np.ndarray:
    """``casefold()``, runs of non-word characters to one space, ``strip()``: Arrow does
    the rows made only of characters where it provably agrees with Python, Python the rest.
    ``arrow_norm``: the Arrow part already computed (lower case, runs of ``[^\\pL\\pN]`` to
    one space, trimmed), as near-duplicate detection does."""
    if not texts:
        return np.zeros(0, dtype=object)
    arr = pa.array(texts, pa.large_string())
    safe = np.asarray(pc.match_substring_regex(arr, _arrow_safe_pattern()).to_numpy(zero_copy_only=False), dtype=bool)
    if arrow_norm is not None and len(arrow_norm) == len(texts):
        out = arrow_norm.copy()
    else:
        norm = pc.utf8_trim(pc.replace_substring_regex(pc.utf8_lower(arr), r"[^\pL\pN]+", " "), " ")
        out = np.asarray(norm.to_numpy(zero_copy_only=False), dtype=object)
    for i in np.flatnonzero(~safe):
        out[i] = _NON_WORD.sub(" ", texts[i].casefold()).strip()
    return out


def _body_keys(texts: list[str], arrow_keys: np.ndarray | None = None) -> np.ndarray:
    """``" ".join(t.casefold().split())`` per text. ``arrow_keys``: Arrow's lower case with
    runs of ``[\\s\\pZ]`` to one space, trimmed (the loader's exact-duplicate key), taken
    for the rows made only of characters where it provably agrees with Python."""
    if arrow_keys is None or len(arrow_keys) != len(texts) or not texts:
        return np.array([" ".join(t.casefold().split()) for t in texts], dtype=object)
    safe = np.asarray(pc.match_substring_regex(pa.array(texts, pa.large_string()), _arrow_body_safe_pattern()).to_numpy(zero_copy_only=False), dtype=bool)
    out = arrow_keys.copy()
    for i in np.flatnonzero(~safe):
        out[i] = " ".join(texts[i].casefold().split())
    return out


def _dedup_keys(arts: pd.DataFrame, sents: pd.DataFrame, sentence_norms: np.ndarray | None = None, body_keys: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What cross-chunk deduplication compares: a hash of each article's case-folded words,
    and of each sentence's normalised text with whether it is long enough to count."""
    bodies = pd.util.hash_array(_body_keys(arts["text"].tolist(), body_keys))
    norm = _sentence_keys(sents["text"].tolist(), sentence_norms)
    long_ = np.fromiter((len(t) for t in norm), dtype=np.int64, count=len(norm)) >= MIN_SENTENCE_CHARS
    sh = pd.util.hash_array(norm) if len(norm) else np.zeros(0, dtype=np.uint64)
    return bodies, sh, long_


def _cross_chunk_duplicates(arts, sents, seen_ids, seen_body, seen_sent, sent_counts, threshold, keys=None) -> tuple[dict[str, str], dict[str, str]]:
    """Duplicates of articles kept in earlier chunks (within a chunk, build_corpus did it)."""
    drop: dict[str, str] = {}
    reasons: dict[str, str] = {}
    ids = arts["article_id"].tolist()
    bodies, sh, long_ = keys if keys is not None else _dedup_keys(arts, sents)
    by_article: dict[str, list[int]] = {}
    sent_art = sents["article_id"].to_numpy(dtype=object)[long_]
    for a, h in zip(sent_art.tolist(), sh[long_].tolist()):
        by_article.setdefault(a, []).append(h)
    for a, b in zip(ids, bodies.tolist()):
        if a in seen_ids or b in seen_body:
            kept = a if a in seen_ids else seen_body[b]
            drop[a], reasons[a] = kept, f"exact duplicate of {kept} (earlier chunk)"
            continue
        hs = set(by_article.get(a, []))
        if hs:
            hits: dict[str, int] = {}
            for h in hs:
                k = seen_sent.get(h)
                if k is not None:
                    hits[k] = hits.get(k, 0) + 1
            if hits:
                k, n = min(hits.items(), key=lambda kv: (-kv[1], kv[0]))
                share = n / min(len(hs), sent_counts.get(k, len(hs)))
                if share >= threshold:
                    drop[a], reasons[a] = k, f"near-duplicate of {k} (earlier chunk): {share:.0%} of its sentences shared"
                    continue
        seen_ids.add(a)
        seen_body[b] = a
        sent_counts[a] = len(hs)
        for h in hs:
            seen_sent.setdefault(h, a)
    return drop, reasons
