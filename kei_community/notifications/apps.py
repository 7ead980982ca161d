from datetime import timedelta

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kei_community.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from celery.schedules import crontab
        from django.conf import settings

        from kei_community.celery import app

        app.conf.beat_schedule.update(
            {
                "notifications-sweep-unsent": {
                    "task": "kei_community.notifications.tasks.sweep_unsent_notifications",
                    "schedule": timedelta(minutes=5),
                },
                "notifications-daily-digest": {
                    "task": "kei_community.notifications.tasks.send_daily_digests",
                    "schedule": crontab(minute=0, hour=settings.NOTIFICATIONS_DIGEST_HOUR_UTC),
                },
            }
        )
