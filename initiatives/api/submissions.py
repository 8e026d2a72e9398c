"""POST /api/v1/submissions/: a resident's initiative, through the same service as the form."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from common.api.responses import bad_request, detail
from common.validators import no_control_characters, single_line
from initiatives import choices
from initiatives.clients import client_address
from initiatives.emails import private_link_url
from initiatives.records import parse_point
from initiatives.services import SubmissionRateLimited, initiative_submit

# Text with something else than spaces (the text is trimmed before it is checked).
NOT_BLANK = RegexValidator(r"\S", message=_("This field may not be blank."))
LANGUAGE_CODE = RegexValidator(
    r"^[A-Za-z]{2,3}$", message=_("Give languages as two- or three-letter codes, such as fr, en.")
)


class UniqueListField(serializers.ListField):
    """A list in which a value may not be repeated."""

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if len(values) != len(set(values)):
            raise serializers.ValidationError(_("A value is repeated."))
        return values


def _choice_list(choice_class, **kwargs):
    field_class = extend_schema_field(
        {
            "type": "array",
            "items": {"type": "string", "enum": list(choice_class.values)},
            "uniqueItems": True,
            **({"minItems": kwargs["min_length"]} if "min_length" in kwargs else {}),
        }
    )(type(f"{choice_class.__name__}List", (UniqueListField,), {}))
    kwargs.setdefault("required", False)
    return field_class(child=serializers.ChoiceField(choices=choice_class.choices), **kwargs)


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
    """The place is `location` (a GeoJSON Point, WGS84 longitude then latitude) or `lon` and
    `lat`; it must lie inside the territory the instance serves (the Gironde for the demo).
    The start date may not be in the future. Text is trimmed, and may not hold control
    characters; one-line fields (all but the description) hold no line break either."""

    name = serializers.CharField(max_length=200, validators=[NOT_BLANK, single_line])
    short_description = serializers.CharField(max_length=280, validators=[NOT_BLANK, single_line])
    themes = _choice_list(choices.Theme, min_length=1, required=True)
    contact_email = serializers.EmailField(
        validators=[single_line],
        help_text=_("Private: never published. The private link is sent there."),
    )
    location = GeoJSONPointSerializer(required=False)
    lon = serializers.FloatField(required=False)
    lat = serializers.FloatField(required=False)
    description = _text(max_length=10_000, validators=[no_control_characters])
    website = serializers.URLField(
        required=False,
        allow_blank=True,
        max_length=500,
        validators=[single_line],
        help_text="A web address: http, https, ftp or ftps, then a host name with a "
        "top-level domain (at most 253 characters), localhost or an IP address.",
    )
    address = _text(max_length=300)
    activity_status = serializers.ChoiceField(
        choices=choices.ActivityStatus.choices, required=False
    )
    start_date = serializers.DateField(
        required=False, allow_null=True, help_text="Not in the future."
    )
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
    languages = UniqueListField(
        child=serializers.CharField(trim_whitespace=False, validators=[LANGUAGE_CODE]),
        required=False,
        help_text="ISO 639 codes of the languages spoken, such as fr, en.",
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
        parameters=[
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                required=True,
                response=[429],
                description="Seconds to wait before submitting again.",
            )
        ],
        responses={
            201: SubmissionCreatedSerializer,
            400: bad_request("Field-by-field errors, in the request's language."),
            411: detail("Chunked bodies are refused: send a Content-Length header."),
            413: detail("The request body is too large."),
            415: detail("The body must be application/json."),
            429: detail("Too many submissions from this address; see Retry-After."),
            503: detail("The database is briefly unavailable; see Retry-After."),
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
