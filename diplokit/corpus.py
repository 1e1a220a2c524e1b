"""The Corpus: the loaded articles as tidy tables, and how it is saved and reopened."""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

MANIFEST = "diplokit.json"
FORMAT = "diplokit-corpus"
TABLES = ("articles", "sentences", "removed", "report")


@dataclass
class Corpus:
    """Articles and the full account of how they were loaded.

    - ``articles``: one row per kept article (``article_id`` is a content hash, stable
      across runs and machines).
    - ``sentences``: one row per sentence, with ``start``/``end`` offsets into
      ``articles.text``.
    - ``removed``: every line taken out of an article, with the reason.
    - ``report``: one row per input file or record: loaded, skipped, duplicate, metadata.
    """

    articles: pd.DataFrame
    sentences: pd.DataFrame
    removed: pd.DataFrame
    report: pd.DataFrame
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.articles)

    def summary(self) -> pd.DataFrame:
        """Counts of inputs by status and reason, for a quick look at what happened."""
        r = self.report.copy()
        r["reason_kind"] = r["reason"].str.replace(r"\s*\(.*$|:.*$| of [0-9a-f]{16}.*$", "", regex=True)
        return (
            r.groupby(["status", "reason_kind"], sort=True)
            .size()
            .rename("inputs")
            .reset_index()
            .sort_values(["status", "inputs"], ascending=[True, False], kind="stable", ignore_index=True)
        )

    def article(self, article_id: str) -> pd.Series:
        """One article's row."""
        rows = self.articles[self.articles["article_id"] == article_id]
        if rows.empty:
            raise KeyError(f"no article with id {article_id!r}")
        return rows.iloc[0]

    def __repr__(self) -> str:
        counts = self.report["status"].value_counts()
        parts = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("skipped", "duplicate") if counts.get(s, 0))
        return f"<Corpus: {len(self.articles)} articles, {len(self.sentences)} sentences" + (f"; {parts}" if parts else "") + ">"

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(repr(self))}</code>"

    def to_parquet(self, directory: str | Path) -> Path:
        """Write every table as Parquet plus a small manifest; ``load_corpus(directory)``
        reopens it without recomputing anything."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        tables = {**{t: getattr(self, t) for t in TABLES}, **self.extra}
        for name, df in tables.items():
            df.to_parquet(d / f"{name}.parquet", index=False)
        manifest = {**self.manifest, "format": FORMAT, "version": 1, "tables": sorted(tables)}
        (d / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return d

    @classmethod
    def from_parquet(cls, directory: str | Path) -> "Corpus":
        d = Path(directory)
        manifest = json.loads((d / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise ValueError(f"{d / MANIFEST} is not a diplokit corpus manifest")
        tables = {name: pd.read_parquet(d / f"{name}.parquet") for name in manifest["tables"]}
        return cls(**{t: tables.pop(t) for t in TABLES}, extra=tables, manifest=manifest)


def is_saved_corpus(path: Path) -> bool:
    return path.is_dir() and (path / MANIFEST).is_file()
