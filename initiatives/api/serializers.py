from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from initiatives.models import DESCRIPTIVE_FIELDS, Initiative
from territories.api.serializers import PUBLIC_FIELDS as TERRITORY_FIELDS
from territories.api.serializers import TerritorySerializer

COORDINATE_DECIMALS = 7  # 1 cm, in every public output

# Public fields only: contact_email and every private token stay out, always.
PUBLIC_FIELDS = [
    "id",
    *DESCRIPTIVE_FIELDS,
    "territory",
    "source",
    "source_id",
    "source_url",
    "licence",
    "attribution",
    "is_synthetic",
    "needs_confirmation",
    "last_confirmed_at",
    "created_at",
    "updated_at",
]


class InitiativeSerializer(GeoFeatureModelSerializer):
    location = GeometryField(precision=COORDINATE_DECIMALS, read_only=True, allow_null=True)
    territory = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    needs_confirmation = serializers.BooleanField(read_only=True)

    class Meta:
        model = Initiative
        geo_field = "location"
        fields = PUBLIC_FIELDS


class TerritoryDetailSerializer(TerritorySerializer):
    published_initiatives = serializers.IntegerField(
        read_only=True, help_text="Published initiatives located inside the territory."
    )
    active_initiatives = serializers.IntegerField(
        read_only=True, help_text="Published initiatives inside it that are running now."
    )

    class Meta(TerritorySerializer.Meta):
        fields = ["feature_id", *TERRITORY_FIELDS, "published_initiatives", "active_initiatives"]
