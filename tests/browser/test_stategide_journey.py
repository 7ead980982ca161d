"""A member proposes an edit with a citation; a moderator with TOTP approves it from the shared queue;
the page shows the change and the history shows both revisions with a diff."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.models import Group
from django.core.cache import cache

from kei_community.users.models import MODERATORS_GROUP
from tests.browser.conftest import axe_violations, login
from tests.factories import DEFAULT_PASSWORD, ModeratorFactory, StatePageFactory, UserFactory


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.mark.django_db(transaction=True)
def test_member_proposes_moderator_approves_from_queue(page, settings):
    settings.MODERATION_REQUIRES_MFA = True
    cache.clear()  # whole-page cache lives in Redis between runs
    Group.objects.get_or_create(name=MODERATORS_GROUP)
    StatePageFactory(code="TX")
    member = UserFactory(home_state="OR")
    moderator = ModeratorFactory()
    secret = generate_totp_secret()
    TOTP.activate(moderator, secret)

    # Anonymous visitor: the map and the state page are accessible.
    page.goto("/states/")
    assert page.locator(".stategide-tile").count() == 1
    assert axe_violations(page) == []
    # The second visit is served from the whole-page cache; its script still runs under this CSP nonce.
    response = page.goto("/states/")
    assert response.headers.get("x-stategide-cache") == "hit"
    page.locator("#status-filter").select_option("restricted")
    page.wait_for_url(lambda url: "status=restricted" in url)

    # The member proposes a speed change with a citation.
    login(page, member.email, DEFAULT_PASSWORD)
    page.goto("/states/tx/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Propose an edit").click()
    assert axe_violations(page) == []
    page.get_by_label("Edit summary").fill("Speed limit raised to 45 mph")
    page.get_by_label("Maximum posted road speed allowed (mph)").fill("45")
    page.locator("#id_citations-0-kind").select_option("statute")
    page.locator("#id_citations-0-label").fill("State code 551.404")
    page.locator("#id_citations-0-url").fill("https://statutes.example.gov/551.404")
    page.get_by_role("button", name="Send for review").click()
    page.get_by_text("waiting for a moderator").wait_for()
    page.context.clear_cookies()

    # The moderator signs in with a TOTP code and approves from the shared queue.
    login(page, moderator.email, DEFAULT_PASSWORD)
    page.locator("input[name=code]").fill(_totp_code(secret))
    page.locator("form:has(input[name=code]) button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/2fa/" not in url)
    page.goto("/moderation/")
    page.get_by_role("link", name="Texas: Speed limit raised to 45 mph").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Approve and publish").click()

    # The published page shows the change; history lists both revisions and diffs them.
    page.get_by_text("Revision 2 is published").wait_for()
    assert page.get_by_text("45 mph").first.is_visible()
    page.get_by_role("link", name="History").click()
    assert page.get_by_role("link", name="Revision 2").is_visible()
    assert page.get_by_role("link", name="Revision 1").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Compare selected revisions").click()
    page.wait_for_url(lambda url: "/diff/" in url and "from=1" in url and "to=2" in url)
    diff = page.locator("main").inner_text()
    assert "35" in diff and "45" in diff
    assert "State code 551.404" in diff
    assert axe_violations(page) == []
    assert page.console_errors == []
