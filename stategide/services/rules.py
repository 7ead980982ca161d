"""State guide rules shared by every write: who may propose, cleaning content and citations, saving
revisions, the reference account."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone

from kei_community.core.markdown import render_markdown
from kei_community.users.services import system_account
from stategide.models import (
    CONTENT_FIELDS,
    PRIMARY_CITATION_KINDS,
    Citation,
    Revision,
    StatePage,
)

logger = logging.getLogger(__name__)

MAX_CITATIONS = 20
MAX_PROTECTION_DAYS = 365


# --- helpers -------------------------------------------------------------------


def check_can_propose(*, user: Any, page: StatePage) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("Sign in to propose an edit.")
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise PermissionDenied("Verify your email address before proposing edits.")
    if page.is_protected and not user.is_moderator:
        raise PermissionDenied(
            f"This page is protected until {timezone.localtime(page.protected_until):%b %d, %Y}: "
            f"{page.protection_reason} Only moderators can edit it for now."
        )


def _content_of(revision: Revision | None) -> dict[str, Any]:
    if revision is None:
        return {}
    return {field: getattr(revision, field) for field in CONTENT_FIELDS}


def _clean_list(value: Any, field: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)):
        raise ValidationError({field: "Give a list of short text items."})
    items = []
    for item in value:
        if not isinstance(item, str):
            raise ValidationError({field: "Give a list of short text items."})
        item = item.strip()
        if item:
            if len(item) > 300:
                raise ValidationError({field: "Keep each item under 300 characters."})
            items.append(item)
    return items


def _build_citations(citations: list[dict] | None) -> list[Citation]:
    rows: list[Citation] = []
    errors: list[str] = []
    for index, item in enumerate(citations or []):
        if not isinstance(item, dict):
            errors.append(f"Citation {index + 1}: give kind, label and URL.")
            continue
        kind = item.get("kind") or Citation.Kind.AGGREGATOR
        citation = Citation(
            position=index,
            kind=kind,
            label=(item.get("label") or item.get("title") or "").strip(),
            url=(item.get("url") or "").strip(),
            retrieved_on=item.get("retrieved_on") or None,
            is_primary=bool(item.get("is_primary", kind in PRIMARY_CITATION_KINDS)),
        )
        try:
            citation.full_clean(exclude=["revision"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.extend(f"Citation {index + 1} {field}: {m}" for m in messages)
        rows.append(citation)
    if len(rows) > MAX_CITATIONS:
        errors.append(f"Give at most {MAX_CITATIONS} citations.")
    if errors:
        raise ValidationError({"citations": errors})
    return rows


def _next_number(page: StatePage) -> int:
    return (page.revisions.aggregate(n=Max("number"))["n"] or 0) + 1


def _locked_page(page: StatePage) -> StatePage:
    return StatePage.objects.select_for_update(of=("self",)).select_related("published_revision").get(pk=page.pk)


def _save_revision(revision: Revision, citations: list[Citation]) -> Revision:
    revision.body_html = render_markdown(revision.body)
    revision.full_clean(exclude=["page", "base_revision"])
    revision.save()
    for citation in citations:
        citation.pk = None
        citation.revision = revision
    Citation.objects.bulk_create(citations)
    return revision


def _apply(revision: Revision, content: dict[str, Any]) -> None:
    for field, value in content.items():
        setattr(revision, field, value)


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(CONTENT_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    cleaned = dict(data)
    for field in ("registration_steps", "required_documents"):
        if field in cleaned:
            cleaned[field] = _clean_list(cleaned[field], field)
    for field, value in list(cleaned.items()):
        if isinstance(value, str) and field not in ("body",):
            cleaned[field] = value.strip()
    return cleaned


# --- the reference data (stategide/data/states.csv) ----------------------------------------

REFERENCE_ACCOUNT_EMAIL = "reference-data@accounts.invalid"
REFERENCE_ACCOUNT_NAME = "Reference data"


def reference_account() -> Any:
    """The system account that authors revisions loaded from the reference data (created once).

    It is inactive and has no usable password: nobody can sign in as it.
    """
    return system_account(email=REFERENCE_ACCOUNT_EMAIL, display_name=REFERENCE_ACCOUNT_NAME)


def _citation_keys(citations: Any) -> list[tuple[str, str, str]]:
    return [(c.url, c.label, c.kind) for c in citations]
