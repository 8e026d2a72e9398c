from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class AdminContentSecurityPolicyMiddleware:
    """The admin gets its own policy: django-leaflet's map widget writes inline scripts
    without the request's nonce (a form widget is rendered without the request). The admin
    is for staff only; every other page keeps the strict policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(reverse("admin:index")):
            response._csp_config = settings.SECURE_CSP_ADMIN
        return response


class CompressionMiddleware(GZipMiddleware):
    """gzip for HTML and JSON when the client accepts it.

    BREACH (guessing a secret from compressed sizes, with text the attacker injects into the
    same response): Django masks the CSRF token anew in every response and GZipMiddleware
    pads each body with random bytes ("Heal the Breach"). The one secret that is neither
    masked nor rotated, a private link, is only ever shown in responses marked
    `Cache-Control: no-store`: those are sent uncompressed."""

    def process_response(self, request, response):
        if "no-store" in response.get("Cache-Control", ""):
            return response
        return super().process_response(request, response)


class RequestBodyMiddleware:
    """Request bodies the app cannot read are refused before any view or form sees them:

    - chunked bodies without a length (Django would read them as empty): 411;
    - bodies larger than MAX_REQUEST_BYTES: 413, a short page or a JSON error for /api/
      and /ogc/ (DATA_UPLOAD_MAX_MEMORY_SIZE would otherwise answer a bare 400 mid-form)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_chunked(request) and not request.META.get("CONTENT_LENGTH"):
            return refusal(
                request,
                411,
                _("Send the request with a Content-Length header (chunked bodies are not read)."),
            )
        if _declared_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return refusal(
                request, 413, _("The request is too large: nothing was stored. Send less.")
            )
        return self.get_response(request)


def _is_chunked(request) -> bool:
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


TITLES = {503: _("Service temporarily unavailable")}


def wants_json(request) -> bool:
    """The machine-facing parts of the site answer errors in JSON."""
    return request.path.startswith(("/api/", "/ogc/"))


def refusal(request, status: int, message: str, headers: dict | None = None) -> HttpResponse:
    """A short error: JSON for the API and OGC API, otherwise a page that needs nothing from
    the database (it is also the page shown while the database is down). In the reader's
    language, which LocaleMiddleware may not have chosen yet."""
    with translation.override(translation.get_language_from_request(request)):
        if wants_json(request):
            response = JsonResponse({"detail": str(message)}, status=status)
        else:
            title = TITLES.get(status, _("The request could not be read"))
            body = render_to_string("error.html", {"title": title, "message": message})
            response = HttpResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
