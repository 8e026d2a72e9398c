from rest_framework_gis.pagination import GeoJsonPagination

from common.counting import BoundedCountPaginator


class FeaturePagination(GeoJsonPagination):
    """A FeatureCollection with count, next and previous links; ?page_size= up to 1000.

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

    def get_paginated_response_schema(self, view):
        schema = super().get_paginated_response_schema(view)
        schema["properties"]["count_estimated"] = {
            "type": "boolean",
            "description": "true when count is PostgreSQL's estimate (over 1,000 matches)",
        }
        return schema
