"""Marketplace rules shared by every write: who may change a listing, its status moves, cache tags."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied

from kei_community.core import enqueue
from kei_community.moderation.sanctions import check_not_suspended
from marketplace import page_cache
from marketplace.models import Listing

logger = logging.getLogger(__name__)


Status = Listing.Status


# Which status the owner may move a listing to, from each status.
OWNER_TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.ACTIVE},
    Status.ACTIVE: {Status.PENDING, Status.SOLD, Status.DRAFT},
    Status.PENDING: {Status.ACTIVE, Status.SOLD},
    Status.EXPIRED: {Status.ACTIVE, Status.SOLD},
    Status.SOLD: set(),
    Status.REMOVED: set(),
}


def listing_ttl_days() -> int:
    return int(getattr(settings, "LISTING_TTL_DAYS", 60))


def is_seller(actor: Any, listing: Listing) -> bool:
    """The one rule for changing a listing (and managing its photos): its seller, signed in."""
    return actor is not None and actor.is_authenticated and actor.pk == listing.seller_id


def _check_owner(actor: Any, listing: Listing) -> None:
    if not is_seller(actor, listing):
        raise PermissionDenied("Only the seller can change this listing.")
    check_not_suspended(actor)


def _changed(listing: Listing, *, search: bool = True, makes: str = "", place: tuple[Any, Any] = (None, None)) -> None:
    """Fire the listing's cache tags (now, and again once the transaction commits); with `search`, the tags
    of the cached searches it may join or leave too (its make now and `makes`, its make before; its place now
    and `place`, its (lat, lng) before)."""
    page_cache.listing_changed(
        listing.pk, makes=(listing.make, makes), search=search, places=((listing.lat, listing.lng), place)
    )


# Background work is sent by task name (kei_community.core.enqueue), never by importing marketplace.tasks.
PRICE_DROP_TASK = "marketplace.tasks.notify_price_drop"
SAVED_SEARCH_ALERTS_TASK = "marketplace.tasks.saved_search_alerts_for_listing"


def send_task(name: str, *args: Any) -> bool:
    """Enqueue a marketplace task by name; if the broker is down, log it: the periodic sweeps pick the work up
    later (price drops: sweep_price_drops; saved-search matches: the daily digest)."""
    try:
        enqueue.send(name, *args)
    except Exception as exc:  # kombu OperationalError, redis ConnectionError
        logger.warning("marketplace task %s not enqueued: %s", name, exc)
        return False
    return True
