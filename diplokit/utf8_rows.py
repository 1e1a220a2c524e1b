"""A column of strings seen as one UTF-8 byte buffer, for numpy scans of every row at
once (what a regular expression would otherwise do row by row)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa

_RE2_SPACE = np.zeros(256, dtype=bool)
_RE2_SPACE[[9, 10, 12, 13, 32]] = True  # RE2's \s: [\t\n\f\r ]


@dataclass
class Utf8Rows:
    """``data``: the bytes of all rows, end to end; row ``i`` is
    ``data[bounds[i]:bounds[i + 1]]`` (a null row is empty)."""

    data: np.ndarray
    bounds: np.ndarray

    @classmethod
    def of(cls, arr: pa.Array | pa.ChunkedArray) -> "Utf8Rows":
        """The rows of a string column (a slice, chunks or nulls included)."""
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.large_string())
        if not pa.types.is_large_string(arr.type):
            arr = arr.cast(pa.large_string())
        if arr.null_count:  # a null slot may hold bytes: make them empty strings
            arr = arr.fill_null("")
        n = len(arr)
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1] if n else np.zeros(1, np.int64)
        buf = arr.buffers()[2]
        data = np.frombuffer(buf, dtype=np.uint8)[offsets[0] : offsets[-1]] if buf is not None and n else np.zeros(0, np.uint8)
        return cls(data, offsets - offsets[0])

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def row_of(self, pos: np.ndarray) -> np.ndarray:
        """The row each byte position falls in."""
        return np.searchsorted(self.bounds[1:], pos, side="right")

    @cached_property
    def re2_space(self) -> np.ndarray:
        """Which bytes are RE2 spaces (an ASCII byte never sits inside a multibyte character)."""
        return _RE2_SPACE[self.data]
