import django_filters
from django.utils.translation import gettext_lazy as _

from initiatives import choices
from initiatives.models import Initiative
from radar.api.filters import BBoxFilter


class ArrayOverlapFilter(django_filters.MultipleChoiceFilter):
    """?theme=food&theme=housing keeps initiatives having any of them."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__overlap": list(value)})


class InitiativeFilter(django_filters.FilterSet):
    theme = ArrayOverlapFilter(field_name="themes", choices=choices.Theme.choices)
    actor_type = ArrayOverlapFilter(field_name="actor_types", choices=choices.ActorType.choices)
    collaboration_mode = django_filters.MultipleChoiceFilter(
        choices=choices.CollaborationMode.choices
    )
    bbox = BBoxFilter(field_name="location", label=_("west,south,east,north"))

    class Meta:
        model = Initiative
        fields = ["theme", "actor_type", "collaboration_mode", "bbox"]
