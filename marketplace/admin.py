from django.contrib import admin

from marketplace.models import Conversation, DealerProfile, Favorite, Listing, Message, Question, SavedSearch


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("title", "seller", "status", "price", "state", "held_for_review", "hidden", "published_at")
    list_filter = ("status", "held_for_review", "hidden", "seller_type", "state")
    search_fields = ("title", "make", "model", "frame_number", "seller__email")
    raw_id_fields = ("seller", "truck", "chassis_code")
    list_select_related = ("seller",)


@admin.register(DealerProfile)
class DealerProfileAdmin(admin.ModelAdmin):
    list_display = ("business_name", "user", "city", "state")
    raw_id_fields = ("user",)


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("listing", "buyer", "seller", "last_message_at")
    raw_id_fields = ("listing", "buyer", "seller")


admin.site.register(Message, raw_id_fields=("conversation", "sender"))
admin.site.register(Question, raw_id_fields=("listing", "asker"))
admin.site.register(SavedSearch, raw_id_fields=("user",))
admin.site.register(Favorite, raw_id_fields=("user", "listing"))
