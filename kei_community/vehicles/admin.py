from django.contrib import admin

from kei_community.core.admin import ChangedOnSaveAdmin
from kei_community.vehicles.models import ChassisCode, GarageTruck
from kei_community.vehicles.services import garage_truck_changed


@admin.register(ChassisCode)
class ChassisCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "make", "model", "drive", "years_from", "years_to", "engine", "verified")
    list_filter = ("verified", "make", "drive")
    list_editable = ("verified",)
    search_fields = ("code", "make", "model", "engine", "rebadge_of")


@admin.register(GarageTruck)
class GarageTruckAdmin(ChangedOnSaveAdmin):
    list_display = ("__str__", "owner", "chassis_code", "frame_number", "year_built", "month_built")
    list_select_related = ("owner", "chassis_code")
    search_fields = ("frame_number", "nickname", "make", "model", "owner__email")
    raw_id_fields = ("owner", "chassis_code")

    def changed(self, pks: list[int]) -> None:  # shows at once on the build threads naming the truck
        for pk in pks:
            garage_truck_changed(GarageTruck, pk)
