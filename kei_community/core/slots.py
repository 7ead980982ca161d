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

import html
import re
import secrets
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.template.loader import get_template

from kei_community.core import caching

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


def pattern(slotted: Slotted | Sequence[Any]) -> str:
    """The cut markup as a `str.format_map` pattern: a {name} field per slot, literal braces doubled. Filling
    a pattern runs in C (`pattern.format_map(values)`; values go in as they are, so escape them first)."""
    texts, names = slotted
    parts = [texts[0].replace("{", "{{").replace("}", "}}")]
    for name, text in zip(names, texts[1:], strict=True):
        parts.append("{" + name + "}" + text.replace("{", "{{").replace("}", "}}"))
    return "".join(parts)


def render_pattern(template_name: str, context: dict[str, Any], slots: Sequence[str]) -> str:
    """`render_slotted` as a pattern (see `pattern`)."""
    return pattern(render_slotted(template_name, context, slots))


def render_slotted(template_name: str, context: dict[str, Any], slots: Sequence[str]) -> Slotted:
    """Render `template_name` with a marker in each slot variable and cut it at the markers."""
    markers = {name: marker() for name in slots}
    html = get_template(template_name).render({**context, **markers})
    return cut(html, {m: name for name, m in markers.items()})


def _escaped(value: Any) -> str:
    """`conditional_escape` without its lazy-string wrapper (this runs for every slot of every card)."""
    if type(value) is int:
        return str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value), quote=True)


def fill(slotted: Slotted | Sequence[Any], values: Mapping[str, Any], *, escape: bool = False) -> str:
    """The cut markup with each slot's value put back in (escaped first with `escape=True`, once per value
    however often its slot occurs)."""
    texts, names = slotted
    if not names:
        return str(texts[0])
    strings = {name: _escaped(value) for name, value in values.items()} if escape else values
    out = [texts[0]]
    for name, text in zip(names, texts[1:], strict=True):
        out.append(strings[name] if escape else str(strings[name]))
        out.append(text)
    return "".join(out)


class Slot(str):
    """A slot inside a variant's structure (a list of rows, each with its own count): `Stamp` puts the
    slot's marker there when it renders, so `{% for %}` loops can carry slots too. (A str, so a variant
    holding slots hashes as fast as one of plain values.)"""

    __slots__ = ()


def escaped(value: Any) -> str:
    """A value as it goes into a slot: escaped (ints as they are)."""
    return _escaped(value)


def _with_markers(value: Any, markers: Mapping[str, str]) -> Any:
    if isinstance(value, Slot):
        return markers[str.__str__(value)]
    if isinstance(value, (tuple, list)):
        return [_with_markers(v, markers) for v in value]
    if isinstance(value, dict):
        return {k: _with_markers(v, markers) for k, v in value.items()}
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
        self._rendered: dict[Hashable, str] = {}
        self._release = ""

    def cut(self, **variant: Any) -> Slotted:
        """This variant's markup cut at its slots."""
        markers = {name: marker() for name in self.slots}
        context = {name: _with_markers(value, markers) for name, value in variant.items()}
        html = get_template(self.template_name).render({**context, **markers})
        return cut(html, {m: name for name, m in markers.items()})

    def _format(self, variant: Mapping[str, Any]) -> str:
        return self.pattern(tuple(sorted(variant.items())), lambda: variant)

    def pattern(self, key: Hashable, variant: Callable[[], Mapping[str, Any]]) -> str:
        """The variant named by `key` as a `str.format_map` pattern ({slot} fields, literal braces doubled),
        rendered from `variant()` the first time, then kept per process and release (not under DEBUG,
        where templates change under `make run`). Callers that fill it pass values already escaped."""
        if self._release != caching.release() or settings.DEBUG:  # a new release, or `make run`
            self._release = caching.release()
            self._rendered.clear()
        found = self._rendered.get(key)
        if found is None:
            if len(self._rendered) > 256:
                self._rendered.clear()
            found = self._rendered[key] = pattern(self.cut(**variant()))
        return found

    def fill(self, variant: Mapping[str, Any], values: Mapping[str, Any]) -> str:
        """The markup of this variant with these values (escaped, once each) in its slots."""
        return self._format(variant).format_map({name: _escaped(value) for name, value in values.items()})
