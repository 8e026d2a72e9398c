"""The public columns of the open data: an explicit allow-list, never the model's field list.

The CSV, the GeoJSON properties, the OGC items, the Table Schema and the data page all come
from COLUMNS, so they cannot drift apart. Their names and order are those read back by
`manage.py import_initiatives` (id, lon, lat, then the importable fields), so that an export
imports again as the same data. contact_email and every private token stay out, always.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from initiatives import choices

LIST_SEPARATOR = "|"
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"


@dataclass(frozen=True)
class Column:
    name: str
    csv_sql: str  # over "i" (the initiative) and "t" (its territory)
    json_sql: str
    type: str  # Table Schema type
    description: str
    choices: type[models.TextChoices] | None = None
    multiple: bool = False
    extra: tuple[tuple[str, object], ...] = ()  # more Table Schema keys


def _text(name, description, choice_class=None):
    return Column(name, f"i.{name}", f"i.{name}", "string", description, choice_class)


def _list(name, description, choice_class=None):
    return Column(
        name,
        f"array_to_string(i.{name}, '{LIST_SEPARATOR}')",
        f"to_json(i.{name})",
        "string",
        description,
        choice_class,
        multiple=True,
    )


def _boolean(name, description):
    csv_sql = f"CASE WHEN i.{name} THEN 'true' WHEN NOT i.{name} THEN 'false' END"
    extra = (("trueValues", ["true"]), ("falseValues", ["false"]))
    return Column(name, csv_sql, f"i.{name}", "boolean", description, extra=extra)


def _timestamp(name, description):
    sql = f"""to_char(i.{name} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
    return Column(name, sql, sql, "datetime", description)


_START_DATE_SQL = """CASE i.start_date_precision
    WHEN 'year' THEN to_char(i.start_date, 'YYYY')
    WHEN 'month' THEN to_char(i.start_date, 'YYYY-MM')
    ELSE to_char(i.start_date, 'YYYY-MM-DD') END"""

COLUMNS = [
    Column("id", "i.id", "i.id", "integer", _("Identifier of the initiative on this radar.")),
    Column(
        "lon",
        "round(ST_X(i.location)::numeric, 7)",
        "round(ST_X(i.location)::numeric, 7)",
        "number",
        _("Longitude in WGS84 degrees (EPSG:4326)."),
        extra=(("constraints", {"minimum": -180, "maximum": 180}),),
    ),
    Column(
        "lat",
        "round(ST_Y(i.location)::numeric, 7)",
        "round(ST_Y(i.location)::numeric, 7)",
        "number",
        _("Latitude in WGS84 degrees (EPSG:4326)."),
        extra=(("constraints", {"minimum": -90, "maximum": 90}),),
    ),
    _text("name", _("Name of the initiative.")),
    _text("short_description", _("What it does, in one or two sentences.")),
    _text("description", _("Longer description.")),
    _text("website", _("Website, starting with http:// or https://.")),
    _text("address", _("A public place where people can find it: street and commune.")),
    _list("themes", _("Themes."), choices.Theme),
    Column(
        "start_date",
        _START_DATE_SQL,
        _START_DATE_SQL,
        "string",
        _("When it started: YYYY-MM-DD, or YYYY-MM or YYYY when only that much is known."),
        extra=(("constraints", {"pattern": DATE_PATTERN}),),
    ),
    _text("start_date_precision", _("How precise the start date is."), choices.DatePrecision),
    _text("activity_status", _("Whether it is running."), choices.ActivityStatus),
    _list("actor_types", _("Kinds of actors taking part."), choices.ActorType),
    _text("collaboration_mode", _("How people meet."), choices.CollaborationMode),
    _text("economic_model", _("What taking part costs."), choices.EconomicModel),
    _list("resources", _("What it runs on."), choices.Resource),
    _text("governance", _("Who decides."), choices.Governance),
    _text("animation", _("Who runs it day to day."), choices.Animation),
    _boolean("reciprocity", _("Participants can give as well as receive.")),
    _boolean("step_free_access", _("People in a wheelchair or with a pushchair can get in.")),
    _boolean(
        "usable_without_internet",
        _("One can take part without a computer, smartphone or internet access."),
    ),
    _list("languages", _("Languages spoken, as ISO 639 codes such as fr, en, es.")),
    _list("needs", _("What it needs."), choices.Need),
    _boolean("is_synthetic", _("true for a fictional demonstration example, not a real one.")),
    Column(
        "territory",
        "t.code",
        "t.code",
        "string",
        _("Code (INSEE) of the finest territory containing the location."),
    ),
    _text("source", _("Where the record comes from: “resident” or an imported data set.")),
    _text("source_id", _("Identifier of the record in its source.")),
    _text("source_url", _("Address of the record in its source, when it has a page.")),
    _text("licence", _("Licence of the record, set by its source."), choices.Licence),
    _text("attribution", _("Credit the record's licence requires, to keep when reusing it.")),
    _timestamp("last_confirmed_at", _("When its holder last confirmed it (UTC).")),
    _timestamp("created_at", _("When it was added to the radar (UTC).")),
    _timestamp("updated_at", _("When it was last changed (UTC).")),
]

# The GeoJSON carries the location as its geometry and the id as the feature id.
PROPERTY_COLUMNS = [column for column in COLUMNS if column.name not in {"id", "lon", "lat"}]


def column_named(name: str) -> Column:
    return next(column for column in COLUMNS if column.name == name)
