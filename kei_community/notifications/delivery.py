"""Email delivery of notifications (immediate, per the recipient's preference)."""

from __future__ import annotations


def deliver(notification_ids: list[int]) -> None:
    # The shared-pipeline issue implements preferences, templates and List-Unsubscribe here.
    return None
