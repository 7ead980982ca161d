"""Photo.renditions keeps file names, never URLs (issue 15).

Before: {"400": {"webp": "/media/photos/ab/<key>/400.webp", "jpeg": "/media/...400.jpg",
                 "names": ["photos/ab/<key>/400.webp", "photos/ab/<key>/400.jpg"], "width": 400, "height": 300}}
After:  {"400": {"webp": "photos/ab/<key>/400.webp", "jpeg": "photos/ab/<key>/400.jpg", "width": 400, "height": 300}}

The names come from "names" where present, else from the URL's path (whatever host or MEDIA_URL was
frozen into it). Backwards: URLs are built with the public storage configured when it runs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from django.db import migrations

FORMATS = (("webp", (".webp",)), ("jpeg", (".jpg", ".jpeg")))
BATCH = 1000


def name_from(value: Any, names: list[str], suffixes: tuple[str, ...]) -> str:
    """The storage name of one rendition from what was stored for it."""
    for name in names:
        if isinstance(name, str) and name.lower().endswith(suffixes):
            return name
    if not isinstance(value, str) or not value:
        return ""
    if "://" not in value and not value.startswith("/"):
        return value  # a name already
    path = unquote(urlsplit(value).path)
    start = path.find("photos/")
    return path[start:] if start >= 0 else path.lstrip("/")


def entry_to_names(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return entry
    names = entry.get("names") if isinstance(entry.get("names"), list) else []
    out = {key: entry[key] for key in ("width", "height") if key in entry}
    for fmt, suffixes in FORMATS:
        out[fmt] = name_from(entry.get(fmt), names, suffixes)
    return out


def entry_to_urls(entry: Any, url: Any) -> Any:
    if not isinstance(entry, dict):
        return entry
    out = {key: entry[key] for key in ("width", "height") if key in entry}
    names = [entry.get(fmt) or "" for fmt, _ in FORMATS]
    for (fmt, _), name in zip(FORMATS, names, strict=True):
        out[fmt] = url(name) if name else ""
    out["names"] = [name for name in names if name]
    return out


def convert(apps: Any, change: Any) -> None:
    Photo = apps.get_model("media", "Photo")
    batch = []
    for photo in Photo.objects.only("pk", "renditions").order_by("pk").iterator(chunk_size=BATCH):
        if not photo.renditions:
            continue
        photo.renditions = {key: change(entry) for key, entry in photo.renditions.items()}
        batch.append(photo)
        if len(batch) >= BATCH:
            Photo.objects.bulk_update(batch, ["renditions"])
            batch = []
    if batch:
        Photo.objects.bulk_update(batch, ["renditions"])


def urls_to_names(apps: Any, schema_editor: Any) -> None:
    convert(apps, entry_to_names)


def names_to_urls(apps: Any, schema_editor: Any) -> None:
    from django.core.files.storage import storages

    storage = storages["default"]
    convert(apps, lambda entry: entry_to_urls(entry, storage.url))


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0002_photo_claimed_until"),
    ]

    operations = [
        migrations.RunPython(urls_to_names, names_to_urls, elidable=False),
    ]
