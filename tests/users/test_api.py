import pytest
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import DEFAULT_PASSWORD
from tests.users.conftest import enrol_totp, totp_code

ME = "/api/v1/me/"
TOKEN = "/api/v1/auth/token/"


def _assert_error_shape(body: dict) -> None:
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)


# --- /me/ --------------------------------------------------------------------


@pytest.mark.django_db
def test_me_returns_the_signed_in_member(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.pk
    assert body["email"] == user.email
    assert body["display_name"] == user.display_name
    assert body["page_url"] == f"/members/{user.pk}/"
    assert body["is_moderator"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "patch"])
def test_me_without_credentials_is_401_in_the_error_shape(api_client, method):
    response = getattr(api_client, method)(ME, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    _assert_error_shape(response.json())
    assert response.json()["errors"] == {}


@pytest.mark.django_db
def test_patch_me_updates_the_profile(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.patch(ME, {"display_name": "Acty Ann", "zip_code": "30303", "bio": "Hi"}, format="json")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Acty Ann"
    user.refresh_from_db()
    assert (user.display_name, user.zip_code, user.bio) == ("Acty Ann", "30303", "Hi")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"nickname": "x"}, "nickname"),  # unknown field
        ({"email": "new@example.com"}, "email"),  # read-only field
        ({"is_staff": True}, "is_staff"),
        ({"display_name": ["not", "a", "string"]}, "display_name"),  # wrong type
        ({"display_name": "x" * 61}, "display_name"),
        ({"home_state": "ZZ"}, "home_state"),
        ({"zip_code": "00000"}, "zip_code"),  # service-level validation
        ({"bio": "x" * 2001}, "bio"),
    ],
)
def test_patch_me_bad_input_is_a_400_in_the_error_shape(api_client, user, payload, field):
    api_client.force_authenticate(user)
    before = (user.email, user.display_name, user.home_state, user.zip_code, user.bio, user.is_staff)
    response = api_client.patch(ME, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    _assert_error_shape(body)
    assert list(body["errors"]) == [field]
    assert body["detail"].startswith(f"{field}: ")
    user.refresh_from_db()
    assert (user.email, user.display_name, user.home_state, user.zip_code, user.bio, user.is_staff) == before


@pytest.mark.django_db
def test_patch_me_with_malformed_json_is_a_400_in_the_error_shape(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.generic("PATCH", ME, "{not json", content_type="application/json")
    assert response.status_code == 400
    _assert_error_shape(response.json())


@pytest.mark.django_db
def test_patch_me_with_a_list_body_is_a_400(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.patch(ME, ["display_name"], format="json")
    assert response.status_code == 400
    _assert_error_shape(response.json())


@pytest.mark.django_db
def test_session_authenticated_patch_needs_the_csrf_token(user):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.patch(ME, {"display_name": "No CSRF"}, format="json")
    assert response.status_code == 403
    _assert_error_shape(response.json())


# --- token auth ----------------------------------------------------------------


@pytest.mark.django_db
def test_token_for_email_and_password_authenticates_requests(api_client, user):
    response = api_client.post(TOKEN, {"email": user.email.upper(), "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=user).key == key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get(ME).json()["id"] == user.pk
    # the same token comes back next time
    assert (
        api_client.post(TOKEN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json").json()["token"]
        == key
    )


@pytest.mark.django_db
def test_a_wrong_token_is_401(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api_client.get(ME)
    assert response.status_code == 401
    _assert_error_shape(response.json())


@pytest.mark.django_db
def test_token_with_a_wrong_password_is_refused_in_the_error_shape(api_client, user):
    response = api_client.post(TOKEN, {"email": user.email, "password": "wrong"}, format="json")
    assert response.status_code in (401, 403)
    _assert_error_shape(response.json())
    assert "wrong" in response.json()["detail"]
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_token_for_an_inactive_member_is_refused(api_client, user):
    user.is_active = False
    user.save()
    response = api_client.post(TOKEN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code in (401, 403)
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"email", "password"}),
        ({"email": "not-an-email", "password": "x"}, {"email"}),
        ({"email": "a@example.com", "password": "x", "remember": True}, {"remember"}),
    ],
)
def test_token_with_bad_input_is_a_400(api_client, payload, fields):
    response = api_client.post(TOKEN, payload, format="json")
    assert response.status_code == 400
    _assert_error_shape(response.json())
    assert set(response.json()["errors"]) == fields


@pytest.mark.django_db
def test_token_for_an_mfa_account_needs_the_code(api_client, user):
    secret = enrol_totp(user)
    credentials = {"email": user.email, "password": DEFAULT_PASSWORD}
    response = api_client.post(TOKEN, credentials, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["code"]
    response = api_client.post(TOKEN, {**credentials, "code": "000000"}, format="json")
    assert response.status_code in (401, 403)
    _assert_error_shape(response.json())
    assert not Token.objects.filter(user=user).exists()
    response = api_client.post(TOKEN, {**credentials, "code": totp_code(secret)}, format="json")
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=user).key


@pytest.mark.django_db
def test_token_endpoint_is_throttled(api_client, user, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth_token": "2/minute", "anon": None, "user": None})
    for _ in range(2):
        api_client.post(TOKEN, {"email": user.email, "password": "wrong"}, format="json")
    response = api_client.post(TOKEN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 429
    _assert_error_shape(response.json())


def test_default_throttles_are_configured(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert {"anon", "user", "auth_token"} <= set(rates)
    assert "kei_community.core.api.throttling.AnonRateThrottle" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]


# --- schema and docs -------------------------------------------------------------


@pytest.mark.django_db
def test_schema_describes_me_and_token(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"get", "patch"} <= set(paths["/api/v1/me/"])
    assert "post" in paths["/api/v1/auth/token/"]


@pytest.mark.django_db
def test_docs_page_uses_the_vendored_swagger_ui_with_the_csp_nonce(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert '/static/vendor/swagger-ui/swagger-ui-bundle.js"' in html
    assert "cdn" not in html.lower()
    scripts = html.count("<script")
    assert scripts == html.count(f'nonce="{nonce}"') - 1  # every script plus the one <style>
    assert "unsafe-inline" not in csp


@pytest.mark.django_db
def test_token_is_refused_until_the_email_is_verified_when_verification_is_mandatory(api_client, settings):
    from tests.factories import UserFactory

    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    member = UserFactory(verified=False)
    response = api_client.post(TOKEN, {"email": member.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 403
    assert "Verify your email" in response.json()["detail"]
    member.emailaddress_set.update(verified=True)
    response = api_client.post(TOKEN, {"email": member.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200


# --- brute force: client address, throttle and the shared sign-in lockout ----------------------

LOGIN = "/accounts/login/"
# A small per-account limit (and a per-address one the tests never reach) so a test locks quickly.
LOCKOUT = {"login_failed": "100/m/ip,3/5m/key"}


def _only_token_throttle(monkeypatch, rate: str) -> None:
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth_token": rate, "anon": None, "user": None})


def _fail_via_api(api_client, email: str, times: int) -> None:
    for _ in range(times):
        response = api_client.post(TOKEN, {"email": email, "password": "wrong-password"}, format="json")
        assert response.status_code == 403


def _fail_via_form(client, email: str, times: int) -> None:
    for _ in range(times):
        response = client.post(LOGIN, {"login": email, "password": "wrong-password"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_token_throttle_treats_forged_x_forwarded_for_values_as_one_client(api_client, settings, monkeypatch):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.ACCOUNT_RATE_LIMITS = False  # isolate the DRF throttle from the sign-in lockout
    _only_token_throttle(monkeypatch, "10/minute")
    statuses = [
        api_client.post(
            TOKEN,
            {"email": f"nobody{i}@example.com", "password": "wrong-password"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(30)
    ]
    assert statuses == [403] * 10 + [429] * 20


@pytest.mark.django_db
def test_token_throttle_with_one_trusted_proxy_keys_on_the_right_most_address(api_client, settings, monkeypatch):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = False
    _only_token_throttle(monkeypatch, "2/minute")

    def post(xff: str) -> int:
        payload = {"email": "nobody@example.com", "password": "wrong-password"}
        return api_client.post(TOKEN, payload, format="json", HTTP_X_FORWARDED_FOR=xff).status_code

    # The proxy appends the address it saw; whatever the client put before it is ignored.
    assert post("10.0.0.1, 203.0.113.5") == 403
    assert post("10.0.0.2, 203.0.113.5") == 403
    assert post("10.0.0.3, 203.0.113.5") == 429
    assert post("203.0.113.6") == 403  # another client behind the same proxy has its own budget


@pytest.mark.django_db
def test_failed_api_attempts_lock_the_sign_in_form(api_client, client, user, settings):
    settings.ACCOUNT_RATE_LIMITS = LOCKOUT
    _fail_via_api(api_client, user.email, 3)
    response = client.post(LOGIN, {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_failed_form_attempts_lock_the_api_with_a_429_in_the_error_shape(api_client, client, user, settings):
    settings.ACCOUNT_RATE_LIMITS = LOCKOUT
    _fail_via_form(client, user.email, 3)
    response = api_client.post(TOKEN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 429
    _assert_error_shape(response.json())
    assert "Too many failed sign-in attempts" in response.json()["detail"]
    assert response["Retry-After"] == "300"
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_the_api_lockout_is_per_account(api_client, user, other_user, settings):
    settings.ACCOUNT_RATE_LIMITS = LOCKOUT
    _fail_via_api(api_client, user.email, 3)
    locked = api_client.post(TOKEN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    other = api_client.post(TOKEN, {"email": other_user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert locked.status_code == 429
    assert other.status_code == 200


@pytest.mark.django_db
def test_the_lockout_ignores_how_the_email_is_written(api_client, user, settings):
    settings.ACCOUNT_RATE_LIMITS = LOCKOUT
    _fail_via_api(api_client, f" {user.email.upper()} ", 3)
    response = api_client.post(TOKEN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 429


@pytest.mark.django_db
def test_successful_token_requests_do_not_count_toward_the_lockout(api_client, user, settings):
    settings.ACCOUNT_RATE_LIMITS = LOCKOUT
    for _ in range(5):
        response = api_client.post(TOKEN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
        assert response.status_code == 200
    _fail_via_api(api_client, user.email, 2)
    response = api_client.post(TOKEN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200


@pytest.mark.django_db
def test_wrong_two_factor_codes_through_the_api_lock_the_account(api_client, user, settings):
    settings.ACCOUNT_RATE_LIMITS = LOCKOUT
    secret = enrol_totp(user)
    credentials = {"email": user.email, "password": DEFAULT_PASSWORD}
    for _ in range(3):
        response = api_client.post(TOKEN, {**credentials, "code": "000000"}, format="json")
        assert response.status_code == 403
    response = api_client.post(TOKEN, {**credentials, "code": totp_code(secret)}, format="json")
    assert response.status_code == 429
    _assert_error_shape(response.json())


@pytest.mark.django_db
def test_the_lockout_cannot_be_dodged_with_x_forwarded_for(api_client, user, settings, monkeypatch):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}  # per address only
    _only_token_throttle(monkeypatch, "1000/minute")
    for i in range(3):
        payload = {"email": f"nobody{i}@example.com", "password": "wrong-password"}
        response = api_client.post(TOKEN, payload, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        assert response.status_code == 403
    payload = {"email": user.email, "password": DEFAULT_PASSWORD}
    response = api_client.post(TOKEN, payload, format="json", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429
