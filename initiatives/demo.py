"""The Gironde demo: real third places of the 2019 census, and a deterministic synthetic set.

Synthetic initiatives are fictional examples (is_synthetic, source "demo"), generated from a
fixed seed and a fixed reference date so that every machine gets the same data. They include
one planted emerging movement: solidarity fridges spreading around Libourne in the last months
before the reference date.
"""

import csv
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from django.contrib.gis.geos import Point

from initiatives import choices
from initiatives.services import ImportRow
from territories.models import Territory

SEED = 20261115
REFERENCE_DATE = date(2026, 11, 15)
SYNTHETIC_COUNT = 420
EMERGING_COUNT = 16
EMERGING_CENTRE_CODE = "33243"  # Libourne
EMERGING_RADIUS_M = 9000
TIERS_LIEUX_SOURCE = "tiers-lieux-2019"
TIERS_LIEUX_CONFIRMED = datetime(2019, 12, 31, 12, 0, tzinfo=UTC)
# Provenance of each demo source (the same as migration 0004 gives rows loaded before it).
PROVENANCE = {
    "demo": {
        "licence": choices.Licence.LICENCE_OUVERTE,
        "attribution": "Radar territorial — exemple fictif (données synthétiques)",
    },
    TIERS_LIEUX_SOURCE: {
        "licence": choices.Licence.LICENCE_OUVERTE,
        "attribution": "CGET/ANCT, recensement des tiers-lieux 2019 (Mission coworking)",
        "source_url": "https://github.com/anct-carto/mission_coworking",
    },
}

NAMES = {
    "food": ["Jardin partagé", "Épicerie solidaire", "AMAP", "Cuisine collective"],
    "repair_reuse": ["Repair café", "Ressourcerie", "Atelier vélo participatif", "Boîte à dons"],
    "mobility": ["Covoiturage solidaire", "Vélo-école", "Transport solidaire"],
    "culture": ["Chorale", "Fête de quartier", "Théâtre participatif", "Bibliothèque de rue"],
    "digital_inclusion": ["Café numérique", "Permanence d'aide en ligne"],
    "care_mutual_aid": ["Réseau d'entraide", "Visites de voisinage", "Accorderie"],
    "environment": ["Nettoyage des berges", "Collectif zéro déchet", "Compost partagé"],
    "housing": ["Habitat participatif", "Colocation solidaire"],
    "skills_education": ["Échange de savoirs", "Soutien scolaire bénévole", "Ateliers de français"],
    "third_place": ["Café associatif", "Tiers-lieu"],
    "other": ["Conseil citoyen", "Collectif d'habitants"],
}
THEME_WEIGHTS = {
    "food": 14, "repair_reuse": 12, "mobility": 7, "culture": 12, "digital_inclusion": 8,
    "care_mutual_aid": 12, "environment": 11, "housing": 4, "skills_education": 10,
    "third_place": 6, "other": 4,
}  # fmt: skip


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _point_in(rng: random.Random, territory: Territory) -> Point:
    west, south, east, north = territory.geometry.extent
    while True:
        point = Point(rng.uniform(west, east), rng.uniform(south, north), srid=4326)
        if territory.geometry.contains(point):
            return Point(round(point.x, 6), round(point.y, 6), srid=4326)


def _start_date(rng: random.Random) -> date:
    # More initiatives in recent years, as in most inventories; at most ten years back.
    years_back = 10 * (1 - rng.random() ** 0.6)
    return REFERENCE_DATE - timedelta(days=int(years_back * 365.25))


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _collaboration(rng: random.Random, economic_model: str) -> dict:
    actor_count = rng.choices([1, 2, 3], weights=[50, 35, 15])[0]
    actors = rng.sample(list(choices.ActorType.values), actor_count)
    resources = rng.sample(list(choices.Resource.values), rng.choice([1, 1, 2, 2, 3]))
    # Reciprocity is made a little likelier for free / pay-what-you-can models: invented,
    # so that the insights page has something to show — the data is fictional.
    reciprocity_odds = 0.7 if economic_model in {"free", "pay_what_you_can"} else 0.5
    return {
        "actor_types": actors,
        "resources": resources,
        "collaboration_mode": _weighted(rng, {"in_person": 60, "hybrid": 30, "digital": 10}),
        "governance": rng.choice(choices.Governance.values),
        "animation": _weighted(rng, {"volunteers": 55, "paid_staff": 15, "both": 30}),
        "reciprocity": rng.random() < reciprocity_odds if rng.random() > 0.1 else None,
        "step_free_access": rng.random() < 0.6 if rng.random() > 0.3 else None,
        "usable_without_internet": rng.random() < 0.75 if rng.random() > 0.2 else None,
        "needs": rng.sample(list(choices.Need.values), rng.choice([0, 0, 0, 1, 1, 2])),
        "languages": ["fr"]
        if rng.random() < 0.85
        else sorted(["fr", rng.choice(["en", "es", "ar"])]),
    }


def _synthetic_values(rng: random.Random, number: int, theme: str, commune, started) -> dict:
    label = rng.choice(NAMES[theme])
    themes = [theme] if rng.random() < 0.7 else [theme, _weighted(rng, THEME_WEIGHTS)]
    economic_model = _weighted(
        rng, {"free": 45, "pay_what_you_can": 20, "membership": 20, "paid": 15}
    )
    confirmed = REFERENCE_DATE - timedelta(days=rng.randint(0, 700))
    return {
        "name": f"{label} — {commune.name}",
        "short_description": f"Exemple fictif : {label.lower()} à {commune.name}.",
        "description": (
            "Exemple fictif généré pour la démonstration du Radar territorial. "
            "Cette initiative n'existe pas."
        ),
        "themes": list(dict.fromkeys(themes)),
        "start_date": date(started.year, started.month, 1),
        "start_date_precision": choices.DatePrecision.MONTH,
        "activity_status": _weighted(rng, {"active": 85, "dormant": 10, "ended": 5}),
        "economic_model": economic_model,
        "is_synthetic": True,
        "contact_email": f"porteur.demo{number:04d}@example.org",
        "last_confirmed_at": datetime.combine(confirmed, time(12), tzinfo=UTC),
        **_collaboration(rng, economic_model),
    }


def synthetic_rows() -> list[ImportRow]:
    rng = random.Random(SEED)
    communes = list(
        Territory.objects.filter(level="commune", population__isnull=False).order_by("code")
    )
    # Weight by population, damped so that rural communes get their share.
    weights = [commune.population**0.75 for commune in communes]
    rows = []
    for number in range(1, SYNTHETIC_COUNT + 1):
        commune = rng.choices(communes, weights=weights)[0]
        theme = _weighted(rng, THEME_WEIGHTS)
        values = _synthetic_values(rng, number, theme, commune, _start_date(rng))
        values["location"] = _point_in(rng, commune)
        rows.append(ImportRow(line=number, source_id=f"demo-{number:04d}", values=values))
    return rows + _emerging_rows(rng, SYNTHETIC_COUNT + 1)


def _emerging_rows(rng: random.Random, first: int) -> list[ImportRow]:
    """Solidarity fridges opening around Libourne in the last four months."""
    centre = Territory.objects.get(level="commune", code=EMERGING_CENTRE_CODE)
    centre_point = centre.geometry.point_on_surface
    nearby = list(
        Territory.objects.filter(level="commune", population__isnull=False).order_by("code")
    )
    nearby = [
        commune
        for commune in nearby
        if commune.geometry.point_on_surface.transform(2154, clone=True).distance(
            centre_point.transform(2154, clone=True)
        )
        < EMERGING_RADIUS_M
    ]
    rows = []
    for offset in range(EMERGING_COUNT):
        number = first + offset
        commune = rng.choice(nearby)
        started = REFERENCE_DATE - timedelta(days=rng.randint(0, 110))
        values = _synthetic_values(rng, number, "food", commune, started)
        values.update(
            name=f"Frigo solidaire — {commune.name}",
            short_description=f"Exemple fictif : un frigo partagé en libre accès à {commune.name}.",
            themes=["food", "care_mutual_aid"],
            activity_status="active",
            economic_model="free",
            last_confirmed_at=datetime.combine(started, time(12), tzinfo=UTC),
        )
        values["location"] = _point_in(rng, commune)
        rows.append(ImportRow(line=number, source_id=f"demo-{number:04d}", values=values))
    return rows


def _website(raw: str) -> str:
    raw = raw.strip()
    if raw and not raw.startswith(("http://", "https://")):
        return f"http://{raw}"
    return raw


def tiers_lieux_rows(path: Path) -> list[ImportRow]:
    """The ANCT 2019 census: name, address, web site, kind and place. Everything else the
    census does not say stays unknown."""
    kinds = {
        "Tiers lieux à dominante coworking": "Tiers-lieu à dominante coworking",
        "Tiers lieux à dominante fablab": "Tiers-lieu à dominante fablab",
    }
    rows = []
    with open(path, encoding="utf-8", newline="") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            kind = kinds.get(record["TYPO"], record["TYPO"])
            values = {
                "name": record["NOM_TL"].strip(),
                "short_description": f"{kind} (recensement des tiers-lieux 2019).",
                "website": _website(record["WEB"]),
                "address": f"{record['ADRESSE'].strip()}, {record['CP']} {record['NOMCOM']}",
                "themes": ["third_place"],
                "last_confirmed_at": TIERS_LIEUX_CONFIRMED,
                "location": Point(float(record["LONG"]), float(record["LAT"]), srid=4326),
            }
            rows.append(ImportRow(line=line, source_id=record["ID"].strip(), values=values))
    return rows
