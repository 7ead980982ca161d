from django.apps import AppConfig


class StategideConfig(AppConfig):
    name = "stategide"
    verbose_name = "State guide"

    def ready(self) -> None:
        from kei_community.core.registry import register
        from stategide import reference

        register("reference_data", reference.load_states)
