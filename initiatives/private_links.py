"""The holder's private link: a fresh one on request ("Retrouver mon lien") or with an e-mail
that asks the holder to act. A new link replaces the previous one, which stops working (and so
does any session opened with it)."""

from django.db import transaction

from initiatives import emails
from initiatives.choices import PublicationStatus
from initiatives.models import Initiative
from initiatives.services import SubmissionRateLimited, _new_token, submission_rate_check

# Initiatives a holder can still open with a private link.
LIVE_STATUSES = (PublicationStatus.PENDING, PublicationStatus.PUBLISHED)


def initiatives_with_contact(*, email: str):
    """Live initiatives whose (private) contact e-mail is this address, case-insensitively."""
    email = (email or "").strip()
    if not email:
        return Initiative.objects.none()
    return Initiative.objects.filter(
        contact_email__iexact=email, publication_status__in=LIVE_STATUSES
    ).order_by("id")


def private_link_rotate(*, initiative: Initiative) -> str:
    """A new private link for the initiative; returns its token (stored only as a hash)."""
    token = _new_token(initiative)
    Initiative.objects.filter(pk=initiative.pk).update(
        private_token_hash=initiative.private_token_hash
    )
    return token


def private_links_recover(*, email: str, ip: str) -> None:
    """Send a new private link for every live initiative using this e-mail address.

    Says nothing about whether any does: the caller shows the same answer either way. Counts
    towards a per-client limit (SubmissionRateLimited past LINK_RECOVERY_RATE_LIMIT); past the
    per-address limit (LINK_RECOVERY_PER_ADDRESS_LIMIT) nothing more is sent to that address,
    silently, so that nobody can flood a holder's mailbox."""
    submission_rate_check(ip=ip, scope="link-recovery", setting="LINK_RECOVERY_RATE_LIMIT")
    initiatives = list(initiatives_with_contact(email=email))
    if not initiatives:
        return
    try:
        submission_rate_check(
            ip=email.strip().lower(),
            scope="link-recovery-address",
            setting="LINK_RECOVERY_PER_ADDRESS_LIMIT",
        )
    except SubmissionRateLimited:
        return
    for initiative in initiatives:
        _send_new_link(initiative)


@transaction.atomic
def _send_new_link(initiative: Initiative) -> None:
    token = private_link_rotate(initiative=initiative)
    emails.send_recovered_link(initiative=initiative, token=token)
