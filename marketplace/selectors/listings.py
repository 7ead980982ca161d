"""Listings: the public and card querysets, a listing's page, similar trucks, the seller's dashboard."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from kei_community.moderation.sanctions import suspended_member_ids
from marketplace.models import PUBLIC_STATUSES, Favorite, Listing, Question

SEARCH_STATUSES = (Listing.Status.ACTIVE, Listing.Status.PENDING)


def _photos_prefetch() -> Prefetch:
    """The photos of a list of listings, read with kei_community.media.selectors.photos_of."""
    from kei_community.media.selectors import photos_prefetch

    return photos_prefetch()


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


def newest_listings(*, limit: int = 6) -> list[Listing]:
    return list(listing_public_qs().order_by("-published_at")[:limit])


def listings_for_truck(*, truck: Any) -> list[Listing]:
    return list(Listing.objects.filter(truck=truck, status__in=PUBLIC_STATUSES, hidden=False, held_for_review=False))


def pending_views(listing_ids: list[int]) -> dict[int, int]:
    """Views counted in the cache but not yet written to `views_count` (see services.listing_record_view)."""
    from marketplace.keys import VIEWS_BATCH, views_held, views_key

    if not listing_ids:
        return {}
    found = cache.get_many([views_key(i) for i in listing_ids])
    return {i: int(found.get(views_key(i)) or 0) % VIEWS_BATCH + views_held(i) for i in listing_ids}


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


def member_listings_not_removed(member: Any) -> QuerySet[Listing]:
    """Every listing of the member a moderator has not removed ("remove all of this member's listings")."""
    return Listing.objects.filter(seller=member).exclude(status=Listing.Status.REMOVED).order_by("pk")
