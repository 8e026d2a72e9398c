"""Importing from the admin: upload, choose the format, source and mapping, read the dry-run
report, confirm; the confirmed import runs as a task (initiatives.tasks)."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from initiatives.choices import Licence, PublicationStatus
from initiatives.importing import uploads
from initiatives.importing.formats import FORMATS, ImportOptions, format_named
from initiatives.importing.formats.base import FormatError
from initiatives.importing.vocabulary import MappingError, ValueMapping
from initiatives.importing.workflow import import_file, outcome_label

PREVIEW_LINES = 500


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=[(f, f) for f in FORMATS])
    source = forms.SlugField(
        label=gettext_lazy("Source name"),
        max_length=100,
        help_text=gettext_lazy("Short name of the data set, e.g. mednum-gironde."),
    )
    licence = forms.ChoiceField(
        label=gettext_lazy("Licence"),
        required=False,
        choices=[("", gettext_lazy("As the file or its format says")), *Licence.choices],
    )
    attribution = forms.CharField(label=gettext_lazy("Attribution"), required=False, max_length=300)
    mapping = forms.FileField(
        label=gettext_lazy("Mapping file (JSON)"),
        required=False,
        help_text=gettext_lazy("Column names and value mapping; see the README."),
    )
    pending = forms.BooleanField(
        label=gettext_lazy("Send to the moderation queue instead of publishing"),
        required=False,
    )

    def clean_source(self):
        source = self.cleaned_data["source"]
        if source in {"resident", "demo"}:
            raise forms.ValidationError(_("Choose a source name for the data set, not “resident”."))
        return source

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if not uploads.suffix_of(uploaded.name):
            raise forms.ValidationError(_("Give a .csv, .json, .geojson, .osm or .osm.pbf file."))
        return uploaded

    def clean_mapping(self):
        uploaded = self.cleaned_data.get("mapping")
        if not uploaded:
            return {}
        try:
            document = json.loads(uploaded.read().decode("utf-8"))
            ValueMapping.from_dict(document)
        except (UnicodeDecodeError, json.JSONDecodeError, MappingError) as error:
            raise forms.ValidationError(str(error)) from None
        return document


class ConfirmForm(forms.Form):
    upload_id = forms.RegexField(regex=uploads.UPLOAD_ID)
    suffix = forms.RegexField(regex=r"^\.[a-z.]{1,12}$")
    format = forms.ChoiceField(choices=[(f, f) for f in FORMATS])
    source = forms.SlugField(max_length=100)
    licence = forms.ChoiceField(required=False, choices=[("", ""), *Licence.choices])
    attribution = forms.CharField(required=False, max_length=300)
    mapping = forms.CharField(required=False)
    pending = forms.BooleanField(required=False)


def run_upload(*, upload_id, suffix, source_format, source, pending, licence, attribution,
               mapping, dry_run, on_line=None):  # fmt: skip
    """Import (or preview) a stored upload; a confirmed import deletes the file after."""
    path = uploads.path_for(upload_id, suffix)
    try:
        report = import_file(
            path=path,
            source_format=format_named(source_format),
            options=ImportOptions(mapping=ValueMapping.from_dict(mapping or {})),
            source=source,
            status=PublicationStatus.PENDING if pending else None,
            licence=licence or None,
            attribution=attribution or None,
            dry_run=dry_run,
            on_line=on_line,
        )
    finally:
        if not dry_run:
            path.unlink(missing_ok=True)
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": len(report.rejected),
        "duplicates": report.duplicates,
    }


def _preview(request, form: ImportForm):
    data = form.cleaned_data
    suffix = uploads.suffix_of(data["file"].name)
    upload_id = uploads.store(data["file"], suffix)
    lines = []

    def keep(line):
        if len(lines) < PREVIEW_LINES:
            lines.append({"line": line, "outcome": outcome_label(line)})

    params = {
        "upload_id": upload_id,
        "suffix": suffix,
        "source_format": data["format"],
        "source": data["source"],
        "pending": data["pending"],
        "licence": data["licence"],
        "attribution": data["attribution"],
        "mapping": data["mapping"],
    }
    try:
        counts = run_upload(**params, dry_run=True, on_line=keep)
    except (FormatError, UnicodeDecodeError, ValueError) as error:
        uploads.path_for(upload_id, suffix).unlink(missing_ok=True)
        form.add_error(
            "file",
            str(error)
            if not isinstance(error, UnicodeDecodeError)
            else _("The file is not valid UTF-8."),
        )
        return None
    confirm = ConfirmForm(
        initial={**params, "format": data["format"], "mapping": json.dumps(data["mapping"])}
    )
    return {
        "counts": counts,
        "lines": lines,
        "confirm": confirm,
        "truncated": len(lines) >= PREVIEW_LINES,
    }


def _confirm(request):
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The import could not be started: upload the file again."))
        return redirect("admin:initiatives_initiative_import")
    data = form.cleaned_data
    if not uploads.path_for(data["upload_id"], data["suffix"]).exists():
        messages.error(request, _("The import could not be started: upload the file again."))
        return redirect("admin:initiatives_initiative_import")
    from initiatives.tasks import import_uploaded_file

    result = import_uploaded_file.enqueue(
        upload_id=data["upload_id"],
        suffix=data["suffix"],
        source_format=data["format"],
        source=data["source"],
        pending=data["pending"],
        licence=data["licence"],
        attribution=data["attribution"],
        mapping=json.loads(data["mapping"] or "{}"),
    )
    messages.success(
        request,
        _("Import of “%(source)s” started (task %(id)s): the initiatives appear when it ends.")
        % {"source": data["source"], "id": result.id},
    )
    return redirect("admin:initiatives_initiative_changelist")


def import_view(request, model_admin):
    if not request.user.has_perm("initiatives.add_initiative"):
        raise PermissionDenied
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = _preview(request, form) if request.method == "POST" and form.is_valid() else None
    context = {
        **admin.site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import initiatives"),
        "form": form,
        "preview": preview,
    }
    return TemplateResponse(request, "admin/initiatives/import.html", context)
