"""Icons are the vendored Bootstrap Icons sprite, never emoji (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from kei_community.core.management.commands.icons_subset import icons_used

SPRITE = Path(settings.BASE_DIR) / "static" / "vendor" / "bootstrap-icons" / "icons.svg"


def test_every_icon_a_template_names_is_in_the_sprite():
    ids = set(re.findall(r'<symbol[^>]*\bid="([^"]+)"', SPRITE.read_text()))
    assert icons_used() - ids == set()
    assert {"bell", "chat", "truck", "funnel"} <= ids


def test_the_sprite_ships_with_its_licence():
    licence = (SPRITE.parent / "LICENSE").read_text()
    assert "MIT" in licence or "Permission is hereby granted" in licence


def test_the_layout_has_no_emoji_icons():
    templates = Path(settings.BASE_DIR) / "templates"
    layout = (templates / "base.html").read_text() + (templates / "includes" / "site_header.html").read_text()
    assert "{% site_header %}" in layout
    assert "&#128276;" not in layout and "🔔" not in layout
    assert '{% icon "bell"' in layout
