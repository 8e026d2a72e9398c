from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

api_v1 = [
    path("", include("territories.api.urls")),
    path("", include("initiatives.api.urls")),
    path("", include("initiatives.api.submission_urls")),
    path("radar/", include("radar.api.urls")),
]

urlpatterns = [
    path("", include("initiatives.urls")),
    path("radar/", include("radar.urls")),
    path("open-data/", include("opendata.urls")),
    path("ogc/", include("opendata.ogc.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("tiles/", include("config.tile_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

handler404 = "common.api.errors.page_not_found"
handler500 = "config.views.server_error"
