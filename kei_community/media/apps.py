from datetime import timedelta

from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "kei_community.media"
    label = "media"
    verbose_name = "Photos"

    def ready(self) -> None:
        from kei_community.celery import app

        app.conf.beat_schedule.update(
            {
                "media-sweep-photos": {
                    "task": "kei_community.media.tasks.sweep_photos",
                    "schedule": timedelta(minutes=5),
                }
            }
        )
