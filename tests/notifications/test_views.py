import pytest
from django.core import signing
from django.urls import reverse

from kei_community.notifications.delivery import unsubscribe_token
from kei_community.notifications.models import NotificationPreference
from kei_community.notifications.registry import DAILY, OFF
from tests.factories import NotificationFactory


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_shows_own_notifications_only(client, user, other_user):
    NotificationFactory(recipient=user, title="Mine-title")
    NotificationFactory(recipient=other_user, title="Theirs-title")
    client.force_login(user)
    body = client.get(reverse("notifications:list")).content.decode()
    assert "Mine-title" in body and "Theirs-title" not in body


def test_header_bell_shows_unread_count(client, user):
    NotificationFactory.create_batch(2, recipient=user)
    client.force_login(user)
    body = client.get(reverse("notifications:list")).content.decode()
    assert 'id="notification-count">2<' in body


@pytest.mark.parametrize("rows", [3, 30])
def test_list_queries_do_not_grow_with_rows(client, user, rows, django_assert_max_num_queries):
    NotificationFactory.create_batch(rows, recipient=user)
    client.force_login(user)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("notifications:list"))
    assert response.content.decode().count('class="fw-semibold"') == min(rows, 25)


def test_open_marks_read_and_follows_the_link(client, user):
    n = NotificationFactory(recipient=user, url="/forum/")
    client.force_login(user)
    response = client.get(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == "/forum/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_open_never_redirects_off_site(client, user):
    n = NotificationFactory(recipient=user, url="https://evil.example/")
    client.force_login(user)
    assert client.get(reverse("notifications:open", args=[n.pk]))["Location"] == "/notifications/"


def test_cannot_open_another_members_notification(client, user, other_user):
    theirs = NotificationFactory(recipient=other_user)
    client.force_login(user)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_read(client, user):
    n = NotificationFactory(recipient=user)
    client.force_login(user)
    assert client.post(reverse("notifications:read", args=[n.pk])).status_code == 302
    n.refresh_from_db()
    assert n.read_at is not None


def test_cannot_mark_another_members_notification_read(client, user, other_user):
    theirs = NotificationFactory(recipient=other_user)
    client.force_login(user)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_needs_post(client, user):
    NotificationFactory(recipient=user)
    client.force_login(user)
    assert client.get(reverse("notifications:read-all")).status_code == 405


def test_mark_all_read_leaves_other_members_alone(client, user, other_user):
    NotificationFactory(recipient=user)
    theirs = NotificationFactory(recipient=other_user)
    client.force_login(user)
    client.post(reverse("notifications:read-all"))
    assert user.notifications.filter(read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_settings_page_lists_every_registered_kind(client, user):
    from kei_community.notifications.registry import all_kinds

    client.force_login(user)
    body = client.get(reverse("notifications:settings")).content.decode()
    for kind in all_kinds():
        assert f'name="kind_{kind.key}"' in body


def _all_kinds_form(**overrides):
    from kei_community.notifications.registry import all_kinds

    data = {f"kind_{k.key}": k.default_delivery for k in all_kinds()}
    data.update({f"kind_{key}": value for key, value in overrides.items()})
    return data


def test_settings_page_saves_a_preference(client, user):
    client.force_login(user)
    response = client.post(reverse("notifications:settings"), _all_kinds_form(report_resolved=DAILY))
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=user, kind="report_resolved").delivery == DAILY


def test_settings_page_rejects_an_unknown_choice(client, user):
    client.force_login(user)
    response = client.post(reverse("notifications:settings"), _all_kinds_form(report_resolved="hourly"))
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_unsubscribe_link_shows_a_confirm_page_without_login(client, user):
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(user=user, kind="report_resolved")])
    response = client.get(url)
    assert response.status_code == 200
    assert b"Unsubscribe" in response.content
    assert not NotificationPreference.objects.exists()


def test_one_click_unsubscribe_post_works_without_login_or_csrf(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(user=user, kind="report_resolved")])
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=user, kind="report_resolved").delivery == OFF


def test_tampered_unsubscribe_token_is_400(client, user):
    token = unsubscribe_token(user=user, kind="report_resolved")
    forged = signing.dumps({"u": user.pk + 1, "k": "report_resolved"}, salt="wrong")
    for bad in (token[:-2] + "xx", forged):
        response = client.post(reverse("notifications:unsubscribe", args=[bad]))
        assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_htmx_mark_read_returns_the_updated_item_and_bell(client, user):
    n = NotificationFactory(recipient=user, title="Swap-me")
    NotificationFactory(recipient=user)
    client.force_login(user)
    response = client.post(reverse("notifications:read", args=[n.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{n.pk}"' in body and "Swap-me" in body
    assert "Mark read" not in body
    assert 'hx-swap-oob="true"' in body and ">1</span>" in body
