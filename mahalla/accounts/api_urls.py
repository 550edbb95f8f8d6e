from django.urls import path

from . import apis

app_name = "accounts-api"

urlpatterns = [
    path("token/", apis.TokenObtainApi.as_view(), name="token-obtain"),
    path("token/revoke/", apis.TokenRevokeApi.as_view(), name="token-revoke"),
    path("me/", apis.UserMeApi.as_view(), name="me"),
    path("users/", apis.UserCreateApi.as_view(), name="user-create"),
    path("users/<int:user_id>/scope/", apis.UserScopeChangeApi.as_view(), name="user-scope-change"),
    path("users/<int:user_id>/deactivate/", apis.UserDeactivateApi.as_view(), name="user-deactivate"),
]
