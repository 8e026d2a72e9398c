from django import forms
from django.utils.translation import gettext_lazy as _

from initiatives import choices
from initiatives.selectors import InitiativeFilters


class MapFilterForm(forms.Form):
    """The filters of the public map; a plain GET form so that it works without JavaScript."""

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

    def filters(self) -> InitiativeFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return InitiativeFilters(
            themes=tuple(data.get("theme", ())),
            actor_types=tuple(data.get("actor_type", ())),
            collaboration_modes=tuple(data.get("collaboration_mode", ())),
        )
