"""WTForms validators shared by every feature's forms."""

from __future__ import annotations

from wtforms import Field
from wtforms.validators import ValidationError

from app.text import unsafe_characters


def safe_text(form, field: Field) -> None:  # noqa: ANN001
    """Refuse control and bidi-override characters in a one-line field."""
    if field.data and (bad := unsafe_characters(field.data)):
        raise ValidationError(f"Remove the invisible control characters ({', '.join(bad[:3])}).")


def safe_multiline(form, field: Field) -> None:  # noqa: ANN001
    if field.data and (bad := unsafe_characters(field.data, multiline=True)):
        raise ValidationError(f"Remove the invisible control characters ({', '.join(bad[:3])}).")
