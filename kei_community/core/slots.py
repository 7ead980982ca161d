"""Slots: per-reader values put into cached markup at positions recorded when it was rendered.

Cached HTML often needs a few values that differ per request (the CSRF token, the CSP nonce, the
reader's favourite button, a distance). Searching the cached text for a fixed placeholder would let
member-written text produce one (issue 10, defect 3), so nothing here is a fixed string:

- `render_slotted(template, context, slots)` renders a template with a fresh random marker in each
  slot variable, then cuts the output at exactly those markers: `Slotted(texts, names)`, primitives
  that can be cached. `fill(slotted, values)` joins the texts around the values, never searching the
  text again. Markers are digits only (a URL pattern with `<int:pk>` reverses them; autoescape leaves
  them alone) and are drawn per render, so no member could have known one when writing their text.
- `Stamp` renders a small template once per variant (the markup of a favourite button, a reaction
  form) with markers in its slots, then fills it for each item: template markup at the cost of a
  string join. Values are escaped when filled (`fill(..., escape=True)`).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.template.loader import get_template
from django.utils.html import conditional_escape

Slotted = tuple[tuple[str, ...], tuple[str, ...]]  # (texts, names): len(texts) == len(names) + 1


def marker() -> str:
    """A fresh marker: 18 random digits (no member text saved earlier can contain it but by a 1e-17 chance),
    a valid id for `<int:pk>` and `<id:pk>` URL patterns."""
    return "9" + str(secrets.randbelow(10**17)).zfill(17)


def cut(html: str, markers: Mapping[str, str]) -> Slotted:
    """`html` cut at each occurrence of the markers (marker -> slot name)."""
    if not markers:
        return (html,), ()
    pieces = re.split("(" + "|".join(re.escape(m) for m in markers) + ")", html)
    return tuple(pieces[0::2]), tuple(markers[m] for m in pieces[1::2])


def render_slotted(template_name: str, context: dict[str, Any], slots: Sequence[str]) -> Slotted:
    """Render `template_name` with a marker in each slot variable and cut it at the markers."""
    markers = {name: marker() for name in slots}
    html = get_template(template_name).render({**context, **markers})
    return cut(html, {m: name for name, m in markers.items()})


def fill(slotted: Slotted | Sequence[Any], values: Mapping[str, Any], *, escape: bool = False) -> str:
    """The cut markup with each slot's value put back in (escaped first with `escape=True`)."""
    texts, names = slotted
    if not names:
        return str(texts[0])
    out = [texts[0]]
    for name, text in zip(names, texts[1:], strict=True):
        value = values[name]
        out.append(str(conditional_escape(value)) if escape else str(value))
        out.append(text)
    return "".join(out)


class Slot:
    """A slot inside a variant's structure (a list of rows, each with its own count): `Stamp` puts the
    slot's marker there when it renders, so `{% for %}` loops can carry slots too."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Slot) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("slot", self.name))

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


def _with_markers(value: Any, markers: Mapping[str, str]) -> Any:
    if isinstance(value, Slot):
        return markers[value.name]
    if isinstance(value, (tuple, list)):
        return [_with_markers(v, markers) for v in value]
    return value


class Stamp:
    """A template rendered once per variant with its slots cut out, filled per item.

    `variant` is the template context that changes the markup's shape (booleans, labels, tuples of
    rows with `Slot`s in them); `slots` are the names of the values filled per item (each a template
    variable, or a `Slot` in the variant). Renders are kept per process and release.
    """

    def __init__(self, template_name: str, slots: Sequence[str]) -> None:
        self.template_name = template_name
        self.slots = tuple(slots)
        self._rendered: dict[tuple[str, tuple[tuple[str, Any], ...]], Slotted] = {}

    def cut(self, **variant: Any) -> Slotted:
        from kei_community.core.caching import release

        key = (release(), tuple(sorted(variant.items())))
        found = None if settings.DEBUG else self._rendered.get(key)  # `make run`: templates change under us
        if found is None:
            if len(self._rendered) > 256:
                self._rendered.clear()
            markers = {name: marker() for name in self.slots}
            context = {name: _with_markers(value, markers) for name, value in variant.items()}
            html = get_template(self.template_name).render({**context, **markers})
            found = self._rendered[key] = cut(html, {m: name for name, m in markers.items()})
        return found

    def fill(self, variant: Mapping[str, Any], values: Mapping[str, Any]) -> str:
        """The markup of this variant with these values (escaped) in its slots."""
        return fill(self.cut(**variant), values, escape=True)
