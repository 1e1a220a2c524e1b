from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import pandas as pd
import pytest

import diplokit
from diplokit import DiplokitLoadWarning, LoadError, load_corpus

STORY = (
    "Rwanda and Benin Sign Defence Pact\n\n"
    "by A Reporter\n\n"
    "Cotonou — The two governments signed a defence cooperation agreement on Tuesday. "
    "Officials said the accord covers training, intelligence sharing and joint patrols.\n\n"
    "The ministers also discussed trade and a direct air link between the two capitals.\n"
)
OTHER = (
    "Accra — Ghana and Kenya agreed to expand cooperation in agriculture and vaccine production.\n"
    "Their foreign ministers met for a joint commission and announced plans for a business forum next year.\n"
)


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _load(src, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus = load_corpus(src, **kw)
    return corpus, [w for w in caught if issubclass(w.category, DiplokitLoadWarning)]


def test_article_id_is_a_content_hash():
    assert diplokit.article_id("abc") == hashlib.sha1(b"abc").hexdigest()[:16]
    # NFC normalisation: composed and decomposed accents give one id.
    assert diplokit.article_id("Touade\u0301ra") == diplokit.article_id("Touadéra")


def test_broken_folder_gives_one_report_row_per_file(tmp_path):
    d = tmp_path / "in"
    _write(d / "good.txt", STORY)
    _write(d / "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    _write(d / "empty.txt", b"")
    _write(d / "blank.txt", "  \n\n \t\n")
    _write(d / "notes.pdf", b"%PDF-1.4 whatever")
    _write(d / "table.csv", "a,b\n1,2\n")
    _write(d / "huge.txt", "word " * (11_000_000 // 5))
    os.symlink(d / "missing-target.txt", d / "dangling.txt")
    _write(d / "feed.jsonl", json.dumps({"text": OTHER, "date": "2023-05-02"}) + "\n{not json}\n[1, 2]\n")
    corpus, caught = _load(d)
    rep = corpus.report.set_index("origin")
    assert rep.loc["good.txt", "status"] == "loaded"
    assert rep.loc["feed.jsonl:1", "status"] == "loaded"
    expect = {
        "binary.txt": "binary file",
        "empty.txt": "empty file",
        "blank.txt": "empty file",
        "notes.pdf": "unsupported file type '.pdf'",
        "table.csv": "no 'text' column (columns found: a, b)",
        "huge.txt": "file too large (11.0 MB > 10.0 MB",
        "dangling.txt": "cannot read file",
        "feed.jsonl:2": "malformed JSON on line 2",
        "feed.jsonl:3": "line 3 is a JSON list",
    }
    for origin, reason in expect.items():
        assert rep.loc[origin, "status"] == "skipped", origin
        assert reason in rep.loc[origin, "reason"], (origin, rep.loc[origin, "reason"])
    assert len(rep) == 2 + len(expect)
    assert len(corpus.articles) == 2
    assert len(caught) == 1 and "9 of 11 inputs were not loaded" in str(caught[0].message)


def test_strict_raises_naming_the_file(tmp_path):
    _write(tmp_path / "good.txt", STORY)
    _write(tmp_path / "zzz.txt", b"\x00\x01\x02binary")
    with pytest.raises(LoadError, match=r"zzz\.txt: binary file"):
        load_corpus(tmp_path, strict=True)


@pytest.mark.parametrize(
    "encoding,data",
    [
        ("utf-8", STORY.encode("utf-8")),
        ("utf-8-sig", STORY.encode("utf-8-sig")),
        ("utf-16", STORY.encode("utf-16")),
        ("cp1252", (STORY + "Touadéra’s “visit”.\n").encode("cp1252")),
        ("latin-1", (STORY.replace("—", "-") + "Touadéra était là.\n").encode("latin-1")),
    ],
)
def test_encodings(tmp_path, encoding, data):
    _write(tmp_path / "a.txt", data)
    corpus = load_corpus(tmp_path)
    art = corpus.articles.iloc[0]
    assert art["title"] == "Rwanda and Benin Sign Defence Pact"
    assert "The two governments signed" in art["text"]
    if encoding in ("cp1252", "latin-1"):
        assert "Touadéra" in art["text"]


def test_mojibake_is_repaired(tmp_path):
    mangled = ("President Touadéra met Kagame in Kigali on Monday to discuss security cooperation and trade.\n").encode("utf-8").decode("latin-1")
    _write(tmp_path / "m.txt", mangled)
    art = load_corpus(tmp_path).articles.iloc[0]
    assert "TouadÃ©ra" in mangled and "Touadéra" in art["text"]
    assert art["encoding"].endswith("(repaired)")


def test_sidecar_metadata_and_dates(tmp_path):
    _write(tmp_path / "a.txt", STORY)
    _write(tmp_path / "b.txt", "Published: 12 mars 2023\n\nLe président a reçu son homologue pour des entretiens sur la sécurité et le commerce.\n")
    _write(tmp_path / "metadata.csv", "file,date,source,url,lang\na.txt,2021-05-27,Test Wire,https://example.org/a,en\n")
    corpus = load_corpus(tmp_path)
    arts = corpus.articles.set_index("path")
    assert arts.loc["a.txt", "date"] == pd.Timestamp("2021-05-27")
    assert arts.loc["a.txt", "source"] == "Test Wire"
    assert arts.loc["b.txt", "date"] == pd.Timestamp("2023-03-12")
    assert arts.loc["b.txt", "lang"] == "fr"
    assert str(corpus.articles["date"].dtype).startswith("datetime64")
    assert corpus.report.set_index("origin").loc["metadata.csv", "status"] == "metadata"


def test_duplicates_exact_and_syndicated(tmp_path):
    _write(tmp_path / "a.txt", STORY)
    _write(tmp_path / "b.txt", STORY)
    syndicated = "Home » World » Africa\n\n" + STORY + "\nShare this:\nFacebook\nYou may also like\nSomething else entirely\n"
    _write(tmp_path / "c.txt", syndicated)
    edited = STORY + "\nA further line of reporting that was added by the second outlet.\n"
    _write(tmp_path / "d.txt", edited)
    corpus = load_corpus(tmp_path)
    assert list(corpus.articles["path"]) == ["a.txt"]
    rep = corpus.report.set_index("origin")
    kept = corpus.articles["article_id"].item()
    for f in ("b.txt", "c.txt", "d.txt"):
        assert rep.loc[f, "status"] == "duplicate"
        assert rep.loc[f, "duplicate_of"] == kept
    assert "near-duplicate" in rep.loc["d.txt", "reason"]


def test_csv_parquet_jsonl_and_dataframe(tmp_path):
    df = pd.DataFrame({"text": [STORY, "Rwanda and Senegal Sign Defence Pact\n\n" + OTHER], "title": ["T1", None], "date": ["2020-01-02", "2020-02-03"], "source": ["S", "S"]})
    df.to_csv(tmp_path / "x.csv", index=False)
    corpus = load_corpus(tmp_path / "x.csv")
    assert list(corpus.articles["title"]) == ["T1", "Rwanda and Senegal Sign Defence Pact"]
    assert list(corpus.articles["origin"]) == ["x.csv:2", "x.csv:3"]
    df.to_parquet(tmp_path / "x.parquet")
    assert len(load_corpus(tmp_path / "x.parquet").articles) == 2
    from_df = load_corpus(df)
    assert list(from_df.articles["article_id"]) == list(corpus.articles["article_id"])
    bad = _load(pd.DataFrame({"body": ["x"]}))[0]
    assert "no 'text' column" in bad.report["reason"].item()


def test_html_goes_through_trafilatura(tmp_path):
    body = "".join(f"<p>{s}</p>" for s in STORY.split("\n\n")[2:])
    page = f"<html><head><title>Pact signed</title><meta property='og:site_name' content='Example Wire'></head><body><nav>Home</nav><article><h1>Rwanda and Benin Sign Defence Pact</h1>{body}</article><footer>Copyright</footer></body></html>"
    _write(tmp_path / "p.html", page)
    art = load_corpus(tmp_path).articles.iloc[0]
    assert "signed a defence cooperation agreement" in art["text"]
    assert art["title"]


def test_parquet_round_trip_is_exact(tmp_path, seeds_dir):
    corpus = load_corpus(seeds_dir)
    out = corpus.to_parquet(tmp_path / "saved")
    again = load_corpus(out)
    for t in ("articles", "sentences", "removed", "report"):
        pd.testing.assert_frame_equal(getattr(corpus, t), getattr(again, t))


def test_loading_is_deterministic(tmp_path):
    for i in range(5):
        _write(tmp_path / f"s{i}.txt", f"Story {i}\n\nRwanda and Country{i} held talks on day {i} about trade and health cooperation.\n")
    a, b = load_corpus(tmp_path), load_corpus(tmp_path)
    pd.testing.assert_frame_equal(a.articles, b.articles)
    pd.testing.assert_frame_equal(a.sentences, b.sentences)


def test_progress_bar_on_many_files(tmp_path, capsys):
    for i in range(30):
        _write(tmp_path / f"s{i:02d}.txt", f"Story {i}\n\nRwanda and Land{i} held talks on day {i} about trade and health cooperation.\n")
    load_corpus(tmp_path, progress=True)
    assert "diplokit: reading" in capsys.readouterr().err


def test_cleaning_catches_more_scraper_debris_but_not_body_text():
    import pandas as pd

    body = [
        "Comment expliquer ce revirement ? Les deux pays ont signé un accord de défense.",
        "Commenting on the deal, officials said trade would double.",
        "The talks ended with a joint statement on energy.",
    ]
    debris = ["12.4K views", "Vu 1\u00a0204 fois", "Like this:", "X (Twitter)", "Previous article", "Lire la suite"]
    text = "\n\n".join(["Kinshasa talks resume", body[0], debris[0], body[1], *debris[1:], body[2], "3 Comments", "Great post!"])
    c = diplokit.load_corpus(pd.DataFrame({"text": [text]}))
    assert c.articles["text"].item() == "\n\n".join(body)
    removed = c.removed.set_index("text")["reason"]
    assert set(debris) <= set(removed.index)
    assert removed["3 Comments"] == removed["Great post!"] == "comment section"


def test_datelines_with_lower_case_words_in_the_place_name():
    import pandas as pd

    texts = [
        "Dar es Salaam — Tanzania and Uganda signed the pipeline deal on Monday in the port city.",
        "Mocímboa da Praia — Residents returned to the town after the forces retook it last year.",
        "Rwanda and Uganda — long at odds — reopened the border on Monday after three years.",
    ]
    c = diplokit.load_corpus(pd.DataFrame({"text": texts}))
    assert c.articles["dateline"].tolist()[:2] == ["Dar es Salaam", "Mocímboa da Praia"]
    assert pd.isna(c.articles["dateline"].iloc[2]) and c.articles["text"].iloc[2] == texts[2]


def _load_page(lines: list[str]):
    """One scraped page (its lines joined by blank lines): its corpus, its article row, and
    the reason each removed line went, by the line's text."""
    c = diplokit.load_corpus(pd.DataFrame({"text": ["\n\n".join(lines)]}))
    return c, c.articles.iloc[0], c.removed.set_index("text")["reason"]


def _page(lines: list[str], **fields: str | None) -> pd.Series:
    """Load one page, check its article's fields (``title="..."``, ``byline=None`` for
    none, ...; a failure names the field) and return the reason of each removed line."""
    _, art, why = _load_page(lines)
    for field, want in fields.items():
        got = art[field]
        assert pd.isna(got) if want is None else got == want, f"{field}: {got!r}, expected {want!r}"
    return why


def _assert_removed_as(why: pd.Series, expected: dict[str, str]) -> None:
    """Each line was removed, for exactly the reason given; a failure names the line."""
    for line, reason in expected.items():
        assert line in why.index, f"not removed: {line!r}"
        assert why[line] == reason, f"{line!r}: {why[line]!r}, expected {reason!r}"


def test_page_furniture_around_the_headline_and_the_story():
    """Site name, tagline, menus, cookie prompts and a dated byline above the story; an
    author bio, a related list in the middle of the story, share and newsletter lines."""
    body = [
        "Ghana and Togo agreed on Monday to build a new border market near Aflao, officials from both countries said.",
        "The market is meant to ease trade for small traders who cross the border every day with goods for sale.",
        "Officials said construction would start next year, financed by a regional development bank and both treasuries.",
    ]
    lines = [
        "We use cookies to improve your experience. Accept all | Manage preferences",
        "Skip to main content",
        "COASTAL TRADE HERALD",
        "West Africa's business weekly",
        "News > Business > Trade",
        "Ghana and Togo agree to build a shared border market at Aflao",
        "Le 12 juin 2024 | Par Ama Mensah-Dupuis | 5 min de lecture",
        "Ama Mensah-Dupuis reports on trade in the Gulf of Guinea for the Herald.",
        "Photo: Traders at the Aflao crossing. / File",
        "Accra — " + body[0],
        body[1],
        "You may also like:",
        "Togo's parliament passes new constitution",
        "Benin and Nigeria reopen Seme border post",
        body[2],
        "Like this story? Share it: WhatsApp · Facebook · X",
        "Sign up for our Trade Briefing newsletter: news every Friday. Sign up",
        "© 2024 Coastal Trade Herald. All rights reserved.",
    ]
    c, art, why = _load_page(lines)
    assert art["text"] == "\n\n".join(body)
    assert art["title"] == "Ghana and Togo agree to build a shared border market at Aflao"
    assert (art["byline"], art["dateline"], str(art["date"].date())) == ("Ama Mensah-Dupuis", "Accra", "2024-06-12")
    _assert_removed_as(why, {
        "COASTAL TRADE HERALD": "header line above the story (site name, tagline or label)",
        "West Africa's business weekly": "header line above the story (site name, tagline or label)",
        "Ama Mensah-Dupuis reports on trade in the Gulf of Guinea for the Herald.": "author bio (starts with the byline's name)",
        "Benin and Nigeria reopen Seme border post": "related-stories list",
        "News > Business > Trade": "navigation or section menu",
    })
    # every line of the page is either in the text or in `removed` (the dateline, a prefix
    # of the first paragraph, has a row of its own as well)
    whole_lines = c.removed[~c.removed["reason"].str.startswith("dateline")]
    assert len(whole_lines) + len(body) == len(lines)


def test_related_list_at_the_end_still_takes_everything_below_it():
    import pandas as pd

    text = ("Rwanda and Kenya signed a trade deal on Monday after two days of talks in Nairobi.\n\n"
            "À lire également :\n\n› Uvira : la Monusco renforce ses patrouilles\n\n"
            "Réagissez à cet article (connectez-vous pour commenter)\n\nBravo à nos autorités, enfin une bonne nouvelle pour tous.")
    c = diplokit.load_corpus(pd.DataFrame({"text": [text]}))
    assert c.articles["text"].item() == text.split("\n\n")[0]
    why = c.removed.set_index("text")["reason"]
    assert why["› Uvira : la Monusco renforce ses patrouilles"] == "related-stories list"
    assert why["Bravo à nos autorités, enfin une bonne nouvelle pour tous."] == "comment section"


def test_dateline_with_an_agency_and_numeric_header_dates():
    import pandas as pd

    from diplokit.dates import parse_dates

    c = diplokit.load_corpus(pd.DataFrame({"text": [
        "KINSHASA, 18 septembre (Afrique Santé Presse) — Le Rwanda a lancé mardi la vaccination contre le mpox."]}))
    assert c.articles["dateline"].item() == "KINSHASA, 18 septembre (Afrique Santé Presse)"
    got = parse_dates(["Mis en ligne le 22.02.2025 – 09:10", "Publié le 20/02/2025 à 17h45", "Updated 02/20/2025"])
    assert [str(d.date()) for d in got] == ["2025-02-22", "2025-02-20", "2025-02-20"]


def test_rules_are_tried_on_short_lines_only():
    import pandas as pd

    from diplokit.cleaning import BoilerplateRules

    assert BoilerplateRules.load().rule_max_words == 60
    long_para = ("Officials said the new data rules, which follow a public consultation, require every site to say plainly "
                 "when we use cookies and why, and the minister told reporters that " + "the regulator would check compliance " * 8 + "next year.")
    assert len(long_para.split()) > 60
    text = "\n\n".join(["Rwanda and Kenya signed a data protection accord on Monday in Nairobi after long talks.",
                        long_para, "We use cookies to improve your experience. Accept all | Settings"])
    c = diplokit.load_corpus(pd.DataFrame({"text": [text]}))
    assert long_para in c.articles["text"].item()
    assert c.removed["reason"].tolist() == ["cookie or privacy prompt"]


def test_inline_read_also_lines_alerts_feedback_and_tickers():
    """A masthead and a standfirst around the headline; furniture inside and below the story: "Lire aussi" lines in several dress codes, a
    "most read this week" list, "More from <site>:", reader feedback, an advertising slot,
    SMS alerts, archive-photo captions, a price ticker; and a dated byline naming reporters."""
    body = [
        "Le Togo et le Bénin ont signé lundi à Lomé un accord sur la gestion commune de leur frontière.",
        "Les deux gouvernements veulent faciliter le passage des commerçants et des marchandises.",
        "Les travaux du nouveau poste frontalier commenceront l'an prochain, selon les ministres.",
    ]
    lines = [
        "GOLFE INFO — Le quotidien des deux rives",
        "Togo et Bénin s'entendent sur une gestion commune de leur frontière",
        "Les deux pays veulent fluidifier les échanges sur l'un des corridors commerciaux les plus fréquentés de toute l'Afrique de l'Ouest, selon leurs ministres",
        "Posted on March 4, 2024 by Desk — Reporting by Kossi Agbeko in Lomé and Ana Dossou in Cotonou",
        "ARCHIVES — Le poste frontalier de Hillacondji (photo Golfe Info)",
        body[0],
        ">> LIRE AUSSI : Ghana : le président reçoit son homologue ivoirien",
        "Lire aussi » Niger : la junte suspend les exportations de bétail",
        "À lire aussi : Mali : la transition prolongée",
        "Photo d'archives : des camions au poste de Sèmè / DR",
        "ESPACE PUBLICITAIRE — Votre annonce ici",
        body[1],
        "🎧 À réécouter",
        "— Sénégal : le budget 2025 adopté",
        body[2],
        "Cet article vous a été utile ? Oui / Non",
        "Recevez nos alertes par SMS : envoyez GOLFE au 8080",
        "COCOA $8,120 ▲1.2% | GOLD $2,310 ▼0.4%",
        "More from Golfe Info:",
        "> Kenya's president visits Addis Ababa",
        "Les articles les plus lus cette semaine",
        "1. Football : les Éperviers en stage à Lomé",
        "About the authors: Kossi Agbeko reports from Lomé. Ana Dossou covers Benin.",
    ]
    why = _page(lines, text="\n\n".join(body), title="Togo et Bénin s'entendent sur une gestion commune de leur frontière", byline="Desk")
    _assert_removed_as(why, {
        ">> LIRE AUSSI : Ghana : le président reçoit son homologue ivoirien": "read-more link",
        "Lire aussi » Niger : la junte suspend les exportations de bétail": "read-more link",
        "ARCHIVES — Le poste frontalier de Hillacondji (photo Golfe Info)": "photo caption or credit",
        "— Sénégal : le budget 2025 adopté": "related-stories list",
        "Cet article vous a été utile ? Oui / Non": "reader feedback prompt",
        "COCOA $8,120 ▲1.2% | GOLD $2,310 ▼0.4%": "market or score ticker",
        "About the authors: Kossi Agbeko reports from Lomé. Ana Dossou covers Benin.": "author bio",
    })


def test_bracketed_buttons_bios_lists_and_captions_around_a_wire_dateline():
    """A caption and a breadcrumb ahead of the headline, a newsletter box with bracketed
    buttons, a bio line without a "By" byline, a wire dateline with the month first; below
    the story: an ad slot in dotted rules, hashtags, share counters, "see also" and "most
    commented" lists, a reader-comment heading, a line of SEO words, a separator."""
    body = [
        "Kenya and Ethiopia agreed on Tuesday to extend their power line to a second substation near Moyale, officials said.",
        "The line, financed by a regional development bank, carries hydropower from Ethiopian dams to the Kenyan grid.",
        "Engineers from both utilities will survey the route next month, the energy ministry said in a statement.",
        "Critics said the contract covers too little maintenance, and the memorandum covers only five years.",
    ]
    lines = [
        "Vous êtes ici : International > Énergie",
        "(Photo) Pylons on the line north of Marsabit. Credit: Rift Energy Review",
        "Kenya and Ethiopia extend their cross-border power line to a second substation",
        "Get the Grid Letter every Monday: power, policy and prices.  [Enter your email]  [Subscribe]",
        "Wanjiru Kamau-Lindqvist, Nairobi",
        "Wanjiru Kamau-Lindqvist is our energy correspondent. She previously reported from Addis Ababa.",
        "NAIROBI, March 16 (Rift Energy Review) — " + body[0],
        body[1],
        "·········· ADVERTISEMENT ··········",
        "[ Publicité ]",
        body[2],
        body[3],
        "Partages : 2,4K | Facebook · X · WhatsApp",
        "Share on: Facebook – Twitter – LinkedIn – E-mail",
        "#Energy  #Kenya  #Ethiopia",
        "Thèmes : Kenya, Éthiopie, énergie",
        "--- Related coverage ---",
        "• Uganda opens bids for a refinery near Hoima",
        "Articles les plus commentés",
        "• Tanzanie : la Banque mondiale finance le port de Tanga",
        "LIRE AUSSI | Soudan du Sud : la production de pétrole reprend",
        "---",
        "kenya power news today cheap tokens nairobi best deals electricity bill calculator online free",
        "12 Responses to “Kenya and Ethiopia extend their line”",
        "Great news for the north, finally we will have power all day and night.",
        "Reply",
    ]
    why = _page(lines, text="\n\n".join(body), title="Kenya and Ethiopia extend their cross-border power line to a second substation", dateline="NAIROBI, March 16 (Rift Energy Review)")
    _assert_removed_as(why, {
        "Vous êtes ici : International > Énergie": "breadcrumb navigation",
        "(Photo) Pylons on the line north of Marsabit. Credit: Rift Energy Review": "photo caption or credit",
        "Get the Grid Letter every Monday: power, policy and prices.  [Enter your email]  [Subscribe]": "newsletter or subscription prompt",
        "Wanjiru Kamau-Lindqvist is our energy correspondent. She previously reported from Addis Ababa.": "author bio",
        "·········· ADVERTISEMENT ··········": "advertisement label",
        "[ Publicité ]": "advertisement label",
        "Partages : 2,4K | Facebook · X · WhatsApp": "share buttons or counter",
        "Share on: Facebook – Twitter – LinkedIn – E-mail": "share buttons or counter",
        "#Energy  #Kenya  #Ethiopia": "hashtag line",
        "Thèmes : Kenya, Éthiopie, énergie": "tag list",
        "• Uganda opens bids for a refinery near Hoima": "related-stories list",
        "• Tanzanie : la Banque mondiale finance le port de Tanga": "related-stories list",
        "LIRE AUSSI | Soudan du Sud : la production de pétrole reprend": "read-more link",
    })
    assert why["kenya power news today cheap tokens nairobi best deals electricity bill calculator online free"].startswith("SEO keyword line")
    _assert_removed_as(why, {
        "Great news for the north, finally we will have power all day and night.": "comment section",
        "Reply": "comment form text",
        "---": "separator line",
    })


def test_bio_and_caption_shapes_leave_story_sentences_alone():
    """Sentences that look a little like furniture but tell the story stay in the text."""
    import pandas as pd

    body = [
        "Rwanda and Kenya said on Monday that they would subscribe to the new protocol on data flows.",
        "Officials from Facebook and WhatsApp met the minister to discuss the rules (photo).",
        "Jean Dupont, a journalist arrested in Goma, is our concern, the union said in a statement on Monday.",
        "The agreement covers trade, energy and health, and its annex covers the customs procedures.",
        "the talks resumed late on monday in nairobi after the delegations agreed on an agenda for the week.",
    ]
    c = diplokit.load_corpus(pd.DataFrame({"text": ["\n\n".join(body)]}))
    assert c.articles["text"].item() == "\n\n".join(body)
    assert c.removed.empty


def test_standfirst_before_the_byline_masthead_over_a_menu_and_inline_prompts():
    """A masthead above the site's menu and a live-coverage banner, which are not the
    headline; a standfirst between the headline and the byline (the byline is taken and the
    dateline below it split, the standfirst stays as the first paragraph); a bio signed with
    the first name only; inline "Related:" and "RELATED: a | b" headlines, sponsored and
    continue-reading lines, messaging and newsletter prompts, a "comment on this article"
    heading and a "most shared" list."""
    standfirst = "Accra and Lomé want the new market open before the cocoa season, officials from both sides said."
    body = [
        "Ghana and Togo agreed on Monday to build a new border market near Aflao, officials from both countries said.",
        "The market is meant to ease trade for small traders who cross the border every day with goods for sale.",
        "Par ailleurs, le ministre togolais a salué un accord.",
        "Officials said work would start next year, financed by a regional development bank and both treasuries.",
    ]
    lines = [
        "Gulf Coast Ledger — Trade news for West African markets",
        "Home / Trade / Borders",
        "Breaking: Live updates from the border talks in Aflao",
        "Ghana and Togo agree to build a joint border market near Aflao",
        standfirst,
        "By Kofi Mensah-Lawson",
        "Kofi reports on trade and borders in West Africa.",
        "AFLAO — " + body[0],
        "Related: Nigeria reopens its land borders to goods from Benin",
        body[1],
        "RELATED: Senegal's port expands | Côte d'Ivoire cuts cocoa levies",
        "Sponsored content: Move your cargo from Tema to Ouagadougou — ask for a quote today.",
        "Advertisement - Continue reading below",
        body[2],
        "Never miss a story: get our Morning Brief on WhatsApp. Tap here to join.",
        "Get the Borders Brief in your inbox every weekday morning. [Subscribe now]",
        "Inscrivez-vous à notre lettre d'information et recevez chaque jour l'essentiel.",
        body[3],
        "Articles les plus partagés",
        "Bénin : Patrice Talon inaugure un port sec",
        "Comment on this article: Comments are moderated and will appear once approved.",
        "Finally some good news for the traders of Aflao and Lomé.",
    ]
    why = _page(
        lines,
        title="Ghana and Togo agree to build a joint border market near Aflao",
        byline="Kofi Mensah-Lawson",
        dateline="AFLAO",
        text="\n\n".join([standfirst, *body]),
    )
    assert why["Gulf Coast Ledger — Trade news for West African markets"].startswith("header line")
    _assert_removed_as(why, {
        "Breaking: Live updates from the border talks in Aflao": "breaking-news or live-coverage banner",
        "Kofi reports on trade and borders in West Africa.": "author bio (starts with the byline's name)",
        "Related: Nigeria reopens its land borders to goods from Benin": "read-more link",
        "RELATED: Senegal's port expands | Côte d'Ivoire cuts cocoa levies": "read-more link",
        "Sponsored content: Move your cargo from Tema to Ouagadougou — ask for a quote today.": "advertisement label",
        "Advertisement - Continue reading below": "advertisement label",
    })
    for prompt in (
        "Never miss a story: get our Morning Brief on WhatsApp. Tap here to join.",
        "Get the Borders Brief in your inbox every weekday morning. [Subscribe now]",
        "Inscrivez-vous à notre lettre d'information et recevez chaque jour l'essentiel.",
    ):
        assert why[prompt] == "newsletter or subscription prompt"
    assert why["Bénin : Patrice Talon inaugure un port sec"] == "related-stories list"
    assert why["Finally some good news for the traders of Aflao and Lomé."] == "comment section"


def test_a_paragraph_after_the_first_is_not_a_byline_or_a_bio():
    """Only a short "By <Name>" line right below the first paragraph is a byline (a
    paragraph "Par ailleurs, ..." is not, with or without its full stop); a first-name bio
    needs the byline's first name and a bio verb."""
    body = [
        "Ghana and Togo agreed on Monday to build a new border market near Aflao, officials from both countries said.",
        "Par ailleurs, le Togo a signé un accord",
        "Traders said the market would cut the time they spend at the border by half.",
    ]
    _page(["Ghana and Togo agree to build a border market", *body], text="\n\n".join(body), byline=None, dateline=None)

    body = [
        "Ghana and Togo agreed on Monday to build a new border market near Aflao, officials from both countries said.",
        "Kofi Annan's foundation welcomed the market, and Kofi is a common name in the region.",
        "Traders said the market would cut the time they spend at the border by half.",
    ]
    _page(["Ghana and Togo agree to build a border market", "By Kofi Mensah", *body], byline="Kofi Mensah", text="\n\n".join(body))


def test_short_standfirst_caption_above_the_headline_and_prompts_seen_on_set_g():
    """A standfirst shorter than 18 words under a plain headline is not the title (it is
    kept aside as the standfirst); a photo caption ending in "Photo d’archives / <site>"
    above the headline is a caption; a dateline opening the paragraph under a standfirst is
    split; curly apostrophes match rules written with straight ones; "ALSO ON <SITE>:",
    labelled hashtags, a share line with hyphens, a newsletter box with its button, a
    "most consulted" list, an inbox prompt, a tip-line prompt."""
    standfirst = "Le ministre ghanéen promet des fonds pour les écoles techniques des deux pays"
    body = [
        "Il s'agit de la première visite d'un ministre ghanéen à Lomé depuis deux ans, a indiqué la présidence.",
        "Les deux pays veulent former ensemble des techniciens pour les ports d'Accra et de Lomé.",
        "Le programme doit commencer à la rentrée prochaine, selon le ministère de l'Éducation.",
    ]
    lines = [
        "Le port autonome de Lomé, où les deux ministres se sont rendus mardi. Photo d’archives / Golfe Matin",
        "Le Ghana et le Togo lancent une école commune des métiers portuaires",
        standfirst,
        "Lomé — " + body[0],
        "ALSO ON GOLFE MATIN: Nigeria and Benin sign a customs accord",
        body[1],
        "Trending now: #Lome #Accra #Ports",
        "Partagez : Facebook - Twitter - WhatsApp - E-mail",
        "Restez informés ! Recevez chaque matin la lettre de Golfe Matin. Votre e-mail | Valider",
        "Golfe Matin Premium : toutes nos enquêtes sur les ports. S’abonner",
        body[2],
        "Sign up for the Ports Brief — delivered to your inbox every Monday.",
        "Do you have a story for us? Contact the newsroom on WhatsApp.",
        "À propos de l’auteur : Kossi Agbeko couvre les ports du golfe de Guinée depuis Lomé.",
        "LES PLUS CONSULTÉS",
        "1. Bénin : Patrice Talon inaugure un port sec",
    ]
    why = _page(lines, title="Le Ghana et le Togo lancent une école commune des métiers portuaires", dateline="Lomé", text="\n\n".join(body))
    subscribe = "newsletter or subscription prompt"
    _assert_removed_as(why, {
        "Le port autonome de Lomé, où les deux ministres se sont rendus mardi. Photo d’archives / Golfe Matin": "photo caption or credit",
        standfirst: "standfirst (the summary under the headline, above the story)",
        "ALSO ON GOLFE MATIN: Nigeria and Benin sign a customs accord": "read-more link",
        "Trending now: #Lome #Accra #Ports": "hashtag line",
        "Partagez : Facebook - Twitter - WhatsApp - E-mail": "share prompt",
        "Restez informés ! Recevez chaque matin la lettre de Golfe Matin. Votre e-mail | Valider": subscribe,
        "Golfe Matin Premium : toutes nos enquêtes sur les ports. S’abonner": subscribe,
        "Sign up for the Ports Brief — delivered to your inbox every Monday.": subscribe,
        "Do you have a story for us? Contact the newsroom on WhatsApp.": "contact prompt",
        "À propos de l’auteur : Kossi Agbeko couvre les ports du golfe de Guinée depuis Lomé.": "author bio",
        "LES PLUS CONSULTÉS": "related-stories list",
        "1. Bénin : Patrice Talon inaugure un port sec": "related-stories list",
    })


def test_a_headline_over_a_short_standfirst_needs_no_separators():
    """A menu-like line above a short summary line ("Ports & Logistics / East Africa") is
    not taken for the headline: the longer line stays the title."""
    body = ["Tanzania signed a long-term lease of two berths at Dar es Salaam port with an operator from the Gulf on Sunday."]
    _page(["Ports & Logistics / East Africa", "Tanzania hands a Gulf operator control of key berths", *body], title="Tanzania hands a Gulf operator control of key berths")
    why = _page(["Tanzania leases port berths to Gulf firm", "The deal covers two berths for thirty years, the ministry says", *body], title="Tanzania leases port berths to Gulf firm")
    assert why["The deal covers two berths for thirty years, the ministry says"].startswith("standfirst")


def test_a_dateline_under_a_standfirst_paragraph_is_split():
    """A first paragraph of standfirst length without a dateline, then the story opening
    with one ("Kasane — ..."): the dateline is split from the second paragraph; a longer
    first paragraph keeps the second paragraph's start as text."""
    standfirst = "Le nouveau pont doit réduire l'attente des camions. Les deux présidents l'ont inauguré lundi."
    story = "Les camions attendaient parfois trois jours au bord du fleuve avant de traverser vers la Zambie."
    why = _page(["Un pont relie le Botswana et la Zambie", standfirst, "Kasane — " + story], dateline="Kasane", text=standfirst + "\n\n" + story)
    assert why["Kasane —"] == "dateline (moved to the dateline column)"
    long_first = " ".join([standfirst] * 6)
    _page(["Un pont relie le Botswana et la Zambie", long_first, "Kasane — " + story], dateline=None, text=long_first + "\n\nKasane — " + story)


def test_banner_over_the_headline_and_a_dated_byline_under_a_standfirst():
    """A "BREAKING  <headline>" banner in capitals is not the title ("Breaking the
    deadlock: ..." is); under a standfirst, a byline with its date and reading time after a
    separator is the byline, and a date line below a byline is the date; a poll, box-drawing
    rules and an advertisement label between arrows go."""
    standfirst = "Le Japon voulait un rendez-vous économique. La visite d'un dirigeant l'a changé en affaire diplomatique."
    body = [
        "La conférence s'est achevée dimanche à Tunis sur une déclaration finale adoptée par les délégations.",
        "Les deux capitales ont rappelé leurs ambassadeurs pour consultations, selon les agences officielles.",
    ]
    lines = [
        "BREAKING  Tunisie : le sommet s'achève sur une brouille",
        "La conférence de Tunis s'achève sur une crise entre deux voisins",
        standfirst,
        "Par Salma Ben Youssef | 28 août 2022 - 21:15 | Lecture 5 min",
        "Tunis — " + body[0],
        "━━━━━━━━━━━━━━━━━━━━",
        "▶ PUBLICITÉ ◀",
        "━━━━━━━━━━",
        "POLL: Should the two neighbours talk again?  ○ Yes  ○ No  ○ Not sure   [Vote]",
        body[1],
    ]
    why = _page(
        lines,
        title="La conférence de Tunis s'achève sur une crise entre deux voisins",
        byline="Salma Ben Youssef",
        dateline="Tunis",
        text="\n\n".join([standfirst, *body]),
    )
    _assert_removed_as(why, {
        "BREAKING  Tunisie : le sommet s'achève sur une brouille": "breaking-news or live-coverage banner",
        "━━━━━━━━━━━━━━━━━━━━": "separator line",
        "━━━━━━━━━━": "separator line",
        "▶ PUBLICITÉ ◀": "advertisement label",
        "POLL: Should the two neighbours talk again?  ○ Yes  ○ No  ○ Not sure   [Vote]": "reader poll",
    })

    standfirst = "The French group has pulled all staff from the site, putting the project on hold."
    story = "French energy group Total declared force majeure on its gas project on Monday, officials said."
    page = ["Total halts gas project after attack", standfirst, "By Ana Chissano", "27 April 2021 · Updated 11:05 CAT", "Maputo — " + story]
    why = _page(page, byline="Ana Chissano", dateline="Maputo", text=standfirst + "\n\n" + story)
    assert why["27 April 2021 · Updated 11:05 CAT"] == "date line (moved to the date column)"
    _page(["Breaking the deadlock: Ghana and Togo agree on a border market", story], title="Breaking the deadlock: Ghana and Togo agree on a border market")


def test_lowercase_tagline_two_author_bio_bilingual_read_also_and_reactions():
    """A site's name with a lower-case tagline ("Prétoire Info – l'actualité ...") is not
    the headline, even above a long one; a bio of two authors; a bilingual "Lire aussi /
    Read also:" list and a "YOUR REACTIONS (12)" comment block."""
    headline = "Génocide : un ancien médecin condamné à vingt ans de réclusion par la cour d'assises de Paris mercredi soir"
    body = [
        "Paris — La cour d'assises de Paris a condamné mercredi soir un ancien médecin à vingt ans de réclusion.",
        "Les parties civiles ont salué une décision attendue depuis près de trente ans, selon leurs avocats.",
    ]
    lines = [
        "Accueil / Justice / Procès",
        "Palais Info – l'actualité judiciaire au quotidien",
        headline,
        body[0],
        "Lire aussi / Read also:",
        "- Seychelles: President hosts navy chief in Victoria",
        body[1],
        "Karim Saleh est correspondant de Palais Info au Caire. Deniz Aras couvre la diplomatie turque depuis Ankara.",
        "YOUR REACTIONS (12)",
        "Kreol_Patriot: Finally!",
    ]
    why = _page(lines, title=headline, dateline="Paris", text=body[0][len("Paris — "):] + "\n\n" + body[1])
    _assert_removed_as(why, {
        "Palais Info – l'actualité judiciaire au quotidien": "header line above the story (site name, tagline or label)",
        "Lire aussi / Read also:": "related-stories list",
        "- Seychelles: President hosts navy chief in Victoria": "related-stories list",
        "Karim Saleh est correspondant de Palais Info au Caire. Deniz Aras couvre la diplomatie turque depuis Ankara.": "author bio",
        "YOUR REACTIONS (12)": "comment section",
        "Kreol_Patriot: Finally!": "comment section",
    })


def test_domain_header_two_place_dateline_byline_with_bio_and_inline_furniture_seen_on_set_j():
    """A site header that opens with the domain name is not the headline; a dateline of two
    places ("LOMÉ / COTONOU, Mar 3 —"); under a standfirst, a byline with the place it was
    filed from and a one-line bio after a dash; a bilingual advertisement label, "Related
    tags:", "Don't miss a story", an inline "Popular now:" list and a cookie banner with its
    buttons go."""
    headline = "Togo and Benin reopen their coastal border to traders after two years"
    body = [
        "Customs officers on both sides reopened the main crossing on Friday, and the first lorries passed before noon.",
        "Traders said the closure had cut their sales by half and pushed many to use informal paths through the lagoon.",
    ]
    lines = [
        "coastwatch.example | West Africa · Trade · Politics",
        headline,
        "LOMÉ / COTONOU, Mar 3 — " + body[0],
        "Publicité / Advertisement",
        body[1],
        "Related tags: Togo, Benin, borders, trade",
        "Don't miss a story: join our channel on your phone",
        "Popular now: 1. Port fees rise again | 2. New coach for the national team",
        "Cookies keep this site running. Learn more | OK",
    ]
    why = _page(lines, title=headline, dateline="LOMÉ / COTONOU, Mar 3", text="\n\n".join(body))
    _assert_removed_as(why, {
        "coastwatch.example | West Africa · Trade · Politics": "navigation or section menu",
        "Publicité / Advertisement": "advertisement label",
        "Related tags: Togo, Benin, borders, trade": "tag list",
        "Don't miss a story: join our channel on your phone": "newsletter or subscription prompt",
        "Popular now: 1. Port fees rise again | 2. New coach for the national team": "read-more link",
        "Cookies keep this site running. Learn more | OK": "cookie or privacy prompt",
    })

    standfirst = "Les autorités sanitaires durcissent les contrôles. Les pays voisins suivent la situation de près."
    story = "Le gouvernement a ordonné samedi la fermeture des marchés de deux districts pour trois semaines."
    page = ["Épidémie : deux districts fermés", standfirst, "Par Awa Traoré, à Bamako — Journaliste santé, ancienne correspondante à Mopti.", "Bamako — " + story]
    why = _page(page, byline="Awa Traoré", dateline="Bamako", text=standfirst + "\n\n" + story)
    assert why["Par Awa Traoré, à Bamako — Journaliste santé, ancienne correspondante à Mopti."] == "byline (moved to the byline column)"
    # a story sentence with a dash after "Par" is not a byline
    text = "Par ailleurs, à Bamako — selon des témoins — les écoles restent ouvertes jusqu'à nouvel ordre."
    _page(["Épidémie : deux districts fermés", standfirst, text], byline=None)


def test_image_credit_dated_byline_read_also_on_a_site_and_prompts_seen_on_set_k():
    """"Crédit image :" is a caption, not the headline; under a standfirst, a byline with
    a place and its dates after separators is the byline even when long; a "À LIRE AUSSI
    SUR <SITE>" heading takes its bulleted headlines; a moderation notice, a subscription
    appeal, cookie banners with their buttons and "Reader comments (n)" with the comments
    under it go."""
    headline = "Le port de Cotonou ouvre un terminal pour les céréales du Sahel"
    standfirst = "Le nouveau quai doit réduire l'attente des camions. Les opérateurs sahéliens suivent le projet de près."
    body = [
        "Le gouvernement béninois a inauguré mardi un terminal réservé aux céréales destinées au Niger et au Burkina.",
        "Les transporteurs espèrent que les délais de chargement passeront de plusieurs jours à quelques heures.",
    ]
    lines = [
        "Accueil / Économie / Ports",
        headline,
        "Crédit image : un cargo au large de Cotonou (DR)",
        standfirst,
        "Écrit par Afi Mensah – Cotonou | Publié le 4 mars 2024 | Mis à jour le 5 mars 2024",
        "Cotonou — " + body[0],
        "Vous aimez nos articles ? Soutenez le journalisme indépendant en vous abonnant.",
        body[1],
        "À LIRE AUSSI SUR PORTINFO",
        "■ Togo : le port de Lomé bat un record de conteneurs",
        "⚠ Les commentaires sont modérés. Tout propos injurieux sera supprimé.",
        "Cookies : nous utilisons des traceurs pour mesurer l'audience. Tout accepter | Personnaliser",
    ]
    why = _page(lines, title=headline, byline="Afi Mensah", dateline="Cotonou", text="\n\n".join([standfirst, *body]))
    _assert_removed_as(why, {
        "Crédit image : un cargo au large de Cotonou (DR)": "photo caption or credit",
        "Écrit par Afi Mensah – Cotonou | Publié le 4 mars 2024 | Mis à jour le 5 mars 2024": "byline (moved to the byline column)",
        "Vous aimez nos articles ? Soutenez le journalisme indépendant en vous abonnant.": "newsletter or subscription prompt",
        "À LIRE AUSSI SUR PORTINFO": "related-stories list",
        "■ Togo : le port de Lomé bat un record de conteneurs": "related-stories list",
        "⚠ Les commentaires sont modérés. Tout propos injurieux sera supprimé.": "comment form text",
        "Cookies : nous utilisons des traceurs pour mesurer l'audience. Tout accepter | Personnaliser": "cookie or privacy prompt",
    })
    story = "Ghana's parliament approved the lease on Tuesday after a short debate, officials said."
    page = [
        "Ghana approves its first lithium lease",
        story,
        "Cookies help us run this site. By using it you accept our use of cookies. [Got it]",
        "Reader comments (2)",
        "Kwesi_A: About time.",
    ]
    why = _page(page, text=story)
    _assert_removed_as(why, {
        "Cookies help us run this site. By using it you accept our use of cookies. [Got it]": "cookie or privacy prompt",
        "Reader comments (2)": "comment section",
        "Kwesi_A: About time.": "comment section",
    })
