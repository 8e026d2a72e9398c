"""Initiatives in words: every public field with its label and its value as a person reads it
(code lists by their labels, yes/no/not stated for booleans, languages by name, dates at their
precision). Used wherever fields are shown: moderation, diffs, detail pages."""

from datetime import date

from django.contrib.gis.geos import Point
from django.utils import formats
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from initiatives.models import DESCRIPTIVE_FIELDS, Initiative

# Shown elsewhere on a card (as its title and lead), or only as part of another value.
NOT_IN_ROWS = {"name", "short_description", "description", "start_date_precision"}


def _language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _date(value: date, precision: str) -> str:
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return formats.date_format(value, "F Y")
    return formats.date_format(value, "j F Y")


def shown_value(name: str, value, *, precision: str = "day") -> str:
    """One field's value in words, "not stated" when unknown."""
    field = Initiative._meta.get_field(name)
    if value is None or value == "" or value == []:
        return _("not stated")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Point):
        return _("latitude %(lat)s, longitude %(lon)s") % {
            "lat": formats.number_format(value.y, 5),
            "lon": formats.number_format(value.x, 5),
        }
    if isinstance(value, date):
        return _date(value, precision)
    if name == "languages":
        return ", ".join(_language_name(code) for code in value)
    choices = dict(
        getattr(getattr(field, "base_field", None), "choices", None) or field.choices or []
    )
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    return str(choices.get(value, value))


def field_label(name: str) -> str:
    return str(Initiative._meta.get_field(name).verbose_name)


def field_rows(initiative: Initiative) -> list[tuple[str, str]]:
    """(label, value in words) for every descriptive public field, in the form's order."""
    rows = []
    for name in DESCRIPTIVE_FIELDS:
        if name in NOT_IN_ROWS:
            continue
        value = getattr(initiative, name)
        rows.append(
            (
                field_label(name),
                shown_value(name, value, precision=initiative.start_date_precision),
            )
        )
    return rows
