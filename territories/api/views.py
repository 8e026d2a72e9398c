from django.http import Http404
from rest_framework import generics

from common.api.pagination import FeaturePagination
from territories.api.filters import TerritoryFilter
from territories.api.serializers import TerritoryDetailSerializer, TerritorySerializer
from territories.models import Territory
from territories.selectors import territories_with_code, territories_with_initiative_counts


class TerritoryListApi(generics.ListAPIView):
    """Territories as a GeoJSON FeatureCollection, with their population."""

    queryset = Territory.objects.select_related("parent").order_by("level", "code")
    serializer_class = TerritorySerializer
    pagination_class = FeaturePagination
    filterset_class = TerritoryFilter


class TerritoryDetailApi(generics.RetrieveAPIView):
    """One territory with the published (and active) initiatives located inside it.

    A code that recurs across levels (a region and a département) resolves to the coarsest."""

    serializer_class = TerritoryDetailSerializer
    lookup_field = "code"

    def get_queryset(self):
        return Territory.objects.select_related("parent")

    def get_object(self):
        territories = territories_with_code(code=self.kwargs["code"]).select_related("parent")
        territory = territories_with_initiative_counts(territories=territories).first()
        if territory is None:
            raise Http404
        return territory
