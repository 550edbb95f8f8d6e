"""The project's URLs plus mozilla-django-oidc's, as when MAHALLA_OIDC_ENABLED is set."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("oidc/", include("mozilla_django_oidc.urls"))]
