"""Audit log search for administrators and prosecutors. Searching the log is itself logged: oversight of
the overseers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mahalla.core.api_schema import extend_schema
from mahalla.core.roles import AUDIT_READERS

from .models import AuditAction, AuditEvent
from .selectors import audit_event_list
from .services import audit_record


class AuditReader(BasePermission):
    message = _("Only administrators and prosecutors may search the audit log.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user.is_active and getattr(request.user, "role", None) in AUDIT_READERS)


class AuditEventPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


class AuditEventListApi(APIView):
    """Search the audit log by actor, action, object and time; newest first."""

    permission_classes = [IsAuthenticated, AuditReader]
    # Read by the schema generator: the list is documented as the paginated object it is.
    pagination_class = AuditEventPagination

    class FilterSerializer(serializers.Serializer):
        actor_username = serializers.CharField(required=False)
        action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
        object_type = serializers.CharField(required=False)
        object_id = serializers.CharField(required=False)
        since = serializers.DateTimeField(required=False)
        until = serializers.DateTimeField(required=False)

        class Meta:
            ref_name = "AuditEventFilter"

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = AuditEvent
            ref_name = "AuditEvent"
            fields = [
                "id",
                "at",
                "actor_username",
                "actor_role",
                "action",
                "object_type",
                "object_id",
                "object_repr",
                "purpose",
                "ip_address",
                "user_agent",
                "request_path",
                "details",
            ]

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = audit_event_list(actor=request.user, **filters.validated_data)
        paginator = AuditEventPagination()
        page = paginator.paginate_queryset(events, request, view=self)
        assert page is not None
        audit_record(
            actor=request.user,
            action=AuditAction.LIST,
            object_type="audit.auditevent",
            details={"filters": {key: str(value) for key, value in filters.validated_data.items()}},
        )
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
