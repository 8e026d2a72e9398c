from django.conf import settings


def site(request):
    return {
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "open_data_licence": settings.OPEN_DATA_LICENCE,
    }
