from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from common.api.pagination import FeaturePagination
from common.api.query import StrictFilterBackend
from common.api.responses import bad_request, not_found
from initiatives import choices
from initiatives.api.filters import InitiativeFilter
from initiatives.api.serializers import InitiativeSerializer, TerritoryDetailSerializer
from initiatives.selectors import published_initiatives, territories_with_initiative_counts
from territories.models import Territory
from territories.selectors import territories_with_code


def _any_of(name: str, choice_class, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "array", "items": {"type": "string", "enum": list(choice_class.values)}},
        description=description,
        explode=True,
        style="form",
    )


@extend_schema(
    parameters=[
        _any_of("theme", choices.Theme, "Initiatives having any of these themes (repeatable)."),
        _any_of("actor_type", choices.ActorType, "Any of these kinds of actors (repeatable)."),
    ],
    responses={
        200: InitiativeSerializer(many=True),
        400: bad_request(),
        404: not_found("The page is past the last one."),
    },
)
class InitiativeListApi(generics.ListAPIView):
    """Published initiatives as a GeoJSON FeatureCollection, paged. No personal data.

    A list parameter (theme, actor_type, collaboration_mode, economic_model, status) may be
    repeated and keeps initiatives matching any of its values; any other parameter given
    twice, or empty, is refused (400)."""

    serializer_class = InitiativeSerializer
    pagination_class = FeaturePagination
    filterset_class = InitiativeFilter
    filter_backends = [StrictFilterBackend]

    def get_queryset(self):
        # Only the territory's code is shown: leave its polygon in the database.
        return published_initiatives().defer("territory__geometry").order_by("id")


@extend_schema(responses={200: InitiativeSerializer, 404: not_found("No published initiative.")})
class InitiativeDetailApi(generics.RetrieveAPIView):
    """One published initiative as a GeoJSON Feature. No personal data."""

    serializer_class = InitiativeSerializer

    def get_queryset(self):
        return published_initiatives().defer("territory__geometry")


@extend_schema(
    responses={200: TerritoryDetailSerializer, 404: not_found("No territory has this code.")}
)
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
