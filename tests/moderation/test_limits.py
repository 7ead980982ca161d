from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kei_community.moderation import limits
from tests.factories import UserFactory


@pytest.fixture
def limits_on(settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    settings.NEW_ACCOUNT_AGE_DAYS = 7
    settings.NEW_ACCOUNT_DAILY_CAPS = {"post": 2, "listing": 1}
    return settings


def _old_user():
    return UserFactory(date_joined=timezone.now() - timedelta(days=30))


@pytest.mark.django_db
def test_young_account_is_new(limits_on):
    assert limits.is_new_account(UserFactory()) is True


@pytest.mark.django_db
def test_old_account_is_not_new(limits_on):
    assert limits.is_new_account(_old_user()) is False


@pytest.mark.django_db
def test_moderator_is_never_new(limits_on, moderator):
    assert limits.is_new_account(moderator) is False


@pytest.mark.django_db
def test_cap_allows_below_the_limit(limits_on, user):
    limits.check_new_account_cap(user=user, action="post", count_today=1)


@pytest.mark.django_db
def test_cap_raises_a_clear_message_at_the_limit(limits_on, user):
    with pytest.raises(ValidationError) as exc:
        limits.check_new_account_cap(user=user, action="post", count_today=2)
    assert "up to 2 posts a day" in exc.value.messages[0]


@pytest.mark.django_db
def test_cap_uses_default_for_actions_missing_from_settings(limits_on, user):
    cap = limits.DEFAULT_DAILY_CAPS["message"]
    with pytest.raises(ValidationError):
        limits.check_new_account_cap(user=user, action="message", count_today=cap)


@pytest.mark.django_db
def test_cap_does_not_apply_to_old_accounts(limits_on):
    limits.check_new_account_cap(user=_old_user(), action="listing", count_today=50)


@pytest.mark.django_db
def test_unknown_action_is_a_programming_error(limits_on, user):
    with pytest.raises(ValueError):
        limits.check_new_account_cap(user=user, action="shout", count_today=0)


@pytest.mark.django_db
def test_first_content_of_young_account_is_held(limits_on, user):
    assert limits.held_for_review(user=user, has_prior_content=False) is True


@pytest.mark.django_db
def test_later_content_of_young_account_is_not_held(limits_on, user):
    assert limits.held_for_review(user=user, has_prior_content=True) is False


@pytest.mark.django_db
def test_first_content_of_old_account_is_not_held(limits_on):
    assert limits.held_for_review(user=_old_user(), has_prior_content=False) is False


@pytest.mark.django_db
def test_everything_is_a_no_op_when_disabled(settings, user):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = False
    limits.check_new_account_cap(user=user, action="post", count_today=10_000)
    assert limits.is_new_account(user) is False
    assert limits.held_for_review(user=user, has_prior_content=False) is False


# --- rate limits for every member ------------------------------------------------------------------


def test_message_rates_are_off_when_set_to_zero(settings):
    settings.MESSAGE_RATE_PER_MINUTE = 0
    settings.MESSAGE_RATE_PER_DAY = 0
    assert limits.message_rates() == []


def test_message_rates_come_from_settings(settings):
    settings.MESSAGE_RATE_PER_MINUTE = 10
    settings.MESSAGE_RATE_PER_DAY = 0
    assert limits.message_rates() == [limits.Rate(10, timedelta(minutes=1), "a minute")]


@pytest.mark.django_db
def test_check_rate_without_rates_makes_no_query(user, django_assert_num_queries):
    from kei_community.users.models import User

    with django_assert_num_queries(0):
        limits.check_rate(user=user, done=User.objects.none(), rates=[], noun="messages")


@pytest.mark.django_db
def test_rate_limited_is_not_a_validation_error(settings, user):
    """The API answers it 429 (not 400); pages catch it and show its message."""
    from kei_community.core.exceptions import RateLimited
    from kei_community.users.models import User

    rate = limits.Rate(1, timedelta(minutes=1), "a minute")
    with pytest.raises(RateLimited) as exc:
        limits.check_rate(user=user, done=User.objects.filter(pk=user.pk), rates=[rate], noun="sign-ups",
                          time_field="date_joined")  # fmt: skip
    assert not isinstance(exc.value, ValidationError)
    assert "up to 1 a minute" in exc.value.message and exc.value.retry_after >= 59
