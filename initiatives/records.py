"""Turn flat records (CSV rows, GeoJSON properties) into Initiative field values.

Multi-valued fields are joined with "|"; booleans are true/false (or oui/non, 1/0); dates are
YYYY-MM-DD, YYYY-MM (month precision) or YYYY (year precision). Empty means unknown.
"""

import math
from datetime import date

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from initiatives.choices import DatePrecision

LIST_FIELDS = ("themes", "actor_types", "resources", "needs", "languages")
BOOLEAN_FIELDS = ("reciprocity", "step_free_access", "usable_without_internet", "is_synthetic")
TEXT_FIELDS = (
    "name",
    "short_description",
    "description",
    "website",
    "address",
    "activity_status",
    "collaboration_mode",
    "economic_model",
    "governance",
    "animation",
    "licence",
    "attribution",
)
TRUE = {"true", "1", "yes", "oui", "vrai"}
FALSE = {"false", "0", "no", "non", "faux"}


def parse_list(value) -> list[str]:
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item.strip() for item in str(value or "").split("|") if item.strip()]


def parse_bool(value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text == "":
        return None
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValidationError(_("%(value)r is not yes/no (true/false).") % {"value": value})


def parse_start_date(value) -> tuple[date | None, str]:
    text = str(value or "").strip()
    if not text:
        return None, DatePrecision.DAY
    parts = text.split("-")
    try:
        numbers = [int(part) for part in parts]
        if len(numbers) == 1:
            return date(numbers[0], 1, 1), DatePrecision.YEAR
        if len(numbers) == 2:
            return date(numbers[0], numbers[1], 1), DatePrecision.MONTH
        if len(numbers) == 3:
            return date(*numbers), DatePrecision.DAY
    except ValueError:
        pass
    raise ValidationError(
        _("%(value)r is not a date (YYYY-MM-DD, YYYY-MM or YYYY).") % {"value": text}
    )


def parse_lon_lat(lon, lat) -> tuple[float, float]:
    """(longitude, latitude) as numbers in range; a decimal comma is accepted."""
    try:
        x, y = float(str(lon).replace(",", ".")), float(str(lat).replace(",", "."))
    except (TypeError, ValueError):
        raise ValidationError(_("Longitude and latitude must be numbers.")) from None
    if not (math.isfinite(x) and math.isfinite(y)) or not (-180 <= x <= 180 and -90 <= y <= 90):
        raise ValidationError(_("Longitude and latitude are out of range."))
    return x, y


def parse_point(lon, lat) -> Point:
    return Point(*parse_lon_lat(lon, lat), srid=4326)


def record_values(record: dict) -> dict:
    """Field values from a record whose keys are field names (after column mapping).
    Raises ValidationError with field-by-field messages."""
    values, errors = {}, {}
    for field in TEXT_FIELDS:
        if field in record:
            values[field] = str(record[field] or "").strip()
    for field in LIST_FIELDS:
        if field in record:
            values[field] = parse_list(record[field])
    for field in BOOLEAN_FIELDS:
        if field in record:
            _collect(errors, field, lambda f=field: values.__setitem__(f, parse_bool(record[f])))
    if "start_date" in record:
        _collect(errors, "start_date", lambda: _set_start(values, record["start_date"]))
    if errors:
        raise ValidationError(errors)
    return values


def _set_start(values: dict, raw) -> None:
    values["start_date"], values["start_date_precision"] = parse_start_date(raw)


def _collect(errors: dict, field: str, parse) -> None:
    try:
        parse()
    except ValidationError as error:
        errors[field] = error.messages
