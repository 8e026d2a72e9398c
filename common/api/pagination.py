from rest_framework_gis.pagination import GeoJsonPagination


class FeaturePagination(GeoJsonPagination):
    """A FeatureCollection with count, next and previous links; ?page_size= up to 1000."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
