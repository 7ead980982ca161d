"""Reports, review and the audit log. Every moderator verb checks permissions here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from kei_community.moderation.models import AuditLogEntry, Report
from kei_community.moderation.registry import handlers_for
from kei_community.users.permissions import check_moderator


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


def _close_report(*, actor: Any, report: Report, status: str, note: str) -> Report:
    check_moderator(actor)
    if report.status != Report.Status.OPEN:
        raise ValidationError("This report was already reviewed.")
    before = {"status": report.status}
    resolution_note, resolved_at = (note or "").strip(), timezone.now()
    # A conditional UPDATE, so two moderators deciding the same report at once close it only once.
    closed = Report.objects.filter(pk=report.pk, status=Report.Status.OPEN).update(
        status=status, resolved_by=actor, resolution_note=resolution_note, resolved_at=resolved_at
    )
    if not closed:
        raise ValidationError("This report was already reviewed.")
    report.status, report.resolved_by = status, actor
    report.resolution_note, report.resolved_at = resolution_note, resolved_at
    audit_record(
        actor=actor, action=f"report_{status}", target=report, before=before, after={"status": status}, note=note
    )
    from kei_community.notifications.services import notification_create

    notification_create(
        recipient=report.reporter,
        kind="report_resolved",
        actor=actor,
        target=report,
        title=f"Your report was reviewed: {report.get_status_display().lower()}",
        body=report.resolution_note,
    )
    return report


@transaction.atomic
def report_resolve(*, actor: Any, report: Report, note: str = "") -> Report:
    """The report was right: the content stays hidden (or the app removed it)."""
    return _close_report(actor=actor, report=report, status=Report.Status.RESOLVED, note=note)


@transaction.atomic
def report_dismiss(*, actor: Any, report: Report, note: str = "") -> Report:
    """The report was wrong: content hidden by reports comes back once no report is open."""
    report = _close_report(actor=actor, report=report, status=Report.Status.DISMISSED, note=note)
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
