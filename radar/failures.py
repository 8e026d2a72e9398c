"""An analysis that cannot be computed is recorded once, with its reason, like a result.

The failure is cached under the result's key (radar.reports.cache) for the same data: the next
visit reads it instead of computing again, the page says "calcul impossible : …" in words and
the API answers 422 with the reason. Unexpected errors are kept for an hour only, so that a
passing trouble (a lost connection) is retried; known limits are kept until the data change.
"""

import logging

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

logger = logging.getLogger(__name__)

REASONS = {
    "too_dense": gettext_noop(
        "too many initiatives close together for the memory allowed, even aggregated to a grid"
    ),
    "memory": gettext_noop("not enough memory to compute it"),
    "error": gettext_noop("the computation failed (%(detail)s)"),
}
UNEXPECTED_TIMEOUT = 3600


class AnalysisFailed(Exception):
    """A recorded failure: ``code`` is a key of REASONS, ``detail`` a technical hint."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    @property
    def reason(self) -> str:
        """Why, in the request's language."""
        return _(REASONS.get(self.code, REASONS["error"])) % {"detail": self.detail}

    @property
    def message(self) -> str:
        return _("Computation impossible: %(reason)s.") % {"reason": self.reason}

    def as_entry(self) -> dict:
        return {"code": self.code, "detail": self.detail}


def failure_of(error: Exception) -> AnalysisFailed:
    """What to record of an exception raised by an analysis."""
    if isinstance(error, AnalysisFailed):
        return error
    if isinstance(error, MemoryError):
        return AnalysisFailed("memory")
    if isinstance(error, ValueError) and ("too many" in str(error)):
        return AnalysisFailed("too_dense", str(error))
    logger.exception("Radar analysis failed")
    return AnalysisFailed("error", type(error).__name__)


def timeout_for(failure: AnalysisFailed, default: int) -> int:
    return UNEXPECTED_TIMEOUT if failure.code == "error" else default


class FailedRows(list):
    """An empty table that says why: what a page shows in place of a failed analysis."""

    def __init__(self, failure: AnalysisFailed):
        super().__init__()
        self.failure = failure


def rows_or_failure(read):
    """The analysis' rows, or an empty FailedRows carrying the recorded failure."""
    try:
        return read()
    except AnalysisFailed as failure:
        return FailedRows(failure)


def api_exception_handler(exc, context):
    """DRF's handler, plus a recorded analysis failure answered 422 with its reason."""
    from rest_framework.response import Response
    from rest_framework.views import exception_handler

    if isinstance(exc, AnalysisFailed):
        return Response(
            {"detail": exc.message, "code": "analysis_impossible", "reason": exc.code},
            status=422,
        )
    return exception_handler(exc, context)
