from drf_spectacular.utils import extend_schema
from rest_framework import generics

from common.api.pagination import FeaturePagination
from common.api.query import StrictFilterBackend
from common.api.responses import bad_request, not_found
from territories.api.filters import TerritoryFilter
from territories.api.serializers import TerritorySerializer
from territories.models import Territory


@extend_schema(
    responses={
        200: TerritorySerializer(many=True),
        400: bad_request(),
        404: not_found("The page is past the last one."),
    }
)
class TerritoryListApi(generics.ListAPIView):
    """Territories as a GeoJSON FeatureCollection, paged, with their population. A parameter
    given twice, or empty, is refused (400)."""

    queryset = Territory.objects.select_related("parent").order_by("level", "code")
    serializer_class = TerritorySerializer
    pagination_class = FeaturePagination
    filterset_class = TerritoryFilter
    filter_backends = [StrictFilterBackend]
