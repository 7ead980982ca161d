"""How a contact message shows in the moderation queue (kei_community.moderation.registry)."""

from __future__ import annotations

from typing import Any


def describe(message: Any) -> dict[str, str]:
    # The name is stored with the message (a member's public name when sent): no query per queue row.
    sender = message.name or ("a member" if message.sender_id else "a visitor")
    return {
        "title": f"Contact: {message.subject} (from {sender})",
        "url": message.get_absolute_url(),
        "app": "core",
        "excerpt": message.body,
    }


def leave_as_is(message: Any) -> None:
    """Reports hide content after REPORTS_TO_HIDE reporters; a contact message is seen by moderators only."""
