"""Reads of territories. Spatial lookups live here, named for the question they answer."""

from datetime import datetime

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.contrib.gis.geos import Point, Polygon
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Concat, Lower, Trim

from territories.models import Territory


def _level_rank():
    return Case(
        *[When(level=level, then=Value(rank)) for level, rank in Territory.LEVEL_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def territory_holds(*, territory: Territory, point: Point) -> bool:
    """THE rule for "inside a territory": the point lies in the territory's closed geometry,
    inside it or on its boundary (ST_Intersects; GEOS `intersects` in Python). Queries use
    the same rule as `location__intersects=territory.geometry`."""
    return territory.geometry.intersects(point)


def territories_holding(*, point, level: str | None = None) -> QuerySet[Territory]:
    """Territories that hold the point (see territory_holds), its owner first: the finest
    level, then the lowest code. A point on the boundary shared by two communes lies in both,
    and is owned by one. `point` may be a Point or an OuterRef to one."""
    territories = Territory.objects.filter(geometry__intersects=point)
    if level:
        territories = territories.filter(level=level)
    return territories.annotate(rank=_level_rank()).order_by("-rank", "code")


def territory_containing(*, point: Point, level: str | None = None) -> Territory | None:
    """The territory that owns the point: the finest one (or the one of `level`) holding it,
    the lowest code on a shared boundary."""
    return territories_holding(point=point, level=level).first()


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
    """Territories of that code, the one it names first (see territory_by_code)."""
    return Territory.objects.filter(code=code).annotate(rank=_level_rank()).order_by("-rank")


def territory_by_code(*, code: str) -> Territory | None:
    """THE resolver for a territory code, used by every page, filter and API. Codes are
    unique within a level; a code that recurs across levels (region 75, Nouvelle-Aquitaine,
    and département 75, Paris) names the finest territory, as a point does."""
    return territories_with_code(code=code).select_related("parent").first()


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


def territory_extent(*, territory: Territory) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of one territory: from its geometry when the row was read
    with it (no query), else computed by the database."""
    if "geometry" not in territory.get_deferred_fields():
        return territory.geometry.extent if territory.geometry else None
    return Territory.objects.filter(pk=territory.pk).aggregate(extent=Extent("geometry"))["extent"]


def _search_key(expression):
    """A name as it is searched: no accents, lower case, hyphens and apostrophes as spaces,
    without its leading article ("La Teste-de-Buch" → "teste de buch")."""
    plain = Lower(Func(expression, function="unaccent", output_field=CharField()))
    spaced = Func(plain, Value(r"[-'’\s]+"), Value(" "), Value("g"), function="regexp_replace")
    return Func(
        Trim(spaced),
        Value(r"^(le|la|les|l) "),
        Value(""),
        function="regexp_replace",
        output_field=CharField(),
    )


def communes_named_like(*, text: str) -> QuerySet[Territory]:
    """Communes whose name is the text, with or without its article, accents or hyphens
    ("la teste", "Le Barp", "reole"); failing that, those whose name starts with it.
    Exact matches first."""
    key = _search_key(Value(text.strip(), output_field=CharField()))
    communes = Territory.objects.filter(level=Territory.Level.COMMUNE).annotate(
        search_key=_search_key("name"), typed_key=key
    )
    exact = communes.filter(search_key=F("typed_key"))
    if exact.exists():
        return exact.order_by("name", "code")
    return communes.filter(
        Q(search_key__startswith=F("typed_key"))
        | Q(search_key__contains=Concat(Value(" "), F("typed_key")))
    ).order_by("name", "code")
