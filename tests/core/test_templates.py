"""Every project template obeys the CSP rules: nonce on <script>/<style>, no inline handlers or
style attributes, no CDN assets, Subresource Integrity on every script and stylesheet it loads
(allauth's and other packages' templates are not ours to scan)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = sorted(
    p
    for base in ("templates", "kei_community", "marketplace", "forum", "stategide")
    for p in (ROOT / base).rglob("*.html")
    if "templates" in p.parts
)
RULES = {
    "<script> without nonce": re.compile(r"<script\b(?![^>]*\bnonce=)[^>]*>"),
    "<style> without nonce": re.compile(r"<style\b(?![^>]*\bnonce=)[^>]*>"),
    "inline event handler": re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE),
    "script or image from another origin": re.compile(r"<(?:script|img)\b[^>]*\ssrc=\"(?:https?:)?//", re.IGNORECASE),
    "stylesheet from another origin": re.compile(
        r"<link\b(?=[^>]*rel=\"(?:stylesheet|preload|modulepreload)\")[^>]*href=\"(?:https?:)?//", re.IGNORECASE
    ),
    # Subresource Integrity: `integrity="{% sri 'path' %}"` (or the layout's SRI.<name>) on each.
    "<script src> without integrity": re.compile(r"<script\b(?=[^>]*\ssrc=)(?![^>]*\sintegrity=)[^>]*>"),
    "stylesheet without integrity": re.compile(r"<link\b(?=[^>]*rel=\"stylesheet\")(?![^>]*\sintegrity=)[^>]*>"),
}


def test_templates_were_found():
    assert len(TEMPLATES) > 10
    assert ROOT / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_follows_the_csp_rules(template):
    text = template.read_text()
    problems = [f"{name}: {match.group(0)[:80]}" for name, rule in RULES.items() for match in rule.finditer(text)]
    # JSON data blocks (<script type="application/json">) never execute; they are fine without a nonce.
    problems = [p for p in problems if "application/json" not in p]
    assert problems == []


STATIC_TAG = re.compile(r"<(?:script|link)\b[^>]*\{% static '([^']+)' %\}[^>]*>")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_static_script_or_stylesheet_names_the_same_file_for_its_integrity(template):
    for match in STATIC_TAG.finditer(template.read_text()):
        tag, path = match.group(0), match.group(1)
        if "<link" in tag and 'rel="stylesheet"' not in tag:
            continue
        assert f"integrity=\"{{% sri '{path}' %}}\"" in tag, tag
