"""New-account limits every app applies to its own writes.

Accounts younger than ``settings.NEW_ACCOUNT_AGE_DAYS`` get per-day caps on what
they can create, and their first post / listing is held for review. Everything
here is a no-op when ``settings.NEW_ACCOUNT_LIMITS_ENABLED`` is False (the
default under ``make run``; on in production).

Usage from an app's service::

    from kei_community.moderation import limits

    limits.check_new_account_cap(user=author, action="post", count_today=posts_today)
    held = limits.held_for_review(user=author, has_prior_content=author_has_posts)

Rate limits for every member (not only new accounts) live here too: ``check_rate`` counts the
member's earlier writes in the database (so a limit holds across every web process) and raises
``RateLimited`` (429 in the API). Message limits come from ``settings.MESSAGE_RATE_PER_MINUTE`` and
``settings.MESSAGE_RATE_PER_DAY`` (0 = off; on in production, off under ``make run``)::

    limits.check_rate(user=sender, done=Message.objects.filter(sender=sender), rates=limits.message_rates(),
                      noun="messages")
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kei_community.core.exceptions import RateLimited

ACTIONS = ("post", "thread", "listing", "message", "link", "image")

# Used when settings.NEW_ACCOUNT_DAILY_CAPS does not name an action.
DEFAULT_DAILY_CAPS: dict[str, int] = {
    "post": 10,
    "thread": 3,
    "listing": 2,
    "message": 10,
    "link": 5,
    "image": 20,
}

_NOUNS = {
    "post": ("post", "posts"),
    "thread": ("thread", "threads"),
    "listing": ("listing", "listings"),
    "message": ("message", "messages"),
    "link": ("link", "links"),
    "image": ("photo", "photos"),
}


def limits_enabled() -> bool:
    return bool(getattr(settings, "NEW_ACCOUNT_LIMITS_ENABLED", False))


def account_age_days() -> int:
    return int(getattr(settings, "NEW_ACCOUNT_AGE_DAYS", 7))


def daily_cap(action: str) -> int:
    if action not in ACTIONS:
        raise ValueError(f"Unknown new-account action {action!r}; use one of {', '.join(ACTIONS)}.")
    caps = getattr(settings, "NEW_ACCOUNT_DAILY_CAPS", None) or {}
    return int(caps.get(action, DEFAULT_DAILY_CAPS[action]))


def is_new_account(user: Any) -> bool:
    """True for a signed-in, non-staff, non-moderator account younger than NEW_ACCOUNT_AGE_DAYS."""
    if not limits_enabled():
        return False
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return False
    if getattr(user, "is_moderator", False):
        return False
    joined = getattr(user, "date_joined", None)
    if joined is None:
        return True
    return timezone.now() - joined < timedelta(days=account_age_days())


def start_of_day() -> Any:
    """Where "today" starts for the daily caps: midnight UTC."""
    return timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)


def check_new_account_cap(*, user: Any, action: str, count_today: int) -> None:
    """Raise ValidationError when a young account already did ``action`` its cap of times today.

    ``count_today`` is how many the user already created today (before this one).
    """
    if not limits_enabled():
        return
    cap = daily_cap(action)  # validates action even for established accounts
    if not is_new_account(user):
        return
    if count_today >= cap:
        singular, plural = _NOUNS[action]
        noun = singular if cap == 1 else plural
        raise ValidationError(
            f"New accounts can add up to {cap} {noun} a day for their first {account_age_days()} days. "
            "Please try again tomorrow.",
            code="new_account_cap",
        )


def held_for_review(*, user: Any, has_prior_content: bool) -> bool:
    """True when this is the first post / listing of a young account: hold it for a moderator."""
    if not limits_enabled():
        return False
    if has_prior_content:
        return False
    return is_new_account(user)


# --- rate limits (every member) ------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` writes in any ``window``; ``label`` says the window in words ("a minute")."""

    limit: int
    window: timedelta
    label: str


def message_rates() -> list[Rate]:
    """The per-member message limits in force (MESSAGE_RATE_PER_MINUTE / _PER_DAY; 0 turns one off)."""
    rates = [
        Rate(int(getattr(settings, "MESSAGE_RATE_PER_MINUTE", 0) or 0), timedelta(minutes=1), "a minute"),
        Rate(int(getattr(settings, "MESSAGE_RATE_PER_DAY", 0) or 0), timedelta(days=1), "a day"),
    ]
    return [rate for rate in rates if rate.limit > 0]


def _wait_in_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return f"{minutes} minutes"
    hours = math.ceil(minutes / 60)
    return f"{hours} hours"


def check_rate(
    *, user: Any, done: QuerySet[Any], rates: Sequence[Rate], noun: str, time_field: str = "created_at"
) -> None:
    """Raise RateLimited when ``user`` already did ``rate.limit`` of these within a rate's window.

    ``done`` is the member's earlier writes of this kind (e.g. ``Message.objects.filter(sender=user)``),
    counted in the database — index it on (member, ``time_field``) — so the limit holds however many
    web processes there are. Call it inside the write's transaction, before the write: the member's
    row is locked first (SELECT ... FOR NO KEY UPDATE, which foreign-key checks of other writes do
    not wait for), so two requests of one member are counted one after the other and a burst sent in
    parallel cannot slip past the count. No query at all when ``rates`` is empty (limits off).
    """
    if not rates:
        return
    lock = get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk)
    list(lock.values_list("pk", flat=True))
    now = timezone.now()
    longest = max(rate.window for rate in rates)
    counts = done.filter(**{f"{time_field}__gte": now - longest}).aggregate(
        **{f"w{i}": Count("pk", filter=Q(**{f"{time_field}__gte": now - rate.window})) for i, rate in enumerate(rates)}
    )
    for i, rate in enumerate(rates):
        if counts[f"w{i}"] < rate.limit:
            continue
        # Allowed again once the oldest of the last `limit` writes leaves the window.
        recent = done.filter(**{f"{time_field}__gte": now - rate.window}).order_by(f"-{time_field}")
        oldest = recent.values_list(time_field, flat=True)[rate.limit - 1]
        retry_after = max(1, math.ceil((oldest + rate.window - now).total_seconds()))
        raise RateLimited(
            f"You are sending {noun} too quickly: up to {rate.limit} {rate.label}. "
            f"Nothing was sent; please try again in {_wait_in_words(retry_after)}.",
            retry_after=retry_after,
        )
