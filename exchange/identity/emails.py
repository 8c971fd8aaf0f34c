"""E-mail addresses as accounts use them: plain ASCII, outer spaces removed, letters lower-cased.

Any other character (the Kelvin sign K, Cyrillic look-alikes, invisible marks) is refused, so two
addresses that look the same are the same address.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from exchange.errors import InvalidInput
from exchange.kernel import limits

INVALID_EMAIL = "Enter a valid email address, like name@health.example.gov."


def normalize_email(email: str | None) -> str:
    """The form emails are stored and compared in: outer spaces removed, ASCII letters lower-cased (nothing else changed)."""
    if not isinstance(email, str):
        return ""
    email = email.strip()
    # str.lower() would turn the Kelvin sign into "k": only ASCII is case-folded.
    return email.lower() if email.isascii() else email


def check_email(email, name: str = "email") -> str:
    """The normalised address, or InvalidInput: checked for length first, then plain ASCII, then by email-validator."""
    if email is None:
        email = ""
    if not isinstance(email, str):
        raise InvalidInput("An email address must be text.", name)
    if len(email) > limits.EMAIL:
        raise InvalidInput(f"An email address has at most {limits.EMAIL} characters.", name)
    key = normalize_email(email)
    if not key:
        raise InvalidInput("Enter an email address.", name)
    if not key.isascii() or not key.isprintable():
        raise InvalidInput("Use only plain letters, digits and punctuation in an email address "
                           "(look-alike characters such as the Kelvin sign are refused).", name)
    try:
        checked = validate_email(key, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise InvalidInput(INVALID_EMAIL, name) from None
    return checked.normalized.lower()
