from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .backends import client_address
from .selectors import login_locked_until


class LockoutAuthenticationForm(AuthenticationForm):
    """The sign-in form; a locked username or address is told so, and for how long, instead of the
    generic "wrong password" (which would send the user on guessing)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password. Both are case-sensitive."),
    }

    def clean(self) -> dict[str, Any]:
        until = login_locked_until(
            username=self.cleaned_data.get("username"), ip_address=client_address(self.request)
        )
        if until is not None:
            minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
            raise forms.ValidationError(
                ngettext(
                    "Too many failed sign-ins. Try again in %(minutes)d minute.",
                    "Too many failed sign-ins. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="locked",
            )
        return super().clean()
