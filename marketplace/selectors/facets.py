"""Facets of a search: their columns, and their counts and ranges (counted in Python over the rows a search reads)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from marketplace.search import FACET_BY_COLUMN
from marketplace.search import FACETS as SEARCH_FACETS

# The facet columns in marketplace.search order ("import_eligible" is an annotation of _search_matches:
# "true" / "false").
FACET_FIELDS: tuple[str, ...] = tuple(facet.column for _, facet in SEARCH_FACETS)


def _facet(name: str, counter: Counter[Any]) -> dict[str, Any]:
    """One facet of a search as the page and the API show it, as marketplace.search declares it."""
    declared, facet = FACET_BY_COLUMN[name]
    labels = dict(facet.values) if facet.values is not None else {str(v): str(label) for v, label in declared.choices}
    return {
        "name": declared.param,
        "label": facet.label,
        "values": [
            {"value": value, "label": str(labels.get(value, value)), "count": count}
            for value, count in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))[: facet.limit]
        ],
    }


def _facet_counts_python(rows: list[tuple]) -> tuple[list[Counter[Any]], dict[str, Any], int]:
    """Facet counts, ranges and total of rows (year_built, price, *FACET_FIELDS), counted in Python."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(2 + len(FACET_FIELDS))]
    counters: list[Counter[Any]] = []
    for column in columns[2:]:  # Counter counts a column in C; a falsy value (no value) is not a facet value
        counter = Counter(column)
        for empty in [value for value in counter if not value]:
            del counter[empty]
        counters.append(counter)
    years = [year for year in columns[0] if year]
    prices = [price for price in columns[1] if price]
    ranges = {
        "year_min": min(years, default=None), "year_max": max(years, default=None),
        "price_min": min(prices, default=None), "price_max": max(prices, default=None),
    }  # fmt: skip
    return counters, ranges, len(rows)
