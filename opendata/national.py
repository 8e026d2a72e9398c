"""The published initiatives in the national formats that other platforms read:
data·inclusion structures (schema v1, JSON) and LaMednum digital-inclusion places (Table
Schema v1.0.2, CSV).

Both are published under the Licence Ouverte: records whose licence is share-alike (ODbL,
CC-BY-SA, e.g. OpenStreetMap's) are left out, since they cannot be relicensed. No contact
field is ever filled: the radar publishes no e-mail address or phone number.
"""

import csv
import io
import json
import re
from collections.abc import Callable, Iterator

from django.db.models import QuerySet

from initiatives.choices import SHARE_ALIKE, Theme
from initiatives.importing.formats.lamednum import SCHEMA_PATH
from initiatives.models import Initiative

SOURCE = "radar-territorial"
POSTCODE = re.compile(r"\b(\d{5})\b")
NAME_MAX = 150
BATCH = 2000


def exportable(initiatives: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """What the Licence Ouverte exports may carry: no share-alike record."""
    return (
        initiatives.exclude(licence__in=list(SHARE_ALIKE))
        .select_related("territory")
        .order_by("id")
    )


def _commune(initiative: Initiative) -> tuple[str | None, str | None]:
    territory = initiative.territory
    if territory is None or territory.level != "commune":
        return None, None
    return territory.name, territory.code


def data_inclusion_structure(initiative: Initiative, page_url: str) -> dict | None:
    """One structure of the data·inclusion schema v1, or None when our record cannot make a
    valid one (a name under 3 characters)."""
    name = initiative.name.strip().rstrip(".")[:NAME_MAX].strip()
    if len(name) < 3:
        return None
    description = (initiative.description or initiative.short_description).strip()
    commune, code = _commune(initiative)
    postcode = POSTCODE.search(initiative.address or "")
    return {
        "source": SOURCE,
        "id": f"{SOURCE}--{initiative.pk}",
        "nom": name,
        "date_maj": initiative.updated_at.date().isoformat(),
        "description": description[:10_000] if len(description) >= 5 else None,
        "lien_source": page_url,
        "siret": None,
        "commune": commune,
        "code_postal": postcode.group(1) if postcode else None,
        "code_insee": code,
        "adresse": initiative.address or None,
        "complement_adresse": None,
        "longitude": round(initiative.location.x, 7),
        "latitude": round(initiative.location.y, 7),
        "telephone": None,
        "courriel": None,
        "site_web": initiative.website or None,
        "horaires_accueil": None,
        "accessibilite_lieu": None,
        "reseaux_porteurs": None,
    }


def stream_data_inclusion(
    initiatives: QuerySet[Initiative], page_url: Callable[[Initiative], str]
) -> Iterator[bytes]:
    yield b"["
    first = True
    for initiative in exportable(initiatives).iterator(chunk_size=BATCH):
        structure = data_inclusion_structure(initiative, page_url(initiative))
        if structure is None:
            continue
        yield (b"" if first else b",") + b"\n" + json.dumps(structure, ensure_ascii=False).encode()
        first = False
    yield b"\n]\n"


def lamednum_fields() -> list[str]:
    return [field["name"] for field in json.loads(SCHEMA_PATH.read_text())["fields"]]


FRAIS = {"free": "Gratuit", "paid": "Payant"}


def lamednum_row(initiative: Initiative) -> dict | None:
    """One place of the LaMednum standard, or None when our record lacks what the standard
    requires (a commune, an address with its postcode)."""
    commune, code = _commune(initiative)
    postcode = POSTCODE.search(initiative.address or "")
    if commune is None or postcode is None:
        return None
    return {
        "id": f"{SOURCE}-{initiative.pk}",
        "pivot": "00000000000000",  # the standard's value when no SIRET or RNA is known
        "nom": initiative.name,
        "commune": commune,
        "code_postal": postcode.group(1),
        "code_insee": code,
        "adresse": initiative.address,
        "latitude": f"{initiative.location.y:.7f}",
        "longitude": f"{initiative.location.x:.7f}",
        "typologie": "ASSO" if initiative.actor_types == ["associative"] else "",
        "site_web": initiative.website,
        "presentation_resume": initiative.short_description,
        "presentation_detail": initiative.description,
        "source": "Radar territorial",
        "date_maj": initiative.updated_at.date().isoformat(),
        "frais_a_charge": FRAIS.get(initiative.economic_model, ""),
        "modalites_accompagnement": "À distance"
        if initiative.collaboration_mode == "digital"
        else "",
    }


def digital_inclusion(initiatives: QuerySet[Initiative]) -> QuerySet[Initiative]:
    return initiatives.filter(themes__contains=[Theme.DIGITAL_INCLUSION])


def stream_lamednum(initiatives: QuerySet[Initiative]) -> Iterator[bytes]:
    fields = lamednum_fields()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    rows = exportable(digital_inclusion(initiatives)).iterator(chunk_size=BATCH)
    for index, initiative in enumerate(rows):
        row = lamednum_row(initiative)
        if row is not None:
            writer.writerow({name: row.get(name, "") for name in fields})
        if index % 500 == 0 and buffer.tell():
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
