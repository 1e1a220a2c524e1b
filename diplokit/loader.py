"""``load_corpus``: from files, folders or a DataFrame to a clean, deduplicated Corpus."""
from __future__ import annotations

import hashlib
import unicodedata
import warnings
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import readers as rd
from .cleaning import BoilerplateRules, clean_texts
from .corpus import Corpus, is_saved_corpus
from .dates import parse_dates
from .dedup import find_near_duplicates, fingerprints, group_fingerprints
from .language import detect_language
from .resources import CORPUS_DIR
from .sentences import split_with_codepoints

Source = str | Path | pd.DataFrame | Sequence[str | Path] | None

ARTICLE_COLUMNS = ["article_id", "path", "origin", "title", "byline", "dateline", "date", "source", "url", "lang", "text", "n_sentences", "encoding"]
REPORT_COLUMNS = ["origin", "path", "status", "reason", "article_id", "duplicate_of"]


class LoadError(ValueError):
    """Raised by ``load_corpus(..., strict=True)`` on the first input that cannot be loaded."""


class DiplokitLoadWarning(UserWarning):
    """One summary warning per load when some inputs were skipped."""


def article_id(raw_text: str) -> str:
    """Stable id: the first 16 hex digits of SHA-1 over the NFC-normalised raw text."""
    return hashlib.sha1(unicodedata.normalize("NFC", raw_text).encode("utf-8")).hexdigest()[:16]


Job = tuple[Path, str, dict]  # (file, name shown in the tables, sidecar metadata)


def collect_jobs(source: str | Path | Sequence[str | Path] | None) -> tuple[list[Job], list[rd.Problem]]:
    """Expand folders (recursively) into the files to read, with sidecar metadata."""
    problems: list[rd.Problem] = []
    if source is None:
        source = CORPUS_DIR
    paths = [source] if isinstance(source, (str, Path)) else list(source)
    jobs: list[Job] = []
    for p in map(Path, paths):
        if p.is_dir():
            files, hidden = rd.walk(p)
            problems += [rd.Problem(h.relative_to(p).as_posix() + "/", h.relative_to(p).as_posix() + "/", "hidden folder, not searched") for h in hidden]
            sidecars: dict[Path, dict] = {}
            for f in files:
                if f.name.lower() == rd.SIDECAR_NAME:
                    meta, row = rd.read_sidecar(f, f.relative_to(p).as_posix())
                    sidecars[f.parent] = meta
                    problems.append(row)
            for f in files:
                rel = f.relative_to(p).as_posix()
                if f.name.lower() == rd.SIDECAR_NAME:
                    continue
                meta = sidecars.get(f.parent, {})
                jobs.append((f, rel, meta.get(f.name, meta.get(rel, {}))))
        elif p.exists() or p.is_symlink():
            meta = {}
            side = p.parent / rd.SIDECAR_NAME
            if side.is_file() and p.name.lower() != rd.SIDECAR_NAME:
                meta = rd.read_sidecar(side, side.name)[0].get(p.name, {})
            jobs.append((p, p.name, meta))
        else:
            problems.append(rd.Problem(str(p), str(p), "no such file or folder"))
    return jobs, problems


def read_job(job: Job, max_bytes: int) -> Iterable[rd.Record | rd.Problem]:
    """Read one file into records (articles to clean) or problems (report rows)."""
    f, rel, meta = job
    suffix = f.suffix.lower()
    if f.name.startswith("."):
        return [rd.Problem(rel, rel, "hidden file, not loaded")]
    if not f.is_file():
        return [rd.Problem(rel, rel, "cannot read file: not a regular file (broken link or special file)")]
    if suffix in rd.TEXT_SUFFIXES:
        items = rd.read_text_file(f, rel, max_bytes)
    elif suffix in rd.HTML_SUFFIXES:
        items = rd.read_html_file(f, rel, max_bytes)
    elif suffix in (".jsonl", ".ndjson"):
        items = rd.read_jsonl(f, rel, max_bytes)
    elif suffix == ".csv":
        items = rd.read_csv(f, rel, 50 * max_bytes, max_bytes)
    elif suffix == ".parquet":
        items = rd.read_parquet(f, rel, max_bytes)
    elif f.name.lower() == rd.SIDECAR_NAME:
        return []
    else:
        return [rd.Problem(rel, rel, f"unsupported file type {suffix or '(none)'!r} (supported: {', '.join(rd.SUPPORTED)})")]
    out = []
    for it in items:
        if isinstance(it, rd.Record) and meta:
            it.meta = {**it.meta, **{k: v for k, v in meta.items() if v}}
        out.append(it)
    return out


def _inputs(source: Source, text_column: str, max_bytes: int, progress: bool | None) -> tuple[list[rd.Record], list[rd.Problem]]:
    records: list[rd.Record] = []
    problems: list[rd.Problem] = []
    if isinstance(source, pd.DataFrame):
        for it in rd.read_dataframe(source, text_column):
            (records if isinstance(it, rd.Record) else problems).append(it)
        return records, problems
    jobs, problems = collect_jobs(source)
    iterator = jobs
    if progress or (progress is None and len(jobs) > 200):
        from tqdm.auto import tqdm

        iterator = tqdm(jobs, desc="diplokit: reading", unit="file")
    for job in iterator:
        for it in read_job(job, max_bytes):
            (records if isinstance(it, rd.Record) else problems).append(it)
    return records, problems


def load_corpus(
    source: Source = None,
    *,
    strict: bool = False,
    text_column: str = "text",
    max_file_mb: float = 10,
    boilerplate: Iterable[str | Path] = (),
    near_duplicate_threshold: float = 0.8,
    progress: bool | None = None,
) -> Corpus:
    """Load articles into a :class:`~diplokit.corpus.Corpus`.

    ``source`` is a folder (searched recursively), a file, a list of paths, a DataFrame
    with a ``text`` column, or a folder written by ``Corpus.to_parquet`` (reopened as is).
    ``None`` loads the bundled corpus in ``data/corpus``.

    File kinds: ``.txt``, ``.html``/``.htm`` (main text via trafilatura), ``.jsonl``,
    ``.csv`` and ``.parquet`` (a ``text`` column plus any of title, date, source, url,
    lang). A ``metadata.csv`` beside text files maps file names to date, source, url, lang.

    Inputs that cannot be loaded become rows of ``corpus.report`` with a reason and one
    summary warning is issued; with ``strict=True`` the first one raises ``LoadError``.
    Exact and near-duplicate stories (share >= ``near_duplicate_threshold`` of their
    sentences) are kept once and reported as duplicates of the kept article.
    """
    if isinstance(source, (str, Path)) and is_saved_corpus(Path(source)):
        return Corpus.from_parquet(source)
    rules = BoilerplateRules.load(boilerplate)
    records, problems = _inputs(source, text_column, int(max_file_mb * 1_000_000), progress)
    corpus = build_corpus(records, problems, rules, strict=strict, near_duplicate_threshold=near_duplicate_threshold)
    n_bad = int((corpus.report["status"] == "skipped").sum())
    if n_bad:
        warnings.warn(skipped_summary(corpus.report), DiplokitLoadWarning, stacklevel=2)
    return corpus


def skipped_summary(report: pd.DataFrame) -> str:
    """One line saying how many inputs were not loaded, grouped by kind of reason."""
    bad = report[report["status"] == "skipped"]
    kinds = bad["reason"].str.replace(r"\s*[(:].*$", "", regex=True).value_counts()
    detail = "; ".join(f"{n} × {k}" for k, n in kinds.items())
    return f"diplokit: {len(bad)} of {len(report)} inputs were not loaded ({detail}). See corpus.report for each one."


def build_corpus(
    records: list[rd.Record],
    problems: list[rd.Problem],
    rules: BoilerplateRules,
    *,
    strict: bool = False,
    near_duplicate_threshold: float = 0.8,
    fingerprints_out: dict | None = None,
) -> Corpus:
    """Clean, split, deduplicate and tabulate records already read from the inputs.

    If ``fingerprints_out`` is a dict, it receives the word fingerprints (``dedup.py``)
    that deduplication computed: ``"bodies"`` for each row of the articles table,
    ``"sentences"``, ``"sentence_lengths"`` and ``"sentence_articles"`` (the row of its
    article in the articles table) for each row of the sentences table; and,
    when every text was kept, ``"batch_text"``: the articles' texts joined by "\\n" with
    their code points and folded code points, which ``annotate_batch`` can reuse."""
    if strict:
        bad = [p for p in problems if p.status == "skipped"]
        if bad:
            raise LoadError(f"{bad[0].origin}: {bad[0].reason}")

    # Deterministic order whatever the file system returns.
    records.sort(key=lambda r: (r.path, _origin_key(r.origin)))
    ids = [article_id(r.raw) for r in records]
    docs, removed = clean_texts([r.raw for r in records], rules)

    meta = pd.DataFrame([r.meta for r in records], index=range(len(records)))
    for col in rd.META_COLUMNS:
        if col not in meta:
            meta[col] = None
    arts = pd.DataFrame(
        {
            "article_id": ids,
            "path": [r.path for r in records],
            "origin": [r.origin for r in records],
            "title": meta["title"].where(meta["title"].notna(), docs["title"].astype(object)),
            "byline": meta["byline"].where(meta["byline"].notna(), docs["byline"].astype(object)),
            "dateline": docs["dateline"],
            "date_raw": meta["date"].where(meta["date"].notna(), docs["header_date"].astype(object)),
            "source": meta["source"],
            "url": meta["url"],
            "lang": meta["lang"],
            "text": docs["text"],
            "encoding": [r.encoding + (" (repaired)" if r.repaired else "") for r in records],
        }
    )
    report_rows: list[dict] = [
        {"origin": p.origin, "path": p.path, "status": p.status, "reason": p.reason, "article_id": None, "duplicate_of": None}
        for p in problems
    ]
    n_removed = removed.groupby("doc").size().reindex(range(len(arts)), fill_value=0).to_numpy() if len(arts) else np.zeros(0, int)
    status = np.full(len(arts), "loaded", dtype=object)
    reason = np.full(len(arts), "", dtype=object)
    dup_of = np.full(len(arts), None, dtype=object)

    empty = (arts["text"].fillna("").str.strip() == "").to_numpy()
    status[empty] = "skipped"
    reason[empty] = [f"no article text left after removing {k} boilerplate line(s)" for k in n_removed[empty]]
    if strict and empty.any():
        raise LoadError(f"{arts['origin'][empty].iloc[0]}: {reason[empty][0]}")

    # Sentences of every non-empty text, and fingerprints of their words (dedup.py).
    nonempty = np.flatnonzero(~empty)
    sents, cps, doc_start, big = split_with_codepoints(arts["text"].to_numpy()[nonempty].tolist())
    sdoc = sents["doc"].to_numpy()
    folded: dict = {}
    s_fp, s_len = fingerprints(cps, doc_start[sdoc] + sents["start"].to_numpy(), doc_start[sdoc] + sents["end"].to_numpy(), folded)
    body_fp = np.zeros(len(arts), dtype=np.uint64)
    body_fp[nonempty] = group_fingerprints(sdoc, s_fp, len(nonempty))
    sents["doc"] = nonempty[sdoc]

    # Exact duplicates: the same raw text, or the same words under another header/footer.
    first_by_id: dict[str, int] = {}
    first_by_body: dict[int, int] = {}
    origins = arts["origin"].to_numpy(dtype=object)
    body_list = body_fp.tolist()
    for i in nonempty.tolist():
        k = first_by_id.setdefault(ids[i], i)
        if k == i and body_list[i]:  # (a text without words has no body fingerprint)
            k = first_by_body.setdefault(body_list[i], i)
        if k != i:
            status[i], dup_of[i] = "duplicate", ids[k]
            reason[i] = f"exact duplicate of {ids[k]} ({origins[k]})"

    alive_rows = status[sents["doc"].to_numpy()] == "loaded"
    for i, k, share in find_near_duplicates(sents["doc"].to_numpy()[alive_rows], s_fp[alive_rows], s_len[alive_rows], near_duplicate_threshold):
        status[i], dup_of[i] = "duplicate", ids[k]
        reason[i] = f"near-duplicate of {ids[k]} ({origins[k]}): {share:.0%} of its sentences shared"

    loaded = status == "loaded"
    enc = arts["encoding"].to_numpy(dtype=object)
    reason[loaded] = [f"loaded ({e}; {k} line(s) removed)" for e, k in zip(enc[loaded], n_removed[loaded])]
    report_frames = [pd.DataFrame(report_rows, columns=REPORT_COLUMNS)]
    if len(arts):
        report_frames.append(
            pd.DataFrame(
                {"origin": arts["origin"].to_numpy(dtype=object), "path": arts["path"].to_numpy(dtype=object), "status": status,
                 "reason": reason, "article_id": np.asarray(ids, dtype=object), "duplicate_of": dup_of},
                columns=REPORT_COLUMNS,
            )
        )

    keep = np.flatnonzero(loaded)
    if fingerprints_out is not None:
        fingerprints_out["bodies"] = body_fp[keep]
        if len(keep) == len(nonempty):  # every text kept: the joined text is the articles'
            fingerprints_out["batch_text"] = {"big": big, "cps": cps, "folded_cps": folded.get("folded_cps")}
    articles = arts.iloc[keep].reset_index(drop=True)
    articles["date"] = parse_dates(articles.pop("date_raw"))
    missing_lang = articles["lang"].isna().to_numpy()
    if missing_lang.any():
        articles.loc[missing_lang, "lang"] = detect_language(articles.loc[missing_lang, "text"].tolist())
    articles["lang"] = articles["lang"].astype(str).str.lower().str[:2].where(articles["lang"] != "und", "und")
    kept_rows = loaded[sents["doc"].to_numpy()]
    sents = sents[kept_rows]  # rows of kept articles
    if fingerprints_out is not None:
        fingerprints_out["sentences"] = s_fp[kept_rows]
        fingerprints_out["sentence_lengths"] = s_len[kept_rows]
        fingerprints_out["sentence_articles"] = (np.cumsum(loaded) - 1)[sents["doc"].to_numpy()]  # row in the articles table
    sentences = pd.DataFrame(
        {
            "article_id": np.asarray(ids, dtype=object)[sents["doc"].to_numpy()],
            "sentence_id": sents["sentence_id"].to_numpy(),
            "start": sents["start"].to_numpy(),
            "end": sents["end"].to_numpy(),
            "text": sents["text"].to_numpy(),
        }
    )
    articles["n_sentences"] = sentences.groupby("article_id", sort=False).size().reindex(articles["article_id"], fill_value=0).to_numpy()
    articles = _typed(articles[ARTICLE_COLUMNS])
    sentences = _typed(sentences.reset_index(drop=True))

    removed = removed.assign(article_id=np.asarray(ids, dtype=object)[removed["doc"].to_numpy()] if len(removed) else [])
    removed = _typed(removed[["article_id", "line_no", "text", "reason", "kind"]].reset_index(drop=True))
    report = _typed(pd.concat([f for f in report_frames if len(f)], ignore_index=True) if any(len(f) for f in report_frames) else report_frames[0])

    return Corpus(articles, sentences, removed, report)


def _origin_key(origin: str) -> tuple[str, int]:
    head, _, tail = origin.rpartition(":")
    return (head, int(tail)) if tail.isdigit() and head else (origin, -1)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """Give object columns the string dtype so tables compare and round-trip exactly."""
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].astype("str")
    return df
