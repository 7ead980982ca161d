"""Reads for the marketplace. Each selector owns its select_related/prefetch_related."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Collection
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cos, Power, Radians, Sin
from django.utils import timezone

from kei_community.core import caching
from kei_community.moderation.sanctions import suspended_member_ids
from kei_community.moderation.selectors import removal_reason
from kei_community.vehicles.models import ChassisCode
from marketplace import page_cache
from marketplace.keywords import keyword_filter
from marketplace.models import PUBLIC_STATUSES, Conversation, Favorite, Listing, Message, Question, SavedSearch
from marketplace.search import FACET_BY_COLUMN
from marketplace.search import FACETS as SEARCH_FACETS

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

SEARCH_STATUSES = (Listing.Status.ACTIVE, Listing.Status.PENDING)
PAGE_SIZE = 20
EARTH_RADIUS_MI = 3958.8


def _photos_prefetch() -> Prefetch:
    from kei_community.media.models import Photo

    return Prefetch("photos", queryset=Photo.objects.order_by("position", "id"))


def listing_card_qs() -> QuerySet[Listing]:
    return Listing.objects.select_related("chassis_code", "seller").prefetch_related(_photos_prefetch())


CARD_KEY_FIELDS = ("id", "updated_at", "status", "seller_type", "seller_id", "title", "chassis_code__code")


def listing_card_page_qs() -> QuerySet[Listing]:
    """Listings for HTML result cards: only what a card's cache key and per-viewer slots need;
    marketplace.cards reads the page's photos itself and the full rows of cards it has to render."""
    return Listing.objects.select_related("chassis_code").only(*CARD_KEY_FIELDS)


def listing_public_qs() -> QuerySet[Listing]:
    """What search, the home page, lists and the API show: live listings of members not suspended."""
    return Listing.objects.filter(status__in=SEARCH_STATUSES, hidden=False, held_for_review=False).exclude(
        seller_id__in=suspended_member_ids()
    )


def listing_visible_to(*, listing: Listing, viewer: Any) -> bool:
    if listing.is_public:
        return True
    if viewer is not None and viewer.is_authenticated:
        return viewer.pk == listing.seller_id or bool(getattr(viewer, "is_moderator", False))
    return False


def listing_get_for_detail(*, pk: int, viewer: Any = None) -> Listing | None:
    """The listing with photos and questions; `is_favorite` for the viewer is annotated in the same query."""
    qs = Listing.objects.all()
    if viewer is not None and viewer.is_authenticated:
        qs = qs.annotate(is_favorite=Exists(Favorite.objects.filter(user=viewer, listing=OuterRef("pk"))))
    return (
        qs.select_related("seller", "chassis_code", "truck", "seller__dealer_profile")
        .prefetch_related(
            _photos_prefetch(),
            Prefetch("questions", queryset=Question.objects.filter(hidden=False).select_related("asker")),
        )
        .filter(pk=pk)
        .first()
    )


def haversine_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MI * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, miles: float) -> tuple[float, float, float, float]:
    """The smallest latitude/longitude box around a circle of `miles` (on the same sphere as haversine_miles):
    a circle's widest longitude lies poleward of its centre, so the half-width is asin(sin(d)/cos(lat)),
    not d/cos(lat). A circle over a pole, or across the antimeridian, gets every longitude."""
    margin = 1e-6  # degrees: float rounding never loses a listing at the edge (the exact distance decides)
    angle = miles / EARTH_RADIUS_MI
    dlat = math.degrees(angle) + margin
    if abs(lat) + dlat >= 90:
        return max(lat - dlat, -90.0), min(lat + dlat, 90.0), -180.0, 180.0
    dlng = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(lat))))) + margin
    if lng - dlng < -180 or lng + dlng > 180:
        return lat - dlat, lat + dlat, -180.0, 180.0
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def haversine_sql(origin: dict[str, float]) -> ExpressionWrapper:
    """The haversine term a = sin²(Δlat/2) + cos(lat₀)·cos(lat)·sin²(Δlng/2) of each listing from `origin`, as
    SQL (PostgreSQL's functions, or the ones Django registers on SQLite): within `miles` exactly when
    a <= radius_limit(miles); miles_from_haversine(a) is the distance, as haversine_miles computes it."""
    lat0, lng0 = math.radians(origin["lat"]), math.radians(origin["lng"])
    lat, lng = Radians(F("lat")), Radians(F("lng"))
    half = Value(2.0)
    term = Power(Sin((lat - Value(lat0)) / half), 2) + Value(math.cos(lat0)) * Cos(lat) * Power(
        Sin((lng - Value(lng0)) / half), 2
    )
    return ExpressionWrapper(term, output_field=FloatField())


def radius_limit(miles: float) -> float:
    return math.sin(min(miles / EARTH_RADIUS_MI, math.pi) / 2) ** 2


def miles_from_haversine(a: float) -> float:
    return 2 * EARTH_RADIUS_MI * math.asin(min(1.0, math.sqrt(max(a, 0.0))))


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


# The facet columns in marketplace.search order ("import_eligible" is an annotation of _search_matches:
# "true" / "false").
FACET_FIELDS: tuple[str, ...] = tuple(facet.column for _, facet in SEARCH_FACETS)


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
    # True when `total` is a floor, not a count: a keyword search on PostgreSQL counts only its newest
    # KEYWORD_CANDIDATES matches (pages say "1,000+ trucks", the API `count_is_capped`).
    total_capped: bool = False

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def listing_search(
    *, params: dict[str, Any], viewer: Any = None, page_size: int = PAGE_SIZE, page_qs: QuerySet[Listing] | None = None
) -> SearchResult:
    """Filters in SQL (bounding box for a radius), then one pass over the matching rows for the exact
    distance, facet counts and ranges, then one query (+ photo prefetch) for the page."""
    ids, distances, facets, ranges, total = caching.get_or_build(
        "marketplace.search",
        _search_name(params),
        lambda: _search_matches(params),
        tags=page_cache.search_tags_for(params),
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
    capped = connection.vendor == "postgresql" and bool(params.get("q")) and total >= KEYWORD_CANDIDATES
    return SearchResult(listings, total, page, num_pages, facets, distances, ranges, favorite_ids, capped)


MAX_CACHED_IDS = 5000


def _search_name(params: dict[str, Any]) -> str:
    """A search's name in region "marketplace.search": its filters and ordering (not the page or the ZIP's
    place, which the ZIP gives), with FACET_FIELDS (cached matches carry their facets)."""
    stable = {k: v for k, v in params.items() if k not in ("page", "origin")}
    return repr((FACET_FIELDS, sorted(stable.items())))


# On PostgreSQL a keyword search ranks, counts and pages its first KEYWORD_CANDIDATES matches in the order
# asked for (a common word matches most listings: counting them all would read most of the table).
KEYWORD_CANDIDATES = 1000
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


def _search_matches(params: dict[str, Any]) -> tuple[list[int], dict[int, float], list[dict], dict, int]:
    """The matches of a search, as primitives: ids in order, distances, facets, ranges and the total.

    PostgreSQL without a keyword: two queries over the covering index of migration 0004 (no table rows
    read): the first MAX_CACHED_IDS ids in order with their distances, then the facet counts, the total and
    the ranges in one GROUP BY (GROUPING SETS). With a keyword, or on SQLite (the simple path), one query
    returns the matches' facet columns (on PostgreSQL the first KEYWORD_CANDIDATES) and Python counts them.
    The radius is in SQL either way (apply_filters)."""
    from marketplace.filters import NEWEST_ORDER, ORDERINGS

    ordering = params.get("ordering") or "newest"
    origin = params.get("origin")
    qs = apply_filters(listing_public_qs(), params).annotate(import_eligible=import_eligible_flag())
    order = list(ORDERINGS.get(ordering) or NEWEST_ORDER)
    if ordering == "distance" and origin:
        order = ["haversine", *NEWEST_ORDER]
    if origin:
        qs = qs.annotate(distance_term=F("haversine"))
    first = ("id", "distance_term") if origin else ("id",)
    postgresql = connection.vendor == "postgresql"
    if postgresql and not params.get("q"):
        found = list(qs.order_by(*order).values_list(*first)[:MAX_CACHED_IDS])
        counters, ranges, total = _facet_counts_sql(qs, many=len(found) >= MAX_CACHED_IDS)
    else:
        columns = (*first, "year_built", "price", *FACET_FIELDS)
        if postgresql:  # a keyword: its newest KEYWORD_CANDIDATES matches, sorted here as asked
            rows = _newest_rows(qs, (*columns, "published_at", "odometer_km"), limit=KEYWORD_CANDIDATES)
            _sort_rows(rows, (*columns, "published_at", "odometer_km"), order)
        else:
            rows = list(qs.order_by(*order).values_list(*columns))
        found = [row[: len(first)] for row in rows]
        counters, ranges, total = _facet_counts_python([row[len(first) : len(columns)] for row in rows])
    ids = [row[0] for row in found[:MAX_CACHED_IDS]]
    distances = {row[0]: miles_from_haversine(row[1]) for row in found[:MAX_CACHED_IDS]} if origin else {}
    facets = [_facet(name, counter) for name, counter in zip(FACET_FIELDS, counters, strict=True)]
    if params.get("state"):
        bounded = postgresql and bool(params.get("q"))
        _count_states_without_state_filter(params, facets, order=order, limit=KEYWORD_CANDIDATES if bounded else None)
    return ids, distances, facets, ranges, total


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


def _count_states_without_state_filter(
    params: dict[str, Any], facets: list[dict], *, order: list[str], limit: int | None
) -> None:
    """With a state chosen, the state facet (and the map drawn from it) counts every state under the
    other filters, so a buyer can move to a neighbouring state: one GROUP BY, on a cache miss only (over
    the first `limit` matches in `order` for a keyword search, like its other facets)."""
    others = {k: v for k, v in params.items() if k != "state"}
    qs = apply_filters(listing_public_qs(), others).exclude(state="")
    if limit is None:
        counter = dict(qs.order_by().values("state").annotate(n=Count("id")).values_list("state", "n"))
    else:
        counter = Counter(state for (state,) in qs.order_by(*order).values_list("state")[:limit])
    for facet in facets:
        if facet["name"] == "state":
            facet["values"] = [
                {"value": value, "label": value, "count": count}
                for value, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
            ]


def favorite_ids_for(*, viewer: Any, listing_ids: list[int]) -> set[int]:
    """Which of these listings the viewer favourited. Raw SQL: it runs on every signed-in search and
    listing page, and building the ORM query cost more than running it."""
    if viewer is None or not viewer.is_authenticated or not listing_ids:
        return set()
    ids = [int(pk) for pk in listing_ids]
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"SELECT listing_id FROM {Favorite._meta.db_table} WHERE user_id = %s AND listing_id IN ({placeholders})"  # noqa: S608 - only placeholders are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, [viewer.pk, *ids])
        return {row[0] for row in cursor.fetchall()}


def listing_matches_saved_search(*, listing: Listing, saved_search: SavedSearch) -> bool:
    from django.http import QueryDict

    from marketplace.filters import parse_search_params

    params, _ = parse_search_params(QueryDict(saved_search.query))
    return apply_filters(listing_public_qs().filter(pk=listing.pk), params).exists()  # the radius is in SQL


RELATED_FIELDS = ("id", "slug", "title", "price", "year_built", "city", "state")


def related_listings(
    *, listing: Listing, similar_limit: int = 4, other_limit: int = 3
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Similar trucks and the seller's other trucks as small dicts with their `url` (a compact list, no
    photos): two indexed look-ups (cached with the listing page's parts, see marketplace.views)."""
    base = listing_public_qs().exclude(pk=listing.pk).order_by("-published_at")
    if listing.chassis_code_id:
        similar_qs = base.filter(chassis_code_id=listing.chassis_code_id)
    else:
        similar_qs = base.filter(make=listing.make)
    similar_qs = similar_qs.exclude(seller_id=listing.seller_id)[:similar_limit]
    others_qs = base.filter(seller_id=listing.seller_id)[:other_limit]
    found = (
        [_related_row(row) for row in similar_qs.values(*RELATED_FIELDS)],
        [_related_row(row) for row in others_qs.values(*RELATED_FIELDS)],
    )
    return found


def _related_row(row: dict[str, Any]) -> dict[str, Any]:
    stub = Listing(pk=row["id"], slug=row["slug"], title=row["title"])
    return {**row, "url": stub.get_absolute_url()}


def listing_buyers(*, listing: Listing) -> list[Any]:
    """Members who wrote to the seller about this listing (candidates for "sold to")."""
    return [
        c.buyer
        for c in Conversation.objects.filter(listing=listing).select_related("buyer").order_by("-last_message_at")
    ]


def newest_listings(*, limit: int = 6) -> list[Listing]:
    return list(listing_public_qs().order_by("-published_at")[:limit])


def listings_for_truck(*, truck: Any) -> list[Listing]:
    return list(Listing.objects.filter(truck=truck, status__in=PUBLIC_STATUSES, hidden=False, held_for_review=False))


def pending_views(listing_ids: list[int]) -> dict[int, int]:
    """Views counted in the cache but not yet written to `views_count` (see services.listing_record_view)."""
    from marketplace.keys import VIEWS_BATCH, views_key

    if not listing_ids:
        return {}
    found = cache.get_many([views_key(i) for i in listing_ids])
    return {i: int(found.get(views_key(i)) or 0) % VIEWS_BATCH for i in listing_ids}


def seller_dashboard(*, user: Any) -> list[Listing]:
    listings: list[Listing] = list(
        Listing.objects.filter(seller=user)
        .exclude(status=Listing.Status.REMOVED)
        .select_related("chassis_code")
        .prefetch_related(_photos_prefetch())
        .annotate(conversation_count=Count("conversations", distinct=True))
        .order_by("status", "-updated_at")
    )
    pending = pending_views([obj.pk for obj in listings])
    for obj in listings:
        obj.views_count += pending[obj.pk]
    return listings


def favorites_for(*, user: Any) -> list[Listing]:
    return list(listing_card_qs().filter(favorites__user=user).order_by("-favorites__created_at"))


class ConversationUnread(TypedDict):
    has_unread: bool


if TYPE_CHECKING:
    ConversationWithUnread = WithAnnotations[Conversation, ConversationUnread]


def conversations_for(*, user: Any) -> QuerySet[ConversationWithUnread]:
    unread = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .exclude(sender=user)
        .filter(
            Q(conversation__buyer=user, conversation__buyer_read_at__isnull=True)
            | Q(conversation__buyer=user, created_at__gt=OuterRef("buyer_read_at"))
            | Q(conversation__seller=user, conversation__seller_read_at__isnull=True)
            | Q(conversation__seller=user, created_at__gt=OuterRef("seller_read_at"))
        )
    )
    return (
        Conversation.objects.filter(Q(buyer=user) | Q(seller=user))
        .select_related("listing", "buyer", "seller")
        .annotate(has_unread=Exists(unread))
        .order_by("-last_message_at", "-id")
    )


def unread_conversation_count(*, user: Any) -> int:
    return conversations_for(user=user).filter(has_unread=True).count()


def conversation_get_for(*, user: Any, pk: int) -> Conversation | None:
    return (
        Conversation.objects.filter(Q(buyer=user) | Q(seller=user), pk=pk)
        .select_related("listing", "buyer", "seller")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("sender").annotate(removed_reason=removal_reason(Message)),
            )
        )
        .first()
    )


# --- price comps ------------------------------------------------------------------

_CODE_RE = re.compile(r"\b([A-Z]{1,3}\d{1,3}[A-Z]{0,2})\b")


def chassis_family(code: str | None, rebadge_of: str | None) -> str:
    if rebadge_of:
        match = _CODE_RE.search(rebadge_of)
        if match:
            return match.group(1)
    return code or ""


def year_band(year: int) -> str:
    start = year - year % 5
    return f"{start}–{start + 4}"


def _stats(values: list[int]) -> dict | None:
    if not values:
        return None
    values = sorted(values)
    q1: float
    med: float
    q3: float
    if len(values) == 1:
        q1 = med = q3 = values[0]
    else:
        q1, med, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {
        "count": len(values),
        "min": values[0],
        "q1": round(q1),
        "median": round(med),
        "q3": round(q3),
        "max": values[-1],
    }


class _Quartiles(Aggregate):
    """PostgreSQL: the quartiles of a group in one sort, interpolated as statistics.quantiles(method="inclusive")."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY %(expressions)s)"


def price_comps(
    *, family: str | None = None, band: str | None = None, families: Collection[str] | None = None
) -> list[dict]:
    """Median and quartiles of asking (active/pending) and sold prices by chassis family and year band: one
    GROUP BY with percentile_cont on PostgreSQL (the families of the few chassis codes named in a CASE), a
    pass in Python on SQLite. `family` or `families`: only those chassis families (all without either)."""
    wanted = {family} if family else set(families) if families is not None else None
    if connection.vendor == "postgresql":
        return _price_comps_sql(wanted=wanted, band=band)
    rows = Listing.objects.filter(
        status__in=PUBLIC_STATUSES, hidden=False, held_for_review=False, chassis_code__isnull=False
    ).values_list("chassis_code__code", "chassis_code__rebadge_of", "year_built", "status", "price", "sold_price")
    groups: dict[tuple[str, str], dict[str, list[int]]] = {}
    for code, rebadge, year, status, price, sold_price in rows:
        if price is None:  # only drafts lack a price, and they are never public
            continue
        key = (chassis_family(code, rebadge), year_band(year))
        if (wanted is not None and key[0] not in wanted) or (band and key[1] != band):
            continue
        bucket = groups.setdefault(key, {"asking": [], "sold": []})
        if status == Listing.Status.SOLD:
            bucket["sold"].append(sold_price or price)
        else:
            bucket["asking"].append(price)
    out = []
    for (fam, yb), bucket in sorted(groups.items()):
        out.append({"family": fam, "year_band": yb, "asking": _stats(bucket["asking"]), "sold": _stats(bucket["sold"])})
    return out


def _price_comps_sql(*, wanted: set[str] | None, band: str | None) -> list[dict]:
    from django.contrib.postgres.fields import ArrayField
    from django.db.models.functions import Coalesce

    families = {
        pk: chassis_family(code, rebadge)
        for pk, code, rebadge in ChassisCode.objects.values_list("id", "code", "rebadge_of")
    }
    families = {pk: fam for pk, fam in families.items() if wanted is None or fam in wanted}
    if not families:
        return []
    qs = Listing.objects.filter(
        status__in=PUBLIC_STATUSES, hidden=False, held_for_review=False, chassis_code_id__in=list(families)
    )
    if band:
        start = band.split("–")[0]
        if not start.isdigit():
            return []
        qs = qs.filter(year_built__gte=int(start), year_built__lte=int(start) + 4)
    sold = Q(status=Listing.Status.SOLD)
    rows = (
        qs.annotate(
            family=Case(*(When(chassis_code_id=pk, then=Value(fam)) for pk, fam in families.items())),
            band_start=F("year_built") - F("year_built") % 5,
            is_sold=ExpressionWrapper(sold, output_field=BooleanField()),
            value=Case(When(sold, then=Coalesce("sold_price", "price")), default=F("price")),
        )
        .values("family", "band_start", "is_sold")
        .annotate(n=Count("id"), lo=Min("value"), hi=Max("value"))
        .annotate(quartiles=_Quartiles("value", output_field=ArrayField(FloatField())))
        .order_by()
    )
    groups: dict[tuple[str, str], dict[str, dict | None]] = {}
    for row in rows:
        key = (row["family"], f"{row['band_start']}–{row['band_start'] + 4}")
        q1, median, q3 = row["quartiles"]
        stats = {"count": row["n"], "min": row["lo"], "q1": round(q1), "median": round(median), "q3": round(q3)}
        stats["max"] = row["hi"]
        groups.setdefault(key, {"asking": None, "sold": None})["sold" if row["is_sold"] else "asking"] = stats
    return [{"family": fam, "year_band": yb, **bucket} for (fam, yb), bucket in sorted(groups.items())]


# Comps move slowly: cached in region "marketplace.comps" (10 minutes) without tags; a new sale shows by then.


def comps_for_listing(*, listing: Listing) -> dict | None:
    """The comps of the listing's chassis family and year band, cached per family and band."""
    code = listing.chassis_code if listing.chassis_code_id else None
    if code is None:
        return None
    fam, band = chassis_family(code.code, code.rebadge_of), year_band(listing.year_built)
    found = caching.get_or_build("marketplace.comps", f"{fam}:{band}", lambda: price_comps(family=fam, band=band))
    return found[0] if found else None


def price_comps_cached(*, families: Collection[str] | None = None) -> list[dict]:
    """price_comps for the comps page and API (all families, or those of a CompsMatch), cached like
    comps_for_listing."""
    wanted = sorted(set(families)) if families is not None else None
    name = "page:" + (",".join(wanted) if wanted is not None else "*")
    return caching.get_or_build("marketplace.comps", name, lambda: price_comps(families=wanted)) or []


@dataclass(frozen=True)
class CompsMatch:
    """What a comps search matched in the catalog: a make, a model or a chassis code, and its chassis families."""

    kind: str  # "make", "model" or "chassis code"
    name: str  # as the catalog spells it: "Suzuki", "Suzuki Carry", "DA63T"
    families: tuple[str, ...]


def _comps_catalog() -> dict[str, dict[str, list[Any]]]:
    """The catalog as comps look it up, by kind and casefolded name: [name, families]. Primitives (cached)."""
    found: dict[str, dict[str, list[Any]]] = {"chassis code": {}, "model": {}, "make": {}}
    rows = ChassisCode.objects.order_by("make", "model", "code").values_list("make", "model", "code", "rebadge_of")
    for make, model, code, rebadge in rows:
        family = chassis_family(code, rebadge)
        for kind, name in (
            ("chassis code", code), ("chassis code", family), ("model", model), ("model", f"{make} {model}"),
            ("make", make),
        ):  # fmt: skip
            entry = found[kind].setdefault(" ".join(name.split()).casefold(), [name, []])
            if family not in entry[1]:
                entry[1].append(family)
    return found


def comps_lookup(text: str) -> CompsMatch | None:
    """A make ("Suzuki"), a model ("Carry", "Suzuki Carry") or a chassis code ("da63t"), any case, as the
    catalog has it (a chassis code first, then a model, then a make); None when nothing matches. The catalog
    is read once per 10 minutes (region "marketplace.comps")."""
    key = " ".join((text or "").split()).casefold()
    if not key:
        return None
    catalog = caching.get_or_build("marketplace.comps", "catalog", _comps_catalog) or {}
    for kind in ("chassis code", "model", "make"):
        if entry := catalog.get(kind, {}).get(key):
            return CompsMatch(kind=kind, name=entry[0], families=tuple(sorted(entry[1])))
    return None


def comps_unknown_message(text: str) -> str:
    return (
        f"No make, model or chassis code matches “{text[:40]}”. Try a make (Suzuki), a model (Carry, Hijet) "
        "or a chassis code (DA63T)."
    )


# --- moderation -----------------------------------------------------------------------------------


def member_listings_not_removed(member: Any) -> QuerySet[Listing]:
    """Every listing of the member a moderator has not removed ("remove all of this member's listings")."""
    return Listing.objects.filter(seller=member).exclude(status=Listing.Status.REMOVED).order_by("pk")


def conversation_messages(*, conversation: Conversation, viewer: Any) -> list[Message]:
    """The messages of a conversation from conversation_get_for (no query) for one of its members: a message
    a moderator removed is gone for the other member; its sender still sees it, with `removed_reason` set."""
    return [
        m
        for m in conversation.messages.all()
        if getattr(m, "removed_reason", None) is None or m.sender_id == getattr(viewer, "pk", None)
    ]
