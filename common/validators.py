"""Text validators shared by the forms and the API (one-line fields, control characters)."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Line and paragraph separators (Zl, Zp) break a line as surely as a newline does.
_LINE_BREAKING = {"Cc", "Zl", "Zp"}
_MULTI_LINE_ALLOWED = {"\n", "\r", "\t"}


def single_line(value: str) -> None:
    """One-line fields (a name, an address, an e-mail address…) hold no line break, tab or
    other control character: they end up in e-mail headers, CSV cells and page titles."""
    if any(unicodedata.category(char) in _LINE_BREAKING for char in value):
        raise ValidationError(
            _("Write this on one line, without line breaks or control characters."),
            code="single_line",
        )


def no_control_characters(value: str) -> None:
    """Multi-line fields may hold line breaks and tabs, but no other control character."""
    if any(
        unicodedata.category(char) == "Cc" and char not in _MULTI_LINE_ALLOWED for char in value
    ):
        raise ValidationError(
            _("Remove the control characters (invisible characters) from this text."),
            code="control_characters",
        )
