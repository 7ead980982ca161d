from django.apps import AppConfig


class StategideConfig(AppConfig):
    name = "stategide"
    verbose_name = "State guide"

    def ready(self) -> None:
        from celery.schedules import crontab

        from kei_community.celery import app
        from kei_community.core.registry import register
        from kei_community.moderation.registry import register_queue_source, register_target
        from kei_community.notifications.registry import DAILY, register_kind
        from stategide import checklist, demo, hooks, reference
        from stategide.models import Revision

        register("reference_data", reference.load_states)
        register("seed_demo", demo.seed_guide, order=20)
        register("home_sections", hooks.home_sections)
        register("site_search", hooks.site_search)
        register("truck_links", checklist.truck_links)
        register_queue_source("stategide", hooks.queue_items)
        register_target(
            Revision, hide=hooks.revision_hide, restore=hooks.revision_restore, describe=hooks.revision_describe
        )

        register_kind("guide_change", "A state you watch changed in the state guide")
        register_kind("proposal_approved", "Your state guide edit was published")
        register_kind("proposal_rejected", "Your state guide edit was not published")
        register_kind("guide_reminder", "State guide pages to verify (moderators)", DAILY)

        app.conf.beat_schedule.update(
            {
                "stategide-moderator-reminders": {
                    "task": "stategide.send_moderator_reminders",
                    "schedule": crontab(minute=0, hour=14, day_of_week="mon"),
                }
            }
        )
