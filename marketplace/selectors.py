"""Reads for the marketplace. Each selector owns its select_related/prefetch_related."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from kei_community.core import caching
from kei_community.moderation.sanctions import suspended_member_ids
from kei_community.moderation.selectors import removal_reason
from marketplace import page_cache
from marketplace.models import PUBLIC_STATUSES, Conversation, Favorite, Listing, Message, Question, SavedSearch

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

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
    dlat = miles / 69.0
    dlng = miles / max(69.0 * math.cos(math.radians(lat)), 0.01)
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def registrable_q(*, state_code: str, today: date | None = None) -> Q | None:
    """Listings a member in state_code could register: state allows kei trucks and the truck is eligible."""
    from marketplace.outlook import state_allows_registration

    if not state_allows_registration(state_code):
        return None
    today = today or timezone.now().date()
    return Q(us_market=True) | Q(import_eligible_on__lte=today)


def apply_filters(qs: QuerySet[Listing], params: dict[str, Any]) -> QuerySet[Listing]:
    if q := params.get("q"):
        words = [w for w in re.split(r"\s+", q) if w][:6]
        for word in words:
            qs = qs.filter(
                Q(title__icontains=word) | Q(description__icontains=word) | Q(model__icontains=word)
                | Q(make__icontains=word) | Q(chassis_code__code__iexact=word)
            )  # fmt: skip
    if v := params.get("make"):
        qs = qs.filter(make__iexact=v)
    if v := params.get("model"):
        qs = qs.filter(model__iexact=v)
    if v := params.get("chassis_code"):
        qs = qs.filter(chassis_code__code__iexact=v)
    for key, lookup in (
        ("year_min", "year_built__gte"), ("year_max", "year_built__lte"), ("price_min", "price__gte"),
        ("price_max", "price__lte"), ("odometer_max", "odometer_km__lte"),
    ):  # fmt: skip
        if key in params:
            qs = qs.filter(**{lookup: params[key]})
    for key in ("drive", "transmission", "bed_type", "title_status", "location_status", "seller_type", "state"):
        if v := params.get(key):
            qs = qs.filter(**{key: v})
    if v := params.get("registrable_in"):
        cond = registrable_q(state_code=v)
        qs = qs.filter(cond) if cond is not None else qs.none()
    if origin := params.get("origin"):
        radius = params.get("radius") or 100
        lat_min, lat_max, lng_min, lng_max = bounding_box(origin["lat"], origin["lng"], radius)
        qs = qs.filter(lat__gte=lat_min, lat__lte=lat_max, lng__gte=lng_min, lng__lte=lng_max)
    return qs


FACET_FIELDS: tuple[str, ...] = (
    "make",
    "model",
    "chassis_code__code",
    "drive",
    "transmission",
    "bed_type",
    "title_status",
    "location_status",
    "state",
)
FACET_LABELS = {
    "make": "Make", "model": "Model", "chassis_code__code": "Chassis code", "drive": "Drive",
    "transmission": "Transmission", "bed_type": "Bed", "title_status": "Title", "location_status": "Where it is",
    "state": "State",
}  # fmt: skip
FACET_PARAM = {"chassis_code__code": "chassis_code"}
FACET_LIMIT = 25
FACET_LIMITS = {"state": 60}  # every jurisdiction: the search page's map shows them all


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

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _facet_choices(name: str) -> dict[str, StrOrPromise]:
    key = FACET_PARAM.get(name, name)
    enum = {
        "drive": Listing.Drive, "transmission": Listing.Transmission, "bed_type": Listing.BedType,
        "title_status": Listing.TitleStatus, "location_status": Listing.LocationStatus,
    }.get(key)  # fmt: skip
    return dict(enum.choices) if enum else {}


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
    return SearchResult(listings, total, page, num_pages, facets, distances, ranges, favorite_ids)


MAX_CACHED_IDS = 5000


def _search_name(params: dict[str, Any]) -> str:
    """A search's name in region "marketplace.search": its filters and ordering (not the page or the ZIP's
    place, which the ZIP gives), with FACET_FIELDS (cached matches carry their facets)."""
    stable = {k: v for k, v in params.items() if k not in ("page", "origin")}
    return repr((FACET_FIELDS, sorted(stable.items())))


def _search_matches(params: dict[str, Any]) -> tuple[list[int], dict[int, float], list[dict], dict, int]:
    """The matches of a search, as primitives: ids in order, distances, facets, ranges and the total."""
    from marketplace.filters import NEWEST_ORDER, ORDERINGS

    ordering = params.get("ordering") or "newest"
    qs = apply_filters(listing_public_qs(), params)
    sql_order = ORDERINGS.get(ordering) or NEWEST_ORDER
    rows = list(qs.order_by(*sql_order).values_list("id", "lat", "lng", "year_built", "price", *FACET_FIELDS))
    origin = params.get("origin")
    distances: dict[int, float] = {}
    if origin:
        radius = params.get("radius") or 100
        kept = []
        for row in rows:
            if row[1] is None:
                continue
            d = haversine_miles(origin["lat"], origin["lng"], row[1], row[2])
            if d <= radius:
                distances[row[0]] = d
                kept.append(row)
        rows = kept
        if ordering == "distance":
            rows.sort(key=lambda r: distances[r[0]])
    counters: list[Counter[Any]] = [Counter() for _ in FACET_FIELDS]
    for row in rows:
        for i, value in enumerate(row[5:]):
            if value:
                counters[i][value] += 1
    facets = []
    for name, counter in zip(FACET_FIELDS, counters, strict=True):
        labels = _facet_choices(name)
        limit = FACET_LIMITS.get(name, FACET_LIMIT)
        facets.append(
            {
                "name": FACET_PARAM.get(name, name),
                "label": str(FACET_LABELS[name]),
                "values": [
                    {"value": value, "label": str(labels.get(value, value)), "count": count}
                    for value, count in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))[:limit]
                ],
            }
        )
    if params.get("state"):
        _count_states_without_state_filter(params, facets)
    years = [r[3] for r in rows if r[3]]
    prices = [r[4] for r in rows if r[4]]
    ranges = {
        "year_min": min(years, default=None), "year_max": max(years, default=None),
        "price_min": min(prices, default=None), "price_max": max(prices, default=None),
    }  # fmt: skip
    ids = [r[0] for r in rows[:MAX_CACHED_IDS]]
    kept_ids = set(ids)
    distances = {k: v for k, v in distances.items() if k in kept_ids}
    return ids, distances, facets, ranges, len(rows)


def _count_states_without_state_filter(params: dict[str, Any], facets: list[dict]) -> None:
    """With a state chosen, the state facet (and the map drawn from it) counts every state under the
    other filters, so a buyer can move to a neighbouring state; one more query, on a cache miss only."""
    others = {k: v for k, v in params.items() if k != "state"}
    origin, radius = others.get("origin"), others.get("radius") or 100
    counter: Counter[str] = Counter()
    for state, lat, lng in apply_filters(listing_public_qs(), others).values_list("state", "lat", "lng"):
        if not state:
            continue
        if origin and (lat is None or lng is None or haversine_miles(origin["lat"], origin["lng"], lat, lng) > radius):
            continue
        counter[state] += 1
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
    qs = apply_filters(listing_public_qs().filter(pk=listing.pk), params)
    if not qs.exists():
        return False
    if origin := params.get("origin"):
        if listing.lat is None or listing.lng is None:
            return False
        return haversine_miles(origin["lat"], origin["lng"], listing.lat, listing.lng) <= (params.get("radius") or 100)
    return True


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
    from marketplace.services import VIEWS_BATCH, views_key

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


def price_comps(*, family: str | None = None, band: str | None = None) -> list[dict]:
    """Median and quartiles of asking (active/pending) and sold prices by chassis family and year band."""
    rows = Listing.objects.filter(
        status__in=PUBLIC_STATUSES, hidden=False, held_for_review=False, chassis_code__isnull=False
    ).values_list("chassis_code__code", "chassis_code__rebadge_of", "year_built", "status", "price", "sold_price")
    groups: dict[tuple[str, str], dict[str, list[int]]] = {}
    for code, rebadge, year, status, price, sold_price in rows:
        key = (chassis_family(code, rebadge), year_band(year))
        if (family and key[0] != family) or (band and key[1] != band):
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


# Comps move slowly: cached in region "marketplace.comps" (10 minutes) without tags; a new sale shows by then.


def comps_for_listing(*, listing: Listing) -> dict | None:
    """The comps of the listing's chassis family and year band, cached per family and band."""
    code = listing.chassis_code if listing.chassis_code_id else None
    if code is None:
        return None
    fam, band = chassis_family(code.code, code.rebadge_of), year_band(listing.year_built)
    found = caching.get_or_build("marketplace.comps", f"{fam}:{band}", lambda: price_comps(family=fam, band=band))
    return found[0] if found else None


def price_comps_cached(*, family: str | None = None) -> list[dict]:
    """price_comps for the comps page (all families, or one), cached like comps_for_listing."""
    return caching.get_or_build("marketplace.comps", f"page:{family}", lambda: price_comps(family=family)) or []


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
