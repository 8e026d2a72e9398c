"""E-mails to the holder of an initiative. The services queue them (an OutgoingEmail row in
their own transaction, a task enqueued on commit); the task worker sends them with retries
(initiatives.tasks), so that no answer to a request ever waits for the mail server. The
private link appears only in these e-mails and on the thank-you page, never in a log line.
Every e-mail about a live initiative carries a working way to its private page: a fresh link
when the holder is asked to act, otherwise the "Retrouver mon lien" page."""

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


def recovery_url() -> str:
    return settings.SITE_URL + reverse("initiatives:recover-link")


def public_url(pk: int) -> str:
    return settings.SITE_URL + reverse("initiatives:detail", args=[pk])


def _lost_link() -> str:
    """Every e-mail about a live initiative ends with a way back to its private page."""
    return _(
        "\n\nTo change the initiative, confirm it or withdraw it, open your latest private "
        "link. Lost it? Ask for a new one here (enter your e-mail address):\n%(link)s\n"
    ) % {"link": recovery_url()}


def one_line(text: str) -> str:
    """The text fit for a mail header: control characters become spaces."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", text).split())


def queue_email(
    *,
    kind: str,
    to: str,
    subject: str,
    body: str,
    initiative: Initiative | None = None,
    headers: dict[str, str] | None = None,
) -> OutgoingEmail:
    """Store the e-mail with the caller's transaction; the worker sends it once committed.
    `headers` are extra mail headers (e.g. List-Unsubscribe), erased with the body once sent."""
    from initiatives.tasks import enqueue_delivery

    email = OutgoingEmail.objects.create(
        kind=kind,
        to=to,
        subject=one_line(subject)[:300],
        body=body,
        initiative=initiative,
        headers={name: one_line(value) for name, value in (headers or {}).items()},
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
        % {"name": name, "reason": reason}
        + _lost_link(),
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


def send_recovered_link(*, initiative: Initiative, token: str) -> None:
    name = initiative.name
    queue_email(
        kind=OutgoingEmailKind.RECOVERED_LINK,
        to=initiative.contact_email,
        initiative=initiative,
        subject=_("A new private link for “%(name)s”") % {"name": name},
        body=_(
            "You asked for a new private link for “%(name)s” on the Territorial Radar. Here it "
            "is (the previous one no longer works). It lets you change the initiative, confirm "
            "it is still active, answer offers of support, or withdraw it and erase your data. "
            "Do not share it.\n\n%(link)s\n\nIf you did not ask for it, you can ignore this "
            "e-mail: only the person who reads this mailbox can use the link.\n"
        )
        % {"name": name, "link": private_link_url(token)},
    )


def send_approval(*, initiative: Initiative) -> None:
    name = initiative.name
    queue_email(
        kind=OutgoingEmailKind.APPROVAL,
        to=initiative.contact_email,
        initiative=initiative,
        subject=_("“%(name)s” is now on the map") % {"name": name},
        body=_(
            "A moderator has checked “%(name)s”: it is now published on the Territorial "
            "Radar.\n\n%(public)s"
        )
        % {"name": name, "public": public_url(initiative.pk)}
        + _lost_link(),
    )


def send_revision_approval(*, initiative: Initiative) -> None:
    name = initiative.name
    queue_email(
        kind=OutgoingEmailKind.REVISION_APPROVAL,
        to=initiative.contact_email,
        initiative=initiative,
        subject=_("Your changes to “%(name)s” are published") % {"name": name},
        body=_(
            "A moderator has checked your changes to “%(name)s”: they are now "
            "published.\n\n%(public)s"
        )
        % {"name": name, "public": public_url(initiative.pk)}
        + _lost_link(),
    )


def send_merge(*, submission: Initiative, to: str, target: Initiative) -> None:
    """To the author of a submission merged into `target` (whose e-mail is then erased)."""
    queue_email(
        kind=OutgoingEmailKind.MERGE,
        to=to,
        initiative=submission,
        subject=_("“%(name)s” was already on the map") % {"name": submission.name},
        body=_(
            "A moderator found that “%(name)s” describes an initiative already on the "
            "Territorial Radar, “%(target)s”. What you told us that the map did not say yet "
            "was added to it:\n\n%(public)s\n\nYour submission and your contact details "
            "have been erased, and its private link no longer works."
        )
        % {"name": submission.name, "target": target.name, "public": public_url(target.pk)},
    )


def support_offer_link(token: str) -> str:
    """The end of an offer's e-mail: a fresh private link to answer it."""
    return _(
        "\nTo answer, open this new private link (the previous one no longer works; "
        "do not share it):\n\n%(link)s\n"
    ) % {"link": private_link_url(token)}
