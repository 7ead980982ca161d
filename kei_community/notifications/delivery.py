"""Email delivery of notifications (immediate and daily digest).

Every email carries `List-Unsubscribe` (a signed one-click URL that needs no login) and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).

Immediate emails are at-least-once with no double send in normal operation: a sender *claims*
a row (``UPDATE ... SET email_status='claimed', email_claimed_at=now, email_attempts=attempts+1
WHERE email_status='pending' OR (claimed AND email_claimed_at < now - timeout)``), sends only
what it claimed, then marks it sent; a task that runs again skips sent rows. A sender that dies
between claim and send leaves the row claimed; once the claim is older than the timeout the
sweeper re-enqueues it. The one window for a duplicate is a crash after the SMTP server took
the message but before the row was marked sent. After the last attempt the row is failed.

The daily digest uses the same claim, attempt counter, retry and takeover, per member: all the
member's waiting digest rows are claimed with one UPDATE, listed in one email, then marked sent.

Bursts: kinds registered with a ``burst_noun`` (messages) are not emailed one by one when they come
in quick succession. With ``NOTIFICATIONS_EMAIL_BURST_MINUTES`` > 0, a member's rows of such a kind
are emailed at once only if no email of that kind went to them in the last window; otherwise they
wait (pending) and a flush task, due when the window ends, claims them all with one UPDATE and sends
one "N new messages" email (the usual single email when N is 1), which starts the next window. The
decision and the claim are taken under a lock on the recipient's row, so concurrent senders cannot
both send "the first" email. If the flush task is lost, the sweeper's redelivery sends the rows once
the window has ended.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
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


def build_burst_email(*, user: Any, kind: str, notifications: list[Notification]) -> EmailMultiAlternatives:
    """One email for a burst of notifications of one kind: "N new messages", grouped by link
    (one line per conversation, with how many and the latest text)."""
    registered = get_kind(kind)
    groups: dict[str, dict[str, Any]] = {}
    for n in notifications:  # oldest first: the latest row of a group gives its title and text
        group = groups.setdefault(n.get_absolute_url(), {"link": absolute(n.get_absolute_url()), "count": 0})
        group.update(count=group["count"] + 1, title=n.title, body=n.body)
    count = len(notifications)
    return _message(
        to=user.email,
        subject=f"{count} new {registered.burst_noun or 'notifications'}",
        template="burst",
        context={"groups": list(groups.values()), "recipient": user, "count": count, "kind": registered},
        unsubscribe=unsubscribe_url(user=user, kind=kind),
    )


# --- claiming and sending ---------------------------------------------------------

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_CLAIM_TIMEOUT = timedelta(minutes=10)

Status = Notification.EmailStatus


def max_attempts() -> int:
    """Send attempts per row (immediate email or digest) before the row is marked failed."""
    return max(1, int(getattr(settings, "NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)))


def claim_timeout() -> timedelta:
    """How long a claim may last before it counts as a crashed sender (the sweeper takes over)."""
    minutes = getattr(settings, "NOTIFICATIONS_EMAIL_CLAIM_TIMEOUT_MINUTES", None)
    return DEFAULT_CLAIM_TIMEOUT if minutes is None else timedelta(minutes=float(minutes))


def burst_window() -> timedelta:
    """NOTIFICATIONS_EMAIL_BURST_MINUTES: the shortest time between two emails of a burst kind to
    one member (0: every notification is emailed on its own)."""
    minutes = float(getattr(settings, "NOTIFICATIONS_EMAIL_BURST_MINUTES", 0) or 0)
    return timedelta(minutes=max(0.0, minutes))


def gathers_bursts(kind: str) -> bool:
    """True when immediate emails of this kind are gathered (the kind has a burst noun, the window is on)."""
    try:
        registered = get_kind(kind)
    except LookupError:
        return False
    return bool(registered.burst_noun) and burst_window() > timedelta(0)


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: list[int] = field(default_factory=list)  # out of attempts: marked failed
    retry: list[int] = field(default_factory=list)  # a send went wrong (or was cut short); try again later


def _claimable(*, now: datetime) -> Q:
    """Rows a sender may take: pending, or claimed by a sender that stopped answering (crashed)."""
    return Q(email_status=Status.PENDING) | Q(email_status=Status.CLAIMED, email_claimed_at__lt=now - claim_timeout())


def _sendable(*, now: datetime, delivery: str = IMMEDIATE) -> QuerySet[Notification]:
    """Rows of this delivery (immediate or daily) not sent yet, with attempts left, that no live sender holds."""
    return Notification.objects.filter(
        _claimable(now=now), emailed_at__isnull=True, delivery=delivery, email_attempts__lt=max_attempts()
    )


def _claim_rows(rows: QuerySet[Notification], *, now: datetime) -> int:
    """Take rows for sending with one conditional UPDATE that also counts the attempt.

    `rows` must be a `_sendable()` queryset: the UPDATE's WHERE re-checks the claim condition,
    so two senders racing for a row cannot both take it. Returns how many rows were taken; the
    claim time `now` tells this sender's rows apart.
    """
    return rows.update(email_status=Status.CLAIMED, email_claimed_at=now, email_attempts=F("email_attempts") + 1)


def _claim(notification_id: int) -> bool:
    """Take one immediate row. False when it was sent, failed, is out of attempts, is no longer an
    immediate email, or another sender holds a live claim on it."""
    now = timezone.now()
    return _claim_rows(_sendable(now=now).filter(pk=notification_id), now=now) == 1


def _mark_sent(notification_ids: list[int]) -> None:
    Notification.objects.filter(pk__in=notification_ids).update(email_status=Status.SENT, emailed_at=timezone.now())


def _after_failure(notification_ids: list[int], result: DeliveryResult) -> None:
    """A send went wrong: rows with attempts left go back to pending (`result.retry`), the others
    are marked failed (`result.failed`).

    The claim time is kept: the sweeper leaves the rows to the task's own retry until the claim
    timeout has passed.
    """
    limit = max_attempts()
    out_of_attempts = Notification.objects.filter(pk__in=notification_ids, email_attempts__gte=limit)
    failed = set(out_of_attempts.values_list("pk", flat=True))
    if failed:
        Notification.objects.filter(pk__in=failed).update(email_status=Status.FAILED)
        logger.warning("notifications %s: email failed %s times; marked failed", sorted(failed), limit)
    retry = [pk for pk in notification_ids if pk not in failed]
    if retry:
        Notification.objects.filter(pk__in=retry, email_status=Status.CLAIMED).update(email_status=Status.PENDING)
    result.failed.extend(pk for pk in notification_ids if pk in failed)
    result.retry.extend(retry)


def deliver(notification_ids: list[int]) -> DeliveryResult:
    """Send the immediate emails among these notifications; safe to run again for the same ids.

    Rows already sent or failed, rows set to daily digest or off and rows another sender is
    working on are skipped. Each row is claimed first (one conditional UPDATE that counts the
    attempt), sent, then marked sent. A failed send puts the row back to pending (`retry`), or
    marks it failed after the last attempt (`failed`); the other rows are still sent.
    """
    result = DeliveryResult()
    now = timezone.now()
    candidates = list(
        _sendable(now=now).filter(pk__in=notification_ids).select_related("recipient", "actor").order_by("id")
    )
    bursts: set[tuple[int, str]] = set()
    for index, notification in enumerate(candidates):
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            continue
        if gathers_bursts(notification.kind):
            # Rows of a burst kind go out together: one decision (and one email) per recipient and kind.
            if (recipient.pk, notification.kind) in bursts:
                continue
            bursts.add((recipient.pk, notification.kind))
            try:
                _deliver_burst(recipient=recipient, kind=notification.kind, result=result, schedule=True)
            except SoftTimeLimitExceeded:
                result.retry.extend(n.pk for n in candidates[index + 1 :])
                return result
            continue
        if not _claim(notification.pk):
            continue
        try:
            build_notification_email(notification).send()
        except SoftTimeLimitExceeded:
            # Out of time: this row and the ones not reached yet go to the retry.
            _after_failure([notification.pk], result)
            result.retry.extend(n.pk for n in candidates[index + 1 :])
            return result
        except Exception:
            logger.warning("notification %s: email send failed", notification.pk, exc_info=True)
            _after_failure([notification.pk], result)
            continue
        _mark_sent([notification.pk])
        result.sent += 1
    return result


def _deliver_burst(*, recipient: Any, kind: str, result: DeliveryResult, schedule: bool) -> None:
    """Email the recipient's waiting rows of a burst kind now, or leave them for the flush.

    Under a lock on the recipient's row (FOR NO KEY UPDATE: concurrent senders decide one after the
    other): when an email of this kind was claimed or sent to the recipient within the burst window,
    nothing is sent and (with ``schedule``) a flush is scheduled for the window's end. Otherwise all
    the recipient's sendable rows of the kind are claimed with one conditional UPDATE (each attempt
    counted) and sent as one email. A failed send puts the rows back to pending (``retry``) or marks
    those out of attempts failed; SoftTimeLimitExceeded is re-raised after that.
    """
    window = burst_window()
    with transaction.atomic():
        get_user_model().objects.select_for_update(no_key=True).filter(pk=recipient.pk).values_list("pk").first()
        now = timezone.now()
        last = (
            Notification.objects.filter(
                recipient_id=recipient.pk,
                kind=kind,
                delivery=IMMEDIATE,
                email_status__in=[Status.CLAIMED, Status.SENT],
                email_claimed_at__gte=now - window,
            )
            .order_by()
            .aggregate(last=Max("email_claimed_at"))["last"]
        )
        claimed = 0 if last else _claim_rows(_sendable(now=now).filter(recipient_id=recipient.pk, kind=kind), now=now)
    if last:
        if schedule:
            _schedule_flush(recipient_id=recipient.pk, kind=kind, due=last + window)
        return
    if not claimed:
        return
    rows = list(
        Notification.objects.filter(
            recipient_id=recipient.pk, kind=kind, email_status=Status.CLAIMED, email_claimed_at=now
        )
        .select_related("recipient", "actor")
        .order_by("id")
    )
    ids = [n.pk for n in rows]
    try:
        if len(rows) == 1:
            build_notification_email(rows[0]).send()
        else:
            build_burst_email(user=recipient, kind=kind, notifications=rows).send()
    except SoftTimeLimitExceeded:
        _after_failure(ids, result)
        raise
    except Exception:
        logger.warning("burst of %s for member %s: email send failed", kind, recipient.pk, exc_info=True)
        _after_failure(ids, result)
        return
    _mark_sent(ids)
    result.sent += len(rows)


def _schedule_flush(*, recipient_id: int, kind: str, due: datetime) -> None:
    """Enqueue the flush of one recipient's burst for `due` (once per window: a cache key remembers
    it; on a cache or broker outage the sweeper's redelivery sends the rows after the window)."""
    from django.core.cache import cache

    from kei_community.notifications import tasks

    key = f"notifications:burst:{recipient_id}:{kind}:{int(due.timestamp())}"
    wait = (due - timezone.now()).total_seconds() + 1  # a second late rather than early
    if not cache.add(key, 1, timeout=int(wait) + 60):
        return
    try:
        tasks.flush_notification_burst.apply_async((recipient_id, kind), countdown=max(1, wait))
    except Exception:  # kombu OperationalError and friends: broker down
        cache.delete(key)
        logger.warning("could not schedule the burst email for member %s; the sweeper will send it", recipient_id)


def flush_burst(recipient_id: int, kind: str) -> DeliveryResult:
    """The flush task's work: send the member's waiting rows of `kind` if the window has ended.

    Safe to run again and safe to run early (it then sends nothing and schedules nothing: with
    eager tasks, the sweeper's redelivery sends the rows once the window has ended)."""
    result = DeliveryResult()
    user = get_user_model().objects.filter(pk=recipient_id, is_active=True).first()
    if user is None or not user.email:
        return result
    if not gathers_bursts(kind):  # the window was turned off meanwhile: one email each
        waiting = _sendable(now=timezone.now()).filter(recipient_id=recipient_id, kind=kind)
        return deliver(list(waiting.values_list("pk", flat=True)))
    _deliver_burst(recipient=user, kind=kind, result=result, schedule=False)
    return result


def send_digest(user_id: int, *, before: datetime | None = None) -> DeliveryResult:
    """Email one member one digest of their daily-digest rows created up to `before` (default now).

    Safe to run again for the same member: the member's rows are claimed together with one
    conditional UPDATE (each row's attempt counted), listed in one email, then marked sent, so a
    rerun finds nothing left; `before` (the digest run's start, kept by retries and redeliveries)
    keeps rows written after the run out of a rerun. A failed send puts the rows back to pending
    (`retry`) or marks those out of attempts failed (`failed`); a claim left by a crashed sender
    is taken over once it is older than the claim timeout. `sent` counts the rows listed.
    """
    result = DeliveryResult()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return result
    now = timezone.now()
    mine = _sendable(now=now, delivery=DAILY).filter(recipient_id=user_id, created_at__lte=before or now)
    if not _claim_rows(mine, now=now):
        return result
    rows = list(
        Notification.objects.filter(recipient_id=user_id, email_status=Status.CLAIMED, email_claimed_at=now)
        .select_related("actor")
        .order_by("-id")
    )
    ids = [n.pk for n in rows]
    try:
        build_digest_email(user=user, notifications=rows).send()
    except Exception:  # SoftTimeLimitExceeded too: the rows go back for the retry
        logger.warning("digest for member %s: email send failed", user_id, exc_info=True)
        _after_failure(ids, result)
        return result
    _mark_sent(ids)
    result.sent = len(rows)
    return result
