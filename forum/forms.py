from __future__ import annotations

from typing import Any

from django import forms

from forum.models import Category, Level, Reaction
from kei_community.core.forms import BootstrapFormMixin
from kei_community.core.stopwords import too_common

MARKDOWN_HELP = (
    "Markdown works: **bold**, _italic_, [links](https://…), lists, > quotes. Mention a member with @[Their Name]."
)


class ThreadForm(BootstrapFormMixin, forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.order_by("position"), empty_label=None)
    title = forms.CharField(max_length=140, min_length=5)
    body = forms.CharField(label="First post", widget=forms.Textarea(attrs={"rows": 10}), help_text=MARKDOWN_HELP)
    tags = forms.CharField(
        required=False,
        max_length=200,
        help_text="Up to 5, separated by commas. A US state (TX or Texas) adds that state's guide banner.",
    )
    truck: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,  # type: ignore[arg-type]
        required=False,
        label="Garage truck (makes this a build thread)",
        empty_label="No truck — not a build thread",
    )
    photo = forms.FileField(
        required=False, label="Photo (optional)", widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kei_community.vehicles.models import GarageTruck

        trucks = (
            GarageTruck.objects.filter(owner=user).select_related("chassis_code")
            if user
            else GarageTruck.objects.none()
        )
        self.fields["truck"].queryset = trucks  # type: ignore[attr-defined]
        self.fields["body"].widget.attrs.update({"data-draft-key": "forum-new-thread", "data-preview": "1"})


class ReplyForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 6}), help_text=MARKDOWN_HELP)
    photo = forms.FileField(
        required=False, label="Photo (optional)", widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )

    def __init__(self, *args: Any, draft_key: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs.update({"data-draft-key": draft_key, "data-preview": "1"})


class PostEditForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(label="Post", widget=forms.Textarea(attrs={"rows": 10}), help_text=MARKDOWN_HELP)
    reason = forms.CharField(required=False, max_length=200, label="Reason for the edit")


class ThreadEditForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(max_length=140, min_length=5)
    tags = forms.CharField(required=False, max_length=200, help_text="Up to 5, separated by commas.")


class MoveForm(BootstrapFormMixin, forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.order_by("position"), empty_label=None, label="Move to")


class MergeForm(BootstrapFormMixin, forms.Form):
    target = forms.IntegerField(label="Merge into thread number", min_value=1)


class SplitForm(BootstrapFormMixin, forms.Form):
    positions = forms.CharField(max_length=500, label="Post numbers to split off (e.g. 4, 5, 9)")
    title = forms.CharField(max_length=140, min_length=5, label="New thread title")

    def clean_positions(self) -> list[int]:
        raw = self.cleaned_data["positions"].replace("#", "")
        try:
            numbers = sorted({int(part) for part in raw.replace(";", ",").split(",") if part.strip()})
        except ValueError:
            raise forms.ValidationError("Use post numbers separated by commas.") from None
        if not numbers:
            raise forms.ValidationError("Give at least one post number.")
        return numbers


class LevelForm(forms.Form):
    level = forms.ChoiceField(choices=Level.choices)


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=Reaction.Kind.choices)


class SearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Words")
    category = forms.ChoiceField(required=False)
    tag = forms.CharField(required=False, max_length=50)
    author = forms.CharField(required=False, max_length=60, label="Author name")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "All categories"), *Category.objects.order_by("position").values_list("slug", "name")]
        self.fields["category"].choices = choices  # type: ignore[attr-defined]

    def clean_q(self) -> str:
        q: str = self.cleaned_data.get("q") or ""
        if message := too_common(q):  # PostgreSQL's full-text search would leave every word out
            raise forms.ValidationError(message)
        return q
