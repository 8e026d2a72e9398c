"""Small helpers the source formats share."""

import re

from initiatives.choices import Licence

SHORT_MAX = 280


def shorten(text: str, limit: int = SHORT_MAX) -> str:
    """The text cut at a word boundary to fit `limit` characters, with an ellipsis if cut."""
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def joined(*parts, separator: str = ", ") -> str:
    return separator.join(str(part).strip() for part in parts if part and str(part).strip())


def first_url(value) -> str:
    """The first http(s) address of a "|"- or ","-separated list."""
    for item in re.split(r"[|,\s]+", str(value or "")):
        if item.startswith(("http://", "https://")):
            return item
    return ""


LICENCE_HINTS = (
    ("odbl", Licence.ODBL),
    ("open database", Licence.ODBL),
    ("by-sa", Licence.CC_BY_SA),
    ("cc0", Licence.CC0),
    ("publicdomain/zero", Licence.CC0),
    ("etalab", Licence.LICENCE_OUVERTE),
    ("licence ouverte", Licence.LICENCE_OUVERTE),
    ("open licence", Licence.LICENCE_OUVERTE),
    ("by/4.0", Licence.CC_BY),
    ("cc-by", Licence.CC_BY),
    ("cc by", Licence.CC_BY),
)


def licence_from_text(text) -> str:
    """Our licence code for a licence named or linked in a file, or ""."""
    lowered = str(text or "").lower()
    return next((code for hint, code in LICENCE_HINTS if hint in lowered), "")
