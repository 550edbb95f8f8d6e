"""Outbound messages about tasks: e-mail through Django's mail backend, SMS through a small gateway
interface. The demo's gateway writes to a log file; production names its own class in MAHALLA_SMS_GATEWAY
(dotted path) with the same `send(phone, text)` method. A gateway raises GatewayError when it cannot send:
the notification then stays pending with the error shown and is retried, and after the last try it is
marked failed - never silently dropped."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class GatewayError(Exception):
    """The message could not be handed over; the text says why."""


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LoggingSmsGateway:
    """Writes each SMS as one line to a file (the demo and tests: nothing leaves the machine)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path or getattr(settings, "MAHALLA_SMS_LOG", settings.VAR_DIR / "sms-outbox.log"))

    def send(self, phone: str, text: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(f"{timezone.now().isoformat()}\t{phone}\t{text.replace(chr(10), ' ')}\n")
        except OSError as error:
            raise GatewayError(f"SMS log not writable: {error}") from error


class UnavailableSmsGateway:
    """A gateway that is down (for trying the failure path)."""

    def send(self, phone: str, text: str) -> None:
        raise GatewayError("SMS gateway unavailable")


def sms_gateway() -> SmsGateway:
    path = getattr(settings, "MAHALLA_SMS_GATEWAY", "mahalla.coordination.messaging.LoggingSmsGateway")
    gateway: SmsGateway = import_string(path)()
    return gateway


def email_send(address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, None, [address], fail_silently=False)
    except Exception as error:  # noqa: BLE001 - any backend failure is reported, then retried
        raise GatewayError(f"mail not sent: {error}") from error
