"""Distances: the haversine formula in Python and in SQL, and the box around a radius."""

from __future__ import annotations

import math

from django.db.models import ExpressionWrapper, F, FloatField, Value
from django.db.models.functions import Cos, Power, Radians, Sin

EARTH_RADIUS_MI = 3958.8


def haversine_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MI * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, miles: float) -> tuple[float, float, float, float]:
    """The smallest latitude/longitude box around a circle of `miles` (on the same sphere as haversine_miles):
    a circle's widest longitude lies poleward of its centre, so the half-width is asin(sin(d)/cos(lat)),
    not d/cos(lat). A circle over a pole, or across the antimeridian, gets every longitude."""
    margin = 1e-6  # degrees: float rounding never loses a listing at the edge (the exact distance decides)
    angle = miles / EARTH_RADIUS_MI
    dlat = math.degrees(angle) + margin
    if abs(lat) + dlat >= 90:
        return max(lat - dlat, -90.0), min(lat + dlat, 90.0), -180.0, 180.0
    dlng = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(lat))))) + margin
    if lng - dlng < -180 or lng + dlng > 180:
        return lat - dlat, lat + dlat, -180.0, 180.0
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def haversine_sql(origin: dict[str, float]) -> ExpressionWrapper:
    """The haversine term a = sin²(Δlat/2) + cos(lat₀)·cos(lat)·sin²(Δlng/2) of each listing from `origin`, as
    SQL (PostgreSQL's functions, or the ones Django registers on SQLite): within `miles` exactly when
    a <= radius_limit(miles); miles_from_haversine(a) is the distance, as haversine_miles computes it."""
    lat0, lng0 = math.radians(origin["lat"]), math.radians(origin["lng"])
    lat, lng = Radians(F("lat")), Radians(F("lng"))
    half = Value(2.0)
    term = Power(Sin((lat - Value(lat0)) / half), 2) + Value(math.cos(lat0)) * Cos(lat) * Power(
        Sin((lng - Value(lng0)) / half), 2
    )
    return ExpressionWrapper(term, output_field=FloatField())


def radius_limit(miles: float) -> float:
    return math.sin(min(miles / EARTH_RADIUS_MI, math.pi) / 2) ** 2


def miles_from_haversine(a: float) -> float:
    return 2 * EARTH_RADIUS_MI * math.asin(min(1.0, math.sqrt(max(a, 0.0))))
