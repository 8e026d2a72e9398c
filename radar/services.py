"""Writes of the institutions' side of the radar. There is deliberately no service that changes an
initiative: institutions offer, holders decide."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives.emails import queue_email, support_offer_link
from initiatives.models import Initiative, OutgoingEmailKind
from initiatives.private_links import private_link_rotate
from radar.models import Follow, Institution, InstitutionMembership, SupportOffer
from territories.models import Territory


def _require_member(*, institution: Institution, user: AbstractBaseUser) -> None:
    if not InstitutionMembership.objects.filter(institution=institution, user=user).exists():
        raise PermissionDenied(_("You are not a member of this institution."))


def _queue_offer_mail(offer: SupportOffer) -> None:
    """The offer goes to the holder with a fresh private link to answer it: the holder may have
    lost the previous one (which then stops working)."""
    if not offer.initiative.contact_email:
        return
    token = private_link_rotate(initiative=offer.initiative)
    queue_email(
        kind=OutgoingEmailKind.SUPPORT_OFFER,
        to=offer.initiative.contact_email,
        initiative=offer.initiative,
        subject=_("An offer of support for “%(name)s”") % {"name": offer.initiative.name},
        body=render_to_string("radar/emails/support_offer.txt", {"offer": offer})
        + support_offer_link(token),
    )


def digest_queue(*, membership: InstitutionMembership, news) -> None:
    """The digest of what is new for an institution member, sent by the task worker."""
    context = {"institution": membership.institution, "news": news, "site_url": settings.SITE_URL}
    queue_email(
        kind=OutgoingEmailKind.DIGEST,
        to=membership.user.email,
        subject=_("What is new on the radar"),
        body=render_to_string("radar/emails/digest.txt", context),
    )


@transaction.atomic
def support_offer_create(
    *,
    institution: Institution,
    user: AbstractBaseUser,
    initiative: Initiative,
    kind: str,
    message: str,
) -> SupportOffer:
    """An institution offers support; the holder is told by e-mail once the offer is stored."""
    _require_member(institution=institution, user=user)
    offer = SupportOffer(
        institution=institution, initiative=initiative, offered_by=user, kind=kind, message=message
    )
    offer.full_clean()
    offer.save()
    _queue_offer_mail(offer)
    return offer


def _require_open(offer: SupportOffer) -> None:
    if offer.status != SupportOffer.Status.OFFERED:
        raise ValidationError(_("This offer has already been answered or withdrawn."))


@transaction.atomic
def support_offer_answer(*, offer: SupportOffer, accept: bool, public: bool) -> SupportOffer:
    """The holder's answer. Publicity needs both acceptance and the holder's explicit consent."""
    offer = SupportOffer.objects.select_for_update().get(pk=offer.pk)
    _require_open(offer)
    offer.status = SupportOffer.Status.ACCEPTED if accept else SupportOffer.Status.DECLINED
    offer.public_consent = bool(accept and public)
    offer.answered_at = timezone.now()
    offer.save(update_fields=["status", "public_consent", "answered_at"])
    return offer


@transaction.atomic
def support_offer_withdraw(*, offer: SupportOffer, user: AbstractBaseUser) -> SupportOffer:
    """The institution takes back an offer not yet answered."""
    offer = SupportOffer.objects.select_for_update().get(pk=offer.pk)
    _require_member(institution=offer.institution, user=user)
    _require_open(offer)
    offer.status = SupportOffer.Status.WITHDRAWN
    offer.answered_at = timezone.now()
    offer.save(update_fields=["status", "answered_at"])
    return offer


@transaction.atomic
def follow_create(
    *, institution: Institution, user: AbstractBaseUser, territory: Territory
) -> Follow:
    _require_member(institution=institution, user=user)
    follow, _created = Follow.objects.get_or_create(institution=institution, territory=territory)
    return follow


@transaction.atomic
def follow_delete(*, institution: Institution, user: AbstractBaseUser, territory: Territory):
    _require_member(institution=institution, user=user)
    Follow.objects.filter(institution=institution, territory=territory).delete()


@transaction.atomic
def membership_mark_visited(*, membership: InstitutionMembership, at: datetime) -> None:
    membership.last_visit_at = at
    membership.save(update_fields=["last_visit_at"])


@transaction.atomic
def membership_mark_digested(*, membership: InstitutionMembership, at: datetime) -> None:
    membership.last_digest_at = at
    membership.save(update_fields=["last_digest_at"])
