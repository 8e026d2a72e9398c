"""Factories: valid objects in one call, overridable field by field."""

from itertools import count

from django.contrib.gis.geos import Point

from initiatives.choices import PublicationStatus
from initiatives.models import Initiative

_numbers = count(1)
BORDEAUX = (-0.5792, 44.8378)  # Place de la Comédie, inside Gironde
OUTSIDE = (2.3522, 48.8566)  # Paris


def initiative_values(**overrides) -> dict:
    number = next(_numbers)
    lon, lat = overrides.pop("lonlat", BORDEAUX)
    values = {
        "name": f"Repair café test {number}",
        "short_description": "On répare ensemble le samedi matin.",
        "themes": ["repair_reuse"],
        "location": Point(lon, lat, srid=4326),
        "contact_email": f"holder{number}@example.net",
        "source": "test",
        "source_id": f"test-{number}",
    }
    values.update(overrides)
    return values


def make_initiative(*, status=PublicationStatus.PUBLISHED, **overrides) -> Initiative:
    initiative = Initiative(publication_status=status, **initiative_values(**overrides))
    initiative.full_clean()
    initiative.save()
    return initiative
