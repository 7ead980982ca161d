"""Rebuild static/vendor/bootstrap-icons/icons.svg: the Bootstrap Icons sprite cut down to the icons used.

    npm pack bootstrap-icons@1.13.2 && tar xzf bootstrap-icons-1.13.2.tgz
    python manage.py icons_subset package/bootstrap-icons.svg

The icons kept are the names passed to `{% icon "name" %}` in every template (found by scanning them)
plus ICONS_ALWAYS; tests/core/test_icons.py fails when a template names an icon the sprite lacks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kei_community.core.templatetags.icons import SPRITE

ICON_TAG = re.compile(r"""\{%\s*icon\s+["']([a-z0-9-]+)["']""")
# Icons named in Python (account menu entries: `icon="chat"`), drawn by `{% icon item.icon %}`.
ICON_ARG = re.compile(r'\bicon="([a-z0-9-]+)"')
ICONS_ALWAYS: set[str] = set()


def icons_used() -> set[str]:
    """Every icon name a template in the project asks for."""
    names = set(ICONS_ALWAYS)
    for pattern, found in (("*.html", ICON_TAG), ("*.py", ICON_ARG)):
        for path in Path(settings.BASE_DIR).rglob(pattern):
            if {".venv", "node_modules", "tests"} & set(path.parts):
                continue
            names.update(found.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


class Command(BaseCommand):
    help = "Cut Bootstrap Icons' sprite down to the icons the templates use."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("sprite", help="bootstrap-icons.svg from the npm package")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["sprite"]).read_text(encoding="utf-8")
        symbols = re.findall(r'(<symbol[^>]*\bid="([^"]+)"[^>]*>.*?</symbol>)', source, flags=re.S)
        by_id = {ident: symbol for symbol, ident in symbols}
        wanted = sorted(icons_used())
        missing = [name for name in wanted if name not in by_id]
        if missing:
            raise CommandError(f"not in Bootstrap Icons: {', '.join(missing)}")
        out = Path(settings.BASE_DIR) / "static" / SPRITE
        body = "".join(by_id[name] for name in wanted)
        out.write_text(f'<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>\n', encoding="utf-8")
        self.stdout.write(f"{out}: {len(wanted)} icons")
