"""From a SourceRecord (the source's words) to an ImportRow (our fields and codes)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from initiatives.importing.formats.base import SourceRecord
from initiatives.importing.vocabulary import CHOICE_FIELDS, MULTIPLE, ValueMapping
from initiatives.records import parse_list, parse_lon_lat, record_values
from initiatives.services import ImportRow

# Public free-text fields: no e-mail address or phone number of a person may land there.
PUBLIC_TEXT = ("name", "short_description", "description", "address")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\d{2,3}[\s.-]?\(?0?\)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
REMOVED = "[…]"


def scrub(value: str) -> tuple[str, int]:
    """The text without e-mail addresses and phone numbers, and how many were removed."""
    value, emails = EMAIL.subn(REMOVED, value)
    value, phones = PHONE.subn(REMOVED, value)
    return value, emails + phones


def _items(name: str, value) -> list[str]:
    if name in MULTIPLE:
        return parse_list(value)
    text = "" if value is None else str(value).strip()
    return [text] if text else []


def _map_vocabulary(fields: dict, mapping: ValueMapping, raw: dict, notes: list) -> None:
    for name in CHOICE_FIELDS:
        if name not in fields and name not in mapping.defaults:
            continue
        codes, unknown = mapping.translate(name, _items(name, fields.get(name)))
        if unknown:
            raw[name] = sorted(set(raw.get(name, [])) | set(unknown))
            notes.append(
                _("%(field)s: %(values)s not in our vocabulary, kept aside")
                % {"field": name, "values": ", ".join(unknown)}
            )
        fields[name] = codes if name in MULTIPLE else (codes[0] if codes else "")


def _scrub_personal_data(fields: dict, notes: list) -> None:
    for name in PUBLIC_TEXT:
        if isinstance(fields.get(name), str):
            fields[name], removed = scrub(fields[name])
            if removed:
                notes.append(
                    _("%(field)s: e-mail address or phone number removed") % {"field": name}
                )


def _location(record: SourceRecord):
    if record.lon in (None, "") and record.lat in (None, ""):
        raise ValidationError(
            {"location": _("The record has no coordinates (longitude and latitude).")}
        )
    try:
        return parse_lon_lat(record.lon, record.lat)  # a Point is made in SQL, faster
    except ValidationError as error:
        raise ValidationError({"location": error.messages}) from None


def record_to_row(record: SourceRecord, mapping: ValueMapping) -> ImportRow:
    """Our values for the record; a row carrying its error when it cannot be read."""
    if record.error:
        error = ValidationError(record.error)
        return ImportRow(line=record.line, source_id=record.source_id, values={}, error=error)
    fields, raw, notes = dict(record.fields), dict(record.raw), list(record.notes)
    try:
        if not record.source_id:
            raise ValidationError({"id": _("The row has no id.")})
        _map_vocabulary(fields, mapping, raw, notes)
        _scrub_personal_data(fields, notes)
        contact_email = fields.pop("contact_email", None)
        values = record_values(fields)
        values["location"] = _location(record)
    except ValidationError as error:
        return ImportRow(line=record.line, source_id=record.source_id, values={}, error=error)
    if contact_email is not None:  # private: never shown, only used to reach the holder
        values["contact_email"] = str(contact_email).strip()
    if record.source_url is not None:
        values["source_url"] = record.source_url
    values["raw_values"] = raw
    return ImportRow(line=record.line, source_id=record.source_id, values=values, notes=notes)
