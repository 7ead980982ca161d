"""The search: its filters in SQL, its matches cached as primitives (ids, distances, facets, ranges, total),
a page of them, and whether a listing matches a saved search."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from kei_community.core import caching
from kei_community.core.db import planned_each_time
from marketplace import page_cache
from marketplace.keywords import corrected_query, keyword_filter
from marketplace.models import Listing, SavedSearch
from marketplace.selectors.facets import FACET_FIELDS, _facet, _facet_counts_python
from marketplace.selectors.favorites import favorite_ids_for
from marketplace.selectors.geo import miles_from_haversine
from marketplace.selectors.listings import listing_card_qs, listing_public_qs

PAGE_SIZE = 20


def registrable_q(*, state_code: str, today: date | None = None) -> Q | None:
    """Listings a member in state_code could register: state allows kei trucks and the truck is eligible."""
    from marketplace.outlook import state_allows_registration

    if not state_allows_registration(state_code):
        return None
    return import_eligible_q(today=today)


def import_eligible_q(*, today: date | None = None) -> Q:
    """Import-eligible now: built for the US market, or 25 years old from its build month (the stored date)."""
    today = today or timezone.now().date()
    return Q(us_market=True) | Q(import_eligible_on__lte=today)


def import_eligible_flag() -> Any:
    """import_eligible_q as a column ("true" or "false"), for the search's "Import eligibility" facet."""
    from django.db.models import Case, Value, When

    return Case(When(import_eligible_q(), then=Value("true")), default=Value("false"))


def apply_filters(qs: QuerySet[Listing], params: dict[str, Any]) -> QuerySet[Listing]:
    """The search's filters (parsed by marketplace.filters) on `qs`, as marketplace.search declares them: a
    `lookup`, or its `apply` (the radius is in SQL: a bounding box, then the exact distance)."""
    from marketplace.search import SEARCH_FILTERS

    if q := params.get("q"):
        qs = keyword_filter(qs, q)
    for f in SEARCH_FILTERS:
        value = params.get(f.param)
        if value is None or value == "" or f.kind == "keyword":
            continue
        if f.lookup:
            qs = qs.filter(**{f.lookup: value})
        elif f.apply is not None:
            qs = f.apply(qs, value, params)
    return qs


@dataclass
class SearchResult:
    listings: list[Listing]
    total: int
    page: int
    num_pages: int
    facets: list[dict] = field(default_factory=list)
    distances: dict[int, float] = field(default_factory=dict)
    ranges: dict[str, Any] = field(default_factory=dict)
    favorite_ids: set[int] = field(default_factory=set)
    # True when `total` is a floor, not a count: on PostgreSQL a search reads at most SEARCH_CANDIDATES of its
    # matches, and had more (pages say "1,000+ trucks" and that the facets count the first 1,000; the API
    # `count_is_capped`).
    total_capped: bool = False
    # `q` as it was searched when a misspelt make or model was corrected ("hijet 4x4"), else "".
    q_corrected: str = ""

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def listing_search(
    *, params: dict[str, Any], viewer: Any = None, page_size: int = PAGE_SIZE, page_qs: QuerySet[Listing] | None = None
) -> SearchResult:
    """Filters in SQL (bounding box for a radius, then the exact distance), the matches' ids, distances, facet
    counts and ranges (_search_matches, cached as primitives), then one query (+ photo prefetch) for the page."""
    ids, distances, facets, ranges, total, capped, q_corrected = caching.get_or_build(
        "marketplace.search",
        _search_name(params),
        lambda: (*_planned_search_matches(params), corrected_query(params.get("q") or "")),  # corrected once
        tags=page_cache.search_tags_for(params),
        single_flight=True,  # a write fires these tags: one process rebuilds, the others serve the last matches
    )
    num_pages = max(1, math.ceil(total / page_size))
    page = min(max(int(params.get("page") or 1), 1), num_pages)
    page_ids = ids[(page - 1) * page_size : page * page_size]
    qs = page_qs if page_qs is not None else listing_card_qs()
    by_id = {obj.pk: obj for obj in qs.filter(pk__in=page_ids)} if page_ids else {}
    listings = [by_id[i] for i in page_ids if i in by_id]
    for obj in listings:
        obj.distance = distances.get(obj.pk)
    favorite_ids = favorite_ids_for(viewer=viewer, listing_ids=page_ids)
    return SearchResult(
        listings, total, page, num_pages, facets, distances, ranges, favorite_ids, capped, q_corrected=q_corrected
    )


MAX_CACHED_IDS = 5000


def _search_name(params: dict[str, Any]) -> str:
    """A search's name in region "marketplace.search": its filters and ordering (not the page or the ZIP's
    place, which the ZIP gives), with FACET_FIELDS and SEARCH_CANDIDATES (cached matches carry their facets,
    counted over at most that many)."""
    stable = {k: v for k, v in params.items() if k not in ("page", "origin")}
    return repr((FACET_FIELDS, SEARCH_CANDIDATES, sorted(stable.items())))


# On PostgreSQL a search counts, facets and pages at most SEARCH_CANDIDATES of its matches: without a keyword
# the first ones in the order asked for (the nearest, the cheapest, the newest...), with a keyword the newest
# ones, sorted as asked (trigram matches come in no order). Counting every match of a broad search cannot fit
# a 100 ms budget at a million listings: 167,000 matches around one city took 210-260 ms (docs/benchmarks.md).
SEARCH_CANDIDATES = 1000
KEYWORD_WINDOWS = (timedelta(days=30), timedelta(days=180), None)


def _newest_rows(qs: QuerySet[Listing], columns: tuple[str, ...], *, limit: int) -> list[tuple]:
    """`columns` of the `limit` newest listings of `qs`, looked for in windows of publication time growing
    from KEYWORD_WINDOWS[0]: a window bounds the rows PostgreSQL reads for a word of middling frequency, a
    common word fills the first one, a rare word reaches the unbounded last one (found by the trigram
    indexes)."""
    from marketplace.filters import NEWEST_ORDER

    now = timezone.now()
    rows: list[tuple] = []
    for window in KEYWORD_WINDOWS:
        scoped = qs if window is None else qs.filter(published_at__gte=now - window)
        rows = list(scoped.order_by(*NEWEST_ORDER).values_list(*columns)[:limit])
        if len(rows) >= limit:
            break
    return rows


def _sort_rows(rows: list[tuple], columns: tuple[str, ...], order: list[str]) -> None:
    """Sort rows in place as PostgreSQL's ORDER BY `order` would (NULLs last going up, first going down)."""
    where = {name: i for i, name in enumerate(columns)}
    if "distance_term" in where:
        where["haversine"] = where["distance_term"]
    for key in reversed(order):
        i = where[key.lstrip("-")]

        def nulls_last(row: tuple, i: int = i) -> tuple[bool, Any]:
            return (row[i] is None, row[i] if row[i] is not None else 0)

        rows.sort(key=nulls_last, reverse=key.startswith("-"))


def _planned_search_matches(params: dict[str, Any]) -> tuple[list[int], dict[int, float], list[dict], dict, int, bool]:
    """_search_matches with each query planned for its own values (core.db.planned_each_time)."""
    with planned_each_time(Listing):
        return _search_matches(params)


def _search_matches(params: dict[str, Any]) -> tuple[list[int], dict[int, float], list[dict], dict, int, bool]:
    """The matches of a search, as primitives: ids in order, distances, facets, ranges, the total and whether
    the total is a floor (capped).

    One query returns the matches' ids, distances and facet columns, and Python counts them. On PostgreSQL it
    reads at most SEARCH_CANDIDATES + 1 rows (the extra one tells a capped search from one with exactly
    SEARCH_CANDIDATES matches): the first in the order asked for, through the covering index of migration 0004
    for a radius (no table rows read), or the newest with a keyword. SQLite (the simple path) reads every
    match. The radius is in SQL either way (apply_filters)."""
    from marketplace.filters import NEWEST_ORDER, ORDERINGS

    ordering = params.get("ordering") or "newest"
    origin = params.get("origin")

    def matching(params: dict[str, Any]) -> QuerySet[Listing]:
        qs = apply_filters(listing_public_qs(), params).annotate(import_eligible=import_eligible_flag())
        return qs.annotate(distance_term=F("haversine")) if origin else qs

    order = list(ORDERINGS.get(ordering) or NEWEST_ORDER)
    if ordering == "distance" and origin:
        order = ["haversine", *NEWEST_ORDER]
    first = ("id", "distance_term") if origin else ("id",)
    columns = (*first, "year_built", "price", *_ROW_FACET_COLUMNS)
    postgresql, capped = connection.vendor == "postgresql", False
    if not postgresql:
        rows = list(matching(params).order_by(*order).values_list(*columns))
    elif params.get("q"):  # its newest matches, then sorted here as asked
        extra = (*columns, "published_at", "odometer_km")
        rows, capped = _capped(_newest_rows(matching(params), extra, limit=SEARCH_CANDIDATES + 1))
        _sort_rows(rows, extra, order)
    else:
        rows, capped = _first_rows(matching, params, order=order, columns=columns)
    counters, ranges, total = _facet_counts_python([row[len(first) : len(columns)] for row in rows])
    _name_chassis_codes(counters)
    found = rows[:MAX_CACHED_IDS]
    ids = [row[0] for row in found]
    distances = {row[0]: miles_from_haversine(row[1]) for row in found} if origin else {}
    facets = [{**_facet(name, counter), "capped": capped} for name, counter in zip(FACET_FIELDS, counters, strict=True)]
    if params.get("state"):
        _count_states_without_state_filter(params, facets, order=order, bounded=postgresql)
    return ids, distances, facets, ranges, total, capped


def _capped(rows: list[tuple]) -> tuple[list[tuple], bool]:
    """The first SEARCH_CANDIDATES of rows read with one more, and whether that one was there."""
    return rows[:SEARCH_CANDIDATES], len(rows) > SEARCH_CANDIDATES


def _first_rows(
    matching: Callable[[dict[str, Any]], QuerySet[Listing]],
    params: dict[str, Any],
    *,
    order: list[str],
    columns: tuple[str, ...],
) -> tuple[list[tuple], bool]:
    """`columns` of the first SEARCH_CANDIDATES matches of `matching(params)` in `order`, and whether there were
    more (one more row read). Sorted by distance, they are looked for ring by ring (_rings)."""
    rows: list[tuple] = []
    for radius in _rings(params) if order[0] == "haversine" else [params.get("radius")]:
        rows = list(
            matching({**params, "radius": radius}).order_by(*order).values_list(*columns)[: SEARCH_CANDIDATES + 1]
        )
        if len(rows) > SEARCH_CANDIDATES:  # enough within this ring: every listing outside it is farther
            break
    return _capped(rows)


def _rings(params: dict[str, Any]) -> list[Any]:
    """The radii a search sorted by distance looks within, growing to its own (each 4 times the last, from 2
    miles): the nearest matches of a dense area are found within a small ring, without computing the distance
    of every listing in the wide one.
    Exact: the first ring holding more than SEARCH_CANDIDATES matches holds the nearest ones."""
    radius = params.get("radius")
    if not params.get("origin") or not radius:
        return [radius]
    smaller = [radius / 64, radius / 16, radius / 4]
    return [*(r for r in smaller if r >= MIN_RING_MILES), radius]


MIN_RING_MILES = 2

# The facet columns as _search_matches reads them: the chassis code by its id (no join per row), named once
# per search by _name_chassis_codes.
_ROW_FACET_COLUMNS = tuple("chassis_code_id" if name == "chassis_code__code" else name for name in FACET_FIELDS)


def _name_chassis_codes(counters: list[Counter[Any]]) -> None:
    """The chassis code facet's counts, keyed by code instead of id: one query for the ids counted."""
    from kei_community.vehicles.models import ChassisCode

    i = FACET_FIELDS.index("chassis_code__code")
    if counters[i]:
        codes = dict(ChassisCode.objects.filter(pk__in=list(counters[i])).values_list("pk", "code"))
        counters[i] = Counter({codes[pk]: n for pk, n in counters[i].items() if pk in codes})


def _count_states_without_state_filter(
    params: dict[str, Any], facets: list[dict], *, order: list[str], bounded: bool
) -> None:
    """With a state chosen, the state facet (and the map drawn from it) counts every state under the
    other filters, so a buyer can move to a neighbouring state: on a cache miss only. `bounded` (PostgreSQL):
    it counts the first SEARCH_CANDIDATES matches in `order`, like the other facets (_first_rows), and the
    facet says `"capped": True` when there were more."""
    others = {k: v for k, v in params.items() if k != "state"}

    def matching(params: dict[str, Any]) -> QuerySet[Listing]:
        return apply_filters(listing_public_qs(), params).exclude(state="")

    capped = False
    if not bounded:
        counter = dict(matching(others).order_by().values("state").annotate(n=Count("id")).values_list("state", "n"))
    else:
        rows, capped = _first_rows(matching, others, order=order, columns=("state",))
        counter = Counter(state for (state,) in rows)
    for facet in facets:
        if facet["name"] == "state":
            facet["capped"] = capped
            facet["values"] = [
                {"value": value, "label": value, "count": count}
                for value, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
            ]


def listing_matches_saved_search(*, listing: Listing, saved_search: SavedSearch) -> bool:
    from django.http import QueryDict

    from marketplace.filters import parse_search_params

    params, errors = parse_search_params(QueryDict(saved_search.query))
    if errors:  # saved before a rule refused part of it (a keyword of only stop words): alert on nothing
        return False
    return apply_filters(listing_public_qs().filter(pk=listing.pk), params).exists()  # the radius is in SQL
