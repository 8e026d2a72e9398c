"""E-mails to the holder of an initiative. The services queue them (an OutgoingEmail row in
their own transaction, a task enqueued on commit); the task worker sends them with retries
(initiatives.tasks), so that no answer to a request ever waits for the mail server. The
private link appears only in these e-mails and on the thank-you page, never in a log line."""

import re

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from initiatives.models import Initiative, OutgoingEmail, OutgoingEmailKind

# Line breaks and other control characters would make an invalid (or forged) mail header.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def private_link_url(token: str) -> str:
    return settings.SITE_URL + reverse("initiatives:private-link", args=[token])


def one_line(text: str) -> str:
    """The text fit for a mail header: control characters become spaces."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", text).split())


def queue_email(
    *, kind: str, to: str, subject: str, body: str, initiative: Initiative | None = None
) -> OutgoingEmail:
    """Store the e-mail with the caller's transaction; the worker sends it once committed."""
    from initiatives.tasks import enqueue_delivery

    email = OutgoingEmail.objects.create(
        kind=kind, to=to, subject=one_line(subject)[:300], body=body, initiative=initiative
    )
    # Robust: should the enqueue fail (the database gone right after the commit), the
    # answer stays a success and the worker finds the e-mail later (resume_stalled_emails).
    transaction.on_commit(lambda: enqueue_delivery(email.pk), robust=True)
    return email


def send_private_link(*, initiative: Initiative, token: str) -> None:
    name = initiative.name
    queue_email(
        kind=OutgoingEmailKind.PRIVATE_LINK,
        to=initiative.contact_email,
        initiative=initiative,
        subject=_("Your initiative “%(name)s” on the Territorial Radar") % {"name": name},
        body=_(
            "Thank you! Your initiative “%(name)s” will appear on the map once a moderator "
            "has checked it.\n\nKeep this private link: it lets you change the initiative, "
            "confirm it is still active, or withdraw it and erase your data. Do not share it.\n"
            "\n%(link)s\n"
        )
        % {"name": name, "link": private_link_url(token)},
    )


def send_rejection(*, initiative: Initiative, to: str, reason: str) -> None:
    name = initiative.name
    queue_email(
        kind=OutgoingEmailKind.REJECTION,
        to=to,
        initiative=initiative,
        subject=_("Your initiative “%(name)s” was not published") % {"name": name},
        body=_(
            "A moderator did not publish “%(name)s” on the Territorial Radar, for this "
            "reason:\n\n%(reason)s\n\nYour contact details have been erased."
        )
        % {"name": name, "reason": reason},
    )


def send_revision_rejection(*, initiative: Initiative, reason: str) -> None:
    name = initiative.name
    queue_email(
        kind=OutgoingEmailKind.REVISION_REJECTION,
        to=initiative.contact_email,
        initiative=initiative,
        subject=_("Your changes to “%(name)s” were not published") % {"name": name},
        body=_(
            "A moderator did not publish your changes to “%(name)s”, for this reason:\n"
            "\n%(reason)s\n"
        )
        % {"name": name, "reason": reason},
    )


def send_confirmation_reminder(*, initiative: Initiative, token: str) -> None:
    name = initiative.name
    queue_email(
        kind=OutgoingEmailKind.REMINDER,
        to=initiative.contact_email,
        initiative=initiative,
        subject=_("Is “%(name)s” still active?") % {"name": name},
        body=_(
            "“%(name)s” has not been confirmed on the Territorial Radar for a year, so the map "
            "shows it as “to be confirmed”. Please confirm it is still active, change it, or "
            "withdraw it with this new private link (the previous one no longer works):\n"
            "\n%(link)s\n"
        )
        % {"name": name, "link": private_link_url(token)},
    )


def send_claim_link(*, initiative: Initiative, token: str) -> None:
    name = initiative.name
    queue_email(
        kind=OutgoingEmailKind.CLAIM_LINK,
        to=initiative.contact_email,
        initiative=initiative,
        subject=_("Your initiative “%(name)s” on the Territorial Radar") % {"name": name},
        body=_(
            "A moderator has confirmed that “%(name)s” is yours. With this private link you "
            "can change it, confirm it is still active, or withdraw it. Do not share it.\n"
            "\n%(link)s\n"
        )
        % {"name": name, "link": private_link_url(token)},
    )


def send_claim_rejection(*, to: str, name: str, reason: str) -> None:
    queue_email(
        kind=OutgoingEmailKind.CLAIM_REJECTION,
        to=to,
        subject=_("Your request about “%(name)s”") % {"name": name},
        body=_(
            "A moderator did not give you the private link of “%(name)s”, for this reason:\n"
            "\n%(reason)s\n\nYour contact details have been erased."
        )
        % {"name": name, "reason": reason},
    )
