"""Near-duplicate stories: the same body syndicated under other headers and footers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MIN_SENTENCE_CHARS = 30
MAX_DOCS_PER_SENTENCE = 50  # a sentence shared that widely is boilerplate, not a story


def find_near_duplicates(sentences: pd.DataFrame, threshold: float = 0.8, norms: list | None = None) -> list[tuple[int, int, float]]:
    """Find documents whose sentences are mostly found in an earlier document.

    ``sentences`` has ``doc`` and ``text`` columns. Sentences are normalised (case,
    punctuation, spacing) and hashed as one column; documents sharing hashes are counted
    with a self-join. Returns ``(doc, kept_doc, share)`` for each duplicate, where
    ``share`` is the fraction of the duplicate's sentences found in ``kept_doc``; the kept
    document is always the earlier one. If ``norms`` is a list, the normalised sentence
    texts (an object array, one per row) are appended to it for reuse.
    """
    if sentences.empty:
        return []
    # One pass over the whole column in Arrow: lower case, every run of non-letters and
    # non-digits to one space.
    arr = pa.array(sentences["text"].astype(str).tolist(), pa.large_string())
    norm = pc.utf8_trim_whitespace(pc.replace_substring_regex(pc.utf8_lower(arr), r"[^\pL\pN]+", " "))
    ok = np.asarray(pc.utf8_length(norm).to_numpy(zero_copy_only=False)) >= MIN_SENTENCE_CHARS
    norm = np.asarray(norm.to_numpy(zero_copy_only=False), dtype=object)
    if norms is not None:
        norms.append(norm)
    t = pd.DataFrame({"doc": sentences["doc"].to_numpy()[ok], "h": pd.util.hash_array(norm[ok])})
    t = t.drop_duplicates()
    sizes = t.groupby("doc").size()
    spread = t.groupby("h")["doc"].transform("size")
    t = t[(spread > 1) & (spread <= MAX_DOCS_PER_SENTENCE)]
    if t.empty:
        return []
    pairs = t.merge(t, on="h", suffixes=("_a", "_b"))
    pairs = pairs[pairs["doc_a"] < pairs["doc_b"]]
    shared = pairs.groupby(["doc_a", "doc_b"]).size().rename("shared").reset_index()
    shared["share"] = shared["shared"] / np.minimum(sizes.reindex(shared["doc_a"]).to_numpy(), sizes.reindex(shared["doc_b"]).to_numpy())
    hits = shared[shared["share"] >= threshold].sort_values(["doc_b", "doc_a"], kind="stable")
    keeper: dict[int, int] = {}
    out = []
    for a, b, share in hits[["doc_a", "doc_b", "share"]].itertuples(index=False):
        if b in keeper:
            continue
        root = keeper.get(a, a)  # if the earlier one is itself a copy, point at its original
        keeper[b] = root
        out.append((int(b), int(root), float(share)))
    return out
