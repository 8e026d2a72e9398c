"""What the reports read from the database, once per request, as plain rows (light: no
scientific library; radar.reports.frames turns the rows into tables for radar.analysis).

Ownership: an initiative counts in the one territory of the analysed level that owns its
point (territories.selectors.territories_holding: on a shared boundary, the lowest code), so
that the counts of a level add up to the total."""

from datetime import date
from functools import cached_property

from django.contrib.gis.db.models.functions import AsGeoJSON, AsWKB
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
)

from initiatives import choices
from initiatives.models import Initiative
from initiatives.selectors import InitiativeFilters, initiatives_matching
from territories.models import Territory
from territories.selectors import territories_holding

INITIATIVE_COLUMNS = [
    "id", "name", "themes", "actor_types", "collaboration_mode", "economic_model",
    "reciprocity", "animation", "needs", "resources", "step_free_access",
    "usable_without_internet", "last_confirmed_at", "created_at", "is_synthetic", "start_date",
]  # fmt: skip
GEOJSON_DECIMALS = 5  # about a metre: enough for a map of communes


class LevelTerritories:
    """The territories of one level, read at most once however often they are asked for:
    what a computation needs (code, name, population, polygon as WKB) and what a map needs
    (GeoJSON) in one query."""

    def __init__(self, level: str):
        self.level = level

    @cached_property
    def rows(self) -> list[tuple]:
        """(code, name, population, wkb bytes, geojson text), by code."""
        territories = Territory.objects.filter(level=self.level).order_by("code")
        return [
            (code, name, population, bytes(wkb), geojson)
            for code, name, population, wkb, geojson in territories.annotate(
                wkb=AsWKB("geometry"),
                geojson=AsGeoJSON("geometry", precision=GEOJSON_DECIMALS),
            ).values_list("code", "name", "population", "wkb", "geojson")
        ]

    def geojson(self) -> dict[str, str]:
        return {row[0]: row[4] for row in self.rows}


def initiative_rows(*, level: str, filters: InitiativeFilters) -> list[dict]:
    """Every published initiative matching the filters, with `active` (running now) and
    `territory`, the code of the territory of `level` that owns its point."""
    owner = territories_holding(point=OuterRef("location"), level=level)
    active = Q(activity_status=choices.ActivityStatus.ACTIVE)
    rows = initiatives_matching(filters=filters).annotate(
        owner_code=Subquery(owner.values("code")[:1]),
        lon=_coordinate("ST_X"),
        lat=_coordinate("ST_Y"),
        is_active=ExpressionWrapper(active, output_field=BooleanField()),
    )
    return [
        row | {"territory": row.pop("owner_code"), "active": row.pop("is_active")}
        for row in rows.values(*INITIATIVE_COLUMNS, "owner_code", "lon", "lat", "is_active")
    ]


def _coordinate(function: str) -> Func:
    return Func("location", function=function, output_field=FloatField())


def case_rows(*, end: date) -> list[tuple]:
    """(id, lon, lat, start date) of the published initiatives started on or before `end`."""
    rows = (
        Initiative.objects.published()
        .filter(start_date__isnull=False, start_date__lte=end)
        .order_by("id")
        .values_list("id", "location", "start_date")
    )
    return [(pk, point.x, point.y, started) for pk, point, started in rows.iterator(5000)]


def initiative_names(*, ids) -> dict[int, tuple[str, date | None]]:
    """{id: (name, start date)} of these initiatives."""
    rows = Initiative.objects.filter(pk__in=list(ids)).values_list("pk", "name", "start_date")
    return {pk: (name, started) for pk, name, started in rows}
