"""{% map_config %}: what the page's map needs from the server, as a JSON script element
(#map-config): the served territory's bounds, the current tile URLs (carrying the data
versions) and the background tiles with their attribution in the page's language."""

from django import template
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import json_script
from django.utils.translation import gettext as _

from territories.models import DataVersion
from territories.selectors import served_territory_extent

register = template.Library()


def tile_attribution() -> str:
    if settings.MAP_TILE_ATTRIBUTION == settings.MAP_TILE_ATTRIBUTION_DEFAULT:
        link = '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
        return _("&copy; %(openstreetmap)s contributors") % {"openstreetmap": link}
    return settings.MAP_TILE_ATTRIBUTION


def map_config_data() -> dict:
    versions = dict(DataVersion.objects.values_list("name", "version"))
    initiatives, territories = versions.get("initiatives", 0), versions.get("territories", 0)
    key = f"maps:served-extent:{territories}"
    extent = cache.get(key)
    if extent is None:
        extent = served_territory_extent() or (-5.2, 41.3, 9.6, 51.1)  # France, if unknown
        cache.set(key, extent, 24 * 3600)
    tile = reverse("tiles:initiatives", args=[initiatives, 0, 0, 0])
    territory = reverse("tiles:territories", args=[territories, "LEVEL", 0, 0, 0])
    return {
        "bounds": [round(value, 5) for value in extent],
        "served": settings.RADAR_SERVED_TERRITORY,
        "initiatives": tile.replace("/0/0/0.json", "/{z}/{x}/{y}.json"),
        "territories": territory.replace("/LEVEL/0/0/0.json", "/{level}/{z}/{x}/{y}.json"),
        "tiles": settings.MAP_TILE_URL,
        "attribution": tile_attribution(),
    }


@register.simple_tag
def map_config():
    return json_script(map_config_data(), "map-config")
