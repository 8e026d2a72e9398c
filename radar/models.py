"""Institutions that browse the radar and offer support. They never edit initiatives: an offer
is a message the initiative's holder is free to accept or decline."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Institution(models.Model):
    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Municipality")
        EPCI = "epci", _("Intercommunality (EPCI)")
        DEPARTEMENT = "departement", _("Département")
        REGION = "region", _("Region")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory of competence"),
        on_delete=models.PROTECT,
        related_name="institutions",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="InstitutionMembership",
        related_name="institutions",
        verbose_name=_("members"),
    )
    followed_territories = models.ManyToManyField(
        "territories.Territory",
        through="Follow",
        related_name="followers",
        verbose_name=_("followed territories"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class InstitutionMembership(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # "What's new" and the digest show what happened since these moments.
    last_visit_at = models.DateTimeField(_("last visit"), null=True, blank=True)
    last_digest_at = models.DateTimeField(_("last digest"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "user"], name="membership_unique_institution_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.institution}"


class Follow(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="follows")
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("followed territory")
        verbose_name_plural = _("followed territories")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "territory"], name="follow_unique_institution_territory"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} → {self.territory}"


class SupportOffer(models.Model):
    class Kind(models.TextChoices):
        PREMISES = "premises", _("Premises")
        FUNDING = "funding", _("Funding")
        COMMUNICATION = "communication", _("Communication")
        EQUIPMENT = "equipment", _("Equipment")
        TRAINING = "training", _("Training")
        ANIMATION = "animation", _("Animation")

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="offers"
    )
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        verbose_name=_("initiative"),
        on_delete=models.CASCADE,
        related_name="support_offers",
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("offered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind of support"), max_length=20, choices=Kind)
    message = models.TextField(_("message"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OFFERED)
    # Set by the initiative's holder only: without it an accepted offer stays private.
    public_consent = models.BooleanField(_("shown publicly"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("support offer")
        verbose_name_plural = _("support offers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.institution} → {self.initiative} ({self.kind})"

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.ACCEPTED and self.public_consent

    def clean(self):
        if self.initiative_id is None:
            return
        initiative = self.initiative
        if not initiative.is_published:
            raise ValidationError(_("Support can only be offered to a published initiative."))
        if not initiative.needs:
            raise ValidationError(_("This initiative has not declared a need."))


class Subscription(models.Model):
    """A resident's e-mail subscription to what is new in a territory, without an account:
    active once confirmed through the e-mailed link (double opt-in), ended by the link in
    every e-mail. Shown nowhere; the address serves only to send the digest."""

    email = models.EmailField(_("e-mail"))
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last digest sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["email", "territory"], name="subscription_unique")
        ]

    def __str__(self) -> str:
        return f"{self.territory} ({self.pk})"


class SubscriptionEmail(models.Model):
    """Which subscription an outgoing e-mail is for, so that unsubscribing erases the e-mails
    not yet sent (radar.signals): an unsubscribed reader gets nothing more, even from an
    e-mail already queued or waiting for its next attempt."""

    email = models.OneToOneField(
        "initiatives.OutgoingEmail",
        verbose_name=_("e-mail"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="subscription_link",
    )
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="emails",
    )

    class Meta:
        verbose_name = _("e-mail to a subscriber")
        verbose_name_plural = _("e-mails to subscribers")

    def __str__(self) -> str:
        return f"{self.subscription_id}: {self.email_id}"
