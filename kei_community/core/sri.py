"""Subresource Integrity for the site's own static files.

`integrity("vendor/htmx/htmx.min.js")` is the `sha384-…` value of the bytes the browser will receive
for that file: under the manifest storage (production) the hashed copy that collectstatic wrote
(CSS and JS there differ from the sources, their url() and sourceMappingURL are rewritten), read
once per process since a hashed name never changes; otherwise (development, tests) the file the
static finders serve, read again whenever it changes so an edited script is never blocked by a stale
digest.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

ALGORITHM = "sha384"


def digest(content: bytes) -> str:
    """The integrity attribute's value for these bytes."""
    return f"{ALGORITHM}-{base64.b64encode(hashlib.new(ALGORITHM, content).digest()).decode()}"


def immutable() -> bool:
    """True under the manifest storage: a file's served bytes never change under its hashed name."""
    return isinstance(staticfiles_storage, ManifestFilesMixin)


def integrity(path: str) -> str:
    """`sha384-…` of the static file `path` as it is served. A missing file raises ValueError."""
    if immutable():
        return _stored_digest(staticfiles_storage.stored_name(path))  # type: ignore[attr-defined]
    found = finders.find(path)
    if not isinstance(found, str):
        raise ValueError(f"The static file {path!r} was not found.")
    stat = os.stat(found)
    return _file_digest(found, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _stored_digest(stored_name: str) -> str:
    with staticfiles_storage.open(stored_name) as handle:
        return digest(handle.read())


@lru_cache(maxsize=256)
def _file_digest(filename: str, mtime_ns: int, size: int) -> str:
    with open(filename, "rb") as handle:
        return digest(handle.read())
