from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework_gis.pagination import GeoJsonPagination


class FeaturePagination(GeoJsonPagination):
    """A FeatureCollection with count, next and previous links; ?page_size= from 1 to 1000
    (another value is refused with a 400); a page past the last answers 404."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        try:
            size = int(value)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1; a page past the last answers 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Features per page (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    def get_paginated_response_schema(self, schema):
        """The FeatureCollection of the list (`schema`) with the paging members DRF-gis adds."""
        page_link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "allOf": [
                schema,
                {
                    "type": "object",
                    "required": ["type", "count", "next", "previous", "features"],
                    "properties": {
                        "count": {"type": "integer", "minimum": 0, "description": "All pages."},
                        "next": {**page_link, "description": "The next page; null on the last."},
                        "previous": {
                            **page_link,
                            "description": "The previous page; null on the first.",
                        },
                    },
                },
            ]
        }
