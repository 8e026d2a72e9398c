"""Reads of territories. Spatial lookups live here, named for the question they answer."""

from datetime import datetime

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.contrib.gis.geos import Point, Polygon
from django.db.models import (
    Case,
    Count,
    Func,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)

from territories.models import Territory


def _level_rank():
    return Case(
        *[When(level=level, then=Value(rank)) for level, rank in Territory.LEVEL_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def territory_containing(*, point: Point, level: str | None = None) -> Territory | None:
    """The finest territory (or the one of `level`) whose geometry contains the point."""
    territories = Territory.objects.filter(geometry__intersects=point)
    if level:
        territories = territories.filter(level=level)
    return territories.annotate(rank=_level_rank()).order_by("-rank", "code").first()


def territory_children(*, territory: Territory) -> QuerySet[Territory]:
    return Territory.objects.filter(parent=territory).order_by("code")


def territories_in_bbox(
    *, level: str, bbox: tuple[float, float, float, float]
) -> QuerySet[Territory]:
    """Territories of a level whose geometry meets the (west, south, east, north) box."""
    box = Polygon.from_bbox(bbox)
    box.srid = 4326
    return Territory.objects.filter(level=level, geometry__intersects=box).order_by("code")


def served_territory() -> Territory | None:
    """The territory this instance serves (settings.RADAR_SERVED_TERRITORY)."""
    served = settings.RADAR_SERVED_TERRITORY
    return Territory.objects.filter(level=served["level"], code=served["code"]).first()


def territories_with_code(*, code: str) -> QuerySet[Territory]:
    """Territories of that code, coarsest first (a code may recur across levels)."""
    return Territory.objects.filter(code=code).annotate(rank=_level_rank()).order_by("rank")


def territories_with_initiative_counts(*, territories: QuerySet[Territory]) -> QuerySet[Territory]:
    """Annotated with the published and the active initiatives located inside each one."""
    from initiatives.models import Initiative

    inside = Initiative.objects.published().filter(location__within=OuterRef("geometry"))
    return territories.annotate(
        published_initiatives=_count(inside), active_initiatives=_count(inside.active())
    )


def _count(queryset) -> Subquery:
    # A plain COUNT in the subquery: no GROUP BY, so exactly one row, zero when none.
    counted = queryset.order_by().values(n=Func("id", function="COUNT"))
    return Subquery(counted, output_field=IntegerField())


def territories_change_stamp(*, territories: QuerySet[Territory]) -> tuple[int, datetime | None]:
    """(count, latest updated_at) of the territories."""
    stamp = territories.order_by().aggregate(count=Count("id"), latest=Max("updated_at"))
    return stamp["count"], stamp["latest"]


def served_territory_extent() -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the served territory, computed by the database."""
    served = settings.RADAR_SERVED_TERRITORY
    return Territory.objects.filter(level=served["level"], code=served["code"]).aggregate(
        extent=Extent("geometry")
    )["extent"]
