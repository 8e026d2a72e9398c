"""Downloads in the national formats (see opendata.national), filtered like the API."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from initiatives.api.filters import InitiativeFilter
from initiatives.selectors import initiatives_change_stamp, published_initiatives
from opendata import http, national


def _download(request: HttpRequest, *, filename: str, stream, content_type: str) -> HttpResponse:
    selection = InitiativeFilter(request.GET, queryset=published_initiatives())
    if not selection.is_valid():
        return JsonResponse({"errors": selection.errors}, status=400)
    count, latest = initiatives_change_stamp(initiatives=selection.qs)
    etag = http.validators(request, filename, count, latest)
    if response := http.not_modified(request, etag=etag, last_modified=latest):
        return response
    return http.download(
        request,
        stream(selection.qs),
        content_type=content_type,
        filename=filename,
        etag=etag,
        last_modified=latest,
    )


@require_safe
def initiatives_data_inclusion(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")

    def page_url(initiative) -> str:
        return base + reverse("initiatives:detail", args=[initiative.pk])

    return _download(
        request,
        filename="initiatives.data-inclusion.json",
        stream=lambda initiatives: national.stream_data_inclusion(initiatives, page_url),
        content_type="application/json",
    )


@require_safe
def initiatives_lamednum(request: HttpRequest) -> HttpResponse:
    return _download(
        request,
        filename="initiatives.lamednum.csv",
        stream=national.stream_lamednum,
        content_type="text/csv; charset=utf-8",
    )
