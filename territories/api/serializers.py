from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from territories.models import Territory

PUBLIC_FIELDS = [
    "code",
    "name",
    "level",
    "population",
    "population_year",
    "population_source",
    "area_km2",
    "parent",
]


class TerritorySerializer(GeoFeatureModelSerializer):
    # The feature id is the code; `code` also stays among the properties (the API contract).
    feature_id = serializers.CharField(source="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    geometry = GeometryField(precision=7, read_only=True)  # 1 cm, like every public output

    class Meta:
        model = Territory
        geo_field = "geometry"
        id_field = "feature_id"
        fields = ["feature_id", *PUBLIC_FIELDS]
