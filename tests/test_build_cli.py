"""The command line and the streaming build."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import diplokit
from diplokit.annotate import annotate
from diplokit.build import build
from diplokit.cli import main
from diplokit.resources import CORPUS_DIR


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def test_build_equals_in_memory_pipeline(tmp_path):
    out = tmp_path / "build"
    # Small chunks and two workers: the result must not depend on either.
    summary = build(CORPUS_DIR, out, batch_size=7, workers=2, progress=False)
    built = diplokit.load_corpus(out)
    mem = diplokit.load_corpus(CORPUS_DIR)
    assert summary.articles == len(mem.articles) == len(built.articles)
    pd.testing.assert_frame_equal(_sorted(built.articles, ["article_id"]), _sorted(mem.articles, ["article_id"]))
    pd.testing.assert_frame_equal(_sorted(built.sentences, ["article_id", "sentence_id"]), _sorted(mem.sentences, ["article_id", "sentence_id"]))
    # annotate() on a build returns the stored tables without recomputing...
    stored = annotate(built)
    fresh = annotate(mem)
    keys = {"mentions": ["article_id", "start", "entity_id"], "sectors": ["article_id", "start"], "events": ["article_id", "sentence_id", "event_type"], "dyads": ["article_id", "country_a", "country_b"]}
    for t, k in keys.items():
        pd.testing.assert_frame_equal(_sorted(getattr(stored, t), k), _sorted(getattr(fresh, t), k), check_dtype=False)
    pd.testing.assert_frame_equal(stored.candidates, fresh.candidates, check_dtype=False)


def test_build_dedups_across_chunks(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    story = "Rwanda and Ghana held talks on trade, health and aviation cooperation in Accra on Monday.\nThe ministers agreed to meet again next year to review progress on the joint commission.\n"
    (src / "a.txt").write_text(story)
    (src / "b.txt").write_text("Other news\n\nKenya and Uganda discussed the reopening of their border posts and customs cooperation.\n")
    (src / "c.txt").write_text("Home » News\n\n" + story + "\nShare this:\n")
    (src / "d.bin").write_bytes(b"\x00\x01")
    build(src, tmp_path / "out", batch_size=1, workers=2, progress=False)
    c = diplokit.load_corpus(tmp_path / "out")
    rep = c.report.set_index("origin")
    assert rep.loc["c.txt", "status"] == "duplicate"
    assert rep.loc["c.txt", "duplicate_of"] == rep.loc["a.txt", "article_id"]
    assert rep.loc["d.bin", "status"] == "skipped"
    assert sorted(c.articles["path"]) == ["a.txt", "b.txt"]
    assert set(c.sentences["article_id"]) == set(c.articles["article_id"])


def test_cli_build_and_errors(tmp_path, capsys):
    assert main(["build", str(CORPUS_DIR), "-o", str(tmp_path / "o"), "-q", "--workers", "1"]) == 0
    assert "articles from" in capsys.readouterr().out
    assert main(["info", str(tmp_path / "o")]) == 0
    assert main(["build", str(tmp_path / "missing"), "-o", str(tmp_path / "x")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["build", str(CORPUS_DIR), "-o", str(tmp_path / "file")]) == 2
    assert main(["build", str(CORPUS_DIR), "-o", str(tmp_path / "y"), "--workers", "0"]) == 2
    assert main(["info", str(tmp_path)]) == 2
    with pytest.raises(SystemExit) as e:
        main(["frobnicate"])
    assert e.value.code == 2


def test_console_script_is_installed(tmp_path):
    exe = Path(sys.executable).with_name("diplokit")
    r = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "build" in r.stdout


def test_build_progress_counts_stories(tmp_path, capsys):
    # A single big table file must not sit at "0/1 inputs" for the whole build.
    src = tmp_path / "src"
    src.mkdir()
    texts = [f"Kenya and Uganda discussed border post number {i} and customs cooperation in Kampala." for i in range(23)]
    pd.DataFrame({"text": texts[:15]}).to_parquet(src / "a.parquet")
    pd.DataFrame({"text": texts[15:]}).to_json(src / "b.jsonl", orient="records", lines=True)
    (src / "c.txt").write_text("Rwanda and Ghana held talks on aviation cooperation in Accra on Monday.\n")
    build(src, tmp_path / "out", batch_size=4, workers=1, progress=True)
    err = capsys.readouterr().err.replace("\r", "\n").splitlines()
    last = [line for line in err if "diplokit build" in line][-1]
    assert "24/24" in last and "story" in last, last
    # Up front: the text file and the Parquet rows (from its footer); JSONL rows come as read.
    from diplokit.build import _known_inputs
    from diplokit.loader import collect_jobs

    jobs, _ = collect_jobs(src)
    assert _known_inputs(jobs) == 16 and _known_inputs(jobs, max_footers=0) == 1


def test_workers_keep_freed_memory_on_glibc():
    # A freed 20 MB array stays with the process (for the next chunk's arrays) instead
    # of going back to the system: measured on the resident size, in new processes.
    import platform

    if platform.libc_ver()[0] != "glibc" or not Path("/proc/self/statm").exists():
        pytest.skip("glibc on Linux only")
    code = (
        "import os, sys, numpy as np\n"
        "if sys.argv[1] == '1':\n"
        "    from diplokit.build import retain_freed_memory; assert retain_freed_memory()\n"
        "rss = lambda: int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')\n"
        "base = rss(); a = np.ones(20_000_000 // 8); full = rss(); del a\n"
        "print(round((rss() - base) / (full - base), 1))\n"
    )
    kept = [subprocess.run([sys.executable, "-c", code, flag], capture_output=True, text=True, timeout=60) for flag in "01"]
    assert [float(r.stdout) for r in kept] == [0.0, 1.0], [r.stderr for r in kept]


def test_cli_output_piped_into_head_is_no_error(tmp_path):
    # `diplokit info build | head -1`: the reader goes away before the output is written.
    exe = Path(sys.executable).with_name("diplokit")
    assert main(["build", str(CORPUS_DIR), "-o", str(tmp_path / "b"), "-q", "--workers", "1"]) == 0
    p = subprocess.Popen([str(exe), "info", str(tmp_path / "b")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0 and "BrokenPipe" not in err, err
