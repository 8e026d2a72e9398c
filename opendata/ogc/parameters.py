"""The query parameters of /items: limit, offset, bbox, datetime, property filters and a CQL2
text filter (filter, filter-lang, filter-crs), all combined by AND."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from opendata.ogc.cql2 import FilterError, filter_q

DEFAULT_LIMIT, MAX_LIMIT = 10, 10_000
FILTER_PARAMETERS = {"filter", "filter-lang", "filter-crs"}
# crs: GDAL >= 3.x asks for the advertised storageCrs; CRS84 is the only one served.
COMMON = {"f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime", *FILTER_PARAMETERS}
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CQL2_TEXT = "cql2-text"


class ParameterError(ValueError):
    pass


@dataclass(frozen=True)
class ItemsParameters:
    rows: QuerySet
    limit: int
    offset: int


def items_parameters(request: HttpRequest, collection) -> ItemsParameters:
    query = request.GET
    unknown = sorted(set(query) - COMMON - set(collection.filterset.base_filters))
    if unknown:
        raise ParameterError(_("Unknown parameter: %(names)s.") % {"names": ", ".join(unknown)})
    for name in ("crs", "bbox-crs"):
        if query.get(name, CRS84) != CRS84:
            raise ParameterError(_("%(name)s must be %(crs)s.") % {"name": name, "crs": CRS84})
    rows = _filtered(query, collection)
    if "filter" in query:
        rows = rows.filter(_cql2_filter(query, collection))
    if "datetime" in query:
        rows = _started_within(rows, collection, query["datetime"])
    limit = min(_integer(query, "limit", DEFAULT_LIMIT, minimum=1), MAX_LIMIT)
    return ItemsParameters(rows=rows, limit=limit, offset=_integer(query, "offset", 0, minimum=0))


def _filtered(query: QueryDict, collection) -> QuerySet:
    filters = query.copy()
    for name in COMMON - {"bbox"}:
        filters.pop(name, None)
    selection = collection.filterset(filters, queryset=collection.rows())
    if not selection.is_valid():
        messages = [f"{name}: {' '.join(errors)}" for name, errors in selection.errors.items()]
        raise ParameterError(" ".join(messages))
    return selection.qs


def _cql2_filter(query: QueryDict, collection):
    if query.get("filter-lang", CQL2_TEXT) != CQL2_TEXT:
        raise ParameterError(_("filter-lang must be %(lang)s.") % {"lang": CQL2_TEXT})
    if query.get("filter-crs", CRS84) != CRS84:
        raise ParameterError(_("filter-crs must be %(crs)s.") % {"crs": CRS84})
    try:
        return filter_q(query["filter"], collection.queryables)
    except FilterError as error:
        raise ParameterError(str(error)) from None


def _integer(query: QueryDict, name: str, default: int, *, minimum: int) -> int:
    text = query.get(name, "")
    if text == "":
        return default
    if not text.isdigit() or int(text) < minimum:
        raise ParameterError(
            _("%(name)s must be an integer of at least %(minimum)d.")
            % {"name": name, "minimum": minimum}
        )
    return int(text)


def _started_within(rows: QuerySet, collection, text: str) -> QuerySet:
    if not collection.start_field:
        return rows  # no temporal property: every feature matches, as the standard says
    start, end = parse_interval(text)
    if start:
        rows = rows.filter(**{f"{collection.start_field}__gte": start})
    if end:
        rows = rows.filter(**{f"{collection.start_field}__lte": end})
    return rows.exclude(**{f"{collection.start_field}__isnull": True})


def parse_interval(text: str) -> tuple[date | None, date | None]:
    """An instant (2019-05-01 or 2019-05-01T10:00:00Z) or an interval a/b where either end may
    be open (".." or empty). Returns the first and last days, None when open."""
    if "/" not in text:
        day = _day(text)
        return day, day
    first, _sep, last = text.partition("/")
    start, end = _bound(first), _bound(last)
    if start is None and end is None:
        raise ParameterError(_("datetime: an interval needs at least one end."))
    if start and end and start > end:
        raise ParameterError(_("datetime: the interval ends before it starts."))
    return start, end


def _bound(text: str) -> date | None:
    return None if text in ("", "..") else _day(text)


def _day(text: str) -> date:
    try:
        if "T" in text:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        return date.fromisoformat(text)
    except ValueError:
        raise ParameterError(
            _("datetime must be an RFC 3339 date or date-time, or an interval a/b, got %(v)r.")
            % {"v": text}
        ) from None
