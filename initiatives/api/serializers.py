from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from initiatives.models import DESCRIPTIVE_FIELDS, Initiative

COORDINATE_DECIMALS = 7  # 1 cm, in every public output

# Public fields only: contact_email and every private token stay out, always.
PUBLIC_FIELDS = [
    "id",
    *DESCRIPTIVE_FIELDS,
    "territory",
    "source",
    "source_id",
    "is_synthetic",
    "needs_confirmation",
    "last_confirmed_at",
    "created_at",
    "updated_at",
]


class InitiativeSerializer(GeoFeatureModelSerializer):
    location = GeometryField(precision=COORDINATE_DECIMALS, read_only=True)
    territory = serializers.SlugRelatedField(slug_field="code", read_only=True)
    needs_confirmation = serializers.BooleanField(read_only=True)

    class Meta:
        model = Initiative
        geo_field = "location"
        fields = PUBLIC_FIELDS
