"""What a CQL2 filter may name: an explicit allow-list per collection, never the model's fields.

The initiatives' queryables are the public open-data columns (opendata.columns), so a
filter reaches exactly what a feature shows; contact_email and the private tokens are not
columns and so cannot be named.
"""

from dataclasses import dataclass

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative
from opendata.columns import PROPERTY_COLUMNS
from territories.models import Territory

STRING, INTEGER, NUMBER, BOOLEAN = "string", "integer", "number", "boolean"
DATE, TIMESTAMP, ARRAY, GEOMETRY = "date", "timestamp", "array", "geometry"


@dataclass(frozen=True)
class Queryable:
    name: str
    lookup: str  # the ORM path the filter compares
    type: str
    title: str
    enum: tuple[str, ...] = ()
    role: str = ""  # x-ogc-role: id, primary-geometry, primary-instant
    geometry_format: str = ""  # JSON Schema format of a geometry, e.g. geometry-point

    def json_schema(self) -> dict:
        schema = {"title": str(self.title), **self._type_schema()}
        if self.role:
            schema["x-ogc-role"] = self.role
        return schema

    def _type_schema(self) -> dict:
        enum = {"enum": list(self.enum)} if self.enum else {}
        if self.type == ARRAY:
            return {"type": "array", "items": {"type": "string", **enum}}
        if self.type == DATE:
            return {"type": "string", "format": "date"}
        if self.type == TIMESTAMP:
            return {"type": "string", "format": "date-time"}
        if self.type == GEOMETRY:
            return {"format": self.geometry_format}
        return {"type": self.type, **enum}


def _model_type(field: models.Field) -> str:
    if isinstance(field, ArrayField):
        return ARRAY
    if isinstance(field, models.BooleanField):
        return BOOLEAN
    if isinstance(field, models.DateTimeField):
        return TIMESTAMP
    if isinstance(field, models.DateField):
        return DATE
    if isinstance(field, models.IntegerField):
        return INTEGER
    if isinstance(field, models.FloatField):
        return NUMBER
    return STRING


def _initiative_queryables() -> dict[str, Queryable]:
    queryables = [
        Queryable("id", "id", INTEGER, _("Identifier of the initiative on this radar."), role="id"),
        Queryable(
            "geometry",
            "location",
            GEOMETRY,
            _("Location"),
            role="primary-geometry",
            geometry_format="geometry-point",
        ),
    ]
    for column in PROPERTY_COLUMNS:
        if column.name == "territory":
            queryables.append(Queryable("territory", "territory__code", STRING, column.description))
            continue
        kind = _model_type(Initiative._meta.get_field(column.name))
        enum = tuple(column.choices.values) if column.choices else ()
        role = "primary-instant" if column.name == "start_date" else ""
        queryables.append(Queryable(column.name, column.name, kind, column.description, enum, role))
    return {queryable.name: queryable for queryable in queryables}


TERRITORY_QUERYABLES = {
    queryable.name: queryable
    for queryable in [
        Queryable("code", "code", STRING, _("INSEE or SIREN code."), role="id"),
        Queryable(
            "geometry",
            "geometry",
            GEOMETRY,
            _("Boundary"),
            role="primary-geometry",
            geometry_format="geometry-multipolygon",
        ),
        Queryable("name", "name", STRING, _("Name.")),
        Queryable("level", "level", STRING, _("Level."), tuple(Territory.Level.values)),
        Queryable("parent", "parent__code", STRING, _("Code of the enclosing territory.")),
        Queryable("population", "population", INTEGER, _("Population.")),
        Queryable("population_year", "population_year", INTEGER, _("Year of the population.")),
        Queryable("population_source", "population_source", STRING, _("Source of the population.")),
        Queryable("area_km2", "area_km2", NUMBER, _("Area in square kilometres.")),
    ]
}
INITIATIVE_QUERYABLES = _initiative_queryables()
