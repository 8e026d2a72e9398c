"""E-mails to the holder of an initiative. Sent after commit by the services; the private link
appears only in these e-mails and on the thank-you page, never in a log line."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _


def private_link_url(token: str) -> str:
    return settings.SITE_URL + reverse("initiatives:private-link", args=[token])


def _send(to: str, subject: str, body: str) -> None:
    send_mail(subject, body, None, [to], fail_silently=False)


def send_private_link(*, to: str, name: str, token: str) -> None:
    _send(
        to,
        _("Your initiative “%(name)s” on the Territorial Radar") % {"name": name},
        _(
            "Thank you! Your initiative “%(name)s” will appear on the map once a moderator "
            "has checked it.\n\nKeep this private link: it lets you change the initiative, "
            "confirm it is still active, or withdraw it and erase your data. Do not share it.\n"
            "\n%(link)s\n"
        )
        % {"name": name, "link": private_link_url(token)},
    )


def send_rejection(*, to: str, name: str, reason: str) -> None:
    _send(
        to,
        _("Your initiative “%(name)s” was not published") % {"name": name},
        _(
            "A moderator did not publish “%(name)s” on the Territorial Radar, for this "
            "reason:\n\n%(reason)s\n\nYour contact details have been erased."
        )
        % {"name": name, "reason": reason},
    )


def send_revision_rejection(*, to: str, name: str, reason: str) -> None:
    _send(
        to,
        _("Your changes to “%(name)s” were not published") % {"name": name},
        _(
            "A moderator did not publish your changes to “%(name)s”, for this reason:\n"
            "\n%(reason)s\n"
        )
        % {"name": name, "reason": reason},
    )


def send_confirmation_reminder(*, to: str, name: str, token: str) -> None:
    _send(
        to,
        _("Is “%(name)s” still active?") % {"name": name},
        _(
            "“%(name)s” has not been confirmed on the Territorial Radar for a year, so the map "
            "shows it as “to be confirmed”. Please confirm it is still active, change it, or "
            "withdraw it with this new private link (the previous one no longer works):\n"
            "\n%(link)s\n"
        )
        % {"name": name, "link": private_link_url(token)},
    )


def send_claim_link(*, to: str, name: str, token: str) -> None:
    _send(
        to,
        _("Your initiative “%(name)s” on the Territorial Radar") % {"name": name},
        _(
            "A moderator has confirmed that “%(name)s” is yours. With this private link you "
            "can change it, confirm it is still active, or withdraw it. Do not share it.\n"
            "\n%(link)s\n"
        )
        % {"name": name, "link": private_link_url(token)},
    )


def send_claim_rejection(*, to: str, name: str, reason: str) -> None:
    _send(
        to,
        _("Your request about “%(name)s”") % {"name": name},
        _(
            "A moderator did not give you the private link of “%(name)s”, for this reason:\n"
            "\n%(reason)s\n\nYour contact details have been erased."
        )
        % {"name": name, "reason": reason},
    )
