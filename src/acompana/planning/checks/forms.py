"""Forms of the consolidation checks pages. They parse input; the services validate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FindingAcceptForm(forms.Form):
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
        max_length=4000,
        help_text=_(
            "Why the plan can stay as it is (at least 10 characters). It is recorded with "
            "your name and shown to the committee."
        ),
    )
