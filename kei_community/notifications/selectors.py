from django.db.models import QuerySet

from kei_community.notifications.models import Notification


def notifications_for(user) -> QuerySet[Notification]:  # type: ignore[no-untyped-def]
    return Notification.objects.filter(recipient=user).select_related("actor")


def unread_count(user) -> int:  # type: ignore[no-untyped-def]
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
