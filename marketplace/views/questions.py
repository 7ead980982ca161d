"""Questions on a listing: asking, and the seller's answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from kei_community.core.types import AuthenticatedHttpRequest
from marketplace import services
from marketplace.forms import AnswerForm, QuestionForm
from marketplace.models import Question
from marketplace.views.common import _flash_error, _public_listing


@login_required
@require_POST
def question_ask(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _public_listing(pk)
    form = QuestionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Write your question (up to 2,000 characters).")
        services.question_ask(asker=request.user, listing=listing, body=form.cleaned_data["body"])
        messages.success(request, "Question posted. The seller has been notified.")
    except ValidationError as exc:
        _flash_error(request, exc)
    return redirect(listing.get_absolute_url() + "#questions")


@login_required
@require_POST
def question_answer(request: AuthenticatedHttpRequest, pk: int, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("listing", "asker"), pk=question_id, listing_id=pk)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Write an answer.")
        services.question_answer(actor=request.user, question=question, answer=form.cleaned_data["answer"])
        messages.success(request, "Answer posted.")
    except PermissionDenied:
        raise Http404("No such question.") from None
    except ValidationError as exc:
        _flash_error(request, exc)
    return redirect(question.get_absolute_url())
