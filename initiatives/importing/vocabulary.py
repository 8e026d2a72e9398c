"""Value mapping: a source's words → our codes, per field.

A mapping file is JSON:

    {
      "columns": {"name": "NOM", "id": "IDENTIFIANT", "lon": "X", "lat": "Y"},
      "values": {"themes": {"Alimentation": "food", "Numérique": ["digital_inclusion"]}},
      "defaults": {"themes": ["other"]}
    }

`columns` renames (our field ← their column), `values` maps their values onto our codes (a
code, a list of codes, or [] to drop a value knowingly), `defaults` fills a field left empty.
A value that is neither one of our codes nor in the mapping is *unknown*: it is kept in the
record's raw values and reported, never silently dropped.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models
from django.utils.translation import gettext as _

from initiatives import choices

CHOICE_FIELDS: dict[str, type[models.TextChoices]] = {
    "themes": choices.Theme,
    "actor_types": choices.ActorType,
    "resources": choices.Resource,
    "needs": choices.Need,
    "collaboration_mode": choices.CollaborationMode,
    "economic_model": choices.EconomicModel,
    "governance": choices.Governance,
    "animation": choices.Animation,
    "activity_status": choices.ActivityStatus,
}
MULTIPLE = {"themes", "actor_types", "resources", "needs"}
_KNOWN = {name: frozenset(choice_class.values) for name, choice_class in CHOICE_FIELDS.items()}


class MappingError(ValueError):
    """A mapping file that cannot be used, with a message saying why."""


def _codes(value) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise MappingError(_("A mapped value must be a code or a list of codes."))


def _check_codes(field_name: str, codes: list[str]) -> None:
    known = CHOICE_FIELDS.get(field_name)
    unknown = [code for code in codes if known is not None and code not in known.values]
    if unknown:
        raise MappingError(
            _("%(codes)s: not codes of the field %(field)s (use one of: %(known)s).")
            % {"codes": ", ".join(unknown), "field": field_name, "known": ", ".join(known.values)}
        )


@dataclass
class ValueMapping:
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    defaults: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, document) -> "ValueMapping":
        if not isinstance(document, dict):
            raise MappingError(_("A mapping file is a JSON object."))
        extra = set(document) - {"columns", "values", "defaults", "_comment"}
        if extra:
            raise MappingError(
                _("Unknown keys in the mapping file: %(keys)s.") % {"keys": ", ".join(extra)}
            )
        columns = document.get("columns", {})
        if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
            raise MappingError(_("“columns” maps our field names to column names."))
        values = {}
        for name, table in (document.get("values") or {}).items():
            if not isinstance(table, dict):
                raise MappingError(_("“values” holds one table per field."))
            values[name] = {str(theirs): _codes(ours) for theirs, ours in table.items()}
            for codes in values[name].values():
                _check_codes(name, codes)
        defaults = {name: _codes(v) for name, v in (document.get("defaults") or {}).items()}
        for name, codes in defaults.items():
            _check_codes(name, codes)
        return cls(columns=dict(columns), values=values, defaults=defaults)

    @classmethod
    def from_file(cls, path: str | Path) -> "ValueMapping":
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise MappingError(
                _("Cannot read the mapping file: %(error)s") % {"error": error}
            ) from None
        return cls.from_dict(document)

    def over(self, base: "ValueMapping") -> "ValueMapping":
        """This mapping, falling back on `base` (a format's built-in mapping)."""
        values = {name: dict(table) for name, table in base.values.items()}
        for name, table in self.values.items():
            values.setdefault(name, {}).update(table)
        return ValueMapping(
            columns={**base.columns, **self.columns},
            values=values,
            defaults={**base.defaults, **self.defaults},
        )

    def translate(self, field_name: str, items: list[str]) -> tuple[list[str], list[str]]:
        """(our codes, unknown values) for the source's values of one field."""
        known = _KNOWN[field_name]
        table = self.values.get(field_name, {})
        folded = {key.casefold(): codes for key, codes in table.items()}
        codes, unknown = [], []
        for item in items:
            if item in table or item.casefold() in folded:
                mapped = table.get(item, folded.get(item.casefold()))
            elif item in known:
                mapped = [item]
            else:
                unknown.append(item)
                continue
            codes.extend(code for code in mapped if code not in codes)
        if not codes:
            codes = list(self.defaults.get(field_name, []))
        return codes, unknown
