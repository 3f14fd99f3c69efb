"""Domain refusals: raised by operations, shown to the person by the views."""


class Refused(Exception):  # noqa: N818 - a refusal, shown to people as it is written
    """The operation is not possible now; the message says why, in the user's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(Exception):  # noqa: N818 - the actor may not do this
    """The actor may not do this (views answer 403 or 404)."""
