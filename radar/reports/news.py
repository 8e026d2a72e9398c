"""What is new for an institution: the published initiatives and the support requests in
the territories it follows since a moment, and the significant movements emerging there."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from initiatives.models import Initiative
from initiatives.selectors import initiatives_in_territories
from radar.models import Institution
from radar.reports.emerging import significant_near
from radar.selectors import followed_territories
from territories.models import Territory

LIMIT = 100


@dataclass(frozen=True)
class WhatsNew:
    new_initiatives: list[Initiative]
    support_requests: list[Initiative]
    # Significant movements emerging now in followed territories. They last for months, so
    # they are shown but are not, alone, news worth a digest.
    emerging: list[dict] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new_initiatives or self.support_requests)


def whats_new(*, institution: Institution, since: datetime | None) -> WhatsNew:
    """Published initiatives and support requests in followed territories since a moment
    (in a followed territory: inside it or on its boundary, territories.selectors)."""
    return whats_new_in(territories=followed_territories(institution=institution), since=since)


def whats_new_in(*, territories: QuerySet[Territory], since: datetime | None) -> WhatsNew:
    """The same for any territories: a resident's subscription, a territory's feed."""
    followed = territories
    initiatives = initiatives_in_territories(territories=followed)
    if since is not None:
        initiatives = initiatives.filter(created_at__gt=since)
    initiatives = initiatives.order_by("-created_at", "id")
    return WhatsNew(
        new_initiatives=list(initiatives.filter(needs=[])[:LIMIT]),
        support_requests=list(initiatives.active().exclude(needs=[])[:LIMIT]),
        emerging=_emerging_in(followed),
    )


def _emerging_in(territories) -> list[dict]:
    """The significant movements meeting any of the territories, each once: the movements
    are read once, whatever the number of territories."""
    geometries = [territory.geometry for territory in territories.only("geometry")]
    seen, movements = set(), []
    for near in significant_near(geometries):
        for row in near:
            if (key := tuple(row["location_ids"])) not in seen:
                seen.add(key)
                movements.append(row)
    return movements
