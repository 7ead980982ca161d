from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kei_community.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.urls import register_converter

        from kei_community.core.ids import IdConverter

        # `<id:pk>` in every URLconf: a malformed or out-of-range id is a 404 before any view runs.
        register_converter(IdConverter, "id")

        from kei_community.core import caching

        caching.release()  # the cache's release version: hashed once per process, at startup
