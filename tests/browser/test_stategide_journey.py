"""State guide journeys in Chromium, at 1366 px and 390 px, with axe-core on every page:

A member proposes a status change with a new citation (the summary rule stops a status change with the
old summary), a moderator with TOTP reviews it side by side from the shared queue and approves, adds a
law event, the watcher is notified of both, the timeline shows the event, and the checklist for a
listing in that state reflects the new status and the coming law.
"""

from __future__ import annotations

from datetime import timedelta

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
from django.utils import timezone

from kei_community.users.models import MODERATORS_GROUP
from tests.browser.conftest import axe_violations, login
from tests.factories import DEFAULT_PASSWORD, ListingFactory, ModeratorFactory, StatePageFactory, UserFactory

NEW_SUMMARY = "Texas revokes the plates of imported kei trucks (news reports); they are not registered for road use."


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def _fits(page, width: int) -> bool:  # type: ignore[no-untyped-def]
    """No horizontal scrolling at this width."""
    return bool(page.evaluate(f"document.documentElement.scrollWidth <= {width} + 1"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_status_change_reviewed_side_by_side_timeline_and_checklist(page, chromium, live_server, settings, width):
    from kei_community.celery import app
    from kei_community.notifications.models import Notification

    settings.MODERATION_REQUIRES_MFA = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()  # whole-page cache lives in Redis between runs
    Group.objects.get_or_create(name=MODERATORS_GROUP)
    viewport = {"width": width, "height": 900}
    page.set_viewport_size(viewport)
    tx = StatePageFactory(code="TX")
    member = UserFactory(home_state="OR", display_name="Proposing Pat")
    watcher = UserFactory(home_state="TX", display_name="Watching Wes")  # home state: watched by default
    moderator = ModeratorFactory(home_state="OR", display_name="Mina")
    secret = generate_totp_secret()
    TOTP.activate(moderator, secret)
    listing = ListingFactory(zip_code="78701", title="1998 Suzuki Carry in Austin")
    in_force = timezone.localdate() + timedelta(days=30)

    # Anonymous visitor: the list (served from the whole-page cache the second time) and the state page.
    page.goto("/states/")
    assert page.locator(".stategide-tile").count() == 1
    assert axe_violations(page) == []
    response = page.goto("/states/")
    assert response is not None and response.headers.get("x-stategide-cache") == "hit"
    page.goto("/states/tx/")
    assert page.get_by_role("heading", name="What we don't know yet").is_visible()
    assert page.get_by_text("Not verified").first.is_visible()
    assert _fits(page, width)
    assert axe_violations(page) == []

    # The member proposes "Not allowed" with a new source; the summary rule stops the old summary first.
    login(page, member.email, DEFAULT_PASSWORD)
    page.goto("/states/tx/")
    page.get_by_role("link", name="Propose an edit").click()
    assert page.get_by_role("heading", name="What the page says now (revision 1)").is_visible()
    assert page.locator("#current-summary").inner_text() == "Allowed on roads posted 35 mph or less."
    assert page.locator("#id_citations-0-label").input_value() == "Statute 1"  # the sources are editable rows
    assert _fits(page, width)
    assert axe_violations(page) == []
    page.get_by_label("Edit summary").fill("Texas revokes plates of imported kei trucks")
    page.get_by_label("Status", exact=True).select_option("not_allowed")
    page.locator("#id_citations-1-url").fill("https://news.example.com/texas-plates")
    page.locator("#id_citations-1-label").fill("Texas DMV revokes kei truck plates (news)")
    page.locator("#id_citations-1-kind").select_option("news")
    page.get_by_role("button", name="Send for review").click()
    assert page.get_by_text("You changed the status but not the summary").first.is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Summary", exact=True).fill(NEW_SUMMARY)
    page.get_by_role("button", name="Send for review").click()
    page.get_by_text("waiting for a moderator").wait_for()
    page.context.clear_cookies()

    # The moderator signs in with TOTP, opens it from the shared queue, reviews side by side, approves.
    login(page, moderator.email, DEFAULT_PASSWORD)
    page.locator("input[name=code]").fill(_totp_code(secret))
    page.locator("form:has(input[name=code]) button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/2fa/" not in url)
    page.goto("/moderation/")
    page.get_by_role("link", name="Texas: Texas revokes plates of imported kei trucks").click()
    side = page.locator("section[aria-labelledby=side-heading]")
    assert side.get_by_text("Allowed on roads posted 35 mph or less.").is_visible()
    assert side.get_by_text(NEW_SUMMARY).is_visible()
    assert side.get_by_text("News · news.example.com").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Approve and publish").click()
    page.get_by_text("Revision 2 is published").wait_for()
    assert page.get_by_role("heading", name="Texas Not allowed").is_visible()
    assert page.get_by_text("Not verified").first.is_visible()  # the new revision is not verified yet
    page.get_by_role("link", name="History").click()
    page.get_by_role("button", name="Compare selected revisions").click()
    page.wait_for_url(lambda url: "/diff/" in url and "from=1" in url and "to=2" in url)
    assert "Texas DMV revokes kei truck plates (news)" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.goto("/states/tx/")

    # The moderator adds the law event; the timeline shows it.
    page.get_by_role("link", name="Add a law event").click()
    assert axe_violations(page) == []
    page.get_by_label("Kind", exact=True).select_option("law_in_force")
    page.get_by_label("Date").fill(in_force.isoformat())
    page.get_by_label("Title", exact=True).fill("Plate revocations take effect")
    page.get_by_label("Source URL").fill("https://news.example.com/texas-plates")
    page.get_by_label("Source title").fill("Texas DMV revokes kei truck plates (news)")
    page.get_by_label("Source kind").select_option("news")
    page.get_by_role("button", name="Add to the timeline").click()
    timeline = page.locator("#timeline")
    timeline.locator("strong", has_text="Plate revocations take effect").wait_for()
    assert timeline.get_by_text("upcoming").is_visible()
    assert _fits(page, width)
    assert axe_violations(page) == []
    page.context.clear_cookies()

    # The watcher was told of both.
    titles = set(Notification.objects.filter(recipient=watcher, kind="guide_change").values_list("title", flat=True))
    assert "The Texas state guide changed" in titles
    assert f"Texas law timeline: Law in force ({in_force:%b} {in_force.day}, {in_force.year})" in titles
    login(page, watcher.email, DEFAULT_PASSWORD)
    page.goto("/notifications/")
    assert page.get_by_role("link", name="The Texas state guide changed").is_visible()
    assert axe_violations(page) == []

    # The checklist for the listing in Texas reflects the new status and the coming law.
    page.goto(listing.get_absolute_url())
    page.get_by_role("link", name="Can I register it in Texas?").first.click()
    page.wait_for_url(lambda url: "/states/tx/checklist/" in url)
    main = page.locator("main")
    assert main.get_by_text("The guide says Texas does not register kei trucks for road use.").is_visible()
    assert main.get_by_text("Plate revocations take effect").is_visible()
    assert main.get_by_text("CBP Form 7501 (entry summary)").is_visible()
    assert main.get_by_text("25-year rule (NHTSA, counted from the month of manufacture):").is_visible()
    assert _fits(page, width)
    assert axe_violations(page) == []
    # Printed, the forms and menus are left off.
    page.emulate_media(media="print")
    assert not page.locator("#truck-form-heading").is_visible()
    page.emulate_media(media="screen")
    assert tx.revisions.count() == 2
    assert page.console_errors == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_verification_queue_verify_form_and_guide_pages_are_accessible(page, settings, width):
    settings.MODERATION_REQUIRES_MFA = False
    cache.clear()
    Group.objects.get_or_create(name=MODERATORS_GROUP)
    page.set_viewport_size({"width": width, "height": 900})
    StatePageFactory(code="TX")
    StatePageFactory(code="OR")
    moderator = ModeratorFactory()
    failures = {}
    for path in ["/states/how-this-guide-works/", "/states/checklist/", "/states/tx/checklist/?year_built=2030"]:
        page.goto(path)
        if violations := axe_violations(page):
            failures[path] = violations
    login(page, moderator.email, DEFAULT_PASSWORD)
    page.goto("/states/verify/")
    assert page.get_by_role("heading", name="Verification queue").is_visible()
    if violations := axe_violations(page):
        failures["queue"] = violations
    page.get_by_role("link", name="Verify Oregon").click()
    page.get_by_role("button", name="Record verification").click()  # nothing ticked: a clear error
    assert page.get_by_text("Tick what you checked").is_visible()
    if violations := axe_violations(page):
        failures["verify form with errors"] = violations
    page.get_by_label("Every source opens and says what the page says").check()
    page.get_by_label("What you found (note)").fill("Opened both sources.")
    page.get_by_role("button", name="Record verification").click()
    page.wait_for_url(lambda url: url.endswith("/states/verify/"))
    assert page.get_by_text("Oregon is verified").is_visible()
    if violations := axe_violations(page):
        failures["queue after verifying"] = violations
    assert failures == {}
    # Only the checklist with a bad year (answered 400 on purpose) logs an error.
    assert [e for e in page.console_errors if "400 (Bad Request)" not in e] == []  # type: ignore[attr-defined]
