import pytest
from django.urls import reverse

from tests.factories import NotificationFactory

LIST = "/api/v1/me/notifications/"
READ = "/api/v1/me/notifications/read/"


def test_urls_are_named():
    assert reverse("api:my-notification-list") == LIST
    assert reverse("api:my-notifications-read") == READ


@pytest.mark.django_db
def test_anonymous_cannot_list_notifications(api_client):
    assert api_client.get(LIST).status_code in (401, 403)


def test_member_lists_only_their_own_notifications(api_client, user, other_user):
    mine = NotificationFactory(recipient=user, url="/forum/t/1/")
    NotificationFactory(recipient=other_user)
    api_client.force_authenticate(user)
    data = api_client.get(LIST).json()
    assert [row["id"] for row in data["results"]] == [mine.pk]
    assert data["results"][0]["page_url"] == "/forum/t/1/"
    assert data["results"][0]["is_read"] is False


def test_unread_filter(api_client, user):
    from django.utils import timezone

    NotificationFactory(recipient=user, read_at=timezone.now())
    unread = NotificationFactory(recipient=user)
    api_client.force_authenticate(user)
    data = api_client.get(LIST, {"unread": "true"}).json()
    assert [row["id"] for row in data["results"]] == [unread.pk]


def test_mark_ids_read(api_client, user):
    n = NotificationFactory(recipient=user)
    api_client.force_authenticate(user)
    response = api_client.post(READ, {"ids": [n.pk]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 0}


def test_cannot_mark_another_members_notification_read(api_client, user, other_user):
    theirs = NotificationFactory(recipient=other_user)
    api_client.force_authenticate(user)
    response = api_client.post(READ, {"ids": [theirs.pk]}, format="json")
    assert response.json()["marked"] == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_leaves_other_members_alone(api_client, user, other_user):
    NotificationFactory.create_batch(2, recipient=user)
    theirs = NotificationFactory(recipient=other_user)
    api_client.force_authenticate(user)
    assert api_client.post(READ, {"all": True}, format="json").json() == {"marked": 2, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_without_ids_or_all_is_400(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post(READ, {}, format="json")
    assert response.status_code == 400
    assert "ids" in response.json()["errors"]


def test_mark_read_rejects_unknown_fields(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post(READ, {"all": True, "everyone": True}, format="json")
    assert response.status_code == 400
    assert "everyone" in response.json()["errors"]


def test_mark_read_with_bad_ids_is_400(api_client, user):
    api_client.force_authenticate(user)
    assert api_client.post(READ, {"ids": ["x"]}, format="json").status_code == 400


@pytest.mark.parametrize("rows", [3, 30])
def test_list_queries_do_not_grow_with_rows(api_client, user, rows, django_assert_max_num_queries):
    NotificationFactory.create_batch(rows, recipient=user)
    api_client.force_authenticate(user)
    with django_assert_max_num_queries(4):
        response = api_client.get(LIST, {"page_size": 50})
    assert len(response.json()["results"]) == rows


SETTINGS = "/api/v1/me/notification-settings/"


def test_preferences_list_every_kind_with_its_delivery(api_client, user):
    from kei_community.notifications.registry import all_kinds

    api_client.force_authenticate(user)
    data = api_client.get(SETTINGS).json()
    assert [row["kind"] for row in data] == [k.key for k in all_kinds()]


def test_patch_changes_only_the_callers_preferences(api_client, user, other_user):
    from kei_community.notifications.models import NotificationPreference

    api_client.force_authenticate(user)
    response = api_client.patch(SETTINGS, {"preferences": {"report_resolved": "off"}}, format="json")
    assert response.status_code == 200
    row = next(r for r in response.json() if r["kind"] == "report_resolved")
    assert row["delivery"] == "off"
    assert not NotificationPreference.objects.filter(user=other_user).exists()


def test_patch_with_unknown_kind_is_400(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.patch(SETTINGS, {"preferences": {"nope": "off"}}, format="json")
    assert response.status_code == 400
    assert "nope" in response.json()["errors"]


def test_patch_with_unknown_delivery_is_400(api_client, user):
    api_client.force_authenticate(user)
    assert api_client.patch(SETTINGS, {"preferences": {"report_resolved": "hourly"}}, format="json").status_code == 400


@pytest.mark.django_db
def test_anonymous_cannot_read_preferences(api_client):
    assert api_client.get(SETTINGS).status_code in (401, 403)
