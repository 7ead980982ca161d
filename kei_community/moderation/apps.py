from datetime import timedelta

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "kei_community.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from kei_community.celery import app
        from kei_community.moderation import photos
        from kei_community.moderation.tasks import SUSPENSION_SWEEP_SECONDS
        from kei_community.notifications.registry import register_kind

        register_kind("moderation_notice", "A moderator's decision about your content or account")
        photos.register()

        app.conf.beat_schedule.update(
            {
                "moderation-end-expired-suspensions": {
                    "task": "kei_community.moderation.tasks.end_expired_suspensions",
                    "schedule": timedelta(seconds=SUSPENSION_SWEEP_SECONDS),
                    # A sweep nobody ran in time is dropped: the next one is due anyway.
                    "options": {"expires": SUSPENSION_SWEEP_SECONDS},
                },
            }
        )
