from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from kei_community.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # The signed-in user usually arrives with the count annotated (users.backends); otherwise
    # count lazily so pages that never show the bell pay no query.
    annotated = getattr(user, "unread_notifications_count", None)
    return {
        "unread_notifications": annotated if annotated is not None else SimpleLazyObject(lambda: unread_count(user)),
        "notification_settings_url": reverse("notifications:settings"),
    }
