import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kei_community.users.services import user_update_profile, validate_zip
from tests.factories import StaffFactory


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

    key = api_token_obtain(email=f"  {user.email.upper()} ", password=DEFAULT_PASSWORD)
    assert api_token_obtain(email=user.email, password=DEFAULT_PASSWORD) == key


@pytest.mark.django_db
def test_api_token_obtain_refuses_a_wrong_password(user):
    from kei_community.users.services import api_token_obtain

    with pytest.raises(PermissionDenied):
        api_token_obtain(email=user.email, password="nope")
