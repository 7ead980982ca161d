"""Photo API.

- GET/DELETE /api/v1/photos/{id}/ : status polling, for whoever may manage the photo (and moderators).
- GET/PUT/DELETE /api/v1/me/avatar/ : your profile picture.
- PhotosViewSetMixin: adds /…/{id}/photos/ and /…/{id}/photos/{photo_id}/ to an app's viewset.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kei_community.core.api.schema import AutoSchema
from kei_community.media import registry, selectors, services
from kei_community.media.api.serializers import (
    PhotoOrderSerializer,
    PhotoSerializer,
    PhotoUpdateSerializer,
    PhotoUploadSerializer,
)
from kei_community.media.models import Photo


def _may_see(user: Any, photo: Photo) -> bool:
    """Whoever may manage the photo now (the owning app's registered check, or a moderator).

    The uploader as such has no say: the old owner of a sold truck gets 404 like anyone else.
    A photo whose owning row is gone is left to its uploader and the moderators.
    """
    owner = photo.owner
    if owner is None:
        return getattr(user, "is_authenticated", False) and (
            photo.uploader_id == user.pk or services._is_moderator(user)
        )
    return services.can_manage_photos(actor=user, owner=owner)


class PhotoDetailView(APIView):
    """One photo's state, for whoever may manage it (poll it after an upload) or a moderator.

    Who may manage a photo follows who owns the thing it is attached to now (its seller, author,
    owner), never who uploaded it. Others get 404. `sizes` holds each width's WebP and JPEG URL once
    `status` is "ready".
    """

    permission_classes = [permissions.IsAuthenticated]

    def _get(self, request: Request, pk: int) -> Photo:
        photo = selectors.photo_get(photo_id=pk)
        if photo is None or not _may_see(request.user, photo):
            raise Http404("No such photo.")
        return photo

    @extend_schema(responses={200: PhotoSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(PhotoSerializer(self._get(request, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.photo_delete(actor=request.user, photo=self._get(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AvatarView(APIView):
    """Your profile picture: GET it, PUT a new one (multipart `file`), DELETE it."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses={200: PhotoSerializer, 204: None})
    def get(self, request: Request) -> Response:
        photo = selectors.avatar_for(request.user, fresh=True)
        if photo is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(PhotoSerializer(photo).data)

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses={201: PhotoSerializer})
    def put(self, request: Request) -> Response:
        ser = PhotoUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        photo = services.avatar_set(user=request.user, upload=ser.validated_data["file"])
        return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        services.avatar_remove(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PhotosAutoSchema(AutoSchema):
    """Distinct operation ids for {id}/photos/ and {id}/photos/{photo_id}/."""

    def get_operation_id(self) -> str:
        op = super().get_operation_id()
        if getattr(self.view, "action", None) == "photo":
            head, sep, tail = op.rpartition("photos")
            op = f"{head}photo{tail}" if sep else op
        return op


class PhotosViewSetMixin:
    """Add photo endpoints to an app's ModelViewSet (detail routes):

        class ListingViewSet(PhotosViewSetMixin, viewsets.ModelViewSet):
            photos_max = 24                                  # optional; default PHOTO_MAX_PER_OBJECT

    Who may change the photos is the owning app's check, registered once for the model
    (kei_community.media.registry.register_owner), asked about the object as it is now, plus moderators
    for everything but uploads.

    Routes (under the viewset's prefix):
      GET    {id}/photos/                 the object's photos (each size's URL once ready)
      POST   {id}/photos/                 multipart `file` (+ optional `alt`) -> 201 photo (status "pending")
      PATCH  {id}/photos/                 {"order": [ids...]} and/or {"cover": id}
      GET/PATCH/DELETE {id}/photos/{photo_id}/   one photo; PATCH {"alt": "...", "is_cover": true}
    Override `photos_add(request, obj, upload, alt)` to route uploads through the app's own service.
    """

    photos_max: int | None = None
    schema = PhotosAutoSchema()

    def _photos_owner(self) -> models.Model:
        return self.get_object()  # type: ignore[attr-defined]

    def _photos_check(self, request: Request, obj: models.Model, *, upload: bool = False) -> None:
        """The owning app's registered check on `obj` as it is now; moderators too, except for uploads."""
        allowed = (
            registry.may_manage(request.user, obj)
            if upload
            else services.can_manage_photos(actor=request.user, owner=obj)
        )
        if not allowed:
            raise PermissionDenied("You can only change photos of your own posts.")

    def photos_add(self, request: Request, obj: models.Model, upload: Any, alt: str) -> Photo:
        return services.photo_add(uploader=request.user, owner=obj, upload=upload, max_photos=self.photos_max, alt=alt)

    @extend_schema(methods=["GET"], request=None, responses={200: PhotoSerializer(many=True)})
    @extend_schema(
        methods=["POST"], request={"multipart/form-data": PhotoUploadSerializer}, responses={201: PhotoSerializer}
    )
    @extend_schema(methods=["PATCH"], request=PhotoOrderSerializer, responses={200: PhotoSerializer(many=True)})
    @action(
        detail=True,
        methods=["get", "post", "patch"],
        url_path="photos",
        url_name="photos",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
        pagination_class=None,
        filter_backends=[],
    )
    def photos(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self._photos_owner()
        if request.method == "GET":
            return Response(PhotoSerializer(selectors.photos_for(obj), many=True).data)
        self._photos_check(request, obj, upload=request.method == "POST")
        if request.method == "POST":
            ser = PhotoUploadSerializer(data=request.data)
            ser.is_valid(raise_exception=True)
            photo = self.photos_add(request, obj, ser.validated_data["file"], ser.validated_data.get("alt", ""))
            return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)
        order_ser = PhotoOrderSerializer(data=request.data)
        order_ser.is_valid(raise_exception=True)
        if "order" in order_ser.validated_data:
            services.photos_reorder(owner=obj, ordered_ids=order_ser.validated_data["order"], actor=request.user)
        if "cover" in order_ser.validated_data:
            cover = selectors.photo_for_owner(owner=obj, photo_id=order_ser.validated_data["cover"])
            if cover is None:
                from django.core.exceptions import ValidationError

                raise ValidationError({"cover": ["That photo does not belong here."]})
            services.photo_set_cover(photo=cover, actor=request.user)
        return Response(PhotoSerializer(selectors.photos_for(obj), many=True).data)

    @extend_schema(methods=["GET"], request=None, responses={200: PhotoSerializer})
    @extend_schema(methods=["PATCH"], request=PhotoUpdateSerializer, responses={200: PhotoSerializer})
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(
        detail=True,
        methods=["get", "patch", "delete"],
        url_path=r"photos/(?P<photo_id>[0-9]+)",
        url_name="photo",
        parser_classes=[JSONParser, FormParser, MultiPartParser],
        pagination_class=None,
        filter_backends=[],
    )
    def photo(self, request: Request, photo_id: str, *args: Any, **kwargs: Any) -> Response:
        obj = self._photos_owner()
        photo = selectors.photo_for_owner(owner=obj, photo_id=photo_id)
        if photo is None:
            raise Http404("No such photo.")
        if request.method == "GET":
            return Response(PhotoSerializer(photo).data)
        self._photos_check(request, obj)
        if request.method == "DELETE":
            services.photo_delete(actor=request.user, photo=photo)
            return Response(status=status.HTTP_204_NO_CONTENT)
        ser = PhotoUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        if "alt" in ser.validated_data:
            photo = services.photo_update_alt(photo=photo, alt=ser.validated_data["alt"], actor=request.user)
        if ser.validated_data.get("is_cover"):
            photo = services.photo_set_cover(photo=photo, actor=request.user)
        return Response(PhotoSerializer(photo).data)
