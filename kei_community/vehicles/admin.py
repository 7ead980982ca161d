from typing import Any

from django.contrib import admin

from kei_community.vehicles.models import ChassisCode, GarageTruck
from kei_community.vehicles.services import garage_truck_changed


@admin.register(ChassisCode)
class ChassisCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "make", "model", "drive", "years_from", "years_to", "engine", "verified")
    list_filter = ("verified", "make", "drive")
    list_editable = ("verified",)
    search_fields = ("code", "make", "model", "engine", "rebadge_of")


@admin.register(GarageTruck)
class GarageTruckAdmin(admin.ModelAdmin):
    list_display = ("__str__", "owner", "chassis_code", "frame_number", "year_built", "month_built")
    list_select_related = ("owner", "chassis_code")
    search_fields = ("frame_number", "nickname", "make", "model", "owner__email")
    raw_id_fields = ("owner", "chassis_code")

    # An edit or a deletion shows at once on the build threads naming the truck (its name, its cover).
    def save_model(self, request: Any, obj: GarageTruck, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        garage_truck_changed(GarageTruck, obj.pk)

    def delete_model(self, request: Any, obj: GarageTruck) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        garage_truck_changed(GarageTruck, pk)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        for pk in pks:
            garage_truck_changed(GarageTruck, pk)
