"""The weekly reminder to moderators about pages due for verification."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kei_community.notifications.services import notification_create_many
from kei_community.users.models import MODERATORS_GROUP
from stategide import selectors

# --- reminders -------------------------------------------------------------------------


def moderators() -> list[Any]:
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name=MODERATORS_GROUP))
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def send_moderator_reminders(*, today: date | None = None) -> int:
    """Weekly: pages unverified > 180 days and laws taking effect within 90 days. Once per week per moderator."""
    from kei_community.notifications.models import Notification

    today = today or timezone.localdate()
    stale = selectors.pages_needing_verification(today=today)
    soon = selectors.laws_taking_effect_soon(today=today)
    if not stale and not soon:
        return 0
    week_ago = timezone.now() - timedelta(days=6)
    already = set(
        Notification.objects.filter(kind="guide_reminder", created_at__gte=week_ago).values_list(
            "recipient_id", flat=True
        )
    )
    recipients = [m for m in moderators() if m.pk not in already]
    lines = []
    if soon:
        lines.append(f"Laws taking effect within {selectors.EFFECTIVE_WITHIN_DAYS} days (law timeline):")
        lines += [f"- {e.page.name}: {e.title} ({e.date:%b %d, %Y})" for e in soon]
    if stale:
        lines.append(f"{len(stale)} pages not verified in the last 180 days:")
        lines += [f"- {p.name} ({p.code})" for p in stale]
    created = notification_create_many(
        recipients=recipients,
        kind="guide_reminder",
        title=f"State guide: {len(stale)} pages to verify, {len(soon)} laws taking effect soon",
        url="/states/?sort=verified",
        body="\n".join(lines),
    )
    return len(created)
