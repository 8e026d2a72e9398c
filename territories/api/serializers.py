from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from territories.models import Territory


class TerritorySerializer(GeoFeatureModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Territory
        geo_field = "geometry"
        id_field = "code"
        fields = [
            "code",
            "name",
            "level",
            "population",
            "population_year",
            "population_source",
            "area_km2",
            "parent",
        ]
