"""Render any form field with Bootstrap classes, whatever form class it came from.

Our own forms already get the classes from BootstrapFormMixin; allauth's forms do not,
so templates call `{{ field|bs_widget }}`, which adds them (and `is-invalid`) at render time.
"""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()


def bootstrap_class(widget: forms.Widget) -> str:
    if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return "form-check-input"
    if isinstance(widget, (forms.Select, forms.SelectMultiple)):
        return "form-select"
    return "form-control"


@register.filter
def bs_widget(field: BoundField) -> SafeString:
    widget = field.field.widget
    classes = str(widget.attrs.get("class", "")).split()
    wanted = bootstrap_class(widget)
    if wanted not in classes:
        classes.append(wanted)
    if field.errors and "is-invalid" not in classes:
        classes.append("is-invalid")
    return field.as_widget(attrs={"class": " ".join(classes)})


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)
