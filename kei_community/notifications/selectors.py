from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max, Q, QuerySet
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


def pending_immediate_ids(
    *,
    older_than: timedelta,
    within: timedelta,
    claim_timeout: timedelta,
    max_attempts: int,
    limit: int = 500,
) -> list[int]:
    """Immediate emails to hand to a sender again, oldest first.

    - pending rows created between `within` and `older_than` ago (the broker was down at commit,
      a task was lost) whose last attempt, if any, started more than `claim_timeout` ago;
    - rows claimed more than `claim_timeout` ago (the sender died between claim and send).
    Rows out of attempts are left to `notifications_sweep_unsent`, which marks them failed.
    """
    now = timezone.now()
    stale = now - claim_timeout
    waiting = Q(
        email_status=Notification.EmailStatus.PENDING,
        created_at__lt=now - older_than,
        created_at__gte=now - within,
    ) & (Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale))
    crashed = Q(email_status=Notification.EmailStatus.CLAIMED, email_claimed_at__lt=stale)
    return list(
        Notification.objects.filter(waiting | crashed, emailed_at__isnull=True, delivery=IMMEDIATE)
        .filter(email_attempts__lt=max_attempts)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


def digest_recipient_ids() -> list[int]:
    """Members with notifications waiting for their daily digest (failed rows do not count)."""
    return list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            delivery=DAILY,
            email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.CLAIMED],
        )
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def stalled_digests(
    *, within: timedelta, claim_timeout: timedelta, max_attempts: int, limit: int = 500
) -> list[tuple[int, datetime]]:
    """Members whose digest was started but not finished: (member id, newest such row's created_at).

    Digest rows with attempts left whose last attempt started more than `claim_timeout` ago
    (and less than `within` ago) and that are still claimed (the sender died between claim and
    send) or back to pending (the send failed and its retry was lost). Rows never attempted are
    left to the daily run. Members who are inactive or have no email address are left out.
    """
    now = timezone.now()
    rows = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            delivery=DAILY,
            email_status__in=[Notification.EmailStatus.PENDING, Notification.EmailStatus.CLAIMED],
            email_attempts__lt=max_attempts,
            email_claimed_at__lt=now - claim_timeout,
            email_claimed_at__gte=now - within,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .order_by()
        .values("recipient_id")
        .annotate(newest=Max("created_at"))
        .order_by("recipient_id")
        .values_list("recipient_id", "newest")[:limit]
    )
    return list(rows)
