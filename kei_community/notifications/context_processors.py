from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from kei_community.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that never show the bell pay no query.
    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "notification_settings_url": reverse("notifications:settings"),
    }
