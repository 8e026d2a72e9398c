"""The public page of an initiative, in words: the optional answers that the page showed as
codes or not at all (governance, animation, reciprocity, step-free access, offline use,
languages), where the initiative comes from, and the way back to the map as it was left."""

from django.utils.http import urlencode
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from initiatives.demo import TIERS_LIEUX_SOURCE
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


def source_words(initiative: Initiative) -> str:
    """Where the initiative comes from, in words rather than its code."""
    if initiative.source == "resident":
        return _("added by its holder on the Territorial Radar")
    if initiative.source == "demo":
        return _("fictional example generated for the demonstration")
    if initiative.source == TIERS_LIEUX_SOURCE:
        return _("ANCT “Mission coworking” census of third places, 2019")
    return _("imported data set “%(source)s”") % {"source": initiative.source}


def back_to_map_query(query) -> str:
    """The map's filters from the detail page's own query string (the list links carry
    them), so that "back to the map" returns to the same search."""
    return urlencode([(key, value) for key in MAP_PARAMETERS for value in query.getlist(key)])
