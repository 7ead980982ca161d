from django.apps import AppConfig


class VehiclesConfig(AppConfig):
    name = "kei_community.vehicles"
    label = "vehicles"
    verbose_name = "Vehicles"
