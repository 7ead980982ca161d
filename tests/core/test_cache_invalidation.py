"""What the cache layer promises the pages (issue 11): writes show at once, signed in and anonymous; a write
touches only what shows its data; junk query strings and deploys cannot serve or create wrong entries; no
member row, email or password hash is ever cached."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from kei_community.core import caching
from tests.factories import (
    ForumPostFactory,
    ForumThreadFactory,
    ListingFactory,
    StatePageFactory,
    UserFactory,
    citation_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def release():
    before = caching.release()
    yield
    caching.set_release(before)


def _body(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_a_member_renaming_themselves_shows_the_new_name_everywhere_at_once(
    client, signed_in, django_capture_on_commit_callbacks
):
    from kei_community.users.services import user_update_profile

    member = UserFactory(display_name="Oldname Zed")
    thread = ForumThreadFactory(author=member)  # author, first post, last poster: index, category, thread
    listing = ListingFactory(seller=member, title="A truck from Zed")  # the listing page's seller card
    asked = ListingFactory(title="A truck Zed asked about")
    from marketplace.services import question_ask

    question_ask(asker=member, listing=asked, body="Is the frame rust-free?")
    if signed_in:
        client.force_login(UserFactory())
    urls = ["/forum/", thread.category.get_absolute_url(), thread.get_absolute_url(), listing.get_absolute_url(),
            asked.get_absolute_url()]  # fmt: skip
    for url in urls:
        assert "Oldname Zed" in _body(client, url), url
        _body(client, url)  # now from the caches
    with django_capture_on_commit_callbacks(execute=True):
        user_update_profile(actor=member, user=member, data={"display_name": "Newname Zed"})
    for url in urls:
        body = _body(client, url)
        assert "Newname Zed" in body and "Oldname Zed" not in body, url


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_a_state_guide_publish_changes_that_states_banners_and_outlooks_at_once(
    client, moderator, signed_in, django_capture_on_commit_callbacks
):
    from stategide import services

    texas = StatePageFactory(code="TX")  # "Allowed on roads posted 35 mph or less."
    StatePageFactory(code="OR")
    thread = ForumThreadFactory(tags="TX")
    oregon_thread = ForumThreadFactory(tags="OR")
    listing = ListingFactory(zip_code="78701")  # Austin, TX
    author = UserFactory()
    if signed_in:
        client.force_login(UserFactory())
    urls = [thread.get_absolute_url(), listing.get_absolute_url()]
    for url in urls:
        assert "Allowed on roads posted 35 mph or less." in _body(client, url), url
        _body(client, url)
    oregon = client.get(oregon_thread.get_absolute_url())
    revision = services.revision_propose(
        author=author, page=texas, edit_summary="The law changed", citations=[citation_data()],
        data={"status": "not_allowed", "summary": "Kei trucks can no longer be registered in Texas."},
        summary_confirmed=True,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.revision_approve(actor=moderator, revision=revision)
    for url in urls:
        body = _body(client, url)
        assert "Kei trucks can no longer be registered in Texas." in body, url
        assert "Allowed on roads posted 35 mph or less." not in body, url
    if not signed_in:  # another state's pages are left alone
        assert oregon["X-Forum-Cache"] == "miss"
        assert client.get(oregon_thread.get_absolute_url())["X-Forum-Cache"] == "hit"


def test_a_changed_card_template_deployed_over_a_warm_cache_never_renders_an_old_card(
    client, user, settings, tmp_path, release
):
    from pathlib import Path

    import marketplace

    ListingFactory(title="Warm card truck")
    client.force_login(user)
    assert "Warm card truck" in _body(client, "/listings/")  # the card is cached now
    # The deploy: a new card template (a template directory in front of the app's), templates reloaded.
    original = Path(marketplace.__file__).parent / "templates" / "marketplace" / "listing_card.html"
    (tmp_path / "marketplace").mkdir()
    (tmp_path / "marketplace" / "listing_card.html").write_text(
        original.read_text().replace(
            'class="card h-100 listing-card"', 'class="card h-100 listing-card" data-shape="2"'
        )
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    assert 'data-shape="2"' not in _body(client, "/listings/?q=warm")  # same release: the card comes from the cache
    caching.set_release(None)  # the new processes hash their release at startup
    for url in ("/listings/?q=warm", "/listings/"):
        assert 'data-shape="2"' in _body(client, url), url
    client.logout()
    assert 'data-shape="2"' in _body(client, "/listings/")


@pytest.mark.parametrize("path", ["/listings/", "/forum/", "/states/", "thread"])
def test_a_junk_query_string_does_not_create_a_new_page_entry(client, path):
    StatePageFactory(code="TX")
    thread = ForumThreadFactory()
    ListingFactory()
    url = thread.get_absolute_url() if path == "thread" else path
    client.get(url)
    entries = len(cache._cache)  # the test cache is local memory
    for junk in ("?utm_source=news&fbclid=abc", "?utm_source=other", "?x=" + "y" * 300):
        response = client.get(url + junk)
        assert response.status_code == 200
        assert "hit" in {response.get(h) for h in ("X-Page-Cache", "X-Forum-Cache", "X-Stategide-Cache")}
    assert len(cache._cache) == entries


def test_a_junk_first_visit_stores_the_clean_page(client):
    ListingFactory(title="Clean page truck")
    body = _body(client, "/listings/?utm_source=news")
    assert "utm_source" not in body  # links and forms on the stored page carry no junk
    assert client.get("/listings/")["X-Page-Cache"] == "hit"


def test_a_reaction_touches_only_that_threads_pages(client, user, django_capture_on_commit_callbacks):
    from forum.services import reaction_toggle

    reacted = ForumThreadFactory()
    other = ForumThreadFactory(category=reacted.category)
    post = ForumPostFactory(thread=reacted)
    urls = [reacted.get_absolute_url(), other.get_absolute_url(), "/forum/", reacted.category.get_absolute_url()]
    for url in urls:
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        reaction_toggle(user=user, post=post, kind="thanks")
    assert client.get(urls[0])["X-Forum-Cache"] == "miss"
    assert [client.get(url)["X-Forum-Cache"] for url in urls[1:]] == ["hit", "hit", "hit"]


def test_a_listing_write_leaves_searches_it_cannot_be_in_cached(client, django_capture_on_commit_callbacks):
    from marketplace import services

    suzuki = ListingFactory(make="Suzuki", model="Carry", title="Suzuki Carry")
    ListingFactory(make="Honda", model="Acty", title="Honda Acty")
    client.get("/listings/?make=Honda")
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(actor=suzuki.seller, listing=suzuki, data={"price": 4000})
    assert client.get("/listings/?make=Honda")["X-Page-Cache"] == "hit"
    assert "$4,000" in _body(client, "/listings/?make=suzuki")


def test_a_photo_or_a_question_does_not_rebuild_any_search(user, django_capture_on_commit_callbacks, monkeypatch):
    from marketplace import selectors, services
    from marketplace.selectors import search as search_selectors
    from tests.factories import make_upload

    listing = ListingFactory()
    built = []
    real = search_selectors._search_matches
    monkeypatch.setattr(search_selectors, "_search_matches", lambda params: built.append(params) or real(params))
    selectors.listing_search(params={})
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_photo_add(actor=listing.seller, listing=listing, upload=make_upload())
        services.question_ask(asker=user, listing=listing, body="Still for sale?")
    selectors.listing_search(params={})
    assert len(built) == 1


def test_a_dealer_profile_shows_on_cached_cards_and_pages_at_once(client, django_capture_on_commit_callbacks):
    from marketplace.services import dealer_profile_save

    seller = UserFactory()
    listing = ListingFactory(seller=seller, title="Soon a dealer truck")
    for url in ("/listings/", listing.get_absolute_url()):
        client.get(url)
        assert ">Dealer</span>" not in _body(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        dealer_profile_save(user=seller, data={"business_name": "Kei Imports LLC", "state": "WA"})
    assert ">Dealer</span>" in _body(client, "/listings/")
    assert "Kei Imports LLC" in _body(client, listing.get_absolute_url())


def test_no_cache_entry_holds_a_members_email_or_password_hash(client):
    seller = UserFactory(email="seller-secret@example.com")
    listing = ListingFactory(seller=seller)
    asker = UserFactory(email="asker-secret@example.com")
    from marketplace.services import question_ask

    question_ask(asker=asker, listing=listing, body="Any rust?")
    thread = ForumThreadFactory(author=UserFactory(email="author-secret@example.com"))
    client.force_login(UserFactory())
    for url in (listing.get_absolute_url(), "/listings/", thread.get_absolute_url(), "/forum/"):
        _body(client, url)
        _body(client, url)
    stored = b"".join(value for value in cache._cache.values() if isinstance(value, bytes))
    for secret in (b"-secret@example.com", seller.password.encode()[:30], b"pbkdf2_sha256$", b"argon2"):
        assert secret not in stored


# --- radius searches depend on the areas they cover (marketplace.page_cache.area_tag) ----------------------

AUSTIN = "/listings/?zip=78701&radius=100"


def _listing_at(zip_code: str, **fields):
    return ListingFactory(zip_code=zip_code, **fields)  # the service places it (city, state, lat, lng)


def test_a_write_far_away_leaves_a_radius_search_cached(client, django_capture_on_commit_callbacks):
    from marketplace import services

    _listing_at("78701", title="Austin truck")
    far = _listing_at("97201", title="Portland truck")
    assert "Austin truck" in _body(client, AUSTIN)
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(actor=far.seller, listing=far, data={"price": 4321})
    assert client.get(AUSTIN)["X-Page-Cache"] == "hit"
    assert client.get("/listings/")["X-Page-Cache"] != "hit"  # a search without a place still sees every write


def test_a_write_inside_a_radius_searchs_area_shows_at_once(client, django_capture_on_commit_callbacks):
    from marketplace import services

    near = _listing_at("78701", title="Austin truck")
    _body(client, AUSTIN)
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(actor=near.seller, listing=near, data={"price": 4321})
    assert "$4,321" in _body(client, AUSTIN)


def test_a_listing_moving_into_or_out_of_a_radius_search_shows_at_once(client, django_capture_on_commit_callbacks):
    from marketplace import services

    mover = _listing_at("97201", title="Moving truck")
    assert "Moving truck" not in _body(client, AUSTIN)
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(actor=mover.seller, listing=mover, data={"zip_code": "78701"})
    assert "Moving truck" in _body(client, AUSTIN)
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(actor=mover.seller, listing=mover, data={"zip_code": "97201"})
    assert "Moving truck" not in _body(client, AUSTIN)


def test_a_suspended_sellers_trucks_leave_radius_searches_at_once(client, django_capture_on_commit_callbacks):
    from marketplace.services.moderation import member_moderated

    near = _listing_at("78701", title="Soon hidden truck")
    assert "Soon hidden truck" in _body(client, AUSTIN)
    with django_capture_on_commit_callbacks(execute=True):
        member_moderated(near.seller)  # fires every radius search (GEO_ALL): it does not say where the trucks are
    assert client.get(AUSTIN)["X-Page-Cache"] == "miss"


def test_a_radius_covering_too_many_areas_depends_on_every_write():
    from kei_community.core.us import zip_lookup
    from marketplace import page_cache

    origin = zip_lookup("78701")
    assert page_cache.search_tags_for({"origin": origin, "radius": 3000}) == [page_cache.search_tag("")]
    tags = page_cache.search_tags_for({"origin": origin, "radius": 100})
    assert page_cache.GEO_ALL in tags and page_cache.area_tag(origin["lat"], origin["lng"]) in tags
    assert page_cache.search_tags_for({"origin": origin, "radius": 100, "make": "Honda"}) == [
        page_cache.search_tag("Honda")
    ]
