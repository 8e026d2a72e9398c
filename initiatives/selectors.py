"""Reads of initiatives. Only published initiatives ever leave through public outputs."""

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.gis.db.models import PointField
from django.contrib.gis.geos import Polygon
from django.contrib.gis.measure import D
from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Count, Exists, Func, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce

from initiatives.choices import PublicationStatus
from initiatives.models import (
    FRESHNESS,
    Initiative,
    OutgoingEmail,
    OutgoingEmailStatus,
    Revision,
    RevisionStatus,
)
from initiatives.search import initiatives_searched
from territories.models import Territory
from territories.selectors import communes_named_like


@dataclass(frozen=True)
class InitiativeFilters:
    themes: tuple[str, ...] = ()
    actor_types: tuple[str, ...] = ()
    collaboration_modes: tuple[str, ...] = ()
    text: str = ""
    territory: Territory | None = None


def published_initiatives() -> QuerySet[Initiative]:
    return Initiative.objects.published().select_related("territory")


def initiatives_matching(*, filters: InitiativeFilters) -> QuerySet[Initiative]:
    """Published initiatives having any of the chosen themes / actor types / modes, in the
    chosen territory, matching the searched words."""
    initiatives = published_initiatives()
    if filters.themes:
        initiatives = initiatives.filter(themes__overlap=list(filters.themes))
    if filters.actor_types:
        initiatives = initiatives.filter(actor_types__overlap=list(filters.actor_types))
    if filters.collaboration_modes:
        initiatives = initiatives.filter(collaboration_mode__in=filters.collaboration_modes)
    if filters.territory is not None:
        initiatives = initiatives_in_territory(territory=filters.territory, initiatives=initiatives)
    if filters.text:
        initiatives = initiatives_matching_text(initiatives=initiatives, text=filters.text)
    return initiatives


def initiatives_in_bbox(
    *, initiatives: QuerySet[Initiative], bbox: Polygon
) -> QuerySet[Initiative]:
    """Those whose location lies in the WGS84 box (uses the GiST index on location)."""
    return initiatives.filter(location__intersects=bbox)


def initiatives_in_territory(
    *, territory: Territory, initiatives: QuerySet[Initiative] | None = None
) -> QuerySet[Initiative]:
    """Those (published ones by default) located in the territory: inside it or on its
    boundary, the one rule of territories.selectors.territory_holds."""
    if initiatives is None:
        initiatives = published_initiatives()
    return initiatives.filter(location__intersects=territory.geometry)


def initiatives_in_territories(
    *, territories: QuerySet[Territory], initiatives: QuerySet[Initiative] | None = None
) -> QuerySet[Initiative]:
    """Those (published ones by default) located in any of the territories, by the rule of
    initiatives_in_territory, in one query."""
    if initiatives is None:
        initiatives = published_initiatives()
    return initiatives.filter(Exists(territories.filter(geometry__intersects=OuterRef("location"))))


def territories_with_initiative_counts(*, territories: QuerySet[Territory]) -> QuerySet[Territory]:
    """Annotated with the published and the active initiatives located in each one (the rule
    of initiatives_in_territory). The open-data territories and the API read these counts."""
    inside = Initiative.objects.published().filter(location__intersects=OuterRef("geometry"))
    return territories.annotate(
        published_initiatives=_count(inside), active_initiatives=_count(inside.active())
    )


def _count(queryset) -> Subquery:
    # A plain COUNT in the subquery: no GROUP BY, so exactly one row, zero when none.
    counted = queryset.order_by().values(n=Func("id", function="COUNT"))
    return Subquery(counted, output_field=IntegerField())


def initiatives_matching_text(
    *, initiatives: QuerySet[Initiative], text: str
) -> QuerySet[Initiative]:
    """Those matching every word of `text` in their name, descriptions or commune, whatever
    the case, accents, hyphens and articles (French full text: initiatives.search)."""
    return initiatives_searched(initiatives=initiatives, text=text)


def initiatives_change_stamp(*, initiatives: QuerySet[Initiative]) -> tuple[int, datetime | None]:
    """(count, latest updated_at): what changes whenever the selection changes."""
    stamp = initiatives.order_by().aggregate(count=Count("id"), latest=Max("updated_at"))
    return stamp["count"], stamp["latest"]


def published_sources() -> QuerySet:
    """Each source of the published initiatives with its licence, attribution and count."""
    return (
        published_initiatives()
        .order_by()
        .values("source", "licence", "attribution")
        .annotate(count=Count("id"))
        .order_by("-count", "source", "licence")
    )


# Contributions and moderation

# Initiatives that are, or may become, public.
LIVE_STATUSES = (PublicationStatus.PENDING, PublicationStatus.PUBLISHED)


# The moderation rule for "the same initiative twice": near, with a similar name.
DUPLICATE_DISTANCE_M = 150
DUPLICATE_MIN_SIMILARITY = 0.3


def possible_duplicates(
    *,
    initiative: Initiative,
    distance_m: float = DUPLICATE_DISTANCE_M,
    min_similarity: float = DUPLICATE_MIN_SIMILARITY,
) -> QuerySet[Initiative]:
    """Other live initiatives within `distance_m` metres with a similar name, or with the same
    website. Distances on the geography type, so in metres."""
    near_and_similar = Q(
        geography__dwithin=(initiative.location, D(m=distance_m)),
        name_similarity__gte=min_similarity,
    )
    same_website = Q(website__iexact=initiative.website) if initiative.website else Q(pk__in=[])
    return (
        Initiative.objects.exclude(pk=initiative.pk)
        .filter(publication_status__in=LIVE_STATUSES)
        .annotate(
            geography=Cast("location", PointField(geography=True, srid=4326)),
            name_similarity=TrigramSimilarity("name", initiative.name),
        )
        .filter(near_and_similar | same_website)
        .order_by("-name_similarity", "id")
    )


def pending_submissions() -> QuerySet[Initiative]:
    return (
        Initiative.objects.filter(publication_status=PublicationStatus.PENDING)
        .select_related("territory")
        .order_by("created_at", "id")
    )


def pending_revisions() -> QuerySet[Revision]:
    return (
        Revision.objects.filter(status=RevisionStatus.PENDING)
        .select_related("initiative")
        .order_by("created_at", "id")
    )


def initiative_holding_token(*, token_hash: str) -> Initiative | None:
    """The initiative whose private link has this hash (compared in constant time)."""
    if not token_hash:
        return None
    initiative = Initiative.objects.filter(private_token_hash=token_hash).first()
    if initiative is None or not hmac.compare_digest(initiative.private_token_hash, token_hash):
        return None
    return initiative


def initiatives_due_for_reminder(*, now: datetime, resend_after: timedelta) -> QuerySet[Initiative]:
    """Live initiatives unconfirmed for 12 months, with a holder, not reminded lately."""
    return (
        Initiative.objects.filter(publication_status__in=LIVE_STATUSES)
        .exclude(contact_email="")
        .annotate(confirmed=Coalesce("last_confirmed_at", "created_at"))
        .filter(confirmed__lt=now - FRESHNESS)
        .filter(Q(reminder_sent_at__isnull=True) | Q(reminder_sent_at__lt=now - resend_after))
        .order_by("id")
    )


def commune_named(*, text: str) -> Territory | None:
    """The commune of the served territory typed as "Name (code)", or as its name with or
    without article, accents or hyphens ("la teste", "reole"); None if unknown or ambiguous.
    Resolved against our own territories, never an outside geocoder."""
    text = text.strip()
    communes = Territory.objects.filter(level=Territory.Level.COMMUNE)
    if text.endswith(")") and "(" in text:
        name, code = text[:-1].rsplit("(", 1)
        found = communes.filter(code=code.strip(), name__iexact=name.strip())
    else:
        found = communes_named_like(text=text) if text else communes.none()
    matches = list(found[:2])
    return matches[0] if len(matches) == 1 else None


def commune_choices() -> list[str]:
    """Every commune as "Name (code)", for the contribution form's autocomplete."""
    return [
        f"{name} ({code})"
        for name, code in Territory.objects.filter(level=Territory.Level.COMMUNE)
        .order_by("name", "code")
        .values_list("name", "code")
    ]


def territory_choices() -> dict[str, list[tuple[str, str]]]:
    """(code, name) of the EPCI and of the communes one may filter the public map by, by
    level, sorted by name: one query."""
    levels = (Territory.Level.EPCI, Territory.Level.COMMUNE)
    rows = Territory.objects.filter(level__in=levels).order_by("name", "code")
    grouped = {level: [] for level in levels}
    for level, code, name in rows.values_list("level", "code", "name"):
        grouped[level].append((code, name))
    return grouped


def undelivered_emails() -> QuerySet[OutgoingEmail]:
    """E-mails to residents and members that still failed after every retry."""
    return (
        OutgoingEmail.objects.filter(status=OutgoingEmailStatus.FAILED)
        .select_related("initiative")
        .order_by("-created_at", "-id")
    )
