from django.conf import settings
from django.urls import reverse


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
