"""The workshop's vocabulary: every code list with French/English labels and a definition.

Labels and definitions are msgids in English, translated to French (the default language)
in locale/fr. The definitions are the help texts of forms and the data dictionary.
"""

from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


class Theme(models.TextChoices):
    FOOD = "food", _("Food")
    REPAIR_REUSE = "repair_reuse", _("Repair & reuse")
    MOBILITY = "mobility", _("Mobility")
    CULTURE = "culture", _("Culture")
    DIGITAL_INCLUSION = "digital_inclusion", _("Digital inclusion")
    CARE_MUTUAL_AID = "care_mutual_aid", _("Care & mutual aid")
    ENVIRONMENT = "environment", _("Environment")
    HOUSING = "housing", _("Housing")
    SKILLS_EDUCATION = "skills_education", _("Skills & education")
    THIRD_PLACE = "third_place", _("Third place")
    OTHER = "other", _("Other")


class ActorType(models.TextChoices):
    PUBLIC = "public", _("Public body")
    PRIVATE = "private", _("Private company")
    ASSOCIATIVE = "associative", _("Association")
    CITIZEN = "citizen", _("Citizen collective")


class CollaborationMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    DIGITAL = "digital", _("Digital")
    HYBRID = "hybrid", _("Hybrid")


class EconomicModel(models.TextChoices):
    FREE = "free", _("Free")
    PAID = "paid", _("Paid")
    PAY_WHAT_YOU_CAN = "pay_what_you_can", _("Pay what you can")
    MEMBERSHIP = "membership", _("Membership")


class Resource(models.TextChoices):
    VOLUNTEERING = "volunteering", _("Volunteering")
    PUBLIC_FUNDING = "public_funding", _("Public funding")
    PRIVATE_FUNDING = "private_funding", _("Private funding")
    EARNED_INCOME = "earned_income", _("Earned income")


class Governance(models.TextChoices):
    PARTICIPATIVE = "participative", _("Participative")
    MULTI_STAKEHOLDER = "multi_stakeholder", _("Multi-stakeholder")
    SINGLE_ORGANISER = "single_organiser", _("Single organiser")


class Animation(models.TextChoices):
    VOLUNTEERS = "volunteers", _("Volunteers")
    PAID_STAFF = "paid_staff", _("Paid staff")
    BOTH = "both", _("Volunteers and paid staff")


class Need(models.TextChoices):
    PREMISES = "premises", _("Premises")
    FUNDING = "funding", _("Funding")
    VOLUNTEERS = "volunteers", _("Volunteers")
    COMMUNICATION = "communication", _("Communication")
    EQUIPMENT = "equipment", _("Equipment")
    TRAINING = "training", _("Training")


class ActivityStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    ENDED = "ended", _("Ended")


class PublicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    ARCHIVED = "archived", _("Archived")


class Licence(models.TextChoices):
    LICENCE_OUVERTE = "etalab-2.0", _("Licence Ouverte / Open Licence 2.0 (Etalab)")
    ODBL = "odbl-1.0", _("Open Database License (ODbL) 1.0")
    CC_BY = "cc-by-4.0", _("Creative Commons Attribution (CC-BY) 4.0")
    CC_BY_SA = "cc-by-sa-4.0", _("Creative Commons Attribution-ShareAlike (CC-BY-SA) 4.0")
    CC0 = "cc0-1.0", _("Creative Commons Zero (CC0) 1.0")


LICENCE_URLS = {
    Licence.LICENCE_OUVERTE: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}
# Reusers of these must share what they derive under the same licence.
SHARE_ALIKE = frozenset({Licence.ODBL, Licence.CC_BY_SA})


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


DEFINITIONS = {
    Theme: {
        Theme.FOOD: _("Growing, sharing, cooking or distributing food together."),
        Theme.REPAIR_REUSE: _("Repairing, lending, swapping or reusing objects."),
        Theme.MOBILITY: _("Getting around together: car-sharing, shared bikes, transport help."),
        Theme.CULTURE: _("Creating, playing or sharing art, heritage and festivities."),
        Theme.DIGITAL_INCLUSION: _("Helping everyone use digital tools and online services."),
        Theme.CARE_MUTUAL_AID: _("Looking after one another: visits, help at home, listening."),
        Theme.ENVIRONMENT: _("Caring for nature, saving energy, reducing waste."),
        Theme.HOUSING: _("Living together: shared housing, self-build, help with housing."),
        Theme.SKILLS_EDUCATION: _("Learning and passing on knowledge and know-how."),
        Theme.THIRD_PLACE: _("A shared place open to all: coworking, fablab, community café."),
        Theme.OTHER: _("Anything else that brings people together for the common good."),
    },
    ActorType: {
        ActorType.PUBLIC: _("A municipality, public body or public service takes part."),
        ActorType.PRIVATE: _("A business or a self-employed person takes part."),
        ActorType.ASSOCIATIVE: _("A registered association (loi 1901) or foundation takes part."),
        ActorType.CITIZEN: _("Residents acting together without a legal structure take part."),
    },
    CollaborationMode: {
        CollaborationMode.IN_PERSON: _("People meet face to face."),
        CollaborationMode.DIGITAL: _("People only meet online (website, app, group chat)."),
        CollaborationMode.HYBRID: _("People meet both face to face and online."),
    },
    EconomicModel: {
        EconomicModel.FREE: _("Taking part costs nothing."),
        EconomicModel.PAID: _("Taking part has a set price."),
        EconomicModel.PAY_WHAT_YOU_CAN: _("Everyone pays what they can or want, possibly nothing."),
        EconomicModel.MEMBERSHIP: _("Taking part requires a membership fee."),
    },
    Resource: {
        Resource.VOLUNTEERING: _("Time given freely by volunteers."),
        Resource.PUBLIC_FUNDING: _("Grants or money from public bodies."),
        Resource.PRIVATE_FUNDING: _("Money from businesses, foundations or donors."),
        Resource.EARNED_INCOME: _("Income from sales, services or fees."),
    },
    Governance: {
        Governance.PARTICIPATIVE: _("Participants decide together how it runs."),
        Governance.MULTI_STAKEHOLDER: _("Several kinds of partners share decisions."),
        Governance.SINGLE_ORGANISER: _("One organisation or person decides."),
    },
    Animation: {
        Animation.VOLUNTEERS: _("Only volunteers run it day to day."),
        Animation.PAID_STAFF: _("Paid staff run it day to day."),
        Animation.BOTH: _("Volunteers and paid staff run it together."),
    },
    Need: {
        Need.PREMISES: _("A place to meet or work."),
        Need.FUNDING: _("Money to run or grow the initiative."),
        Need.VOLUNTEERS: _("More people to give time."),
        Need.COMMUNICATION: _("Help to make the initiative known."),
        Need.EQUIPMENT: _("Tools, furniture, computers or vehicles."),
        Need.TRAINING: _("Training for the people who run it."),
    },
    ActivityStatus: {
        ActivityStatus.ACTIVE: _("Running now."),
        ActivityStatus.DORMANT: _("Paused, may start again."),
        ActivityStatus.ENDED: _("Stopped for good."),
    },
}


def definition(choices: type[models.TextChoices], value: str) -> str:
    return DEFINITIONS.get(choices, {}).get(value, "")


def _help_text(choices: type[models.TextChoices]) -> str:
    return " · ".join(f"{label} — {definition(choices, value)}" for value, label in choices.choices)


# Lazy, so that the text is built in the language of the request, not at import.
help_text = lazy(_help_text, str)


# The code lists that pages hand to their scripts (map popups, radar tables), by field.
LABELLED_FIELDS: dict[str, type[models.TextChoices]] = {
    "themes": Theme,
    "actor_types": ActorType,
    "collaboration_mode": CollaborationMode,
    "economic_model": EconomicModel,
    "activity_status": ActivityStatus,
    "needs": Need,
}


def choice_labels() -> dict[str, dict[str, str]]:
    """{field: {code: label}} in the request's language, for the pages' scripts."""
    return {
        name: {value: str(label) for value, label in codes.choices}
        for name, codes in LABELLED_FIELDS.items()
    }
