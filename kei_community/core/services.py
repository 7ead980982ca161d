"""Writes of the site's own pages: the Contact form."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kei_community.core.models import ContactMessage
from kei_community.users.services import system_account

CONTACT_ACCOUNT_EMAIL = "contact-form@accounts.invalid"
CONTACT_ACCOUNT_NAME = "Contact form"
WINDOW = timedelta(hours=1)


class RateLimited(ValidationError):
    """Too many messages from this member or this address in the last hour."""


def contact_limits() -> tuple[int, int]:
    """(per client address, per member) messages an hour (settings CONTACT_LIMIT_PER_ADDRESS / _PER_MEMBER)."""
    return (
        int(getattr(settings, "CONTACT_LIMIT_PER_ADDRESS", 5)),
        int(getattr(settings, "CONTACT_LIMIT_PER_MEMBER", 3)),
    )


def client_key(ident: str) -> str:
    """A keyed hash of what the per-address limit counts (kei_community.core.client_ip.rate_limit_ident):
    rows never hold the address itself."""
    return hmac.new(settings.SECRET_KEY.encode(), f"contact:{ident}".encode(), hashlib.sha256).hexdigest()


def contact_account() -> Any:
    """The inactive system account that files the moderation report for a visitor who is not signed in
    (a report needs a reporter). Nobody can sign in as it."""
    return system_account(email=CONTACT_ACCOUNT_EMAIL, display_name=CONTACT_ACCOUNT_NAME)


def _check_rate(*, sender: Any, key: str) -> None:
    per_address, per_member = contact_limits()
    since = timezone.now() - WINDOW
    recent = ContactMessage.objects.filter(created_at__gte=since)
    if recent.filter(client_key=key).count() >= per_address:
        raise RateLimited("Too many messages from your connection in the last hour. Please try again later.")
    if sender is not None and recent.filter(sender=sender).count() >= per_member:
        raise RateLimited(
            f"You can send {per_member} messages an hour. The moderators have your earlier messages; "
            "please wait for their answer or try again later."
        )


@transaction.atomic
def contact_message_send(
    *, sender: Any, client_ident: str, topic: str, subject: str, body: str, email: str = "", name: str = ""
) -> ContactMessage:
    """Send a message to the moderators: stored, then filed as a report in the moderation queue.

    A signed-in member is the sender and the reporter (their account email is where the answer goes);
    a visitor gives an email address and the "Contact form" system account files the report.
    Limited per client address and per member (contact_limits(); RateLimited over it)."""
    member = sender if getattr(sender, "is_authenticated", False) else None
    if member is not None:
        email = email or member.email
        name = name or member.public_name
    key = client_key(client_ident)
    _check_rate(sender=member, key=key)
    message = ContactMessage(
        sender=member,
        name=(name or "").strip(),
        email=(email or "").strip(),
        topic=topic,
        subject=(subject or "").strip(),
        body=(body or "").strip(),
        client_key=key,
    )
    message.full_clean()
    message.save()

    from kei_community.moderation.models import Report
    from kei_community.moderation.services import report_create

    report_create(
        reporter=member or contact_account(),
        target=message,
        reason=Report.Reason.OTHER,
        note=f"{message.get_topic_display()}: {message.subject}"[:2000],
    )
    return message
