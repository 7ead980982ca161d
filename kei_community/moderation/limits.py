"""New-account limits every app applies to its own writes.

Accounts younger than ``settings.NEW_ACCOUNT_AGE_DAYS`` get per-day caps on what
they can create, and their first post / listing is held for review. Everything
here is a no-op when ``settings.NEW_ACCOUNT_LIMITS_ENABLED`` is False (the
default under ``make run``; on in production).

Usage from an app's service::

    from kei_community.moderation import limits

    limits.check_new_account_cap(user=author, action="post", count_today=posts_today)
    held = limits.held_for_review(user=author, has_prior_content=author_has_posts)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

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
