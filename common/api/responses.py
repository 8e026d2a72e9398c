"""The API's answers other than success, written once for the OpenAPI document: the shapes
DRF gives them (field-by-field errors, `{"detail": ...}`) and the 202 of a result still being
computed. Every operation lists the ones it can give, so that the document tells the truth."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_serializer
from rest_framework import serializers

FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Errors by field or parameter name, in the request's language "
    "(Accept-Language: fr by default, en); `detail` when the body cannot be read at all.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "description": "Errors of a nested field, by sub-field."},
        ]
    },
    "example": {"level": ["« region » n'est pas un choix valide."]},
}


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in the request's language.")


@extend_schema_serializer(component_name="Pending")
class PendingSerializer(serializers.Serializer):
    detail = serializers.CharField(
        required=False, help_text="The result is being computed, in the request's language."
    )


def bad_request(description: str = "") -> OpenApiResponse:
    return OpenApiResponse(
        response=FIELD_ERRORS_SCHEMA,
        description=description
        or "Invalid parameters: an error list per parameter (an "
        "unknown value, a value out of range, an empty value, a parameter given twice).",
    )


def not_found(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=DetailSerializer, description=description)


def detail(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=DetailSerializer, description=description)


def accepted() -> OpenApiResponse:
    return OpenApiResponse(
        response=PendingSerializer,
        description="Accepted: the result for these parameters is not computed yet; the "
        "worker is computing it. Ask again after Retry-After seconds.",
    )


# To list among an operation's parameters: the header of its 202 answer.
RETRY_AFTER = OpenApiParameter(
    name="Retry-After",
    type=OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    required=True,
    response=[202],
    description="Seconds to wait before asking again.",
)
