from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kei_community.core.registry import call_hooks
from kei_community.core.types import AuthenticatedHttpRequest
from kei_community.users.forms import ProfileForm
from kei_community.users.selectors import public_users
from kei_community.users.services import user_update_profile


def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(public_users(), pk=pk)
    sections: list[str] = []
    for block in call_hooks("profile_sections", member):
        if block:
            sections.append(block)
    return render(request, "users/user_detail.html", {"member": member, "sections": sections})


@login_required
def profile_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=user)
        if form.is_valid():
            try:
                user_update_profile(actor=user, user=user, data=form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, "Your profile was saved.")
                return redirect("users:settings")
    else:
        form = ProfileForm(instance=user)
    return render(request, "users/user_settings.html", {"form": form}, status=400 if form.errors else 200)
