"""data·inclusion schema v1: structures and services, as JSON (a list of objects) or CSV
(lists joined with "|" or ","). Each record is validated with the package's own pydantic
models (data-inclusion-schema); a record they refuse is reported with their reason.

Services carry thematiques (families such as "numerique" map onto our themes), frais and
modes d'accueil; structures carry none of those in v1, so they take the mapping's default
theme ("other" unless a mapping file says otherwise). The contact fields (courriel,
telephone, contact_nom_prenom) are not read: they may name or reach a person.
"""

from collections.abc import Iterator
from pathlib import Path

import pydantic
from django.utils.translation import gettext as _

from initiatives.choices import Licence
from initiatives.importing.formats.base import (
    Format,
    ImportOptions,
    SourceRecord,
    json_items,
    text,
)
from initiatives.importing.formats.common import joined, shorten
from initiatives.importing.formats.tabular import csv_rows
from initiatives.importing.vocabulary import ValueMapping

LIST_FIELDS = {
    "reseaux_porteurs",
    "thematiques",
    "publics",
    "modes_accueil",
    "modes_mobilisation",
    "mobilisable_par",
    "zone_eligibilite",
}
FAMILY_THEMES = {
    "numerique": ["digital_inclusion"],
    "mobilite": ["mobility"],
    "logement-hebergement": ["housing"],
    "equipement-et-alimentation": ["food"],
    "se-former": ["skills_education"],
    "lecture-ecriture-calcul": ["skills_education"],
    "choisir-un-metier": ["skills_education"],
    "preparer-sa-candidature": ["skills_education"],
    "trouver-un-emploi": ["skills_education"],
    "creer-une-entreprise": ["skills_education"],
    "sante": ["care_mutual_aid"],
    "famille": ["care_mutual_aid"],
    "difficultes-financieres": ["care_mutual_aid"],
    "difficultes-administratives-ou-juridiques": ["care_mutual_aid"],
    "remobilisation": ["care_mutual_aid"],
    "souvrir-a-linternational": ["other"],
}


def _models():
    from data_inclusion.schema.v1 import Service, Structure

    return Structure, Service


def _cleaned(item: dict, from_csv: bool) -> dict:
    """Empty cells as missing values; in a CSV, list cells split on "|" or ","."""
    cleaned = {}
    for name, value in item.items():
        if isinstance(value, str) and not value.strip():
            continue
        if from_csv and name in LIST_FIELDS and isinstance(value, str):
            separator = "|" if "|" in value else ","
            value = [part.strip() for part in value.split(separator) if part.strip()]
        cleaned[name] = value
    return cleaned


def schema_error(item: dict, model) -> str | None:
    try:
        model.model_validate(item)
    except pydantic.ValidationError as error:
        # pydantic lists every allowed code in its message: keep the start, it says enough.
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '—'}: {shorten(e['msg'], 160)}"
            for e in error.errors()
        )
        return _("Not valid against the data·inclusion schema v1: %(errors)s") % {
            "errors": problems
        }
    return None


def _mode(modes: list[str]) -> str:
    remote, on_site = "a-distance" in modes, "en-presentiel" in modes
    return (
        "hybrid" if remote and on_site else "digital" if remote else "in_person" if on_site else ""
    )


def item_record(line: int, item: dict, model) -> SourceRecord:
    is_service = "structure_id" in item
    description = text(item.get("description"))
    families = sorted({str(t).split("--")[0] for t in item.get("thematiques") or []})
    fields = {
        "name": text(item.get("nom")),
        "short_description": shorten(description) or text(item.get("nom")),
        "description": description,
        "website": text(item.get("site_web")) if not is_service else "",
        "address": joined(
            item.get("adresse"),
            item.get("complement_adresse"),
            joined(item.get("code_postal"), item.get("commune"), separator=" "),
        ),
        "themes": families,
    }
    if is_service:
        fields["economic_model"] = text(item.get("frais"))
        fields["collaboration_mode"] = _mode(list(item.get("modes_accueil") or []))
    raw = {
        name: list(item[name])
        for name in ("reseaux_porteurs", "publics")
        if isinstance(item.get(name), list) and item[name]
    }
    return SourceRecord(
        line=line,
        source_id=text(item.get("id")),
        fields=fields,
        lon=item.get("longitude"),
        lat=item.get("latitude"),
        source_url=text(item.get("lien_source")),
        raw=raw,
        error=schema_error(item, model),
    )


class DataInclusionFormat(Format):
    name = "data-inclusion"
    licence = Licence.LICENCE_OUVERTE
    attribution = "data·inclusion (GIP Plateforme de l’inclusion)"
    mapping = ValueMapping(
        values={
            "themes": FAMILY_THEMES,
            "economic_model": {"gratuit": ["free"], "payant": ["paid"]},
        },
        defaults={"themes": ["other"]},
    )

    def records(self, path: Path, options: ImportOptions) -> Iterator[SourceRecord]:
        structure, service = _models()
        from_csv = path.suffix.lower() == ".csv"
        items = (
            csv_rows(path, options.encoding)
            if from_csv
            else enumerate(json_items(path, options.encoding, None), start=1)
        )
        for line, item in items:
            item = _cleaned(item if isinstance(item, dict) else {}, from_csv)
            yield item_record(line, item, service if "structure_id" in item else structure)
