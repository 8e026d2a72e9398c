import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from common.api.filters import BBOX_SCHEMA, BBoxField
from initiatives import choices
from initiatives.models import Initiative
from initiatives.selectors import (
    initiatives_in_bbox,
    initiatives_in_territory,
    initiatives_matching_text,
)
from territories.selectors import territory_by_code


class ArrayOverlapFilter(django_filters.MultipleChoiceFilter):
    """?theme=food&theme=housing keeps initiatives having any of them."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__overlap": list(value)})


class StrictBooleanField(forms.NullBooleanField):
    """true or false (also 1 or 0); anything else is refused rather than ignored."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise ValidationError(_("Give true or false."), code="invalid") from None

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class TerritoryCodeField(forms.CharField):
    """A territory code (territories.selectors.territory_by_code resolves it)."""

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        territory = territory_by_code(code=code)
        if territory is None:
            raise ValidationError(
                _("No territory has the code %(code)s.") % {"code": code}, code="invalid"
            )
        return territory


@extend_schema_field(BBOX_SCHEMA)
class BBoxMethodFilter(django_filters.Filter):
    field_class = BBoxField


@extend_schema_field(
    {
        "type": "string",
        "format": "territory-code",
        "maxLength": 20,
        "description": "A territory code (INSEE or SIREN); initiatives inside it, and inside "
        "the territories within it. When a code recurs across levels, the finest is meant. "
        "An unknown code is refused (400).",
    }
)
class TerritoryCodeFilter(django_filters.Filter):
    field_class = TerritoryCodeField


class InitiativeFilter(django_filters.FilterSet):
    """Filters shared by the REST API, the open-data exports and the OGC items."""

    bbox = BBoxMethodFilter(method="filter_bbox", label=_("west,south,east,north"))
    territory = TerritoryCodeFilter(
        method="filter_territory",
        label=_("territory code (INSEE or SIREN); includes the territories inside it"),
    )
    theme = ArrayOverlapFilter(field_name="themes", choices=choices.Theme.choices)
    actor_type = ArrayOverlapFilter(field_name="actor_types", choices=choices.ActorType.choices)
    # distinct=False on plain columns: they cannot repeat rows, and a DISTINCT breaks the
    # exports, which select the ids of this queryset ("subquery has too many columns").
    collaboration_mode = django_filters.MultipleChoiceFilter(
        choices=choices.CollaborationMode.choices, distinct=False
    )
    economic_model = django_filters.MultipleChoiceFilter(
        choices=choices.EconomicModel.choices, distinct=False
    )
    status = django_filters.MultipleChoiceFilter(
        field_name="activity_status", choices=choices.ActivityStatus.choices, distinct=False
    )
    started_after = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", label=_("started on or after (YYYY-MM-DD)")
    )
    started_before = django_filters.DateFilter(
        field_name="start_date", lookup_expr="lte", label=_("started on or before (YYYY-MM-DD)")
    )
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("updated since (ISO 8601)")
    )
    is_synthetic = StrictBooleanFilter(label=_("fictional demonstration example"))
    licence = django_filters.MultipleChoiceFilter(choices=choices.Licence.choices, distinct=False)
    q = django_filters.CharFilter(
        method="filter_text",
        max_length=200,
        label=_(
            "words searched in the name, the descriptions and the commune (French, whatever "
            "the case, accents, hyphens and articles; a word may be a prefix)"
        ),
    )

    class Meta:
        model = Initiative
        fields = [
            "bbox",
            "territory",
            "theme",
            "actor_type",
            "collaboration_mode",
            "economic_model",
            "status",
            "started_after",
            "started_before",
            "updated_since",
            "is_synthetic",
            "licence",
            "q",
        ]

    def filter_bbox(self, queryset, name, value):
        return initiatives_in_bbox(initiatives=queryset, bbox=value)

    def filter_territory(self, queryset, name, value):
        return initiatives_in_territory(initiatives=queryset, territory=value)

    def filter_text(self, queryset, name, value):
        return initiatives_matching_text(initiatives=queryset, text=value)
