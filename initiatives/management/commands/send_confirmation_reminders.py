"""E-mail the holders of initiatives unconfirmed for 12 months a new private link.

Idempotent per period: an initiative reminded less than --resend-after-days ago is skipped,
so the command can run daily from cron."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from initiatives.selectors import initiatives_due_for_reminder
from initiatives.services import initiative_remind


class Command(BaseCommand):
    help = "Send confirmation reminders (with a new private link) for stale initiatives."

    def add_arguments(self, parser):
        parser.add_argument("--resend-after-days", type=int, default=30)

    def handle(self, *args, resend_after_days: int, **options):
        due = initiatives_due_for_reminder(
            now=timezone.now(), resend_after=timedelta(days=resend_after_days)
        )
        sent = 0
        for initiative in due.iterator():
            initiative_remind(initiative=initiative)
            sent += 1
        # A count only: addresses and links never go to the logs.
        self.stdout.write(f"Reminders sent: {sent}.")
