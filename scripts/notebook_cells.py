"""The cells of every notebook in notebooks/ (see make_notebooks.py). ("md"|"code", source)."""
from __future__ import annotations

SETUP = """
import diplokit
from diplokit.notebook import setup

setup()
corpus = diplokit.load_corpus()   # the bundled corpus in data/corpus
ann = diplokit.annotate(corpus)
corpus, ann
"""

TOUR = [
    ("md", """
# A tour of diplokit

diplokit turns a folder of scraped diplomatic news into tidy tables — one row per article,
per sentence, per mention — and lets you explore **which sectors** stories mention,
**which actors appear together** and **which cooperation themes** dominate, with every
number traceable to the sentence it came from.

This tour uses the small corpus bundled in `data/corpus`: short stories written by the
diplokit team in their own words about publicly reported diplomatic events from 2019 to
2026, in English and French (see `data/README.md`). Point `load_corpus` at your own folder
to do the same with yours (notebook 05).
"""),
    ("code", SETUP),
    ("md", """
## One row per article

`load_corpus` decodes, cleans (breadcrumbs, counters, share prompts, comment sections and
SEO spam go to `corpus.removed`), splits sentences and drops duplicates. Title, byline,
dateline, date, source and language each get a column.
"""),
    ("code", """
corpus.articles[["path", "title", "date", "source", "lang", "n_sentences"]].head(8)
"""),
    ("code", """
corpus.articles.groupby("lang").size().rename("stories").to_frame().T
"""),
    ("md", """
## One row per mention, traceable to its sentence

`annotate` finds people, countries and organisations with lexicons you can read and extend
(`diplokit/lexicons/`): "President Touadéra", "Touadera" and "Faustin-Archange Touadéra"
are one person; "Bangui and Kigali agreed" counts for the two governments; "Rwandan
troops" counts for Rwanda. Each mention carries its article, sentence and character offsets.
"""),
    ("code", """
ann.mentions[["article_id", "sentence_id", "start", "end", "surface", "entity_name", "entity_type", "match"]].head(10)
"""),
    ("code", """
from diplokit.evidence import trace

trace(corpus, ann.mentions.iloc[0])   # the article text at the mention's offsets, and its sentence
"""),
    ("md", """
## Who is in the news?

The most mentioned actors across the corpus (one count per article).
"""),
    ("code", """
from diplokit import figures
from diplokit.cooccurrence import actor_counts

top = actor_counts(ann).head(15)
figures.ranked_bar(top.set_index("name")["articles"], "Most mentioned actors", "stories", "actor").show()
"""),
    ("md", """
## What the bundled corpus shows

Rwanda is in 29 of the 42 stories and Paul Kagame in 20: the corpus follows Rwanda's
diplomacy. The African Union (13 stories) and the DRC (10) come
next, with France and the UN (8 each) — the DRC through the M23 crisis and the Washington
and Doha talks. Thirteen stories do not involve Rwanda at all (the AfCFTA launch, the Nile
dam talks, the Sahel alliance, Senegal–Mauritania gas, FOCAC…), so the explorers have
something to compare against.
"""),
    ("md", """
## Where to next

- **01 — corpus and cleaning**: what was loaded, what was removed and why, bad input.
- **02 — sectors**: which sectors stories mention, by country and over time, with an explorer.
- **03 — co-occurrence**: who appears with whom; network, NPMI, the sentences behind an edge.
- **04 — cooperation themes**: visits, talks, agreements, aid, deployments, friction; and
  themes the lexicons do not know.
- **05 — bring your own articles**: load your stories, grow the lexicons.
"""),
]

CLEANING = [
    ("md", """
# 01 — The corpus and its cleaning

Nothing is lost and nothing is silent: every input becomes an article or a row in
`corpus.report` with a reason, and every line removed from a story is kept in
`corpus.removed` with the rule that removed it. This notebook shows both on the bundled
corpus, then on a folder of broken files.
"""),
    ("code", SETUP),
    ("code", """
corpus.report["status"].value_counts().to_frame()
"""),
    ("md", """
## What cleaning removed

Boilerplate rules live in `diplokit/lexicons/boilerplate.yaml` (readable regular
expressions with a reason each). Lines of kind `metadata` (title, byline, date line,
dateline) were moved to their columns rather than thrown away.
"""),
    ("code", """
corpus.removed.groupby(["kind", "reason"]).size().rename("lines").to_frame()
"""),
    ("md", """
A story saved the way scrapers save pages: the lines taken out, in order, with their reason.
"""),
    ("code", """
web = corpus.articles.loc[corpus.articles["path"].str.startswith("web_"), ["article_id", "path", "title"]]
first = web.iloc[0]
print(first["path"], "—", first["title"])
corpus.removed.loc[corpus.removed["article_id"] == first["article_id"], ["line_no", "text", "reason"]]
"""),
    ("code", """
print(corpus.articles.set_index("article_id").loc[first["article_id"], "text"][:600])
"""),
    ("md", """
## Sentences keep their offsets

`articles.text[start:end]` is the sentence, so any count can be traced back. Abbreviations
("Gen.", "Dr.", "U.S.", "No. 5") and decimals do not split sentences.
"""),
    ("code", """
s = corpus.sentences
text = corpus.articles.set_index("article_id")["text"]
all(text[a][b:c] == t for a, b, c, t in zip(s["article_id"], s["start"], s["end"], s["text"]))
"""),
    ("code", """
s[["article_id", "sentence_id", "start", "end", "text"]].head(5)
"""),
    ("md", """
## Bad input gets a reason, not a traceback

`write_broken_examples` writes one good story next to a binary file, an empty file, a
JSONL file with a malformed line, a CSV without a text column, a slide deck and a 12 MB
file. The good stories load; each bad one gets a report row and there is one summary
warning.
"""),
    ("code", """
import tempfile
from pathlib import Path
from diplokit.samples import write_broken_examples

with tempfile.TemporaryDirectory() as tmp:
    write_broken_examples(tmp)
    broken = diplokit.load_corpus(tmp)
broken.report[["origin", "status", "reason"]]
"""),
    ("md", """
## What this shows

All 42 bundled stories loaded; none was a duplicate. Cleaning removed 100 lines of
boilerplate — related-stories lists are the largest share (30 lines), then comment
sections, share prompts, breadcrumbs, counters and 8 lines of glued SEO spam — and moved
42 titles, 25 bylines and 30 datelines to their columns. Every sentence's offsets give
back its text exactly. In the broken folder, the good story and the valid JSONL line load;
the seven bad inputs each get one report row and a reason, and the load emits a single
summary warning.
"""),
]

SECTORS = [
    ("md", """
# 02 — Sector mentions

Which sectors do the stories mention — security, peacekeeping, trade, energy, health,
mining, aviation…? A sector is mentioned when a sentence contains one of its cues
(`diplokit/lexicons/sectors.yaml`, English and French). Counts below are stories (an
article counts once per sector), so long stories do not dominate.
"""),
    ("code", SETUP),
    ("code", """
from diplokit import figures
from diplokit.sector_stats import sector_matrix, sector_shares, sector_evidence

labels = ann.lexicon.labels("sectors")   # sector id -> label, for the figures
by_article = sector_matrix(ann, corpus, by="article", value="articles")
by_article.sum().sort_values(ascending=False).rename("stories").to_frame().T
"""),
    ("code", """
totals = by_article.sum().sort_values(ascending=False).rename(index=labels)
figures.ranked_bar(totals, "Stories mentioning each sector", "stories", "sector").show()
"""),
    ("md", """
## Sectors by country

Rows are the countries a story mentions (directly, or through a person or a national
body such as the Rwanda Defence Force); the 12 most covered are shown.
"""),
    ("code", """
by_country = sector_matrix(ann, corpus, by="country", value="articles")
top_countries = by_country.sum(axis=1).sort_values(ascending=False).head(12).index
figures.heatmap(by_country.loc[top_countries], "Stories per sector and country", "sector", "country", "stories", labels=labels).show()
"""),
    ("md", """
## Over time

The share of stories per year that mention each sector.
"""),
    ("code", """
shares = sector_shares(ann, corpus, freq="Y")
figures.timeline(shares, "Share of stories mentioning each sector, per year", labels=labels, top=6).show()
"""),
    ("md", """
## The sentences behind a number

Every cell traces back to sentences. The health stories, newest first, cue highlighted:
"""),
    ("code", """
sector_evidence(corpus, ann, "health", limit=5)[["date", "source", "title", "sentence"]]
"""),
    ("md", """
## Explore

The explorer below filters by date, language, source, country and sector; click a cell to
read the sentences behind it in the evidence panel. (In the shared HTML report there is
no kernel; the static view after it keeps plotly's own dropdown and hover evidence.)
"""),
    ("code", """
from diplokit.explorers import SectorExplorer

explorer = SectorExplorer(corpus, ann)
explorer
"""),
    ("code", """
explorer.set_filters(countries=["RWA"])
explorer.select("security_defence", country="CAF")[["date", "title", "sentence"]].head(5)
"""),
    ("code", """
explorer.static_figure().show()
"""),
    ("md", """
## What the bundled corpus shows

- Besides diplomacy itself (37 of 42 stories), **security & defence** (27), **trade** (27)
  and **economy & investment** (25) lead; aviation (3), peacekeeping (7) and environment
  (7) are the rarest.
- Rwanda's 29 stories are security-heavy (19) but just as often about trade (17) and
  **education & training** (17): training soldiers, police and civil servants is a
  recurring strand of its partnerships (Central African Republic, Mozambique, Benin).
- Stories naming the DRC are dominated by security (9 of 10) and humanitarian concerns
  (5); stories naming France carry justice (5) and health (5) — the 2021 reset over the
  history of the genocide, and vaccine doses.
- Every cell of the explorer opens on the sentences behind it; the static view above keeps
  one heatmap per year for readers of the HTML report.
"""),
]

COOC = [
    ("md", """
# 03 — Who appears with whom

Two actors co-occur when a story (or a sentence) mentions both. Raw counts favour actors
that are everywhere; **Jaccard** and **NPMI** (normalised pointwise mutual information,
−1…1; 0 means "as often as chance") show pairs that go together more than their
frequency alone explains.
"""),
    ("code", SETUP),
    ("code", """
from diplokit import figures
from diplokit.cooccurrence import cooccurrence, network, pair_evidence, to_graphml

edges = cooccurrence(ann, level="article", min_count=2)
edges.sort_values(["count", "entity_a", "entity_b"], ascending=[False, True, True]).head(10)
"""),
    ("md", """
## Countries together in the same sentence

A sentence window is stricter than a story: "Rwanda and Mozambique signed…" counts, a
story that mentions Russia in one paragraph and Benin in another does not.
"""),
    ("code", """
countries = cooccurrence(ann, level="sentence", min_count=2, entity_types="country")
countries.sort_values(["npmi", "count"], ascending=False).head(10)[["name_a", "name_b", "count", "jaccard", "npmi"]]
"""),
    ("code", """
nodes, net_edges = network(countries, ann, measure="count")
figures.network_figure(nodes, net_edges, "Countries mentioned in the same sentence (≥ 2 sentences)").show()
"""),
    ("md", """
## Behind an edge

The sentences that make the Rwanda–DRC edge, newest first:
"""),
    ("code", """
pair_evidence(corpus, ann, "RWA", "COD", limit=6)[["date", "source", "title", "sentence"]]
"""),
    ("md", """
## Take the network elsewhere

GraphML opens in Gephi, Cytoscape or networkx; CSV in anything.
"""),
    ("code", """
import tempfile
from pathlib import Path
import networkx as nx

with tempfile.TemporaryDirectory() as tmp:
    g = nx.read_graphml(to_graphml(nodes, net_edges, Path(tmp) / "countries.graphml"))
g.number_of_nodes(), g.number_of_edges()
"""),
    ("md", """
## Explore

Measure, window, actor types and minimum count are controls; click a cell to read the
sentences behind the pair.
"""),
    ("code", """
from diplokit.explorers import CooccurrenceExplorer

explorer = CooccurrenceExplorer(corpus, ann)
explorer
"""),
    ("code", """
explorer.select("RWA", "CAF")[["date", "title", "sentence"]].head(5)
"""),
    ("code", """
explorer.static_figure().show()
"""),
    ("md", """
## What the bundled corpus shows

- Rwanda and Paul Kagame appear together in 20 stories, but the raw count mostly says that
  both are everywhere (NPMI 0.50). The DRC–Rwanda pair is the most frequent pair of
  countries (9 stories); the DRC with Félix Tshisekedi and with M23 (7 each, NPMI 0.80)
  are among the tightest associations.
- In the same **sentence**, the highest-NPMI country pairs are tight regional clusters:
  Burkina Faso–Niger–Mali (the Sahel states' alliance), Gabon–Togo, Egypt–Sudan (the Nile
  dam), Senegal–Mauritania (a shared gas field), Russia–Ukraine.
- Rwanda and the African Union co-occur in 8 stories yet have a negative NPMI: the AU
  appears in Rwanda's stories *less* than its overall frequency would predict — it is the
  setting of the continental stories rather than of Rwanda's bilateral ones.
"""),
]

THEMES = [
    ("md", """
# 04 — Cooperation themes

Two views of "what kind of cooperation is this":

1. **Event types from the lexicon** (`diplokit/lexicons/events.yaml`, mapped to CAMEO root
   codes): visit, meeting/talks, agreement signed, support/aid, joint statement or
   commitment, plan announced, military deployment, criticism/tension. Each event row
   keeps its sentence, cue and the actors in that sentence.
2. **Themes discovered beyond the lexicons**: TF-IDF + NMF (fixed seed) over the stories,
   with top terms and story weights — what the lexicons miss.
"""),
    ("code", SETUP),
    ("code", """
from diplokit import figures
from diplokit.themes import event_table, event_evidence, discover_themes, theme_evidence

events = event_table(ann, corpus, by="article", value="articles")
events.sum().sort_values(ascending=False).rename("stories").to_frame().T
"""),
    ("md", """
## Event types per country pair

Dyads are the country pairs a story is about (pairs co-mentioned in its sentences).
"""),
    ("code", """
by_dyad = event_table(ann, corpus, by="dyad", value="articles")
top_dyads = by_dyad.sum(axis=1).sort_values(ascending=False).head(10).index
labels = ann.lexicon.labels("events")
figures.heatmap(by_dyad.loc[top_dyads], "Stories per event type and country pair", "event type", "country pair", "stories", labels=labels).show()
"""),
    ("code", """
ann.events[["event_type", "cameo_root", "cue", "actor_names"]].head(8)
"""),
    ("md", """
## Friction, sentence by sentence
"""),
    ("code", """
event_evidence(corpus, ann, "criticism_tension", limit=6)[["date", "title", "sentence"]]
"""),
    ("md", """
## Themes the lexicons do not name
"""),
    ("code", """
model = discover_themes(corpus, n_themes=10, seed=0)
model.terms.pivot(index="rank", columns="theme", values="term").head(8)
"""),
    ("code", """
theme_evidence(corpus, model, 0, limit=5)[["title", "weight"]]
"""),
    ("md", """
## Explore
"""),
    ("code", """
from diplokit.explorers import ThemeExplorer

explorer = ThemeExplorer(corpus, ann, themes=model)
explorer
"""),
    ("code", """
explorer.static_figure().show()
"""),
    ("md", """
## What the bundled corpus shows

- **Meetings and talks** (34 of 42 stories) and **signed agreements** (31) are the most
  common event types; **criticism and tension** appears in 19 stories.
- The pairs differ in kind: DRC–Rwanda stories are talks (5), commitments (5) and
  friction (criticism in 4); every Central African Republic–Rwanda (3) and
  Mozambique–Rwanda (2) story reports a military deployment, and the Mozambique ones no
  friction at all.
- The discovered themes find what no event type names: the UK–Rwanda asylum partnership,
  vaccine manufacturing (BioNTech), Cabo Delgado, Ethiopia's power exports, Tanzania's
  oil pipeline. One theme gathers French stories ("rwandais", "afrique"): TF-IDF themes
  split by language, so filter by language (`articles=`) before reading themes of a
  mixed corpus.
"""),
]

BYO = [
    ("md", """
# 05 — Bring your own articles

`load_corpus` takes a folder (recursive), a file, a list of paths or a DataFrame with a
`text` column. Files can be `.txt`, `.html`, `.jsonl`, `.csv` or `.parquet`; a
`metadata.csv` beside text files adds date, source, url and language. Here: a DataFrame of
three invented stories, as you might paste them.
"""),
    ("code", """
import diplokit
from diplokit.notebook import setup
from diplokit.samples import own_stories

setup()
mine = diplokit.load_corpus(own_stories())
mine.articles[["title", "dateline", "date", "lang", "n_sentences"]]
"""),
    ("code", """
ann = diplokit.annotate(mine)
ann.mentions[["surface", "entity_id", "entity_name", "country", "match"]]
"""),
    ("md", """
## What the lexicons do not know yet

Two people above are in no lexicon. A story introduces them with a title ("Ambassador
Kwesi Mensah-Owusu", "Minister Chanda Mwale-Phiri"), so they are still counted, as
`match = unlisted` with a `new:` id made from the name — but with no country, since a
title alone does not say whose ambassador or minister they are. `candidates` lists every
such name (and single surnames after a title) with counts and an example sentence: the
list of entries to add.
"""),
    ("code", """
ann.candidates[["name", "title", "count", "example"]]
"""),
    ("md", """
## Grow the lexicons without editing the package

Added to the lexicon with their country and role, the two become ordinary `name` and
`surname` mentions, and speak for Ghana and Zambia in events and dyads. From a notebook (below) or with a folder of extra files with the same columns as
`diplokit/lexicons/*.csv|yaml`, passed to `Lexicon.load("my_lexicon/")`.
"""),
    ("code", """
from diplokit.lexicon import default_lexicon

lex = (
    default_lexicon()
    .add_person("Kwesi Mensah-Owusu", country="GHA", role="Ambassador of Ghana", surname="Mensah-Owusu")
    .add_person("Chanda Mwale-Phiri", country="ZMB", role="Minister of Energy of Zambia", surname="Mwale-Phiri")
    .add_cues("education_training", ["coding academy"])
)
ann2 = diplokit.annotate(mine, lexicon=lex)
ann2.mentions.loc[ann2.mentions["entity_type"] == "person", ["surface", "entity_name", "country", "match"]]
"""),
    ("code", """
ann2.dyads[["article_id", "country_a", "country_b", "evidence"]]
"""),
    ("md", """
## Large collections

For tens of thousands of stories, build once from the command line and reopen the build
in seconds (see the README's "Command line" and "Beyond one machine"):

```bash
diplokit build my_scrapes/ -o build/
```

```python
corpus = diplokit.load_corpus("build/")
ann = diplokit.annotate(corpus)   # returns the stored tables when the lexicon is unchanged
```
"""),
]

NOTEBOOKS = {
    "00_tour": TOUR,
    "01_corpus_and_cleaning": CLEANING,
    "02_sector_mentions": SECTORS,
    "03_actor_cooccurrence": COOC,
    "04_cooperation_themes": THEMES,
    "05_bring_your_own_articles": BYO,
}
