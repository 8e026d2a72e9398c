from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from initiatives.forms import MapFilterForm
from radar.models import SupportOffer
from radar.selectors import RadarFilters

FIRST_YEAR = 1990


def _year_choices():
    years = range(timezone.localdate().year, FIRST_YEAR - 1, -1)
    return [("", _("Any year"))] + [(str(year), str(year)) for year in years]


class RadarFilterForm(MapFilterForm):
    """The radar's filters: the public map's, plus a period and a year-by-year control."""

    # The public map's search box and place filter are not the radar's (it maps all of it).
    q = None
    territory = None

    since = forms.TypedChoiceField(
        label=_("Started from"), choices=_year_choices, coerce=int, empty_value=None, required=False
    )
    until = forms.TypedChoiceField(
        label=_("Territory as it was in"),
        choices=_year_choices,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Shows the initiatives started up to that year."),
    )

    def radar_filters(self) -> RadarFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return RadarFilters(
            initiatives=self.filters(),
            since_year=data.get("since"),
            until_year=data.get("until"),
        )


class SupportOfferForm(forms.ModelForm):
    class Meta:
        model = SupportOffer
        fields = ["kind", "message"]
        widgets = {"kind": forms.RadioSelect, "message": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "message": _("What you offer, and how the initiative can reach you."),
        }


class SupportAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("Accept this support")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    public = forms.BooleanField(
        label=_("Show this support publicly on the initiative's page and on the radar"),
        required=False,
    )


class FollowForm(forms.Form):
    territory = forms.CharField(
        label=_("Territory code"),
        max_length=20,
        help_text=_("INSEE code of a municipality or SIREN of an intercommunality."),
    )
