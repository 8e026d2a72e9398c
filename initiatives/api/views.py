from rest_framework import generics

from common.api.pagination import FeaturePagination
from initiatives.api.filters import InitiativeFilter
from initiatives.api.serializers import InitiativeSerializer
from initiatives.selectors import published_initiatives


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
