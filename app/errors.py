"""Domain refusals: raised by operations, shown to the person by the views."""


class Refused(Exception):
    """The operation is not possible now; the message says why, in the user's words."""


class NotAllowed(Exception):
    """The actor may not do this (views answer 403 or 404)."""
