"""Password strength: an estimate of how many guesses a password withstands."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class StrengthValidator:
    """Refuse passwords that zxcvbn scores below ``min_score`` (0 to 4).

    zxcvbn knows common passwords, names, dates, keyboard patterns and the
    usual substitutions ("Passw0rd2024" scores 1).
    """

    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        # Heavy (loads its word lists): imported when a password is checked,
        # not by every process that reads the settings' validators.
        from zxcvbn import zxcvbn

        inputs = []
        if user is not None:
            for attr in ("username", "first_name", "last_name", "email"):
                value = getattr(user, attr, "")
                if value:
                    inputs.append(str(value))
        # zxcvbn's time grows with the length; past 100 characters it is strong.
        if zxcvbn(password[:100], user_inputs=inputs)["score"] < self.min_score:
            raise ValidationError(
                _(
                    "This password is too easy to guess. Use several uncommon words "
                    "or a longer random password."
                ),
                code="password_too_weak",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must not be easy to guess: no common words with digits "
            "or substitutions, no names or dates."
        )
