"""Email delivery of notifications (immediate and daily digest).

Every email carries `List-Unsubscribe` (a signed one-click URL that needs no login) and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058). A row is emailed at most
once: a sender first *claims* it with ``UPDATE ... SET emailed_at=now WHERE emailed_at IS NULL``
and only sends the rows it claimed, so a task that runs twice sends nothing the second time.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from kei_community.notifications.models import Notification
from kei_community.notifications.registry import DAILY, IMMEDIATE, get_kind

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "kei_community.notifications.unsubscribe"
ALL_KINDS = "*"


# --- one-click unsubscribe tokens -----------------------------------------------


def unsubscribe_token(*, user: Any, kind: str) -> str:
    """A signed token naming the user and the kind ("*" for every kind). No expiry (RFC 8058)."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind) from a token; raises signing.BadSignature when tampered with."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), str):
        raise signing.BadSignature("Malformed unsubscribe token.")
    return data["u"], data["k"]


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(*, user: Any, kind: str) -> str:
    return absolute(reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user=user, kind=kind)}))


# --- building messages ------------------------------------------------------------


def _message(*, to: str, subject: str, template: str, context: dict, unsubscribe: str) -> EmailMultiAlternatives:
    context = {
        **context,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL.rstrip("/"),
        "unsubscribe_url": unsubscribe,
        "settings_url": absolute(reverse("notifications:settings")),
    }
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    msg = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}"[:250],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    msg.attach_alternative(html, "text/html")
    return msg


def build_notification_email(notification: Notification) -> EmailMultiAlternatives:
    kind = get_kind(notification.kind)
    user = notification.recipient
    return _message(
        to=user.email,
        subject=notification.title,
        template="notification",
        context={
            "notification": notification,
            "kind": kind,
            "recipient": user,
            "link": absolute(notification.get_absolute_url()),
        },
        unsubscribe=unsubscribe_url(user=user, kind=notification.kind),
    )


def build_digest_email(*, user: Any, notifications: list[Notification]) -> EmailMultiAlternatives:
    items = [
        {"notification": n, "kind": get_kind(n.kind), "link": absolute(n.get_absolute_url())} for n in notifications
    ]
    count = len(items)
    return _message(
        to=user.email,
        subject=f"Your daily digest: {count} new notification{'s' if count != 1 else ''}",
        template="digest",
        context={"items": items, "recipient": user, "count": count},
        unsubscribe=unsubscribe_url(user=user, kind=ALL_KINDS),
    )


# --- claiming and sending ---------------------------------------------------------


def _claim(notification_id: int) -> bool:
    """Atomically take one row for sending; False if another run already took it."""
    return (
        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True, delivery=IMMEDIATE).update(
            emailed_at=timezone.now()
        )
        == 1
    )


def _release(notification_ids: list[int]) -> None:
    Notification.objects.filter(pk__in=notification_ids).update(emailed_at=None)


def deliver(notification_ids: list[int]) -> int:
    """Send the immediate emails among these notifications, each at most once. Returns the count sent.

    Rows set to daily digest or off are left alone (the digest task or nobody sends them).
    A send failure releases the row and re-raises so the task retries with backoff.
    """
    sent = 0
    candidates = (
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True, delivery=IMMEDIATE)
        .select_related("recipient", "actor")
        .order_by("id")
    )
    for notification in candidates:
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            continue
        if not _claim(notification.pk):
            continue
        try:
            build_notification_email(notification).send()
        except Exception:
            _release([notification.pk])
            raise
        sent += 1
    return sent


def send_digest(user_id: int) -> int:
    """Email one member the notifications waiting for their daily digest. Returns how many it listed."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return 0
    now = timezone.now()
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(recipient_id=user_id, emailed_at__isnull=True, delivery=DAILY)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        if not pending:
            return 0
        Notification.objects.filter(pk__in=pending, emailed_at__isnull=True).update(emailed_at=now)
    rows = list(Notification.objects.filter(pk__in=pending, emailed_at=now).select_related("actor").order_by("-id"))
    if not rows:
        return 0
    try:
        build_digest_email(user=user, notifications=rows).send()
    except Exception:
        _release([n.pk for n in rows])
        raise
    return len(rows)
