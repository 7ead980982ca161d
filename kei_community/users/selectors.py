from django.apps import apps
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from kei_community.users.models import MODERATORS_GROUP, User


def public_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def users_with_header_state() -> QuerySet[User]:
    """Users annotated with `in_moderators_group` and `unread_notifications_count` in one query."""
    notification = apps.get_model("notifications", "Notification")
    unread = (
        notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return User.objects.annotate(
        in_moderators_group=Exists(
            User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=MODERATORS_GROUP)
        ),
        unread_notifications_count=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
    )
