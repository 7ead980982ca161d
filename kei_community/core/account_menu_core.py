"""The account menu's entries from the shared parts (garage, notifications, settings)."""

from __future__ import annotations

from typing import Any

from kei_community.core.account_menu import register


def _unread_notifications(user: Any) -> int:
    # The signed-in user usually arrives with the count annotated (users.selectors.user_with_header_state).
    annotated = getattr(user, "unread_notifications_count", None)
    if annotated is not None:
        return int(annotated)
    from kei_community.notifications.selectors import unread_count

    return unread_count(user)


register("garage", label="Garage", url_name="vehicles:index", icon="truck", order=40)
register(
    "notifications",
    label="Notifications",
    url_name="notifications:list",
    icon="bell",
    order=70,
    count=_unread_notifications,
)
register("settings", label="Settings", url_name="users:settings", icon="gear", order=80)
