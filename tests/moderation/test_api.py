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


# --- moderator actions on content and members (issue 12) ----------------------------------------------


@pytest.fixture
def seller(db):
    return UserFactory(display_name="Scammy Seller")


@pytest.fixture
def listing(seller):
    from tests.factories import ListingFactory

    return ListingFactory(seller=seller, title="1995 Daihatsu Hijet cheap")


def _content(obj, verb=""):
    label = f"{obj._meta.app_label}.{obj._meta.model_name}"
    return f"/api/v1/moderation/content/{label}/{obj.pk}/" + (f"{verb}/" if verb else "")


def _member(member, verb=""):
    return f"/api/v1/moderation/members/{member.pk}/" + (f"{verb}/" if verb else "")


def test_moderator_removes_a_listing_over_the_api(api_client, moderator, listing):
    from marketplace.models import Listing

    ReportFactory(target=listing, reason="scam")
    api_client.force_authenticate(moderator)
    response = api_client.post(
        _content(listing, "remove"), {"reason": "Gift-card scam.", "note": "Thanks"}, format="json"
    )
    assert response.status_code == 201
    data = response.json()
    assert data["reason"] == "Gift-card scam." and data["in_force"] is True
    assert data["target"] == {
        "type": "marketplace.listing",
        "id": listing.pk,
        "title": "1995 Daihatsu Hijet cheap",
        "url": listing.get_absolute_url(),
        "app": "marketplace",
    }
    assert data["owner"]["name"] == "Scammy Seller" and data["removed_by"]["id"] == moderator.pk
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.REMOVED
    assert Report.objects.get().outcome == "removed"


def test_remove_without_a_reason_is_400_naming_the_field(api_client, moderator, listing):
    api_client.force_authenticate(moderator)
    response = api_client.post(_content(listing, "remove"), {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_member_cannot_remove_over_the_api(api_client, user, listing):
    from marketplace.models import Listing

    api_client.force_authenticate(user)
    response = api_client.post(_content(listing, "remove"), {"reason": "x"}, format="json")
    assert response.status_code == 403
    assert set(response.json()) == {"detail", "errors"}
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.ACTIVE


def test_removing_twice_over_the_api_is_400(api_client, moderator, listing):
    api_client.force_authenticate(moderator)
    api_client.post(_content(listing, "remove"), {"reason": "x"}, format="json")
    response = api_client.post(_content(listing, "remove"), {"reason": "x"}, format="json")
    assert response.status_code == 400 and "already removed" in response.json()["detail"]


def test_unknown_kind_of_content_is_404(api_client, moderator):
    api_client.force_authenticate(moderator)
    response = api_client.post("/api/v1/moderation/content/auth.group/1/remove/", {"reason": "x"}, format="json")
    assert response.status_code == 404


def test_missing_content_is_404(api_client, moderator, db):
    api_client.force_authenticate(moderator)
    response = api_client.post(
        "/api/v1/moderation/content/marketplace.listing/999999/remove/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 404


def test_moderator_restores_over_the_api(api_client, moderator, listing):
    from marketplace.models import Listing

    api_client.force_authenticate(moderator)
    api_client.post(_content(listing, "remove"), {"reason": "x"}, format="json")
    response = api_client.post(_content(listing, "restore"), {"note": "Sorry."}, format="json")
    assert response.status_code == 200 and response.json()["in_force"] is False
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.ACTIVE


def test_content_state_lists_the_verbs_that_apply(api_client, moderator, listing):
    ReportFactory(target=listing)
    api_client.force_authenticate(moderator)
    data = api_client.get(_content(listing)).json()
    assert data["removable"] is True and data["removal"] is None and data["open_reports"] == 1
    assert data["owner"]["name"] == "Scammy Seller"
    assert data["actions"] == ["remove", "remove_all_suspend", "warn", "suspend", "dismiss"]


def test_member_cannot_read_content_state(api_client, user, listing):
    api_client.force_authenticate(user)
    assert api_client.get(_content(listing)).status_code == 403


def test_moderator_warns_about_reported_content(api_client, moderator, seller, listing):
    report = ReportFactory(target=listing)
    api_client.force_authenticate(moderator)
    response = api_client.post(
        _member(seller, "warn"),
        {"reason": "Be honest about rust.", "about_type": "marketplace.listing", "about_id": listing.pk},
        format="json",
    )
    assert response.status_code == 201 and response.json()["kind"] == "warning"
    report.refresh_from_db()
    assert report.outcome == "warned"


def test_moderator_suspends_for_some_days_over_the_api(api_client, moderator, seller):
    api_client.force_authenticate(moderator)
    response = api_client.post(_member(seller, "suspend"), {"reason": "Scam.", "days": 7}, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["kind"] == "suspension" and data["in_force"] is True and data["ends_at"]


def test_suspension_with_both_days_and_an_end_is_400(api_client, moderator, seller):
    api_client.force_authenticate(moderator)
    response = api_client.post(
        _member(seller, "suspend"), {"reason": "x", "days": 7, "ends_at": "2099-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400 and "days" in response.json()["errors"]


def test_suspension_ending_in_the_past_is_400(api_client, moderator, seller):
    api_client.force_authenticate(moderator)
    response = api_client.post(
        _member(seller, "suspend"), {"reason": "x", "ends_at": "2001-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400 and "ends_at" in response.json()["errors"]


def test_suspending_staff_or_yourself_over_the_api_is_403(api_client, moderator):
    from tests.factories import StaffFactory

    api_client.force_authenticate(moderator)
    for member in (StaffFactory(), moderator):
        response = api_client.post(_member(member, "suspend"), {"reason": "x"}, format="json")
        assert response.status_code == 403


def test_member_cannot_suspend_over_the_api(api_client, user, seller):
    api_client.force_authenticate(user)
    assert api_client.post(_member(seller, "suspend"), {"reason": "x"}, format="json").status_code == 403


def test_suspending_a_missing_member_is_404(api_client, moderator):
    api_client.force_authenticate(moderator)
    response = api_client.post("/api/v1/moderation/members/999999/suspend/", {"reason": "x"}, format="json")
    assert response.status_code == 404


def test_moderator_lifts_a_suspension_over_the_api(api_client, moderator, seller):
    api_client.force_authenticate(moderator)
    api_client.post(_member(seller, "suspend"), {"reason": "x"}, format="json")
    response = api_client.post(_member(seller, "unsuspend"), {}, format="json")
    assert response.status_code == 200 and response.json()["in_force"] is False
    assert api_client.post(_member(seller, "unsuspend"), {}, format="json").status_code == 400


def test_remove_all_listings_and_suspend_over_the_api(api_client, moderator, seller, listing):
    from tests.factories import ListingFactory

    ListingFactory(seller=seller)
    api_client.force_authenticate(moderator)
    response = api_client.post(
        _member(seller, "remove-listings"), {"reason": "Gift-card scam.", "suspend": True}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert len(data["removed"]) == 2 and data["suspension"]["reason"] == "Gift-card scam."


def test_member_overview_over_the_api(api_client, moderator, seller, listing):
    api_client.force_authenticate(moderator)
    api_client.post(_member(seller, "warn"), {"reason": "Be civil."}, format="json")
    data = api_client.get(_member(seller)).json()
    assert data["member"]["name"] == "Scammy Seller"
    assert data["content_up"] == {"listing": 1}
    assert [s["kind"] for s in data["sanctions"]] == ["warning"]
    assert "remove_all_suspend" in data["actions"]


def test_removals_and_suspensions_lists(api_client, moderator, seller, listing):
    api_client.force_authenticate(moderator)
    api_client.post(_member(seller, "remove-listings"), {"reason": "Scam.", "suspend": True}, format="json")
    removals = api_client.get("/api/v1/moderation/removals/").json()
    assert [r["target"]["id"] for r in removals["results"]] == [listing.pk]
    suspensions = api_client.get("/api/v1/moderation/suspensions/").json()
    assert [s["member"]["id"] for s in suspensions["results"]] == [seller.pk]
    assert api_client.get("/api/v1/moderation/removals/?in_force=maybe").status_code == 400


def test_member_cannot_list_removals(api_client, user):
    api_client.force_authenticate(user)
    assert api_client.get("/api/v1/moderation/removals/").status_code == 403


def test_a_removed_listing_answers_410_in_the_api_to_others_and_200_to_its_seller(
    api_client, moderator, seller, listing, user
):
    api_client.force_authenticate(moderator)
    api_client.post(_content(listing, "remove"), {"reason": "Scam."}, format="json")
    api_client.force_authenticate(None)
    response = api_client.get(f"/api/v1/listings/{listing.pk}/")
    assert response.status_code == 410 and set(response.json()) == {"detail", "errors"}
    api_client.force_authenticate(user)
    assert api_client.get(f"/api/v1/listings/{listing.pk}/").status_code == 410
    api_client.force_authenticate(seller)
    assert api_client.get(f"/api/v1/listings/{listing.pk}/").status_code == 200


def test_a_removed_listing_leaves_the_api_list(api_client, moderator, listing):
    assert api_client.get("/api/v1/listings/").json()["count"] == 1
    api_client.force_authenticate(moderator)
    api_client.post(_content(listing, "remove"), {"reason": "Scam."}, format="json")
    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/listings/").json()["count"] == 0


def test_a_suspended_member_writing_over_the_api_gets_403_with_the_reason(api_client, moderator, seller, listing):
    api_client.force_authenticate(moderator)
    api_client.post(_member(seller, "suspend"), {"reason": "Gift-card scam."}, format="json")
    api_client.force_authenticate(seller)
    response = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"price": 100}, format="json")
    assert response.status_code == 403
    assert "Gift-card scam." in response.json()["detail"]


@pytest.fixture(scope="module")
def schema(django_db_blocker):  # type: ignore[no-untyped-def]
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(
    ("path", "method", "ok", "errors"),
    [
        ("/api/v1/moderation/content/{target_type}/{target_id}/", "get", "200", {"401", "403", "404"}),
        ("/api/v1/moderation/content/{target_type}/{target_id}/remove/", "post", "201", {"400", "401", "403", "404"}),
        ("/api/v1/moderation/content/{target_type}/{target_id}/restore/", "post", "200", {"400", "401", "403", "404"}),
        ("/api/v1/moderation/members/{id}/", "get", "200", {"401", "403", "404"}),
        ("/api/v1/moderation/members/{id}/warn/", "post", "201", {"400", "401", "403", "404"}),
        ("/api/v1/moderation/members/{id}/suspend/", "post", "201", {"400", "401", "403", "404"}),
        ("/api/v1/moderation/members/{id}/unsuspend/", "post", "200", {"400", "401", "403", "404"}),
        ("/api/v1/moderation/members/{id}/remove-listings/", "post", "200", {"400", "401", "403", "404"}),
        ("/api/v1/moderation/removals/", "get", "200", {"400", "401", "403"}),
        ("/api/v1/moderation/suspensions/", "get", "200", {"401", "403"}),
        ("/api/v1/listings/{id}/", "get", "200", {"404", "410"}),
    ],
)
def test_the_schema_declares_each_moderation_operation_with_its_errors(schema, path, method, ok, errors):
    responses = schema["paths"][path][method]["responses"]
    assert ok in responses
    assert errors <= set(responses)
    for code in errors:
        assert responses[code]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"


@pytest.mark.parametrize("rows", [3, 30])
def test_removal_and_suspension_lists_keep_a_constant_query_count(
    api_client, moderator, rows, django_assert_max_num_queries
):
    from kei_community.moderation.services import content_remove, member_suspend
    from tests.factories import ListingFactory

    for _ in range(rows):
        listing = ListingFactory()
        content_remove(actor=moderator, target=listing, reason="Scam.")
        member_suspend(actor=moderator, member=listing.seller, reason="Scam.")
    api_client.force_authenticate(moderator)
    with django_assert_max_num_queries(6):
        assert api_client.get("/api/v1/moderation/removals/").json()["count"] == rows
    with django_assert_max_num_queries(5):
        assert api_client.get("/api/v1/moderation/suspensions/").json()["count"] == rows
