from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.validators import no_control_characters, single_line
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
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].validators.insert(0, no_control_characters)

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
        validators=[single_line],
        help_text=_("INSEE code of a municipality or SIREN of an intercommunality."),
    )


class GapThresholdForm(forms.Form):
    """The white zones' thresholds, on the radar page (a GET form: it works without JavaScript).
    Same bounds as the API's /radar/gaps/ parameters; blank means the analysis's default."""

    min_population = forms.IntegerField(
        label=_("White zone from (inhabitants)"),
        min_value=0,
        max_value=10_000_000,
        required=False,
        help_text=_("Territories with at least this many inhabitants…"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    radius_km = forms.FloatField(
        label=_("…and no initiative within (km)"),
        min_value=0.1,
        max_value=200,
        required=False,
        help_text=_("…farther than this from every active initiative."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    def thresholds(self) -> dict:
        """The valid thresholds given, by GapParams's names; the analysis's defaults apply to
        the others."""
        self.is_valid()  # cleaned_data then holds the fields that are valid
        data = self.cleaned_data
        return {name: data[name] for name in self.fields if data.get(name) is not None}
