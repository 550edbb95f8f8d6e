"""Accounts API: obtain and revoke a token (respecting the lock-out), who am I, and account management for
administrators (create, change scope, deactivate) through the audited services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, user_logged_in
from django.db.models import Model
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from mahalla.core.api_schema import extend_schema
from mahalla.core.roles import AUDIT_READERS, OFFENCE_RECORD_READERS, Role, ScopeLevel

from .authentication import token_expires_at
from .backends import client_address
from .models import User
from .selectors import login_locked_until
from .services import user_create, user_deactivate, user_scope_change


class TokenObtainApi(APIView):
    """Exchange a username and password for an API token. Locked-out usernames and addresses are refused
    exactly as on the sign-in page; failures count towards the lock-out."""

    # The credentials are the authentication: no session, hence no CSRF token, is involved.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, trim_whitespace=False)

        class Meta:
            ref_name = "TokenObtainInput"

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expires_at = serializers.DateTimeField()

        class Meta:
            ref_name = "Token"

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username, password = data.validated_data["username"], data.validated_data["password"]
        until = login_locked_until(username=username, ip_address=client_address(request._request))
        if until is not None:
            return Response(
                {
                    "message": _("Too many failed sign-ins. Try again later."),
                    "extra": {"locked_until": until.isoformat()},
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        user = authenticate(request._request, username=username, password=password)
        if user is None:
            # Stated here rather than raised: with no authentication classes DRF would turn a 401 into 403.
            return Response(
                {"message": _("Wrong username or password."), "extra": {}},
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": "Token"},
            )
        token, created = Token.objects.get_or_create(user=user)
        if not created and token_expires_at(token) <= timezone.now():
            token.delete()
            token = Token.objects.create(user=user)
        # Audits the sign-in, clears the failure count and updates last_login, as a page sign-in does.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response(
            self.OutputSerializer({"token": token.key, "expires_at": token_expires_at(token)}).data
        )


class TokenRevokeApi(APIView):
    """Revoke the caller's API token (sign out of the API everywhere)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TerritoryRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_uz = serializers.CharField()


class UserOutputSerializer(serializers.ModelSerializer):
    scope_region = TerritoryRefSerializer(allow_null=True)
    scope_district = TerritoryRefSerializer(allow_null=True)
    scope_mahallas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "position",
            "organisation",
            "role",
            "scope_level",
            "scope_region",
            "scope_district",
            "scope_mahallas",
            "is_active",
        ]


class UserMeApi(APIView):
    """The caller's account: role, scope and what the role allows."""

    class OutputSerializer(UserOutputSerializer):
        can_read_offence_records = serializers.SerializerMethodField()
        can_search_audit_log = serializers.SerializerMethodField()

        class Meta(UserOutputSerializer.Meta):
            fields = [*UserOutputSerializer.Meta.fields, "can_read_offence_records", "can_search_audit_log"]
            ref_name = "UserMe"

        def get_can_read_offence_records(self, user: User) -> bool:
            return user.role in OFFENCE_RECORD_READERS

        def get_can_search_audit_log(self, user: User) -> bool:
            return user.role in AUDIT_READERS

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(request.user).data)


def _territory_model(field: str) -> type[Model]:
    # Resolved through the user model's own foreign keys: accounts sits below territory and imports none
    # of it.
    model = User._meta.get_field(field).related_model
    assert isinstance(model, type)
    return model


def _territory_by_code(field: str, code: str | None) -> Any:
    if not code:
        return None
    model = _territory_model(field)
    found = model._default_manager.filter(code=code).first()
    if found is None:
        raise serializers.ValidationError({field: [_("No territory with code '%(code)s'.") % {"code": code}]})
    return found


def _mahallas_by_code(codes: list[str]) -> list[Any]:
    model = _territory_model("scope_mahallas")
    found = {m.code: m for m in model._default_manager.filter(code__in=codes)}  # type: ignore[attr-defined]
    missing = sorted(set(codes) - set(found))
    if missing:
        raise serializers.ValidationError(
            {"scope_mahallas": [_("No mahalla with code '%(code)s'.") % {"code": code} for code in missing]}
        )
    return [found[code] for code in codes]


class IsAdministrator(BasePermission):
    """Account management is refused outright (403) to anyone but an active administrator; the services
    check the same again, and the territory."""

    message = _("Only an active administrator may manage accounts.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user.is_active and getattr(request.user, "role", None) == Role.ADMINISTRATOR)


class ScopeInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    scope_level = serializers.ChoiceField(choices=ScopeLevel.choices)
    scope_region = serializers.CharField(required=False, allow_blank=True, default="")
    scope_district = serializers.CharField(required=False, allow_blank=True, default="")
    scope_mahallas = serializers.ListField(child=serializers.CharField(), required=False, default=list)

    def scope_arguments(self) -> dict[str, Any]:
        data = self.validated_data
        return {
            "role": data["role"],
            "scope_level": data["scope_level"],
            "scope_region": _territory_by_code("scope_region", data["scope_region"]),
            "scope_district": _territory_by_code("scope_district", data["scope_district"]),
            "scope_mahallas": _mahallas_by_code(data["scope_mahallas"]),
        }


class UserCreateApi(APIView):
    """Create an account (administrators, inside their own territory)."""

    permission_classes = [IsAuthenticated, IsAdministrator]

    class InputSerializer(ScopeInputSerializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(required=False, allow_null=True, default=None, trim_whitespace=False)
        first_name = serializers.CharField(required=False, allow_blank=True, default="")
        last_name = serializers.CharField(required=False, allow_blank=True, default="")
        email = serializers.EmailField(required=False, allow_blank=True, default="")
        position = serializers.CharField(required=False, allow_blank=True, default="")
        organisation = serializers.CharField(required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "UserCreateInput"

    @extend_schema(request=InputSerializer, responses={201: UserOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {
            key: data.validated_data[key]
            for key in (
                "username",
                "password",
                "first_name",
                "last_name",
                "email",
                "position",
                "organisation",
            )
        }
        user = user_create(actor=request.user, **fields, **data.scope_arguments())
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class UserScopeChangeApi(APIView):
    """Change an account's role and territorial scope (administrators, inside their own territory)."""

    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(request=ScopeInputSerializer, responses=UserOutputSerializer)
    def post(self, request: Request, user_id: int) -> Response:
        data = ScopeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_scope_change(
            actor=request.user, user=get_object_or_404(User, pk=user_id), **data.scope_arguments()
        )
        return Response(UserOutputSerializer(user).data)


class UserDeactivateApi(APIView):
    """Deactivate an account (administrators, inside their own territory)."""

    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(request=None, responses=UserOutputSerializer)
    def post(self, request: Request, user_id: int) -> Response:
        user = user_deactivate(actor=request.user, user=get_object_or_404(User, pk=user_id))
        return Response(UserOutputSerializer(user).data)
