"""Site-wide error views."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.defaults import server_error as default_server_error

from config.middleware import refusal

# Seconds a client is asked to wait while the database is unreachable.
DATABASE_RETRY_AFTER = 10


def database_unavailable(error: BaseException | None) -> bool:
    """The database cannot be reached (down, restarting, connection lost), as opposed to a
    bug: the error or what caused it is an OperationalError or an InterfaceError."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def server_error(request, template_name="500.html"):
    """handler500: Django calls it for any uncaught exception (in a view or in a middleware,
    session and authentication included), inside the `except` block. A database outage
    answers 503 with Retry-After; each request tries the database again, so the service
    comes back by itself."""
    if database_unavailable(sys.exc_info()[1]):
        return refusal(
            request,
            503,
            _("The service is briefly unavailable. Please try again in a few moments."),
            headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
        )
    return default_server_error(request, template_name)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer, for every login form: 429, a page saying why and for
    how long, and who can lift the block."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(
        request,
        "login_locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
