"""Every absolute URL comes from settings.SITE_URL: feeds, emails, the sitemap, canonical and OpenGraph
links — never the request's Host nor the Sites framework's default row (example.com). Issue 13."""

from __future__ import annotations

import re

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.urls import reverse

from kei_community.core.public_url import absolute_url, rebase, site_domain, sync_site_row
from tests.factories import ForumThreadFactory, ListingFactory, StatePageFactory, UserFactory

PUBLIC = "https://kei.example.org"
URL = re.compile(r"""https?://[^\s"'<>]+""")


@pytest.fixture
def public(settings):
    settings.SITE_URL = PUBLIC + "/"
    settings.ALLOWED_HOSTS = ["testserver", "internal.local"]
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults={"domain": "example.com", "name": "example.com"})
    Site.objects.clear_cache()
    return PUBLIC


def _urls(text: str) -> list[str]:
    namespaces = ("sitemaps.org", "w3.org", "purl.org", "schema.org")
    return [u for u in URL.findall(text) if not any(ns in u for ns in namespaces)]


def test_absolute_url_and_rebase(settings):
    settings.SITE_URL = "https://kei.example.org/"
    assert absolute_url("/forum/") == "https://kei.example.org/forum/"
    assert absolute_url("forum/") == "https://kei.example.org/forum/"
    assert rebase("http://example.com/t/1-a/?page=2#p3") == "https://kei.example.org/t/1-a/?page=2#p3"
    settings.SITE_URL = "https://host.example/community"
    assert absolute_url("/forum/") == "https://host.example/community/forum/"
    assert site_domain() == "host.example/community"


@pytest.mark.django_db
def test_the_sites_row_follows_site_url_after_migrate(settings):
    settings.SITE_URL = "https://kei.example.org"
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    sync_site_row()
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == ("kei.example.org", "Kei Community")


@pytest.mark.django_db
def test_post_migrate_is_connected_to_the_site_sync():
    from django.db.models.signals import post_migrate

    assert any("sync_site_row" in str(receiver) for receiver in post_migrate.receivers)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["forum:feed-rss", "forum:feed-atom"])
def test_feeds_carry_the_public_url_only(client, public, name):
    thread = ForumThreadFactory(title="Feed me")
    body = client.get(reverse(name), HTTP_HOST="internal.local").content.decode()
    urls = _urls(body)
    assert PUBLIC + thread.get_absolute_url() in urls
    assert PUBLIC + reverse(name) in urls  # the feed's own link
    assert urls and all(u.startswith(PUBLIC + "/") for u in urls), urls


@pytest.mark.django_db
def test_category_feed_carries_the_public_url_only(client, public):
    thread = ForumThreadFactory(title="Category feed")
    body = client.get(
        reverse("forum:category-feed-rss", args=[thread.category.slug]), HTTP_HOST="internal.local"
    ).content.decode()
    assert PUBLIC + thread.get_absolute_url() in body
    assert all(u.startswith(PUBLIC + "/") for u in _urls(body))


SIGNUP = {
    "email": "new.member@example.net",
    "password1": "mini-truck-4wd-2024",
    "password2": "mini-truck-4wd-2024",
    "display_name": "Hijet Hank",
    "home_state": "OR",
    "zip_code": "97201",
}


@pytest.mark.django_db
def test_signup_confirmation_email_links_to_the_public_url(client, public):
    client.post("/accounts/signup/", SIGNUP, HTTP_HOST="internal.local")
    body = mail.outbox[-1].body
    links = _urls(body)
    assert links and all(u.startswith(PUBLIC + "/accounts/confirm-email/") for u in links), links
    assert "internal.local" not in body and "example.com" not in body


@pytest.mark.django_db
def test_password_reset_email_links_to_the_public_url(client, public):
    user = UserFactory()
    client.post("/accounts/password/reset/", {"email": user.email}, HTTP_HOST="internal.local")
    body = mail.outbox[-1].body
    links = _urls(body)
    assert links and all(u.startswith(PUBLIC + "/accounts/password/reset/key/") for u in links), links
    assert "internal.local" not in body and "example.com" not in body


@pytest.mark.django_db
def test_unknown_account_email_links_to_the_public_url(client, public):
    client.post("/accounts/password/reset/", {"email": "nobody@example.net"}, HTTP_HOST="internal.local")
    body = mail.outbox[-1].body
    assert _urls(body) and all(u.startswith(PUBLIC + "/") for u in _urls(body))
    assert "internal.local" not in body


@pytest.mark.django_db
def test_notification_email_links_to_the_public_url(public):
    from kei_community.notifications.delivery import build_notification_email
    from tests.factories import NotificationFactory

    notification = NotificationFactory(url="/forum/")
    message = build_notification_email(notification)
    assert _urls(message.body) and all(u.startswith(PUBLIC + "/") for u in _urls(message.body))


@pytest.mark.django_db
def test_sitemap_lists_listings_threads_states_and_catalog_under_the_public_url(
    client, public, django_assert_max_num_queries
):
    from tests.factories import ChassisCodeFactory

    listing = ListingFactory(title="Sitemap Carry")
    thread = ForumThreadFactory(title="Sitemap thread")
    state = StatePageFactory(code="TX")
    ChassisCodeFactory(make="Suzuki")
    index = client.get("/sitemap.xml", HTTP_HOST="internal.local")
    assert index.status_code == 200 and index["Content-Type"].startswith("application/xml")
    sections = _urls(index.content.decode())
    assert {f"{PUBLIC}/sitemap-{s}.xml" for s in ("pages", "listings", "threads", "states", "catalog")} <= set(sections)
    found: list[str] = []
    for url in sections:
        found += _urls(client.get(url.removeprefix(PUBLIC), HTTP_HOST="internal.local").content.decode())
    assert all(u.startswith(PUBLIC + "/") for u in found)
    for path in (listing.get_absolute_url(), thread.get_absolute_url(), state.get_absolute_url(), "/help/"):
        assert PUBLIC + path in found
    assert PUBLIC + reverse("vehicles:catalog") + "?make=Suzuki" in found


@pytest.mark.django_db
def test_sitemap_leaves_out_what_visitors_cannot_see(client, public):
    from forum.models import Thread

    hidden_thread = ForumThreadFactory(title="Hidden")
    Thread.objects.filter(pk=hidden_thread.pk).update(is_hidden=True)
    draft = ListingFactory(title="Draft", publish=False)
    listings = client.get("/sitemap-listings.xml").content.decode()
    threads = client.get("/sitemap-threads.xml").content.decode()
    assert draft.get_absolute_url() not in listings
    assert hidden_thread.get_absolute_url() not in threads


@pytest.mark.django_db
@pytest.mark.parametrize("section", ["listings", "threads"])
def test_sitemap_sections_query_count_is_constant(client, section, django_assert_max_num_queries):
    for i in range(3):
        ListingFactory(title=f"Listing {i}")
        ForumThreadFactory(title=f"Thread {i}")
    client.get(f"/sitemap-{section}.xml")
    for i in range(10):
        ListingFactory(title=f"More {i}")
        ForumThreadFactory(title=f"More thread {i}")
    with django_assert_max_num_queries(4):
        response = client.get(f"/sitemap-{section}.xml")
    assert response.status_code == 200 and response.content.count(b"<url>") >= 13


@pytest.mark.django_db
def test_unknown_sitemap_section_is_404(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-pages.xml?p=x").status_code == 404


@pytest.mark.django_db
def test_robots_txt_points_at_the_public_sitemap_and_keeps_private_pages_out(client, public):
    response = client.get("/robots.txt", HTTP_HOST="internal.local")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in body
    for private in ("/accounts/", "/messages/", "/moderation/", "/api/", "/listings/mine/"):
        assert f"Disallow: {private}\n" in body


@pytest.mark.django_db
def test_every_page_has_a_public_canonical_link_and_opengraph_tags(client, public):
    body = client.get("/forum/?page=1&sort=x", HTTP_HOST="internal.local").content.decode()
    assert f'<link rel="canonical" href="{PUBLIC}/forum/">' in body
    assert f'<meta property="og:url" content="{PUBLIC}/forum/">' in body
    assert '<meta name="twitter:card" content="summary">' in body
    page2 = client.get("/about/?page=2").content.decode()
    assert f'<link rel="canonical" href="{PUBLIC}/about/?page=2">' in page2


@pytest.mark.django_db
def test_listing_page_shares_well(client, public):
    listing = ListingFactory(title="Share Carry", price=6500)
    body = client.get(listing.get_absolute_url(), HTTP_HOST="internal.local").content.decode()
    assert f'<link rel="canonical" href="{PUBLIC}{listing.get_absolute_url()}">' in body
    assert '<meta property="og:type" content="product">' in body
    assert '"@type":"Vehicle"' in body and '"@type":"Offer"' in body and '"price":6500' in body
    assert "internal.local" not in body


@pytest.mark.django_db
def test_thread_page_shares_well(client, public):
    thread = ForumThreadFactory(title="Share thread", body="First post body")
    body = client.get(thread.get_absolute_url(), HTTP_HOST="internal.local").content.decode()
    assert f'<link rel="canonical" href="{PUBLIC}{thread.get_absolute_url()}">' in body
    assert '<meta property="og:type" content="article">' in body
    assert '"@type":"DiscussionForumPosting"' in body and '"headline":"Share thread"' in body


@pytest.mark.django_db
def test_json_ld_cannot_be_closed_by_member_text(client, public):
    listing = ListingFactory(title="</script><script>alert(1)</script>")
    body = client.get(listing.get_absolute_url()).content.decode()
    ld = body.split('<script type="application/ld+json"', 1)[1].split("</script>", 1)[0]
    assert "<script" not in ld and "\\u003C/script\\u003E" in ld


@pytest.mark.django_db
def test_api_pagination_links_carry_the_public_url(client, public):
    ForumThreadFactory.create_batch(3)
    body = client.get("/api/v1/forum/threads/?page_size=1&page=2", HTTP_HOST="internal.local").json()
    assert body["next"].startswith(PUBLIC + "/api/v1/forum/threads/")
    assert body["previous"].startswith(PUBLIC + "/api/v1/forum/threads/")


@pytest.mark.django_db
def test_listing_search_page_links_carry_the_public_url(client, public):
    ListingFactory.create_batch(3)
    body = client.get("/api/v1/listings/?page_size=1&page=2", HTTP_HOST="internal.local").json()
    links = [v for k, v in body.items() if k in ("next", "previous") and v]
    assert links and all(link.startswith(PUBLIC + "/api/v1/listings/") for link in links)


@pytest.mark.django_db
def test_state_api_and_csv_urls_carry_the_public_url(client, public):
    StatePageFactory(code="TX")
    detail = client.get("/api/v1/states/tx/", HTTP_HOST="internal.local").json()
    assert detail["url"] == PUBLIC + "/states/tx/"
    csv = client.get("/states/states.csv", HTTP_HOST="internal.local").content.decode()
    assert PUBLIC + "/states/tx/" in csv and "internal.local" not in csv


def _ready_post_photo(post):
    from forum.services import post_add_photo
    from kei_community.media.tasks import process_photo
    from tests.factories import make_upload

    photo = post_add_photo(actor=post.author, post=post, upload=make_upload())
    process_photo.apply(args=[photo.pk])
    photo.refresh_from_db()
    return photo


@pytest.mark.django_db
def test_thread_page_previews_with_the_opening_posts_photo(client, public):
    from forum.models import Post

    thread = ForumThreadFactory(title="Photo thread", body="Look at this bed")
    opening = Post.objects.get(thread=thread, position=1)
    photo = _ready_post_photo(opening)
    opening.refresh_from_db()
    assert opening.has_photos
    body = client.get(thread.get_absolute_url(), HTTP_HOST="internal.local").content.decode()
    image = absolute_url(photo.largest_url())
    assert f'<meta property="og:image" content="{image}">' in body
    assert f'<meta name="twitter:image" content="{image}">' in body
    assert '<meta name="twitter:card" content="summary_large_image">' in body
    assert f'"image":"{image}"' in body  # the DiscussionForumPosting JSON-LD


@pytest.mark.django_db
def test_thread_page_without_photos_has_a_summary_card(client, public):
    thread = ForumThreadFactory(title="No photo thread")
    body = client.get(thread.get_absolute_url()).content.decode()
    assert 'property="og:image"' not in body and '<meta name="twitter:card" content="summary">' in body
