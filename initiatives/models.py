import math
from datetime import timedelta

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from initiatives import choices
from initiatives.choices import help_text
from initiatives.fields import ChoiceArrayField
from territories.selectors import served_territory, territory_containing, territory_holds

DESCRIPTION_MAX_LENGTH = 10_000
FRESHNESS = timedelta(days=365)

# What describes an initiative, as its holder would tell it: public, editable by its holder,
# importable. Provenance, status, territory and private fields are decided elsewhere.
DESCRIPTIVE_FIELDS = (
    "name",
    "short_description",
    "description",
    "website",
    "address",
    "themes",
    "start_date",
    "start_date_precision",
    "activity_status",
    "actor_types",
    "collaboration_mode",
    "economic_model",
    "resources",
    "governance",
    "animation",
    "reciprocity",
    "step_free_access",
    "usable_without_internet",
    "languages",
    "needs",
)


class InitiativeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publication_status=choices.PublicationStatus.PUBLISHED)

    def active(self):
        return self.filter(activity_status=choices.ActivityStatus.ACTIVE)


def _choice_array(choice_class, verbose_name, **kwargs):
    return ChoiceArrayField(
        models.CharField(max_length=30, choices=choice_class),
        verbose_name=verbose_name,
        default=list,
        blank=True,
        help_text=help_text(choice_class),
        **kwargs,
    )


def _choice(choice_class, verbose_name, **kwargs):
    return models.CharField(
        verbose_name,
        max_length=30,
        choices=choice_class,
        blank=True,
        help_text=help_text(choice_class),
        **kwargs,
    )


class Initiative(models.Model):
    """A local collaborative initiative. Unknown stays unknown: blank, empty list or null."""

    # Identity
    name = models.CharField(_("name"), max_length=200)
    short_description = models.CharField(
        _("short description"), max_length=280, help_text=_("In one or two sentences.")
    )
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)]
    )
    website = models.URLField(
        _("website"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("An address starting with http:// or https://."),
    )
    themes = _choice_array(choices.Theme, _("themes"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    start_date_precision = models.CharField(
        _("start date precision"),
        max_length=5,
        choices=choices.DatePrecision,
        default=choices.DatePrecision.DAY,
    )
    activity_status = models.CharField(
        _("activity"),
        max_length=10,
        choices=choices.ActivityStatus,
        default=choices.ActivityStatus.ACTIVE,
        help_text=help_text(choices.ActivityStatus),
    )
    address = models.CharField(
        _("address"),
        max_length=300,
        blank=True,
        help_text=_("Where people can find it: street and commune (a public place, not a home)."),
    )
    location = models.PointField(_("location"), srid=4326)
    area_of_action = models.MultiPolygonField(_("area of action"), srid=4326, null=True, blank=True)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="initiatives",
        help_text=_("The finest territory containing the location, derived from it."),
    )

    # Collaboration
    actor_types = _choice_array(choices.ActorType, _("actor types"))
    collaboration_mode = _choice(choices.CollaborationMode, _("collaboration mode"))
    economic_model = _choice(choices.EconomicModel, _("economic model"))
    resources = _choice_array(choices.Resource, _("resources"))
    governance = _choice(choices.Governance, _("governance"))
    animation = _choice(choices.Animation, _("animation"))
    reciprocity = models.BooleanField(
        _("participants can contribute"),
        null=True,
        blank=True,
        help_text=_("Participants can give as well as receive (time, skills, ideas)."),
    )
    step_free_access = models.BooleanField(
        _("step-free access"),
        null=True,
        blank=True,
        help_text=_("People in a wheelchair or with a pushchair can get in."),
    )
    usable_without_internet = models.BooleanField(
        _("usable without internet"),
        null=True,
        blank=True,
        help_text=_("One can take part without a computer, smartphone or internet access."),
    )
    languages = ArrayField(
        models.CharField(max_length=3),
        verbose_name=_("languages"),
        default=list,
        blank=True,
        help_text=_("Languages spoken, as codes such as fr, en, es."),
    )
    needs = _choice_array(choices.Need, _("needs"))

    # Provenance
    source = models.CharField(
        _("source"),
        max_length=100,
        default="resident",
        help_text=_("“resident”, “demo” or the name of an imported data set."),
    )
    source_id = models.CharField(_("identifier in the source"), max_length=100, blank=True)
    source_url = models.URLField(
        _("address in the source"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Where the record can be seen in its source, if it has a page."),
    )
    licence = models.CharField(
        _("licence"),
        max_length=20,
        choices=choices.Licence,
        default=choices.Licence.LICENCE_OUVERTE,
        db_default=choices.Licence.LICENCE_OUVERTE,  # rows written in SQL get it too
        help_text=_("Licence under which the source publishes the record."),
    )
    attribution = models.CharField(
        _("attribution"),
        max_length=300,
        blank=True,
        help_text=_("Credit the source's licence requires, e.g. “© OpenStreetMap contributors”."),
    )
    raw_values = models.JSONField(
        _("values outside our vocabulary"),
        default=dict,
        db_default={},
        blank=True,
        editable=False,
        help_text=_("Values of the source that no code of ours matched, kept for a moderator."),
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("possible duplicate of"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="duplicate_candidates",
        help_text=_("An imported record that looks like this existing initiative, to merge."),
    )
    is_synthetic = models.BooleanField(
        _("fictional example"),
        default=False,
        help_text=_("Synthetic demonstration data, not a real initiative."),
    )
    publication_status = models.CharField(
        _("publication status"),
        max_length=10,
        choices=choices.PublicationStatus,
        default=choices.PublicationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_confirmed_at = models.DateTimeField(_("last confirmed"), null=True, blank=True)

    # Private: never in a public page, API response, export or log line.
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # SHA-256 of the holder's private link token; the token itself is never stored.
    private_token_hash = models.CharField(
        _("private link (hash)"), max_length=64, blank=True, editable=False, db_index=True
    )
    reminder_sent_at = models.DateTimeField(
        _("confirmation reminder sent"), null=True, blank=True, editable=False
    )
    moderation_reason = models.TextField(_("moderation reason"), blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="merged_submissions",
    )

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~models.Q(source_id=""),
                name="initiative_unique_source_id",
            )
        ]
        indexes = [
            models.Index(fields=["publication_status", "activity_status"]),
            models.Index(fields=["start_date"]),
            models.Index(fields=["updated_at"]),
            # The public list's order: a page of 50 reads 50 index entries, not a sort of all.
            models.Index(
                fields=["name", "id"],
                condition=models.Q(publication_status="published"),
                name="initiative_published_by_name",
            ),
            models.Index(fields=["licence"]),
            # The full-text search's expression (initiatives.search.search_vector).
            GinIndex(
                SearchVector("name", "short_description", "description", config="french_unaccent"),
                name="initiative_search",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_holder(self) -> bool:
        """Someone holds the private link: a resident's initiative, or a claimed one."""
        return bool(self.private_token_hash)

    @property
    def is_published(self) -> bool:
        return self.publication_status == choices.PublicationStatus.PUBLISHED

    @property
    def needs_confirmation(self) -> bool:
        """Not confirmed for 12 months: shown as "à confirmer / to be confirmed"."""
        confirmed = self.last_confirmed_at or self.created_at
        return confirmed is not None and timezone.now() - confirmed > FRESHNESS

    @property
    def theme_labels(self) -> list[str]:
        return [str(choices.Theme(value).label) for value in self.themes]

    @property
    def actor_type_labels(self) -> list[str]:
        return [str(choices.ActorType(value).label) for value in self.actor_types]

    @property
    def resource_labels(self) -> list[str]:
        return [str(choices.Resource(value).label) for value in self.resources]

    @property
    def need_labels(self) -> list[str]:
        return [str(choices.Need(value).label) for value in self.needs]

    def clean(self):
        self._run_rules((self._validate_location, *self._non_spatial_rules()))

    def clean_non_spatial(self):
        """The rules of clean() that need no query: an import checks many records at once
        against the territories in one spatial join instead (initiatives.importing)."""
        self._run_rules(self._non_spatial_rules())

    def _non_spatial_rules(self):
        return (
            self._validate_themes,
            self._validate_lists,
            self._validate_start_date,
            self._validate_languages,
        )

    def _run_rules(self, rules):
        errors = {}
        for validate in rules:
            try:
                validate()
            except ValidationError as error:
                errors.update(error.update_error_dict({}))
        if errors:
            raise ValidationError(errors)

    def _validate_location(self):
        if self.location is None:
            return
        x, y = self.location.x, self.location.y
        if not (math.isfinite(x) and math.isfinite(y)) or not (-180 <= x <= 180 and -90 <= y <= 90):
            raise ValidationError(
                {"location": _("The coordinates must be a longitude and a latitude.")}
            )
        served = served_territory()
        if served is None or not territory_holds(territory=served, point=self.location):
            raise ValidationError(
                {"location": _("This place is outside the territory served by the radar.")}
            )
        self.territory = territory_containing(point=self.location)

    def _validate_themes(self):
        if not self.themes:
            raise ValidationError({"themes": _("Choose at least one theme.")})

    def _validate_lists(self):
        for field in ("themes", "actor_types", "resources", "needs"):
            values = getattr(self, field)
            if len(values) != len(set(values)):
                raise ValidationError({field: _("A value is repeated.")})

    def _validate_start_date(self):
        if self.start_date and self.start_date > timezone.localdate():
            raise ValidationError({"start_date": _("The start date cannot be in the future.")})

    def _validate_languages(self):
        languages = [code.strip() for code in self.languages if code.strip()]
        if not all(code.isalpha() and 2 <= len(code) <= 3 for code in languages):
            raise ValidationError(
                {"languages": _("Give languages as two- or three-letter codes, such as fr, en.")}
            )
        self.languages = sorted({code.lower() for code in languages})


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Pending moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Revision(models.Model):
    """Changes proposed to a published initiative, kept as history once decided.

    `values` holds the proposed field values as JSON: the location as [lon, lat], dates as
    ISO strings (see initiatives.services.revision_values_to_json)."""

    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("initiative"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    values = models.JSONField(_("proposed values"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=RevisionStatus, default=RevisionStatus.PENDING
    )
    origin = models.CharField(
        _("origin"), max_length=10, default="holder", help_text=_("“holder” or “merge”.")
    )
    reason = models.TextField(_("moderation reason"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.initiative} ({self.get_status_display()})"


class TileCell(models.Model):
    """The published initiatives of one cell of the maps' low-zoom tiles (initiatives.tiles:
    8 × 8 cells per tile, zooms 0 to CELL_ZOOMS - 1): their number, mean position, extent and,
    for a small group, their ids. Rebuilt by the task worker for each data version
    (TileCellBuild), so that a tile over a whole département reads 64 rows, not every point."""

    zoom = models.PositiveSmallIntegerField(_("zoom"))
    column = models.IntegerField(_("column"))
    row = models.IntegerField(_("row"))
    count = models.IntegerField(_("initiatives"))
    lon = models.FloatField(_("mean longitude"))
    lat = models.FloatField(_("mean latitude"))
    west = models.FloatField(_("west"))
    south = models.FloatField(_("south"))
    east = models.FloatField(_("east"))
    north = models.FloatField(_("north"))
    ids = ArrayField(models.BigIntegerField(), verbose_name=_("initiatives"), null=True)

    class Meta:
        verbose_name = _("map tile cell")
        verbose_name_plural = _("map tile cells")
        constraints = [
            models.UniqueConstraint(fields=["zoom", "column", "row"], name="tile_cell_unique")
        ]

    def __str__(self) -> str:
        return f"{self.zoom}/{self.column}/{self.row}: {self.count}"


class TileCellBuild(models.Model):
    """Which version of the published initiatives (territories.DataVersion) the TileCell rows
    describe: one row. Tiles read the cells only when it is the current version."""

    version = models.BigIntegerField(_("version"))
    built_at = models.DateTimeField(_("built"), auto_now=True)

    class Meta:
        verbose_name = _("map tile cells build")
        verbose_name_plural = _("map tile cells builds")

    def __str__(self) -> str:
        return f"v{self.version}"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Pending moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Claim(models.Model):
    """Someone says an initiative without a holder (an imported one) is theirs. Private: a
    moderator decides; once approved, the claimant gets the private link by e-mail."""

    initiative = models.ForeignKey(
        Initiative, verbose_name=_("initiative"), on_delete=models.CASCADE, related_name="claims"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role in the initiative"), max_length=100)
    message = models.TextField(_("message"), blank=True, validators=[MaxLengthValidator(2000)])
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus, default=ClaimStatus.PENDING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.initiative} ({self.get_status_display()})"


class OutgoingEmailKind(models.TextChoices):
    PRIVATE_LINK = "private_link", _("Private link")
    REJECTION = "rejection", _("Submission not published")
    REVISION_REJECTION = "revision_rejection", _("Changes not published")
    REMINDER = "reminder", _("Confirmation reminder")
    SUPPORT_OFFER = "support_offer", _("Offer of support")
    DIGEST = "digest", _("Institution digest")
    CLAIM_LINK = "claim_link", _("Private link after a claim")
    CLAIM_REJECTION = "claim_rejection", _("Claim not accepted")
    RECOVERED_LINK = "recovered_link", _("New private link on request")
    APPROVAL = "approval", _("Submission published")
    REVISION_APPROVAL = "revision_approval", _("Changes published")
    MERGE = "merge", _("Submission merged into an initiative")
    SUBSCRIPTION_CONFIRM = "subscription_confirm", _("Confirmation of a territory subscription")
    SUBSCRIPTION_NOTICE = "subscription_notice", _("Notice to a territory subscriber")
    SUBSCRIPTION_DIGEST = "subscription_digest", _("Territory subscriber digest")


# E-mails to residents who follow a territory (radar.subscriptions): nobody but the mail
# server needs their address, so the moderators see only its domain.
SUBSCRIBER_KINDS = frozenset(
    {
        OutgoingEmailKind.SUBSCRIPTION_CONFIRM,
        OutgoingEmailKind.SUBSCRIPTION_NOTICE,
        OutgoingEmailKind.SUBSCRIPTION_DIGEST,
    }
)


class OutgoingEmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class OutgoingEmail(models.Model):
    """An e-mail to send, stored in the same transaction as the change it tells of, then sent
    by the task worker with retries (initiatives.tasks). Once sent, the address, the body and
    the extra headers (any of which may hold a private link, such as a List-Unsubscribe URL)
    are erased; a failed one keeps them so that a moderator can send it again."""

    kind = models.CharField(_("kind"), max_length=30, choices=OutgoingEmailKind)
    to = models.EmailField(_("recipient"), blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    # Extra mail headers, name -> value (e.g. List-Unsubscribe for RFC 8058 one-click).
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("initiative"),
        null=True,
        blank=True,
        # A withdrawn initiative takes its unsent e-mails with it: nothing of the holder stays.
        on_delete=models.CASCADE,
        related_name="emails",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OutgoingEmailStatus,
        default=OutgoingEmailStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def shown_recipient(self) -> str:
        """The recipient as moderators see it: a subscriber's address only by its domain."""
        if self.kind in SUBSCRIBER_KINDS:
            return masked_address(self.to)
        return self.to


def masked_address(address: str) -> str:
    """The domain of an address ("…@example.net"), never who it is."""
    return "…@" + address.rpartition("@")[2] if address else ""
