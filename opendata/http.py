"""Conditional GET and gzip for streamed downloads (GZipMiddleware is not installed)."""

import hashlib
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date


def validators(request: HttpRequest, *parts: object) -> str:
    """A weak ETag over what makes the content: kind, counts, latest changes, query string."""
    query = "&".join(sorted(f"{k}={v}" for k, values in request.GET.lists() for v in values))
    digest = hashlib.sha256("|".join(map(str, (*parts, query))).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def not_modified(request: HttpRequest, *, etag: str, last_modified: datetime | None):
    """The 304 response when the client's copy is current, else None."""
    timestamp = int(last_modified.timestamp()) if last_modified else None
    return get_conditional_response(request, etag=etag, last_modified=timestamp)


def wants_gzip(request: HttpRequest) -> bool:
    accepted = request.headers.get("Accept-Encoding", "")
    return any(
        part.split(";")[0].strip() == "gzip" and "q=0" not in part.replace(" ", "").split(";")[1:]
        for part in accepted.split(",")
    )


def gzipped(chunks: Iterable[bytes]) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    for chunk in chunks:
        if data := compressor.compress(chunk):
            yield data
    yield compressor.flush()


def download(
    request: HttpRequest,
    chunks: Iterable[bytes],
    *,
    content_type: str,
    filename: str,
    etag: str,
    last_modified: datetime | None,
) -> HttpResponse:
    """A streamed download, gzipped when the client accepts it, with its validators."""
    use_gzip = wants_gzip(request)
    response = StreamingHttpResponse(gzipped(chunks) if use_gzip else chunks)
    response["Content-Type"] = content_type
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    if use_gzip:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
