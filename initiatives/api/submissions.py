"""POST /api/v1/submissions/: a resident's initiative, through the same service as the form."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from common.validators import no_control_characters, single_line
from initiatives import choices
from initiatives.clients import client_address
from initiatives.emails import private_link_url
from initiatives.records import parse_point
from initiatives.services import SubmissionRateLimited, initiative_submit


def _choice_list(choice_class):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choice_class.choices), required=False
    )


def _choice(choice_class):
    return serializers.ChoiceField(choices=choice_class.choices, required=False, allow_blank=True)


def _text(validators=(single_line,), **kwargs):
    return serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        validators=list(validators),
        **kwargs,
    )


class GeoJSONPointSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)


class SubmissionInputSerializer(serializers.Serializer):
    """The place is `location` (a GeoJSON Point, WGS84) or `lon` and `lat`."""

    name = serializers.CharField(validators=[single_line])
    short_description = serializers.CharField(validators=[single_line])
    themes = serializers.ListField(child=serializers.ChoiceField(choices=choices.Theme.choices))
    contact_email = serializers.EmailField(
        validators=[single_line],
        help_text=_("Private: never published. The private link is sent there."),
    )
    location = GeoJSONPointSerializer(required=False)
    lon = serializers.FloatField(required=False)
    lat = serializers.FloatField(required=False)
    description = _text(validators=[no_control_characters])
    website = _text()
    address = _text()
    activity_status = serializers.ChoiceField(
        choices=choices.ActivityStatus.choices, required=False
    )
    start_date = serializers.DateField(required=False, allow_null=True)
    actor_types = _choice_list(choices.ActorType)
    collaboration_mode = _choice(choices.CollaborationMode)
    economic_model = _choice(choices.EconomicModel)
    resources = _choice_list(choices.Resource)
    governance = _choice(choices.Governance)
    animation = _choice(choices.Animation)
    needs = _choice_list(choices.Need)
    reciprocity = serializers.BooleanField(required=False, allow_null=True)
    step_free_access = serializers.BooleanField(required=False, allow_null=True)
    usable_without_internet = serializers.BooleanField(required=False, allow_null=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=3, validators=[single_line]), required=False
    )

    def validate(self, attrs):
        attrs = dict(attrs)
        geojson = attrs.pop("location", None)
        lon, lat = attrs.pop("lon", None), attrs.pop("lat", None)
        if geojson is not None:
            lon, lat = geojson["coordinates"]
        if lon is None or lat is None:
            raise serializers.ValidationError(
                {"location": [_("Give the place as a GeoJSON Point or as lon and lat.")]}
            )
        try:
            attrs["location"] = parse_point(lon, lat)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"location": error.messages}) from None
        return attrs


class SubmissionCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    publication_status = serializers.CharField()
    private_link = serializers.URLField(
        help_text=_("For the submitter only: shown once, lets them edit or withdraw.")
    )


class SubmissionCreateApi(APIView):
    """Submit an initiative; it stays pending (and absent from every public output) until a
    moderator approves it."""

    # JSON only: the project's JSON parser (common.api.parsers, first of the default parsers).
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES[:1]
    authentication_classes = []
    permission_classes = []

    @extend_schema(
        operation_id="submission_create",
        request=SubmissionInputSerializer,
        responses={
            201: SubmissionCreatedSerializer,
            400: OpenApiResponse(description="Field-by-field errors, in the request's language."),
            413: OpenApiResponse(description="The request body is too large."),
            415: OpenApiResponse(description="The body must be application/json."),
            429: OpenApiResponse(description="Too many submissions from this address."),
        },
        tags=["submissions"],
    )
    def post(self, request):
        serializer = SubmissionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = initiative_submit(
                data=serializer.validated_data, submitter_ip=client_address(request)
            )
        except SubmissionRateLimited:
            return Response(
                {"detail": _("Too many submissions from this address. Try again later.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": "3600"},
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        body = {
            "id": result.initiative.pk,
            "publication_status": result.initiative.publication_status,
            "private_link": private_link_url(result.token),
        }
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})
