import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from kei_community.moderation.models import AuditLogEntry, Report
from tests.factories import AuditLogEntryFactory, ReportFactory, UserFactory


def _report_url(obj):
    ct = ContentType.objects.get_for_model(obj)
    return reverse("moderation:report", kwargs={"content_type_id": ct.pk, "object_id": obj.pk})


def _review_url(obj):
    ct = ContentType.objects.get_for_model(obj)
    return reverse("moderation:review", kwargs={"content_type_id": ct.pk, "object_id": obj.pk})


# --- reporting -----------------------------------------------------------------


def test_report_page_shows_the_form(client, user, target):
    client.force_login(user)
    response = client.get(_report_url(target))
    assert response.status_code == 200
    assert b"Profile of Reported Member" in response.content


def test_anonymous_is_sent_to_login_to_report(client, target):
    response = client.post(_report_url(target), {"reason": "spam"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Report.objects.exists()


def test_member_reports_content_and_returns_to_next(client, user, target):
    client.force_login(user)
    response = client.post(_report_url(target), {"reason": "spam", "note": "bot", "next": "/forum/"})
    assert response.status_code == 302 and response["Location"] == "/forum/"
    assert Report.objects.get().reporter == user


def test_report_ignores_an_offsite_next(client, user, target):
    client.force_login(user)
    response = client.post(_report_url(target), {"reason": "spam", "next": "https://evil.example/"})
    assert response["Location"] == f"/members/{target.pk}/"


def test_invalid_reason_is_a_form_error(client, user, target):
    client.force_login(user)
    response = client.post(_report_url(target), {"reason": "boring"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert not Report.objects.exists()


def test_duplicate_report_is_a_message_not_an_error(client, user, target):
    client.force_login(user)
    client.post(_report_url(target), {"reason": "spam"})
    response = client.post(_report_url(target), {"reason": "scam"}, follow=True)
    assert response.status_code == 200
    assert b"already reported" in response.content
    assert Report.objects.count() == 1


def test_report_of_unregistered_content_is_404(client, user, other_user):
    client.force_login(user)
    assert client.post(_report_url(other_user), {"reason": "spam"}).status_code == 404


def test_report_of_unknown_content_type_is_404(client, user):
    client.force_login(user)
    url = reverse("moderation:report", kwargs={"content_type_id": 999_999, "object_id": 1})
    assert client.get(url).status_code == 404


def test_report_form_include_renders_for_registered_targets(rf, user, target):
    from django.template.loader import render_to_string

    request = rf.get("/somewhere/")
    request.user = user
    html = render_to_string("moderation/report_form.html", {"target": target, "user": user}, request=request)
    assert _report_url(target) in html
    assert 'name="reason"' in html


def test_report_form_include_is_empty_for_unregistered_targets(rf, user, other_user):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = user
    html = render_to_string("moderation/report_form.html", {"target": other_user, "user": user}, request=request)
    assert "Report this" not in html


# --- the queue -----------------------------------------------------------------


def test_member_cannot_open_the_queue(client, user):
    client.force_login(user)
    assert client.get(reverse("moderation:queue")).status_code == 403


def test_anonymous_is_sent_to_login_from_the_queue(client, db):
    response = client.get(reverse("moderation:queue"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_moderator_without_mfa_is_sent_to_enrol_when_required(client, moderator, settings):
    settings.MODERATION_REQUIRES_MFA = True
    client.force_login(moderator)
    response = client.get(reverse("moderation:queue"))
    assert response.status_code == 302 and "totp" in response["Location"]


def test_queue_shows_grouped_reports_and_held_items(client, moderator, target, queue_source):
    ReportFactory.create_batch(2, target=target, note="clearly a bot")
    queue_source.append({"kind": "post", "title": "Held first post", "url": "/x/", "created_at": None, "author": "n"})
    client.force_login(moderator)
    response = client.get(reverse("moderation:queue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Profile of Reported Member" in body
    assert "2 reports from 2 members" in body
    assert "Held first post" in body


def test_queue_reason_filter_hides_other_reasons(client, moderator, target, reportable):
    ReportFactory(target=target, reason="spam")
    client.force_login(moderator)
    response = client.get(reverse("moderation:queue"), {"reason": "scam"})
    assert "Profile of Reported Member" not in response.content.decode()


def test_member_cannot_review_a_target(client, user, target):
    ReportFactory(target=target)
    client.force_login(user)
    response = client.post(_review_url(target), {"decision": "dismiss"})
    assert response.status_code == 403
    assert Report.objects.get().status == Report.Status.OPEN


def test_moderator_resolves_a_target_with_a_note(client, moderator, target):
    ReportFactory.create_batch(2, target=target)
    client.force_login(moderator)
    response = client.post(_review_url(target), {"decision": "resolve", "note": "removed"})
    assert response.status_code == 302
    assert set(Report.objects.values_list("status", flat=True)) == {"resolved"}
    assert AuditLogEntry.objects.filter(action="report_resolved", note="removed").count() == 2


def test_reviewing_an_already_reviewed_target_is_a_message(client, moderator, target):
    client.force_login(moderator)
    response = client.post(_review_url(target), {"decision": "dismiss"}, follow=True)
    assert response.status_code == 200
    assert b"already reviewed" in response.content


def _review_report_url(report):
    return reverse("moderation:review_report", kwargs={"pk": report.pk})


def test_queue_lists_each_open_report_with_its_own_controls(client, moderator, target):
    first, second = ReportFactory.create_batch(2, target=target)
    client.force_login(moderator)
    body = client.get(reverse("moderation:queue")).content.decode()
    assert body.count("Dismiss this report</button>") == 2
    assert body.count("Resolve this report</button>") == 2
    assert _review_report_url(first) in body and _review_report_url(second) in body


def test_moderator_dismisses_one_report_and_the_other_stays_open(client, moderator, target, reportable):
    dismissed, kept = ReportFactory.create_batch(2, target=target)
    client.force_login(moderator)
    response = client.post(
        _review_report_url(dismissed), {"decision": "dismiss", "note": "not spam", "next": "/moderation/?app=users"}
    )
    assert response.status_code == 302 and response["Location"] == "/moderation/?app=users"
    dismissed.refresh_from_db()
    kept.refresh_from_db()
    assert (dismissed.status, dismissed.resolved_by, dismissed.resolution_note) == ("dismissed", moderator, "not spam")
    assert kept.status == Report.Status.OPEN
    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.actor, entry.target_id, entry.note) == (
        "report_dismissed",
        moderator,
        dismissed.pk,
        "not spam",
    )
    assert reportable.restored == []  # a report is still open on the content
    # The queue still shows the target with the one open report.
    body = client.get(reverse("moderation:queue")).content.decode()
    assert "1 report from 1 member" in body
    assert _review_report_url(kept) in body and _review_report_url(dismissed) not in body


def test_dismissing_the_last_open_report_restores_the_content(client, moderator, target, reportable):
    dismissed, resolved = ReportFactory.create_batch(2, target=target)
    client.force_login(moderator)
    client.post(_review_report_url(resolved), {"decision": "resolve"})
    assert reportable.restored == []
    client.post(_review_report_url(dismissed), {"decision": "dismiss"})
    assert reportable.restored == [target.pk]
    assert sorted(Report.objects.values_list("status", flat=True)) == ["dismissed", "resolved"]


def test_reporter_is_notified_of_a_per_report_decision(client, moderator, target):
    from kei_community.notifications.models import Notification

    report = ReportFactory(target=target)
    client.force_login(moderator)
    client.post(_review_report_url(report), {"decision": "resolve", "note": "removed"})
    notification = Notification.objects.get(recipient=report.reporter)
    assert notification.kind == "report_resolved" and notification.body == "removed"


def test_member_cannot_decide_a_single_report(client, user, target):
    report, other = ReportFactory.create_batch(2, target=target)
    client.force_login(user)
    response = client.post(_review_report_url(report), {"decision": "dismiss"})
    assert response.status_code == 403
    assert set(Report.objects.values_list("status", flat=True)) == {"open"}
    assert not AuditLogEntry.objects.exists()


def test_anonymous_cannot_decide_a_single_report(client, target):
    report = ReportFactory(target=target)
    response = client.post(_review_report_url(report), {"decision": "dismiss"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_deciding_a_report_needs_post(client, moderator, target):
    report = ReportFactory(target=target)
    client.force_login(moderator)
    assert client.get(_review_report_url(report)).status_code == 405
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_deciding_a_missing_report_is_404(client, moderator, db):
    client.force_login(moderator)
    assert (
        client.post(reverse("moderation:review_report", kwargs={"pk": 999_999}), {"decision": "dismiss"}).status_code
        == 404
    )


def test_deciding_with_an_unknown_decision_changes_nothing(client, moderator, target):
    report = ReportFactory(target=target)
    client.force_login(moderator)
    response = client.post(_review_report_url(report), {"decision": "delete"}, follow=True)
    assert response.status_code == 200
    assert b"Choose resolve or dismiss." in response.content
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_deciding_an_already_reviewed_report_is_a_message(client, moderator, target):
    report = ReportFactory(target=target, status=Report.Status.DISMISSED)
    client.force_login(moderator)
    response = client.post(_review_report_url(report), {"decision": "resolve"}, follow=True)
    assert response.status_code == 200
    assert b"already reviewed" in response.content
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    assert not AuditLogEntry.objects.exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_queue_queries_do_not_grow_with_rows(
    client, moderator, reportable, rows, django_assert_max_num_queries, monkeypatch
):
    from kei_community.moderation import registry

    monkeypatch.setattr(registry, "_queue_sources", {})  # other apps' held items are their own queries
    for _ in range(rows):
        ReportFactory.create_batch(2, target=UserFactory())
    client.force_login(moderator)
    client.get(reverse("moderation:queue"))  # warm the content-type cache
    # 8 for the queue itself (session, user, group, count, groups, targets, reports, bell) + header extras.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("moderation:queue"))
    assert response.status_code == 200
    assert response.content.decode().count("Apply</button>") == min(rows, 20)


# --- audit log -----------------------------------------------------------------


def test_member_cannot_open_the_audit_log(client, user):
    client.force_login(user)
    assert client.get(reverse("moderation:audit")).status_code == 403


def test_audit_log_filters_by_action(client, moderator):
    AuditLogEntryFactory(action="report_resolved", target_repr="kept-entry")
    AuditLogEntryFactory(action="listing_removed", target_repr="other-entry")
    client.force_login(moderator)
    body = client.get(reverse("moderation:audit"), {"action": "report_resolved"}).content.decode()
    assert "kept-entry" in body and "other-entry" not in body


@pytest.mark.parametrize("rows", [3, 30])
def test_audit_log_queries_do_not_grow_with_rows(client, moderator, rows, django_assert_max_num_queries):
    AuditLogEntryFactory.create_batch(rows)
    client.force_login(moderator)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("moderation:audit"))
    assert response.content.decode().count("<code>report_resolved</code>") == rows
