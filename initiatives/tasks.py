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
