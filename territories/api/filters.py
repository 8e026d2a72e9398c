import django_filters
from django.utils.translation import gettext_lazy as _

from common.api.filters import BBoxFilter
from territories.models import Territory
from territories.selectors import communes_named_like


class TerritoryFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Territory.Level.choices)
    parent = django_filters.CharFilter(field_name="parent__code", label=_("parent code"))
    bbox = BBoxFilter(field_name="geometry")
    name = django_filters.CharFilter(
        method="filter_name",
        label=_("commune name, with or without article, accents or hyphens"),
    )

    class Meta:
        model = Territory
        fields = ["level", "parent", "bbox", "name"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(pk__in=communes_named_like(text=value).values("pk"))
