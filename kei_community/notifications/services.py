"""Create notifications. Call inside the event's transaction; email goes out after commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from kei_community.notifications.models import Notification
from kei_community.notifications.registry import get_kind


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
    rows: list[Notification] = []
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    for recipient in recipients:
        if recipient is None or recipient.pk in seen or (actor is not None and recipient.pk == actor.pk):
            continue
        if not recipient.is_active:
            continue
        seen.add(recipient.pk)
        rows.append(
            Notification(
                recipient=recipient,
                kind=kind,
                actor=actor,
                target_type=target_type,
                target_id=target.pk if target is not None else None,
                title=title[:200],
                body=body,
                url=url,
            )
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    if not all(n.pk for n in created):  # SQLite < 3.35 does not return ids
        created = list(Notification.objects.filter(recipient__in=seen, kind=kind).order_by("-id")[: len(rows)])
    _enqueue_delivery([n.pk for n in created])
    return created


def notification_create(*, recipient: Any, kind: str, title: str, **kwargs: Any) -> Notification | None:
    created = notification_create_many(recipients=[recipient], kind=kind, title=title, **kwargs)
    return created[0] if created else None


def _enqueue_delivery(notification_ids: list[int]) -> None:
    """Email delivery happens after commit; the delivery task decides per user preference."""
    from kei_community.notifications import tasks

    def enqueue() -> None:
        try:
            tasks.deliver_notifications.delay(notification_ids)
        except Exception:  # broker down: the rows stay un-emailed; the sweeper sends them later
            import logging

            logging.getLogger(__name__).warning("could not enqueue notification email; sweeper will retry")

    transaction.on_commit(enqueue)
