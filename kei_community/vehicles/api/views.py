from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.serializers import BaseSerializer

from kei_community.core.ids import id_or_404
from kei_community.media.api.views import PhotosAutoSchema, PhotosViewSetMixin
from kei_community.vehicles import selectors, services
from kei_community.vehicles.api.serializers import ChassisCodeSerializer, GarageTruckSerializer
from kei_community.vehicles.models import GarageTruck


class ChassisCodeViewSet(viewsets.ReadOnlyModelViewSet):
    """The kei truck catalog, keyed on chassis code. `verified=false` rows are not confirmed by a source."""

    permission_classes = [permissions.AllowAny]
    serializer_class = ChassisCodeSerializer
    lookup_field = "code"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        return selectors.chassis_code_list(make=params.get("make", "")[:60], q=params.get("q", "")[:60])

    @extend_schema(parameters=[OpenApiParameter("make", str), OpenApiParameter("q", str)])
    def list(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        return super().list(request, *args, **kwargs)


@extend_schema_view(photo=extend_schema(methods=["PATCH"], operation_id="garage_photo_update"))
class GarageTruckViewSet(
    PhotosViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet,
):  # fmt: skip
    """Your garage (list shows your own trucks); any truck can be read by id; only its owner changes it."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    serializer_class = GarageTruckSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    schema = PhotosAutoSchema()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if not self.request.user.is_authenticated:
            return GarageTruck.objects.none()
        return selectors.garage_trucks_for(owner=self.request.user)

    def get_object(self) -> GarageTruck:
        truck = selectors.garage_truck_get(pk=id_or_404(self.kwargs["pk"], "No such truck."))
        if truck is None:
            raise Http404("No such truck.")
        return truck

    def perform_create(self, serializer: BaseSerializer[GarageTruck]) -> None:
        serializer.instance = services.garage_truck_create(owner=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: BaseSerializer[GarageTruck]) -> None:
        truck = serializer.instance
        assert isinstance(truck, GarageTruck)  # UpdateModelMixin passes the object from get_object()
        serializer.instance = services.garage_truck_update(
            actor=self.request.user, truck=truck, **serializer.validated_data
        )

    def perform_destroy(self, instance: GarageTruck) -> None:
        services.garage_truck_delete(actor=self.request.user, truck=instance)
