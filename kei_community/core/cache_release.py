"""The release version in every cache key: a hash of the code and templates that shape cached values.

Computed once per process (at startup, by CoreConfig.ready) from the contents of every template
directory of the project and the Python source of the project's packages (the apps build what is
cached: card markup, page data shapes), plus the pinned requirements. A deploy that changes any of
them reads and writes under new keys, so it never reads a value of an old shape; nothing is bumped
by hand. Old entries are never read again and expire with their region's TTL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

SKIP_PARTS = {"tests", "migrations", "__pycache__", "node_modules", ".venv", "var", "static"}


def project_packages() -> list[Path]:
    """The packages of this project (not third-party apps): kei_community and the three apps."""
    base = Path(settings.BASE_DIR)
    return [p for p in (base / name for name in ("kei_community", "marketplace", "forum", "stategide")) if p.is_dir()]


def template_dirs() -> list[Path]:
    """Every template directory under the project: TEMPLATES DIRS and each package's templates/."""
    templates: list[dict[str, Any]] = settings.TEMPLATES
    dirs = [Path(d) for conf in templates for d in conf.get("DIRS", [])]
    for package in project_packages():
        dirs.extend(p for p in package.rglob("templates") if p.is_dir() and not SKIP_PARTS & set(p.parts))
    return [d for d in dict.fromkeys(dirs) if d.is_dir()]


def _files() -> Iterable[Path]:
    for directory in template_dirs():
        yield from (p for p in directory.rglob("*") if p.is_file() and p.suffix in {".html", ".txt", ".xml"})
    for package in project_packages():
        for path in package.rglob("*.py"):
            if not SKIP_PARTS & set(path.relative_to(package).parts):
                yield path
    requirements = Path(settings.BASE_DIR) / "requirements.txt"
    if requirements.is_file():
        yield requirements


def compute() -> str:
    """A short hash of the files that shape cached values (same files, same release)."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for path in sorted(set(_files())):
        try:
            name = str(path.relative_to(base))
        except ValueError:
            name = str(path)
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]
