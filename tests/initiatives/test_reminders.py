from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from initiatives.models import Initiative
from initiatives.selectors import initiative_holding_token
from initiatives.services import token_hash
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


def stale(**overrides):
    initiative = make_initiative(**overrides)
    long_ago = timezone.now() - timedelta(days=400)
    Initiative.objects.filter(pk=initiative.pk).update(
        last_confirmed_at=long_ago, private_token_hash=token_hash("old-token")
    )
    return Initiative.objects.get(pk=initiative.pk)


def remind(days=30) -> str:
    out = StringIO()
    call_command("send_confirmation_reminders", resend_after_days=days, stdout=out)
    return out.getvalue()


def sent_to(mailoutbox, address):
    return [mail for mail in mailoutbox if mail.to == [address]]


def test_a_stale_initiative_is_marked_to_be_confirmed():
    assert stale().needs_confirmation is True


def test_it_emails_the_holder_a_new_private_link(django_capture_on_commit_callbacks, mailoutbox):
    initiative = stale(contact_email="stale@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        remind()
    [mail] = sent_to(mailoutbox, "stale@example.net")
    token = mail.body.split("/mon-initiative/")[1].split("/")[0]
    assert initiative_holding_token(token_hash=token_hash(token)).pk == initiative.pk
    assert initiative_holding_token(token_hash=token_hash("old-token")) is None


def test_it_does_not_resend_within_the_period(django_capture_on_commit_callbacks, mailoutbox):
    stale(contact_email="once@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        remind()
        remind()
    assert len(sent_to(mailoutbox, "once@example.net")) == 1


def test_it_resends_after_the_period(django_capture_on_commit_callbacks, mailoutbox):
    initiative = stale(contact_email="again@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        remind()
    Initiative.objects.filter(pk=initiative.pk).update(
        reminder_sent_at=timezone.now() - timedelta(days=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        remind()
    assert len(sent_to(mailoutbox, "again@example.net")) == 2


def test_it_skips_fresh_initiatives_and_those_without_a_holder(
    django_capture_on_commit_callbacks, mailoutbox
):
    make_initiative(contact_email="fresh@example.net", last_confirmed_at=timezone.now())
    stale(contact_email="")
    with django_capture_on_commit_callbacks(execute=True):
        remind()
    assert sent_to(mailoutbox, "fresh@example.net") == []
    assert all(mail.to != [""] for mail in mailoutbox)


def test_its_output_holds_no_address_or_link(django_capture_on_commit_callbacks):
    stale(contact_email="quiet@example.net")
    output = remind()
    assert "quiet@example.net" not in output
    assert "/mon-initiative/" not in output
