"""Marketplace search, declared once.

SEARCH_FILTERS is the one description of every query parameter of a search (the /listings/ page, the API's
/api/v1/listings/ and saved searches). Everything else is derived from it:

- parsing and the error messages of bad values (marketplace.filters.parse_search_params),
- how a value filters (a `lookup`, or an `apply` function; the keyword part stays with marketplace.keywords),
- the facets (their column, label, value labels and limit; marketplace.selectors.FACET_FIELDS and _facet),
- the search form (includes/listing_search_form.html loops over form_fields()),
- the "Remove …" chips of the filters that are on and the "widen your search" links of an empty search
  (active_filters()),
- how a saved search's criteria read (criteria()),
- the API's documented query parameters (marketplace.api.views.SEARCH_PARAMETERS).

Why not django-filter: a FilterSet would own only the `lookup` column of this table. The search caches its
matches as primitives keyed on the parsed parameters (selectors._search_name), counts facets over the first
SEARCH_CANDIDATES matches it reads (PostgreSQL), needs its own messages for bad values (a page with the
message, or a 400), accepts state names and choice labels, and describes itself in words (chips, widen links,
saved searches). Those are not django-filter concepts, so it would add a dependency and a second declaration
next to this one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kei_community.core.us import US_STATE_CHOICES, US_STATES
from marketplace.models import Listing

if TYPE_CHECKING:
    from django.db.models import QuerySet

NEWEST_ORDER: tuple[str, ...] = ("-published_at", "-id")
# SQL order per `ordering` value; "distance" is sorted in Python after the exact distance is known.
ORDERINGS: dict[str, tuple[str, ...] | None] = {
    "newest": NEWEST_ORDER,
    "price": ("price", "-id"),
    "-price": ("-price", "-id"),
    "year": ("year_built", "-id"),
    "-year": ("-year_built", "-id"),
    "mileage": ("odometer_km", "-id"),
    "distance": None,
}
ORDERING_LABELS = {
    "newest": "Newest", "price": "Price: low to high", "-price": "Price: high to low",
    "year": "Year: oldest first", "-year": "Year: newest first", "mileage": "Mileage: lowest", "distance": "Distance",
}  # fmt: skip
MAX_RADIUS = 3000
DEFAULT_RADIUS = 100
RADIUS_CHOICES = ("25", "50", "100", "250", "500", "1000")
FIRST_YEAR = 1960
THIS_YEAR = -1  # an upper bound read as the current year when a search is parsed
TRUE_VALUES, FALSE_VALUES = ("true", "1", "yes", "on"), ("false", "0", "no", "off")

# Kinds of parameter (how a raw value is parsed; marketplace.filters):
#   keyword, text: free text (up to 100 characters); int: a whole number (bounds optional);
#   choice: one of `choices` by value or label, any case; bool: true/false words; state: a state's code or
#   name, any case; zip: a US ZIP (gives the search's `origin`); ordering: a key of ORDERINGS.
KINDS = ("keyword", "text", "int", "choice", "bool", "state", "zip", "ordering")


@dataclass(frozen=True)
class Facet:
    """A filter counted per value on a results page ("Refine" and the state map) and in the API's `facets`."""

    column: str  # a Listing column, a related column or an annotation of selectors._search_matches
    label: str
    limit: int = 25
    values: Mapping[str, str] | None = None  # value labels (default: the filter's choices)


@dataclass(frozen=True)
class Filter:
    """One query parameter of a search."""

    param: str
    label: str  # the form's label
    kind: str
    lookup: str | None = None  # a plain filter: qs.filter(**{lookup: value})
    apply: Callable[[QuerySet[Listing], Any, dict[str, Any]], QuerySet[Listing]] | None = None  # otherwise
    choices: Sequence[tuple[Any, Any]] = ()
    bounds: tuple[int, int] | None = None  # int: inclusive; THIS_YEAR as the upper bound is the current year
    bounds_message: str = ""  # "…{low}…{high}…"
    facet: Facet | None = None
    widget: str = "text"  # the form's control: keyword, text, number, select, checkbox, state, zip, radius, ordering
    width: str = "full"  # "half": two controls side by side in the filters panel
    field_id: str = ""  # the control's id (default f-<param>)
    placeholder: str = ""
    help: str = ""
    datalist: bool = False  # text: suggest the values of the filter's facet
    viewer_state_placeholder: bool = False  # the placeholder is the reader's home state (filled per request)
    widen: str | None = None  # an empty search's link dropping the filter: "all makes, not only {}"
    criteria: str | None = None  # how a saved search names it ("Make"); None: not shown
    api_description: str = ""

    @property
    def id(self) -> str:
        return self.field_id or f"f-{self.param}"

    @property
    def api_type(self) -> type:
        return {"int": int, "bool": bool}.get(self.kind, str)

    @property
    def api_enum(self) -> list[str] | None:
        if self.kind == "choice":
            return [str(value) for value, _ in self.choices]
        if self.kind == "ordering":
            return list(ORDERINGS)
        return None

    def value_label(self, value: Any) -> str:
        """How a parsed value reads (a choice's label, a state's name)."""
        if self.kind == "state":
            return US_STATES.get(str(value), str(value))
        if self.kind == "bool":
            return "yes" if value else "no"
        return str(dict(self.choices).get(value, value))


# --- how the filters that are not a plain lookup filter (the SQL lives in marketplace.selectors) ----------


def _import_eligible(qs: QuerySet[Listing], value: bool, params: dict[str, Any]) -> QuerySet[Listing]:
    from marketplace.selectors import import_eligible_q

    return qs.filter(import_eligible_q()) if value else qs.exclude(import_eligible_q())


def _registrable_in(qs: QuerySet[Listing], value: str, params: dict[str, Any]) -> QuerySet[Listing]:
    from marketplace.selectors import registrable_q

    cond = registrable_q(state_code=value)
    return qs.filter(cond) if cond is not None else qs.none()


def _near_zip(qs: QuerySet[Listing], value: str, params: dict[str, Any]) -> QuerySet[Listing]:
    """Within `radius` miles of the ZIP: a bounding box on the indexed coordinates, then the exact distance
    (alias "haversine", selected by selectors._search_matches for the distances it shows)."""
    from marketplace.selectors import bounding_box, haversine_sql, radius_limit

    origin = params.get("origin")
    if not origin:
        return qs
    radius = params.get("radius") or DEFAULT_RADIUS
    lat_min, lat_max, lng_min, lng_max = bounding_box(origin["lat"], origin["lng"], radius)
    qs = qs.filter(lat__gte=lat_min, lat__lte=lat_max, lng__gte=lng_min, lng__lte=lng_max)
    return qs.alias(haversine=haversine_sql(origin)).filter(haversine__lte=radius_limit(radius))


def _chassis_code(qs: QuerySet[Listing], value: str, params: dict[str, Any]) -> QuerySet[Listing]:
    """The chassis code, any case, looked up first (one small query): filtering on the id lets PostgreSQL walk
    the listings of that code newest first (index mkt_listing_code_pub) instead of joining every row's code."""
    from kei_community.vehicles.models import ChassisCode

    return qs.filter(
        chassis_code_id__in=list(ChassisCode.objects.filter(code__iexact=value).values_list("pk", flat=True))
    )


def _choice(param: str, label: str, enum: Any, *, facet_label: str | None = None, widen: str, **kw: Any) -> Filter:
    return Filter(
        param, label, "choice", lookup=param, choices=tuple(enum.choices), widget="select", widen=widen,
        facet=Facet(param, facet_label) if facet_label else None, criteria=kw.pop("criteria", label), **kw,
    )  # fmt: skip


_YEARS_MESSAGE = "Years run from {low} to {high}."

SEARCH_FILTERS: tuple[Filter, ...] = (
    Filter(
        "q", "Keywords", "keyword", widget="keyword", widen="without the keywords “{}”", criteria="Keywords",
        api_description="Keywords (title, description, model, chassis code)",
    ),
    Filter(
        "zip", "ZIP", "zip", apply=_near_zip, widget="zip", width="half", criteria="Near ZIP",
        api_description="5-digit US ZIP; centre of a radius search",
    ),
    Filter(
        "radius", "Within (mi)", "int", bounds=(1, MAX_RADIUS),
        bounds_message="Radius must be between {low} and {high} miles.", choices=tuple((r, r) for r in RADIUS_CHOICES),
        widget="radius", width="half", criteria="Within (mi)",
        api_description=f"Miles (needs zip; default {DEFAULT_RADIUS})",
    ),
    Filter(
        "make", "Make", "text", lookup="make__iexact", facet=Facet("make", "Make"), datalist=True,
        widen="all makes, not only {}", criteria="Make", api_description="e.g. Suzuki (any case)",
    ),
    Filter(
        "model", "Model", "text", lookup="model__iexact", facet=Facet("model", "Model"), width="half",
        widen="all models, not only {}", criteria="Model", api_description="e.g. Carry (any case)",
    ),
    Filter(
        "chassis_code", "Chassis code", "text", apply=_chassis_code, field_id="f-code",
        facet=Facet("chassis_code__code", "Chassis code"), width="half", widen="any chassis code, not only {}",
        criteria="Chassis code", api_description="e.g. DA63T (any case)",
    ),
    Filter(
        "year_min", "Year from", "int", lookup="year_built__gte", bounds=(FIRST_YEAR, THIS_YEAR),
        bounds_message=_YEARS_MESSAGE, widget="number", width="half",
        field_id="f-ymin", widen="without “built in {} or later”", criteria="Built from",
    ),
    Filter(
        "year_max", "Year to", "int", lookup="year_built__lte", bounds=(FIRST_YEAR, THIS_YEAR),
        bounds_message=_YEARS_MESSAGE, widget="number", width="half",
        field_id="f-ymax", widen="without “built in {} or earlier”", criteria="Built up to",
    ),
    Filter(
        "price_min", "Price from ($)", "int", lookup="price__gte", widget="number", width="half", field_id="f-pmin",
        widen="without the ${} minimum price", criteria="Price from $",
    ),
    Filter(
        "price_max", "Price to ($)", "int", lookup="price__lte", widget="number", width="half", field_id="f-pmax",
        widen="without the ${} price limit", criteria="Price up to $",
    ),
    Filter(
        "odometer_max", "Odometer up to (km)", "int", lookup="odometer_km__lte", widget="number", field_id="f-odo",
        widen="without the {} km odometer limit", criteria="Odometer up to (km)", api_description="km",
    ),
    _choice("drive", "Drive", Listing.Drive, facet_label="Drive", widen="any drive, not only {}"),
    _choice(
        "transmission", "Transmission", Listing.Transmission, facet_label="Transmission",
        widen="any transmission, not only {}",
    ),
    _choice("bed_type", "Bed", Listing.BedType, facet_label="Bed", widen="any bed, not only {}"),
    _choice("title_status", "Title", Listing.TitleStatus, facet_label="Title", widen="any title status, not only {}"),
    _choice(
        "location_status", "Where it is", Listing.LocationStatus, facet_label="Where it is",
        widen="trucks anywhere, not only {}", criteria="Location",
    ),
    _choice("seller_type", "Seller", Listing.SellerType, widen="any seller, not only {}"),
    Filter(
        "state", "Listed in state", "state", lookup="state", facet=Facet("state", "State", limit=60), widget="state",
        placeholder="e.g. Oregon or OR", widen="every state, not only {}", criteria="Listed in",
        api_description="State where the truck is: its two-letter code or its name, any case (OR, Oregon)",
    ),  # the state facet lists every jurisdiction: the search page's map shows them all
    Filter(
        "registrable_in", "Registrable in state", "state", apply=_registrable_in, widget="state", field_id="f-reg",
        viewer_state_placeholder=True, widen="without “registrable in {}”", criteria="Registrable in",
        help="Only trucks that are import-eligible (or US-market) in a state whose guide says kei trucks can be "
        "registered.",
        api_description="State the buyer would register in: its two-letter code or its name, any case",
    ),
    Filter(
        "import_eligible", "Import-eligible now", "bool", apply=_import_eligible, widget="checkbox",
        field_id="f-eligible", help="25 years old from the month built, or built for the US market.",
        facet=Facet("import_eligible", "Import eligibility", values={"true": "Import-eligible now", "false": "Not yet eligible"}),
        widen="without “import-eligible now”", criteria="Import-eligible now",
        api_description="true: import-eligible now (25 years from the month built, or US-market); false: not yet",
    ),
    Filter(
        "ordering", "Sort by", "ordering", choices=tuple(ORDERING_LABELS.items()), widget="ordering",
        criteria="Sorted by",
    ),
)  # fmt: skip

FILTERS_BY_PARAM: dict[str, Filter] = {f.param: f for f in SEARCH_FILTERS}
FACETS: tuple[tuple[Filter, Facet], ...] = tuple((f, f.facet) for f in SEARCH_FILTERS if f.facet)
FACET_BY_COLUMN: dict[str, tuple[Filter, Facet]] = {facet.column: (f, facet) for f, facet in FACETS}
# Every parameter a search understands (anything else is refused by the API, dropped by the page cache).
ALL_PARAMS: tuple[str, ...] = (*FILTERS_BY_PARAM, "page")

_STATE_NAMES = {name.casefold(): code for code, name in US_STATES.items()}


def state_code(raw: str) -> str | None:
    """A US jurisdiction's code from its code or name, in any case ("tx", "Texas", "district of columbia")."""
    text = " ".join((raw or "").split())
    if text.upper() in US_STATES:
        return text.upper()
    return _STATE_NAMES.get(text.casefold())


# --- what a search page shows of its filters ------------------------------------------------------------


def _options(choices: Sequence[tuple[Any, Any]], selected: Any) -> list[tuple[str, str, bool]]:
    return [(str(value), str(label), selected == value) for value, label in choices]


def form_fields(*, params: dict[str, Any], query: Any, facets: list[dict[str, Any]]) -> dict[str, Any]:
    """The search form's controls, in SEARCH_FILTERS order, for includes/listing_search_form.html: each with
    its declaration (`f`), the raw value typed (`value`), its <option>s as (value, label, selected) and, for a
    text control with a datalist, the facet's values. `ordering` sits in the toolbar, the rest in the panel."""
    facet_values = {facet["name"]: [v["value"] for v in facet["values"]] for facet in facets}
    out: dict[str, Any] = {"fields": [], "ordering": None, "states": US_STATE_CHOICES}
    for f in SEARCH_FILTERS:
        raw = (query.get(f.param) or "") if hasattr(query, "get") else ""
        selected = query.get(f.param) if f.widget == "radius" else params.get(f.param)
        field = {
            "f": f,
            "value": raw,
            "options": _options(f.choices, selected) if f.choices else [],
            "checked": f.kind == "bool" and str(raw).strip().lower() in TRUE_VALUES,
            "suggestions": facet_values.get(f.param, []) if f.datalist else [],
        }
        if f.widget == "ordering":
            out["ordering"] = field
        else:
            out["fields"].append(field)
    return out


def active_filters(query: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The filters that are on, in SEARCH_FILTERS order: each with its `label` and `value` as a chip shows them,
    `query` (the search without it, page dropped: its "Remove" link), `applied` (its value was understood) and `widen` (an empty search's suggestion,
    e.g. "Search all makes, not only suzuki"; a state by its code). The sort is not a filter; removing the ZIP
    removes its radius; a radius without a ZIP is no filter."""
    out = []
    for f in SEARCH_FILTERS:
        raw = (query.get(f.param) or "").strip()
        if not raw or f.kind == "ordering" or (f.param == "radius" and not query.get("zip")):
            continue
        without = query.copy()
        without.pop(f.param, None)
        without.pop("page", None)
        if f.param == "zip":
            without.pop("radius", None)
        parsed = params.get(f.param)
        value = f.value_label(parsed) if parsed is not None and f.kind in ("choice", "state") else raw
        if f.kind == "bool":
            value = f.value_label(raw.lower() in TRUE_VALUES)
        out.append(
            {
                "param": f.param, "label": f.criteria or f.label, "value": value, "query": without.urlencode(),
                "applied": f.param in params,  # a bad value filters nothing: no chip, but a widen link
                "widen": "Search " + f.widen.format(parsed if f.kind == "state" and parsed else raw) if f.widen else "",
            }
        )  # fmt: skip
    return out


def widen_links(query: Any, params: dict[str, Any]) -> list[dict[str, str]]:
    """Links that drop one filter at a time, so an empty search explains itself; then a radius twice as wide."""
    out = [{"label": a["widen"], "url": "?" + a["query"]} for a in active_filters(query, params) if a["widen"]]
    if params.get("radius"):
        q = query.copy()
        q["radius"] = str(min(int(params["radius"]) * 2, MAX_RADIUS))
        q.pop("page", None)
        out.append({"label": f"Search within {q['radius']} miles", "url": "?" + q.urlencode()})
    return out


def criteria(query: Any) -> list[tuple[str, str]]:
    """A saved search's query string as (label, value) pairs, the filters that are on (and its sort), in the
    form's order: "Keywords: hijet · Listed in: TX"."""
    out = []
    for f in SEARCH_FILTERS:
        value = (query.get(f.param) or "").strip()
        if not value or not f.criteria:
            continue
        if f.kind == "ordering":
            value = str(ORDERING_LABELS.get(value, value))
        elif f.kind == "bool":
            value = f.value_label(value.lower() not in FALSE_VALUES)
        out.append((f.criteria, value))
    return out
