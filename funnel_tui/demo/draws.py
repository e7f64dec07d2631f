"""Random draws and word literals every part of the demo makes its rows with."""

from __future__ import annotations

from bisect import bisect
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any


def pick(rnd: Callable[[], float], seq: Sequence[Any]) -> Any:
    return seq[int(rnd() * len(seq))]


def weighted(weights: Sequence[float]) -> Callable[[float], int]:
    """Index chooser: maps a uniform number in [0, 1) to an index by weight."""
    cumulative = list(accumulate(weights))
    total = cumulative[-1]
    scaled = [c / total for c in cumulative[:-1]]
    return lambda u: bisect(scaled, u)


def js(text: str) -> str:
    """A JSON string literal for text from the word lists (nothing to escape there)."""
    return '"' + text + '"'
