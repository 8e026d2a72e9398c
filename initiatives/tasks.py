"""Background work of the initiatives: sending the queued e-mails (initiatives.emails), and the
imports and claims that staff and moderators confirm from the web.

django.tasks has no retry of its own: a failed attempt re-enqueues the task with `run_after`
30 s, 1 min, 2 min… later (EMAIL_RETRY_BASE_SECONDS doubling, at most an hour apart) until
EMAIL_RETRY_ATTEMPTS attempts have failed; the e-mail is then marked failed, which the
moderators' queue shows. The OutgoingEmail row, not the task, is the source of truth: a task
lost with a crashed worker is enqueued again by `resume_stalled_emails`."""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.tasks import Task, task
from django.utils import timezone

from initiatives.models import OutgoingEmail, OutgoingEmailStatus, masked_address

logger = logging.getLogger(__name__)
MAX_DELAY = timedelta(hours=1)
# A queued delivery not picked up or finished after this long is considered lost.
STALLED_AFTER = timedelta(seconds=settings.EMAIL_STALLED_AFTER_SECONDS)


def enqueue(task_: Task, *args, run_after: datetime | None = None) -> str:
    """Enqueue now, or at `run_after` when the backend can defer (the immediate backend of
    the tests cannot: it runs at once)."""
    if run_after is not None and task_.get_backend().supports_defer:
        task_ = task_.using(run_after=run_after)
    return task_.enqueue(*args).id


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: the wait after the `attempts`-th failed attempt."""
    delay = timedelta(seconds=settings.EMAIL_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
    return min(delay, MAX_DELAY)


def enqueue_delivery(email_id: int, *, run_after: datetime | None = None) -> None:
    task_id = enqueue(deliver_email, email_id, run_after=run_after)
    OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmailStatus.PENDING).update(
        task_id=str(task_id)
    )


@task(queue_name="email")
def deliver_email(email_id: int) -> str:
    """Send one queued e-mail; on failure, schedule the next attempt or give up."""
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutgoingEmailStatus.PENDING)
            .first()
        )
        if email is None:  # already sent, erased with its initiative, or being sent
            return "nothing to do"
        try:
            message = EmailMessage(email.subject, email.body, None, [email.to])
            message.extra_headers.update(email.headers)
            message.send()
        except Exception as error:  # any failure of the mail server is retried
            return _failed(email, error)
        email.status, email.sent_at = OutgoingEmailStatus.SENT, timezone.now()
        email.attempts += 1
        # The address and the links (in the body, or a List-Unsubscribe header): erased.
        email.to = email.body = email.last_error = ""
        email.headers = {}
        email.next_attempt_at = None
        email.save()
        return "sent"


def _failed(email: OutgoingEmail, error: Exception) -> str:
    email.attempts += 1
    # The error's class and message, never the address (a refusal may quote it) or the body.
    message = f"{type(error).__name__}: {error}"
    if email.to:
        message = message.replace(email.to, masked_address(email.to))
    email.last_error = message[:300]
    logger.warning("E-mail %s failed (attempt %d): %s", email.pk, email.attempts, email.last_error)
    if email.attempts >= settings.EMAIL_RETRY_ATTEMPTS:
        email.status, email.next_attempt_at = OutgoingEmailStatus.FAILED, None
        email.save()
        return "failed"
    email.next_attempt_at = timezone.now() + retry_delay(email.attempts)
    email.save()
    email_id, run_after = email.pk, email.next_attempt_at
    transaction.on_commit(lambda: enqueue_delivery(email_id, run_after=run_after))
    return "retry"


def resume_stalled_emails(*, now: datetime | None = None) -> int:
    """Enqueue again the pending e-mails whose delivery task was lost (a worker killed while
    sending, a database restart between the commit and the enqueue). Returns how many."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stalled = OutgoingEmail.objects.filter(status=OutgoingEmailStatus.PENDING).exclude(
        next_attempt_at__gt=now - STALLED_AFTER
    )
    stalled = list(stalled.filter(created_at__lt=now - STALLED_AFTER).values_list("pk", "task_id"))
    # Running longer than any send can take means that its worker died.
    stuck_since = now - STALLED_AFTER - timedelta(seconds=3 * _smtp_timeout())
    alive = {
        str(pk)
        for pk in DBTaskResult.objects.filter(id__in=[t for _pk, t in stalled if _is_uuid(t)])
        .filter(Q(status="READY") | Q(status="RUNNING", started_at__gte=stuck_since))
        .values_list("id", flat=True)
    }
    lost = [email_id for email_id, task_id in stalled if task_id not in alive]
    for email_id in lost:
        enqueue_delivery(email_id)
    return len(lost)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _smtp_timeout() -> float:
    options = settings.MAILERS.get("default", {}).get("OPTIONS", {})
    return float(options.get("timeout") or 10)


@task(queue_name="imports")
def import_uploaded_file(
    *,
    upload_id: str,
    suffix: str,
    source_format: str,
    source: str,
    pending: bool,
    licence: str,
    attribution: str,
    mapping: dict,
) -> dict:
    """The import a staff member confirmed after its dry-run preview in the admin. The
    uploaded file is deleted afterwards, whatever happens."""
    from initiatives.importing.web import run_upload

    return run_upload(
        upload_id=upload_id,
        suffix=suffix,
        source_format=source_format,
        source=source,
        pending=pending,
        licence=licence,
        attribution=attribution,
        mapping=mapping,
        dry_run=False,
    )


@task(queue_name="email")
def send_claim_link(*, initiative_id: int) -> None:
    """Make the approved claimant's private link and send it. The token is made here, in the
    worker, so that it is stored nowhere but as its hash (not in the task's arguments)."""
    from django.db import transaction

    from initiatives import emails
    from initiatives.models import Initiative
    from initiatives.services import _new_token

    with transaction.atomic():
        initiative = Initiative.objects.select_for_update().get(pk=initiative_id)
        token = _new_token(initiative)
        initiative.save(update_fields=["private_token_hash"])
    emails.send_claim_link(initiative=initiative, token=token)
