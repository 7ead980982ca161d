from __future__ import annotations

from typing import Any

from django import forms

from kei_community.core.forms import BootstrapFormMixin
from kei_community.notifications.registry import DELIVERY_CHOICES, NotificationKind


class NotificationPreferencesForm(BootstrapFormMixin, forms.Form):
    """One choice per registered kind: email at once, in the daily digest, or not at all."""

    def __init__(self, *args: Any, preferences: list[tuple[NotificationKind, str]], **kwargs: Any) -> None:
        self.kinds = [kind for kind, _ in preferences]
        initial = {f"kind_{kind.key}": delivery for kind, delivery in preferences}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for kind, _ in preferences:
            self.fields[f"kind_{kind.key}"] = forms.ChoiceField(label=kind.label, choices=DELIVERY_CHOICES)
            # Added after the mixin ran, so give the widget Bootstrap's class here.
            self.fields[f"kind_{kind.key}"].widget.attrs["class"] = "form-select"

    def preferences(self) -> dict[str, str]:
        return {kind.key: self.cleaned_data[f"kind_{kind.key}"] for kind in self.kinds}
