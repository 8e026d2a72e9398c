"""The public page of an initiative, in words: the optional answers that the page showed as
codes or not at all (governance, animation, reciprocity, step-free access, offline use,
languages), and the way back to the map as it was left."""

from django.utils.http import urlencode
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from initiatives.models import Initiative

# The public map's own parameters: only these travel back to it.
MAP_PARAMETERS = ("q", "territory", "theme", "actor_type", "collaboration_mode", "page")


def yes_no(value: bool | None) -> str:
    if value is None:
        return _("not stated")
    return _("yes") if value else _("no")


def language_names(codes: list[str]) -> str:
    names = []
    for code in codes:
        try:
            name = str(get_language_info(code)["name_translated"])
        except KeyError:
            name = code
        # French writes language names in lower case ("espagnol").
        names.append(name.lower() if (get_language() or "").startswith("fr") else name)
    return ", ".join(names) or _("not stated")


def optional_facts(initiative: Initiative) -> list[tuple[str, str]]:
    """(label, value in words) of the optional answers."""
    return [
        (_("Governance"), initiative.get_governance_display() or _("not stated")),
        (_("Animation"), initiative.get_animation_display() or _("not stated")),
        (_("Participants can contribute"), yes_no(initiative.reciprocity)),
        (_("Step-free access"), yes_no(initiative.step_free_access)),
        (_("Usable without internet"), yes_no(initiative.usable_without_internet)),
        (_("Languages spoken"), language_names(initiative.languages)),
    ]


def back_to_map_query(query) -> str:
    """The map's filters from the detail page's own query string (the list links carry
    them), so that "back to the map" returns to the same search."""
    return urlencode([(key, value) for key in MAP_PARAMETERS for value in query.getlist(key)])
