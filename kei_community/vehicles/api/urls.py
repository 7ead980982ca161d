from kei_community.core.api.routers import IdRouter
from kei_community.vehicles.api import views

router = IdRouter()
router.register("catalog/chassis-codes", views.ChassisCodeViewSet, basename="chassis-code")
router.register("garage", views.GarageTruckViewSet, basename="garage-truck")

urlpatterns = router.urls
