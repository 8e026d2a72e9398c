from django.contrib import admin

from radar.models import Follow, Institution, InstitutionMembership, SupportOffer


class MembershipInline(admin.TabularInline):
    model = InstitutionMembership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["last_visit_at", "last_digest_at"]


class FollowInline(admin.TabularInline):
    model = Follow
    extra = 0
    raw_id_fields = ["territory"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "territory"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["territory"]
    inlines = [MembershipInline, FollowInline]


@admin.register(SupportOffer)
class SupportOfferAdmin(admin.ModelAdmin):
    """Read-only: offers are answered by the initiative's holder, not by staff."""

    list_display = ["institution", "initiative", "kind", "status", "public_consent", "created_at"]
    list_filter = ["status", "kind", "public_consent"]
    readonly_fields = [f.name for f in SupportOffer._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
