from rest_framework.routers import SimpleRouter

from marketplace.api import views

router = SimpleRouter()
router.register("listings", views.ListingViewSet, basename="listing")
router.register("saved-searches", views.SavedSearchViewSet, basename="saved-search")
router.register("conversations", views.ConversationViewSet, basename="conversation")

urlpatterns = router.urls
