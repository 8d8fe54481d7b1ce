"""422s that a rule in a service finds after the request schema has passed."""

from __future__ import annotations

from edu_common.errors import AppError


def invalid_field(
    field: str, detail: str, kind: str, *, code: str = "validation_error"
) -> AppError:
    """A 422 with the `errors` list a schema 422 has (`loc` from `body`, as the request
    validator writes it), so a client reads both kinds alike."""
    error = {"loc": ["body", field], "msg": detail, "type": kind}
    return AppError(422, code, detail, extra={"errors": [error]})


def null_field(field: str) -> AppError:
    """A field that may be left out of a partial update but not set to null."""
    return invalid_field(field, f"{field} cannot be null", "null_not_allowed")
