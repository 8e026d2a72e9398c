"""Reads for the radar pages and the institutions. Spatial lookups live here."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import F, FloatField, Func, Q, QuerySet, Value

from initiatives import choices
from initiatives.models import Initiative
from initiatives.selectors import InitiativeFilters, initiatives_matching, published_initiatives
from radar.models import Follow, Institution, InstitutionMembership, SupportOffer
from territories.models import Territory

if TYPE_CHECKING:
    from radar.analysis.emerging import CaseTable


@dataclass(frozen=True)
class RadarFilters:
    initiatives: InitiativeFilters = field(default_factory=InitiativeFilters)
    since_year: int | None = None  # started in or after
    until_year: int | None = None  # started in or before: the year-by-year control


def radar_initiatives(*, filters: RadarFilters) -> QuerySet[Initiative]:
    """Published initiatives matching the radar's filters. A period excludes unknown dates."""
    initiatives = initiatives_matching(filters=filters.initiatives)
    if filters.since_year:
        initiatives = initiatives.filter(start_date__year__gte=filters.since_year)
    if filters.until_year:
        initiatives = initiatives.filter(start_date__year__lte=filters.until_year)
    return initiatives


def initiatives_asking_support(
    *, filters: RadarFilters | None = None, territory: Territory | None = None
) -> QuerySet[Initiative]:
    """Published, active initiatives that declared at least one need."""
    initiatives = radar_initiatives(filters=filters or RadarFilters()).active().exclude(needs=[])
    if territory is not None:
        initiatives = initiatives.filter(location__intersects=territory.geometry)
    return initiatives


def territory_by_code(*, code: str) -> Territory | None:
    """Codes are unique within a level; INSEE and SIREN codes do not collide in practice."""
    return Territory.objects.filter(code=code).select_related("parent").first()


def territory_ancestor(*, territory: Territory, level: str) -> Territory | None:
    current = territory
    while current is not None and current.level != level:
        current = current.parent
    return current


def initiatives_in_territory(*, territory: Territory) -> QuerySet[Initiative]:
    return published_initiatives().filter(location__intersects=territory.geometry)


@dataclass(frozen=True)
class TerritoryFigures:
    territory: Territory
    initiatives: int

    @property
    def per_10k(self) -> float | None:
        population = self.territory.population
        return round(self.initiatives * 10_000 / population, 2) if population else None


def territory_figures(*, territory: Territory) -> TerritoryFigures:
    """Key figures: active published initiatives inside the territory."""
    count = initiatives_in_territory(territory=territory).active().count()
    return TerritoryFigures(territory=territory, initiatives=count)


@dataclass(frozen=True)
class TerritoryMix:
    years: list[int]
    by_theme_year: dict[str, dict[int, int]]  # theme -> year -> initiatives started
    actor_types: Counter
    economic_models: Counter
    resources: Counter
    unknown_start: int


def territory_mix(*, territory: Territory) -> TerritoryMix:
    rows = initiatives_in_territory(territory=territory).values_list(
        "themes", "start_date", "actor_types", "economic_model", "resources"
    )
    by_theme_year: dict[str, Counter] = {}
    actors, models, resources = Counter(), Counter(), Counter()
    unknown_start = 0
    for themes, start, actor_types, economic_model, resource_list in rows:
        actors.update(actor_types)
        resources.update(resource_list)
        if economic_model:
            models[economic_model] += 1
        if start is None:
            unknown_start += 1
            continue
        for theme in themes:
            by_theme_year.setdefault(theme, Counter())[start.year] += 1
    years = sorted({year for counts in by_theme_year.values() for year in counts})
    return TerritoryMix(
        years=years,
        by_theme_year={theme: dict(counts) for theme, counts in sorted(by_theme_year.items())},
        actor_types=actors,
        economic_models=models,
        resources=resources,
        unknown_start=unknown_start,
    )


class _KnnMetres(Func):
    """PostGIS's index-assisted nearest-neighbour operator `<->` on geography: metres."""

    arg_joiner = "::geography <-> "
    template = "(%(expressions)s::geography)"
    output_field = FloatField()


def nearest_initiatives(*, territory: Territory, limit: int = 5) -> list[Initiative]:
    """Active published initiatives nearest to the territory's centre, with `distance_m`."""
    centre = Territory.objects.filter(pk=territory.pk).annotate(c=PointOnSurface("geometry"))
    point = centre.values_list("c", flat=True).get()
    return list(
        published_initiatives()
        .active()
        .annotate(
            distance_m=_KnnMetres(F("location"), Value(point, output_field=PointField(srid=4326)))
        )
        .order_by("distance_m", "id")[:limit]
    )


def public_support_for(*, initiative: Initiative) -> QuerySet[SupportOffer]:
    """Accepted support the holder agreed to show. Nothing else is ever public."""
    return SupportOffer.objects.filter(
        initiative=initiative, status=SupportOffer.Status.ACCEPTED, public_consent=True
    ).select_related("institution")


def public_supports() -> QuerySet[SupportOffer]:
    return (
        SupportOffer.objects.filter(status=SupportOffer.Status.ACCEPTED, public_consent=True)
        .filter(initiative__publication_status=choices.PublicationStatus.PUBLISHED)
        .select_related("institution", "initiative")
    )


def offers_for_initiative(*, initiative: Initiative) -> QuerySet[SupportOffer]:
    return SupportOffer.objects.filter(initiative=initiative).select_related("institution")


def memberships_of(*, user: AbstractBaseUser) -> QuerySet[InstitutionMembership]:
    if not user.is_authenticated:
        return InstitutionMembership.objects.none()
    return InstitutionMembership.objects.filter(user=user).select_related(
        "institution", "institution__territory"
    )


def membership_for(*, user: AbstractBaseUser) -> InstitutionMembership | None:
    """A user's first institution: accounts belong to one institution in practice."""
    return memberships_of(user=user).order_by("id").first()


def offers_of_institution(*, institution: Institution) -> QuerySet[SupportOffer]:
    return SupportOffer.objects.filter(institution=institution).select_related("initiative")


def followed_territories(*, institution: Institution) -> QuerySet[Territory]:
    return Territory.objects.filter(follows__institution=institution).order_by("level", "name")


@dataclass(frozen=True)
class WhatsNew:
    new_initiatives: list[Initiative]
    support_requests: list[Initiative]
    # Significant movements emerging now in followed territories. They last for months, so
    # they are shown but are not, alone, news worth a digest.
    emerging: list[dict] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new_initiatives or self.support_requests)


def _followed_area_filter(institution: Institution) -> Q:
    geometries = Follow.objects.filter(institution=institution).values_list(
        "territory__geometry", flat=True
    )
    area = Q(pk__in=[])
    for geometry in geometries:
        area |= Q(location__intersects=geometry)
    return area


def whats_new(*, institution: Institution, since: datetime | None) -> WhatsNew:
    """Published initiatives and support requests in followed territories since a moment."""
    area = _followed_area_filter(institution)
    initiatives = published_initiatives().filter(area)
    if since is not None:
        initiatives = initiatives.filter(created_at__gt=since)
    initiatives = initiatives.order_by("-created_at", "id")
    return WhatsNew(
        new_initiatives=list(initiatives.filter(needs=[])[:100]),
        support_requests=list(initiatives.active().exclude(needs=[])[:100]),
        emerging=_emerging_in_followed(institution),
    )


def _emerging_in_followed(institution: Institution) -> list[dict]:
    from radar.analytics import emerging_near

    seen, movements = set(), []
    for territory in followed_territories(institution=institution):
        for row in emerging_near(territory=territory):
            if (key := tuple(row["location_ids"])) not in seen:
                seen.add(key)
                movements.append(row)
    return movements


def emerging_cases(*, end: date) -> "CaseTable":
    """Published initiatives started on or before ``end``, as cases of the emerging-cluster
    scan: one case each, at its location, on its start date; the location id is the
    initiative's id."""
    import numpy as np

    from radar.analysis.emerging import CaseTable

    rows = (
        Initiative.objects.filter(
            publication_status=choices.PublicationStatus.PUBLISHED,
            start_date__isnull=False,
            start_date__lte=end,
        )
        .order_by("id")
        .values_list("id", "location", "start_date")
    )
    ids, lon, lat, dates = [], [], [], []
    for pk, point, started in rows.iterator(chunk_size=5000):
        ids.append(pk)
        lon.append(point.x)
        lat.append(point.y)
        dates.append(started)
    return CaseTable(
        location_ids=ids,
        lon=np.array(lon, dtype=float),
        lat=np.array(lat, dtype=float),
        dates=dates,
        counts=np.ones(len(ids), dtype=np.int64),
    )


def gaps_table(
    *, level: str, min_population: int | None = None, radius_km: float | None = None
) -> list[dict]:
    """The gap analysis of every territory of the level (see radar.analytics), with the
    white zones' thresholds when given."""
    from radar.analytics import GapParams, gaps_rows

    thresholds = {"min_population": min_population, "radius_km": radius_km}
    params = GapParams(level=level, **{k: v for k, v in thresholds.items() if v is not None})
    return gaps_rows(params)[0]


def emerging_table() -> list[dict]:
    """Emerging movements, most likely first (see radar.analytics)."""
    from radar.analytics import EmergingParams, emerging_rows

    return emerging_rows(EmergingParams())[0]


def trends_table(*, level: str) -> list[dict]:
    """Territories with an emerging hot-spot pattern over the years (see radar.analytics)."""
    from radar.analytics import TrendParams, hotspot_trends_rows

    rows, _stale = hotspot_trends_rows(TrendParams(level=level))
    return [row for row in rows if row["pattern"] != "no_pattern"]


def workshop_insights() -> dict:
    """The workshop's two open questions answered with the data (see radar.analytics)."""
    from radar.analytics import workshop_insights as insights
    from radar.insight_words import describe_insights

    return describe_insights(insights())
