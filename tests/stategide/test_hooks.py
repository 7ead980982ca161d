import pytest

from kei_community.core.registry import call_hooks, get_hooks
from kei_community.moderation.selectors import awaiting_approval
from stategide import hooks, services

pytestmark = pytest.mark.django_db


def test_pending_proposals_appear_in_the_shared_queue(user, tx):
    rev = services.revision_propose(author=user, page=tx, data={"body": "x"}, edit_summary="Add detail")
    items = awaiting_approval(app="stategide")
    assert len(items) == 1
    assert items[0]["url"] == rev.get_absolute_url()
    assert items[0]["title"] == "Texas: Add detail"
    assert items[0]["author"] == user.public_name


def test_reviewed_proposals_leave_the_queue(user, moderator, tx):
    rev = services.revision_propose(author=user, page=tx, data={"body": "x"}, edit_summary="Add detail")
    services.revision_reject(actor=moderator, revision=rev, reason="No")
    assert hooks.queue_items() == []


def test_home_map_is_cached_after_first_render(rf, all_states, django_assert_max_num_queries):
    html = hooks.home_sections(rf.get("/"))["state_map"]
    assert html.count("stategide-tile ") == 51
    with django_assert_max_num_queries(0):
        hooks.home_sections(rf.get("/"))


def test_site_search_matches_name_and_summary(all_states):
    result = hooks.site_search("Oregon", 10)
    assert result["label"] == "State guide"
    assert result["results"][0]["url"] == "/states/or/"
    assert hooks.site_search("", 10)["results"] == []


def test_hooks_are_registered():
    assert hooks.home_sections in get_hooks("home_sections")
    assert hooks.site_search in get_hooks("site_search")
    assert any(group["label"] == "State guide" for group in call_hooks("site_search", "zz-no-match", 5))
