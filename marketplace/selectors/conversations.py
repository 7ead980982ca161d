"""Conversations between buyers and sellers: a member's inbox, one conversation and its messages, a listing's
buyers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from kei_community.moderation.selectors import removal_reason
from marketplace.models import Conversation, Listing, Message

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def listing_buyers(*, listing: Listing) -> list[Any]:
    """Members who wrote to the seller about this listing (candidates for "sold to")."""
    return [
        c.buyer
        for c in Conversation.objects.filter(listing=listing).select_related("buyer").order_by("-last_message_at")
    ]


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


def conversation_messages(*, conversation: Conversation, viewer: Any) -> list[Message]:
    """The messages of a conversation from conversation_get_for (no query) for one of its members: a message
    a moderator removed is gone for the other member; its sender still sees it, with `removed_reason` set."""
    return [
        m
        for m in conversation.messages.all()
        if getattr(m, "removed_reason", None) is None or m.sender_id == getattr(viewer, "pk", None)
    ]
