"""The ``diplokit`` command line: batch builds and report rendering.

    diplokit build SOURCE [SOURCE ...] -o OUT     load, clean, annotate; write Parquet
    diplokit report [--notebooks DIR] [--out DIR] render notebooks to offline HTML
    diplokit info OUT                             what a build folder holds

Exit codes: 0 success, 2 bad arguments or paths, 1 failure while working.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _build(args: argparse.Namespace) -> int:
    from .build import build, retain_freed_memory

    missing = [s for s in args.source if not Path(s).exists()]
    if missing:
        print(f"diplokit build: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        print(f"diplokit build: output {out} exists and is not a folder", file=sys.stderr)
        return 2
    for d in args.lexicon:
        if not Path(d).exists():
            print(f"diplokit build: lexicon folder {d} not found", file=sys.stderr)
            return 2
    retain_freed_memory()  # this process is ours: see the function
    summary = build(
        args.source if len(args.source) > 1 else args.source[0],
        out,
        batch_size=args.batch_size,
        workers=args.workers,
        lexicon_dirs=args.lexicon,
        max_file_mb=args.max_file_mb,
        progress=not args.quiet,
    )
    print(summary)
    return 0


def _report(args: argparse.Namespace) -> int:
    from . import report

    argv = ["--notebooks", args.notebooks, "--out", args.out] + (["--execute"] if args.execute else [])
    return report.main(argv)


def _info(args: argparse.Namespace) -> int:
    from .corpus import is_saved_corpus
    from .loader import load_corpus

    if not is_saved_corpus(Path(args.folder)):
        print(f"diplokit info: {args.folder} is not a diplokit build or saved corpus", file=sys.stderr)
        return 2
    corpus = load_corpus(args.folder)
    print(corpus)
    print(corpus.summary().to_string(index=False))
    for name, df in sorted(corpus.extra.items()):
        print(f"{name}: {len(df):,} rows")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="diplokit", description="Load, clean and annotate diplomatic news.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="load, clean and annotate SOURCE; write every table as Parquet to OUT")
    b.add_argument("source", nargs="+", help="folders, files (.txt .html .jsonl .csv .parquet)")
    b.add_argument("-o", "--output", required=True, help="output folder (created; its Parquet files are replaced)")
    b.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    b.add_argument("--batch-size", type=int, default=4000, help="stories per chunk (default 4000)")
    b.add_argument("--lexicon", action="append", default=[], help="extra lexicon folder (repeatable)")
    b.add_argument("--max-file-mb", type=float, default=10, help="largest single-article file to read (default 10)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=_build)
    r = sub.add_parser("report", help="render the notebooks to self-contained offline HTML (same as make report)")
    r.add_argument("--notebooks", default="notebooks")
    r.add_argument("--out", default="reports")
    r.add_argument("--execute", action="store_true", help="re-run the notebooks before rendering")
    r.set_defaults(func=_report)
    i = sub.add_parser("info", help="summarise a build folder")
    i.add_argument("folder")
    i.set_defaults(func=_info)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "build" and (args.batch_size < 1 or (args.workers is not None and args.workers < 1)):
        print("diplokit build: --batch-size and --workers must be positive", file=sys.stderr)
        return 2
    try:
        code = args.func(args)
        sys.stdout.flush()  # here, so that a closed pipe is caught below
        return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into a reader that stopped (``diplokit info build | head``): not an
        # error of ours. Point stdout at devnull so the interpreter's final flush is quiet.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
