from django import forms
from django.utils.translation import gettext_lazy as _

# radar.analysis.gaps's defaults (a test checks they agree), without loading NumPy here.
MIN_POPULATION = 5_000
DEFAULT_RADIUS_KM = 10.0


class GapThresholdForm(forms.Form):
    """The white zones' thresholds, on the radar page (a GET form: it works without JavaScript).
    Same bounds as the API's /radar/gaps/ parameters."""

    min_population = forms.IntegerField(
        label=_("White zone from (inhabitants)"),
        min_value=0,
        max_value=10_000_000,
        required=False,
        help_text=_("Territories with at least this many inhabitants…"),
        widget=forms.NumberInput(attrs={"step": 500, "inputmode": "numeric"}),
    )
    radius_km = forms.FloatField(
        label=_("…and no initiative within (km)"),
        min_value=0.1,
        max_value=200,
        required=False,
        help_text=_("…farther than this from every active initiative."),
        widget=forms.NumberInput(attrs={"step": 0.5, "inputmode": "decimal"}),
    )

    def thresholds(self) -> tuple[int, float]:
        """(min_population, radius_km): the valid values given, the defaults otherwise."""
        data = self.cleaned_data if self.is_valid() else {}
        population = data.get("min_population")
        radius = data.get("radius_km")
        return (
            MIN_POPULATION if population is None else population,
            DEFAULT_RADIUS_KM if radius is None else radius,
        )
