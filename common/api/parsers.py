"""The API's JSON parser: a bounded nesting depth, and translated errors."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json  # strict_constant: no NaN or Infinity

# No request of this API nests more than a few levels; Python's json module recurses once
# per level and would raise RecursionError (a 500) near 1,000.
MAX_JSON_DEPTH = 32


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text, without parsing it (brackets inside
    strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
        except UnicodeDecodeError:
            raise ParseError(_("The body is not valid UTF-8 text.")) from None
        if json_depth(text) > MAX_JSON_DEPTH:
            raise ParseError(
                _("The JSON body is nested too deeply (%(max)d levels at most).")
                % {"max": MAX_JSON_DEPTH}
            )
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as error:
            message = _("The body is not valid JSON: %(error)s") % {"error": error}
            raise ParseError(message) from None
