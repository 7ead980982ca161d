from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "kei_community.media"
    label = "media"
    verbose_name = "Photos"
