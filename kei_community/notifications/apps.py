from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kei_community.notifications"
    label = "notifications"
    verbose_name = "Notifications"
