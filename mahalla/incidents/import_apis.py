"""Imports through the API: `POST /api/imports/territories/` and `POST /api/imports/offences/`, multipart
with a `file` field (.csv, .xlsx or .jsonl) and an optional `skip_invalid`. Only the roles in
`mahalla.core.roles.IMPORTERS`. The same services as the `import` command, run synchronously: a file is
streamed from Django's temporary upload file, so size costs time, not memory.

A refused file answers 400 with {"message", "extra": {..., "errors": [{"row", "column", "value",
"reason"}, ...]}} and changes nothing; an accepted one answers 201 with the counts (and, with skip_invalid,
the rejected rows' errors)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mahalla.core.api_schema import extend_schema
from mahalla.core.roles import IMPORTERS

# The importers (numpy, shapely, the file readers) load on the first import request, not when a server worker
# loads the URL configuration: most workers never import a file.


class Importer(BasePermission):
    message = _("Your role may not import data.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.is_active and getattr(user, "role", "") in IMPORTERS
        )


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("a .csv, .xlsx or .jsonl file in the documented format"))
    skip_invalid = serializers.BooleanField(
        default=False, help_text=_("import the valid rows and report the rejected ones")
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    value = serializers.CharField()
    reason = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    source_system = serializers.CharField()
    registration_number = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())


class ImportOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    file_name = serializers.CharField()
    file_sha256 = serializers.CharField()
    batch = serializers.IntegerField(allow_null=True)
    committed = serializers.BooleanField()
    rows_read = serializers.IntegerField()
    rows_created = serializers.IntegerField()
    rows_updated = serializers.IntegerField()
    rows_unchanged = serializers.IntegerField()
    rows_conflicting = serializers.IntegerField()
    rows_rejected = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = RowErrorSerializer(many=True)
    conflicts = ConflictSerializer(many=True)


class _ImportApi(APIView):
    permission_classes = [IsAuthenticated, Importer]
    parser_classes = [MultiPartParser]
    service = ""  # the name of the importer in mahalla.incidents.importing
    kind = ""

    def post(self, request: Request) -> Response:
        from . import importing

        serializer = ImportInputSerializer(data=request.data)
        if not serializer.is_valid():
            upload = request.data.get("file")
            importing.import_refusal_record(
                actor=request.user,
                kind=self.kind,
                file_name=getattr(upload, "name", "") or "",
                message="; ".join(
                    f"{field}: {' '.join(map(str, errors))}" for field, errors in serializer.errors.items()
                ),
            )
            serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        outcome = getattr(importing, self.service)(
            actor=request.user,
            source=upload.file,
            file_name=upload.name,
            skip_invalid=serializer.validated_data["skip_invalid"],
        )
        return Response(ImportOutputSerializer(outcome.as_dict()).data, status=status.HTTP_201_CREATED)


class TerritoryImportApi(_ImportApi):
    service = "territory_file_import"
    kind = "territories"

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses={201: ImportOutputSerializer},
        summary="Import regions, districts and mahallas (docs/import-formats.md)",
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class OffenceImportApi(_ImportApi):
    service = "offence_import"
    kind = "offences"

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses={201: ImportOutputSerializer},
        summary="Import offences (docs/import-formats.md)",
    )
    def post(self, request: Request) -> Response:
        return super().post(request)
