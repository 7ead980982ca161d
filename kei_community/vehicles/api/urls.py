from rest_framework.routers import SimpleRouter

from kei_community.vehicles.api import views

router = SimpleRouter()
router.register("catalog/chassis-codes", views.ChassisCodeViewSet, basename="chassis-code")
router.register("garage", views.GarageTruckViewSet, basename="garage-truck")

urlpatterns = router.urls
