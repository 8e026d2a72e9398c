import math
import re

import django_filters
from django import forms
from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

_NUMBER = r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?"
BBOX_PATTERN = rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$"
BBOX_SCHEMA = {
    "type": "string",
    "format": "bbox",
    "pattern": BBOX_PATTERN,
    "description": "west,south,east,north in WGS84 degrees (decimal point), with "
    "-180 <= west < east <= 180 and -90 <= south < north <= 90; features meeting the box.",
    "example": "-0.7,44.7,-0.5,44.9",
}


class BBoxField(forms.CharField):
    """west,south,east,north in WGS84 degrees."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if not re.fullmatch(BBOX_PATTERN, value):
            raise ValidationError(
                _("bbox must be four numbers: west,south,east,north."), code="invalid"
            )
        west, south, east, north = (float(part) for part in value.split(","))
        if not all(map(math.isfinite, (west, south, east, north))) or not (
            -180 <= west < east <= 180 and -90 <= south < north <= 90
        ):
            raise ValidationError(
                _("bbox must be west,south,east,north in degrees, west < east and south < north."),
                code="invalid",
            )
        box = Polygon.from_bbox((west, south, east, north))
        box.srid = 4326
        return box


@extend_schema_field(BBOX_SCHEMA)
class BBoxFilter(django_filters.Filter):
    field_class = BBoxField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__intersects": value})
