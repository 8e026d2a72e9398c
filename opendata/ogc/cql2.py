"""CQL2 text (OGC 21-065) to a Django Q, by a small recursive-descent parser.

It writes ORM lookups itself rather than calling selectors: it is a query language, bounded
by an allow-list where each queryable names its ORM path (opendata/ogc/queryables.py).

Grammar (keywords are case-insensitive, property names are not)::

    filter     = or_expr
    or_expr    = and_expr {"OR" and_expr}
    and_expr   = not_expr {"AND" not_expr}
    not_expr   = "NOT" not_expr | primary
    primary    = "(" or_expr ")" | "TRUE" | "FALSE" | function | predicate
    function   = S_INTERSECTS | S_DISJOINT | S_EQUALS | S_TOUCHES | S_CROSSES | S_OVERLAPS
                 | S_WITHIN | S_CONTAINS "(" geometry "," geometry ")"
               | A_EQUALS | A_CONTAINS | A_CONTAINEDBY | A_OVERLAPS "(" property "," array ")"
    predicate  = operand ("=" | "<>" | "<" | "<=" | ">" | ">=") operand
               | property ["NOT"] "LIKE" string
               | property ["NOT"] "BETWEEN" scalar "AND" scalar
               | property ["NOT"] "IN" "(" scalar {"," scalar} ")"
               | property "IS" ["NOT"] "NULL"
    scalar     = 'string' | number | TRUE | FALSE | DATE('YYYY-MM-DD') | TIMESTAMP('…Z')
    geometry   = property | BBOX(w, s, e, n) | POINT(…) | POLYGON(…) | any WKT, in CRS84
    array      = "(" [scalar {"," scalar}] ")"

One side of a comparison is a queryable property, the other a literal of its type. Array
properties (themes, needs…) are compared with the A_ functions only: `themes = 'food'` is a
400 that points to A_CONTAINS(themes, ('food')). As in SQL, a property that is null matches
no comparison, LIKE, BETWEEN or IN, negated or not; NOT over a parenthesised expression keeps
the rows it does not match, null ones included. Errors name the character position (from 1).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.gis.geos import GEOSException, GEOSGeometry, Polygon
from django.db.models import Q
from django.utils.translation import gettext as _

from opendata.ogc.queryables import (
    ARRAY,
    BOOLEAN,
    DATE,
    GEOMETRY,
    INTEGER,
    NUMBER,
    STRING,
    TIMESTAMP,
    Queryable,
)

MAX_LENGTH, MAX_DEPTH = 10_000, 50
COMPARISONS = {"=": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
FLIPPED = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
SPATIAL = {
    "S_INTERSECTS": ("intersects", "intersects"),
    "S_DISJOINT": ("disjoint", "disjoint"),
    "S_EQUALS": ("equals", "equals"),
    "S_TOUCHES": ("touches", "touches"),
    "S_CROSSES": ("crosses", "crosses"),
    "S_OVERLAPS": ("overlaps", "overlaps"),
    "S_WITHIN": ("within", "contains"),  # (lookup, lookup when the literal comes first)
    "S_CONTAINS": ("contains", "within"),
}
ARRAYS = {
    "A_EQUALS": "exact",
    "A_CONTAINS": "contains",
    "A_CONTAINEDBY": "contained_by",
    "A_OVERLAPS": "overlap",
}
WKT_KEYWORDS = {
    "POINT",
    "LINESTRING",
    "POLYGON",
    "MULTIPOINT",
    "MULTILINESTRING",
    "MULTIPOLYGON",
    "GEOMETRYCOLLECTION",
}
EXAMPLES = {
    STRING: "'text'",
    INTEGER: "42",
    NUMBER: "4.2",
    BOOLEAN: "TRUE",
    DATE: "DATE('2024-01-31')",
    TIMESTAMP: "TIMESTAMP('2024-01-31T12:00:00Z')",
}
LITERAL_TYPES = {
    str: STRING,
    int: NUMBER,
    float: NUMBER,
    bool: BOOLEAN,
    date: DATE,
    datetime: TIMESTAMP,
}
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<operator><>|<=|>=|=|<|>)
    | (?P<punctuation>[(),\[\]])
    | (?P<quoted>"(?:[^"]|"")+")
    | (?P<name>[A-Za-z_][A-Za-z0-9_.:]*)
    )""",
    re.VERBOSE,
)


class FilterError(ValueError):
    pass


@dataclass(frozen=True)
class Token:
    kind: str  # string, number, operator, punctuation, name, quoted, end
    text: str
    start: int  # offset in the filter text
    end: int

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "name" else ""


@dataclass(frozen=True)
class Property:
    queryable: Queryable
    token: Token


def _tokens(text: str) -> list[Token]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match:
            start = len(text) - len(text[position:].lstrip())
            raise FilterError(
                _("filter: unexpected character %(char)r at character %(position)d.")
                % {"char": text[start], "position": start + 1}
            )
        kind = match.lastgroup
        tokens.append(Token(kind, match.group(kind), match.start(kind), match.end()))
        position = match.end()
    tokens.append(Token("end", "", len(text), len(text)))
    return tokens


def filter_q(text: str, queryables: dict[str, Queryable]) -> Q:
    """The rows a CQL2 text filter keeps, as a Q over the allowed queryables."""
    if not text.strip():
        raise FilterError(_("filter: the expression is empty."))
    if len(text) > MAX_LENGTH:
        raise FilterError(_("filter: the expression is too long."))
    return _Parser(text, queryables).parse()


class _Parser:
    def __init__(self, text: str, queryables: dict[str, Queryable]):
        self.text, self.queryables = text, queryables
        self.tokens, self.index, self.depth = _tokens(text), 0, 0

    # Reading tokens

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.token
        self.index += 1
        return token

    def accept(self, keyword_or_text: str) -> Token | None:
        token = self.token
        if token.keyword == keyword_or_text or (
            token.kind in ("operator", "punctuation") and token.text == keyword_or_text
        ):
            return self.advance()
        return None

    def expect(self, keyword_or_text: str) -> Token:
        token = self.accept(keyword_or_text)
        if token is None:
            raise self.error(_("expected %(expected)s") % {"expected": keyword_or_text})
        return token

    def error(self, message: str, token: Token | None = None) -> FilterError:
        """A syntax error: where, and what was found there."""
        token = token or self.token
        found = token.text or _("the end")
        return FilterError(
            _("filter: %(message)s at character %(position)d, found %(found)s.")
            % {"message": message, "position": token.start + 1, "found": found}
        )

    def meaning_error(self, message: str, token: Token) -> FilterError:
        """Well-formed but meaningless: an unknown name or a value of the wrong type."""
        return FilterError(
            _("filter: %(message)s (character %(position)d).")
            % {"message": message, "position": token.start + 1}
        )

    # Boolean structure

    def parse(self) -> Q:
        q = self.or_expr()
        if self.token.kind != "end":
            raise self.error(_("expected AND, OR or the end of the filter"))
        return q

    def or_expr(self) -> Q:
        q = self.and_expr()
        while self.accept("OR"):
            q = q | self.and_expr()
        return q

    def and_expr(self) -> Q:
        q = self.not_expr()
        while self.accept("AND"):
            q = q & self.not_expr()
        return q

    def not_expr(self) -> Q:
        if self.accept("NOT"):
            self.nest()
            q = ~self.not_expr()
            self.depth -= 1
            return q
        return self.primary()

    def nest(self) -> None:
        """Bounds the recursion, so that a hostile filter is a 400, not a RecursionError."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(_("the expression is nested too deeply"))

    def primary(self) -> Q:
        if self.token.text == "(":
            return self.parenthesised()
        keyword = self.token.keyword
        if keyword in ("TRUE", "FALSE") and self._ends_a_predicate(self.tokens[self.index + 1]):
            self.advance()  # a boolean literal standing alone as a predicate
            return Q(pk__isnull=False) if keyword == "TRUE" else Q(pk__in=[])
        if keyword in SPATIAL:
            return self.spatial()
        if keyword in ARRAYS:
            return self.array()
        return self.predicate()

    @staticmethod
    def _ends_a_predicate(token: Token) -> bool:
        return token.kind == "end" or token.keyword in ("AND", "OR") or token.text == ")"

    def parenthesised(self) -> Q:
        self.nest()
        self.expect("(")
        q = self.or_expr()
        self.expect(")")
        self.depth -= 1
        return q

    # Predicates

    def predicate(self) -> Q:
        left_token, left = self.token, self.operand()
        if isinstance(left, Property):
            return self.property_predicate(left)
        operator = self.token
        if operator.text not in FLIPPED:
            raise self.error(_("expected a comparison operator"))
        self.advance()
        right = self.operand()
        if not isinstance(right, Property):
            raise self.meaning_error(_("one side of a comparison must be a property"), left_token)
        return self.comparison(right, FLIPPED[operator.text], left, left_token)

    def property_predicate(self, prop: Property) -> Q:
        operator = self.token
        if operator.text in FLIPPED:
            self.advance()
            value_token, value = self.token, self.operand()
            if isinstance(value, Property):
                raise self.meaning_error(
                    _("comparing two properties is not supported"), value_token
                )
            return self.comparison(prop, operator.text, value, value_token)
        if self.accept("IS"):
            negated = bool(self.accept("NOT"))
            self.expect("NULL")
            return Q(**{f"{prop.queryable.lookup}__isnull": not negated})
        negated = bool(self.accept("NOT"))
        if self.accept("LIKE"):
            return self.negatable(prop, self.like(prop), negated)
        if self.accept("BETWEEN"):
            return self.negatable(prop, self.between(prop), negated)
        if self.accept("IN"):
            return self.negatable(prop, self.within_list(prop), negated)
        raise self.error(_("expected a comparison operator, LIKE, BETWEEN, IN or IS"))

    def negatable(self, prop: Property, q: Q, negated: bool) -> Q:
        return self.not_null(prop, ~q) if negated else q

    def not_null(self, prop: Property, q: Q) -> Q:
        return q & Q(**{f"{prop.queryable.lookup}__isnull": False})

    def comparison(self, prop: Property, operator: str, value, token: Token) -> Q:
        self.check_scalar(prop, value, token)
        lookup = prop.queryable.lookup
        if operator == "<>":
            return self.not_null(prop, ~Q(**{lookup: value}))
        return Q(**{f"{lookup}__{COMPARISONS[operator]}": value})

    def like(self, prop: Property) -> Q:
        token = self.token
        pattern = self.scalar()
        if prop.queryable.type != STRING or not isinstance(pattern, str):
            raise self.meaning_error(_("LIKE compares a text property with a text pattern"), token)
        return Q(**{f"{prop.queryable.lookup}__regex": _like_regex(pattern)})

    def between(self, prop: Property) -> Q:
        if prop.queryable.type not in (INTEGER, NUMBER, DATE, TIMESTAMP):
            raise self.meaning_error(
                _("BETWEEN needs a number, date or timestamp property"), prop.token
            )
        low_token, low = self.token, self.scalar()
        self.check_scalar(prop, low, low_token)
        self.expect("AND")
        high_token, high = self.token, self.scalar()
        self.check_scalar(prop, high, high_token)
        return Q(**{f"{prop.queryable.lookup}__range": (low, high)})

    def within_list(self, prop: Property) -> Q:
        values = self.literal_list()
        for token, value in values:
            self.check_scalar(prop, value, token)
        return Q(**{f"{prop.queryable.lookup}__in": [value for _token, value in values]})

    def check_scalar(self, prop: Property, value, token: Token) -> None:
        expected, name = prop.queryable.type, prop.queryable.name
        if expected == ARRAY:
            raise self.meaning_error(
                _("“%(name)s” is a list: use A_CONTAINS(%(name)s, ('…')) or A_OVERLAPS")
                % {"name": name},
                prop.token,
            )
        if expected == GEOMETRY:
            raise self.meaning_error(
                _("“%(name)s” is a geometry: use S_INTERSECTS") % {"name": name}, prop.token
            )
        given = LITERAL_TYPES[type(value)]
        if given != expected and not (given == NUMBER and expected == INTEGER):
            raise self.meaning_error(
                _("“%(name)s” is a %(expected)s: compare it with a value such as %(example)s")
                % {"name": name, "expected": expected, "example": EXAMPLES[expected]},
                token,
            )

    # Functions

    def spatial(self) -> Q:
        function = self.advance()
        name = function.keyword
        self.expect("(")
        first = self.spatial_argument()
        self.expect(",")
        second = self.spatial_argument()
        self.expect(")")
        lookup, converse = SPATIAL[name]
        if isinstance(first, Property) and not isinstance(second, Property):
            prop, geometry = first, second
        elif isinstance(second, Property) and not isinstance(first, Property):
            prop, geometry, lookup = second, first, converse
        else:
            raise self.meaning_error(
                _("%(function)s needs one geometry property and one geometry literal")
                % {"function": name},
                function,
            )
        return Q(**{f"{prop.queryable.lookup}__{lookup}": geometry})

    def spatial_argument(self) -> Property | GEOSGeometry:
        token = self.token
        if token.keyword == "BBOX":
            return self.bbox()
        if token.keyword in WKT_KEYWORDS:
            return self.wkt()
        value = self.operand()
        if not isinstance(value, Property) or value.queryable.type != GEOMETRY:
            raise self.meaning_error(
                _("expected a geometry property, BBOX(…) or a WKT geometry"), token
            )
        return value

    def bbox(self) -> GEOSGeometry:
        start = self.advance()
        self.expect("(")
        numbers = [self.number()]
        while self.accept(","):
            numbers.append(self.number())
        self.expect(")")
        if len(numbers) not in (4, 6):
            raise self.meaning_error(_("BBOX takes 4 or 6 numbers"), start)
        half = len(numbers) // 2
        west, south, east, north = numbers[0], numbers[1], numbers[half], numbers[half + 1]
        if west > east or south > north:
            raise self.meaning_error(_("BBOX must be west, south, east, north"), start)
        polygon = Polygon.from_bbox((west, south, east, north))
        polygon.srid = 4326
        return polygon

    def wkt(self) -> GEOSGeometry:
        start, depth = self.advance(), 0
        if self.token.keyword in ("Z", "M", "ZM", "EMPTY"):
            self.advance()
        while depth or self.token.text == "(":
            token = self.advance()
            if token.kind == "end":
                raise self.error(_("unclosed parenthesis in the geometry"), start)
            depth += {"(": 1, ")": -1}.get(token.text, 0)
        try:
            geometry = GEOSGeometry(self.text[start.start : self.tokens[self.index - 1].end])
        except (GEOSException, ValueError):
            raise self.meaning_error(_("invalid WKT geometry"), start) from None
        geometry.srid = 4326
        return geometry

    def array(self) -> Q:
        name = self.advance().keyword
        self.expect("(")
        prop_token, prop = self.token, self.operand()
        if not isinstance(prop, Property) or prop.queryable.type != ARRAY:
            raise self.meaning_error(
                _("%(function)s needs a list property first") % {"function": name}, prop_token
            )
        self.expect(",")
        values = self.literal_list()
        self.expect(")")
        for token, value in values:
            if not isinstance(value, str):
                raise self.meaning_error(
                    _("the list of “%(name)s” holds text") % {"name": prop.queryable.name}, token
                )
        return Q(**{f"{prop.queryable.lookup}__{ARRAYS[name]}": [v for _t, v in values]})

    # Operands and literals

    def operand(self):
        token = self.token
        if token.kind == "quoted" or (
            token.kind == "name" and token.keyword not in _LITERAL_KEYWORDS
        ):
            return self.property()
        return self.scalar()

    def property(self) -> Property:
        token = self.advance()
        name = token.text[1:-1].replace('""', '"') if token.kind == "quoted" else token.text
        if token.kind == "name" and self.token.text == "(":
            raise self.meaning_error(_("unknown function “%(name)s”") % {"name": name}, token)
        if name not in self.queryables:
            raise self.meaning_error(_("unknown property “%(name)s”") % {"name": name}, token)
        return Property(self.queryables[name], token)

    def scalar(self):
        token = self.token
        if token.kind == "string":
            self.advance()
            return token.text[1:-1].replace("''", "'")
        if token.kind == "number":
            return self.number()
        if token.keyword in ("TRUE", "FALSE"):
            self.advance()
            return token.keyword == "TRUE"
        if token.keyword in ("DATE", "TIMESTAMP"):
            return self.instant()
        raise self.error(_("expected a value"))

    def number(self) -> int | float:
        token = self.token
        if token.kind != "number":
            raise self.error(_("expected a number"))
        self.advance()
        if re.fullmatch(r"[+-]?\d+", token.text):
            return int(token.text)
        return float(token.text)

    def instant(self) -> date | datetime:
        keyword = self.advance().keyword
        self.expect("(")
        token = self.token
        text = self.scalar()
        self.expect(")")
        try:
            if keyword == "DATE" and isinstance(text, str):
                return date.fromisoformat(text)
            if keyword == "TIMESTAMP" and isinstance(text, str) and text.endswith("Z"):
                return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        example = "DATE('2024-01-31')" if keyword == "DATE" else "TIMESTAMP('2024-01-31T12:00:00Z')"
        raise self.meaning_error(
            _("invalid %(keyword)s, write %(example)s") % {"keyword": keyword, "example": example},
            token,
        )

    def literal_list(self) -> list[tuple[Token, object]]:
        closing = "]" if self.accept("[") else ")"
        if closing == ")":
            self.expect("(")
        values = []
        if self.token.text != closing:
            values.append((self.token, self.scalar()))
            while self.accept(","):
                values.append((self.token, self.scalar()))
        self.expect(closing)
        return values


_LITERAL_KEYWORDS = {"TRUE", "FALSE", "DATE", "TIMESTAMP"}


def _like_regex(pattern: str) -> str:
    """A CQL2 LIKE pattern (% any text, _ one character, backslash escapes) as a regex."""
    parts, escaped = [], False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            parts.append({"%": ".*", "_": "."}.get(char, re.escape(char)))
    return "^" + "".join(parts) + "$"
