"""Reads of initiatives. Only published initiatives ever leave through public outputs."""

from dataclasses import dataclass

from django.db.models import QuerySet

from initiatives.models import Initiative


@dataclass(frozen=True)
class InitiativeFilters:
    themes: tuple[str, ...] = ()
    actor_types: tuple[str, ...] = ()
    collaboration_modes: tuple[str, ...] = ()


def published_initiatives() -> QuerySet[Initiative]:
    return Initiative.objects.published().select_related("territory")


def initiatives_matching(*, filters: InitiativeFilters) -> QuerySet[Initiative]:
    """Published initiatives having any of the chosen themes / actor types / modes."""
    initiatives = published_initiatives()
    if filters.themes:
        initiatives = initiatives.filter(themes__overlap=list(filters.themes))
    if filters.actor_types:
        initiatives = initiatives.filter(actor_types__overlap=list(filters.actor_types))
    if filters.collaboration_modes:
        initiatives = initiatives.filter(collaboration_mode__in=filters.collaboration_modes)
    return initiatives
