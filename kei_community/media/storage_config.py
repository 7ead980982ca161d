"""The two photo storages as STORAGES entries, built from the environment by settings.py.

- "default": public renditions (file names like photos/ab/<key>/960.webp). Served by the proxy from
  MEDIA_ROOT (filesystem) or straight from the public bucket / the CDN in front of it (s3). URLs are
  computed from the name, never signed.
- "private": originals (originals/ab/<key>.jpg). Never public: a directory the proxy does not serve
  (filesystem), or a bucket without a public policy (s3); a moderator reaches one through a
  short-lived presigned URL (kei_community.media.services.photo_original_access).

This module imports nothing from Django apps so settings.py can use it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

FILESYSTEM = "filesystem"
S3 = "s3"
BACKENDS = (FILESYSTEM, S3)

S3_BACKEND = "storages.backends.s3.S3Storage"
# Renditions are written once under their name (a reprocess rewrites the same name: purge the CDN then).
PUBLIC_CACHE_CONTROL = "public, max-age=31536000"


def media_storages(
    *,
    backend: str = FILESYSTEM,
    endpoint_url: str = "",
    public_bucket: str = "",
    private_bucket: str = "",
    access_key: str = "",
    secret_key: str = "",
    custom_domain: str = "",
    region: str = "",
    original_url_seconds: int = 60,
) -> dict[str, dict[str, Any]]:
    """STORAGES["default"] (public renditions) and STORAGES["private"] (originals) for `backend`.

    Raises ValueError naming what is missing (settings turns it into ImproperlyConfigured).
    """
    if backend not in BACKENDS:
        raise ValueError(f"MEDIA_STORAGE must be one of {', '.join(BACKENDS)}, not {backend!r}.")
    if backend == FILESYSTEM:
        return {
            # MEDIA_ROOT and MEDIA_URL, read when first used (tests and nodes override them).
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"allow_overwrite": True}},
            "private": {"BACKEND": "kei_community.media.storage.PrivateFileSystemStorage"},
        }
    missing = [
        name
        for name, value in (("AWS_STORAGE_BUCKET_NAME", public_bucket), ("AWS_PRIVATE_BUCKET_NAME", private_bucket))
        if not value
    ]
    if missing:
        raise ValueError(f"MEDIA_STORAGE=s3 needs {' and '.join(missing)}.")
    if public_bucket == private_bucket:
        raise ValueError(
            "AWS_PRIVATE_BUCKET_NAME must differ from AWS_STORAGE_BUCKET_NAME: originals are never public."
        )
    common: dict[str, Any] = {
        "endpoint_url": endpoint_url or None,
        # Unset: boto3's own chain (environment, instance profile, ...).
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "region_name": region or None,
        "signature_version": "s3v4",
        # A self-hosted endpoint (MinIO, Ceph, the test server) is addressed as endpoint/bucket/key.
        "addressing_style": "path" if endpoint_url else None,
        "file_overwrite": True,  # names are unique (the photo's key); no HEAD before each write
        "default_acl": None,  # what may be read anonymously is the bucket policy's business
        "location": "",
    }
    return {
        "default": {
            "BACKEND": S3_BACKEND,
            "OPTIONS": {
                **common,
                "bucket_name": public_bucket,
                "custom_domain": custom_domain or None,
                "querystring_auth": False,  # public URLs are computed, not signed
                "object_parameters": {"CacheControl": PUBLIC_CACHE_CONTROL},
            },
        },
        "private": {
            "BACKEND": S3_BACKEND,
            "OPTIONS": {
                **common,
                "bucket_name": private_bucket,
                "custom_domain": None,  # never through the CDN
                "querystring_auth": True,
                "querystring_expire": int(original_url_seconds),
                "object_parameters": {"CacheControl": "private, no-store"},
            },
        },
    }


def media_public_origin(
    *, backend: str = FILESYSTEM, endpoint_url: str = "", public_bucket: str = "", custom_domain: str = "", **_: Any
) -> str:
    """The origin rendition URLs point at ("" when it is the site itself), for the CSP's img-src.

    Takes the same keywords as media_storages (the others are ignored)."""
    if backend != S3:
        return ""
    if custom_domain:
        return f"https://{custom_domain}"
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        return f"{parts.scheme}://{parts.netloc}"
    if "." in public_bucket:  # not usable as a host name: boto3 falls back to path style
        return "https://s3.amazonaws.com"
    return f"https://{public_bucket}.s3.amazonaws.com"
