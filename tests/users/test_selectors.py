import pytest
from django.utils import timezone


@pytest.mark.django_db
def test_user_with_header_state_carries_moderator_flag_and_unread_count(moderator, user):
    from kei_community.notifications.services import notification_create_many
    from kei_community.users.selectors import user_with_header_state

    notification_create_many(recipients=[moderator, user], kind="report_resolved", title="Reviewed")
    notification_create_many(recipients=[moderator], kind="report_resolved", title="Reviewed again")
    moderator.notifications.filter(title="Reviewed").update(read_at=timezone.now())
    for member in (moderator, user):
        loaded = user_with_header_state(member.pk)
        assert loaded == member
        assert bool(loaded.in_moderators_group) == (member == moderator)
        assert loaded.unread_notifications_count == 1


@pytest.mark.django_db
def test_user_with_header_state_is_none_for_unknown_or_bad_ids(user):
    from kei_community.users.selectors import user_with_header_state

    assert user_with_header_state(user.pk + 1000) is None
    assert user_with_header_state("not-a-number") is None


@pytest.mark.django_db
def test_signed_in_request_loads_user_and_header_in_one_query(client, user, django_assert_num_queries):
    client.force_login(user)
    # The session comes from the cache (cached_db); one query loads the user with the moderator flag
    # and unread count; the settings form adds no query.
    with django_assert_num_queries(1):
        assert client.get("/settings/profile/").status_code == 200
