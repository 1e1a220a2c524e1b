"""How long a filter change costs on 100,000 articles.

Builds synthetic tables with the schemas of ``corpus.articles``, ``ann.mentions``,
``ann.sectors`` and ``ann.events`` (no loading or annotating), indexes them once with
:class:`diplokit.filters.ArticleIndex`, then times what an explorer does on every
filter change: the mask, co-occurrence edges for the masked articles, and the sector
matrix by month. Prints medians of 20 runs; the target is < 50 ms per filter change.

    .venv/bin/python scripts/bench_filters.py [--articles 100000] [--runs 20]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from diplokit.filters import ArticleIndex, Filters
from diplokit.lexicon import EVENT_IDS, SECTOR_IDS


def zipf_probabilities(n: int, s: float = 1.1) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** s
    return p / p.sum()


def synthetic(n_articles: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Deterministic synthetic tables: dates 2019–2026, 2 languages, 8 sources, 200
    Zipf-distributed entities (~8 mentions per article), ~6 sector cues per article."""
    rng = np.random.default_rng(seed)
    n = n_articles
    ids = np.char.mod("%016x", rng.integers(0, 2**62, n, dtype=np.int64)).astype(object)
    day0, day1 = np.datetime64("2019-01-01"), np.datetime64("2026-12-31")
    days = rng.integers(0, int((day1 - day0).astype(int)) + 1, n)
    dates = (day0 + days.astype("timedelta64[D]")).astype("datetime64[ns]")
    dates[rng.random(n) < 0.02] = np.datetime64("NaT")  # a few undated stories
    n_sent = rng.poisson(18, n) + 1
    articles = pd.DataFrame(
        {
            "article_id": pd.Series(ids, dtype="str"),
            "date": dates,
            "lang": pd.Series(rng.choice(["en", "fr"], n, p=[0.7, 0.3]), dtype="str"),
            "source": pd.Series(np.char.mod("source-%d", rng.integers(0, 8, n)), dtype="str"),
            "n_sentences": n_sent,
        }
    )

    # 200 entities: 60 countries, 80 people, 60 organisations (two thirds with a country).
    iso = np.array([f"C{i:02d}" for i in range(60)], dtype=object)
    ent_id = np.concatenate([iso, [f"person_{i}" for i in range(80)], [f"org_{i}" for i in range(60)]]).astype(object)
    ent_type = np.array(["country"] * 60 + ["person"] * 80 + ["organization"] * 60, dtype=object)
    ent_country = np.concatenate([iso, rng.choice(iso, 80), np.where(rng.random(60) < 2 / 3, rng.choice(iso, 60), None)]).astype(object)
    popularity = rng.permutation(len(ent_id))  # Zipf rank of each entity

    def per_article(mean: float) -> np.ndarray:
        counts = rng.poisson(mean, n)
        return np.repeat(np.arange(n), counts)

    art = per_article(8)
    ent = popularity[rng.choice(len(ent_id), len(art), p=zipf_probabilities(len(ent_id)))]
    sid = (rng.random(len(art)) * n_sent[art]).astype(np.int64)
    start = rng.integers(0, 2000, len(art))
    mentions = pd.DataFrame(
        {
            "article_id": pd.Series(ids[art], dtype="str"),
            "sentence_id": sid,
            "start": start,
            "end": start + 6,
            "surface": pd.Series(ent_id[ent], dtype="str"),
            "entity_id": pd.Series(ent_id[ent], dtype="str"),
            "entity_name": pd.Series(ent_id[ent], dtype="str"),
            "entity_type": pd.Series(ent_type[ent], dtype="str"),
            "country": pd.Series(ent_country[ent], dtype="str"),
            "match": "name",
        }
    )

    art_s = per_article(6)
    sec = rng.choice(len(SECTOR_IDS), len(art_s), p=zipf_probabilities(len(SECTOR_IDS), 0.8))
    start_s = rng.integers(0, 2000, len(art_s))
    sectors = pd.DataFrame(
        {
            "article_id": pd.Series(ids[art_s], dtype="str"),
            "sentence_id": (rng.random(len(art_s)) * n_sent[art_s]).astype(np.int64),
            "sector": pd.Series(np.array(SECTOR_IDS, dtype=object)[sec], dtype="str"),
            "cue": "cue",
            "surface": "cue",
            "start": start_s,
            "end": start_s + 5,
        }
    )

    art_e = per_article(1.5)
    events = pd.DataFrame(
        {
            "article_id": pd.Series(ids[art_e], dtype="str"),
            "sentence_id": (rng.random(len(art_e)) * n_sent[art_e]).astype(np.int64),
            "event_type": pd.Series(rng.choice(np.array(EVENT_IDS, dtype=object), len(art_e)), dtype="str"),
        }
    ).drop_duplicates(["article_id", "sentence_id", "event_type"])

    # Dyads: the two most-mentioned countries of each article with at least two.
    cc = mentions.dropna(subset=["country"]).groupby(["article_id", "country"]).size().rename("k").reset_index()
    cc = cc.sort_values(["article_id", "k", "country"], ascending=[True, False, True], kind="stable").groupby("article_id").head(2)
    pairs = cc.groupby("article_id")["country"].agg(["min", "max", "size"]).reset_index()
    pairs = pairs[pairs["size"] == 2]
    dyads = pd.DataFrame({"article_id": pairs["article_id"], "country_a": pairs["min"], "country_b": pairs["max"]}).astype("str")
    return {"articles": articles, "mentions": mentions, "sectors": sectors, "events": events, "dyads": dyads}


def timed(fn, runs: int) -> tuple[float, object]:
    """Median wall time in ms over ``runs`` calls, and the last result."""
    out = None
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()

    t0 = time.perf_counter()
    t = synthetic(args.articles)
    print(f"synthetic tables: {len(t['articles']):,} articles, {len(t['mentions']):,} mentions, "
          f"{len(t['sectors']):,} sector cues, {len(t['events']):,} events, {len(t['dyads']):,} dyads "
          f"({time.perf_counter() - t0:.1f} s)")

    t0 = time.perf_counter()
    index = ArticleIndex(t["articles"], t["mentions"], t["sectors"], t["events"], t["dyads"]).warm()
    print(f"ArticleIndex build (all matrices): {(time.perf_counter() - t0) * 1000:.0f} ms")

    top_country = t["mentions"]["country"].value_counts().index[0]
    cases = {
        "date range + country + sector": Filters(date_from="2021-01", date_to="2023-12", countries=(top_country,), sectors=("trade",)),
        "date range only (broad)": Filters(date_from="2020", date_to="2025"),
        # About half the articles: the costliest case for the complement trick.
        "about half (2019-2022)": Filters(date_from="2019", date_to="2022-12"),
        "one language (en)": Filters(langs=("en",)),
        "no filter (everything)": Filters(),
    }
    print(f"median of {args.runs} runs, ms:")
    header = f"  {'filter':32} {'n selected':>10} {'mask':>7} {'cooc article':>13} {'cooc sentence':>14} {'sectors×month':>14} {'total*':>8}"
    print(header)
    for label, f in cases.items():
        t_mask, mask = timed(lambda: index.mask(f), args.runs)
        t_art, edges = timed(lambda: index.cooccurrence(mask, level="article"), args.runs)
        t_sen, _ = timed(lambda: index.cooccurrence(mask, level="sentence"), args.runs)
        t_sec, _ = timed(lambda: index.sector_counts(mask, by="month"), args.runs)
        total = t_mask + t_art + t_sec
        print(f"  {label:32} {int(mask.sum()):>10,} {t_mask:>7.2f} {t_art:>13.2f} {t_sen:>14.2f} {t_sec:>14.2f} {total:>8.2f}")
    print("  * total = mask + article co-occurrence + sectors by month (one explorer refresh)")
    f = cases["date range + country + sector"]
    mask = index.mask(f)
    for by in ("country", "dyad", "source"):
        ms, _ = timed(lambda: index.sector_counts(mask, by=by), args.runs)
        print(f"  sector_counts(by={by!r}) on the first filter: {ms:.2f} ms")
    ms, _ = timed(lambda: index.sector_shares(mask, freq="Q"), args.runs)
    print(f"  sector_shares(freq='Q') on the first filter: {ms:.2f} ms")


if __name__ == "__main__":
    main()
