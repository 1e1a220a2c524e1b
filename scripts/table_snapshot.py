"""Save every table diplokit produces on fixed inputs, and compare two such snapshots.

For changes that must not change results (speed work, refactors): snapshot the tables
with the code before and after, then compare them cell for cell.

    git worktree add /tmp/base HEAD                      # the code before
    python scripts/table_snapshot.py save snap/base --repo /tmp/base
    python scripts/table_snapshot.py save snap/new       # this checkout
    python scripts/table_snapshot.py compare snap/base snap/new

The inputs (written once to ``--inputs``, default ``snap/inputs``, by whichever checkout
runs first, then reused so both sides read the same bytes):

- the bundled corpus, loaded and annotated in one process;
- 4,000 synthetic stories (``benchmark.synthetic_corpus``) built with one worker;
- a deduplication stress corpus: the synthetic stories plus 600 copies (new header and
  footer, one paragraph dropped or added, or the same raw text) in shuffled order, built
  in 300-story chunks on 2 workers, so that duplicates meet across chunks.

Tables are written as Parquet files (one per table), and a snapshot records which
checkout made it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

TABLES = ("articles", "sentences", "removed", "report", "mentions", "sectors", "events", "dyads", "candidates")


def _inputs(folder: Path) -> tuple[Path, Path]:
    import numpy as np
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    syn, stress = folder / "synthetic_4000.parquet", folder / "stress.parquet"
    if not syn.exists():
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from benchmark import synthetic_corpus

        synthetic_corpus(4000).to_parquet(syn, index=False)
    if not stress.exists():
        d = pd.read_parquet(syn)
        rng = np.random.default_rng(7)
        idx = rng.choice(len(d), 600, replace=False)
        exact = d.iloc[idx[:200]].copy()
        exact["text"] = "Home » World\n\n" + exact["text"] + "\n\nShare this:"
        near = d.iloc[idx[200:400]].copy()
        near["text"] = [
            "\n\n".join(t.split("\n\n")[:-1]) if t.count("\n\n") >= 5 else t + "\n\nA short closing paragraph added by the desk."
            for t in near["text"]
        ]
        same = d.iloc[idx[400:600]].copy()
        mixed = pd.concat([d, exact, near, same], ignore_index=True).sample(frac=1, random_state=3)
        mixed.reset_index(drop=True).to_parquet(stress, index=False)
    return syn, stress


def save(out: Path, inputs: Path) -> None:
    import tempfile

    import diplokit
    from diplokit.annotate import annotate
    from diplokit.build import build

    syn, stress = _inputs(inputs)
    out.mkdir(parents=True, exist_ok=True)
    runs = {"bundled": None, "synthetic": (syn, 1, 4000), "stress": (stress, 2, 300)}
    with tempfile.TemporaryDirectory() as tmp:
        for name, spec in runs.items():
            if spec is None:
                corpus = diplokit.load_corpus(progress=False)
            else:
                src, workers, batch = spec
                build(src, Path(tmp) / name, workers=workers, batch_size=batch, progress=False)
                corpus = diplokit.load_corpus(Path(tmp) / name, progress=False)
            ann = annotate(corpus)
            for t in TABLES:
                df = getattr(corpus, t) if hasattr(corpus, t) else getattr(ann, t)
                df.reset_index(drop=True).to_parquet(out / f"{name}.{t}.parquet", index=False)
            print(f"{name}: {len(corpus.articles):,} articles, {len(ann.mentions):,} mentions")
    (out / "made_by.txt").write_text(str(Path(diplokit.__file__).resolve().parent.parent) + "\n", encoding="utf-8")


def compare(a: Path, b: Path) -> int:
    import pandas as pd

    names = sorted(p.name for p in a.glob("*.parquet"))
    if not names or names != sorted(p.name for p in b.glob("*.parquet")):
        print(f"the snapshots hold different tables ({len(names)} in {a})")
        return 1
    different = 0
    for n in names:
        try:
            pd.testing.assert_frame_equal(pd.read_parquet(a / n), pd.read_parquet(b / n))
        except AssertionError as e:
            different += 1
            print(f"DIFFERENT {n}: {str(e).strip()[:400]}")
    print(f"{len(names)} tables compared, {different} different")
    return 1 if different else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("save", help="snapshot the tables of a checkout")
    s.add_argument("out", type=Path)
    s.add_argument("--repo", type=Path, help="checkout whose diplokit to run (default: this one)")
    s.add_argument("--inputs", type=Path, default=Path("snap/inputs"))
    c = sub.add_parser("compare", help="compare two snapshots cell for cell")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = ap.parse_args()
    if args.cmd == "compare":
        return compare(args.a, args.b)
    repo = (args.repo or Path(__file__).resolve().parents[1]).resolve()
    if not (repo / "diplokit" / "__init__.py").exists():
        print(f"no diplokit package in {repo}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(repo))  # before anything imports diplokit
    import diplokit

    if Path(diplokit.__file__).resolve().parent != repo / "diplokit":
        print(f"imported {diplokit.__file__}, not {repo}'s diplokit", file=sys.stderr)
        return 2
    save(args.out, args.inputs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
