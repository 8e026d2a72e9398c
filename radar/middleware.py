"""A page that needs a radar result the worker has not computed yet says so, instead of
computing it in the request (the API answers 202 Accepted through DRF: radar.reports.cache)."""

from django.shortcuts import render

from radar.reports.cache import RETRY_AFTER_SECONDS, ResultPending


class ResultPendingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ResultPending):
            return None
        response = render(
            request,
            "radar/computing.html",
            {"retry_after": RETRY_AFTER_SECONDS, "path": request.get_full_path()},
            status=202,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
