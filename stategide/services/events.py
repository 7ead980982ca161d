"""The law-event timeline of a state page: add, update, delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kei_community.moderation.services import audit_record
from kei_community.notifications.services import notification_create_many
from kei_community.users.permissions import check_moderator
from stategide import cache as guide_cache
from stategide import selectors
from stategide.models import (
    LawEvent,
    StatePage,
)
from stategide.services.rules import _locked_page

# --- the law timeline (moderators) --------------------------------------------------------

EVENT_FIELDS = ("kind", "date", "title", "description", "citation_url", "citation_title", "citation_kind")


def _event_data(data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(EVENT_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


def _event_snapshot(event: LawEvent) -> dict[str, Any]:
    return {"kind": event.kind, "date": event.date.isoformat() if event.date else None, "title": event.title}


@transaction.atomic
def event_add(*, actor: Any, page: StatePage, data: dict[str, Any]) -> LawEvent:
    """A moderator adds a dated event to a state's law timeline (with its source); watchers are told."""
    check_moderator(actor)
    page = _locked_page(page)
    event = LawEvent(page=page, created_by=actor, **_event_data(data))
    event.full_clean(exclude=["page", "created_by"])
    event.save()
    audit_record(
        actor=actor, action="stategide_event_add", target=page, before=None, after=_event_snapshot(event),
        note=event.citation_url,
    )  # fmt: skip
    watchers = [u for u in selectors.page_watchers(page=page) if u.pk != actor.pk]
    notification_create_many(
        recipients=watchers,
        kind="guide_change",
        actor=actor,
        target=page,
        title=f"{page.name} law timeline: {event.get_kind_display()} ({event.date:%b %-d, %Y})",
        url=page.get_absolute_url() + "#timeline",
        body=event.title,
    )
    guide_cache.invalidate_on_commit(page.code)
    return event


@transaction.atomic
def event_update(*, actor: Any, event: LawEvent, data: dict[str, Any]) -> LawEvent:
    check_moderator(actor)
    event = LawEvent.objects.select_for_update().select_related("page").get(pk=event.pk)
    before = _event_snapshot(event)
    for field, value in _event_data(data).items():
        setattr(event, field, value)
    event.full_clean(exclude=["page", "created_by"])
    event.save()
    audit_record(
        actor=actor, action="stategide_event_update", target=event.page, before=before,
        after=_event_snapshot(event), note=event.citation_url,
    )  # fmt: skip
    guide_cache.invalidate_on_commit(event.page.code)
    return event


@transaction.atomic
def event_delete(*, actor: Any, event: LawEvent, reason: str = "") -> None:
    check_moderator(actor)
    event = LawEvent.objects.select_for_update().select_related("page").get(pk=event.pk)
    audit_record(
        actor=actor, action="stategide_event_delete", target=event.page, before=_event_snapshot(event),
        after=None, note=reason,
    )  # fmt: skip
    event.delete()
    guide_cache.invalidate_on_commit(event.page.code)
