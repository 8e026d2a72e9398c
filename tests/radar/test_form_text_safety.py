"""Control characters are refused in the institutions' and moderators' text fields too."""

import pytest

from initiatives.forms import RejectionForm
from radar.forms import FollowForm, SupportOfferForm


@pytest.mark.django_db
def test_a_support_offer_message_keeps_line_breaks_but_no_control_character():
    fine = SupportOfferForm({"kind": "premises", "message": "Une salle.\r\nLe mardi soir."})
    bad = SupportOfferForm({"kind": "premises", "message": "Une salle\x1b[2J le mardi."})

    assert fine.is_valid(), fine.errors
    assert bad.errors["message"] == [
        "Retirez de ce texte les caractères de contrôle (caractères invisibles)."
    ]


def test_a_territory_code_is_one_line():
    form = FollowForm({"territory": "33063\r\n33000"})

    assert form.errors["territory"] == [
        "Écrivez ce texte sur une seule ligne, sans retour à la ligne ni caractère de contrôle."
    ]


def test_a_rejection_reason_has_no_control_character():
    assert RejectionForm({"reason": "Hors du territoire.\nDésolé."}).is_valid()
    assert "reason" in RejectionForm({"reason": "Hors\x00 du territoire."}).errors
