from django.contrib import admin
from django.urls import path
from leaflet.admin import LeafletGeoAdmin

from initiatives.models import Initiative, Revision


class RevisionInline(admin.TabularInline):
    model = Revision
    fields = ["created_at", "origin", "status", "values", "reason", "decided_at", "decided_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Initiative)
class InitiativeAdmin(LeafletGeoAdmin):
    list_display = ["name", "publication_status", "activity_status", "territory", "is_synthetic"]
    list_filter = ["publication_status", "activity_status", "is_synthetic", "source", "licence"]
    search_fields = ["name", "short_description", "source_id"]
    # The token hash is editable=False, so never shown; the reason and merge are read only.
    readonly_fields = [
        "territory",
        "created_at",
        "updated_at",
        "reminder_sent_at",
        "moderation_reason",
        "merged_into",
        "duplicate_of",
        "raw_values",
    ]
    date_hierarchy = "created_at"
    inlines = [RevisionInline]
    change_list_template = "admin/initiatives/initiative/change_list.html"

    def get_urls(self):
        from initiatives.importing.web import import_view

        view = self.admin_site.admin_view(lambda request: import_view(request, self))
        return [path("import/", view, name="initiatives_initiative_import"), *super().get_urls()]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["initiative", "origin", "status", "created_at", "decided_by"]
    list_filter = ["status", "origin"]
    search_fields = ["initiative__name"]
    readonly_fields = ["initiative", "created_at", "decided_at", "decided_by"]
    raw_id_fields = ["initiative"]
