"""The marketplace's entries in the account menu (kei_community.core.account_menu discovers this module)."""

from __future__ import annotations

from typing import Any

from kei_community.core.account_menu import register


def _unread_conversations(user: Any) -> int:
    from marketplace.selectors import unread_conversation_count

    return unread_conversation_count(user=user)


def _unread_conversations_sql() -> str:
    """selectors.unread_conversation_count as SQL for the member `u.id` (the header-state query):
    conversations they are in with a message from the other side after they last read it."""
    from marketplace.models import Conversation, Message

    c, m = Conversation._meta.db_table, Message._meta.db_table
    return (
        f"SELECT COUNT(*) FROM {c} c WHERE (c.buyer_id = u.id OR c.seller_id = u.id) AND EXISTS ("  # noqa: S608
        f"SELECT 1 FROM {m} m WHERE m.conversation_id = c.id AND m.sender_id <> u.id AND ("
        f"(c.buyer_id = u.id AND (c.buyer_read_at IS NULL OR m.created_at > c.buyer_read_at)) OR "
        f"(c.seller_id = u.id AND (c.seller_read_at IS NULL OR m.created_at > c.seller_read_at))))"
    )


register(
    "messages",
    label="Messages",
    url_name="conversations:inbox",
    icon="chat",
    order=10,
    count=_unread_conversations,
    count_sql=_unread_conversations_sql,
)
register("dashboard", label="My listings", url_name="marketplace:dashboard", icon="tag", order=20)
register("favorites", label="Favourites", url_name="marketplace:favorites", icon="star", order=50)
register("saved_searches", label="Saved searches", url_name="marketplace:saved-searches", icon="search", order=55)
