"""Notification kinds. Apps declare theirs in AppConfig.ready(); this package imports no app."""

from __future__ import annotations

from dataclasses import dataclass

IMMEDIATE = "immediate"
DAILY = "daily"
OFF = "off"
DELIVERY_CHOICES = [(IMMEDIATE, "Email me at once"), (DAILY, "Daily digest"), (OFF, "No email")]


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str
    default_delivery: str = IMMEDIATE
    # Set for kinds that come in bursts (messages): immediate emails of this kind to one member are
    # gathered into one "N new <burst_noun>" email per NOTIFICATIONS_EMAIL_BURST_MINUTES (delivery.py).
    burst_noun: str = ""


_kinds: dict[str, NotificationKind] = {}


def register_kind(key: str, label: str, default_delivery: str = IMMEDIATE, *, burst_noun: str = "") -> NotificationKind:
    kind = NotificationKind(key=key, label=label, default_delivery=default_delivery, burst_noun=burst_noun)
    _kinds[key] = kind
    return kind


def get_kind(key: str) -> NotificationKind:
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"Unknown notification kind {key!r}; register it in AppConfig.ready().") from None


def all_kinds() -> list[NotificationKind]:
    return sorted(_kinds.values(), key=lambda k: k.label)


# Kinds that belong to the shared parts themselves.
register_kind("report_resolved", "A report you made was reviewed")
