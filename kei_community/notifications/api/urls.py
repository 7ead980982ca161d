from django.urls import path

from kei_community.notifications.api import views

urlpatterns = [
    path("me/notifications/", views.MyNotificationListView.as_view(), name="my-notification-list"),
    path("me/notifications/read/", views.MyNotificationsReadView.as_view(), name="my-notifications-read"),
    path(
        "me/notification-settings/",
        views.MyNotificationPreferencesView.as_view(),
        name="my-notification-settings",
    ),
]
