"""Where photo files live: two storages named in settings.STORAGES (see storage_config.py).

- STORAGES["default"] (`public_storage()`): renditions, public. FileSystemStorage under MEDIA_ROOT
  (the proxy serves /media/), or the public bucket (MEDIA_STORAGE=s3), optionally behind a CDN.
- STORAGES["private"] (`private_storage`): originals, never public. PrivateFileSystemStorage under
  PRIVATE_MEDIA_ROOT (no URL at all), or the private bucket (presigned URLs only).

The database keeps file names; `public_url(name)` turns a rendition's name into its URL when a page
is rendered, without a storage round trip: the part before the name is computed once per process.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.deconstruct import deconstructible
from django.utils.encoding import filepath_to_uri
from django.utils.functional import LazyObject, empty

PUBLIC = "default"
PRIVATE = "private"


@deconstructible
class PrivateFileSystemStorage(FileSystemStorage):
    """FileSystemStorage rooted at settings.PRIVATE_MEDIA_ROOT (read on every use), with no URL."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Original photos are private and have no URL.")


class PrivateStorage(LazyObject):
    """STORAGES["private"], looked up on first use (and again after the setting changes, in tests)."""

    def _setup(self) -> None:
        self._wrapped = storages[PRIVATE]


private_storage: Any = PrivateStorage()


def get_private_storage() -> Storage:
    """The original's FileField storage (a callable, so migrations do not depend on the backend)."""
    storage: Storage = private_storage
    return storage


def public_storage() -> Storage:
    return storages[PUBLIC]


@lru_cache(maxsize=1)
def _public_url_prefix() -> str:
    """What comes before a rendition's name in its URL: MEDIA_URL, the CDN's or the bucket's address.

    Asked of the storage once (S3Storage.url without signing is a local computation) and kept.
    """
    probe = "kei-url-probe"
    url = public_storage().url(probe)
    if not url.endswith(probe) or "?" in url:  # a signed or otherwise name-dependent URL: no shortcut
        return ""
    return url[: -len(probe)]


def public_url(name: str) -> str:
    """The public URL of a rendition stored under `name` (no network, no database)."""
    if not name:
        return ""
    prefix = _public_url_prefix()
    if not prefix:
        return public_storage().url(name)
    return prefix + filepath_to_uri(name)


def original_signed_url(name: str, *, seconds: int) -> str | None:
    """A presigned URL of an original valid for `seconds`, or None when the storage cannot sign
    (the filesystem: the caller streams the file instead)."""
    from storages.backends.s3 import S3Storage

    storage = storages[PRIVATE]
    if not isinstance(storage, S3Storage):
        return None
    url: str = storage.url(name, expire=int(seconds))
    return url


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs: Any) -> None:
    """Tests switch backends with the `settings` fixture: forget what was looked up."""
    if setting in {"STORAGES", "MEDIA_URL", "MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"}:
        private_storage._wrapped = empty
        _public_url_prefix.cache_clear()
