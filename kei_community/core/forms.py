from __future__ import annotations

from typing import Any

from django import forms


class BootstrapFormMixin:
    """Give every widget Bootstrap's class so templates stay simple."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ContactForm(BootstrapFormMixin, forms.Form):
    """The Contact page. A visitor gives an email address to be answered at; a member is answered at theirs."""

    topic = forms.ChoiceField(label="What is it about?", choices=())
    subject = forms.CharField(label="Subject", max_length=150)
    body = forms.CharField(
        label="Message",
        min_length=10,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Include links to the listing, thread or state page it is about. Up to 4,000 characters.",
    )
    name = forms.CharField(label="Your name", max_length=100, required=False)
    email = forms.EmailField(label="Your email address", help_text="A moderator answers you here.")
    # A field people never see: bots fill it in.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, member: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kei_community.core.models import ContactMessage

        self.fields["topic"].choices = ContactMessage.Topic.choices  # type: ignore[attr-defined]
        if member is not None:
            del self.fields["name"], self.fields["email"]

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("Leave this field empty.")
        return ""
