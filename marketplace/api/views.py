"""Marketplace API: thin views over marketplace.services / marketplace.selectors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from kei_community.core.api.pagination import MAX_PAGE_SIZE, query_int
from kei_community.core.api.schema import error_response
from kei_community.core.ids import id_or_404
from kei_community.core.public_url import absolute_url
from kei_community.core.us import zip_lookup
from kei_community.media.api.views import PhotosAutoSchema, PhotosViewSetMixin
from kei_community.media.models import Photo
from kei_community.vehicles.models import GarageTruck
from marketplace import selectors, services
from marketplace.api.serializers import (
    CompsSerializer,
    ConversationCreateSerializer,
    ConversationSerializer,
    ListingDetailSerializer,
    ListingSearchSerializer,
    ListingSerializer,
    ListingWriteSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    QuestionCreateSerializer,
    QuestionSerializer,
    SavedSearchSerializer,
)
from marketplace.filters import ALL_PARAMS, parse_search_params
from marketplace.models import Conversation, Listing, SavedSearch
from marketplace.search import SEARCH_FILTERS, state_code

# The documented query parameters of GET /listings/: one per declared search filter (marketplace.search), then
# the ones only the API has.
SEARCH_PARAMETERS = [
    *[
        OpenApiParameter(f.param, f.api_type, enum=f.api_enum, description=f.api_description or f.label)
        for f in SEARCH_FILTERS
    ],
    OpenApiParameter("viewer_zip", str, description="ZIP the viewer would register from (viewer_registration_outlook)"),
    OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="From 1; past the last page: the last"),
    OpenApiParameter(
        "page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}, description="1–100, default 20"
    ),
]


def _viewer_state(request: Request) -> str:
    if zip_code := request.query_params.get("viewer_zip") or "":
        place = zip_lookup(zip_code)
        return place["state"] if place else ""
    if code := state_code(request.query_params.get("registrable_in") or ""):
        return code
    return getattr(request.user, "home_state", "") if request.user.is_authenticated else ""


def _service_data(validated: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in validated.items() if k not in ("status", "sold_price")}
    if "truck" in data:
        truck_id = data["truck"]
        data["truck"] = GarageTruck.objects.filter(pk=truck_id).first() if truck_id else None
        if truck_id and data["truck"] is None:
            raise ValidationError({"truck": ["No such garage truck."]})
    return data


class IsAuthenticatedForWrites(permissions.IsAuthenticatedOrReadOnly):
    pass


class ListingGone(APIException):
    status_code = 410
    default_detail = "A moderator removed this listing; it is no longer available."
    default_code = "gone"


LISTING_GONE = error_response("A moderator removed this listing (its seller and moderators still read it).")
LISTING_WRITE_REFUSED = error_response(
    "The input was refused; `errors` says why, per field. Publishing (a create without `status` or with "
    '`"status": "active"`, or a PATCH to `"status": "active"`) also needs `drive`, `transmission`, the fields a '
    "listing always needs (`title`, `make`, `year_built`, `price`, `zip_code`) and at least "
    "LISTING_MIN_READY_PHOTOS (default 1) processed photos: otherwise 400 with `errors.photos`, `errors.drive`, "
    "`errors.transmission`... and the listing stays a draft. Create the draft, add photos "
    "(POST {id}/photos/), wait until they are `ready`, then PATCH the status."
)


@extend_schema_view(photo=extend_schema(methods=["PATCH"], operation_id="listings_photo_update"))
class ListingViewSet(PhotosViewSetMixin, viewsets.GenericViewSet):
    """Search, read, create and manage listings. Every listing carries page_url, eligibility and
    registration_outlook. Writes are for the seller only (others get 403/404)."""

    permission_classes = [IsAuthenticatedForWrites]
    serializer_class = ListingSerializer
    queryset = Listing.objects.none()
    schema = PhotosAutoSchema()

    def get_object(self) -> Listing:
        listing = selectors.listing_get_for_detail(pk=id_or_404(self.kwargs["pk"], "No such listing."))
        if listing is None:
            raise Http404("No such listing.")
        if not selectors.listing_visible_to(listing=listing, viewer=self.request.user):
            if listing.status == Listing.Status.REMOVED:  # its seller and moderators still read it
                raise ListingGone()
            raise Http404("No such listing.")
        return listing

    def _fresh(self, pk: int) -> Listing:
        """The listing re-read after a write (with photos and questions)."""
        listing = selectors.listing_get_for_detail(pk=pk)
        if listing is None:
            raise Http404("No such listing.")
        return listing

    # photos (PhotosViewSetMixin; who may change them: the seller, registered in MarketplaceConfig.ready)
    def photos_add(self, request: Request, obj: models.Model, upload: Any, alt: str) -> Photo:
        assert isinstance(obj, Listing)  # _photos_owner() is get_object()
        return services.listing_photo_add(actor=request.user, listing=obj, upload=upload)

    def _context(self, listings: list[Listing]) -> dict:
        return {
            "request": self.request,
            "viewer_state": _viewer_state(self.request),
            "favorite_ids": selectors.favorite_ids_for(viewer=self.request.user, listing_ids=[o.pk for o in listings]),
        }

    @extend_schema(parameters=SEARCH_PARAMETERS, responses={200: ListingSearchSerializer})
    def list(self, request: Request) -> Response:
        unknown = sorted(set(request.query_params) - set(ALL_PARAMS) - {"page_size", "format", "viewer_zip"})
        params, errors = parse_search_params(request.query_params)
        for name in unknown:
            errors[name] = "Unknown filter."
        if errors:
            raise DRFValidationError({k: [v] for k, v in errors.items()})
        query_int(request, "page")  # a whole number from 1 (or a 400); past the last page: the last page
        page_size = query_int(request, "page_size", maximum=MAX_PAGE_SIZE) or 20
        result = selectors.listing_search(params=params, viewer=request.user, page_size=page_size)

        def page_link(n: int) -> str | None:
            if n < 1 or n > result.num_pages:
                return None
            q = request.query_params.copy()
            q["page"] = str(n)
            return absolute_url(request.path) + "?" + q.urlencode()

        data = ListingSerializer(result.listings, many=True, context=self._context(result.listings)).data
        return Response(
            {
                "count": result.total,
                "count_is_capped": result.total_capped,
                "q_corrected": result.q_corrected,
                "page": result.page,
                "num_pages": result.num_pages,
                "next": page_link(result.page + 1),
                "previous": page_link(result.page - 1),
                "facets": result.facets,
                "ranges": result.ranges,
                "results": data,
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, description="A make (Suzuki), a model (Carry, Hijet) or a chassis code (DA63T), any case; "
                "leave out for every chassis family",
            )
        ],
        responses={200: CompsSerializer, 400: error_response("`q` names no make, model or chassis code we know.")},
    )  # fmt: skip
    @action(detail=False, methods=["get"], pagination_class=None)
    def comps(self, request: Request) -> Response:
        """Price comps (the /listings/prices/ page): median and quartiles of asking and sold prices per chassis
        family and five-year band, for every family or for what `q` names."""
        text = " ".join((request.query_params.get("q") or "").split())[:40]
        match = selectors.comps_lookup(text) if text else None
        if text and match is None:
            raise DRFValidationError({"q": [selectors.comps_unknown_message(text)]})
        rows = selectors.price_comps_cached(families=match.families if match else None)
        matched = {"kind": match.kind, "name": match.name, "families": list(match.families)} if match else None
        return Response({"q": text, "matched": matched, "results": rows})

    @extend_schema(responses={200: ListingDetailSerializer, 410: LISTING_GONE})
    def retrieve(self, request: Request, pk: str) -> Response:
        listing = self.get_object()
        return Response(ListingDetailSerializer(listing, context=self._context([listing])).data)

    @extend_schema(request=ListingWriteSerializer, responses={201: ListingDetailSerializer, 400: LISTING_WRITE_REFUSED})
    def create(self, request: Request) -> Response:
        ser = ListingWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        wanted = ser.validated_data.get("status", Listing.Status.ACTIVE)
        if wanted not in (Listing.Status.ACTIVE, Listing.Status.DRAFT):
            raise ValidationError({"status": ["A new listing is either a draft or active."]})
        listing = services.listing_create(
            seller=request.user, data=_service_data(ser.validated_data), publish=wanted == Listing.Status.ACTIVE
        )
        listing = self._fresh(listing.pk)
        return Response(ListingDetailSerializer(listing, context=self._context([listing])).data, status=201)

    @extend_schema(request=ListingWriteSerializer, responses={200: ListingDetailSerializer, 400: LISTING_WRITE_REFUSED})
    def partial_update(self, request: Request, pk: str) -> Response:
        listing = self.get_object()
        ser = ListingWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = _service_data(ser.validated_data)
        if data:
            services.listing_update(actor=request.user, listing=listing, data=data)
        if "status" in ser.validated_data:
            services.listing_set_status(
                actor=request.user, listing=listing, status=ser.validated_data["status"],
                sold_price=ser.validated_data.get("sold_price"),
            )  # fmt: skip
        listing = self._fresh(listing.pk)
        return Response(ListingDetailSerializer(listing, context=self._context([listing])).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        services.listing_delete(actor=request.user, listing=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post", "delete"], permission_classes=[permissions.IsAuthenticated])
    def favorite(self, request: Request, pk: str) -> Response:
        listing = self.get_object()
        if request.method == "POST":
            services.favorite_add(user=request.user, listing=listing)
        else:
            services.favorite_remove(user=request.user, listing=listing)
        count = Listing.objects.filter(pk=listing.pk).values_list("favorites_count", flat=True).first()
        return Response({"is_favorite": request.method == "POST", "favorites_count": count})

    @extend_schema(request=QuestionCreateSerializer, responses={201: QuestionSerializer})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def questions(self, request: Request, pk: str) -> Response:
        listing = self.get_object()
        ser = QuestionCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        question = services.question_ask(asker=request.user, listing=listing, body=ser.validated_data["body"])
        return Response(QuestionSerializer(question).data, status=201)


class SavedSearchViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
    mixins.DestroyModelMixin, viewsets.GenericViewSet,
):  # fmt: skip
    """Your saved searches. `query` is the search's query string (the /listings/ filters)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SavedSearchSerializer
    queryset = SavedSearch.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return SavedSearch.objects.filter(user=self.request.user)

    def perform_create(self, serializer: BaseSerializer[SavedSearch]) -> None:
        serializer.instance = services.saved_search_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: BaseSerializer[SavedSearch]) -> None:
        saved_search = serializer.instance
        assert isinstance(saved_search, SavedSearch)  # UpdateModelMixin passes the object from get_object()
        data = {k: v for k, v in serializer.validated_data.items() if k in ("name", "frequency")}
        serializer.instance = services.saved_search_update(actor=self.request.user, saved_search=saved_search, **data)

    def perform_destroy(self, instance: SavedSearch) -> None:
        services.saved_search_delete(actor=self.request.user, saved_search=instance)


class ConversationViewSet(viewsets.GenericViewSet):
    """Your private conversations with buyers or sellers (one per listing and buyer)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ConversationSerializer
    queryset = Conversation.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.conversations_for(user=self.request.user)

    def _get(self, pk: str) -> Any:
        conversation = selectors.conversation_get_for(user=self.request.user, pk=id_or_404(pk, "No such conversation."))
        if conversation is None:
            raise Http404("No such conversation.")
        return conversation

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ConversationSerializer(page, many=True, context={"request": request}).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ConversationSerializer(self._get(pk), context={"request": request}).data)

    @extend_schema(request=ConversationCreateSerializer, responses={201: ConversationSerializer})
    def create(self, request: Request) -> Response:
        ser = ConversationCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        listing = Listing.objects.filter(pk=ser.validated_data["listing"]).first()
        if listing is None or not listing.is_public:
            raise ValidationError({"listing": ["No such listing."]})
        conversation = services.conversation_start(buyer=request.user, listing=listing, body=ser.validated_data["body"])
        return Response(ConversationSerializer(conversation, context={"request": request}).data, status=201)

    @extend_schema(methods=["GET"], request=None, responses={200: MessageSerializer(many=True)})
    @extend_schema(methods=["POST"], request=MessageCreateSerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def messages(self, request: Request, pk: str) -> Response:
        conversation = self._get(pk)
        if request.method == "POST":
            ser = MessageCreateSerializer(data=request.data)
            ser.is_valid(raise_exception=True)
            message = services.message_send(
                sender=request.user, conversation=conversation, body=ser.validated_data["body"]
            )
            return Response(MessageSerializer(message, context={"request": request}).data, status=201)
        services.conversation_mark_read(user=request.user, conversation=conversation)
        return Response(
            MessageSerializer(
                selectors.conversation_messages(conversation=conversation, viewer=request.user),
                many=True,
                context={"request": request},
            ).data
        )
