"""E-mails to the holder of an initiative. Sent after commit by the services; the private link
appears only in these e-mails and on the thank-you page, never in a log line. Every e-mail about
a live initiative carries a working way to its private page: a fresh link when the holder is
asked to act, otherwise the "Retrouver mon lien" page."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _


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
        % {"name": name, "reason": reason}
        + _lost_link(),
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


def send_recovered_link(*, to: str, name: str, token: str) -> None:
    _send(
        to,
        _("A new private link for “%(name)s”") % {"name": name},
        _(
            "You asked for a new private link for “%(name)s” on the Territorial Radar. Here it "
            "is (the previous one no longer works). It lets you change the initiative, confirm "
            "it is still active, answer offers of support, or withdraw it and erase your data. "
            "Do not share it.\n\n%(link)s\n\nIf you did not ask for it, you can ignore this "
            "e-mail: only the person who reads this mailbox can use the link.\n"
        )
        % {"name": name, "link": private_link_url(token)},
    )


def send_approval(*, to: str, name: str, pk: int) -> None:
    _send(
        to,
        _("“%(name)s” is now on the map") % {"name": name},
        _(
            "A moderator has checked “%(name)s”: it is now published on the Territorial "
            "Radar.\n\n%(public)s"
        )
        % {"name": name, "public": public_url(pk)}
        + _lost_link(),
    )


def send_revision_approval(*, to: str, name: str, pk: int) -> None:
    _send(
        to,
        _("Your changes to “%(name)s” are published") % {"name": name},
        _(
            "A moderator has checked your changes to “%(name)s”: they are now "
            "published.\n\n%(public)s"
        )
        % {"name": name, "public": public_url(pk)}
        + _lost_link(),
    )


def send_merge(*, to: str, name: str, target_name: str, target_pk: int) -> None:
    _send(
        to,
        _("“%(name)s” was already on the map") % {"name": name},
        _(
            "A moderator found that “%(name)s” describes an initiative already on the "
            "Territorial Radar, “%(target)s”. What you told us that the map did not say yet "
            "was added to it:\n\n%(public)s\n\nYour submission and your contact details "
            "have been erased, and its private link no longer works."
        )
        % {"name": name, "target": target_name, "public": public_url(target_pk)},
    )


def send_support_offer(*, to: str, subject: str, body: str, token: str) -> None:
    """An institution's offer, with a fresh private link to answer it."""
    _send(
        to,
        subject,
        body
        + _(
            "\nTo answer, open this new private link (the previous one no longer works; "
            "do not share it):\n\n%(link)s\n"
        )
        % {"link": private_link_url(token)},
    )
