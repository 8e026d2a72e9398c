"""Reads for the radar pages and the institutions. The analyses' reads are in
radar.reports.reading; "inside a territory" is territories.selectors.territory_holds."""

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import F, FloatField, Func, QuerySet, Value

from common.counting import cached_figure
from initiatives import choices
from initiatives.models import Initiative
from initiatives.selectors import (
    InitiativeFilters,
    initiatives_in_territory,
    initiatives_matching,
    published_initiatives,
)
from radar.models import Institution, InstitutionMembership, SupportOffer
from territories.models import Territory


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
        initiatives = initiatives_in_territory(territory=territory, initiatives=initiatives)
    return initiatives


def territory_ancestor(*, territory: Territory, level: str) -> Territory | None:
    current = territory
    while current is not None and current.level != level:
        current = current.parent
    return current


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
    # A département holds every initiative: counted once per data version.
    count = cached_figure(
        f"active-in:{territory.level}:{territory.code}",
        lambda: initiatives_in_territory(territory=territory).active().count(),
    )
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
