"""The one error family users see. Each carries a message fit to show as-is."""

from __future__ import annotations


class ExchangeError(Exception):
    """An error whose message can be shown to a user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ExchangeError):
    """The object does not exist, or the user may not know it exists."""


class Forbidden(ExchangeError):
    """The acting user may not do this to this object."""


class Conflict(ExchangeError):
    """Someone else changed the object first, or the action was already done."""


class RateLimited(ExchangeError):
    """Too many attempts in a window; the message says when to try again."""


class DatabaseProblem(ExchangeError):
    """The database file cannot be used as it is (a fault of the machine, not of the user's input)."""


class DatabaseBusy(DatabaseProblem):
    """Another process holds the database file."""


class DatabaseFull(DatabaseProblem):
    """The disk holding the database has no room left: nothing was saved."""


class DatabaseReadOnly(DatabaseProblem):
    """The database file or its folder cannot be written."""


class DatabaseCorrupt(DatabaseProblem):
    """The database file is damaged; restore it from a backup."""


class InvalidInput(ExchangeError):
    """One or more fields are wrong. `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str] | str, field: str | None = None):
        if isinstance(errors, str):
            errors = {field or "input": errors}
        self.errors = dict(errors)
        message = "; ".join(f"{_label(k)}: {v}" for k, v in self.errors.items())
        super().__init__(message)


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()
