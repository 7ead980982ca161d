"""Writes for the state guide. Every function checks permissions itself."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from kei_community.core.markdown import render_markdown
from kei_community.moderation.services import audit_record
from kei_community.notifications.services import notification_create, notification_create_many
from kei_community.users.models import MODERATORS_GROUP
from kei_community.users.permissions import check_moderator
from stategide import cache as guide_cache
from stategide import selectors
from stategide.models import (
    CITATION_REQUIRED_FIELDS,
    CONTENT_FIELDS,
    PRIMARY_CITATION_KINDS,
    REFERENCE_FIELDS,
    Citation,
    LawEvent,
    Revision,
    StatePage,
    Verification,
    Watch,
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


# --- proposing ---------------------------------------------------------------------


@transaction.atomic
def revision_propose(
    *,
    author: Any,
    page: StatePage,
    data: dict[str, Any],
    edit_summary: str,
    citations: list[dict] | None = None,
    base_revision: Revision | None = None,
    summary_confirmed: bool = False,
    all_citations: list[dict] | None = None,
) -> Revision:
    """A verified member proposes an edit: a new pending revision based on the published one.

    `data` holds only the fields being changed. Sources: either `citations`, new sources added by
    this proposal (the published revision's citations are carried over), or `all_citations`, the
    complete list as it should read (sources can then also be edited and removed). Changing status,
    speeds or road rules needs at least one new source; changing the status needs a changed summary
    or `summary_confirmed`.
    """
    check_can_propose(user=author, page=page)
    page = _locked_page(page)
    published = page.published_revision
    base = base_revision if base_revision is not None else published
    if base is not None and base.page_id != page.pk:
        raise ValidationError("That revision belongs to another page.")
    edit_summary = (edit_summary or "").strip()
    if not edit_summary:
        raise ValidationError({"edit_summary": "Say briefly what you changed and why."})
    content = {**_content_of(base), **_normalise(data)}
    revision = Revision(
        page=page,
        number=_next_number(page),
        state=Revision.State.PENDING,
        base_revision=base,
        author=author,
        edit_summary=edit_summary[:300],
    )
    _apply(revision, content)
    base_citations = list(base.citations.all()) if base is not None else []
    base_urls = {c.url for c in base_citations}
    if all_citations is not None:
        final = _dedupe(_build_citations(all_citations))
        new_citations = [c for c in final if c.url not in base_urls]
        sources_changed = _citation_keys(final) != _citation_keys(base_citations)
    else:
        new_citations = _build_citations(citations)
        sources_changed = bool(new_citations)
        carried = [
            Citation(kind=c.kind, label=c.label, url=c.url, retrieved_on=c.retrieved_on, is_primary=c.is_primary)
            for c in base_citations
        ]
        new_urls = {c.url for c in new_citations}
        final = new_citations + [c for c in carried if c.url not in new_urls]
    changed = [f for f in CONTENT_FIELDS if base is None or getattr(base, f) != content.get(f)]
    if not changed and not sources_changed:
        raise ValidationError("Your proposal does not change anything.")
    if CITATION_REQUIRED_FIELDS.intersection(changed) and not new_citations:
        raise ValidationError(
            {"citations": "Changing the status, speeds or road rules needs at least one citation (a source URL)."}
        )
    _check_summary_rule(revision, changed=changed, summary_confirmed=summary_confirmed)
    for position, citation in enumerate(final):
        citation.position = position
    return _save_revision(revision, final)


def _dedupe(citations: list[Citation]) -> list[Citation]:
    """Each URL once (the first row wins)."""
    seen: set[str] = set()
    unique = []
    for citation in citations:
        if citation.url not in seen:
            seen.add(citation.url)
            unique.append(citation)
    return unique


SUMMARY_RULE_MESSAGE = (
    "You changed the status but not the summary. Rewrite the summary so it matches the new status, "
    "or tick “I confirm the summary still matches the new status”."
)


def _check_summary_rule(revision: Revision, *, changed: list[str], summary_confirmed: bool) -> None:
    """A status change needs a summary that was changed, or confirmed by the editor as still right."""
    status_only = "status" in changed and "summary" not in changed
    if status_only and not summary_confirmed:
        raise ValidationError({"summary_confirmed": SUMMARY_RULE_MESSAGE})
    revision.summary_confirmed = bool(status_only and summary_confirmed)


def _check_sources_and_summary(
    revision: Revision, *, changed: list[str], has_new_source: bool, edit_summary: str | None
) -> None:
    """A change to the status, speeds or road rules needs a new citation; a given summary must say something."""
    if CITATION_REQUIRED_FIELDS.intersection(changed) and not has_new_source:
        raise ValidationError(
            {"citations": "Changing the status, speeds or road rules needs at least one citation (a source URL)."}
        )
    if edit_summary is not None:
        if not edit_summary.strip():
            raise ValidationError({"edit_summary": "Say briefly what you changed and why."})
        revision.edit_summary = edit_summary.strip()[:300]


@transaction.atomic
def revision_update_pending(
    *,
    actor: Any,
    revision: Revision,
    data: dict[str, Any],
    edit_summary: str | None = None,
    citations: list[dict] | None = None,
    summary_confirmed: bool = False,
    all_citations: list[dict] | None = None,
) -> Revision:
    """The author changes their own pending proposal (nobody else may); `citations` are added, or
    `all_citations` replaces the proposal's sources."""
    if not getattr(actor, "is_authenticated", False) or revision.author_id != actor.pk:
        raise PermissionDenied("Only the author can change a pending proposal.")
    revision = (
        Revision.objects.select_for_update(of=("self",)).select_related("base_revision", "page").get(pk=revision.pk)
    )
    if revision.state != Revision.State.PENDING:
        raise ValidationError("Only pending proposals can be changed.")
    check_can_propose(user=actor, page=revision.page)
    base = revision.base_revision
    _apply(revision, _normalise(data))
    base_urls = set(base.citations.values_list("url", flat=True)) if base else set()
    replacement = _dedupe(_build_citations(all_citations)) if all_citations is not None else None
    new_citations = _build_citations(citations) if replacement is None else []
    existing_urls = set(revision.citations.values_list("url", flat=True)) if replacement is None else set()
    final_urls = {c.url for c in replacement} if replacement is not None else existing_urls
    added_urls = (final_urls | {c.url for c in new_citations}) - base_urls
    changed = [f for f in CONTENT_FIELDS if base is None or getattr(base, f) != getattr(revision, f)]
    _check_sources_and_summary(revision, changed=changed, has_new_source=bool(added_urls), edit_summary=edit_summary)
    _check_summary_rule(revision, changed=changed, summary_confirmed=summary_confirmed)
    revision.body_html = render_markdown(revision.body)
    revision.full_clean(exclude=["page", "base_revision"])
    revision.save()
    if replacement is not None:
        revision.citations.all().delete()
        for position, citation in enumerate(replacement):
            citation.revision = revision
            citation.position = position
        Citation.objects.bulk_create(replacement)
        return revision
    position = revision.citations.count()
    fresh = [c for c in new_citations if c.url not in existing_urls]
    for offset, citation in enumerate(fresh):
        citation.revision = revision
        citation.position = position + offset
    Citation.objects.bulk_create(fresh)
    return revision


def revision_is_stale(revision: Revision) -> bool:
    """A pending proposal whose base is no longer the published revision (the page changed since)."""
    return (
        revision.state == Revision.State.PENDING
        and revision.page.published_revision_id is not None
        and revision.base_revision_id != revision.page.published_revision_id
    )


def rebased_content(revision: Revision) -> dict[str, Any]:
    """The current published content with this proposal's own changes on top (what a rebase starts from)."""
    return {**_content_of(revision.page.published_revision), **PublishRevisionAction.proposal_delta(revision)}


def conflicting_fields(revision: Revision) -> list[str]:
    """Fields both this stale proposal and the newer published revision changed, differently."""
    base, current = revision.base_revision, revision.page.published_revision
    if base is None or current is None:
        return []
    return [
        field
        for field, value in PublishRevisionAction.proposal_delta(revision).items()
        if getattr(current, field) != getattr(base, field) and getattr(current, field) != value
    ]


@transaction.atomic
def revision_rebase(
    *,
    actor: Any,
    revision: Revision,
    data: dict[str, Any] | None = None,
    edit_summary: str | None = None,
    citations: list[dict] | None = None,
    expected_base: Revision | None = None,
    summary_confirmed: bool = False,
    all_citations: list[dict] | None = None,
) -> Revision:
    """Move a stale pending proposal onto the current published revision.

    `all_citations` (the author only) is the complete list of sources as they should read.

    The author may resubmit with `data` (the fields as they should now read); without `data` the
    proposal's own changes are put on top of the current version. A moderator may rebase someone
    else's proposal but not change its content. `expected_base` is the published revision the author
    looked at: if the page changed again meanwhile, nothing is saved.
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to update a proposal.")
    is_author = revision.author_id == actor.pk
    if not is_author:
        if not actor.is_moderator:
            raise PermissionDenied("Only the author or a moderator can update this proposal.")
        check_moderator(actor)  # the moderator rules (two-factor when required) apply
        if data or citations or edit_summary or all_citations is not None:
            raise PermissionDenied("Moderators can move someone else's proposal onto the current version, not edit it.")
    check_can_propose(user=actor, page=revision.page)
    page = _locked_page(revision.page)
    revision = Revision.objects.select_for_update(of=("self",)).select_related("base_revision").get(pk=revision.pk)
    revision.page = page
    if revision.state != Revision.State.PENDING:
        raise ValidationError("Only pending proposals can be updated.")
    current = page.published_revision
    if current is None or revision.base_revision_id == current.pk:
        raise ValidationError("This proposal is already based on the current version.")
    if expected_base is not None and expected_base.pk != current.pk:
        raise ValidationError(
            "The page changed again while you were editing. Check the new changes and send your proposal again."
        )
    old_base = revision.base_revision
    old_base_urls = set(old_base.citations.values_list("url", flat=True)) if old_base else set()
    own = [c for c in revision.citations.all() if c.url not in old_base_urls]
    content = {**rebased_content(revision), **_normalise(data or {})}
    _apply(revision, content)
    new_citations = _build_citations(citations)
    own_urls = {c.url for c in own}
    added = own + [c for c in new_citations if c.url not in own_urls]
    added_urls = {c.url for c in added}
    current_urls = set(current.citations.values_list("url", flat=True))
    replacement = _dedupe(_build_citations(all_citations)) if all_citations is not None else None
    if replacement is not None:
        added = [c for c in replacement if c.url not in current_urls]
        added_urls = {c.url for c in added}
    changed = [f for f in CONTENT_FIELDS if getattr(current, f) != content.get(f)]
    sources_changed = (
        _citation_keys(replacement) != _citation_keys(current.citations.all())
        if replacement is not None
        else bool(added_urls - current_urls)
    )
    if not changed and not sources_changed:
        raise ValidationError("The current version already contains everything this proposal changes.")
    _check_sources_and_summary(revision, changed=changed, has_new_source=bool(added), edit_summary=edit_summary)
    if data:  # the author resubmits: the summary rule applies to what they send
        _check_summary_rule(revision, changed=changed, summary_confirmed=summary_confirmed)
    revision.base_revision = current
    revision.conflicting = False
    revision.body_html = render_markdown(revision.body)
    revision.full_clean(exclude=["page", "base_revision"])
    revision.save()
    carried = [
        Citation(kind=c.kind, label=c.label, url=c.url, retrieved_on=c.retrieved_on, is_primary=c.is_primary)
        for c in current.citations.all()
        if c.url not in added_urls
    ]
    fresh = [
        Citation(kind=c.kind, label=c.label, url=c.url, retrieved_on=c.retrieved_on, is_primary=c.is_primary)
        for c in added
    ]
    if replacement is not None:
        fresh, carried = replacement, []
    revision.citations.all().delete()
    for position, citation in enumerate([*fresh, *carried]):
        citation.revision = revision
        citation.position = position
    Citation.objects.bulk_create([*fresh, *carried])
    if not is_author:
        audit_record(
            actor=actor,
            action="stategide_rebase",
            target=page,
            before={"revision": revision.number, "base_revision": old_base.number if old_base else None},
            after={"revision": revision.number, "base_revision": current.number},
            note=f"Revision {revision.number} moved onto revision {current.number}.",
        )
    return revision


# --- publishing (one action object, Wagtail style) ---------------------------------------


class PublishRevisionAction:
    """Publish a pending revision: `check()` permissions and conflicts, `execute()` the change.

    If the page changed after the proposal began, the proposal's own changes are applied on top of
    the current published revision (a three-way merge). When both touched the same field with
    different values, the proposal conflicts and cannot be published as is.
    """

    def __init__(
        self,
        revision: Revision,
        *,
        user: Any,
        note: str = "",
        audit_action: str = "stategide_approve",
        _reference_data: bool = False,
    ):
        self.revision = revision
        self.user = user
        self.note = (note or "").strip()
        self.audit_action = audit_action
        # Only reference_edition_apply() publishes as the "Reference data" account (no moderator check).
        self._reference_data = _reference_data

    # three-way merge helpers
    @staticmethod
    def proposal_delta(revision: Revision) -> dict[str, Any]:
        base = revision.base_revision
        return {
            f: getattr(revision, f) for f in CONTENT_FIELDS if base is None or getattr(base, f) != getattr(revision, f)
        }

    @classmethod
    def classify(cls, revision: Revision, published: Revision | None) -> str:
        """ "clean" (based on the published revision), "merge", "conflict" or "superseded"."""
        base = revision.base_revision
        if published is None or base is None or base.pk == published.pk:
            return "clean"
        delta = cls.proposal_delta(revision)
        if all(getattr(published, f) == v for f, v in delta.items()):
            new_urls = set(revision.citations.values_list("url", flat=True)) - set(
                base.citations.values_list("url", flat=True)
            )
            if not new_urls - set(published.citations.values_list("url", flat=True)):
                return "superseded"
        for field, value in delta.items():
            if getattr(published, field) != getattr(base, field) and getattr(published, field) != value:
                return "conflict"
        return "merge"

    def check(self) -> str:
        if not (self._reference_data and self.user.pk == reference_account().pk):
            check_moderator(self.user)
        if self.revision.state != Revision.State.PENDING:
            raise ValidationError("Only pending proposals can be published.")
        published = self.revision.page.published_revision
        outcome = self.classify(self.revision, published)
        if outcome == "conflict":
            raise ValidationError(
                "The page changed after this proposal began and both changed the same fields. "
                "The author can update it onto the current version, or reject it with a note."
            )
        if outcome == "superseded":
            raise ValidationError("The published page already contains everything this proposal changes.")
        return outcome

    @transaction.atomic
    def execute(self) -> Revision:
        page = _locked_page(self.revision.page)
        revision = (
            Revision.objects.select_for_update(of=("self",)).select_related("base_revision").get(pk=self.revision.pk)
        )
        revision.page = page
        self.revision = revision
        outcome = self.check()
        previous = page.published_revision
        if outcome == "merge" and previous is not None and revision.base_revision is not None:
            delta = self.proposal_delta(revision)
            _apply(revision, {**_content_of(previous), **delta})
            base_urls = set(revision.base_revision.citations.values_list("url", flat=True))
            own = [c for c in revision.citations.all() if c.url not in base_urls]
            own_urls = {c.url for c in own}
            revision.citations.exclude(pk__in=[c.pk for c in own]).delete()
            carried = [
                Citation(
                    revision=revision, kind=c.kind, label=c.label, url=c.url,
                    retrieved_on=c.retrieved_on, is_primary=c.is_primary,
                )
                for c in previous.citations.all()
                if c.url not in own_urls
            ]  # fmt: skip
            Citation.objects.bulk_create(carried)
            for position, citation in enumerate([*own, *carried]):
                Citation.objects.filter(pk=citation.pk).update(position=position)
            revision.review_note = f"Merged onto revision {previous.number}. {self.note}".strip()
            revision.base_revision = previous
        elif self.note:
            revision.review_note = self.note
        revision.state = Revision.State.PUBLISHED
        revision.conflicting = False
        revision.reviewed_by = self.user
        revision.reviewed_at = timezone.now()
        revision.body_html = render_markdown(revision.body)
        revision.save()
        page.published_revision = revision
        page.save(update_fields=["published_revision", "updated_at"])
        self._settle_other_proposals(page, revision)
        audit_record(
            actor=self.user,
            action=self.audit_action,
            target=page,
            before={"published_revision": previous.number if previous else None},
            after={"published_revision": revision.number, "status": revision.status},
            note=self.note or revision.edit_summary,
        )
        self._notify(page, revision)
        guide_cache.invalidate_on_commit(page.code)
        return revision

    def _settle_other_proposals(self, page: StatePage, published: Revision) -> None:
        others = (
            Revision.objects.select_for_update(of=("self",))
            .filter(page=page, state=Revision.State.PENDING)
            .exclude(pk=published.pk)
            .select_related("base_revision")
        )
        for other in others:
            outcome = self.classify(other, published)
            if outcome == "superseded":
                other.state = Revision.State.SUPERSEDED
                other.review_note = f"Superseded by revision {published.number}."
                other.reviewed_at = timezone.now()
                other.save(update_fields=["state", "review_note", "reviewed_at"])
            elif outcome == "conflict" and not other.conflicting:
                other.conflicting = True
                other.save(update_fields=["conflicting"])

    def _notify(self, page: StatePage, revision: Revision) -> None:
        url = page.get_absolute_url()
        if revision.author is not None and self.audit_action == "stategide_approve":
            notification_create(
                recipient=revision.author,
                kind="proposal_approved",
                actor=self.user,
                target=revision,
                title=f"Your edit to the {page.name} guide was published",
                url=url,
                body=revision.edit_summary,
            )
        watchers = [u for u in selectors.page_watchers(page=page) if revision.author_id != u.pk]
        notification_create_many(
            recipients=watchers,
            kind="guide_change",
            actor=self.user,
            target=revision,
            title=f"The {page.name} state guide changed",
            url=url,
            body=revision.edit_summary,
        )


def revision_approve(*, actor: Any, revision: Revision, note: str = "") -> Revision:
    return PublishRevisionAction(revision, user=actor, note=note).execute()


@transaction.atomic
def revision_reject(*, actor: Any, revision: Revision, reason: str) -> Revision:
    check_moderator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the author a reason."})
    revision = Revision.objects.select_for_update(of=("self",)).select_related("page", "author").get(pk=revision.pk)
    if revision.state != Revision.State.PENDING:
        raise ValidationError("Only pending proposals can be rejected.")
    revision.state = Revision.State.REJECTED
    revision.reviewed_by = actor
    revision.reviewed_at = timezone.now()
    revision.review_note = reason[:2000]
    revision.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
    audit_record(
        actor=actor,
        action="stategide_reject",
        target=revision.page,
        before={"revision": revision.number, "state": "pending"},
        after={"revision": revision.number, "state": "rejected"},
        note=reason,
    )
    if revision.author is not None:
        notification_create(
            recipient=revision.author,
            kind="proposal_rejected",
            actor=actor,
            target=revision,
            title=f"Your edit to the {revision.page.name} guide was not published",
            url=revision.get_absolute_url(),
            body=reason,
        )
    return revision


@transaction.atomic
def page_rollback(*, actor: Any, page: StatePage, revision: Revision, reason: str = "") -> Revision:
    """Restore an older revision's content as a NEW published revision (history is never rewritten)."""
    check_moderator(actor)
    page = _locked_page(page)
    if revision.page_id != page.pk:
        raise ValidationError("That revision belongs to another page.")
    revision = Revision.objects.select_related("verified_by").get(pk=revision.pk)  # its state as saved
    if revision.state != Revision.State.PUBLISHED:
        raise ValidationError("Only revisions that were published can be restored.")
    if page.published_revision_id == revision.pk:
        raise ValidationError("That revision is already the published one.")
    restored = Revision(
        page=page,
        number=_next_number(page),
        state=Revision.State.PENDING,
        base_revision=page.published_revision,
        author=actor,
        edit_summary=(f"Restore revision {revision.number}. {reason}".strip())[:300],
    )
    _apply(restored, _content_of(revision))
    # The restored content is exactly the old revision's: it shows that revision's own verification.
    restored.verified_on = revision.verified_on
    restored.verified_by = revision.verified_by
    citations = [
        Citation(
            kind=c.kind,
            label=c.label,
            url=c.url,
            retrieved_on=c.retrieved_on,
            is_primary=c.is_primary,
            position=c.position,
        )
        for c in revision.citations.all()
    ]
    _save_revision(restored, citations)
    return PublishRevisionAction(restored, user=actor, note=reason, audit_action="stategide_rollback").execute()


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


VIEWS_BATCH = 20


def page_record_view(*, code: str) -> None:
    """Count a view of a state page: counted in the cache, written to the row every VIEWS_BATCH
    views (one UPDATE per batch); without a working cache every view is written at once."""
    from django.core.cache import cache
    from django.db.models import F

    code = (code or "").upper()[:2]
    key = f"stategide:views:{code}"
    try:
        seen = int(cache.incr(key))
    except ValueError:  # first view since the counter was created or evicted
        seen = 1 if cache.add(key, 1, None) else 0
    except Exception:  # noqa: BLE001 - the cache fails open
        seen = 0
    if seen <= 0:
        StatePage.objects.filter(code=code).update(views_count=F("views_count") + 1)
    elif seen % VIEWS_BATCH == 0:
        StatePage.objects.filter(code=code).update(views_count=F("views_count") + VIEWS_BATCH)


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


# --- watching --------------------------------------------------------------------------


def watch_set(*, user: Any, page: StatePage, watching: bool) -> Watch:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in to watch a state.")
    watch, _ = Watch.objects.update_or_create(user=user, page=page, defaults={"watching": bool(watching)})
    return watch


# --- reminders -------------------------------------------------------------------------


def moderators() -> list[Any]:
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name=MODERATORS_GROUP))
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def send_moderator_reminders(*, today: date | None = None) -> int:
    """Weekly: pages unverified > 180 days and laws taking effect within 90 days. Once per week per moderator."""
    from kei_community.notifications.models import Notification

    today = today or timezone.localdate()
    stale = selectors.pages_needing_verification(today=today)
    soon = selectors.laws_taking_effect_soon(today=today)
    if not stale and not soon:
        return 0
    week_ago = timezone.now() - timedelta(days=6)
    already = set(
        Notification.objects.filter(kind="guide_reminder", created_at__gte=week_ago).values_list(
            "recipient_id", flat=True
        )
    )
    recipients = [m for m in moderators() if m.pk not in already]
    lines = []
    if soon:
        lines.append(f"Laws taking effect within {selectors.EFFECTIVE_WITHIN_DAYS} days (law timeline):")
        lines += [f"- {e.page.name}: {e.title} ({e.date:%b %d, %Y})" for e in soon]
    if stale:
        lines.append(f"{len(stale)} pages not verified in the last 180 days:")
        lines += [f"- {p.name} ({p.code})" for p in stale]
    created = notification_create_many(
        recipients=recipients,
        kind="guide_reminder",
        title=f"State guide: {len(stale)} pages to verify, {len(soon)} laws taking effect soon",
        url="/states/?sort=verified",
        body="\n".join(lines),
    )
    return len(created)


# --- the reference data (stategide/data/states.csv) ----------------------------------------

REFERENCE_ACCOUNT_EMAIL = "reference-data@accounts.invalid"
REFERENCE_ACCOUNT_NAME = "Reference data"


def reference_account() -> Any:
    """The system account that authors revisions loaded from the reference data (created once).

    It is inactive and has no usable password: nobody can sign in as it.
    """
    User = get_user_model()
    user, created = User.objects.get_or_create(
        email=REFERENCE_ACCOUNT_EMAIL, defaults={"display_name": REFERENCE_ACCOUNT_NAME, "is_active": False}
    )
    if created or user.has_usable_password() or user.is_active:
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["password", "is_active"])
    return user


def _citation_keys(citations: Any) -> list[tuple[str, str, str]]:
    return [(c.url, c.label, c.kind) for c in citations]


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
