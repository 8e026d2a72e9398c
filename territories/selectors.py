"""Reads of territories. Spatial lookups live here, named for the question they answer."""

from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.db.models import Case, IntegerField, QuerySet, Value, When

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

