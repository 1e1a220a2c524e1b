"""Small example inputs for notebooks and docs: a folder of broken files, a few stories.

The notebooks use these to show, on a fresh clone and without network, what diplokit does
with bad input and with an analyst's own stories.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

__all__ = ["write_broken_examples", "own_stories"]

_GOOD = (
    "Gitega — The foreign ministers of Burundi and Tanzania met on Tuesday to discuss the "
    "central railway line and cross-border trade.\n\nThey agreed to set up a joint technical "
    "committee on customs and energy cooperation."
)


def write_broken_examples(folder: str | Path, big_mb: int = 12) -> list[Path]:
    """Write one good story and one example of each kind of bad input into ``folder``.

    Bad inputs: a binary file, an empty file, a file of whitespace, a JSONL file with one
    malformed line, a CSV without a text column, an unsupported extension and a file
    larger than ``load_corpus``'s default ``max_file_mb``. Returns the paths written,
    sorted by name.
    """
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    files = {
        "a_good_story.txt": _GOOD.encode("utf-8"),
        "b_binary.txt": bytes(range(256)) * 8,
        "c_empty.txt": b"",
        "d_blank.txt": b" \n\t\n  \n",
        "e_feed.jsonl": (
            json.dumps({"title": "Kenya and Uganda talk power", "text": "Nairobi — Kenya and Uganda discussed an electricity interconnector and trade in fuel."})
            + "\n{this line is not JSON\n"
        ).encode("utf-8"),
        "f_no_text_column.csv": b"headline,when\nA summit,2024-05-01\n",
        "g_slides.pptx": b"PK\x03\x04 not a story",
        "h_huge.txt": (b"Filler sentence about nothing in particular. " * (big_mb * 1_000_000 // 45 + 1)),
    }
    paths = []
    for name, data in files.items():
        p = d / name
        p.write_bytes(data)
        paths.append(p)
    return sorted(paths)


def own_stories() -> pd.DataFrame:
    """Three short invented stories, as an analyst might paste them into a DataFrame."""
    rows = [
        {
            "title": "Ghana and Rwanda sign skills agreement",
            "date": "2025-03-14",
            "source": "Notebook example",
            "text": (
                "Accra — Ghana and Rwanda signed a memorandum of understanding on vocational "
                "training and digital skills on Friday. Ambassador Kwesi Mensah-Owusu, who led the "
                "Ghanaian delegation, said the two countries would exchange teachers and open a "
                "joint coding academy. The agreement also covers cooperation on public health "
                "laboratories."
            ),
        },
        {
            "title": "Zambia hosts regional energy talks",
            "date": "2025-06-02",
            "source": "Notebook example",
            "text": (
                "Lusaka — Ministers from Zambia, Malawi and Tanzania held talks on a regional power "
                "interconnector and solar investment. Minister Chanda Mwale-Phiri announced a "
                "feasibility study to be funded by the African Development Bank."
            ),
        },
        {
            "title": "Le Bénin et le Niger rouvrent le dialogue",
            "date": "2025-09-18",
            "source": "Notebook example",
            "text": (
                "Cotonou — Les ministres des Affaires étrangères du Bénin et du Niger se sont "
                "entretenus sur la réouverture de la frontière et le commerce. Ils ont annoncé une "
                "feuille de route sur la sécurité et le transport de marchandises vers le port de "
                "Cotonou."
            ),
        },
    ]
    return pd.DataFrame(rows)
