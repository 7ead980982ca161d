from __future__ import annotations

from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "Forum"

    def ready(self) -> None:
        from datetime import timedelta  # noqa: F401

        from celery.schedules import crontab

        from forum import hooks, services
        from forum.models import Post
        from kei_community.celery import app
        from kei_community.core.registry import register
        from kei_community.media.registry import register_owner
        from kei_community.moderation.registry import register_queue_source, register_target
        from kei_community.notifications.registry import register_kind

        register_kind("reply", "Replies to forum threads you watch")
        register_kind("mention", "Mentions of you in the forum")
        register_kind("new_thread", "New threads in forum categories you watch")
        register_kind("post_reaction", "Reactions to your forum posts", default_delivery="off")

        register_target(
            Post,
            hide=hooks.post_hide,
            restore=hooks.post_restore,
            describe=hooks.post_describe,
            noun="post",
            owner="author",
            related=("thread",),
            remove=hooks.post_take_down,
            unremove=hooks.post_put_back,
            changed=services.post_photos_changed,
        )
        register_queue_source("forum", hooks.held_queue)
        register_owner(Post, can_manage=hooks.post_photos_can_manage)

        register("home_sections", hooks.home_sections)
        register("site_search", hooks.site_search)
        register("truck_threads", hooks.truck_threads)
        register("state_threads", hooks.state_threads)
        register("profile_sections", hooks.profile_sections)
        register("member_activity", hooks.member_activity)
        register("seed_demo", hooks.seed_demo, order=40)

        app.conf.beat_schedule.update(
            {
                "forum-repair-counters": {
                    "task": "forum.tasks.repair_counters",
                    "schedule": crontab(hour=3, minute=40),
                },
            }
        )
