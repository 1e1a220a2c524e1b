"""Measure diplokit's throughput and memory on a deterministic synthetic corpus.

    python scripts/benchmark.py [--sizes 10000 100000] [--spacy-size 10000] [--no-dask] [--no-explorers]

The corpus is made from the bundled stories' sentences (numpy default_rng(0)): each
synthetic story gets a title, 6-14 sentences of one language drawn independently (so the
stories are distinct, not duplicates), in 3-5 paragraphs, and scraper debris
(breadcrumb, view counter, share prompt, related links) so cleaning has work to do. It is
written once as Parquet, then for each size:

  1. build path:  `diplokit build` machinery with 2 worker processes, streaming to Parquet
                  (and, at the largest size, the `diplokit build` command in a new process);
  2. pandas path: load_corpus(parquet) + annotate() in this process, one core;
  3. dask path:   annotate_dask on a LocalCluster (2 workers) over the clean articles;
  4. spaCy:       blank("en") + PhraseMatcher(attr="LOWER") over the same lexicon terms,
                  on the same stories (the first --spacy-size of them), for the ratio;
  5. explorers:   at the largest size, the build reopened with load_corpus(build), the
                  ArticleIndex, each explorer built, and the time of filter changes.

Memory is the peak PSS of this process and its workers (shared pages are not counted
once per forked worker, as RSS would), sampled every 0.25 s. Reading PSS makes the kernel
walk every page of every process, which is not free: the build's time is therefore
measured in a run without the sampler, and its peak memory in a second, sampled run.

Every figure printed is measured in this run. Nothing is timed inside unit tests.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import diplokit  # noqa: E402
from diplokit.annotate import annotate, compile_lexicon  # noqa: E402
from diplokit.build import build  # noqa: E402

DEBRIS = [
    "Home » News » Diplomacy",
    "Visited {n} times, {k} visit(s) today",
    "Share this:",
    "Facebook",
    "WhatsApp",
]


def _pss(pid: int) -> int:
    """Proportional set size: pages shared between forked workers and their parent are
    split among them instead of counted once per process (as plain RSS would)."""
    try:
        for line in open(f"/proc/{pid}/smaps_rollup"):
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class PeakRSS:
    """Samples the memory (PSS) of this process and all its children every ``interval`` s."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()

    def _rss(self) -> int:
        total = 0
        pids = [os.getpid()]
        try:
            pids += [int(p) for p in open(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read().split()]
        except OSError:
            pass
        for pid in list(pids):
            try:
                kids = open(f"/proc/{pid}/task/{pid}/children").read().split()
                pids += [int(k) for k in kids if int(k) not in pids]
            except OSError:
                pass
        for pid in pids:
            total += _pss(pid)
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakRSS":
        self.peak = self._rss()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()


def synthetic_corpus(n: int, seed: int = 0) -> pd.DataFrame:
    """N synthetic stories built from the bundled corpus's sentences (6-14 sentences each,
    drawn independently with a seeded generator, so stories are distinct)."""
    base = diplokit.load_corpus(progress=False)
    sents = base.sentences.merge(base.articles[["article_id", "lang", "source"]], on="article_id")
    pool = sents["text"].to_numpy()
    langs = sents["lang"].to_numpy()
    rng = np.random.default_rng(seed)
    n_sent = rng.integers(6, 15, size=n)
    starts = rng.integers(0, len(pool), size=n)
    titles = rng.integers(0, len(pool), size=n)
    days = rng.integers(0, 365 * 7, size=n)
    debris = rng.random(size=(n, 3))
    texts = []
    # Independent draws within one language: stories are distinct (not duplicates of
    # each other, which the loader would drop), as in a real feed.
    by_lang = {l: np.flatnonzero(langs == l) for l in sorted(set(langs))}
    story_lang = langs[starts % len(pool)]
    picks = rng.random(size=(n, 14))
    for i in range(n):
        cand = by_lang[story_lang[i]]
        body = list(pool[cand[(picks[i, : n_sent[i]] * len(cand)).astype(np.int64)]])
        paras = [" ".join(body[j : j + 3]) for j in range(0, len(body), 3)]
        head = [DEBRIS[0]] if debris[i, 0] < 0.3 else []
        title = " ".join(pool[titles[i]].split()[:9]).rstrip(".,;:")
        tail = []
        if debris[i, 1] < 0.3:
            tail.append(DEBRIS[1].format(n=int(debris[i, 2] * 5000), k=1 + i % 5))
        if debris[i, 2] < 0.2:
            tail += DEBRIS[2:]
        texts.append("\n\n".join(head + [title] + paras + tail) + "\n")
    dates = pd.Timestamp("2019-01-01") + pd.to_timedelta(days, unit="D")
    return pd.DataFrame(
        {
            "text": texts,
            "date": dates.strftime("%Y-%m-%d"),
            "source": [f"Synthetic Wire {k}" for k in rng.integers(1, 9, size=n)],
            "lang": story_lang,
        }
    )


def run_pandas(parquet: Path) -> tuple[float, int, float, int]:
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        corpus = diplokit.load_corpus(parquet, progress=False)
        t1 = time.perf_counter()
        ann = annotate(corpus)
        dt = time.perf_counter() - t0
    mb = corpus.articles["text"].str.len().sum() / 1e6
    return dt, len(corpus.articles), mb, mem.peak, len(ann.mentions), dt - (t1 - t0)


def run_build(parquet: Path, out: Path, workers: int) -> tuple[float, int, float, int]:
    """Wall time from a run without the memory sampler; peak memory from a second run."""
    t0 = time.perf_counter()
    s = build(parquet, out, workers=workers, progress=False)
    dt = time.perf_counter() - t0
    with PeakRSS() as mem:
        s2 = build(parquet, out, workers=workers, progress=False)
    assert (s2.articles, s2.duplicates) == (s.articles, s.duplicates)
    return dt, s.articles, s.mb, mem.peak


def run_cli(parquet: Path, out: Path) -> float:
    """Wall time of ``diplokit build`` as a user runs it: a new Python process, imports and
    lexicon compilation included."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "diplokit.cli", "build", str(parquet), "-o", str(out), "-q"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def run_dask(articles_parquet: Path, workers: int) -> tuple[float, int, int]:
    import dask
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    from diplokit.scale import annotate_dask

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster):
        with PeakRSS() as mem:
            t0 = time.perf_counter()
            arts = dd.read_parquet(str(articles_parquet), columns=["article_id", "text"]).repartition(npartitions=max(2 * workers, 8))
            tables = annotate_dask(arts)
            m, s, e, d = dask.compute(tables["mentions"], tables["sectors"], tables["events"], tables["dyads"])
            dt = time.perf_counter() - t0
    return dt, len(m), mem.peak


def run_explorers(build_dir: Path, changes: int = 12) -> dict[str, float]:
    """Reopen a build and time what an analyst waits for: reopening, the index, building
    each explorer, and filter changes (median and max ms)."""
    from diplokit.explorers import CooccurrenceExplorer, SectorExplorer, ThemeExplorer
    from diplokit.filters import ArticleIndex

    out: dict[str, float] = {}
    t0 = time.perf_counter()
    corpus = diplokit.load_corpus(build_dir, progress=False)
    ann = annotate(corpus)  # the build's stored tables: same lexicon, nothing recomputed
    out["reopen_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    index = ArticleIndex.build(corpus, ann, warm=True)
    out["index_s"] = time.perf_counter() - t0
    langs = sorted(corpus.articles["lang"].unique())
    sources = sorted(corpus.articles["source"].unique())
    years = [str(y) for y in range(2019, 2026)]
    changes_kw = [
        dict(langs=[langs[i % len(langs)]], date_from=years[i % len(years)], sources=sources[: 1 + i % len(sources)])
        for i in range(changes)
    ]
    for name, cls in (("sector", SectorExplorer), ("cooccurrence", CooccurrenceExplorer), ("theme", ThemeExplorer)):
        t0 = time.perf_counter()
        ex = cls(corpus, ann, index=index)
        out[f"{name}_build_s"] = time.perf_counter() - t0
        ms = []
        for kw in changes_kw:
            t0 = time.perf_counter()
            ex.set_filters(**kw)
            ms.append((time.perf_counter() - t0) * 1000)
        out[f"{name}_median_ms"] = float(np.median(ms))
        out[f"{name}_max_ms"] = float(np.max(ms))
    return out


def run_spacy(texts: list[str]) -> float | None:
    try:
        import spacy
        from spacy.matcher import PhraseMatcher
    except ImportError:
        return None
    terms = compile_lexicon().matcher.terms
    nlp = spacy.blank("en")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    patterns = [nlp.make_doc(t) for t in sorted(set(terms["term"]))]
    for i in range(0, len(patterns), 1000):
        matcher.add(f"T{i}", patterns[i : i + 1000])
    t0 = time.perf_counter()
    n = 0
    for doc in nlp.pipe(texts, batch_size=256):
        n += len(matcher(doc))
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--spacy-size", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--no-explorers", action="store_true")
    ap.add_argument("--cli-runs", type=int, default=3, help="times to run the `diplokit build` command at the largest size (0: skip)")
    args = ap.parse_args()
    compile_lexicon()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; pandas {pd.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in args.sizes:
            df = synthetic_corpus(n)
            parquet = tmp / f"synthetic_{n}.parquet"
            df.to_parquet(parquet, index=False)
            raw_mb = df["text"].str.len().sum() / 1e6
            del df
            print(f"\n== {n:,} synthetic stories ({raw_mb:.1f} MB of raw text)")
            # The build first, from a lean parent process (its workers are forked).
            out = tmp / f"build_{n}"
            dt_b, arts_b, mb_b, peak_b = run_build(parquet, out, args.workers)
            print(f"build ({args.workers} workers):        {dt_b:7.2f} s  {arts_b / dt_b:9,.0f} articles/s  {mb_b / dt_b:6.2f} MB/s  peak {peak_b / 2**30:.2f} GB")
            if n == max(args.sizes) and args.cli_runs:
                # Several runs: on a shared (virtual) machine one run can be seconds off.
                runs = [run_cli(parquet, tmp / f"cli_{n}") for _ in range(args.cli_runs)]
                shown = ", ".join(f"{r:.2f}" for r in runs)
                print(f"`diplokit build` command: median {statistics.median(runs):7.2f} s wall over {len(runs)} runs ({shown}); "
                      "new process, start-up and lexicon compilation included")
            dt, arts, mb, peak, n_mentions, dt_ann = run_pandas(parquet)
            print(f"pandas path (1 process):  {dt:7.2f} s  {arts / dt:9,.0f} articles/s  {mb / dt:6.2f} MB/s  peak {peak / 2**30:.2f} GB  ({n_mentions:,} mentions)")
            print(f"  of which annotate():    {dt_ann:7.2f} s  {arts / dt_ann:9,.0f} articles/s")
            if not args.no_explorers and n == max(args.sizes):
                ex = run_explorers(out)
                print(f"explorers on the build: reopen {ex['reopen_s']:.2f} s, index {ex['index_s']:.2f} s")
                for name in ("sector", "cooccurrence", "theme"):
                    print(f"  {name:13s} built in {ex[name + '_build_s']:5.2f} s; filter change median {ex[name + '_median_ms']:6.1f} ms, max {ex[name + '_max_ms']:6.1f} ms")
            if not args.no_dask:
                dt_d, n_m, peak_d = run_dask(out / "articles.parquet", args.workers)
                print(f"dask LocalCluster ({args.workers} w):  {dt_d:7.2f} s  {arts_b / dt_d:9,.0f} articles/s  {mb_b / dt_d:6.2f} MB/s  peak {peak_d / 2**30:.2f} GB (annotation only)")
            if args.spacy_size and n == min(args.sizes):
                texts = pd.read_parquet(out / "articles.parquet")["text"].tolist()[: args.spacy_size]
                sp = run_spacy(texts)
                if sp is None:
                    print("spaCy not installed (pip install 'diplokit[bench]')")
                else:
                    rate_sp = len(texts) / sp
                    rate_dk = arts_b / dt_b
                    rate_dk1 = arts / dt
                    print(f"spaCy blank('en') + PhraseMatcher on {len(texts):,} of the same stories: {sp:.2f} s  {rate_sp:,.0f} articles/s")
                    print(f"ratio diplokit/spaCy: {rate_dk / rate_sp:.2f}x (build, {args.workers} workers, whole pipeline); "
                          f"{rate_dk1 / rate_sp:.2f}x (one process, whole pipeline); {arts / dt_ann / rate_sp:.2f}x (one process, annotate() alone vs matcher alone)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
