import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIRequestFactory

from kei_community.users.permissions import IsModerator, check_moderator
from tests.factories import ModeratorFactory, StaffFactory
from tests.users.conftest import enrol_totp

TOOL = "/test-moderation-tool/"
pytestmark = pytest.mark.urls("tests.users.urls")


@pytest.fixture
def mfa_required(settings):  # type: ignore[no-untyped-def]
    settings.MODERATION_REQUIRES_MFA = True


# --- check_moderator (services call it) --------------------------------------


@pytest.mark.django_db
def test_check_moderator_refuses_members(user):
    with pytest.raises(PermissionDenied):
        check_moderator(user)


def test_check_moderator_refuses_anonymous():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        check_moderator(AnonymousUser())


@pytest.mark.django_db
def test_check_moderator_allows_a_moderator_when_mfa_is_not_required(moderator, settings):
    settings.MODERATION_REQUIRES_MFA = False
    check_moderator(moderator)


@pytest.mark.django_db
def test_check_moderator_refuses_a_moderator_without_totp_when_mfa_is_required(moderator, mfa_required):
    with pytest.raises(PermissionDenied, match="two-factor"):
        check_moderator(moderator)


@pytest.mark.django_db
def test_check_moderator_allows_a_moderator_enrolled_in_totp(moderator, mfa_required):
    enrol_totp(moderator)
    check_moderator(moderator)


@pytest.mark.django_db
def test_staff_without_totp_are_refused_too(mfa_required):
    staff = StaffFactory()
    with pytest.raises(PermissionDenied):
        check_moderator(staff)
    enrol_totp(staff)
    check_moderator(staff)


@pytest.mark.django_db
def test_inactive_moderator_is_refused(settings):
    settings.MODERATION_REQUIRES_MFA = False
    with pytest.raises(PermissionDenied):
        check_moderator(ModeratorFactory(is_active=False))


def test_the_system_actor_may_moderate_without_two_factor(mfa_required):
    from kei_community.users.permissions import SYSTEM

    check_moderator(SYSTEM)


@pytest.mark.django_db
def test_a_lookalike_of_the_system_actor_is_refused(mfa_required):
    from kei_community.users.permissions import SystemActor

    with pytest.raises(PermissionDenied):
        check_moderator(SystemActor())  # only the one SYSTEM instance counts


# --- moderator_required (views) ----------------------------------------------


@pytest.mark.django_db
def test_moderator_view_sends_anonymous_visitors_to_login(client):
    response = client.get(TOOL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_moderator_view_is_403_for_members(client, user):
    client.force_login(user)
    response = client.get(TOOL)
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


@pytest.mark.django_db
def test_moderator_without_totp_is_sent_to_enrol(client, moderator, mfa_required):
    client.force_login(moderator)
    response = client.get(TOOL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.django_db
def test_moderator_with_totp_may_use_the_tool(client, moderator, mfa_required):
    enrol_totp(moderator)
    client.force_login(moderator)
    response = client.get(TOOL)
    assert response.status_code == 200
    assert response.content == b"moderation tool"


@pytest.mark.django_db
def test_moderator_may_use_the_tool_without_totp_when_not_required(client, moderator, settings):
    settings.MODERATION_REQUIRES_MFA = False
    client.force_login(moderator)
    assert client.get(TOOL).status_code == 200


@pytest.mark.django_db
def test_staff_without_totp_are_kept_out_of_the_admin(client, mfa_required):
    staff = StaffFactory()
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


# --- IsModerator (API) -------------------------------------------------------


def _api_request(user):  # type: ignore[no-untyped-def]
    request = APIRequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.django_db
def test_is_moderator_permission(user, moderator, mfa_required):
    permission = IsModerator()
    assert permission.has_permission(_api_request(user), None) is False
    assert permission.has_permission(_api_request(moderator), None) is False
    assert "two-factor" in permission.message
    enrol_totp(moderator)
    assert IsModerator().has_permission(_api_request(moderator), None) is True
