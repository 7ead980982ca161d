import pytest

from kei_community.moderation.models import AuditLogEntry
from stategide import services
from stategide.models import Revision
from tests.factories import UserFactory, citation_data

pytestmark = pytest.mark.django_db


def proposal(author, page, **data):
    return services.revision_propose(author=author, page=page, data=data or {"body": "More."}, edit_summary="Edit")


def test_list_has_51_entries_within_budget(api_client, all_states, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api_client.get("/api/v1/states/")
    assert response.status_code == 200
    data = response.json()
    assert len(data) == 51
    assert set(data[0]) >= {"code", "name", "status", "confidence", "last_verified", "speed", "url", "page_url"}


def test_list_query_count_with_few_rows(api_client, tx, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert len(api_client.get("/api/v1/states/").json()) == 1


@pytest.mark.parametrize("code", ["tx", "TX", "Tx"])
def test_detail_any_case(api_client, tx, code):
    data = api_client.get(f"/api/v1/states/{code}/").json()
    assert data["code"] == "TX"
    assert data["revision"]["citations"][0]["url"] == "https://statutes.example.gov/1"


def test_detail_unknown_is_404(api_client, tx):
    response = api_client.get("/api/v1/states/zz/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_detail_query_budget(api_client, all_states, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert api_client.get("/api/v1/states/al/").status_code == 200


def test_revisions_list(api_client, user, tx, django_assert_max_num_queries):
    for _ in range(4):
        proposal(user, tx)
    with django_assert_max_num_queries(5):
        response = api_client.get("/api/v1/states/tx/revisions/")
    assert response.json()["count"] == 5


def test_anonymous_cannot_propose(api_client, tx):
    response = api_client.post("/api/v1/states/tx/revisions/", {"edit_summary": "x", "body": "y"}, format="json")
    assert response.status_code in (401, 403)
    assert not Revision.objects.filter(number=2).exists()


def test_member_proposes(api_client, user, tx):
    api_client.force_authenticate(user)
    response = api_client.post(
        "/api/v1/states/tx/revisions/",
        {"edit_summary": "Speed", "max_road_speed_mph": 45, "citations": [citation_data()]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["state"] == "pending"
    assert response.json()["max_road_speed_mph"] == 45


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"max_road_speed_mph": 81}, "max_road_speed_mph"),
        ({"max_road_speed_mph": -5}, "max_road_speed_mph"),
        ({"summary": ""}, "summary"),
        ({"status": "not_allowed"}, "citations"),
        ({"status": "not_allowed", "citations": [citation_data(url="javascript:alert(1)")]}, "citations"),
        ({"status": "not_allowed", "citations": [citation_data(url="ftp://x.example.com/a")]}, "citations"),
        ({"colour": "red"}, "colour"),
    ],
    ids=["speed-high", "speed-negative", "empty-summary", "no-citation", "js-url", "ftp-url", "unknown-field"],
)
def test_bad_input_is_400_with_error_shape(api_client, user, tx, payload, field):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/states/tx/revisions/", {"edit_summary": "x", **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Revision.objects.filter(number=2).exists()


def test_body_script_is_sanitised(api_client, user, tx):
    api_client.force_authenticate(user)
    response = api_client.post(
        "/api/v1/states/tx/revisions/",
        {"edit_summary": "x", "body": "<script>alert(1)</script> [a](javascript:alert(1))"},
        format="json",
    )
    assert response.status_code == 201
    assert "<script" not in response.json()["body_html"]
    assert '<a href="javascript' not in response.json()["body_html"]


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_members_cannot_review(api_client, user, other_user, tx, action):
    rev = proposal(other_user, tx)
    api_client.force_authenticate(user)
    response = api_client.post(f"/api/v1/states/tx/revisions/{rev.pk}/{action}/", {"reason": "x"}, format="json")
    assert response.status_code == 403
    rev.refresh_from_db()
    assert rev.state == "pending"


def test_member_cannot_verify(api_client, user, tx):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/states/tx/verify/", {"checks": ["sources"]}, format="json")
    assert response.status_code == 403
    tx.published_revision.refresh_from_db()
    assert tx.published_revision.verified_on is None
    assert not tx.published_revision.verifications.exists()


def test_moderator_approves(api_client, user, moderator, tx):
    rev = proposal(user, tx)
    api_client.force_authenticate(moderator)
    response = api_client.post(f"/api/v1/states/TX/revisions/{rev.pk}/approve/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "published"


def test_moderator_rejects_with_reason(api_client, user, moderator, tx):
    rev = proposal(user, tx)
    api_client.force_authenticate(moderator)
    assert api_client.post(f"/api/v1/states/tx/revisions/{rev.pk}/reject/", {}, format="json").status_code == 400
    response = api_client.post(f"/api/v1/states/tx/revisions/{rev.pk}/reject/", {"reason": "No source"}, format="json")
    assert response.json()["state"] == "rejected"


def test_approve_revision_of_another_state_is_404(api_client, user, moderator, tx, all_states):
    rev = proposal(user, tx)
    api_client.force_authenticate(moderator)
    assert api_client.post(f"/api/v1/states/or/revisions/{rev.pk}/approve/", {}, format="json").status_code == 404


def test_approving_twice_is_400(api_client, user, moderator, tx):
    rev = proposal(user, tx)
    api_client.force_authenticate(moderator)
    api_client.post(f"/api/v1/states/tx/revisions/{rev.pk}/approve/", {}, format="json")
    assert api_client.post(f"/api/v1/states/tx/revisions/{rev.pk}/approve/", {}, format="json").status_code == 400


def test_moderator_verifies(api_client, moderator, tx):
    api_client.force_authenticate(moderator)
    response = api_client.post("/api/v1/states/tx/verify/", {"note": "checked"}, format="json")
    assert response.status_code == 400
    assert "checks" in str(response.json())
    response = api_client.post(
        "/api/v1/states/tx/verify/", {"checks": ["statute", "sources"], "note": "checked"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["last_verified"] is not None
    assert response.json()["verified_by"] == moderator.public_name


def test_unverified_member_cannot_propose(api_client, tx):
    api_client.force_authenticate(UserFactory(verified=False))
    response = api_client.post("/api/v1/states/tx/revisions/", {"edit_summary": "x", "body": "y"}, format="json")
    assert response.status_code == 403


def test_moderator_protects_and_unprotects_over_the_api(api_client, moderator, tx):
    api_client.force_authenticate(moderator)
    response = api_client.post("/api/v1/states/tx/protect/", {"days": 7, "reason": "Edit war"}, format="json")
    assert response.status_code == 200
    assert response.json()["protected_until"] is not None
    assert response.json()["protection_reason"] == "Edit war"
    response = api_client.post("/api/v1/states/TX/unprotect/", {"reason": "Calm again"}, format="json")
    assert response.status_code == 200
    assert response.json()["protected_until"] is None
    tx.refresh_from_db()
    assert not tx.is_protected
    assert AuditLogEntry.objects.filter(action="stategide_unprotect", actor=moderator, note="Calm again").exists()


def test_unprotecting_an_unprotected_page_is_a_200_without_audit(api_client, moderator, tx):
    api_client.force_authenticate(moderator)
    response = api_client.post("/api/v1/states/tx/unprotect/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["protected_until"] is None
    assert not AuditLogEntry.objects.filter(action="stategide_unprotect").exists()


def test_member_cannot_unprotect_over_the_api(api_client, user, moderator, tx):
    services.page_protect(actor=moderator, page=tx, days=7, reason="Edit war")
    api_client.force_authenticate(user)
    assert api_client.post("/api/v1/states/tx/unprotect/", {}, format="json").status_code == 403
    tx.refresh_from_db()
    assert tx.is_protected


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"days": 0, "reason": "x"}, "days"), ({"days": 3}, "reason"), ({"days": 3, "reason": "x", "x": 1}, "x")],
)
def test_protect_bad_input_is_400(api_client, moderator, tx, payload, field):
    api_client.force_authenticate(moderator)
    response = api_client.post("/api/v1/states/tx/protect/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def stale(user, other_user, moderator, tx):
    first = proposal(other_user, tx, plate_type="A")
    second = proposal(user, tx, body="Mine")
    services.revision_approve(actor=moderator, revision=first)
    return first, second


def test_author_rebases_over_the_api(api_client, user, other_user, moderator, tx):
    first, second = stale(user, other_user, moderator, tx)
    api_client.force_authenticate(user)
    response = api_client.post(f"/api/v1/states/tx/revisions/{second.pk}/rebase/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["plate_type"] == "A" and response.json()["body"] == "Mine"
    second.refresh_from_db()
    assert second.base_revision == first


def test_other_member_cannot_rebase_over_the_api(api_client, user, other_user, moderator, tx):
    first, second = stale(user, other_user, moderator, tx)
    api_client.force_authenticate(UserFactory())
    assert api_client.post(f"/api/v1/states/tx/revisions/{second.pk}/rebase/", {}, format="json").status_code == 403
    second.refresh_from_db()
    assert second.base_revision != first


def test_rebasing_a_current_proposal_is_400(api_client, user, tx):
    rev = proposal(user, tx)
    api_client.force_authenticate(user)
    response = api_client.post(f"/api/v1/states/tx/revisions/{rev.pk}/rebase/", {}, format="json")
    assert response.status_code == 400
    assert "already based on the current version" in response.json()["detail"]


def test_state_detail_includes_the_law_timeline(api_client, moderator, tx):
    from tests.factories import event_data

    services.event_add(actor=moderator, page=tx, data=event_data())
    data = api_client.get("/api/v1/states/tx/").json()
    assert [e["title"] for e in data["events"]] == ["HB 1 takes effect"]
    assert data["events"][0]["citation_host"] == "capitol.example.gov"
    assert api_client.get("/api/v1/states/tx/events/").json()[0]["kind"] == "law_in_force"


def test_only_moderators_add_events_over_the_api(api_client, user, moderator, tx):
    from tests.factories import event_data

    payload = {**event_data(), "date": "2027-01-01"}
    api_client.force_authenticate(user)
    assert api_client.post("/api/v1/states/tx/events/", payload, format="json").status_code == 403
    api_client.force_authenticate(moderator)
    assert (
        api_client.post("/api/v1/states/tx/events/", {**payload, "citation_url": "ftp://x"}, format="json").status_code
        == 400
    )
    response = api_client.post("/api/v1/states/tx/events/", payload, format="json")
    assert response.status_code == 201 and response.json()["date"] == "2027-01-01"
    assert tx.events.count() == 1


def test_checklist_api(api_client, tx):
    response = api_client.get(
        "/api/v1/states/tx/checklist/", {"chassis_code": "DA63T", "year_built": 1998, "month_built": 6}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["state_code"] == "TX" and data["status"] == "restricted" and data["confidence"] == "medium"
    assert data["eligibility"]["nhtsa_eligible"] is True and data["eligibility"]["epa_eligible"] is True
    assert [p["name"] for p in data["import_papers"]][0] == "CBP Form 7501 (entry summary)"
    assert {"heading": "Inspection and emissions", "text": None} in data["sections"]
    assert data["truck"]["chassis_code"] == "DA63T" and data["truck"]["in_catalog"] is False


@pytest.mark.parametrize(
    ("params", "field"),
    [({"year_built": "abc"}, "year_built"), ({"month_built": "13", "year_built": "1998"}, "month_built"),
     ({"chassis_code": "<b>"}, "chassis_code"), ({"month_built": "6"}, "year_built")],
)  # fmt: skip
def test_checklist_api_bad_input_is_400(api_client, tx, params, field):
    response = api_client.get("/api/v1/states/tx/checklist/", params)
    assert response.status_code == 400
    assert field in str(response.json())


def test_checklist_api_unknown_state_is_404(api_client, tx):
    assert api_client.get("/api/v1/states/zz/checklist/").status_code == 404


def test_checklist_in_the_openapi_schema_with_error_responses(api_client):
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/states/{code}/checklist/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"code", "chassis_code", "year_built", "month_built"}
    assert {"200", "400", "404"} <= set(operation["responses"])


def test_open_questions_never_appear_in_the_public_api(api_client, user, tx):
    tx.open_questions = "Ask the DMV whether plates are still issued."
    tx.save(update_fields=["open_questions"])
    api_client.force_authenticate(user)
    for url in ("/api/v1/states/", "/api/v1/states/tx/", "/api/v1/states/tx/checklist/"):
        body = api_client.get(url).content.decode()
        assert "open_questions" not in body and "plates are still issued" not in body
