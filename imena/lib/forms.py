"""Turn a service's ValidationError into form errors or flash messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def error_messages(exc: ValidationError) -> list[str]:
    """Every message of `exc`, field errors included, as plain text."""
    return [str(m) for m in exc.messages]


def add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put the errors of `exc` on `form`: on their field where the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            target = field if field in form.fields else None
            for err in errs:
                form.add_error(target, err)
    else:
        for msg in exc.messages:
            form.add_error(None, msg)


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Show every message of `exc` as an error message."""
    for msg in error_messages(exc):
        messages.error(request, msg)


def run_with_reason(
    request: HttpRequest,
    form_class: type[forms.Form],
    action: Callable[..., Any],
    *,
    done: str,
    no_reason: str,
) -> None:
    """Call `action(reason=...)` with the posted reason and flash how it went.

    For the withdraw-and-undo views whose only input is a reason.
    """
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, no_reason)
        return
    try:
        action(reason=form.cleaned_data["reason"])
    except ValidationError as e:
        flash_errors(request, e)
    else:
        messages.success(request, done)
