"""/tiles/: versioned map tiles (initiatives, territories), cached for a year."""

from django.urls import path

from initiatives.api import tiles as initiative_tiles
from territories.api import tiles as territory_tiles

app_name = "tiles"
urlpatterns = [
    path(
        "initiatives/<int:version>/<int:z>/<int:x>/<int:y>.json",
        initiative_tiles.initiative_tile,
        name="initiatives",
    ),
    path(
        "initiatives/<int:version>/<int:z>/<int:x>/<int:y>.pbf",
        initiative_tiles.initiative_tile_pbf,
        name="initiatives-mvt",
    ),
    path(
        "territories/<int:version>/<str:level>/<int:z>/<int:x>/<int:y>.json",
        territory_tiles.territory_tile,
        name="territories",
    ),
]
