import django_filters
from django.utils.translation import gettext_lazy as _

from common.api.filters import BBoxFilter
from territories.models import Territory


class TerritoryFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Territory.Level.choices)
    parent = django_filters.CharFilter(field_name="parent__code", label=_("parent code"))
    bbox = BBoxFilter(field_name="geometry")

    class Meta:
        model = Territory
        fields = ["level", "parent", "bbox"]
