from django.apps import AppConfig


class VehiclesConfig(AppConfig):
    name = "kei_community.vehicles"
    label = "vehicles"
    verbose_name = "Vehicles"

    def ready(self) -> None:
        from kei_community.core.registry import register
        from kei_community.media.registry import register_owner
        from kei_community.vehicles import demo, services
        from kei_community.vehicles.models import GarageTruck

        register_owner(GarageTruck, can_manage=services.garage_truck_can_manage, changed=services.garage_truck_changed)

        register("reference_data", services.load_reference_data, order=10)
        register("seed_demo", demo.seed_trucks, order=10)
