"""Reading publication dates from metadata and article headers into real datetimes."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

import pandas as pd

from .resources import lexicon_path, read_yaml


@lru_cache(maxsize=1)
def _month_lookup() -> tuple[dict[str, int], re.Pattern, re.Pattern]:
    months = read_yaml(lexicon_path("languages.yaml"))["months"]
    lookup = {str(name).lower(): int(num) for num, names in months.items() for name in names}
    alt = "|".join(sorted(map(re.escape, lookup), key=len, reverse=True))
    day_first = re.compile(rf"(\d{{1,2}})(?:er)?\s+({alt})\.?,?\s+(\d{{4}})", re.I)
    month_first = re.compile(rf"({alt})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})", re.I)
    return lookup, day_first, month_first


_NUMERIC = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")


def _parse_words(text: str) -> pd.Timestamp | None:
    """The first date written in words ("12 mars 2023", "March 12, 2023") or digits
    ("20/02/2025", "22.02.2025": day first unless only month first is possible) in a header line."""
    lookup, day_first, month_first = _month_lookup()
    m = day_first.search(text)
    if m:
        d, mon, y = int(m.group(1)), lookup[m.group(2).lower()], int(m.group(3))
    elif m := month_first.search(text):
        mon, d, y = lookup[m.group(1).lower()], int(m.group(2)), int(m.group(3))
    elif m := _NUMERIC.search(text):
        d, mon, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if mon > 12 >= d:
            d, mon = mon, d
    else:
        return None
    try:
        return pd.Timestamp(year=y, month=mon, day=d)
    except ValueError:
        return None


def parse_dates(values: Iterable[object]) -> pd.Series:
    """Parse ISO dates, "12 mars 2023", "March 12, 2023" and datetimes to naive datetime64.

    Unparseable values become NaT (the caller reports them); time zones are converted
    to UTC and dropped so that every date in a corpus compares with every other.
    """
    s = pd.Series(list(values), dtype=object)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    present = s.notna() & (s.astype(str).str.strip() != "")
    if not present.any():
        return out
    iso = pd.to_datetime(s[present].astype(str).str.strip(), format="ISO8601", errors="coerce", utc=True)
    out[present] = iso.dt.tz_convert(None).astype("datetime64[ns]")
    for i in s.index[present & out.isna()]:
        ts = _parse_words(str(s[i]))
        if ts is None:
            ts = pd.to_datetime(str(s[i]), errors="coerce", dayfirst=True, format="mixed")
            ts = None if ts is pd.NaT or pd.isna(ts) else ts
        if ts is not None:
            out[i] = ts.tz_convert(None) if ts.tzinfo else ts
    return out
