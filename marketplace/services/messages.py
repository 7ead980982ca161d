"""Conversations between a buyer and a seller, and their messages."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kei_community.moderation import limits
from kei_community.moderation.sanctions import check_not_suspended
from kei_community.notifications.services import notification_create
from marketplace.models import Conversation, Listing, Message
from marketplace.services.rules import Status

SCAM_PATTERNS = re.compile(
    r"wire transfer|western union|moneygram|gift ?cards?|itunes card|steam card|shipping agent|"
    r"escrow agent|zelle|crypto|bitcoin|whats ?app|telegram|text me at|e-?mail me at|outside (?:of )?this site|"
    r"off[- ]site",
    re.IGNORECASE,
)


SCAM_WARNING = (
    "Careful: this message mentions wire transfers, gift cards, shipping agents or moving off the site. "
    "These are common in scams. Never pay before you have seen the truck and its papers."
)


def _check_message_cap(sender: Any) -> None:
    """Every member: MESSAGE_RATE_PER_MINUTE / _PER_DAY (RateLimited); young accounts: the daily cap."""
    check_not_suspended(sender)
    limits.check_rate(
        user=sender, done=Message.objects.filter(sender=sender), rates=limits.message_rates(), noun="messages"
    )
    limits.check_new_account_cap(
        user=sender,
        action="message",
        count_today=Message.objects.filter(sender=sender, created_at__gte=limits.start_of_day()).count(),
    )


@transaction.atomic
def conversation_start(*, buyer: Any, listing: Listing, body: str) -> Conversation:
    """One conversation per (listing, buyer); writing again appends to it."""
    if not buyer or not buyer.is_authenticated:
        raise PermissionDenied("Sign in to contact the seller.")
    if buyer.pk == listing.seller_id:
        raise ValidationError("You cannot message yourself about your own listing.")
    if listing.status not in (Status.ACTIVE, Status.PENDING) or listing.hidden:
        raise ValidationError("This listing is no longer available, so the seller cannot be contacted.")
    conversation, _ = Conversation.objects.get_or_create(
        listing=listing, buyer=buyer, defaults={"seller_id": listing.seller_id}
    )
    message_send(sender=buyer, conversation=conversation, body=body)
    return conversation


@transaction.atomic
def message_send(*, sender: Any, conversation: Conversation, body: str) -> Message:
    if sender is None or sender.pk not in (conversation.buyer_id, conversation.seller_id):
        raise PermissionDenied("This is not your conversation.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write a message."]})
    if len(body) > 5000:
        raise ValidationError({"body": ["Keep messages under 5,000 characters."]})
    if conversation.listing.status == Status.REMOVED:
        raise ValidationError("This listing was removed; the conversation is closed.")
    _check_message_cap(sender)
    message = Message(
        conversation=conversation, sender=sender, body=body, scam_warning=bool(SCAM_PATTERNS.search(body))
    )
    message.full_clean()
    message.save()
    now = message.created_at
    conversation.last_message_at = now
    if sender.pk == conversation.buyer_id:
        conversation.buyer_read_at = now
        recipient = conversation.seller
    else:
        conversation.seller_read_at = now
        recipient = conversation.buyer
    conversation.save(update_fields=["last_message_at", "buyer_read_at", "seller_read_at"])
    notification_create(
        recipient=recipient,
        kind="message",
        title=f"New message about “{conversation.listing.title}” from {sender.public_name}",
        url=conversation.get_absolute_url(),
        body=body[:300],
        actor=sender,
        target=conversation,
    )
    return message


def conversation_mark_read(*, user: Any, conversation: Conversation) -> None:
    now = timezone.now()
    if user.pk == conversation.buyer_id:
        Conversation.objects.filter(pk=conversation.pk).update(buyer_read_at=now)
    elif user.pk == conversation.seller_id:
        Conversation.objects.filter(pk=conversation.pk).update(seller_read_at=now)
    else:
        raise PermissionDenied("This is not your conversation.")
