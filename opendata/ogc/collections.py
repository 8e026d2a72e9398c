"""The two feature collections of the OGC API: what they hold and how they are encoded."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import django_filters
from django.contrib.gis.db.models import Extent
from django.db.models import Max, Min, QuerySet
from django.utils.translation import gettext_lazy as _

from common.counting import cached_figure
from initiatives.api.filters import InitiativeFilter
from initiatives.selectors import published_initiatives
from opendata import encoding
from opendata.ogc.queryables import INITIATIVE_QUERYABLES, TERRITORY_QUERYABLES, Queryable
from territories.api.filters import TerritoryFilter
from territories.models import Territory
from territories.selectors import territories_with_code


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    rows: Callable[[], QuerySet]
    filterset: type[django_filters.FilterSet]
    features_query: Callable[[QuerySet], tuple[str, tuple]]
    geometry_field: str
    id_lookup: Callable[[str], QuerySet]
    queryables: dict[str, Queryable]  # what a CQL2 filter may name
    start_field: str | None = None  # what `datetime` filters on

    def spatial_extent(self) -> list[float] | None:
        # Over the whole collection: computed once per data version (common.counting).
        def compute():
            extent = self.rows().aggregate(extent=Extent(self.geometry_field))["extent"]
            return [round(value, 6) for value in extent] if extent else []

        return cached_figure(f"ogc-extent:{self.id}", compute) or None

    def temporal_extent(self) -> list[str | None] | None:
        if not self.start_field:
            return None

        def compute():
            rows = self.rows()
            bounds = rows.aggregate(first=Min(self.start_field), last=Max(self.start_field))
            return [_instant(bounds["first"]), _instant(bounds["last"])]

        return cached_figure(f"ogc-period:{self.id}", compute)


def _instant(day: date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00Z" if day else None


def _initiative_by_id(feature_id: str) -> QuerySet:
    if not feature_id.isdigit():
        return published_initiatives().none()
    return published_initiatives().filter(id=int(feature_id))


COLLECTIONS = {
    "initiatives": Collection(
        id="initiatives",
        title=_("Local collaborative initiatives"),
        description=_(
            "Published initiatives, as points. Fictional demonstration examples are flagged "
            "with is_synthetic = true."
        ),
        rows=published_initiatives,
        filterset=InitiativeFilter,
        features_query=encoding.initiative_features_query,
        geometry_field="location",
        id_lookup=_initiative_by_id,
        queryables=INITIATIVE_QUERYABLES,
        start_field="start_date",
    ),
    "territories": Collection(
        id="territories",
        title=_("Territories"),
        description=_(
            "Communes, intercommunalities (EPCI) and départements with their population and "
            "the published initiatives located inside them."
        ),
        rows=Territory.objects.all,
        filterset=TerritoryFilter,
        features_query=encoding.territory_features_query,
        geometry_field="geometry",
        id_lookup=lambda code: territories_with_code(code=code)[:1],
        queryables=TERRITORY_QUERYABLES,
    ),
}
