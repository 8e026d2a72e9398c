from django.http import Http404
from rest_framework import generics

from common.api.pagination import FeaturePagination
from initiatives.api.filters import InitiativeFilter
from initiatives.api.serializers import InitiativeSerializer, TerritoryDetailSerializer
from initiatives.selectors import published_initiatives, territories_with_initiative_counts
from territories.models import Territory
from territories.selectors import territories_with_code


class InitiativeListApi(generics.ListAPIView):
    """Published initiatives as a GeoJSON FeatureCollection. No personal data."""

    serializer_class = InitiativeSerializer
    pagination_class = FeaturePagination
    filterset_class = InitiativeFilter

    def get_queryset(self):
        # Only the territory's code is shown: leave its polygon in the database.
        return published_initiatives().defer("territory__geometry").order_by("id")


class InitiativeDetailApi(generics.RetrieveAPIView):
    serializer_class = InitiativeSerializer

    def get_queryset(self):
        return published_initiatives().defer("territory__geometry")


class TerritoryDetailApi(generics.RetrieveAPIView):
    """One territory with the published (and active) initiatives located in it (inside it or
    on its boundary). A code that recurs across levels names the finest territory."""

    serializer_class = TerritoryDetailSerializer
    lookup_field = "code"

    def get_queryset(self):
        return Territory.objects.select_related("parent")

    def get_object(self):
        # The resolver's own order, counted in the same query.
        territories = territories_with_code(code=self.kwargs["code"]).select_related("parent")
        territory = territories_with_initiative_counts(territories=territories).first()
        if territory is None:
            raise Http404
        return territory
