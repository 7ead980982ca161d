import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from kei_community.moderation.models import AuditLogEntry, Report
from kei_community.moderation.services import (
    audit_record,
    report_create,
    report_create_for,
    report_dismiss,
    report_resolve,
    target_reports_close,
)
from kei_community.notifications.models import Notification
from tests.factories import ReportFactory, UserFactory


def test_member_can_report_registered_content(target, user):
    report = report_create(reporter=user, target=target, reason="spam", note="  buy now  ")
    assert report.status == Report.Status.OPEN
    assert report.note == "buy now"


def test_anonymous_cannot_report(target):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        report_create(reporter=AnonymousUser(), target=target, reason="spam")


@pytest.mark.django_db
def test_unregistered_content_cannot_be_reported(user, other_user):
    with pytest.raises(ValidationError):
        report_create(reporter=user, target=other_user, reason="spam")


def test_unknown_reason_is_rejected(target, user):
    with pytest.raises(ValidationError) as exc:
        report_create(reporter=user, target=target, reason="boring")
    assert "reason" in exc.value.message_dict


def test_one_open_report_per_member_per_target(target, user):
    report_create(reporter=user, target=target, reason="spam")
    with pytest.raises(ValidationError, match="already reported"):
        report_create(reporter=user, target=target, reason="scam")
    assert Report.objects.filter(reporter=user).count() == 1


def test_member_can_report_again_after_review(target, user, moderator):
    first = report_create(reporter=user, target=target, reason="spam")
    report_dismiss(actor=moderator, report=first)
    second = report_create(reporter=user, target=target, reason="scam")
    assert second.pk != first.pk


def test_content_is_hidden_after_n_distinct_reporters(target, reportable, settings):
    settings.REPORTS_TO_HIDE = 3
    for _ in range(2):
        report_create(reporter=UserFactory(), target=target, reason="spam")
    assert reportable.hidden == []
    report_create(reporter=UserFactory(), target=target, reason="offensive")
    assert reportable.hidden == [target.pk]


def test_report_for_unknown_object_id_is_a_validation_error(reportable, user):
    ct = ContentType.objects.get_for_model(user)
    with pytest.raises(ValidationError):
        report_create_for(reporter=user, content_type=ct, object_id=999_999, reason="spam")


def test_member_cannot_resolve_a_report(target, user, other_user):
    report = ReportFactory(target=target, reporter=other_user)
    with pytest.raises(PermissionDenied):
        report_resolve(actor=user, report=report, note="nope")
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_member_cannot_dismiss_a_report(target, user, other_user):
    report = ReportFactory(target=target, reporter=other_user)
    with pytest.raises(PermissionDenied):
        report_dismiss(actor=user, report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_moderator_without_mfa_cannot_resolve_when_mfa_is_required(target, moderator, user, settings):
    settings.MODERATION_REQUIRES_MFA = True
    report = ReportFactory(target=target, reporter=user)
    with pytest.raises(PermissionDenied, match="two-factor"):
        report_resolve(actor=moderator, report=report)


def test_resolve_writes_an_audit_entry(target, moderator, user):
    report = ReportFactory(target=target, reporter=user)
    report_resolve(actor=moderator, report=report, note="removed")
    entry = AuditLogEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id, entry.note) == (
        moderator,
        "report_resolved",
        report.pk,
        "removed",
    )
    assert entry.before == {"status": "open"} and entry.after == {"status": "resolved"}


def test_dismiss_writes_an_audit_entry(target, moderator, user):
    report = ReportFactory(target=target, reporter=user)
    report_dismiss(actor=moderator, report=report, note="fine")
    assert AuditLogEntry.objects.filter(actor=moderator, action="report_dismissed", target_id=report.pk).exists()


def test_reporter_is_notified_when_the_report_is_reviewed(target, moderator, user):
    report = ReportFactory(target=target, reporter=user)
    report_resolve(actor=moderator, report=report, note="Thanks, removed.")
    notification = Notification.objects.get(recipient=user)
    assert notification.kind == "report_resolved"
    assert notification.body == "Thanks, removed."


def test_a_report_cannot_be_reviewed_twice(target, moderator, user):
    report = ReportFactory(target=target, reporter=user)
    report_resolve(actor=moderator, report=report)
    with pytest.raises(ValidationError, match="already reviewed"):
        report_dismiss(actor=moderator, report=report)


def test_dismissing_the_last_open_report_restores_hidden_content(target, reportable, moderator, user):
    report = ReportFactory(target=target, reporter=user)
    report_dismiss(actor=moderator, report=report)
    assert reportable.restored == [target.pk]


def test_dismissing_one_of_several_open_reports_keeps_content_hidden(target, reportable, moderator, user, other_user):
    report = ReportFactory(target=target, reporter=user)
    ReportFactory(target=target, reporter=other_user)
    report_dismiss(actor=moderator, report=report)
    assert reportable.restored == []


def test_closing_a_target_resolves_every_open_report_on_it(target, moderator):
    ReportFactory.create_batch(3, target=target)
    ct = ContentType.objects.get_for_model(target)
    closed = target_reports_close(actor=moderator, content_type=ct, object_id=target.pk, decision="resolve", note="ok")
    assert len(closed) == 3
    assert not Report.objects.filter(status=Report.Status.OPEN).exists()
    assert AuditLogEntry.objects.filter(action="report_resolved").count() == 3


def test_member_cannot_close_a_target(target, user):
    ReportFactory(target=target)
    ct = ContentType.objects.get_for_model(target)
    with pytest.raises(PermissionDenied):
        target_reports_close(actor=user, content_type=ct, object_id=target.pk, decision="dismiss")


def test_audit_entries_are_append_only(moderator):
    entry = audit_record(actor=moderator, action="thing_done", note="x")
    entry.note = "changed"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_racing_duplicate_report_is_caught_by_the_database_constraint(target, user, monkeypatch):
    from kei_community.moderation import services

    report_create(reporter=user, target=target, reason="spam")
    # Simulate a second request that passed the "already reported?" check before the first committed.
    monkeypatch.setattr(services, "_open_reports", lambda target: Report.objects.none())
    with pytest.raises(ValidationError, match="already reported"):
        report_create(reporter=user, target=target, reason="scam")
    assert Report.objects.filter(reporter=user).count() == 1


def test_a_report_decided_by_another_moderator_meanwhile_is_not_closed_twice(target, moderator, user):
    report = ReportFactory(target=target, reporter=user)
    stale_copy = Report.objects.get(pk=report.pk)  # loaded by a second moderator before the first decided
    report_resolve(actor=moderator, report=report, note="removed")
    with pytest.raises(ValidationError, match="already reviewed"):
        report_dismiss(actor=UserFactory(is_staff=True), report=stale_copy, note="fine")
    stale_copy.refresh_from_db()
    assert stale_copy.status == Report.Status.RESOLVED
    assert AuditLogEntry.objects.count() == 1
    assert Notification.objects.filter(kind="report_resolved", recipient=user).count() == 1
