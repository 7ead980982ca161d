from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from kei_community.core.forms import BootstrapFormMixin
from kei_community.core.us import US_STATE_CHOICES
from kei_community.users.models import User
from kei_community.users.services import validate_zip

ZIP_ATTRS = {"inputmode": "numeric", "autocomplete": "postal-code", "pattern": "[0-9]{5}"}


class SignupProfileForm(BootstrapFormMixin, forms.Form):
    """Extra fields on allauth's signup form."""

    display_name = forms.CharField(
        max_length=60,
        required=False,
        help_text="Shown on your posts and listings.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    home_state = forms.ChoiceField(choices=[("", "—"), *US_STATE_CHOICES], required=False)
    zip_code = forms.CharField(
        label="ZIP code",
        max_length=5,
        required=False,
        help_text="5 digits. Used to show distances to trucks for sale; shown on your profile.",
        widget=forms.TextInput(attrs=ZIP_ATTRS),
    )

    def clean_zip_code(self) -> str:
        try:
            return validate_zip(self.cleaned_data.get("zip_code", ""))
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["zip_code"]) from exc

    def signup(self, request: HttpRequest, user: User) -> None:
        from kei_community.users.services import user_update_profile

        user_update_profile(
            actor=user,
            user=user,
            data={k: self.cleaned_data.get(k, "") for k in ("display_name", "home_state", "zip_code")},
        )


class ProfileForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "home_state", "zip_code", "bio"]
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
            "zip_code": forms.TextInput(attrs=ZIP_ATTRS),
            "bio": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "display_name": "Shown on your posts and listings. Leave empty to appear as “member” plus a number.",
            "bio": "Markdown. Up to 2,000 characters.",
        }

    def clean_zip_code(self) -> str:
        try:
            return validate_zip(self.cleaned_data.get("zip_code", ""))
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["zip_code"]) from exc

    def save(self, commit: bool = True) -> Any:  # pragma: no cover - views call the service
        raise NotImplementedError("Use kei_community.users.services.user_update_profile")
