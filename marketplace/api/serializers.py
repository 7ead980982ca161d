from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from kei_community.core.api.mixins import PageUrlField, StrictFieldsMixin
from kei_community.media.api.serializers import PhotoSerializer
from kei_community.vehicles.eligibility import import_eligibility
from kei_community.vehicles.frame import mask_frame_number
from marketplace.listing_fields import FRAME_NUMBER_MAX_LENGTH, NUMBER_RANGES, limit_field
from marketplace.models import Conversation, Listing, Message, Question, SavedSearch
from marketplace.outlook import outlook_dict, registration_outlook

OUTLOOK_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {
        k: {"type": "string", "nullable": k == "last_verified"}
        for k in ("state_code", "state_name", "status", "status_label", "summary", "last_verified", "confidence", "url")
    },
}
ELIGIBILITY_SCHEMA = {
    "type": "object",
    "properties": {
        "applies": {"type": "boolean"},
        "nhtsa_eligible": {"type": "boolean", "nullable": True},
        "nhtsa_eligible_on": {"type": "string", "format": "date", "nullable": True},
        "days_until_eligible": {"type": "integer", "nullable": True},
        "eligible_in": {"type": "string", "description": 'e.g. "in 1 year 4 months — April 2043"; "" once eligible'},
        "epa_eligible": {"type": "boolean", "nullable": True},
        "epa_eligible_year": {"type": "integer", "nullable": True},
        "summary": {"type": "string"},
        "epa_note": {"type": "string"},
    },
}


class SellerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="public_name")
    page_url = PageUrlField()


class QuestionSerializer(serializers.ModelSerializer):
    asker = serializers.CharField(source="asker.public_name", read_only=True)

    class Meta:
        model = Question
        fields = ["id", "body", "asker", "answer", "answered_at", "created_at"]
        read_only_fields = fields


class ListingSerializer(serializers.ModelSerializer):
    page_url = PageUrlField()
    seller = SellerSerializer(read_only=True)
    chassis_code = serializers.CharField(source="chassis_code.code", default=None, read_only=True, allow_null=True)
    frame_number = serializers.SerializerMethodField()
    odometer_miles = serializers.IntegerField(read_only=True)
    photos = serializers.SerializerMethodField()
    eligibility = serializers.SerializerMethodField()
    import_warning = serializers.CharField(
        read_only=True,
        help_text="“Too new to have been imported legally under the 25-year rule — ask for import papers.” for a truck "
        "not built for the US market, said to be in the US or at a US port, not yet 25 years old from its build "
        "month; otherwise empty.",
    )
    registration_outlook = serializers.SerializerMethodField()
    viewer_registration_outlook = serializers.SerializerMethodField()
    distance_miles = serializers.SerializerMethodField()
    is_favorite = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = [
            "id", "page_url", "title", "status", "seller", "seller_type", "truck", "make", "model", "chassis_code",
            "frame_number", "year_built", "month_built", "us_market", "registered_as", "odometer", "odometer_unit",
            "odometer_km", "odometer_miles", "transmission", "drive", "hi_lo", "diff_lock", "bed_type",
            "air_conditioning", "power_steering", "colour", "condition_notes", "title_status", "location_status",
            "zip_code", "city", "state", "price", "negotiable", "description", "description_html", "published_at",
            "expires_at", "sold_at", "sold_price", "favorites_count", "photos", "eligibility", "import_warning",
            "registration_outlook", "viewer_registration_outlook", "distance_miles", "is_favorite", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def _viewer(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_frame_number(self, obj: Listing) -> str:
        viewer = self._viewer()
        if obj.show_full_frame_number or (viewer is not None and viewer.pk == obj.seller_id):
            return obj.frame_number
        return mask_frame_number(obj.frame_number)

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, obj: Listing) -> list:
        from kei_community.media.selectors import photos_of

        return PhotoSerializer(photos_of(obj), many=True).data  # type: ignore[return-value]  # many=True makes a ListSerializer (ReturnList); the stubs say ReturnDict

    @extend_schema_field(ELIGIBILITY_SCHEMA)
    def get_eligibility(self, obj: Listing) -> dict:
        return import_eligibility(
            year_built=obj.year_built, month_built=obj.month_built, us_market=obj.us_market
        ).as_dict()

    @extend_schema_field(OUTLOOK_SCHEMA)
    def get_registration_outlook(self, obj: Listing) -> dict | None:
        return outlook_dict(registration_outlook(obj.state))

    @extend_schema_field(OUTLOOK_SCHEMA)
    def get_viewer_registration_outlook(self, obj: Listing) -> dict | None:
        state = self.context.get("viewer_state")
        return outlook_dict(registration_outlook(state)) if state else None

    @extend_schema_field(serializers.FloatField(allow_null=True, help_text="Miles from the searched ZIP, or null."))
    def get_distance_miles(self, obj: Listing) -> float | None:
        d = getattr(obj, "distance", None)
        return round(d, 1) if d is not None else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_favorite(self, obj: Listing) -> bool:
        return obj.pk in self.context.get("favorite_ids", set())


class ListingDetailSerializer(ListingSerializer):
    questions = serializers.SerializerMethodField()

    class Meta(ListingSerializer.Meta):
        fields = [*ListingSerializer.Meta.fields, "questions"]
        read_only_fields = fields

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, obj: Listing) -> list:
        return QuestionSerializer(list(obj.questions.all()), many=True).data  # type: ignore[return-value]  # many=True makes a ListSerializer (ReturnList); the stubs say ReturnDict


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The value to send back in the facet's query parameter.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label (the stubs' str)
    count = serializers.IntegerField()


class FacetSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The query parameter this facet filters on.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label (the stubs' str)
    values = FacetValueSerializer(many=True)
    capped = serializers.BooleanField(
        help_text="True when more listings match than were counted: the counts are of the first 1,000 matches "
        "in the order asked for (PostgreSQL only)."
    )


class SearchRangesSerializer(serializers.Serializer):
    year_min = serializers.IntegerField(allow_null=True)
    year_max = serializers.IntegerField(allow_null=True)
    price_min = serializers.IntegerField(allow_null=True)
    price_max = serializers.IntegerField(allow_null=True)


@extend_schema_serializer(many=False)
class ListingSearchSerializer(serializers.Serializer):
    """One page of a listing search, with the facet counts and value ranges of its matches (of the first 1,000 when
    `count_is_capped`)."""

    count = serializers.IntegerField()
    count_is_capped = serializers.BooleanField(
        help_text="True when the search matched more than it counts (PostgreSQL reads at most the first 1,000 "
        "matches in the order asked for; the newest 1,000 with `q`): `count` is then a floor (1,000), and the "
        "facets and ranges are of those matches."
    )
    q_corrected = serializers.CharField(
        help_text="The keywords searched instead of `q` when a misspelt make or model was corrected "
        '("hijat 4x4" -> "hijet 4x4"; PostgreSQL only); "" when `q` was searched as typed.'
    )
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    facets = FacetSerializer(many=True)
    ranges = SearchRangesSerializer()
    results = ListingSerializer(many=True)


class CompsStatsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    min = serializers.IntegerField()
    q1 = serializers.IntegerField()
    median = serializers.IntegerField()
    q3 = serializers.IntegerField()
    max = serializers.IntegerField()


class CompsRowSerializer(serializers.Serializer):
    family = serializers.CharField(help_text="Chassis family (a rebadge counts with its original), e.g. DA63T.")
    year_band = serializers.CharField(help_text="Five model years, e.g. 2000–2004.")
    asking = CompsStatsSerializer(allow_null=True, help_text="Asking prices of active and pending listings.")
    sold = CompsStatsSerializer(allow_null=True, help_text="Recorded sold prices.")


class CompsMatchSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["make", "model", "chassis code"])
    name = serializers.CharField(help_text="As the catalog spells it: Suzuki, Carry, DA63T.")
    families = serializers.ListField(child=serializers.CharField(), help_text="The chassis families compared.")


@extend_schema_serializer(many=False)
class CompsSerializer(serializers.Serializer):
    """Price comps: quartiles of asking and sold prices per chassis family and year band."""

    q = serializers.CharField(help_text="The make, model or chassis code asked for (empty: every family).")
    matched = CompsMatchSerializer(allow_null=True, help_text="What `q` matched in the catalog (null without `q`).")
    results = CompsRowSerializer(many=True)


def _choice(enum: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=enum.choices, required=False)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A truck for sale",
            request_only=True,
            value={
                "title": "1998 Suzuki Carry 4WD dump", "make": "Suzuki", "model": "Carry", "chassis_code": "DA63T",
                "year_built": 1998, "month_built": 6, "odometer": 42000, "odometer_unit": "km",
                "transmission": "manual", "drive": "4WD", "bed_type": "dump", "title_status": "clean",
                "location_status": "us", "zip_code": "78701", "price": 8500, "negotiable": True,
                "description": "Runs great. **Hi-lo** and diff lock.",
            },
        )
    ]
)  # fmt: skip
class ListingWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """Create (POST) or change (PATCH) a listing. Without `status`, a create publishes at once."""

    status = serializers.ChoiceField(choices=Listing.Status.choices, required=False)
    sold_price = serializers.IntegerField(required=False)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    truck = serializers.IntegerField(required=False, allow_null=True, help_text="Id of a truck in your garage.")
    seller_type = _choice(Listing.SellerType)
    make = serializers.CharField(max_length=60, required=False, allow_blank=True)
    model = serializers.CharField(max_length=80, required=False, allow_blank=True)
    chassis_code = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text="e.g. DA63T")
    frame_number = serializers.CharField(max_length=FRAME_NUMBER_MAX_LENGTH, required=False, allow_blank=True)
    show_full_frame_number = serializers.BooleanField(required=False)
    year_built = serializers.IntegerField(required=False)
    month_built = serializers.IntegerField(required=False, allow_null=True)
    us_market = serializers.BooleanField(required=False)
    registered_as = serializers.ChoiceField(choices=Listing.RegisteredAs.choices, required=False, allow_blank=True)
    odometer = serializers.IntegerField(required=False, allow_null=True)
    odometer_unit = _choice(Listing.OdometerUnit)
    transmission = serializers.ChoiceField(choices=Listing.Transmission.choices, required=False, allow_blank=True)
    drive = serializers.ChoiceField(choices=Listing.Drive.choices, required=False, allow_blank=True)
    hi_lo = serializers.BooleanField(required=False)
    diff_lock = serializers.BooleanField(required=False)
    bed_type = _choice(Listing.BedType)
    air_conditioning = serializers.BooleanField(required=False)
    power_steering = serializers.BooleanField(required=False)
    colour = serializers.CharField(max_length=40, required=False, allow_blank=True)
    condition_notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    title_status = _choice(Listing.TitleStatus)
    location_status = _choice(Listing.LocationStatus)
    zip_code = serializers.CharField(max_length=10, required=False)
    price = serializers.IntegerField(required=False)
    negotiable = serializers.BooleanField(required=False)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in NUMBER_RANGES.keys() & self.fields.keys():
            limit_field(self.fields[name], name)  # the ranges of marketplace.listing_fields, with their messages


class SavedSearchSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    page_url = PageUrlField()

    class Meta:
        model = SavedSearch
        fields = ["id", "page_url", "name", "query", "frequency", "created_at"]
        read_only_fields = ["id", "page_url", "created_at"]


class MessageSerializer(serializers.ModelSerializer):
    sender = serializers.CharField(source="sender.public_name", read_only=True)
    is_mine = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "sender", "is_mine", "body", "scam_warning", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_mine(self, obj: Message) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.pk == obj.sender_id)


class ConversationSerializer(serializers.ModelSerializer):
    page_url = PageUrlField()
    listing = serializers.SerializerMethodField()
    buyer = serializers.CharField(source="buyer.public_name", read_only=True)
    seller = serializers.CharField(source="seller.public_name", read_only=True)
    has_unread = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Conversation
        fields = ["id", "page_url", "listing", "buyer", "seller", "last_message_at", "has_unread", "created_at"]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "title": {"type": "string"}, "page_url": {"type": "string"}},
        }
    )
    def get_listing(self, obj: Conversation) -> dict:
        return {"id": obj.listing_id, "title": obj.listing.title, "page_url": obj.listing.get_absolute_url()}


@extend_schema_serializer(
    examples=[
        OpenApiExample("Ask the seller", request_only=True, value={"listing": 1, "body": "Is it still for sale?"})
    ]
)
class ConversationCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    listing = serializers.IntegerField()
    body = serializers.CharField(max_length=5000)


class MessageCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class QuestionCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    body = serializers.CharField(max_length=2000)
