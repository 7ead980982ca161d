"""Moderators' actions on listings, and the handlers registered with kei_community.moderation."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from marketplace import page_cache
from marketplace.models import Listing, Message, Question
from marketplace.services.rules import SAVED_SEARCH_ALERTS_TASK, Status, _changed, send_task


def listing_hide(listing: Listing) -> None:
    Listing.objects.filter(pk=listing.pk).update(hidden=True)
    _changed(listing)


def listing_restore(listing: Listing) -> None:
    Listing.objects.filter(pk=listing.pk).update(hidden=False, held_for_review=False)
    _changed(listing)


@transaction.atomic
def listing_approve(*, actor: Any, listing: Listing) -> Listing:
    from kei_community.moderation.services import audit_record
    from kei_community.users.permissions import check_moderator

    check_moderator(actor)
    listing.held_for_review = False
    listing.save(update_fields=["held_for_review", "updated_at"])
    _changed(listing)
    audit_record(actor=actor, action="listing_approve", target=listing, before={"held": True}, after={"held": False})
    transaction.on_commit(lambda: _enqueue_alerts(listing.pk))
    return listing


def _enqueue_alerts(listing_id: int) -> None:
    send_task(SAVED_SEARCH_ALERTS_TASK, listing_id)


def listing_remove(*, actor: Any, listing: Listing, note: str = "") -> Listing:
    """A moderator removes a listing (the held-listing review page): kei_community.moderation's
    content_remove, so the seller is told why, its reports are closed and it is audited."""
    from kei_community.moderation.services import content_remove

    content_remove(actor=actor, target=listing, reason=note or REMOVED_DEFAULT_REASON)
    listing.refresh_from_db(fields=["status", "updated_at"])
    return listing


REMOVED_DEFAULT_REASON = "It does not follow the marketplace rules."


# Handlers registered with kei_community.moderation (MarketplaceConfig.ready): the moderation services
# check the moderator, audit, close the reports and tell the owner; these change the marketplace's rows.


def listing_take_down(listing: Listing, **_: Any) -> dict[str, Any]:
    """Removed by a moderator: out of search, the home page, lists, counts and the API; its page is 410."""
    before = {"status": listing.status}
    listing.status = Status.REMOVED
    listing.save(update_fields=["status", "updated_at"])
    _changed(listing)
    return before


def listing_put_back(listing: Listing, *, state: dict[str, Any], **_: Any) -> None:
    """Restored: the status it had (expired if its time ran out meanwhile)."""
    status = state.get("status")
    if status not in Status.values or status == Status.REMOVED:
        status = Status.DRAFT
    if status == Status.ACTIVE and listing.expires_at is not None and listing.expires_at <= timezone.now():
        status = Status.EXPIRED
    listing.status = status
    listing.save(update_fields=["status", "updated_at"])
    _changed(listing)


def listing_photos_changed(listing: Listing) -> None:
    """A moderator removed or restored one of its photos."""
    _changed(listing, search=False)


def question_take_down(question: Question, **_: Any) -> dict[str, Any]:
    before = {"hidden": question.hidden}
    Question.objects.filter(pk=question.pk).update(hidden=True)
    question.hidden = True
    _changed(question.listing, search=False)
    return before


def question_put_back(question: Question, **_: Any) -> None:
    Question.objects.filter(pk=question.pk).update(hidden=False)
    question.hidden = False
    _changed(question.listing, search=False)


def message_take_down(message: Message, **_: Any) -> dict[str, Any]:
    """The removal itself hides it from the other member (selectors.conversation_messages)."""
    return {}


def message_put_back(message: Message, **_: Any) -> None:
    return None


def member_moderated(member: Any) -> None:
    """A member was suspended or reinstated: their listings leave or rejoin search at once."""
    makes = set(Listing.objects.filter(seller=member).values_list("make", flat=True).distinct())
    page_cache.member_changed(member.pk, makes=makes)
