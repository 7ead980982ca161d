from kei_community.core.api.routers import IdRouter
from marketplace.api import views

router = IdRouter()
router.register("listings", views.ListingViewSet, basename="listing")
router.register("saved-searches", views.SavedSearchViewSet, basename="saved-search")
router.register("conversations", views.ConversationViewSet, basename="conversation")

urlpatterns = router.urls
