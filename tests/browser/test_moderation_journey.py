"""Moderation + notifications journey in Chromium: a member reports content, a moderator
resolves it from the queue, the member sees the notification and changes email settings."""

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
def test_report_review_notify_and_email_settings(page, chromium, live_server, settings, reportable_profiles):
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
        mod_page.get_by_label("Decision").select_option("resolve")
        mod_page.get_by_label("Note (sent to the reporters)").fill("Account removed, thanks.")
        mod_page.get_by_role("button", name="Apply").click()
        assert mod_page.get_by_text("1 report resolved.").is_visible()
        mod_page.goto(reverse("moderation:audit"))
        assert mod_page.locator("td code", has_text="report_resolved").first.is_visible()
        assert axe_violations(mod_page) == []
    finally:
        mod_context.close()
    assert AuditLogEntry.objects.filter(actor=moderator, action="report_resolved").exists()

    # The member sees the notification under the bell, opens it, then sets email to daily digest.
    page.goto("/")
    page.get_by_role("link", name="Notifications, 1 unread").click()
    assert page.get_by_role("link", name="Your report was reviewed: resolved").is_visible()
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
