from django.urls import path

from mahalla.core.lazy import lazy_api

app_name = "accounts-api"

urlpatterns = [
    path("token/", lazy_api("mahalla.accounts.apis.TokenObtainApi"), name="token-obtain"),
    path("token/revoke/", lazy_api("mahalla.accounts.apis.TokenRevokeApi"), name="token-revoke"),
    path("me/", lazy_api("mahalla.accounts.apis.UserMeApi"), name="me"),
    path("users/", lazy_api("mahalla.accounts.apis.UserCreateApi"), name="user-create"),
    path(
        "users/<int:user_id>/scope/",
        lazy_api("mahalla.accounts.apis.UserScopeChangeApi"),
        name="user-scope-change",
    ),
    path(
        "users/<int:user_id>/deactivate/",
        lazy_api("mahalla.accounts.apis.UserDeactivateApi"),
        name="user-deactivate",
    ),
]
