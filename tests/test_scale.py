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


def test_dask_equals_pandas_on_local_cluster():
    from diplokit.scale import annotate_dask, candidates_from

    corpus = diplokit.load_corpus()
    expected = annotate(corpus)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        arts = dd.from_pandas(corpus.articles[["article_id", "text"]], npartitions=4)
        tables = annotate_dask(arts)
        import dask

        got = dict(zip(tables, dask.compute(*tables.values())))
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
