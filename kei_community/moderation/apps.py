from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "kei_community.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from kei_community.moderation import photos
        from kei_community.notifications.registry import register_kind

        register_kind("moderation_notice", "A moderator's decision about your content or account")
        photos.register()
