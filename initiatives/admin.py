from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from initiatives.models import Initiative


@admin.register(Initiative)
class InitiativeAdmin(LeafletGeoAdmin):
    list_display = ["name", "publication_status", "activity_status", "territory", "is_synthetic"]
    list_filter = ["publication_status", "activity_status", "is_synthetic", "source"]
    search_fields = ["name", "short_description", "source_id"]
    readonly_fields = ["territory", "created_at", "updated_at"]
    date_hierarchy = "created_at"
