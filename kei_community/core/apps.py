from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kei_community.core"
    label = "core"
    verbose_name = "Core"
