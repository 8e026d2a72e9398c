"""An Atom feed per territory, to follow without an account what grows there: the initiatives
newly published, the requests for support, the movements emerging (Django's syndication
framework writes valid Atom 1.0). Nothing of subscribers or holders appears in it."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from initiatives.models import Initiative
from radar.reports.news import whats_new_in
from territories.models import Territory
from territories.selectors import territories_with_code, territory_by_code

FEED_LIMIT = 50


@dataclass(frozen=True)
class FeedEntry:
    title: str
    description: str
    link: str
    guid: str
    updated: datetime
    category: str


def territory_feed_entries(*, territory: Territory) -> list[FeedEntry]:
    """The territory's news, newest first (the last FEED_LIMIT of each kind)."""
    news = whats_new_in(territories=territories_with_code(code=territory.code), since=None)
    entries = [_initiative_entry(item, "new") for item in news.new_initiatives]
    entries += [_initiative_entry(item, "support") for item in news.support_requests]
    entries += [_movement_entry(row, territory) for row in news.emerging]
    entries.sort(key=lambda entry: entry.updated, reverse=True)
    return entries[: 3 * FEED_LIMIT]


def _titled(category: str, name: str) -> str:
    return _("%(category)s: %(name)s") % {"category": category, "name": name}


def _initiative_entry(initiative: Initiative, kind: str) -> FeedEntry:
    category = _("New initiative") if kind == "new" else _("Asks for support")
    link = settings.SITE_URL + reverse("initiatives:detail", args=[initiative.pk])
    description = initiative.short_description
    if initiative.needs:
        description += " — " + _("Looking for: %(needs)s") % {
            "needs": ", ".join(initiative.need_labels)
        }
    if initiative.is_synthetic:
        description += " " + _("(fictional example)")
    return FeedEntry(
        title=_titled(category, initiative.name),
        description=description,
        link=link,
        guid=f"{link}#{kind}",
        updated=initiative.created_at,
        category=category,
    )


def _movement_entry(row: dict, territory: Territory) -> FeedEntry:
    link = settings.SITE_URL + reverse("radar:territory", args=[territory.code])
    ids = "-".join(str(pk) for pk in row["location_ids"])
    category = _("Emerging movement")
    end = datetime.combine(
        date.fromisoformat(row["end"]), time(), tzinfo=timezone.get_current_timezone()
    )
    return FeedEntry(
        title=_titled(category, row["place"]),
        description=row.get("summary", ""),
        link=link,
        guid=f"{link}#emerging-{row['start']}-{row['end']}-{ids}",
        updated=end,
        category=category,
    )


class TerritoryFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, code: str) -> Territory:
        territory = territory_by_code(code=code)
        if territory is None:
            raise Http404(_("Unknown territory."))
        return territory

    def title(self, territory: Territory) -> str:
        return _("What grows in %(place)s · Territorial Radar") % {"place": territory.name}

    def subtitle(self, territory: Territory) -> str:
        return _("New initiatives, requests for support and emerging movements in %(place)s.") % {
            "place": territory.name
        }

    def link(self, territory: Territory) -> str:
        return reverse("radar:territory", args=[territory.code])

    def feed_url(self, territory: Territory) -> str:
        return reverse("radar:territory-feed", args=[territory.code])

    def author_name(self) -> str:
        return _("Territorial Radar")

    def items(self, territory: Territory) -> list[FeedEntry]:
        return territory_feed_entries(territory=territory)

    def item_title(self, entry: FeedEntry) -> str:
        return entry.title

    def item_description(self, entry: FeedEntry) -> str:
        return entry.description

    def item_link(self, entry: FeedEntry) -> str:
        return entry.link

    def item_guid(self, entry: FeedEntry) -> str:
        return entry.guid

    def item_pubdate(self, entry: FeedEntry) -> datetime:
        return entry.updated

    def item_updateddate(self, entry: FeedEntry) -> datetime:
        return entry.updated

    def item_categories(self, entry: FeedEntry) -> list[str]:
        return [entry.category]
