from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework_gis.pagination import GeoJsonPagination

from common.counting import BoundedCountPaginator


class FeaturePagination(GeoJsonPagination):
    """A FeatureCollection with count, next and previous links; ?page_size= from 1 to 1000
    (another value is refused with a 400); a page past the last answers 404.

    The count is exact up to common.counting.EXACT_UP_TO matches and PostgreSQL's estimate
    beyond (`count_estimated: true`): a page never counts the whole table."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    django_paginator_class = BoundedCountPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_estimated"] = self.page.paginator.count_estimated
        response.data.move_to_end("features")
        return response

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
                    "required": [
                        "type",
                        "count",
                        "count_estimated",
                        "next",
                        "previous",
                        "features",
                    ],
                    "properties": {
                        "count": {"type": "integer", "minimum": 0, "description": "All pages."},
                        "count_estimated": {
                            "type": "boolean",
                            "description": "true when count is PostgreSQL's estimate "
                            "(over 1,000 matches)",
                        },
                        "next": {**page_link, "description": "The next page; null on the last."},
                        "previous": {
                            **page_link,
                            "description": "The previous page; null on the first.",
                        },
                    },
                },
            ]
        }
