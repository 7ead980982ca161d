"""State guide API: thin views over selectors and services."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kei_community.users.permissions import IsModerator
from stategide import checklist as checklists
from stategide import selectors, services
from stategide.api.serializers import (
    ApproveSerializer,
    ChecklistQuerySerializer,
    ChecklistSerializer,
    LawEventSerializer,
    ProposeSerializer,
    ProtectSerializer,
    RebaseSerializer,
    RejectSerializer,
    RevisionSerializer,
    RevisionSummarySerializer,
    StateDetailSerializer,
    StateListSerializer,
    UnprotectSerializer,
    VerifySerializer,
)
from stategide.models import Revision, StatePage


def _page(code: str) -> StatePage:
    page = selectors.page_get(code)
    if page is None:
        raise Http404("No state guide for that code.")
    return page


def _revision(page: StatePage, revision_id: str | int) -> Revision:
    revision = selectors.revision_get_by_id(page=page, revision_id=revision_id)
    if revision is None:
        raise Http404("No such revision.")
    return revision


class StateListView(APIView):
    """All 51 jurisdictions (50 states + DC) with their published status; not paginated."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=StateListSerializer(many=True))
    def get(self, request: Request) -> Response:
        pages = selectors.page_list(sort="state")
        return Response(StateListSerializer(pages, many=True, context={"request": request}).data)


class StateDetailView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=StateDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        return Response(StateDetailSerializer(_page(code), context={"request": request}).data)


class RevisionListView(GenericAPIView):
    """GET: the page's revisions, newest first. POST: propose an edit (verified members)."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    serializer_class = RevisionSummarySerializer

    @extend_schema(responses=RevisionSummarySerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        page = _page(code)
        queryset = selectors.revision_list(page=page)
        paged = self.paginate_queryset(queryset)
        return self.get_paginated_response(RevisionSummarySerializer(paged, many=True).data)

    @extend_schema(request=ProposeSerializer, responses={201: RevisionSerializer})
    def post(self, request: Request, code: str) -> Response:
        page = _page(code)
        serializer = ProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revision = services.revision_propose(
            author=request.user,
            page=page,
            data=serializer.content(),
            edit_summary=serializer.validated_data["edit_summary"],
            citations=serializer.validated_data.get("citations", []),
            summary_confirmed=serializer.validated_data.get("summary_confirmed", False),
        )
        revision = _revision(page, revision.pk)
        return Response(RevisionSerializer(revision).data, status=status.HTTP_201_CREATED)


class EventListView(APIView):
    """GET: the state's law timeline, oldest first. POST: add an event (moderators); watchers are told."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsModerator()]
        return [permissions.AllowAny()]

    @extend_schema(responses=LawEventSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        page = _page(code)
        return Response(LawEventSerializer(selectors.events_for(page=page), many=True).data)

    @extend_schema(request=LawEventSerializer, responses={201: LawEventSerializer})
    def post(self, request: Request, code: str) -> Response:
        page = _page(code)
        serializer = LawEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.event_add(actor=request.user, page=page, data=dict(serializer.validated_data))
        return Response(LawEventSerializer(event).data, status=status.HTTP_201_CREATED)


class StateChecklistView(APIView):
    """'Can I register this truck here?' for one state and a truck given by chassis code and build date."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[ChecklistQuerySerializer], responses=ChecklistSerializer)
    def get(self, request: Request, code: str) -> Response:
        page = _page(code)
        try:
            params = checklists.clean_truck_params(request.query_params)
        except checklists.ChecklistInputError as exc:
            raise ValidationError(exc.errors) from None
        truck = checklists.truck_from_params(**params)
        return Response(checklists.registration_checklist(page=page, truck=truck).as_dict())


class RevisionApproveView(APIView):
    permission_classes = [IsModerator]

    @extend_schema(request=ApproveSerializer, responses=RevisionSerializer)
    def post(self, request: Request, code: str, revision_id: str) -> Response:
        page = _page(code)
        revision = _revision(page, revision_id)
        serializer = ApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revision = services.revision_approve(
            actor=request.user, revision=revision, note=serializer.validated_data["note"]
        )
        return Response(RevisionSerializer(_revision(page, revision.pk)).data)


class RevisionRejectView(APIView):
    permission_classes = [IsModerator]

    @extend_schema(request=RejectSerializer, responses=RevisionSerializer)
    def post(self, request: Request, code: str, revision_id: str) -> Response:
        page = _page(code)
        revision = _revision(page, revision_id)
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revision = services.revision_reject(
            actor=request.user, revision=revision, reason=serializer.validated_data["reason"]
        )
        return Response(RevisionSerializer(_revision(page, revision.pk)).data)


class StateVerifyView(APIView):
    permission_classes = [IsModerator]

    @extend_schema(request=VerifySerializer, responses=StateDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        page = _page(code)
        serializer = VerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.page_verify(actor=request.user, page=page, **serializer.validated_data)
        return Response(StateDetailSerializer(_page(code), context={"request": request}).data)


class RevisionRebaseView(APIView):
    """Move a pending proposal that the page has outgrown onto the current published revision
    (its author or a moderator); its own changes are kept on top."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=RebaseSerializer, responses=RevisionSerializer)
    def post(self, request: Request, code: str, revision_id: str) -> Response:
        page = _page(code)
        revision = _revision(page, revision_id)
        RebaseSerializer(data=request.data).is_valid(raise_exception=True)
        services.revision_rebase(actor=request.user, revision=revision)
        return Response(RevisionSerializer(_revision(page, revision.pk)).data)


class StateProtectView(APIView):
    """Only moderators can propose edits to a protected page until it expires (1-365 days)."""

    permission_classes = [IsModerator]

    @extend_schema(request=ProtectSerializer, responses=StateDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        page = _page(code)
        serializer = ProtectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.page_protect(actor=request.user, page=page, **serializer.validated_data)
        return Response(StateDetailSerializer(_page(code), context={"request": request}).data)


class StateUnprotectView(APIView):
    """Lift protection. Unprotecting a page that is not protected changes nothing (200)."""

    permission_classes = [IsModerator]

    @extend_schema(request=UnprotectSerializer, responses=StateDetailSerializer)
    def post(self, request: Request, code: str) -> Response:
        page = _page(code)
        serializer = UnprotectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.page_unprotect(actor=request.user, page=page, reason=serializer.validated_data["reason"])
        return Response(StateDetailSerializer(_page(code), context={"request": request}).data)
