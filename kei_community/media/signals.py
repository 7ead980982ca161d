"""Storage housekeeping only: when a Photo row goes (e.g. by cascade from its owner), its files go too.

photo_delete removes files itself; this covers rows deleted by an owner's GenericRelation cascade.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def delete_photo_files(sender: Any, instance: Any, **kwargs: Any) -> None:
    from kei_community.media.services import _delete_files, rendition_names

    files = rendition_names(instance)
    originals = [instance.original.name] if instance.original else []
    transaction.on_commit(lambda: _delete_files(files, originals))
