"""What can go wrong when the web app asks a service, as types a page can act on."""

from __future__ import annotations


class ServiceError(Exception):
    """A service answered with an error the page must handle (problem details)."""

    def __init__(self, service: str, status: int, code: str, detail: str = "") -> None:
        super().__init__(f"{service}: {status} {code} {detail}".strip())
        self.service = service
        self.status = status
        self.code = code
        self.detail = detail


class ServiceUnavailable(Exception):  # noqa: N818 - a state of the service, not a bug
    """The service did not answer (down, refused, timed out) or failed with a 5xx."""

    def __init__(self, service: str, *, timed_out: bool = False) -> None:
        super().__init__(f"{service} is unavailable" + (" (timed out)" if timed_out else ""))
        self.service = service
        self.timed_out = timed_out


class NotFound(ServiceError):  # noqa: N818
    pass


class Unauthorized(ServiceError):  # noqa: N818
    """No valid session at the service: the visitor must log in (again)."""


class Forbidden(ServiceError):  # noqa: N818
    pass


class Conflict(ServiceError):  # noqa: N818
    pass


class PaymentRequired(ServiceError):  # noqa: N818
    pass


class RateLimited(ServiceError):  # noqa: N818
    def __init__(self, service: str, status: int, code: str, detail: str, retry_after: int) -> None:
        super().__init__(service, status, code, detail)
        self.retry_after = retry_after


class ValidationFailed(ServiceError):  # noqa: N818
    """422 (or 400) with the failing fields: `fields` maps a field name to its message."""

    def __init__(
        self, service: str, status: int, code: str, detail: str, fields: dict[str, str]
    ) -> None:
        super().__init__(service, status, code, detail)
        self.fields = fields
