"""Uploads refused as soon as they are too large, not after the whole body has arrived and been written to
disk: a handler placed first in FILE_UPLOAD_HANDLERS counts the bytes and stops the upload at the limit
(the declared Content-Length is checked before any byte is read)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# Paths whose uploads are evidence (photos, documents): their own, smaller limit.
EVIDENCE_PATHS = ("/api/roadmaps/measures/", "/roadmaps/measures/")


def upload_limit_for(path: str) -> int:
    if path.startswith(EVIDENCE_PATHS):
        from django.conf import settings as live

        return int(getattr(live, "ROADMAP_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)) + 64 * 1024
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 2 * 1024**3))


class SizeLimitUploadHandler(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = upload_limit_for(getattr(request, "path", "") or "")
        self.received = 0

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        # Django does not catch StopUpload here: the first chunk of a file is refused instead.
        if content_length and content_length > self.limit:
            self.received = self.limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
