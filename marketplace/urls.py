from django.urls import path

from marketplace import views

app_name = "marketplace"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.listing_create, name="listing-create"),
    path("mine/", views.dashboard, name="dashboard"),
    path("favorites/", views.favorite_list, name="favorites"),
    path("saved-searches/", views.saved_search_list, name="saved-searches"),
    path("saved-searches/<int:pk>/", views.saved_search_change, name="saved-search-change"),
    path("prices/", views.price_comps, name="prices"),
    path("dealers/me/", views.dealer_edit, name="dealer-edit"),
    path("dealers/<slug:slug>/", views.dealer_detail, name="dealer-detail"),
    path("<int:pk>/", views.listing_redirect, name="listing-redirect"),
    path("<int:pk>-<slug:slug>/", views.listing_detail, name="listing-detail"),
    path("<int:pk>/edit/", views.listing_edit, name="listing-edit"),
    path("<int:pk>/photos/", views.listing_photos, name="listing-photos"),
    path("<int:pk>/photos/order/", views.listing_photos_order, name="listing-photos-order"),
    path("<int:pk>/photos/<int:photo_id>/", views.listing_photo_action, name="listing-photo-action"),
    path("<int:pk>/publish/", views.listing_publish, name="listing-publish"),
    path("<int:pk>/status/", views.listing_status, name="listing-status"),
    path("<int:pk>/delete/", views.listing_delete, name="listing-delete"),
    path("<int:pk>/favorite/", views.favorite_toggle, name="favorite-toggle"),
    path("<int:pk>/questions/", views.question_ask, name="question-ask"),
    path("<int:pk>/questions/<int:question_id>/answer/", views.question_answer, name="question-answer"),
    path("<int:pk>/contact/", views.contact_seller, name="contact"),
    path("<int:pk>/review/", views.listing_review, name="listing-review"),
]
