from datetime import timedelta

from celery.schedules import crontab
from django.apps import AppConfig
from django.conf import settings


class MediaConfig(AppConfig):
    name = "kei_community.media"
    label = "media"
    verbose_name = "Photos"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from kei_community.celery import app
        from kei_community.media.models import Photo
        from kei_community.media.signals import delete_photo_files

        post_delete.connect(delete_photo_files, sender=Photo, dispatch_uid="media-delete-photo-files")

        # Short, so a photo whose worker died is found within PHOTO_CLAIM_LEASE_SECONDS + this.
        sweep_every = int(settings.PHOTO_SWEEP_INTERVAL_SECONDS)

        app.conf.beat_schedule.update(
            {
                "media-sweep-photos": {
                    "task": "kei_community.media.tasks.sweep_photos",
                    "schedule": timedelta(seconds=sweep_every),
                    # A sweep nobody ran in time is dropped: the next one is due anyway.
                    "options": {"expires": sweep_every},
                },
                "media-cleanup-photos": {
                    "task": "kei_community.media.tasks.cleanup_photos",
                    "schedule": crontab(hour=3, minute=30),
                },
            }
        )
