from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from mahalla.core.lazy import lazy_view
from mahalla.core.redoc import redoc_script


# drf-spectacular's views import its schema generator (and through it DRF's and Django's test frameworks):
# built on their first request, not when a server worker starts (mahalla/core/lazy.py).
def _schema_view():
    from drf_spectacular.views import SpectacularAPIView

    return SpectacularAPIView.as_view()


def _swagger_view():
    from drf_spectacular.views import SpectacularSwaggerSplitView

    # The split view serves Swagger UI's start-up script as a file: the CSP forbids inline scripts.
    return SpectacularSwaggerSplitView.as_view(url_name="api-schema")


def _redoc_view():
    from drf_spectacular.views import SpectacularRedocView

    # Our own template: drf-spectacular's loads web fonts from Google.
    return SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", lazy_view(_schema_view), name="api-schema"),
    path("api/docs/", lazy_view(_swagger_view), name="api-docs"),
    path("api/redoc/", lazy_view(_redoc_view), name="api-redoc"),
    # ReDoc's bundle without the logo it would fetch from cdn.redoc.ly (mahalla/core/redoc.py).
    path("api/redoc/redoc.standalone.js", redoc_script, name="api-redoc-script"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("mahalla.web.urls")),
    path("accounts/", include("mahalla.accounts.urls")),
    path("api/auth/", include("mahalla.accounts.api_urls")),
    path("api/territories/", include("mahalla.territory.urls")),
    path("api/offences/", include("mahalla.incidents.urls")),
    path("api/audit/", include("mahalla.audit.urls")),
    path("officials/", include("mahalla.officials.urls")),
    path("api/officials/", include("mahalla.officials.api_urls")),
    path("api/imports/", include("mahalla.incidents.import_urls")),
    path("api/roadmaps/", include("mahalla.roadmaps.urls")),
    path("roadmaps/", include("mahalla.roadmaps.web_urls")),
    path("api/cases/", include("mahalla.cases.urls")),
    path("cases/", include("mahalla.cases.web_urls")),
    path("coordination/", include("mahalla.coordination.web_urls")),
    path("api/coordination/", include("mahalla.coordination.urls")),
    path("cyber/", include("mahalla.cyber.urls")),
    path("api/cyber/", include("mahalla.cyber.api_urls")),
    path("links/", include("mahalla.links.urls")),
    path("api/links/", include("mahalla.links.api_urls")),
]

# Under /api/ the errors Django answers itself (no pattern matched; an uncaught exception) are the API's
# JSON {"message", "extra"}, as documented in the schema; elsewhere the site's pages.
handler404 = "mahalla.core.exceptions.page_not_found"
handler500 = "mahalla.core.exceptions.server_error"

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
