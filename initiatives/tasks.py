"""Background work of the initiatives app, run by the task worker (django.tasks)."""

from django.tasks import task


@task()
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


@task()
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
    emails.send_claim_link(to=initiative.contact_email, name=initiative.name, token=token)
