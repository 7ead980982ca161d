"""Moderation + notifications journeys in Chromium: a member reports a scam listing, a moderator removes
all of the seller's listings and suspends them from the queue (desktop and phone widths), the listing is
gone (410) for a visitor, the reporter is told "removed" and the seller sees the reason; and a member
reports a profile, a moderator dismisses it, the member sees the notification and changes email settings."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from kei_community.moderation import registry
from kei_community.moderation.models import AuditLogEntry, Report
from kei_community.notifications.delivery import unsubscribe_token
from kei_community.users.models import MODERATORS_GROUP, User
from tests.browser.conftest import axe_violations, login
from tests.factories import DEFAULT_PASSWORD, ModeratorFactory, UserFactory


@pytest.fixture
def reportable_profiles():
    """Member profiles as a reportable target for this journey (real apps register their own content)."""

    def describe(obj):  # type: ignore[no-untyped-def]
        return {"title": f"Profile of {obj.public_name}", "url": obj.get_absolute_url(), "app": "users", "excerpt": ""}

    previous = registry._targets.get(User)
    registry.register_target(User, hide=lambda obj: None, restore=lambda obj: None, describe=describe)
    yield
    if previous is None:
        registry._targets.pop(User, None)
    else:
        registry._targets[User] = previous


@pytest.mark.django_db(transaction=True)
def test_report_dismiss_notify_and_email_settings(page, chromium, live_server, settings, reportable_profiles):
    settings.MODERATION_REQUIRES_MFA = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Earlier transactional tests flush the data-migration rows, the Moderators group included.
    Group.objects.get_or_create(name=MODERATORS_GROUP)
    member = UserFactory(display_name="Reporting Rita")
    spammer = UserFactory(display_name="Spammy Sam")
    moderator = ModeratorFactory(display_name="Mod Mo")
    ct = ContentType.objects.get_for_model(User)

    # The member reports the spammer's profile.
    login(page, member.email, DEFAULT_PASSWORD)
    page.goto(reverse("moderation:report", kwargs={"content_type_id": ct.pk, "object_id": spammer.pk}))
    assert page.get_by_role("heading", name="Report content").is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Reason").select_option("spam")
    page.get_by_label("Note for the moderators").fill("Posts the same ad everywhere.")
    page.get_by_role("button", name="Send report").click()
    assert page.get_by_text("A moderator will review your report").is_visible()
    assert Report.objects.filter(reporter=member, status="open").count() == 1

    # The moderator resolves it from the queue.
    mod_context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    mod_page = mod_context.new_page()
    try:
        login(mod_page, moderator.email, DEFAULT_PASSWORD)
        mod_page.goto(reverse("moderation:queue"))
        assert mod_page.get_by_role("heading", name="Profile of Spammy Sam").is_visible()
        assert mod_page.get_by_text("Posts the same ad everywhere.").is_visible()
        assert axe_violations(mod_page) == []
        mod_page.get_by_label("Note to the reporters (optional)").fill("Nothing wrong with this profile.")
        mod_page.get_by_role("button", name="Dismiss the reports (no action)").click()
        assert mod_page.get_by_text("1 report dismissed; the reporters were told: no action.").is_visible()
        mod_page.goto(reverse("moderation:audit"))
        assert mod_page.locator("td code", has_text="report_dismissed").first.is_visible()
        assert axe_violations(mod_page) == []
    finally:
        mod_context.close()
    assert AuditLogEntry.objects.filter(actor=moderator, action="report_dismissed").exists()

    # The member sees the notification under the bell, opens it, then sets email to daily digest.
    page.goto("/")
    page.get_by_role("link", name="Notifications, 1 unread").click()
    assert page.get_by_role("link", name="Your report was reviewed: no action").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Mark all as read").click()
    assert page.get_by_text("Marked 1 notification as read.").is_visible()
    page.get_by_role("link", name="Email settings").click()
    page.get_by_label("A report you made was reviewed").select_option("daily")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save email settings").click()
    assert page.get_by_text("Your email settings were saved.").is_visible()
    assert member.notification_preferences.get(kind="report_resolved").delivery == "daily"

    # The one-click unsubscribe link from an email works signed out, too.
    page.context.clear_cookies()
    page.goto(reverse("notifications:unsubscribe", args=[unsubscribe_token(user=member, kind="report_resolved")]))
    assert axe_violations(page) == []
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
    assert member.notification_preferences.get(kind="report_resolved").delivery == "off"
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_scam_listing_reported_seller_cleared_out_and_suspended(page, chromium, live_server, settings, width):
    from kei_community.celery import app
    from kei_community.moderation.models import Removal, Sanction
    from marketplace.models import Listing
    from tests.factories import ListingFactory

    settings.MODERATION_REQUIRES_MFA = False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Group.objects.get_or_create(name=MODERATORS_GROUP)
    viewport = {"width": width, "height": 900}
    page.set_viewport_size(viewport)
    reporter = UserFactory(display_name="Reporting Rita")
    seller = UserFactory(display_name="Scam Sam")
    moderator = ModeratorFactory(display_name="Mod Mo")
    scam = ListingFactory(seller=seller, title="1996 Honda Acty 4WD only $900")
    other = ListingFactory(seller=seller, title="1998 Suzuki Carry dump $1100")
    reason = "Asks buyers to pay by gift card before they see the truck."

    # A member reports the scam listing from its page.
    login(page, reporter.email, DEFAULT_PASSWORD)
    page.goto(scam.get_absolute_url())
    page.get_by_text("Report this").click()
    page.get_by_label("Reason").select_option("scam")
    page.get_by_label("Note for the moderators (optional)").fill("Wants Steam cards, says the truck is in a port.")
    page.get_by_role("button", name="Send report").click()
    assert page.get_by_text("A moderator will review your report").is_visible()
    assert axe_violations(page) == []

    # The moderator removes every listing of the seller and suspends them, from the queue, in one action.
    mod_context = chromium.new_context(base_url=live_server.url, viewport=viewport)
    mod_page = mod_context.new_page()
    try:
        login(mod_page, moderator.email, DEFAULT_PASSWORD)
        mod_page.goto(reverse("moderation:queue"))
        assert mod_page.get_by_role("heading", name="1996 Honda Acty 4WD only $900").is_visible()
        assert mod_page.get_by_text("Wants Steam cards").is_visible()
        assert axe_violations(mod_page) == []
        mod_page.get_by_label("Reason (shown to the member)").fill(reason)
        mod_page.get_by_label("Note to the reporters (optional)").fill("Thank you, the seller is gone.")
        mod_page.get_by_label("Suspend for").select_option("indefinite")
        mod_page.get_by_role("button", name="Remove all their listings and suspend").click()
        assert mod_page.get_by_text("Removed 2 listings of Scam Sam and suspended them.").is_visible()
        assert mod_page.get_by_role("heading", name="Suspended members").is_visible()
        assert axe_violations(mod_page) == []
        # The listing itself, its moderation page and the seller's record, as the moderator sees them.
        mod_page.goto(scam.get_absolute_url())
        assert mod_page.get_by_role("heading", name="Moderator").is_visible()
        assert mod_page.get_by_role("button", name="Restore").first.is_visible()
        assert axe_violations(mod_page) == []
        mod_page.get_by_role("link", name="Moderation page").click()
        assert mod_page.get_by_text(f"Reason shown to the owner: {reason}").is_visible()
        assert axe_violations(mod_page) == []
        mod_page.get_by_role("link", name="Scam Sam").first.click()
        assert mod_page.get_by_role("heading", name="Member: Scam Sam").is_visible()
        assert mod_page.get_by_role("button", name="Lift the suspension").is_visible()
        assert axe_violations(mod_page) == []
    finally:
        mod_context.close()
    assert set(Listing.objects.filter(seller=seller).values_list("status", flat=True)) == {"removed"}
    assert Removal.objects.filter(owner=seller).count() == 2
    assert Sanction.objects.get(member=seller, kind="suspension").ends_at is None

    # A visitor gets 410 with a short notice.
    visitor = chromium.new_context(base_url=live_server.url, viewport=viewport)
    try:
        vpage = visitor.new_page()
        response = vpage.goto(scam.get_absolute_url())
        assert response is not None and response.status == 410
        assert vpage.get_by_role("heading", name="This listing was removed").is_visible()
        assert reason not in vpage.content()
        assert axe_violations(vpage) == []
        vpage.goto(reverse("marketplace:index"))
        assert "Honda Acty" not in vpage.content() and "Suzuki Carry dump" not in vpage.content()
    finally:
        visitor.close()

    # The reporter is told the real outcome.
    page.goto(reverse("notifications:list"))
    assert page.get_by_role("link", name="Your report was reviewed: removed").is_visible()
    assert axe_violations(page) == []

    # The seller sees why, on every page and on the listing itself, and cannot list again.
    page.context.clear_cookies()
    login(page, seller.email, DEFAULT_PASSWORD)
    notice = page.locator("#suspension-notice")
    assert notice.is_visible() and reason in notice.text_content()
    assert "until a moderator lifts it" in notice.text_content()
    page.goto(reverse("notifications:list"))
    assert page.get_by_role("link", name="A moderator removed your content: 2 listings").is_visible()
    assert axe_violations(page) == []
    page.goto(other.get_absolute_url())
    assert page.get_by_text("A moderator removed this listing").is_visible()
    assert page.get_by_text(f"Reason: {reason}").first.is_visible()
    assert axe_violations(page) == []
    assert page.console_errors == []
