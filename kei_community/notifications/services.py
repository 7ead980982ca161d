"""Create notifications. Call inside the event's transaction; email goes out after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from kei_community.core import enqueue
from kei_community.core.ids import parse_id
from kei_community.notifications.models import Notification, NotificationPreference
from kei_community.notifications.registry import DAILY, DELIVERY_CHOICES, IMMEDIATE, OFF, all_kinds, get_kind

logger = logging.getLogger(__name__)

VALID_DELIVERIES = {key for key, _ in DELIVERY_CHOICES}


def _deliveries_for(*, user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each user's delivery for kind (their preference or the kind's default), in one query."""
    default = get_kind(kind).default_delivery
    ids = list(user_ids)
    chosen = dict(NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "delivery"))
    return {uid: chosen.get(uid, default) for uid in ids}


def notification_create_many(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    url: str = "",
    body: str = "",
    actor: Any | None = None,
    target: models.Model | None = None,
) -> list[Notification]:
    """One notification per distinct recipient, never to the actor themself."""
    get_kind(kind)  # unknown kinds are a programming error, caught in tests
    seen: set[int] = set()
    wanted: list[Any] = []
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    for recipient in recipients:
        if recipient is None or recipient.pk in seen or (actor is not None and recipient.pk == actor.pk):
            continue
        if not recipient.is_active:
            continue
        seen.add(recipient.pk)
        wanted.append(recipient)
    if not wanted:
        return []
    deliveries = _deliveries_for(user_ids=seen, kind=kind)
    rows = [
        Notification(
            recipient=recipient,
            kind=kind,
            actor=actor,
            target_type=target_type,
            target_id=target.pk if target is not None else None,
            title=title[:200],
            body=body,
            url=url,
            delivery=deliveries[recipient.pk],
        )
        for recipient in wanted
    ]
    # Batches keep each INSERT under PostgreSQL's 65,535 bound parameters (server-side binding).
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    if not all(n.pk for n in created):  # SQLite < 3.35 does not return ids
        created = list(Notification.objects.filter(recipient__in=seen, kind=kind).order_by("-id")[: len(rows)])
    immediate = [n.pk for n in created if n.delivery == IMMEDIATE]
    if immediate:
        _enqueue_delivery(immediate)
    return created


def notification_create(*, recipient: Any, kind: str, title: str, **kwargs: Any) -> Notification | None:
    created = notification_create_many(recipients=[recipient], kind=kind, title=title, **kwargs)
    return created[0] if created else None


DELIVER_TASK = "kei_community.notifications.tasks.deliver_notifications"
DIGEST_TASK = "kei_community.notifications.tasks.send_digest"
DELIVERY_TASK_BATCH = 50  # ids per delivery task: each task stays well inside its time limit


def enqueue_delivery_now(notification_ids: list[int]) -> bool:
    """Put delivery tasks on the broker; False (rows stay pending for the sweeper) if it is down."""
    try:
        for start in range(0, len(notification_ids), DELIVERY_TASK_BATCH):
            enqueue.send(DELIVER_TASK, notification_ids[start : start + DELIVERY_TASK_BATCH])
    except Exception:  # kombu OperationalError and friends: broker down
        logger.warning("could not enqueue notification email; the sweeper will retry", exc_info=True)
        return False
    return True


def enqueue_digest_now(*, user_id: int, before: datetime) -> bool:
    """Put one member's digest task on the broker; False if that failed (broker down; with eager
    tasks, the task itself failed here). The rows stay as they are for the next sweep."""
    try:
        enqueue.send(DIGEST_TASK, user_id, before.isoformat())
    except Exception:  # kombu OperationalError and friends: broker down
        logger.warning("could not enqueue the digest for member %s; the sweeper will retry", user_id, exc_info=True)
        return False
    return True


def notifications_sweep_unsent(*, older_than: timedelta, within: timedelta, limit: int = 500) -> dict[str, int]:
    """Beat job: hand emails that never went out to a sender again.

    Immediate emails: pending rows (broker down at commit, a lost task) and rows whose sender
    died after claiming them (claimed longer than the claim timeout) are re-enqueued while they
    have attempts left. Digests: a member whose digest rows were claimed longer than the claim
    timeout ago, or went back to pending after a failed send that long ago, gets their digest
    task again (limited to the rows of that run). Rows of either kind stuck claimed or pending
    with no attempts left are marked failed.
    """
    from kei_community.notifications.delivery import claim_timeout, max_attempts
    from kei_community.notifications.selectors import pending_immediate_ids, stalled_digests

    limit_attempts = max_attempts()
    timeout = claim_timeout()
    stale = timezone.now() - timeout
    failed = (
        Notification.objects.filter(
            emailed_at__isnull=True, delivery__in=[IMMEDIATE, DAILY], email_attempts__gte=limit_attempts
        )
        .filter(
            models.Q(email_status=Notification.EmailStatus.PENDING)
            | models.Q(email_status=Notification.EmailStatus.CLAIMED, email_claimed_at__lt=stale)
        )
        .update(email_status=Notification.EmailStatus.FAILED)
    )
    if failed:
        logger.warning("%s notification emails ran out of attempts; marked failed", failed)
    ids = pending_immediate_ids(
        older_than=older_than, within=within, claim_timeout=timeout, max_attempts=limit_attempts, limit=limit
    )
    enqueued = len(ids) if ids and enqueue_delivery_now(ids) else 0
    digests = 0
    for user_id, newest in stalled_digests(
        within=within, claim_timeout=timeout, max_attempts=limit_attempts, limit=limit
    ):
        # The takeover lists the stalled run's rows (up to the newest); one member's trouble
        # never holds back the others (each digest is its own task).
        digests += enqueue_digest_now(user_id=user_id, before=newest)
    return {"found": len(ids), "enqueued": enqueued, "failed": failed, "digests": digests}


def _enqueue_delivery(notification_ids: list[int]) -> None:
    """Email delivery happens after commit; the delivery task claims each row once."""
    transaction.on_commit(lambda: enqueue_delivery_now(notification_ids))


# --- reading -------------------------------------------------------------------


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None, all: bool = False) -> int:  # noqa: A002
    """Mark the user's own notifications read (the given ids, or all). Returns how many changed.

    Ids of other members' notifications are never touched: the filter is on the recipient.
    """
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in to manage your notifications.")
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if not all:
        parsed = [parse_id(i) for i in (ids or [])]
        if None in parsed:
            raise ValidationError({"ids": ["Ids are whole numbers from 1."]})
        id_list = [pk for pk in parsed if pk is not None]
        if not id_list:
            raise ValidationError({"ids": ["Give the ids to mark read, or all=true."]})
        qs = qs.filter(pk__in=id_list)
    return qs.update(read_at=timezone.now())


# --- preferences ---------------------------------------------------------------


def notification_preferences_set(*, user: Any, preferences: Mapping[str, str], actor: Any | None = None) -> None:
    """Save the user's email choice per kind; unsent notifications follow the new choice."""
    actor = user if actor is None else actor
    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        raise PermissionDenied("You can only change your own notification settings.")
    known = {k.key for k in all_kinds()}
    errors = {}
    for kind, delivery in preferences.items():
        if kind not in known:
            errors[kind] = ["Unknown notification kind."]
        elif delivery not in VALID_DELIVERIES:
            errors[kind] = [f"Choose one of: {', '.join(sorted(VALID_DELIVERIES))}."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for kind, delivery in preferences.items():
            NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})
            Notification.objects.filter(recipient=user, kind=kind, emailed_at__isnull=True).exclude(
                delivery=delivery
            ).update(delivery=delivery)


def notification_unsubscribe(*, user: Any, kind: str) -> list[str]:
    """One-click unsubscribe (no login: the caller verified a signed token). kind "*" = every kind."""
    kinds = [k.key for k in all_kinds()] if kind == "*" else [get_kind(kind).key]
    with transaction.atomic():
        for key in kinds:
            NotificationPreference.objects.update_or_create(user=user, kind=key, defaults={"delivery": OFF})
        Notification.objects.filter(recipient=user, kind__in=kinds, emailed_at__isnull=True).update(delivery=OFF)
    return kinds


__all__ = [
    "DAILY",
    "IMMEDIATE",
    "OFF",
    "enqueue_delivery_now",
    "enqueue_digest_now",
    "notifications_sweep_unsent",
    "notification_create",
    "notification_create_many",
    "notification_preferences_set",
    "notification_unsubscribe",
    "notifications_mark_read",
]
