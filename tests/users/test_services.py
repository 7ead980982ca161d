import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kei_community.users.services import user_update_profile, validate_zip
from tests.factories import DEFAULT_PASSWORD, StaffFactory


@pytest.mark.django_db
def test_member_updates_own_profile(user):
    user_update_profile(
        actor=user, user=user, data={"display_name": "  Kei Fan ", "bio": "Carry owner", "zip_code": "97201"}
    )
    user.refresh_from_db()
    assert (user.display_name, user.bio, user.zip_code) == ("Kei Fan", "Carry owner", "97201")


@pytest.mark.django_db
def test_another_member_cannot_edit_a_profile(user, other_user):
    with pytest.raises(PermissionDenied):
        user_update_profile(actor=other_user, user=user, data={"display_name": "Hijacked"})
    user.refresh_from_db()
    assert user.display_name != "Hijacked"


@pytest.mark.django_db
def test_staff_may_edit_a_members_profile(user):
    staff = StaffFactory()
    user_update_profile(actor=staff, user=user, data={"bio": "Cleaned up by staff"})
    user.refresh_from_db()
    assert user.bio == "Cleaned up by staff"


@pytest.mark.django_db
def test_unknown_zip_is_a_validation_error_and_nothing_is_saved(user):
    with pytest.raises(ValidationError) as exc:
        user_update_profile(actor=user, user=user, data={"zip_code": "00000", "display_name": "Changed"})
    assert "zip_code" in exc.value.message_dict
    user.refresh_from_db()
    assert user.zip_code == "78701"
    assert user.display_name != "Changed"


@pytest.mark.django_db
def test_unknown_profile_field_is_rejected(user):
    with pytest.raises(ValidationError) as exc:
        user_update_profile(actor=user, user=user, data={"is_staff": True})
    assert exc.value.message_dict == {"is_staff": ["Unknown field."]}
    user.refresh_from_db()
    assert user.is_staff is False


@pytest.mark.django_db
def test_zip_fills_in_a_missing_home_state(user):
    user_update_profile(actor=user, user=user, data={"home_state": "", "zip_code": "98101"})
    user.refresh_from_db()
    assert user.home_state == "WA"


@pytest.mark.django_db
def test_invalid_home_state_is_rejected(user):
    with pytest.raises(ValidationError) as exc:
        user_update_profile(actor=user, user=user, data={"home_state": "ZZ"})
    assert "home_state" in exc.value.message_dict


@pytest.mark.django_db
def test_too_long_bio_is_rejected(user):
    with pytest.raises(ValidationError) as exc:
        user_update_profile(actor=user, user=user, data={"bio": "x" * 2001})
    assert "bio" in exc.value.message_dict


@pytest.mark.parametrize(("value", "expected"), [("", ""), (" 97201 ", "97201")])
def test_validate_zip_accepts_blank_and_known_zips(value, expected):
    assert validate_zip(value) == expected


@pytest.mark.parametrize("value", ["00000", "abcde", "1234"])
def test_validate_zip_rejects_unknown_zips(value):
    with pytest.raises(ValidationError):
        validate_zip(value)


@pytest.mark.django_db
def test_api_token_obtain_returns_one_token_per_member(user):
    from kei_community.users.services import api_token_obtain
    from tests.factories import DEFAULT_PASSWORD

    key = api_token_obtain(email=f"  {user.email.upper()} ", password=DEFAULT_PASSWORD, request=_post())
    assert api_token_obtain(email=user.email, password=DEFAULT_PASSWORD, request=_post()) == key


@pytest.mark.django_db
def test_api_token_obtain_refuses_a_wrong_password(user):
    from kei_community.users.services import api_token_obtain

    with pytest.raises(PermissionDenied):
        api_token_obtain(email=user.email, password="nope", request=_post())


# --- one failure count and one lockout for the sign-in form and the API token ------------------

LOCKOUT = {"login_failed": "100/m/ip,3/5m/key"}


def _post(remote_addr: str = "192.0.2.10"):  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    return RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR=remote_addr)


def _fail_token(email: str, times: int) -> None:
    from kei_community.users.services import api_token_obtain

    for _ in range(times):
        with pytest.raises(PermissionDenied):
            api_token_obtain(email=email, password="wrong-password", request=_post())


def _form_authenticate(email: str, password: str):  # type: ignore[no-untyped-def]
    """What allauth's sign-in form does with the credentials (the form's door)."""
    from allauth.account.adapter import get_adapter

    request = _post()
    return get_adapter(request).authenticate(request, email=email, password=password)


@pytest.mark.django_db
def test_api_token_obtain_locks_the_account_after_repeated_failures(user, settings):
    from kei_community.core.exceptions import RateLimited
    from kei_community.users.services import api_token_obtain

    settings.ACCOUNT_RATE_LIMITS = LOCKOUT
    _fail_token(user.email, 3)
    with pytest.raises(RateLimited) as exc:
        api_token_obtain(email=user.email, password=DEFAULT_PASSWORD, request=_post())
    assert exc.value.retry_after == 300
    assert "Too many failed sign-in attempts" in str(exc.value)


@pytest.mark.django_db
def test_api_token_failures_lock_the_sign_in_form(user, settings):
    settings.ACCOUNT_RATE_LIMITS = LOCKOUT
    _fail_token(user.email, 3)
    with pytest.raises(ValidationError) as exc:
        _form_authenticate(user.email, DEFAULT_PASSWORD)
    assert exc.value.code == "too_many_login_attempts"


@pytest.mark.django_db
def test_sign_in_form_failures_lock_the_api_token(user, settings):
    from kei_community.core.exceptions import RateLimited
    from kei_community.users.services import api_token_obtain

    settings.ACCOUNT_RATE_LIMITS = LOCKOUT
    for _ in range(3):
        assert _form_authenticate(user.email, "wrong-password") is None
    with pytest.raises(RateLimited):
        api_token_obtain(email=user.email, password=DEFAULT_PASSWORD, request=_post())


@pytest.mark.django_db
def test_the_lockout_of_one_account_leaves_another_alone(user, other_user, settings):
    from kei_community.core.exceptions import RateLimited
    from kei_community.users.services import api_token_obtain

    settings.ACCOUNT_RATE_LIMITS = LOCKOUT
    _fail_token(user.email, 3)
    assert api_token_obtain(email=other_user.email, password=DEFAULT_PASSWORD, request=_post())
    with pytest.raises(RateLimited):
        api_token_obtain(email=user.email, password=DEFAULT_PASSWORD, request=_post())


@pytest.mark.django_db
def test_a_successful_token_request_takes_back_its_own_attempt(user, settings):
    from kei_community.users.services import api_token_obtain

    settings.ACCOUNT_RATE_LIMITS = LOCKOUT
    _fail_token(user.email, 2)
    for _ in range(3):
        assert api_token_obtain(email=user.email, password=DEFAULT_PASSWORD, request=_post())
    assert _form_authenticate(user.email, DEFAULT_PASSWORD) == user


@pytest.mark.django_db
def test_system_account_is_created_once_inactive_and_without_a_password():
    from kei_community.users.services import system_account

    first = system_account(email="system@kei.invalid", display_name="System")
    first.is_active = True
    first.set_password("someone-set-this-123")
    first.save()
    again = system_account(email="system@kei.invalid", display_name="System")
    assert again.pk == first.pk
    assert not again.is_active and not again.has_usable_password()
