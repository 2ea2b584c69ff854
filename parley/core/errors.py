"""The one error family that services raise and the API renders as {"message", "extra"}."""


class ApplicationError(Exception):
    """Raise when a use case cannot go ahead; `status` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str, *, extra: dict | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if status is not None:
            self.status = status


class NotFound(ApplicationError):
    status = 404


class PermissionDenied(ApplicationError):
    status = 403


class ValidationFailed(ApplicationError):
    """Raise with extra={"field": "what is wrong"} so clients can show it next to the field."""

    status = 422


class PayloadTooLarge(ApplicationError):
    status = 413
