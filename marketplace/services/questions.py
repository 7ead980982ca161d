"""Public questions on a listing and the seller's answers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kei_community.moderation.sanctions import check_not_suspended
from kei_community.notifications.services import notification_create
from marketplace.models import Listing, Question
from marketplace.services.rules import Status, _changed, _check_owner


@transaction.atomic
def question_ask(*, asker: Any, listing: Listing, body: str) -> Question:
    if not asker or not asker.is_authenticated:
        raise PermissionDenied("Sign in to ask a question.")
    check_not_suspended(asker)
    if not listing.is_public or listing.status == Status.SOLD:
        raise ValidationError("Questions are closed on this listing.")
    if asker.pk == listing.seller_id:
        raise ValidationError("Add details to your own listing by editing it.")
    question = Question(listing=listing, asker=asker, body=(body or "").strip())
    question.full_clean()
    question.save()
    _changed(listing, search=False)
    notification_create(
        recipient=listing.seller,
        kind="listing_question",
        title=f"New question on “{listing.title}”",
        url=question.get_absolute_url(),
        body=question.body[:300],
        actor=asker,
        target=listing,
    )
    return question


@transaction.atomic
def question_answer(*, actor: Any, question: Question, answer: str) -> Question:
    _check_owner(actor, question.listing)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": ["Write an answer."]})
    question.answer = answer
    question.answered_at = timezone.now()
    question.full_clean()
    question.save(update_fields=["answer", "answered_at"])
    _changed(question.listing, search=False)
    notification_create(
        recipient=question.asker,
        kind="listing_question",
        title=f"The seller answered your question on “{question.listing.title}”",
        url=question.get_absolute_url(),
        body=answer[:300],
        actor=actor,
        target=question.listing,
    )
    return question


def question_hide(question: Question) -> None:
    Question.objects.filter(pk=question.pk).update(hidden=True)
    _changed(question.listing, search=False)


def question_restore(question: Question) -> None:
    Question.objects.filter(pk=question.pk).update(hidden=False)
    _changed(question.listing, search=False)
