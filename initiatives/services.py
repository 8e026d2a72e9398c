"""Writes of initiatives. Every write validates with full_clean() first."""

import hashlib
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives import emails
from initiatives.choices import ActivityStatus, PublicationStatus
from initiatives.models import (
    DESCRIPTIVE_FIELDS,
    Initiative,
    OutgoingEmail,
    OutgoingEmailStatus,
    Revision,
    RevisionStatus,
)

# Fields an import may set; everything else (territory, timestamps, status) is derived.
IMPORTABLE = (
    *DESCRIPTIVE_FIELDS,
    "is_synthetic",
    "contact_email",
    "last_confirmed_at",
    "source_url",
    "licence",
    "attribution",
    "raw_values",
)


@dataclass
class ImportRow:
    line: int
    source_id: str
    values: dict  # field values, including "location"
    error: ValidationError | None = None  # a parse error found before the service
    notes: list[str] = field(default_factory=list)  # what was kept aside or removed, said


def initiatives_import(
    *,
    rows: Iterable[ImportRow],
    source: str,
    status: str = PublicationStatus.PUBLISHED,
    progress: bool = False,
    total: int | None = None,
    **options,
):
    """Create or update initiatives by (source, source id), validated with the model's rules
    and written in bulk; see initiatives.importing.pipeline.import_rows for the options."""
    from initiatives.importing.pipeline import import_rows

    return import_rows(
        rows=rows, source=source, status=status, progress=progress, total=total, **options
    )


def _apply(initiative: Initiative, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if name == "location":
            if initiative.location is None or not initiative.location.equals_exact(value, 1e-9):
                initiative.location, changed = value, True
        elif getattr(initiative, name) != value:
            setattr(initiative, name, value)
            changed = True
    return changed


# Contributions by residents, and their moderation.

# Fields a contributor may set; the rest (status, provenance, territory) is decided here.
CONTRIBUTABLE = (*DESCRIPTIVE_FIELDS, "location")
RATE_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


class SubmissionRateLimited(Exception):
    """Too many submissions from one address in the current period."""


@dataclass(frozen=True)
class SubmissionResult:
    initiative: Initiative
    token: str  # the private link's secret: shown once, stored only as its hash


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(initiative: Initiative) -> str:
    token = secrets.token_urlsafe(32)
    initiative.private_token_hash = token_hash(token)
    return token


def _rate_limit(
    setting: str = "SUBMISSION_RATE_LIMIT", default: str = "10/hour"
) -> tuple[int, int]:
    rate = getattr(settings, setting, default)
    count, _slash, period = rate.partition("/")
    if not count.isdigit() or period not in RATE_PERIODS:
        raise ImproperlyConfigured(f"{setting} must look like 10/hour, got {rate!r}")
    return int(count), RATE_PERIODS[period]


def submission_rate_check(
    *, ip: str, scope: str = "submissions", setting: str = "SUBMISSION_RATE_LIMIT"
) -> None:
    """Count one attempt from `ip` (or any other key) in `scope`; raise SubmissionRateLimited
    past the limit of `setting`. The count lives in the shared database cache, so it holds
    across server processes; the key is hashed so that the cache table holds no IP address."""
    limit, period = _rate_limit(setting)
    window = int(time.time() // period)
    key = f"{scope}:{token_hash(ip or 'unknown')[:32]}:{window}"
    cache.add(key, 0, timeout=period)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        attempts = 1
    if attempts > limit:
        raise SubmissionRateLimited


def _contributed(data: dict) -> dict:
    return {name: value for name, value in data.items() if name in CONTRIBUTABLE}


def _require_contact_email(initiative: Initiative, errors: dict) -> None:
    if not initiative.contact_email:
        errors.setdefault("contact_email", []).append(
            ValidationError(_("Give an e-mail address: we send you the private link there."))
        )


def _full_clean(initiative: Initiative, *, needs_email: bool) -> None:
    errors = {}
    try:
        initiative.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict({})
    if needs_email:
        _require_contact_email(initiative, errors)
    if errors:
        raise ValidationError(errors)


def initiative_submit(*, data: dict, submitter_ip: str) -> SubmissionResult:
    """A resident's new initiative, pending moderation. Counts towards the per-address rate
    limit (outside the transaction, so that refused attempts count too)."""
    submission_rate_check(ip=submitter_ip)
    return _initiative_create(data=data)


@transaction.atomic
def _initiative_create(*, data: dict) -> SubmissionResult:
    initiative = Initiative(
        **_contributed(data),
        contact_email=(data.get("contact_email") or "").strip(),
        source="resident",
        publication_status=PublicationStatus.PENDING,
        last_confirmed_at=timezone.now(),
    )
    token = _new_token(initiative)
    _full_clean(initiative, needs_email=True)
    initiative.save()
    emails.send_private_link(initiative=initiative, token=token)
    return SubmissionResult(initiative=initiative, token=token)


def revision_values_to_json(values: dict) -> dict:
    def encode(value):
        if isinstance(value, Point):
            return [value.x, value.y]
        if isinstance(value, date):
            return value.isoformat()
        return value

    return {name: encode(value) for name, value in values.items()}


def revision_values_from_json(values: dict) -> dict:
    decoded = dict(values)
    if decoded.get("location") is not None:
        decoded["location"] = Point(*decoded["location"], srid=4326)
    if decoded.get("start_date"):
        decoded["start_date"] = date.fromisoformat(decoded["start_date"])
    return decoded


def _changes(initiative: Initiative, values: dict) -> dict:
    changed = {}
    for name, value in values.items():
        current = getattr(initiative, name)
        if name == "location":
            if value is not None and (current is None or not current.equals_exact(value, 1e-9)):
                changed[name] = value
        elif current != value:
            changed[name] = value
    return changed


@transaction.atomic
def initiative_edit(*, initiative: Initiative, data: dict) -> Initiative | Revision | None:
    """The holder's changes. A pending initiative is updated in place; a published one gets a
    pending Revision while the published version stays as it is. The contact e-mail is private
    and changes at once. Returns what changed, or None."""
    changes = _changes(initiative, _contributed(data))
    email = (data.get("contact_email") or initiative.contact_email).strip()
    if not initiative.is_published or not changes:
        initiative.contact_email = email
        _apply(initiative, changes)
        _full_clean(initiative, needs_email=True)
        initiative.save()
        return initiative if changes else None
    candidate = Initiative.objects.get(pk=initiative.pk)
    candidate.contact_email = email
    _apply(candidate, changes)
    _full_clean(candidate, needs_email=True)  # a revision must be publishable as it stands
    Initiative.objects.filter(pk=initiative.pk).update(contact_email=email)
    initiative.revisions.filter(status=RevisionStatus.PENDING).update(
        status=RevisionStatus.REJECTED, reason="superseded", decided_at=timezone.now()
    )
    return Revision.objects.create(initiative=initiative, values=revision_values_to_json(changes))


@transaction.atomic
def initiative_confirm(*, initiative: Initiative) -> None:
    """The holder says it is still running."""
    initiative.last_confirmed_at = timezone.now()
    initiative.activity_status = ActivityStatus.ACTIVE
    initiative.save(update_fields=["last_confirmed_at", "activity_status", "updated_at"])


@transaction.atomic
def initiative_withdraw(*, initiative: Initiative) -> None:
    """The holder withdraws: the initiative and its revisions are deleted, not anonymised, so
    that nothing they gave us remains."""
    initiative.delete()


@transaction.atomic
def initiative_approve(*, initiative: Initiative, moderator) -> None:
    """Published; the submitter is told by e-mail."""
    initiative.publication_status = PublicationStatus.PUBLISHED
    initiative.full_clean()
    initiative.save()
    if initiative.contact_email:
        emails.send_approval(initiative=initiative)


def _decide(revision: Revision, status: str, moderator, reason: str = "") -> None:
    revision.status, revision.reason = status, reason
    revision.decided_at, revision.decided_by = timezone.now(), moderator
    revision.save()


@transaction.atomic
def revision_approve(*, revision: Revision, moderator) -> None:
    initiative = revision.initiative
    _apply(initiative, revision_values_from_json(revision.values))
    initiative.full_clean()
    initiative.save()
    _decide(revision, RevisionStatus.APPROVED, moderator)
    if initiative.contact_email:
        emails.send_revision_approval(initiative=initiative)


@transaction.atomic
def revision_reject(*, revision: Revision, moderator, reason: str) -> None:
    _decide(revision, RevisionStatus.REJECTED, moderator, reason)
    if revision.initiative.contact_email:
        emails.send_revision_rejection(initiative=revision.initiative, reason=reason)


@transaction.atomic
def initiative_reject(*, initiative: Initiative, moderator, reason: str) -> None:
    """Not published; the reason goes to the submitter, whose e-mail and link are then erased."""
    email = initiative.contact_email
    initiative.publication_status = PublicationStatus.REJECTED
    initiative.moderation_reason = reason
    initiative.contact_email = initiative.private_token_hash = ""
    initiative.save()
    if email:
        emails.send_rejection(initiative=initiative, to=email, reason=reason)


def _is_empty(value) -> bool:
    return value is None or value == "" or value == []


@transaction.atomic
def initiative_merge(*, submission: Initiative, target: Initiative, moderator) -> Revision:
    """Fold a submission into an existing initiative: its non-empty values fill the target's
    empty fields, recorded as an approved revision; the submission is archived."""
    fills = {
        name: getattr(submission, name)
        for name in CONTRIBUTABLE
        if not _is_empty(getattr(submission, name)) and _is_empty(getattr(target, name))
    }
    _apply(target, fills)
    target.full_clean()
    target.save()
    revision = Revision.objects.create(
        initiative=target, values=revision_values_to_json(fills), origin="merge"
    )
    _decide(revision, RevisionStatus.APPROVED, moderator)
    email = submission.contact_email
    submission.publication_status = PublicationStatus.ARCHIVED
    submission.merged_into = target
    submission.contact_email = submission.private_token_hash = ""
    submission.save()
    if email:
        emails.send_merge(submission=submission, to=email, target=target)
    return revision


@transaction.atomic
def initiative_remind(*, initiative: Initiative) -> None:
    """Ask the holder to confirm, with a new private link (the old one stops working)."""
    token = _new_token(initiative)
    initiative.reminder_sent_at = timezone.now()
    initiative.save(update_fields=["private_token_hash", "reminder_sent_at"])
    emails.send_confirmation_reminder(initiative=initiative, token=token)


@transaction.atomic
def email_send_again(*, email: OutgoingEmail) -> bool:
    """A moderator sends a failed e-mail again: a fresh series of attempts by the worker."""
    from initiatives.tasks import enqueue_delivery

    again = OutgoingEmail.objects.filter(pk=email.pk, status=OutgoingEmailStatus.FAILED).update(
        status=OutgoingEmailStatus.PENDING, attempts=0, next_attempt_at=None
    )
    if again:
        transaction.on_commit(lambda: enqueue_delivery(email.pk), robust=True)
    return bool(again)
