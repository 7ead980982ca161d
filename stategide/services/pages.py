"""Page-level writes: the batched view counter and protection."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kei_community.moderation.services import audit_record
from kei_community.users.permissions import check_moderator
from stategide import cache as guide_cache
from stategide.models import (
    StatePage,
)
from stategide.services.rules import MAX_PROTECTION_DAYS, _locked_page

VIEWS_BATCH = 20


def page_record_view(*, code: str) -> None:
    """Count a view of a state page: counted in the cache, written to the row every VIEWS_BATCH
    views (one UPDATE per batch); without a working cache every view is written at once."""
    from django.db.models import F

    from kei_community.core.counters import batched_count

    code = (code or "").upper()[:2]
    if add := batched_count(f"stategide:views:{code}", 1, batch=VIEWS_BATCH):
        StatePage.objects.filter(code=code).update(views_count=F("views_count") + add)


@transaction.atomic
def page_protect(*, actor: Any, page: StatePage, days: int, reason: str) -> StatePage:
    check_moderator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the page is protected."})
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError({"days": "Give a number of days."})
    if not 1 <= days <= MAX_PROTECTION_DAYS:
        raise ValidationError({"days": f"Protect for 1 to {MAX_PROTECTION_DAYS} days."})
    page = _locked_page(page)
    before = {"protected_until": page.protected_until.isoformat() if page.protected_until else None}
    page.protected_until = timezone.now() + timedelta(days=days)
    page.protection_reason = reason[:300]
    page.protected_by = actor
    page.save(update_fields=["protected_until", "protection_reason", "protected_by", "updated_at"])
    audit_record(
        actor=actor, action="stategide_protect", target=page, before=before,
        after={"protected_until": page.protected_until.isoformat()}, note=reason,
    )  # fmt: skip
    guide_cache.invalidate_on_commit(page.code)
    return page


@transaction.atomic
def page_unprotect(*, actor: Any, page: StatePage, reason: str = "") -> StatePage:
    """A moderator lifts protection. Idempotent: an unprotected page is returned unchanged (no writes)."""
    check_moderator(actor)
    page = _locked_page(page)
    if page.protected_until is None:
        return page
    before = {"protected_until": page.protected_until.isoformat() if page.protected_until else None}
    page.protected_until = None
    page.protection_reason = ""
    page.protected_by = None
    page.save(update_fields=["protected_until", "protection_reason", "protected_by", "updated_at"])
    audit_record(actor=actor, action="stategide_unprotect", target=page, before=before, after={}, note=reason)
    guide_cache.invalidate_on_commit(page.code)
    return page
