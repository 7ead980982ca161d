"""Moderators confirming a page is still accurate (last verified date, next review)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kei_community.moderation.services import audit_record
from kei_community.users.permissions import check_moderator
from stategide import cache as guide_cache
from stategide.models import (
    StatePage,
    Verification,
)
from stategide.services.rules import _locked_page

# --- verification, protection ----------------------------------------------------------


@transaction.atomic
def page_verify(
    *,
    actor: Any,
    page: StatePage,
    checks: list[str],
    note: str = "",
    open_questions: str | None = None,
    verified_on: date | None = None,
) -> Verification:
    """A moderator confirms the published revision against its sources.

    Records what was checked (`checks`, at least one of Verification.Check) and when; the published
    revision then shows this verification (another revision never inherits it, except a restore of
    exactly this content). `open_questions` (moderators only) replaces the page's, when given.
    """
    check_moderator(actor)
    page = _locked_page(page)
    revision = page.published_revision
    if revision is None:
        raise ValidationError("This page has no published content to verify.")
    today = timezone.localdate()
    verified_on = verified_on or today
    if verified_on > today:
        raise ValidationError({"verified_on": "The verification date cannot be in the future."})
    checks = list(dict.fromkeys(checks or []))
    if not checks:
        raise ValidationError({"checks": "Tick what you checked: at least one item of the checklist."})
    unknown = [c for c in checks if c not in Verification.Check.values]
    if unknown:
        raise ValidationError({"checks": f"Unknown checklist item: {', '.join(map(str, unknown))}."})
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": "Keep the note under 2,000 characters."})
    before = {
        "revision": revision.number,
        "verified_on": revision.verified_on.isoformat() if revision.verified_on else None,
    }
    verification = Verification(revision=revision, verified_by=actor, verified_on=verified_on, checks=checks, note=note)
    verification.full_clean(exclude=["revision", "verified_by"])
    verification.save()
    if revision.verified_on is None or verified_on >= revision.verified_on:
        revision.verified_on = verified_on
        revision.verified_by = actor
        revision.save(update_fields=["verified_on", "verified_by"])
    if open_questions is not None and open_questions.strip() != page.open_questions:
        page.open_questions = open_questions.strip()
        page.save(update_fields=["open_questions", "updated_at"])
    audit_record(
        actor=actor, action="stategide_verify", target=page, before=before,
        after={"revision": revision.number, "verified_on": verified_on.isoformat(), "checks": checks}, note=note,
    )  # fmt: skip
    guide_cache.invalidate_on_commit(page.code)
    return verification
