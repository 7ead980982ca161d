"""Proposed edits and their review: propose, update, rebase, approve (publish), reject, roll back."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kei_community.core.markdown import render_markdown
from kei_community.moderation.services import audit_record
from kei_community.notifications.services import notification_create, notification_create_many
from kei_community.users.permissions import check_moderator
from stategide import cache as guide_cache
from stategide import selectors
from stategide.models import (
    CITATION_REQUIRED_FIELDS,
    CONTENT_FIELDS,
    Citation,
    Revision,
    StatePage,
)
from stategide.services.rules import (
    _apply,
    _build_citations,
    _citation_keys,
    _content_of,
    _locked_page,
    _next_number,
    _normalise,
    _save_revision,
    check_can_propose,
    reference_account,
)

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
