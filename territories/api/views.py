from rest_framework import generics

from common.api.pagination import FeaturePagination
from territories.api.filters import TerritoryFilter
from territories.api.serializers import TerritorySerializer
from territories.models import Territory


class TerritoryListApi(generics.ListAPIView):
    """Territories as a GeoJSON FeatureCollection, with their population."""

    queryset = Territory.objects.select_related("parent").order_by("level", "code")
    serializer_class = TerritorySerializer
    pagination_class = FeaturePagination
    filterset_class = TerritoryFilter
