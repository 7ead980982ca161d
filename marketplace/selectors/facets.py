"""Facets of a search: their columns, and their counts and ranges in Python or in one PostgreSQL query."""

from __future__ import annotations

from collections import Counter
from contextlib import nullcontext
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import CharField, Count, F, Max, Min, QuerySet, TextField

from kei_community.vehicles.models import ChassisCode
from marketplace.models import Listing
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
    counters: list[Counter[Any]] = [Counter() for _ in FACET_FIELDS]
    for row in rows:
        for i, value in enumerate(row[2:]):
            if value:
                counters[i][value] += 1
    years = [r[0] for r in rows if r[0]]
    prices = [r[1] for r in rows if r[1]]
    ranges = {
        "year_min": min(years, default=None), "year_max": max(years, default=None),
        "price_min": min(prices, default=None), "price_max": max(prices, default=None),
    }  # fmt: skip
    return counters, ranges, len(rows)


# The facet columns as the inner GROUP BY of _facet_counts_sql reads them (the chassis code by its id, named
# in the outer query).
_FACET_COLUMNS = {name: ("chassis_code_id" if name == "chassis_code__code" else name) for name in FACET_FIELDS}


def _facet_expression(qs: QuerySet[Listing], column: str) -> Any:
    """A facet column for _facet_counts_sql: text (a column or an annotation of `qs`) under the "C" collation."""
    from django.db.models.functions import Collate

    if column in qs.query.annotations:
        return Collate(qs.query.annotations[column], "C")
    if isinstance(Listing._meta.get_field(column), (CharField, TextField)):
        return Collate(F(column), "C")
    return F(column)


def _facet_counts_sql(qs: QuerySet[Listing], *, many: bool) -> tuple[list[Counter[Any]], dict[str, Any], int]:
    """Facet counts, ranges and total of a search in one PostgreSQL query: the matches grouped by every
    facet column at once (one pass, a few thousand groups), then those groups summed per facet with GROUPING
    SETS, the empty set giving the total and the ranges."""
    # Text columns are grouped under the "C" collation: byte comparisons, several times cheaper than the
    # database's linguistic collation when PostgreSQL sorts to group (the facets are sorted in Python).
    inner = (
        qs.order_by()
        .values(**{f"f_{column}": _facet_expression(qs, column) for column in _FACET_COLUMNS.values()})
        .annotate(n=Count("id"), year_lo=Min("year_built"), year_hi=Max("year_built"))
        .annotate(price_lo=Min("price"), price_hi=Max("price"))
    )
    counters: list[Counter[Any]] = [Counter() for _ in FACET_FIELDS]
    ranges: dict[str, Any] = {"year_min": None, "year_max": None, "price_min": None, "price_max": None}
    try:
        inner_sql, inner_params = inner.query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing (qs.none())
        return counters, ranges, 0
    keys = ["c.code" if column == "chassis_code_id" else f"s.f_{column}" for column in _FACET_COLUMNS.values()]
    sets = ", ".join(f"({key})" for key in keys)
    sql = (
        f"SELECT {', '.join(keys)}, GROUPING({', '.join(keys)}), SUM(s.n), MIN(s.year_lo), MAX(s.year_hi), "  # noqa: S608 - column names only
        f"MIN(s.price_lo), MAX(s.price_hi) FROM ({inner_sql}) s "
        f"LEFT JOIN {ChassisCode._meta.db_table} c ON c.id = s.f_chassis_code_id GROUP BY GROUPING SETS ({sets}, ())"
    )
    total = 0
    every = (1 << len(keys)) - 1
    with transaction.atomic() if many else nullcontext(), connection.cursor() as cursor:
        # Many matches: group by hashing. The planner cannot tell how many rows pass the distance, guesses
        # few, and sorts them on ten keys to group them: 0.8 s instead of 0.2 s for 167,000 matches.
        if many:
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(sql, inner_params)
        found = cursor.fetchall()
        if many:
            cursor.execute("RESET enable_sort")
    for row in found:
        values, grouping, n = row[: len(keys)], row[len(keys)], int(row[len(keys) + 1] or 0)
        if grouping == every:  # the empty grouping set: every match
            total = n
            ranges = dict(zip(("year_min", "year_max", "price_min", "price_max"), row[len(keys) + 2 :], strict=True))
            continue
        i = len(keys) - (every ^ grouping).bit_length()  # GROUPING(): a bit per key, the first key highest
        if values[i]:
            counters[i][values[i]] += n
    return counters, ranges, total
