"""The Dask path gives the pandas path's tables, row for row, on a 2-worker LocalCluster."""
from __future__ import annotations

import pandas as pd
import pytest

import diplokit
from diplokit.annotate import annotate

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")


def _sorted(df, keys):
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def test_dask_equals_pandas_on_local_cluster(tmp_path):
    from diplokit.scale import annotate_dask, candidates_from

    corpus = diplokit.load_corpus()
    expected = annotate(corpus)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        arts = dd.from_pandas(corpus.articles[["article_id", "text"]], npartitions=4)
        tables = annotate_dask(arts)
        import dask

        got = dict(zip(tables, dask.compute(*tables.values())))
        # What the README shows: write a table straight to Parquet from the cluster.
        tables["mentions"].to_parquet(tmp_path / "mentions")
        tables["occurrences"].to_parquet(tmp_path / "occurrences")
    assert len(pd.read_parquet(tmp_path / "mentions")) == len(expected.mentions)
    keys = {
        "sentences": ["article_id", "sentence_id"],
        "mentions": ["article_id", "start", "entity_id"],
        "sectors": ["article_id", "start", "sector"],
        "events": ["article_id", "sentence_id", "event_type"],
        "dyads": ["article_id", "country_a", "country_b"],
    }
    pd.testing.assert_frame_equal(_sorted(got["sentences"], keys["sentences"]), _sorted(corpus.sentences, keys["sentences"]), check_dtype=False)
    for t, k in keys.items():
        if t == "sentences":
            continue
        pd.testing.assert_frame_equal(_sorted(got[t], k), _sorted(getattr(expected, t), k), check_dtype=False)
    pd.testing.assert_frame_equal(candidates_from(got["occurrences"]), expected.candidates, check_dtype=False)


def test_dask_meta_types_are_the_partitions_types():
    # Dask takes these empty frames' types as the tables' (to_parquet writes its schema
    # from them): an object column where partitions hold strings breaks the write.
    from diplokit.scale import _meta, annotate_partition

    corpus = diplokit.load_corpus()
    arts = corpus.articles[["article_id", "text"]]
    for t in ("sentences", "mentions", "sectors", "events", "dyads", "occurrences"):
        meta, real = _meta(t, ()), annotate_partition(arts, t)
        assert list(meta.columns) == list(real.columns), t
        assert {c: str(meta[c].dtype) for c in meta} == {c: str(real[c].dtype) for c in real}, t
        assert len(real), t
