"""Reports, review and the audit log. Every moderator verb checks permissions here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from kei_community.moderation.models import AuditLogEntry, Removal, Report, Sanction
from kei_community.moderation.registry import TargetHandlers, bulk_removable_models, handlers_for, member_listeners
from kei_community.moderation.sanctions import ends_in_words, suspensions_in_force
from kei_community.moderation.selectors import describe_target, removal_in_force
from kei_community.notifications.services import notification_create
from kei_community.users.permissions import SYSTEM, check_moderator

NOTICE_KIND = "moderation_notice"  # registered in ModerationConfig.ready()


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditLogEntry:
    """Append one entry to the audit log (call inside the action's transaction)."""
    return AuditLogEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
        target_repr=str(target)[:200] if target is not None else "",
        before=before,
        after=after,
        note=note,
    )


def _open_reports(target: models.Model) -> models.QuerySet[Report]:
    return Report.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk, status=Report.Status.OPEN
    )


@transaction.atomic
def report_create(*, reporter: Any, target: models.Model, reason: str, note: str = "") -> Report:
    """A member reports content. One open report per member and target; N reporters hide it."""
    if not getattr(reporter, "is_authenticated", False):
        raise PermissionDenied("Sign in to report content.")
    handlers = handlers_for(target)
    if handlers is None:
        raise ValidationError("This kind of content cannot be reported.")
    if handlers.removable and removal_in_force(target) is not None:
        raise ValidationError("A moderator already removed this.")
    report = Report(
        reporter=reporter,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        reason=reason,
        note=(note or "").strip(),
    )
    report.full_clean(validate_constraints=False)
    if _open_reports(target).filter(reporter=reporter).exists():
        raise ValidationError("You have already reported this; a moderator will review it.")
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise ValidationError("You have already reported this; a moderator will review it.") from exc
    distinct_reporters = _open_reports(target).values("reporter").distinct().count()
    if distinct_reporters >= settings.REPORTS_TO_HIDE:
        handlers.hide(target)
    return report


def _close_report(*, actor: Any, report: Report, status: str, note: str, outcome: str) -> Report:
    check_moderator(actor)
    if report.status != Report.Status.OPEN:
        raise ValidationError("This report was already reviewed.")
    before = {"status": report.status}
    resolution_note, resolved_at = (note or "").strip(), timezone.now()
    # A conditional UPDATE, so two moderators deciding the same report at once close it only once.
    closed = Report.objects.filter(pk=report.pk, status=Report.Status.OPEN).update(
        status=status, resolved_by=actor, resolution_note=resolution_note, resolved_at=resolved_at, outcome=outcome
    )
    if not closed:
        raise ValidationError("This report was already reviewed.")
    report.status, report.resolved_by, report.outcome = status, actor, outcome
    report.resolution_note, report.resolved_at = resolution_note, resolved_at
    audit_record(
        actor=actor,
        action=f"report_{status}",
        target=report,
        before=before,
        after={"status": status, "outcome": outcome},
        note=note,
    )
    notification_create(
        recipient=report.reporter,
        kind="report_resolved",
        actor=actor,
        target=report,
        title=f"Your report was reviewed: {Report.Outcome(outcome).label}",
        body=report.resolution_note,
    )
    return report


def _resolved_outcome(report: Report) -> str:
    """What really happened to the reported content, for a report closed as "resolved"."""
    target = report.target
    if target is None:
        return Report.Outcome.REMOVED  # the content is gone
    if removal_in_force(target) is not None:
        return Report.Outcome.REMOVED
    handlers = handlers_for(target)
    if handlers is not None and handlers.removable:
        raise ValidationError(
            f"This {handlers.noun} is still up. Remove it, warn or suspend its owner, or dismiss the report."
        )
    return Report.Outcome.RESOLVED


@transaction.atomic
def report_resolve(*, actor: Any, report: Report, note: str = "") -> Report:
    """The report was right and was acted on. The reporter is told the real outcome: "removed" when the
    content was removed (or is gone); content that can be removed here and is still up cannot be resolved
    (remove it, warn or suspend its owner, or dismiss the report)."""
    check_moderator(actor)
    outcome = _resolved_outcome(report)
    return _close_report(actor=actor, report=report, status=Report.Status.RESOLVED, note=note, outcome=outcome)


@transaction.atomic
def report_dismiss(*, actor: Any, report: Report, note: str = "") -> Report:
    """The report was wrong: content hidden by reports comes back once no report is open."""
    report = _close_report(
        actor=actor, report=report, status=Report.Status.DISMISSED, note=note, outcome=Report.Outcome.NO_ACTION
    )
    target = report.target
    if target is not None and not _open_reports(target).exists():
        handlers = handlers_for(target)
        if handlers is not None:
            handlers.restore(target)
    return report


def report_create_for(
    *, reporter: Any, content_type: ContentType, object_id: int, reason: str, note: str = ""
) -> Report:
    """Report by content type and id (views and API): only registered kinds of content."""
    from kei_community.moderation.selectors import reportable_object

    target = reportable_object(content_type=content_type, object_id=object_id)
    if target is None:
        raise ValidationError({"target_id": ["There is no such content to report."]})
    return report_create(reporter=reporter, target=target, reason=reason, note=note)


CLOSE_DECISIONS = {"resolve": Report.Status.RESOLVED, "dismiss": Report.Status.DISMISSED}


@transaction.atomic
def target_reports_close(
    *, actor: Any, content_type: ContentType, object_id: int, decision: str, note: str = ""
) -> list[Report]:
    """Resolve or dismiss every open report on one target (the queue groups them by target)."""
    check_moderator(actor)
    if decision not in CLOSE_DECISIONS:
        raise ValidationError({"decision": ["Choose resolve or dismiss."]})
    reports = list(
        Report.objects.select_for_update()
        .filter(target_type=content_type, target_id=object_id, status=Report.Status.OPEN)
        .select_related("reporter")
        .order_by("id")
    )
    if not reports:
        raise ValidationError("These reports were already reviewed.")
    close = report_resolve if decision == "resolve" else report_dismiss
    return [close(actor=actor, report=report, note=note) for report in reports]


# --- moderator verbs: one function each, permission checked first, audited, owner told -----------------------

REASON_MAX = 2000


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Give a reason: the member is shown it."]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [f"Keep the reason under {REASON_MAX:,} characters."]})
    return reason


def _removable(target: models.Model) -> TargetHandlers:
    handlers = handlers_for(target)
    if handlers is None or not handlers.removable:
        raise ValidationError("This kind of content cannot be removed here.")
    return handlers


def _notify_member(*, member: Any, actor: Any, title: str, body: str = "", url: str = "", target: Any = None) -> None:
    if member is None or getattr(member, "pk", None) is None:
        return
    notification_create(
        recipient=member, kind=NOTICE_KIND, actor=None, title=title[:200], body=body, url=url, target=target
    )


def _close_reports_on(*, actor: Any, target: models.Model, outcome: str, note: str = "") -> list[Report]:
    """Close every open report on ``target`` with this outcome; each reporter is told it."""
    reports = list(
        Report.objects.select_for_update()
        .filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk, status=Report.Status.OPEN)
        .select_related("reporter")
        .order_by("id")
    )
    status = Report.Status.DISMISSED if outcome == Report.Outcome.NO_ACTION else Report.Status.RESOLVED
    return [_close_report(actor=actor, report=r, status=status, note=note, outcome=outcome) for r in reports]


@transaction.atomic
def content_remove(
    *, actor: Any, target: models.Model, reason: str, note: str = "", notify_owner: bool = True
) -> Removal:
    """Take content down (a listing, photo, question, message or forum post) with a reason its owner is
    shown. The app takes it out of every page, list, feed, count and search; its open reports are closed
    as "removed" (``note`` goes to the reporters); the owner is notified; audited."""
    check_moderator(actor)
    handlers = _removable(target)
    reason = _clean_reason(reason)
    if removal_in_force(target) is not None:
        raise ValidationError(f"This {handlers.noun} was already removed.")
    owner = handlers.owner_of(target)
    described = describe_target(target)
    removal = Removal(
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        target_repr=str(described.get("title") or target)[:200],
        owner=owner if getattr(owner, "pk", None) else None,
        reason=reason,
        removed_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            removal.save()
    except IntegrityError as exc:  # another moderator removed it meanwhile
        raise ValidationError(f"This {handlers.noun} was already removed.") from exc
    assert handlers.remove is not None  # _removable
    removal.state = handlers.remove(target, actor=actor, reason=reason, removal=removal) or {}
    removal.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="content_remove",
        target=target,
        before={"removed": False},
        after={"removed": True, **removal.state},
        note=reason,
    )
    _close_reports_on(actor=actor, target=target, outcome=Report.Outcome.REMOVED, note=note)
    if notify_owner:
        _notify_member(
            member=owner,
            actor=actor,
            title=f"A moderator removed your {handlers.noun}: {described.get('title', '')}",
            body=f"Reason: {reason}",
            url=str(described.get("url") or ""),
            target=target,
        )
    return removal


@transaction.atomic
def content_restore(*, actor: Any, target: models.Model, note: str = "") -> Removal:
    """Undo a removal: the content comes back as it was; the owner is told; audited."""
    check_moderator(actor)
    handlers = _removable(target)
    removal = (
        Removal.objects.select_for_update()
        .filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk, restored_at__isnull=True)
        .first()
    )
    if removal is None:
        raise ValidationError(f"This {handlers.noun} is not removed.")
    assert handlers.unremove is not None  # _removable
    handlers.unremove(target, actor=actor, state=removal.state)
    removal.restored_at = timezone.now()
    removal.restored_by = actor if getattr(actor, "pk", None) else None
    removal.save(update_fields=["restored_at", "restored_by"])
    audit_record(
        actor=actor,
        action="content_restore",
        target=target,
        before={"removed": True},
        after={"removed": False},
        note=note,
    )
    described = describe_target(target)
    _notify_member(
        member=removal.owner,
        actor=actor,
        title=f"A moderator restored your {handlers.noun}: {described.get('title', '')}",
        body=(note or "").strip(),
        url=str(described.get("url") or ""),
        target=target,
    )
    return removal


def _check_can_sanction(actor: Any, member: Any) -> None:
    """Moderators only; never oneself, never staff; a moderator only by staff."""
    check_moderator(actor)
    if member is None or getattr(member, "pk", None) is None:
        raise ValidationError("There is no such member.")
    if actor is not SYSTEM and member.pk == actor.pk:
        raise PermissionDenied("You cannot warn or suspend yourself.")
    if member.is_staff or member.is_superuser:
        raise PermissionDenied("Staff accounts cannot be warned or suspended.")
    actor_is_staff = actor is SYSTEM or bool(actor.is_staff or actor.is_superuser)
    if not actor_is_staff and getattr(member, "is_moderator", False):
        raise PermissionDenied("Only staff can warn or suspend a moderator.")


def _notify_listeners(member: Any) -> None:
    """What every change to a member's suspension fires (suspend, lift, and a suspension running out by
    itself: ``suspensions_end_expired``): the apps' member listeners, e.g. the marketplace's, which fires
    the member's cache tags and the search tags of their trucks (now and on commit)."""
    for listener in member_listeners():
        listener(member)


@transaction.atomic
def member_warn(*, actor: Any, member: Any, reason: str, about: models.Model | None = None, note: str = "") -> Sanction:
    """Warn a member (they are told the reason). With ``about`` (the reported content the warning is
    for) its open reports are closed as "the member was warned"."""
    _check_can_sanction(actor, member)
    reason = _clean_reason(reason)
    warning = Sanction.objects.create(
        member=member,
        kind=Sanction.Kind.WARNING,
        reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(actor=actor, action="member_warn", target=member, after={"warning": warning.pk}, note=reason)
    if about is not None:
        _close_reports_on(actor=actor, target=about, outcome=Report.Outcome.WARNED, note=note)
    _notify_member(member=member, actor=actor, title="A moderator warned you", body=f"Reason: {reason}")
    return warning


def _suspension_end(ends_at: datetime | None) -> datetime | None:
    if ends_at is None:
        return None
    if timezone.is_naive(ends_at):
        ends_at = timezone.make_aware(ends_at)
    if ends_at <= timezone.now():
        raise ValidationError({"ends_at": ["Choose an end in the future, or none for an indefinite suspension."]})
    return ends_at


@transaction.atomic
def member_suspend(
    *,
    actor: Any,
    member: Any,
    reason: str,
    ends_at: datetime | None = None,
    about: models.Model | None = None,
    note: str = "",
) -> Sanction:
    """Suspend a member until ``ends_at`` (None: until lifted). At once their listings leave search and
    they can no longer list, post, message, react or upload. A suspension already in force is replaced.
    They are told the reason and the end; reports on ``about`` close as "the member was suspended"."""
    _check_can_sanction(actor, member)
    reason = _clean_reason(reason)
    ends_at = _suspension_end(ends_at)
    now = timezone.now()
    previous = list(
        Sanction.objects.select_for_update().filter(
            member=member, kind=Sanction.Kind.SUSPENSION, lifted_at__isnull=True
        )
    )
    before = None
    for old in previous:
        if old.in_force_at(now):
            before = {"suspended_until": old.ends_at.isoformat() if old.ends_at else "indefinite"}
    Sanction.objects.filter(pk__in=[o.pk for o in previous]).update(
        lifted_at=now, lifted_by=actor if getattr(actor, "pk", None) else None
    )
    suspension = Sanction.objects.create(
        member=member,
        kind=Sanction.Kind.SUSPENSION,
        reason=reason,
        ends_at=ends_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="member_suspend",
        target=member,
        before=before,
        after={"suspended_until": ends_at.isoformat() if ends_at else "indefinite"},
        note=reason,
    )
    _notify_listeners(member)
    if about is not None:
        _close_reports_on(actor=actor, target=about, outcome=Report.Outcome.SUSPENDED, note=note)
    _notify_member(
        member=member,
        actor=actor,
        title=f"Your account is suspended {ends_in_words(suspension)}",
        body=f"Reason: {reason}\nYou can still read the site, but you cannot list, post, message, react or upload "
        "photos until then.",
    )
    return suspension


@transaction.atomic
def member_unsuspend(*, actor: Any, member: Any, note: str = "") -> Sanction:
    """Lift a member's suspension now; their listings come back to search; they are told; audited."""
    check_moderator(actor)
    if actor is not SYSTEM and getattr(member, "pk", None) == actor.pk:
        raise PermissionDenied("You cannot lift your own suspension.")
    suspension = suspensions_in_force().select_for_update().filter(member=member).first()
    if suspension is None:
        raise ValidationError("This member is not suspended.")
    suspension.lifted_at = timezone.now()
    suspension.lifted_by = actor if getattr(actor, "pk", None) else None
    suspension.save(update_fields=["lifted_at", "lifted_by"])
    audit_record(
        actor=actor,
        action="member_unsuspend",
        target=member,
        before={"suspended_until": suspension.ends_at.isoformat() if suspension.ends_at else "indefinite"},
        after={"suspended_until": None},
        note=note,
    )
    _notify_listeners(member)
    _notify_member(member=member, actor=actor, title="Your suspension was lifted", body=(note or "").strip())
    return suspension


def suspensions_end_expired(*, now: datetime | None = None) -> int:
    """For each suspension that ran out by itself (its end passed, nobody lifted it) and was not handled
    yet: fire what a lift fires (``_notify_listeners``), so cached searches and pages that left the
    member's listings out are rebuilt with them, and mark it handled; the end is audited ("suspension_ended",
    by the system) and the member is told (a member has one unlifted suspension at most: a new one lifts
    the old). Run by the periodic task ``kei_community.moderation.tasks.end_expired_suspensions``; idempotent (a suspension is handled
    once; two sweeps at once skip each other's rows). Returns how many were handled."""
    now = now or timezone.now()
    with transaction.atomic():
        ended = list(
            Sanction.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                kind=Sanction.Kind.SUSPENSION,
                lifted_at__isnull=True,
                end_handled_at__isnull=True,
                ends_at__lte=now,
            )
            .select_related("member")
            .order_by("ends_at", "id")
        )
        if not ended:
            return 0
        Sanction.objects.filter(pk__in=[s.pk for s in ended]).update(end_handled_at=now)
        last_end = {s.member_id: s.ends_at for s in ended}
        for member in {s.member_id: s.member for s in ended}.values():
            _notify_listeners(member)
            ends_at = last_end[member.pk]
            audit_record(
                actor=SYSTEM,
                action="suspension_ended",
                target=member,
                before={"suspended_until": ends_at.isoformat() if ends_at else "indefinite"},
                after={"suspended_until": None},
                note="The suspension ran out.",
            )
            _notify_member(
                member=member,
                actor=None,
                title="Your suspension has ended",
                body="You can post, list trucks and send messages again.",
            )
    return len(ended)


@dataclass
class MemberContentRemoval:
    member: Any
    removals: list[Removal] = field(default_factory=list)
    suspension: Sanction | None = None

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for removal in self.removals:
            handlers = handlers_for(removal.target_type.model_class())
            noun = handlers.noun if handlers is not None else "item"
            out[noun] = out.get(noun, 0) + 1
        return out

    def summary(self) -> str:
        return ", ".join(f"{n} {noun}{'' if n == 1 else 's'}" for noun, n in self.counts().items()) or "nothing"


@transaction.atomic
def member_content_remove(
    *,
    actor: Any,
    member: Any,
    reason: str,
    suspend: bool = False,
    ends_at: datetime | None = None,
    about: models.Model | None = None,
    note: str = "",
) -> MemberContentRemoval:
    """The usual scam pattern in one action with one reason: every listing of the member that is not
    removed yet (and ``about``, the reported content, whatever its kind) is removed, each audited with its
    reports closed as "removed"; with ``suspend`` the member is suspended too. The member gets one notice
    for the removals (and the suspension's own)."""
    _check_can_sanction(actor, member)
    reason = _clean_reason(reason)
    if suspend:
        ends_at = _suspension_end(ends_at)
    result = MemberContentRemoval(member=member)
    targets: list[models.Model] = []
    for model in bulk_removable_models():
        handlers = handlers_for(model)
        assert handlers is not None and handlers.member_content is not None
        targets.extend(handlers.member_content(member))
    about_handlers = handlers_for(about) if about is not None else None
    if about is not None and about_handlers is not None and about_handlers.removable and about not in targets:
        targets.append(about)
    for target in targets:
        if removal_in_force(target) is None:
            result.removals.append(
                content_remove(actor=actor, target=target, reason=reason, note=note, notify_owner=False)
            )
    if about is not None and suspend and not (about_handlers is not None and about_handlers.removable):
        _close_reports_on(actor=actor, target=about, outcome=Report.Outcome.SUSPENDED, note=note)
    if not result.removals and not suspend:
        raise ValidationError("This member has nothing up to remove.")
    audit_record(
        actor=actor,
        action="member_content_remove",
        target=member,
        after={"removed": result.counts(), "suspend": suspend},
        note=reason,
    )
    if result.removals:
        _notify_member(
            member=member,
            actor=actor,
            title=f"A moderator removed your content: {result.summary()}",
            body=f"Reason: {reason}",
        )
    if suspend:
        result.suspension = member_suspend(actor=actor, member=member, reason=reason, ends_at=ends_at)
    return result
