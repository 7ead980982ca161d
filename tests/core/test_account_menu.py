"""The account menu reaches everything a member owns, with counts that cost no query (issue 13)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ListingFactory, ModeratorFactory, UserFactory

MENU = [
    ("Messages", "conversations:inbox"),
    ("My listings", "marketplace:dashboard"),
    ("Garage", "vehicles:index"),
    ("Favourites", "marketplace:favorites"),
    ("Saved searches", "marketplace:saved-searches"),
    ("Bookmarks", "forum:bookmarks"),
    ("Notifications", "notifications:list"),
    ("Settings", "users:settings"),
]


def _menu(html: str) -> str:
    return html.split('aria-labelledby="accountMenu"', 1)[1].split("</ul>", 1)[0]


@pytest.mark.django_db
def test_account_menu_lists_every_page_a_member_owns_in_order(client):
    member = UserFactory(display_name="Menu Tester")
    client.force_login(member)
    menu = _menu(client.get("/about/").content.decode())
    positions = []
    for label, url_name in MENU:
        assert f'href="{reverse(url_name)}"' in menu, label
        assert f"{label}</span>" in menu, label
        positions.append(menu.index(f'href="{reverse(url_name)}"'))
    assert positions == sorted(positions)
    assert f'href="{member.get_absolute_url()}"' in menu and "Sign out" in menu
    assert "Moderation queue" not in menu


@pytest.mark.django_db
def test_moderators_also_get_the_moderation_queue(client):
    client.force_login(ModeratorFactory())
    assert "Moderation queue" in _menu(client.get("/about/").content.decode())


def _message(*, buyer, listing, body="Is it still for sale?"):
    from marketplace.services import conversation_start

    return conversation_start(buyer=buyer, listing=listing, body=body)


@pytest.mark.django_db
def test_unread_messages_count_shows_in_the_menu_and_matches_the_inbox(client):
    from marketplace.selectors import unread_conversation_count

    seller, buyer, other = UserFactory(), UserFactory(), UserFactory()
    _message(buyer=buyer, listing=ListingFactory(seller=seller, title="One"))
    _message(buyer=other, listing=ListingFactory(seller=seller, title="Two"))
    client.force_login(seller)
    menu = _menu(client.get("/about/").content.decode())
    assert 'aria-label="Messages, 2 unread"' in menu
    assert unread_conversation_count(user=seller) == 2
    client.force_login(buyer)  # the buyer wrote last: nothing unread for them
    assert 'aria-label="Messages,' not in _menu(client.get("/about/").content.decode())


@pytest.mark.django_db
def test_header_state_query_carries_the_menu_counts(django_assert_num_queries):
    from kei_community.users.selectors import user_with_header_state
    from marketplace.selectors import unread_conversation_count

    seller, buyer = UserFactory(), UserFactory()
    conversation = _message(buyer=buyer, listing=ListingFactory(seller=seller))
    with django_assert_num_queries(1):
        loaded = user_with_header_state(seller.pk)
    assert loaded.menu_messages_count == 1 == unread_conversation_count(user=seller)
    from marketplace.services import conversation_mark_read

    conversation_mark_read(user=seller, conversation=conversation)
    assert user_with_header_state(seller.pk).menu_messages_count == 0 == unread_conversation_count(user=seller)


@pytest.mark.django_db
def test_the_menu_costs_no_query(client, django_assert_max_num_queries):
    member = UserFactory()
    client.force_login(member)
    client.get("/about/")
    # the session and the member with their header state: nothing for the menu's counts
    with django_assert_max_num_queries(2):
        assert client.get("/about/").status_code == 200


@pytest.mark.django_db
def test_every_main_page_links_the_garage(client):
    client.force_login(UserFactory())
    for path in ("/", "/listings/", "/forum/", "/states/"):
        assert f'href="{reverse("vehicles:index")}"' in client.get(path).content.decode(), path


@pytest.mark.django_db
def test_the_header_fills_each_readers_own_values_escaped(client):
    """The header is rendered once per shape and filled per request: each member sees their own name and
    profile link, and the search box's text and a member's name are escaped."""
    first = UserFactory(display_name="<b>First</b> & co")
    second = UserFactory(display_name="Second Member")
    client.force_login(first)
    page = client.get("/about/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E").content.decode()
    header = page.split("<header>", 1)[1].split("</header>", 1)[0]
    assert "&lt;b&gt;First&lt;/b&gt; &amp; co" in header and "<b>First</b>" not in header
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in header and "<script>" not in header
    assert f'href="{first.get_absolute_url()}"' in header
    client.force_login(second)
    header = client.get("/about/").content.decode().split("<header>", 1)[1].split("</header>", 1)[0]
    assert "Second Member" in header and "First" not in header and f'href="{second.get_absolute_url()}"' in header
    assert 'name="csrfmiddlewaretoken" value="' in header


@pytest.mark.django_db
def test_the_active_section_follows_the_path(client):
    client.force_login(UserFactory())
    forum = client.get("/forum/").content.decode().split("<header>", 1)[1].split("</header>", 1)[0]
    assert 'class="nav-link active" aria-current="page" href="/forum/"' in forum
    about = client.get("/about/").content.decode().split("<header>", 1)[1].split("</header>", 1)[0]
    assert 'aria-current="page"' not in about
