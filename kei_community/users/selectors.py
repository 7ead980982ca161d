from django.apps import apps
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from kei_community.core.account_menu import header_count_columns
from kei_community.core.ids import parse_id
from kei_community.users.models import MODERATORS_GROUP, User


def public_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def user_with_header_state(user_id: object) -> User | None:
    """The user annotated with `in_moderators_group`, `unread_notifications_count` and
    `active_suspension_id` (their suspension in force, for the notice on every page and the
    suspended-member check of every write: kei_community.moderation.sanctions), or None.

    This runs on every signed-in request; building the equivalent annotated ORM query cost more
    than running it, so the statement is written here by hand (portable to SQLite and PostgreSQL).
    """
    pk = parse_id(user_id)
    if pk is None:
        return None
    notification = apps.get_model("notifications", "Notification")
    sanction = apps.get_model("moderation", "Sanction")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    memberships = User.groups.through._meta.db_table
    group_table = User.groups.field.related_model._meta.db_table  # type: ignore[union-attr]
    sql = (
        f"SELECT u.*, {header_count_columns()}"  # noqa: S608 - table names come from model metadata, values are parameters
        f"EXISTS (SELECT 1 FROM {memberships} ug JOIN {group_table} g ON g.id = ug.group_id "
        f"WHERE ug.user_id = u.id AND g.name = %s) AS in_moderators_group, "
        f"(SELECT COUNT(*) FROM {notification._meta.db_table} n "
        f"WHERE n.recipient_id = u.id AND n.read_at IS NULL) AS unread_notifications_count, "
        f"(SELECT s.id FROM {sanction._meta.db_table} s WHERE s.member_id = u.id AND s.kind = 'suspension' "
        f"AND s.lifted_at IS NULL AND (s.ends_at IS NULL OR s.ends_at > %s) "
        f"ORDER BY s.id DESC LIMIT 1) AS active_suspension_id "
        f"FROM {User._meta.db_table} u WHERE u.id = %s"
    )
    for user in User.objects.raw(sql, [MODERATORS_GROUP, now, pk]):  # noqa: S611 - no user input in the SQL text
        return user
    return None
