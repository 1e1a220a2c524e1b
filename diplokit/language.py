"""Cheap language identification by counting function words, on whole columns (RE2)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .resources import lexicon_path, read_yaml


def detect_language(texts: Sequence[str] | pa.Array, sample_chars: int = 3000) -> np.ndarray:
    """Return an ISO 639-1 code per text ("en", "fr", ...), or "und" when unsure.

    Counts the stopwords listed in ``lexicons/languages.yaml`` in the first
    ``sample_chars`` characters of each text; the language with most hits wins.
    """
    cfg = read_yaml(lexicon_path("languages.yaml"))
    arr = texts if isinstance(texts, (pa.Array, pa.ChunkedArray)) else pa.array(list(texts), pa.large_string())
    if len(arr) == 0:
        return np.array([], dtype=object)
    arr = pc.utf8_slice_codeunits(pc.fill_null(arr, ""), 0, sample_chars)
    langs = list(cfg["stopwords"])
    counts = np.vstack(
        [
            np.asarray(pc.count_substring_regex(arr, r"(?i)\b(" + "|".join(map(str, cfg["stopwords"][lang])) + r")\b").to_numpy(zero_copy_only=False))
            for lang in langs
        ]
    )
    best = counts.argmax(axis=0)
    out = np.array(langs, dtype=object)[best]
    out[counts.max(axis=0) < int(cfg.get("min_hits", 3))] = "und"
    return out
