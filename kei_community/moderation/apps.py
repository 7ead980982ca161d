from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "kei_community.moderation"
    label = "moderation"
    verbose_name = "Moderation"
