"""Where photo files live.

Originals go to a FileSystemStorage under settings.PRIVATE_MEDIA_ROOT, outside
MEDIA_ROOT and never served. Renditions go to the default (public) storage.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateMediaStorage(FileSystemStorage):
    """FileSystemStorage rooted at settings.PRIVATE_MEDIA_ROOT (read on every use).

    It has no URL: originals are only read by the processing task.
    """

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property  # type: ignore[override]
    def location(self) -> str:
        import os

        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:  # pragma: no cover - guarded on purpose
        raise ValueError("Original photos are private and have no URL.")


private_storage = PrivateMediaStorage()


def get_private_storage() -> Storage:
    return private_storage


def public_storage() -> Storage:
    return default_storage
