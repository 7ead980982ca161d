"""Issue 2's first journey: sign up, follow the verification link from the email, log in,
edit the profile, log out — in Chromium against the live server."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from kei_community.users.models import User
from tests.browser.conftest import axe_violations

EMAIL = "journey@example.com"
PASSWORD = "hijet-jumbo-2019"


@pytest.mark.django_db(transaction=True)
def test_sign_up_verify_log_in_edit_profile_log_out(page, chromium, live_server, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    mail.outbox = []

    # Sign up, with a ZIP typo first: the form keeps the input and says what is wrong.
    page.goto("/")
    page.get_by_role("link", name="Join").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Display name").fill("Journey Jo")
    page.get_by_label("Home state").select_option("OR")
    page.get_by_label("ZIP code").fill("00000")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    assert page.get_by_text("is not a known 5-digit US ZIP code").is_visible()
    assert page.get_by_label("Display name").input_value() == "Journey Jo"
    assert axe_violations(page) == []
    page.get_by_label("ZIP code").fill("97201")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert page.get_by_role("heading", name="Verify Your Email Address").is_visible()
    assert axe_violations(page) == []

    # Follow the link from the email in a fresh browser session, as from a mail app.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [EMAIL]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[0].body).group(0)
    context = chromium.new_context(base_url=live_server.url)
    other = context.new_page()
    other_errors: list[str] = []
    other.on("console", lambda msg: other_errors.append(msg.text) if msg.type == "error" else None)
    try:
        other.goto(link)
        assert axe_violations(other) == []
        other.get_by_role("button", name="Confirm").click()
        other.wait_for_url(lambda url: "confirm-email" not in url)
        assert User.objects.get(email=EMAIL).emailaddress_set.get().verified

        # Log in.
        other.goto("/accounts/login/")
        other.get_by_label("Email").fill(EMAIL)
        other.get_by_label("Password").fill(PASSWORD)
        other.get_by_role("button", name="Sign In").click()
        other.wait_for_url(lambda url: "/accounts/login/" not in url)
        assert other.get_by_role("button", name="Journey Jo").is_visible()  # the account menu

        # Edit the profile.
        other.goto("/settings/profile/")
        other.get_by_label("Display name").fill("Jo the Kei Hauler")
        other.get_by_label("Bio").fill("I haul **firewood** with a 1998 Carry.")
        other.get_by_role("button", name="Save profile").click()
        assert other.get_by_text("Your profile was saved.").is_visible()
        user = User.objects.get(email=EMAIL)
        assert (user.display_name, user.home_state, user.zip_code) == ("Jo the Kei Hauler", "OR", "97201")
        other.goto(f"/members/{user.pk}/")
        assert other.get_by_role("heading", name="Jo the Kei Hauler").is_visible()
        assert other.locator(".prose strong", has_text="firewood").is_visible()

        # Log out (the account menu's form; works without the dropdown's JavaScript too).
        other.goto("/accounts/logout/")
        other.get_by_role("button", name="Sign Out").click()
        other.wait_for_url(lambda url: "/accounts/logout/" not in url)
        assert other.get_by_role("link", name="Sign in").is_visible()
        assert other_errors == []  # no CSP violation, no failed asset
    finally:
        context.close()
    assert page.console_errors == []  # type: ignore[attr-defined]
