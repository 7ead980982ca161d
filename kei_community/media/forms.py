from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from kei_community.core.forms import BootstrapFormMixin
from kei_community.media.validation import ACCEPT_ATTR, ACCEPTED_LABEL


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTR}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


def limits_help(max_photos: int | None = None) -> str:
    text = f"{ACCEPTED_LABEL}, up to {filesizeformat(settings.PHOTO_MAX_BYTES)} each"
    if max_photos:
        text += f"; at most {max_photos} photo{'s' if max_photos != 1 else ''}"
    return text + ". Location data and other metadata are removed."


class PhotoUploadForm(BootstrapFormMixin, forms.Form):
    photos = MultipleFileField(label="Add photos", required=True)

    def __init__(self, *args: Any, max_photos: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = limits_help(max_photos) + " You can choose several files at once."


class AvatarForm(BootstrapFormMixin, forms.Form):
    photo = forms.FileField(
        label="Profile picture",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR}),
        allow_empty_file=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photo"].help_text = limits_help(None)
