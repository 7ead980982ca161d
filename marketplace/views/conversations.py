"""Messages between a buyer and a seller: contacting the seller, the inbox and a conversation (/messages/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kei_community.core.exceptions import RateLimited
from kei_community.core.types import AuthenticatedHttpRequest
from marketplace import selectors, services
from marketplace.forms import MessageForm
from marketplace.views.common import _errors_to_form, _public_listing


@login_required
@require_POST
def contact_seller(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Start (or add to) the conversation; a refused message comes back in its form, text kept."""
    listing = _public_listing(pk)
    form = MessageForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            conversation = services.conversation_start(
                buyer=request.user, listing=listing, body=form.cleaned_data["body"]
            )
        except RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Message sent to the seller.")
            return redirect(conversation.get_absolute_url())
    return render(request, "marketplace/contact_seller.html", {"listing": listing, "form": form}, status=status)


# --- conversations (/messages/) ------------------------------------------------------


@login_required
def conversation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    conversations = list(selectors.conversations_for(user=request.user)[:200])
    unread = sum(1 for c in conversations if c.has_unread)
    return render(request, "marketplace/conversation_list.html", {"conversations": conversations, "unread": unread})


@login_required
def conversation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.conversation_get_for(user=request.user, pk=pk)
    if conversation is None:
        raise Http404("No such conversation.")
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.message_send(sender=request.user, conversation=conversation, body=form.cleaned_data["body"])
        except RateLimited as exc:  # the page comes back with the typed text in the form
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return redirect(conversation.get_absolute_url() + "#latest")
    services.conversation_mark_read(user=request.user, conversation=conversation)
    other = conversation.seller if request.user.pk == conversation.buyer_id else conversation.buyer
    msgs = selectors.conversation_messages(conversation=conversation, viewer=request.user)
    return render(
        request,
        "marketplace/conversation_detail.html",
        {
            "conversation": conversation,
            "messages_list": msgs,
            "other": other,
            "form": form,
            "any_warning": any(m.scam_warning for m in msgs),
            "scam_warning": services.SCAM_WARNING,
        },
        status=status,
    )
