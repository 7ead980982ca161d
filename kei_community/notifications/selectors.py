from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kei_community.notifications.models import Notification, NotificationPreference
from kei_community.notifications.registry import DAILY, IMMEDIATE, NotificationKind, all_kinds


def notifications_for(user: Any, *, unread: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).select_related("actor")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preferences_for(user: Any) -> list[tuple[NotificationKind, str]]:
    """Every registered kind with the user's delivery (their choice or the kind's default)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return [(kind, chosen.get(kind.key, kind.default_delivery)) for kind in all_kinds()]


def pending_immediate_ids(*, older_than: timedelta, within: timedelta, limit: int = 500) -> list[int]:
    """Immediate notifications whose email never went out (the broker was down, a task was lost)."""
    now = timezone.now()
    return list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            delivery=IMMEDIATE,
            created_at__lt=now - older_than,
            created_at__gte=now - within,
        )
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


def digest_recipient_ids() -> list[int]:
    """Members with notifications waiting for their daily digest."""
    return list(
        Notification.objects.filter(emailed_at__isnull=True, delivery=DAILY)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )
