import pytest

from kei_community.moderation.models import AuditLogEntry, Report
from tests.factories import ReportFactory, UserFactory

CREATE = "/api/v1/reports/"
LIST = "/api/v1/moderation/reports/"


def _resolve(pk):
    return f"/api/v1/moderation/reports/{pk}/resolve/"


def _dismiss(pk):
    return f"/api/v1/moderation/reports/{pk}/dismiss/"


def _payload(target, **kw):
    return {"target_type": "users.user", "target_id": target.pk, "reason": "spam", "note": "bot", **kw}


def test_member_reports_content_over_the_api(api_client, user, target):
    api_client.force_authenticate(user)
    response = api_client.post(CREATE, _payload(target), format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "open"
    assert Report.objects.get().reporter == user


@pytest.mark.django_db
def test_anonymous_cannot_report_over_the_api(api_client, target):
    assert api_client.post(CREATE, _payload(target), format="json").status_code in (401, 403)


def test_unregistered_target_type_is_400_naming_the_field(api_client, user, target):
    api_client.force_authenticate(user)
    response = api_client.post(CREATE, _payload(target, target_type="moderation.report"), format="json")
    assert response.status_code == 400
    assert "target_type" in response.json()["errors"]


def test_missing_target_is_400(api_client, user, reportable):
    api_client.force_authenticate(user)
    response = api_client.post(
        CREATE, {"target_type": "users.user", "target_id": 999_999, "reason": "spam"}, format="json"
    )
    assert response.status_code == 400
    assert "target_id" in response.json()["errors"]


def test_duplicate_report_is_400_with_a_message(api_client, user, target):
    api_client.force_authenticate(user)
    api_client.post(CREATE, _payload(target), format="json")
    response = api_client.post(CREATE, _payload(target, reason="scam"), format="json")
    assert response.status_code == 400
    assert "already reported" in response.json()["detail"]


def test_unknown_field_is_rejected(api_client, user, target):
    api_client.force_authenticate(user)
    response = api_client.post(CREATE, _payload(target, hide_now=True), format="json")
    assert response.status_code == 400
    assert "hide_now" in response.json()["errors"]


def test_hidden_after_n_reports_over_the_api(api_client, target, reportable, settings):
    settings.REPORTS_TO_HIDE = 2
    for _ in range(2):
        api_client.force_authenticate(UserFactory())
        api_client.post(CREATE, _payload(target), format="json")
    assert reportable.hidden == [target.pk]


def test_member_cannot_list_reports(api_client, user):
    api_client.force_authenticate(user)
    assert api_client.get(LIST).status_code == 403


def test_moderator_lists_open_reports_with_their_target(api_client, moderator, target):
    report = ReportFactory(target=target)
    ReportFactory(target=target, status="dismissed")
    api_client.force_authenticate(moderator)
    data = api_client.get(LIST).json()
    assert [r["id"] for r in data["results"]] == [report.pk]
    assert data["results"][0]["target"] == {
        "type": "users.user",
        "id": target.pk,
        "title": "Profile of Reported Member",
        "url": f"/members/{target.pk}/",
        "app": "users",
    }


def test_member_cannot_resolve_over_the_api(api_client, user, target):
    report = ReportFactory(target=target)
    api_client.force_authenticate(user)
    assert api_client.post(_resolve(report.pk), {"note": "x"}, format="json").status_code == 403
    report.refresh_from_db()
    assert report.status == "open"


def test_member_cannot_dismiss_over_the_api(api_client, user, target):
    report = ReportFactory(target=target)
    api_client.force_authenticate(user)
    assert api_client.post(_dismiss(report.pk), {}, format="json").status_code == 403
    report.refresh_from_db()
    assert report.status == "open"


def test_moderator_resolves_over_the_api(api_client, moderator, target):
    report = ReportFactory(target=target)
    api_client.force_authenticate(moderator)
    response = api_client.post(_resolve(report.pk), {"note": "removed"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert AuditLogEntry.objects.filter(action="report_resolved", target_id=report.pk).exists()


def test_moderator_dismisses_over_the_api(api_client, moderator, target):
    report = ReportFactory(target=target)
    api_client.force_authenticate(moderator)
    response = api_client.post(_dismiss(report.pk), {"note": "fine"}, format="json")
    assert response.json()["status"] == "dismissed"
    assert AuditLogEntry.objects.filter(action="report_dismissed", target_id=report.pk).exists()


def test_reviewing_twice_is_400(api_client, moderator, target):
    report = ReportFactory(target=target)
    api_client.force_authenticate(moderator)
    api_client.post(_resolve(report.pk), {}, format="json")
    response = api_client.post(_dismiss(report.pk), {}, format="json")
    assert response.status_code == 400
    assert "already reviewed" in response.json()["detail"]


def test_reviewing_a_missing_report_is_404(api_client, moderator):
    api_client.force_authenticate(moderator)
    assert api_client.post(_resolve(999_999), {}, format="json").status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_list_queries_do_not_grow_with_rows(api_client, moderator, reportable, rows, django_assert_max_num_queries):
    for _ in range(rows):
        ReportFactory(target=UserFactory())
    api_client.force_authenticate(moderator)
    api_client.get(LIST)  # warm the content-type cache
    with django_assert_max_num_queries(8):
        response = api_client.get(LIST, {"page_size": 50})
    assert len(response.json()["results"]) == rows
