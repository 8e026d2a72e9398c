from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from territories.models import Territory


@admin.register(Territory)
class TerritoryAdmin(LeafletGeoAdmin):
    list_display = ["code", "name", "level", "population", "population_year", "area_km2"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["area_km2", "updated_at"]
