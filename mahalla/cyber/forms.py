"""Forms of the public report and the officer's intake. The fields only collect: validation of meaning (loss,
attachments' magic bytes, territory) is the service's, so that the API and the pages refuse the same
things."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AgeGroup, Channel, Method


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control", "accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    narrative = forms.CharField(
        label=_("What happened?"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
    )
    message_text = forms.CharField(
        label=_("The message you received (copy it here, if any)"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    occurred_at = forms.DateTimeField(
        label=_("When did it happen?"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(
            attrs={"class": "form-control", "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    # Text, not a number field: the service names the wrong value in its message ("loss not a number").
    loss_amount = forms.CharField(
        label=_("Loss"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=[("UZS", "UZS"), ("USD", "USD"), ("EUR", "EUR"), ("RUB", "RUB")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    channel = forms.ChoiceField(
        label=_("How did they contact you?"),
        choices=Channel.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    mahalla = forms.CharField(widget=forms.HiddenInput, required=False)
    victim_age_group = forms.ChoiceField(
        label=_("Age"),
        choices=AgeGroup.choices,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    victim_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    victim_contact = forms.CharField(
        label=_("Phone or e-mail to reach you (optional)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}),
    )
    attachments = MultipleFileField(label=_("Screenshots (images, up to 5 MB each)"), required=False)


class MethodCorrectionForm(forms.Form):
    method = forms.ChoiceField(
        choices=Method.choices, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV, XLSX or JSONL)"), widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[("bank", _("Bank")), ("line_102", _("102 line")), ("import", _("Other"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
