from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.validators import no_control_characters, single_line
from initiatives import choices
from initiatives.models import Initiative
from initiatives.records import parse_point
from initiatives.selectors import InitiativeFilters, commune_named, territory_choices
from territories.models import Territory
from territories.selectors import territory_by_code

BLANK = [("", _("I do not know"))]


class _OptionalSelect(forms.Select):
    # Select asks its first choice whether to write `required`, which reads the choices a
    # second time; this select is never required.
    def use_required_attribute(self, initial):
        return False


class TerritoryChoiceField(forms.ChoiceField):
    """A commune or an EPCI by its code; cleans to the Territory (territory_by_code)."""

    LEVELS = (Territory.Level.EPCI, Territory.Level.COMMUNE)
    widget = _OptionalSelect

    def __init__(self, **kwargs):
        super().__init__(choices=self._choices_with_all, **kwargs)

    @staticmethod
    def _choices_with_all():
        grouped = territory_choices()
        return [
            ("", _("The whole territory")),
            (_("Intercommunalities"), grouped[Territory.Level.EPCI]),
            (_("Communes"), grouped[Territory.Level.COMMUNE]),
        ]

    def validate(self, value):
        # Only "required" here: clean() resolves the code itself, so that validating never
        # reads the long list of choices (rendering the select reads it once).
        forms.Field.validate(self, value)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        territory = territory_by_code(code=code)
        if territory is None or territory.level not in self.LEVELS:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": code},
            )
        return territory


class MapFilterForm(forms.Form):
    """The filters of the public map; a plain GET form so that it works without JavaScript."""

    q = forms.CharField(
        label=_("Search"),
        help_text=_("A name, a word of the description or a commune"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    territory = TerritoryChoiceField(label=_("Commune or intercommunality"), required=False)

    theme = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=choices.Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    actor_type = forms.MultipleChoiceField(
        label=_("Actors"),
        choices=choices.ActorType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    collaboration_mode = forms.MultipleChoiceField(
        label=_("How people meet"),
        choices=choices.CollaborationMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    FOLDED = ("theme", "actor_type", "collaboration_mode")

    def folded_fields(self):
        """The fields that fold away on phones (the search and the territory stay in view)."""
        return [self[name] for name in self.FOLDED]

    def folded_in_use(self) -> int:
        self.is_valid()
        return sum(len(self.cleaned_data.get(name) or ()) for name in self.FOLDED)

    def filters(self) -> InitiativeFilters:
        self.is_valid()  # the valid fields filter; an invalid one is shown with its error
        data = self.cleaned_data
        return InitiativeFilters(
            text=data.get("q", ""),
            territory=data.get("territory"),
            themes=tuple(data.get("theme", ())),
            actor_types=tuple(data.get("actor_type", ())),
            collaboration_modes=tuple(data.get("collaboration_mode", ())),
        )


def _defined(choice_class) -> list[tuple[str, str]]:
    """Choices labelled "Label — what it means", so that the definition is read with it."""
    return [
        (value, f"{label} — {choices.definition(choice_class, value)}")
        for value, label in choice_class.choices
    ]


CONTRIBUTION_FIELDS = [
    "name",
    "short_description",
    "themes",
    "address",
    "contact_email",
    "description",
    "website",
    "activity_status",
    "start_date",
    "actor_types",
    "collaboration_mode",
    "economic_model",
    "resources",
    "governance",
    "animation",
    "needs",
    "reciprocity",
    "step_free_access",
    "usable_without_internet",
]
DEFINED_CHOICES = {
    "themes": choices.Theme,
    "actor_types": choices.ActorType,
    "collaboration_mode": choices.CollaborationMode,
    "economic_model": choices.EconomicModel,
    "resources": choices.Resource,
    "governance": choices.Governance,
    "animation": choices.Animation,
    "needs": choices.Need,
    "activity_status": choices.ActivityStatus,
}
CHECKBOX_GROUPS = ("themes", "actor_types", "resources", "needs")
SINGLE_LINE_FIELDS = ("name", "short_description", "address", "contact_email", "website")
OPTIONAL_FIELDS = CONTRIBUTION_FIELDS[5:]


class ContributionForm(forms.ModelForm):
    """A resident's initiative. The place comes from the map (lon/lat, filled by
    contribute.js) or, without the map, from a commune typed in `commune`."""

    lon = forms.CharField(required=False, widget=forms.HiddenInput, validators=[single_line])
    lat = forms.CharField(required=False, widget=forms.HiddenInput, validators=[single_line])
    commune = forms.CharField(
        label=_("Commune"),
        required=False,
        max_length=250,
        validators=[single_line],
        help_text=_(
            "Without the map: type the commune and choose it in the list. The initiative is "
            "then placed in the commune."
        ),
    )
    # A trap for robots: hidden from people and assistive technology; a person leaves it empty.
    fax_number = forms.CharField(required=False, label=_("Leave this field empty"))

    class Meta:
        model = Initiative
        fields = CONTRIBUTION_FIELDS
        labels = {
            "name": _("Name of the initiative"),
            "short_description": _("What it does, in one or two sentences"),
            "themes": _("Themes"),
            "address": _("Address (optional)"),
            "contact_email": _("Your e-mail address"),
            "description": _("Longer description"),
            "website": _("Website"),
            "activity_status": _("Is it running now?"),
            "start_date": _("When did it start?"),
            "actor_types": _("Who takes part?"),
            "collaboration_mode": _("How do people meet?"),
            "economic_model": _("Does it cost something to take part?"),
            "resources": _("What does it run on?"),
            "governance": _("Who decides?"),
            "animation": _("Who runs it day to day?"),
            "needs": _("What is it looking for?"),
            "reciprocity": _("Can participants give as well as receive?"),
            "step_free_access": _("Can people in a wheelchair get in?"),
            "usable_without_internet": _("Can one take part without internet?"),
        }
        help_texts = {
            "contact_email": _(
                "Never shown to anyone. We send you a private link to change or withdraw "
                "the initiative."
            ),
            "themes": _("Tick at least one."),
            "short_description": _("280 characters at most."),
            "actor_types": _("Tick all that apply."),
            "resources": _("Tick all that apply."),
            "needs": _("Tick all that apply."),
            "start_date": _("Leave empty if you do not know."),
        }
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Not `required`: the model's own message ("Choose at least one theme.") says it once.
        self.fields["themes"].required = False
        self.fields["activity_status"].required = False  # the model's default: active
        self.fields["contact_email"].required = True
        for name in SINGLE_LINE_FIELDS:
            self.fields[name].validators.insert(0, single_line)
        self.fields["description"].validators.insert(0, no_control_characters)
        for name, choice_class in DEFINED_CHOICES.items():
            blank = [] if name in CHECKBOX_GROUPS or name == "activity_status" else BLANK
            self.fields[name].choices = blank + _defined(choice_class)
        for name in ("collaboration_mode", "economic_model", "governance", "animation"):
            self.fields[name].help_text = ""
        self.fields["activity_status"].help_text = ""
        self.fields["fax_number"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["commune"].widget.attrs.update({"list": "communes", "autocomplete": "off"})
        if self.instance.pk and self.instance.location and not self.is_bound:
            self.initial.update(lon=self.instance.location.x, lat=self.instance.location.y)

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("fax_number"))

    def clean(self):
        data = super().clean()
        try:
            data["location"] = self._location(data)
        except ValidationError as error:
            self.add_error("commune", error)
        return data

    def _location(self, data):
        lon, lat = data.get("lon", "").strip(), data.get("lat", "").strip()
        if lon or lat:
            return parse_point(lon, lat)
        commune_text = data.get("commune", "").strip()
        if commune_text:
            commune = commune_named(text=commune_text)
            if commune is None:
                raise ValidationError(_("We do not know this commune: choose it in the list."))
            return commune.geometry.point_on_surface
        if self.instance.pk:
            return self.instance.location
        raise ValidationError(_("Choose the place on the map, or type the commune."))

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in CONTRIBUTION_FIELDS}
        if not data["activity_status"]:
            del data["activity_status"]
        data["location"] = self.cleaned_data.get("location")
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the model's errors next to the fields they concern."""
        for name, messages in error.message_dict.items():
            field = name if name in self.fields else "commune" if name == "location" else None
            self.add_error(field, messages)


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for a rejection (sent to the submitter)"),
        required=False,  # required to reject only; the view says so
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[no_control_characters],
    )


def error_summary(form) -> list[dict]:
    """Every error with a link target, for the summary at the top of the page."""
    summary = [{"anchor": "", "label": "", "message": m} for m in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == "__all__" or name not in form.fields:
            continue
        field = form[name]
        anchor = f"{field.auto_id}_0" if name in CHECKBOX_GROUPS else field.auto_id
        summary += [{"anchor": anchor, "label": field.label, "message": m} for m in errors]
    return summary
