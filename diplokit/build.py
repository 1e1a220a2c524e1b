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
import shutil
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
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
from .runs import run_lengths, run_max, run_starts
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


def retain_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed memory for reuse instead of handing it back to
    the system at once. A chunk allocates and frees the same large arrays over and over;
    by default each one over 32 MB is a fresh mmap whose pages fault in again (a tenth
    of a build's CPU time, all in the kernel). Called in processes diplokit owns (the
    build's workers, the command line), not in a user's notebook kernel. Returns whether
    it applied (not on other C libraries)."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
    # 32 MB: as far as glibc's own sliding threshold goes on 64-bit (bigger blocks still
    # get mmap, so one huge array does not stay held in the heap).
    return bool(mallopt(m_mmap_threshold, 32 << 20) and mallopt(m_trim_threshold, 1 << 30) and mallopt(m_top_pad, 64 << 20))


def _init_worker(boilerplate: tuple[str, ...], lexicon_dirs: tuple[str, ...], max_bytes: int, own_process: bool = False) -> None:
    if own_process:
        retain_freed_memory()
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
        rel, names, first, ipc, meta, _ = payload
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
    fps: dict = {}
    corpus = build_corpus(records, problems, _STATE["rules"], fingerprints_out=fps)
    res = annotate_batch(corpus.articles[["article_id", "text", "lang"]], corpus.sentences, _STATE["compiled"], fps.get("batch_text"))
    out = {t: getattr(corpus, t) for t in CORPUS_TABLES}
    out.update(res)
    fps.pop("batch_text", None)
    out["_dedup_keys"] = _dedup_keys(corpus, fps)
    out["_text_chars"] = corpus.articles["text"].str.len().to_numpy(dtype=np.int64)
    status = corpus.report["status"]
    out["_report_counts"] = (int(status.eq("duplicate").sum()), int(status.eq("skipped").sum()))
    # The big tables travel back to the parent already encoded as Parquet (a few MB
    # instead of tens through the pipe; the encoding runs here, in parallel).
    for name in (*PART_TABLES, "report"):
        out[name] = _encode(_to_arrow(out[name]))
    return out


# ---- parent side ------------------------------------------------------------------------
def _balanced(n: int, batch_size: int, workers: int) -> int:
    """A chunk size near ``batch_size`` that cuts ``n`` items into a multiple of ``workers``
    chunks, so no worker is left alone with the last one."""
    if n <= 0 or workers <= 1:
        return batch_size
    chunks = -(-n // batch_size)
    chunks = -(-chunks // workers) * workers
    return max(1, -(-n // chunks))


def _tasks(jobs: list, batch_size: int, max_bytes: int, workers: int = 1) -> Iterator[tuple]:
    files = [j for j in jobs if j[0].suffix.lower() not in TABLE_KINDS]
    tables = [j for j in jobs if j[0].suffix.lower() in TABLE_KINDS]
    file_batch = _balanced(len(files), batch_size, workers)
    for i in range(0, len(files), file_batch):
        yield ("files", files[i : i + file_batch])
    for job in tables:  # big table files are read here and shipped in record batches
        if job[0].suffix.lower() == ".parquet" and not job[0].name.startswith(".") and job[0].is_file():
            yield from _parquet_tasks(job, batch_size, workers)
            continue
        batch: list = []
        for it in read_job(job, max_bytes):
            batch.append(it)
            if len(batch) >= batch_size:
                yield ("records", batch)
                batch = []
        if batch:
            yield ("records", batch)


def _parquet_tasks(job, batch_size: int, workers: int = 1) -> Iterator[tuple]:
    """Slices of ``batch_size`` rows of a Parquet file, as Arrow IPC streams: the parent
    only decodes columns; workers turn rows into records (as ``read_parquet`` would)."""
    f, rel, meta = job
    opened = rd.open_parquet(f, rel)
    if isinstance(opened, rd.Problem):
        yield ("records", [opened])
        return
    pf, names, wanted = opened
    batch_size = _balanced(pf.metadata.num_rows, batch_size, workers)
    pending: list[pa.RecordBatch] = []
    n_pending = 0
    first = 1

    def ship(table: pa.Table) -> tuple:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as w:
            w.write_table(table)
        return ("parquet", (rel, names, first, sink.getvalue(), meta, table.num_rows))

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


def _to_arrow(df: pd.DataFrame) -> pa.Table:
    # A chunk where a text column is all missing (no duplicates yet) would otherwise
    # fix that column's type as double for the whole file.
    text_cols = [c for c in df.columns if df[c].dtype == object or (df[c].isna().all() and df[c].dtype == float and c in _TEXT_COLUMNS)]
    if text_cols:
        df = df.astype({c: "str" for c in text_cols})
    return pa.Table.from_pandas(df, preserve_index=False)


PART_TABLES = ("articles", "sentences", "removed", "mentions", "sectors", "events", "dyads")


def _encode(table: pa.Table) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", compression_level=1, write_statistics=False)
    return sink.getvalue()


def _decode(buf: pa.Buffer) -> pa.Table:
    return pq.read_table(pa.BufferReader(buf))


class _Parts:
    """Each table is a folder of Parquet files, one per chunk in chunk order
    (``mentions.parquet/part-000000.parquet`` ...): what pandas, pyarrow and Dask read as
    one table (``pd.read_parquet("build/mentions.parquet")``). Every part gets the schema
    of the table's first part."""

    def __init__(self, out: Path):
        self.out = out
        self.schemas: dict[str, pa.Schema] = {}
        self.count: dict[str, int] = {}

    def write(self, name: str, data: pd.DataFrame | pa.Table | pa.Buffer, drop: dict[str, str] | None = None) -> None:
        """Append a part: a DataFrame, an Arrow table, or a Parquet file's bytes; rows of
        the articles in ``drop`` are left out."""
        if isinstance(data, pd.DataFrame):
            data = _to_arrow(data)
        if isinstance(data, pa.Buffer):
            schema = pq.read_schema(pa.BufferReader(data))
            first = self.schemas.setdefault(name, schema)
            if drop or not schema.equals(first, check_metadata=False):
                data = _decode(data)  # rare: rows to drop, or a type to align
        if isinstance(data, pa.Table):
            if drop:
                data = data.filter(pa.array(_kept(data.column("article_id"), drop)))
            first = self.schemas.setdefault(name, data.schema)
            if not data.schema.equals(first, check_metadata=False):
                data = data.cast(first)
            data = _encode(data)
        k = self.count.get(name, 0)
        folder = self.out / f"{name}.parquet"
        folder.mkdir(exist_ok=True)
        with open(folder / f"part-{k:06d}.parquet", "wb") as f:
            f.write(memoryview(data))
        self.count[name] = k + 1


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
    for old in out.glob("*.parquet"):  # an earlier build: files, or folders of parts
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    max_bytes = int(max_file_mb * 1_000_000)
    workers = workers or max(1, min(os.cpu_count() or 1, 8))
    jobs, problems = collect_jobs(source)
    lexicon = Lexicon.load(*lexicon_dirs) if lexicon_dirs else None
    fingerprint = compile_lexicon(lexicon).fingerprint  # compiled once here; forked workers inherit it
    init = (tuple(map(str, boilerplate)), tuple(map(str, lexicon_dirs)), max_bytes)

    writers = _Parts(out)
    seen = _SeenStories()
    occurrences: list[pd.DataFrame] = []
    n_articles = n_dup = n_skip = 0
    mb = 0.0
    writers.write("report", _report_frame(problems))
    n_skip += sum(p.status == "skipped" for p in problems)

    bar = None
    if progress:
        from tqdm.auto import tqdm

        # Counted in stories (a file, or a row of a table file); rows of JSONL/CSV files
        # are only known once read, so the total grows as they come.
        bar = tqdm(total=_known_inputs(jobs), desc="diplokit build", unit="story")

    def consume(res: dict[str, pd.DataFrame], n_inputs: int) -> None:
        nonlocal n_articles, n_dup, n_skip, mb
        report = res["report"]  # Parquet bytes, opened only to mark duplicates found here
        drop, reasons = seen.duplicates(res["_dedup_keys"], near_duplicate_threshold)
        if drop:
            report = _decode(report).to_pandas()
            mask = report["article_id"].isin(drop.keys()) & report["status"].eq("loaded")
            report.loc[mask, "status"] = "duplicate"
            report.loc[mask, "duplicate_of"] = report.loc[mask, "article_id"].map(lambda a: drop[a])
            report.loc[mask, "reason"] = report.loc[mask, "article_id"].map(reasons)
        keep_ids = _kept(res["_dedup_keys"].ids, drop)
        n_articles += int(keep_ids.sum())
        n_dup += res["_report_counts"][0] + len(drop)
        n_skip += res["_report_counts"][1]
        mb += float(res["_text_chars"][keep_ids].sum()) / 1e6
        writers.write("report", report)
        for name in PART_TABLES:
            # Rows of dropped duplicates (only known here) are filtered out of the part.
            writers.write(name, res[name], drop if name != "removed" else None)
        res.pop("_dedup_keys", None)
        occ = res["occurrences"]
        occurrences.append(occ[_kept(occ["article_id"].to_numpy(dtype=object), drop)])
        if bar is not None:
            bar.total = max(bar.total, bar.n + n_inputs)
            bar.update(n_inputs)

    tasks = _tasks(jobs, batch_size, max_bytes, workers)
    if workers == 1:
        _init_worker(*init)
        for task in tasks:
            consume(_process(task), _task_inputs(task))
    else:
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(*init, True)) as pool:
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
    # Empty inputs still leave readable (empty) tables behind.
    for name in (*CORPUS_TABLES, *ANN_TABLES):
        if not writers.count.get(name):
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


def _kept(ids, drop: dict[str, str]) -> np.ndarray:
    """Rows whose article (``ids``: an array of article ids) is not dropped (an Arrow set
    lookup, not a Python one per row)."""
    if not drop or len(ids) == 0:
        return np.ones(len(ids), dtype=bool)
    if isinstance(ids, (pa.Array, pa.ChunkedArray)):
        ids = ids.cast(pa.large_string())
    else:
        ids = pa.array(np.asarray(ids, dtype=object), pa.large_string())
    return ~np.asarray(pc.is_in(ids, value_set=pa.array(list(drop), pa.large_string())).to_numpy(zero_copy_only=False), dtype=bool)


def _task_inputs(task: tuple) -> int:
    """Stories (or inputs that turn out not to be one) a task covers."""
    return task[1][-1] if task[0] == "parquet" else len(task[1])


def _known_inputs(jobs: list, max_footers: int = 256) -> int:
    """Files, plus the rows of Parquet files (from their footers, for the first
    ``max_footers`` of them: reading thousands of footers would hold up the start); the
    rest, and JSONL/CSV rows, are counted as they are read."""
    n = 0
    footers = 0
    for job in jobs:
        suffix = job[0].suffix.lower()
        if suffix not in TABLE_KINDS:
            n += 1
        elif suffix == ".parquet" and footers < max_footers:
            footers += 1
            readable = job[0].is_file() and not job[0].name.startswith(".")
            opened = rd.open_parquet(job[0], job[1]) if readable else None
            n += opened[0].metadata.num_rows if isinstance(opened, tuple) else 1
    return n


def _report_frame(problems: list[rd.Problem]) -> pd.DataFrame:
    from .loader import REPORT_COLUMNS, _typed

    rows = [{"origin": p.origin, "path": p.path, "status": p.status, "reason": p.reason, "article_id": None, "duplicate_of": None} for p in problems]
    return _typed(pd.DataFrame(rows, columns=REPORT_COLUMNS).astype(object))


def _dedup_keys(corpus, fps: dict) -> "_ChunkKeys":
    """What cross-chunk deduplication compares, from the fingerprints the loader computed:
    each article's body, and its distinct long sentences (worked out here, in the worker)."""
    long_ = fps["sentence_lengths"] >= MIN_SENTENCE_CHARS
    art, fp = fps["sentence_articles"][long_].astype(np.int64), fps["sentences"][long_]
    order = np.lexsort((fp, art))
    art, fp = art[order], fp[order]
    new = np.r_[True, (art[1:] != art[:-1]) | (fp[1:] != fp[:-1])] if len(art) else np.zeros(0, dtype=bool)
    ids = corpus.articles["article_id"].to_numpy(dtype=object)
    return _ChunkKeys(ids, fps["bodies"], art[new], fp[new], np.bincount(art[new], minlength=len(ids)))


@dataclass
class _ChunkKeys:
    ids: np.ndarray  # article ids, in table order
    bodies: np.ndarray  # body fingerprint of each article (0: no words)
    pair_article: np.ndarray  # (row of the article, fingerprint of one of its distinct long sentences)
    pair_sentence: np.ndarray
    n_sentences: np.ndarray  # distinct long sentences of each article


class _Runs:
    """Fingerprints with the first owner (an integer, growing from chunk to chunk) of each,
    as a few sorted arrays searched with numpy. A new chunk's run is merged into the one
    before it while that one is not more than twice its size, so there are only
    O(log chunks) runs to search however many chunks came before."""

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Owner of each key (the smallest, if several runs have it), else -1."""
        out = np.full(len(keys), -1, dtype=np.int64)
        for sk, owner in self.runs:
            if not len(sk):
                continue
            i = np.minimum(np.searchsorted(sk, keys), len(sk) - 1)
            hit = (sk[i] == keys) & ((out < 0) | (owner[i] < out))
            out[hit] = owner[i[hit]]
        return out

    def add(self, keys: np.ndarray, owner: np.ndarray) -> None:
        self.runs.append(self._run(keys, owner))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (k1, o1), (k2, o2) = self.runs.pop(-2), self.runs.pop()
            self.runs.append(self._run(np.concatenate([k1, k2]), np.concatenate([o1, o2])))

    @staticmethod
    def _run(keys: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sorted keys, each with its smallest owner."""
        order = np.lexsort((owner, keys))
        keys, owner = keys[order], owner[order]
        first = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, dtype=bool)
        return keys[first], owner[first]


class _SeenStories:
    """What earlier chunks kept, for deduplication across chunks: ids, body fingerprints,
    and sentence fingerprints with the first article that had each (``_Runs``), so a chunk
    costs a few binary searches however many came before."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.owner_names: list[str] = []  # article id of each owner index
        # Distinct long sentences of each owner: the first ``len(owner_names)`` entries of a
        # buffer that doubles when full (appending chunk after chunk stays linear).
        self.sent_counts = np.zeros(16, dtype=np.int64)
        self.bodies = _Runs()
        self.sents = _Runs()

    def duplicates(self, keys: _ChunkKeys, threshold: float) -> tuple[dict[str, str], dict[str, str]]:
        """Articles of this chunk that duplicate an earlier chunk's; then remembers the rest."""
        drop: dict[str, str] = {}
        reasons: dict[str, str] = {}
        ids = keys.ids
        n = len(ids)
        same_id = np.fromiter((a in self.ids for a in ids.tolist()), dtype=bool, count=n)
        body_owner = self.bodies.lookup(keys.bodies)
        body_owner[keys.bodies == 0] = -1
        # Near duplicates: distinct long sentences per article, looked up among earlier ones.
        pa_, ph, n_sent = keys.pair_article, keys.pair_sentence, keys.n_sentences
        pk = self.sents.lookup(ph)
        near_owner = np.full(n, -1, dtype=np.int64)
        near_share = np.zeros(n)
        hit = pk >= 0
        if hit.any():
            # Shared sentences per (article, earlier owner); the owner sharing most wins,
            # ties to the smallest article id.
            a_, k_ = pa_[hit], pk[hit]
            order = np.lexsort((k_, a_))
            a_, k_ = a_[order], k_[order]
            starts = run_starts(a_, k_)
            a_, k_, cnt = a_[starts], k_[starts], run_lengths(starts, len(order))
            cand = cnt == run_max(cnt, run_starts(a_))
            a_, k_, cnt = a_[cand], k_[cand], cnt[cand]
            first = run_starts(a_)
            if len(first) < len(a_):  # rare: pick the smallest article id among the tied owners
                pick = {}
                for j in range(len(a_)):
                    a, name = int(a_[j]), self.owner_names[k_[j]]
                    if a not in pick or name < self.owner_names[k_[pick[a]]]:
                        pick[a] = j
                sel = np.array(sorted(pick.values()), dtype=np.int64)
            else:
                sel = first
            a_, k_, cnt = a_[sel], k_[sel], cnt[sel]
            share = cnt / np.minimum(n_sent[a_], self.sent_counts[k_])
            ok = share >= threshold
            near_owner[a_[ok]], near_share[a_[ok]] = k_[ok], share[ok]
        for i in np.flatnonzero(same_id | (body_owner >= 0) | (near_owner >= 0)).tolist():
            a = ids[i]
            if same_id[i] or body_owner[i] >= 0:
                kept = a if same_id[i] else self.owner_names[body_owner[i]]
                drop[a], reasons[a] = kept, f"exact duplicate of {kept} (earlier chunk)"
            else:
                kept = self.owner_names[near_owner[i]]
                drop[a], reasons[a] = kept, f"near-duplicate of {kept} (earlier chunk): {near_share[i]:.0%} of its sentences shared"
        # Remember the kept articles: the first owner of a fingerprint stays its owner.
        kept_mask = np.ones(n, dtype=bool)
        if drop:
            kept_mask[[i for i, a in enumerate(ids.tolist()) if a in drop]] = False
        first_owner = len(self.owner_names)
        owner_of = np.full(n, -1, dtype=np.int64)
        owner_of[kept_mask] = first_owner + np.arange(int(kept_mask.sum()))
        kept_ids = ids[kept_mask].tolist()
        self.ids.update(kept_ids)
        self.owner_names += kept_ids
        need = len(self.owner_names)  # (kept ids already appended)
        if need > len(self.sent_counts):
            grown = np.zeros(max(need, 2 * len(self.sent_counts)), dtype=np.int64)
            grown[:first_owner] = self.sent_counts[:first_owner]
            self.sent_counts = grown
        self.sent_counts[first_owner:need] = n_sent[kept_mask]
        has_body = kept_mask & (keys.bodies != 0)
        self.bodies.add(keys.bodies[has_body], owner_of[has_body])
        # (sentences earlier chunks already hold keep their owner: only new ones are added)
        new = kept_mask[pa_] & ~hit
        self.sents.add(ph[new], owner_of[pa_[new]])
        return drop, reasons
