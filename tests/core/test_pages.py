"""The site's own pages: footer pages, the human status page, the Contact form (issue 13)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kei_community.core.models import ContactMessage
from kei_community.moderation.models import Report
from tests.factories import ModeratorFactory, UserFactory

FOOTER_PAGES = ["/about/", "/help/", "/guidelines/", "/terms/", "/privacy/", "/contact/", "/status/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", FOOTER_PAGES)
def test_footer_pages_answer_200_and_the_footer_links_them_all(client, path):
    response = client.get(path)
    assert response.status_code == 200
    footer = response.content.decode().split("<footer", 1)[1]
    for linked in FOOTER_PAGES:
        assert f'href="{linked}"' in footer


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/about/", "/help/", "/guidelines/", "/terms/", "/privacy/"])
def test_static_pages_cost_no_query_signed_out(client, path, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_static_page_signed_in_query_budget(client, django_assert_max_num_queries):
    member = UserFactory()
    client.force_login(member)
    client.get("/about/")  # warm: content types, account menu discovery
    # session + user (annotated with its header counts) + the menu's unread conversations
    with django_assert_max_num_queries(4):
        assert client.get("/help/").status_code == 200


@pytest.mark.django_db
def test_help_page_covers_what_a_buyer_needs(client):
    body = client.get("/help/").content.decode()
    for words in ("25-year rule", "21-year rule", "HS-7", "3520-1", "7501", "export certificate", "Insurance"):
        assert words in body
    assert reverse("stategide:index") in body


@pytest.mark.django_db
def test_status_page_says_in_words_what_works(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/status/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Everything is working." in body and "no-cache" in response["Cache-Control"]
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_status_page_is_503_and_says_so_when_the_database_is_down(client, monkeypatch):
    from kei_community.core import views

    monkeypatch.setattr(views, "_check_database", lambda: "down")
    response = client.get("/status/")
    assert response.status_code == 503 and "The site is down" in response.content.decode()


@pytest.mark.django_db
def test_status_page_query_budget(client, django_assert_max_num_queries, settings):
    settings.REDIS_URL = ""
    with django_assert_max_num_queries(1):  # the database check itself
        client.get("/status/")


# --- Contact -------------------------------------------------------------------------------


def _contact(client, remote_addr="127.0.0.1", **overrides):
    data = {
        "topic": "question",
        "subject": "Hello moderators",
        "body": "Can I list a truck that is still in Japan?",
        "email": "visitor@example.org",
        "name": "Vera",
        "website": "",
    }
    data.update(overrides)
    return client.post("/contact/", data, REMOTE_ADDR=remote_addr)


@pytest.mark.django_db
def test_visitor_contact_reaches_the_moderation_queue(client):
    response = _contact(client)
    assert response.status_code == 302
    message = ContactMessage.objects.get()
    assert (message.email, message.name, message.sender) == ("visitor@example.org", "Vera", None)
    report = Report.objects.get()
    assert report.target == message and report.status == Report.Status.OPEN
    assert report.reporter.email == "contact-form@accounts.invalid" and not report.reporter.is_active
    assert not report.reporter.has_usable_password()


@pytest.mark.django_db
def test_member_contact_is_filed_by_the_member_and_answered_at_their_email(client):
    member = UserFactory(display_name="Dale")
    client.force_login(member)
    response = _contact(client, email="", name="")
    assert response.status_code == 302
    message = ContactMessage.objects.get()
    assert (message.sender, message.email, message.name) == (member, member.email, "Dale")
    assert Report.objects.get().reporter == member


@pytest.mark.django_db
def test_contact_form_refuses_bad_input_with_a_400_and_keeps_what_was_typed(client):
    response = _contact(client, body="short", email="not-an-address")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Hello moderators" in body and "Enter a valid email address." in body
    assert not ContactMessage.objects.exists()


@pytest.mark.django_db
def test_contact_honeypot_filled_in_is_refused(client):
    assert _contact(client, website="http://spam.example").status_code == 400
    assert not ContactMessage.objects.exists()


@pytest.mark.django_db
def test_contact_is_limited_per_client_address(client, settings):
    settings.CONTACT_LIMIT_PER_ADDRESS = 2
    assert _contact(client).status_code == 302
    assert _contact(client, subject="Again").status_code == 302
    response = _contact(client, subject="Third")
    assert response.status_code == 429
    assert "Too many messages from your connection" in response.content.decode()
    assert ContactMessage.objects.count() == 2
    assert _contact(client, subject="Elsewhere", remote_addr="203.0.113.9").status_code == 302  # another address


@pytest.mark.django_db
def test_contact_address_limit_counts_by_client_ip_not_a_forged_header(client, settings):
    settings.CONTACT_LIMIT_PER_ADDRESS = 1
    settings.TRUSTED_PROXY_COUNT = 0
    assert _contact(client).status_code == 302
    response = client.post(
        "/contact/",
        {"topic": "question", "subject": "x" * 5, "body": "y" * 20, "email": "a@example.org"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 429
    other = client.post(
        "/contact/",
        {"topic": "question", "subject": "x" * 5, "body": "y" * 20, "email": "a@example.org"},
        REMOTE_ADDR="198.51.100.8",
    )
    assert other.status_code == 302


@pytest.mark.django_db
def test_contact_is_limited_per_member_whatever_their_address(client, settings):
    settings.CONTACT_LIMIT_PER_MEMBER = 1
    member = UserFactory()
    client.force_login(member)
    assert _contact(client).status_code == 302
    response = client.post(
        "/contact/", {"topic": "other", "subject": "Again", "body": "y" * 20}, REMOTE_ADDR="198.51.100.20"
    )
    assert response.status_code == 429 and "messages an hour" in response.content.decode()


@pytest.mark.django_db
def test_contact_rows_keep_no_client_address(client):
    _contact(client, remote_addr="203.0.113.77")
    message = ContactMessage.objects.get()
    assert "203.0.113.77" not in message.client_key and len(message.client_key) == 64


@pytest.mark.django_db
def test_contact_message_page_is_for_moderators_only(client):
    _contact(client)
    message = ContactMessage.objects.get()
    url = message.get_absolute_url()
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(ModeratorFactory())
    response = client.get(url)
    assert response.status_code == 200
    assert "visitor@example.org" in response.content.decode()


@pytest.mark.django_db
def test_contact_message_shows_in_the_moderation_queue(client):
    _contact(client, subject="Broken photo upload")
    client.force_login(ModeratorFactory())
    body = client.get(reverse("moderation:queue")).content.decode()
    assert "Contact: Broken photo upload (from Vera)" in body
    assert ContactMessage.objects.get().get_absolute_url() in body


@pytest.mark.django_db
def test_moderation_queue_names_apps_in_words_not_internal_labels(client):
    """Issue 13: the queue's filter and rows said "stategide"."""
    client.force_login(ModeratorFactory())
    body = client.get(reverse("moderation:queue")).content.decode()
    assert '<option value="stategide">State guide</option>' in body
    assert ">stategide<" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/forum/", "/listings/", "/states/"])
def test_an_anonymous_page_carries_no_csrf_token_and_sets_no_csrf_cookie(client, url):
    """Nothing on an anonymous page posts, so neither the freshly rendered page nor its cached copy makes a token
    (a cached hit then costs no token and sends no Set-Cookie)."""
    for _ in range(2):  # a miss, then a hit
        response = client.get(url)
        assert response.status_code == 200
        assert "X-CSRFToken" not in response.content.decode() and "csrftoken" not in response.cookies


@pytest.mark.django_db
def test_a_members_page_gives_htmx_its_csrf_token(client):

    client.force_login(UserFactory())
    response = client.get("/forum/")
    assert 'hx-headers=\'{"X-CSRFToken": "' in response.content.decode() and "csrftoken" in response.cookies
