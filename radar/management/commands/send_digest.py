"""E-mail each institution member what is new in the territories their institution follows,
and each resident subscriber what is new in the territory they follow.

Idempotent per period: a member already sent a digest within the period is skipped, so the
command can run from cron as often as one likes."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from radar import services, subscriptions
from radar.models import InstitutionMembership
from radar.reports.news import whats_new


class Command(BaseCommand):
    help = "E-mail each institution member a digest of what is new in followed territories."

    def add_arguments(self, parser):
        parser.add_argument("--period-days", type=int, default=7)

    def handle(self, *args, period_days: int, **options):
        now = timezone.now()
        period = timedelta(days=period_days)
        sent = 0
        memberships = InstitutionMembership.objects.select_related("institution", "user")
        for membership in memberships.exclude(user__email="").order_by("id"):
            if membership.last_digest_at and now - membership.last_digest_at < period:
                continue
            since = membership.last_digest_at or now - period
            news = whats_new(institution=membership.institution, since=since)
            with transaction.atomic():
                if news:
                    with override(settings.LANGUAGE_CODE):
                        services.digest_queue(membership=membership, news=news)
                    sent += 1
                services.membership_mark_digested(membership=membership, at=now)
        self.stdout.write(f"Digests queued: {sent}")
        # Residents who follow a territory without an account (radar.subscriptions).
        subscribers = subscriptions.send_subscriber_digests(now=now, period=period)
        purged = subscriptions.subscriptions_purge_unconfirmed(now=now)
        self.stdout.write(
            f"{subscribers} subscriber digest(s) queued, {purged} expired request(s) erased"
        )
