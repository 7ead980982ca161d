from django.apps import AppConfig


class StategideConfig(AppConfig):
    name = "stategide"
    verbose_name = "State guide"
