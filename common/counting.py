"""Totals that cost the same at any size: exact up to EXACT_UP_TO rows, estimated beyond.

A page shows one screen of a table; counting the whole table for its "N initiatives" line
would read every row on every request. ``bounded_count`` reads at most EXACT_UP_TO + 1 rows;
past that it returns the planner's estimate of the query (PostgreSQL's statistics, refreshed
by autovacuum's ANALYZE), flagged as such, and pages past the estimate are still reachable.
"""

import hashlib
import json
from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import QuerySet

EXACT_UP_TO = 1_000
CACHED_FIGURE_TIMEOUT = 24 * 3600


def data_version() -> int:
    """The version of the public data: the sum of the counters that database triggers raise on
    every statement changing the published initiatives or the territories (territories 0003,
    initiatives 0007; a pending submission raises nothing). Two rows read, whatever the size of
    the tables. Raw SQL because `common` sits below the apps that own the table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(version), 0) FROM territories_dataversion"
            " WHERE name IN ('initiatives', 'territories')"
        )
        return int(cursor.fetchone()[0])


def cached_figure(name: str, compute: Callable[[], Any]) -> Any:
    """A figure over whole tables (a total, an extent), computed once per data version."""
    digest = hashlib.sha256(name.encode()).hexdigest()[:24]
    key = f"figure:{digest}:{data_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHED_FIGURE_TIMEOUT)
    return value


def bounded_count(rows, limit: int | None = None) -> tuple[int, bool]:
    """(count, estimated): exact when at most ``limit`` (EXACT_UP_TO) rows match, else the
    planner's estimate (at least limit + 1)."""
    limit = EXACT_UP_TO if limit is None else limit
    if not isinstance(rows, QuerySet):
        return len(rows), False
    rows = rows.order_by().values("pk")
    exact = rows[: limit + 1].count()
    if exact <= limit:
        return exact, False
    return max(limit + 1, planner_estimate(rows)), True


def planner_estimate(rows: QuerySet) -> int:
    plan = json.loads(rows.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


class _OpenEndedPage(Page):
    """A page of an estimated total: whether a next page exists is read, not computed."""

    def __init__(self, object_list, number, paginator, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class BoundedCountPaginator(Paginator):
    """Django's paginator with ``bounded_count``: ``count_estimated`` says which it is."""

    count_estimated = False

    @cached_property
    def count(self) -> int:
        count, self.count_estimated = bounded_count(self.object_list)
        return count

    def validate_number(self, number):
        self.count  # noqa: B018 -- sets count_estimated
        if not self.count_estimated:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.count_estimated:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        # Past the last row (the estimate was high): an empty page, never an error.
        return _OpenEndedPage(rows[: self.per_page], number, self, len(rows) > self.per_page)
