from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from acompana.api.services import MAX_EXPIRY_DAYS

DEFAULT_EXPIRY_DAYS = 90


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Where the token is used, for example “Monthly report script”."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires in (days)"),
        required=False,
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        initial=DEFAULT_EXPIRY_DAYS,
        help_text=_("From 1 to 365 days. Leave it empty for a token that does not expire."),
        widget=forms.NumberInput(attrs={"class": "form-control", "min": 1, "max": 365}),
    )
