from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kei_community.core"
    label = "core"
    verbose_name = "Site"

    def ready(self) -> None:
        from django.urls import register_converter

        from kei_community.core.ids import IdConverter

        # `<id:pk>` in every URLconf: a malformed or out-of-range id is a 404 before any view runs.
        register_converter(IdConverter, "id")

        from kei_community.core import caching

        caching.release()  # the cache's release version: hashed once per process, at startup

        from django.db.models.signals import post_migrate

        from kei_community.core.public_url import sync_site_row

        # The Sites framework's row follows SITE_URL (its default is example.com).
        post_migrate.connect(sync_site_row, sender=self, dispatch_uid="core.sync_site_row")

        from kei_community.core import contact
        from kei_community.core.models import ContactMessage
        from kei_community.moderation.registry import register_target

        # Contact messages reach the moderators as reports in the moderation queue.
        register_target(
            ContactMessage, hide=contact.leave_as_is, restore=contact.leave_as_is, describe=contact.describe
        )
