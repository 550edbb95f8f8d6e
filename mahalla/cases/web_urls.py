from django.urls import path

from . import views

app_name = "cases-web"

urlpatterns = [
    path("", views.index, name="index"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline, name="offline"),
    path("worklist/<str:code>/", views.worklist, name="worklist"),
    path("persons/", views.persons, name="persons"),
    path("persons/<int:person_id>/", views.person, name="person"),
    path("persons/<int:person_id>/<slug:action>/", views.person_action, name="person-action"),
    path("orders/", views.orders, name="orders"),
    path("results/", views.results, name="results"),
]
