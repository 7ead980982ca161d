"""Applying a reference-data edition through the reference account, as an ordinary published revision."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kei_community.moderation.services import audit_record
from stategide import cache as guide_cache
from stategide.models import (
    REFERENCE_FIELDS,
    Citation,
    Revision,
    StatePage,
)
from stategide.services.revisions import PublishRevisionAction
from stategide.services.rules import (
    _apply,
    _build_citations,
    _citation_keys,
    _content_of,
    _locked_page,
    _next_number,
    _save_revision,
    reference_account,
)


def _same_content(revision: Revision, content: dict[str, Any], citations: list[Citation]) -> bool:
    return all(getattr(revision, field) == value for field, value in content.items()) and _citation_keys(
        revision.citations.all()
    ) == _citation_keys(citations)


def _reference_summary(published: Revision | None, content: dict[str, Any], citations: list[Citation]) -> str:
    from stategide.diff import field_label

    if published is None:
        return "Loaded from the reference data"
    changed = [field_label(f).lower() for f, v in content.items() if getattr(published, f) != v]
    if _citation_keys(published.citations.all()) != _citation_keys(citations):
        changed.append("sources")
    return f"Reference data update: {', '.join(changed)}"[:300]


@transaction.atomic
def reference_edition_apply(
    *, page: StatePage, content: dict[str, Any], citations: list[dict[str, Any]], open_questions: str = ""
) -> str:
    """Bring one page up to the reference data. Returns "created", "published", "proposed" or "unchanged".

    - no revision yet: the data becomes revision 1, published;
    - the published content already matches: nothing is written ("unchanged");
    - the published revision came from the reference data: a new published revision by the
      "Reference data" account, with an audit entry and the page's watchers notified;
    - a person edited the page since: the data becomes a pending proposal for a moderator (once:
      the same proposal is not made twice; an older data proposal is superseded).
    The page's open questions (moderators only) are replaced by the data's.
    """
    unknown = set(content) - set(REFERENCE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Not a reference data field."))
    account = reference_account()
    page = _locked_page(page)
    if page.open_questions != open_questions:
        page.open_questions = open_questions
        page.save(update_fields=["open_questions", "updated_at"])
    rows = _build_citations(citations)
    published = page.published_revision
    if published is None:
        revision = Revision(
            page=page, number=_next_number(page), state=Revision.State.PUBLISHED, author=account,
            edit_summary=_reference_summary(None, content, rows), summary_confirmed=True,
        )  # fmt: skip
        _apply(revision, content)
        _save_revision(revision, rows)
        page.published_revision = revision
        page.save(update_fields=["published_revision", "updated_at"])
        guide_cache.invalidate_on_commit(page.code)
        return "created"
    if _same_content(published, content, rows):
        return "unchanged"
    edit_summary = _reference_summary(published, content, rows)
    revision = Revision(
        page=page, number=_next_number(page), state=Revision.State.PENDING, base_revision=published,
        author=account, edit_summary=edit_summary, summary_confirmed=True,
    )  # fmt: skip
    _apply(revision, {**_content_of(published), **content})
    if published.author_id is None or published.author_id == account.pk:
        _save_revision(revision, rows)
        PublishRevisionAction(
            revision, user=account, note=edit_summary, audit_action="stategide_reference_update", _reference_data=True
        ).execute()
        return "published"
    earlier = list(
        page.revisions.select_for_update(of=("self",))
        .filter(state=Revision.State.PENDING, author=account)
        .prefetch_related("citations")
    )
    if any(_same_content(other, content, rows) for other in earlier):
        return "unchanged"
    for other in earlier:
        other.state = Revision.State.SUPERSEDED
        other.review_note = "Replaced by a newer load of the reference data."
        other.reviewed_at = timezone.now()
        other.save(update_fields=["state", "review_note", "reviewed_at"])
    _save_revision(revision, rows)
    audit_record(
        actor=account,
        action="stategide_reference_proposal",
        target=page,
        before={"published_revision": published.number},
        after={"proposed_revision": revision.number},
        note="The page was edited after the reference data was loaded: the new data waits for a moderator's review.",
    )
    return "proposed"
