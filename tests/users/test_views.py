import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail

from kei_community.users.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.users.conftest import enrol_totp, totp_code

SIGNUP = {
    "email": "new.member@example.com",
    "password1": "mini-truck-4wd-2024",
    "password2": "mini-truck-4wd-2024",
    "display_name": "Hijet Hank",
    "home_state": "OR",
    "zip_code": "97201",
}


def _link(message) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


# --- allauth pages in the site's layout ------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/accounts/signup/", "/accounts/login/", "/accounts/password/reset/", "/accounts/password/reset/done/"]
)
def test_account_entrance_pages_render_in_the_site_layout(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="main"' in html and "Skip to main content" in html
    assert 'class="form-control' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/accounts/logout/",
    ],
)
def test_account_management_pages_render_with_the_settings_menu(signed_in_client, path):
    response = signed_in_client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-label="Account settings"' in html
    assert "Skip to main content" in html


# --- signup and email verification -----------------------------------------


@pytest.mark.django_db
def test_signup_saves_the_profile_and_sends_a_verification_email(client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="new.member@example.com")
    assert (user.display_name, user.home_state, user.zip_code) == ("Hijet Hank", "OR", "97201")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.member@example.com"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert "Kei Community" in mail.outbox[0].body and "example.com" not in mail.outbox[0].body


@pytest.mark.django_db
def test_following_the_verification_link_verifies_the_address(client):
    client.post("/accounts/signup/", SIGNUP)
    client.logout()
    link = _link(mail.outbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new.member@example.com").verified is True


@pytest.mark.django_db
def test_mandatory_verification_keeps_an_unverified_member_out(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    client.post("/accounts/signup/", SIGNUP)
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302 and "confirm-email" in response["Location"]


@pytest.mark.django_db
def test_signup_with_an_unknown_zip_shows_a_form_error(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "zip_code": "00000"})
    assert response.status_code == 200
    assert "is not a known 5-digit US ZIP code" in response.content.decode()
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


@pytest.mark.django_db
def test_signup_with_a_weak_password_shows_a_form_error(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


@pytest.mark.django_db
def test_signup_with_a_taken_email_shows_a_form_error(client, user):
    response = client.post("/accounts/signup/", {**SIGNUP, "email": user.email})
    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert User.objects.filter(email=user.email).count() == 1


@pytest.mark.django_db
def test_signup_with_a_taken_email_under_mandatory_verification_does_not_reveal_it(client, user, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = client.post("/accounts/signup/", {**SIGNUP, "email": user.email})
    assert response.status_code == 302  # same answer as a new address: no account enumeration
    assert User.objects.filter(email=user.email).count() == 1
    assert [m.to for m in mail.outbox] == [[user.email]]  # the owner is told instead


# --- login, logout, password reset, email change ---------------------------


@pytest.mark.django_db
def test_login_with_a_wrong_password_shows_an_error(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_and_logout(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_by_email(client, user):
    client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    response = client.get(_link(mail.outbox[0]), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else _link(mail.outbox[0])
    response = client.post(form_url, {"password1": "a-new-kei-password", "password2": "a-new-kei-password"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-kei-password")


@pytest.mark.django_db
def test_email_change_takes_effect_after_verifying_the_new_address(signed_in_client, user):
    response = signed_in_client.post("/accounts/email/", {"action_add": "", "email": "changed@example.com"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["changed@example.com"]
    user.refresh_from_db()
    assert user.email != "changed@example.com"
    signed_in_client.post(_link(mail.outbox[-1]))
    user.refresh_from_db()
    assert user.email == "changed@example.com"


# --- MFA (TOTP) --------------------------------------------------------------


@pytest.mark.django_db
def test_member_activates_totp_with_a_code_from_the_app(signed_in_client, user):
    response = signed_in_client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    secret = signed_in_client.session["mfa.totp.secret"]
    assert 'src="data:image/svg+xml' in response.content.decode()
    response = signed_in_client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


@pytest.mark.django_db
def test_wrong_totp_code_does_not_activate(signed_in_client, user):
    signed_in_client.get("/accounts/2fa/totp/activate/")
    response = signed_in_client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_login_with_totp_asks_for_the_code(client, user):
    secret = enrol_totp(user)
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    page = client.get("/accounts/2fa/authenticate/")
    assert page.status_code == 200 and "Skip to main content" in page.content.decode()
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


# --- profile page and settings -----------------------------------------------


@pytest.mark.django_db
def test_profile_page_shows_the_public_profile(client):
    member = UserFactory(display_name="Dale's Farm", home_state="TX", zip_code="78701", bio="I haul **hay**.")
    response = client.get(f"/members/{member.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dale&#x27;s Farm" in html and "Texas" in html and "78701" in html
    assert "<strong>hay</strong>" in html
    assert "Member since" in html
    assert member.email not in html


@pytest.mark.django_db
def test_profile_bio_markdown_is_sanitised(client):
    member = UserFactory(bio="<script>alert(1)</script> [x](javascript:alert(1))")
    html = client.get(f"/members/{member.pk}/").content.decode()
    assert "<script>alert(1)" not in html
    assert 'href="javascript:' not in html


@pytest.mark.django_db
def test_profile_of_an_inactive_member_is_404(client):
    member = UserFactory(is_active=False)
    assert client.get(f"/members/{member.pk}/").status_code == 404


@pytest.mark.django_db
def test_profile_page_queries_are_constant(client, django_assert_max_num_queries):
    member = UserFactory()
    with django_assert_max_num_queries(6):
        assert client.get(f"/members/{member.pk}/").status_code == 200


@pytest.mark.django_db
def test_profile_shows_an_edit_link_only_to_its_owner(client, user, other_user):
    client.force_login(other_user)
    assert "Edit profile" not in client.get(f"/members/{user.pk}/").content.decode()
    client.force_login(user)
    assert "Edit profile" in client.get(f"/members/{user.pk}/").content.decode()


@pytest.mark.django_db
def test_settings_page_needs_login(client):
    response = client.get("/settings/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_settings_page_saves_the_profile(client, user):
    client.force_login(user)
    response = client.post(
        "/settings/profile/", {"display_name": "Carry Carl", "home_state": "NC", "zip_code": "27601", "bio": "Hi"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.home_state, user.zip_code, user.bio) == ("Carry Carl", "NC", "27601", "Hi")


@pytest.mark.django_db
def test_settings_with_an_unknown_zip_is_a_400_with_the_input_kept(client, user):
    client.force_login(user)
    response = client.post("/settings/profile/", {"display_name": "Typo Tom", "home_state": "TX", "zip_code": "00000"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a known 5-digit US ZIP code" in html
    assert 'value="Typo Tom"' in html
    user.refresh_from_db()
    assert user.display_name != "Typo Tom"


@pytest.mark.django_db
def test_settings_only_ever_edit_the_signed_in_member(client, user, other_user):
    client.force_login(other_user)
    client.post("/settings/profile/", {"display_name": "Not You", "home_state": "TX", "zip_code": "", "id": user.pk})
    user.refresh_from_db()
    other_user.refresh_from_db()
    assert user.display_name != "Not You"
    assert other_user.display_name == "Not You"


@pytest.mark.django_db
def test_profile_shows_the_avatar_fallback_and_owner_links(client, user):
    client.force_login(user)
    html = client.get(f"/members/{user.pk}/").content.decode()
    assert 'class="avatar avatar-initial' in html and f'aria-label="{user.public_name}"' in html
    assert 'href="/photos/avatar/"' in html


@pytest.mark.django_db
def test_profile_shows_sections_registered_by_other_apps(client, user, monkeypatch):
    from django.utils.html import format_html

    from kei_community.core import registry

    monkeypatch.setitem(
        registry._hooks,
        "profile_sections",
        [
            (0, lambda member: format_html("<section><h2>Listings by {}</h2></section>", member.public_name)),
            (1, lambda m: ""),
        ],
    )
    html = client.get(f"/members/{user.pk}/").content.decode()
    assert f"<h2>Listings by {user.public_name}</h2>" in html


@pytest.mark.django_db
def test_account_menu_links_to_profile_settings_and_notifications(client, user):
    client.force_login(user)
    html = client.get("/").content.decode()
    assert f'href="/members/{user.pk}/"' in html
    assert 'href="/settings/profile/"' in html
    assert 'href="/notifications/"' in html


@pytest.mark.django_db
def test_mfa_management_pages_render_once_enrolled(signed_in_client, user):
    enrol_totp(user)
    for path in ["/accounts/2fa/", "/accounts/2fa/totp/deactivate/", "/accounts/2fa/recovery-codes/generate/"]:
        response = signed_in_client.get(path)
        assert response.status_code == 200, path
        assert 'aria-label="Account settings"' in response.content.decode(), path
    signed_in_client.post("/accounts/2fa/recovery-codes/generate/")
    response = signed_in_client.get("/accounts/2fa/recovery-codes/")
    assert response.status_code == 200
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<script\b[^>]*>", html))


@pytest.mark.django_db
def test_password_change_page_changes_the_password(signed_in_client, user):
    response = signed_in_client.post(
        "/accounts/password/change/",
        {"oldpassword": DEFAULT_PASSWORD, "password1": "another-kei-pass-9", "password2": "another-kei-pass-9"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-kei-pass-9")
