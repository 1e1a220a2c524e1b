"""The two real scraped articles: every boilerplate line removed with a reason, every body
paragraph kept, header fields in their columns. Expected values are read from the files
themselves so that no sentence of theirs is copied into the project."""
from __future__ import annotations

import diplokit
from conftest import seed_lines


def _by_path(corpus, prefix):
    row = corpus.articles[corpus.articles["path"].str.startswith(prefix)]
    assert len(row) == 1
    return row.iloc[0]


def test_seed_with_header_and_footer(seeds_dir):
    corpus = diplokit.load_corpus(seeds_dir)
    lines = seed_lines("000_")
    art = _by_path(corpus, "000_")
    assert art["title"] == lines[3].strip()
    assert lines[1].startswith("Home »") and lines[1].endswith(art["title"])
    assert art["byline"] == lines[5].strip()[len("by "):]
    assert art["dateline"] == "Kigali"
    removed = corpus.removed[corpus.removed["article_id"] == art["article_id"]]
    got = {(r.line_no, r.reason) for r in removed.itertuples()}
    assert got == {
        (1, "breadcrumb navigation"),
        (3, "title (moved to the title column)"),
        (5, "byline (moved to the byline column)"),
        (7, "dateline (moved to the dateline column)"),
        (25, "view counter"),
        (27, "related-stories list"),
        (29, "SEO spam (glued betting/casino keywords)"),
    }
    assert removed.loc[removed["line_no"] == 7, "text"].item() == "Kigali —"
    paragraphs = art["text"].split("\n\n")
    expected = [lines[7].split("— ", 1)[1]] + [lines[i] for i in range(9, 24, 2)]
    assert paragraphs == [p.strip() for p in expected]
    assert not any(w in art["text"] for w in ("Visited", "You may also like", "giriş"))


def test_seed_without_title(seeds_dir):
    corpus = diplokit.load_corpus(seeds_dir)
    lines = seed_lines("004_")
    art = _by_path(corpus, "004_")
    assert art[["title", "byline", "dateline"]].isna().all()
    removed = corpus.removed[corpus.removed["article_id"] == art["article_id"]]
    assert list(zip(removed["line_no"], removed["reason"], removed["text"])) == [(15, "comment section", "Leave a Reply")]
    assert art["text"].split("\n\n") == [lines[i].strip() for i in range(1, 11)]
    assert art["lang"] == "en"


def test_seed_sentences_trace_back(seeds_dir):
    corpus = diplokit.load_corpus(seeds_dir)
    texts = corpus.articles.set_index("article_id")["text"]
    for s in corpus.sentences.itertuples():
        assert texts[s.article_id][s.start:s.end] == s.text
    # "St. Petersburg" must not end a sentence.
    assert not corpus.sentences["text"].str.endswith(" St.").any()
    assert corpus.report["status"].eq("loaded").all()
