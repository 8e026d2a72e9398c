import logging

from django.apps import AppConfig
from django.db import DatabaseError, router
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from initiatives import panels


class RadarConfig(AppConfig):
    name = "radar"
    verbose_name = _("Radar")

    def ready(self):
        # Django's way: receivers connect once the models are loaded.
        from radar import signals  # noqa: F401

        panels.add(panels.PUBLIC_PAGE, "radar/_public_support.html")
        panels.add(panels.PUBLIC_PAGE, "radar/_initiative_links.html")
        panels.add(panels.HOLDER_PAGE, "radar/_private_offers.html")
        post_migrate.connect(_schedule_daily_refresh, sender=self)


def _schedule_daily_refresh(*, using: str, **kwargs) -> None:
    """After `migrate`, the daily refresh waits in the task queue (radar.tasks), so that a
    fresh installation needs no cron for it; the worker keeps it there afterwards."""
    from django_tasks_db.models import DBTaskResult

    from radar.tasks import schedule_daily_refresh

    if using != router.db_for_write(DBTaskResult):
        return
    try:
        schedule_daily_refresh()
    except DatabaseError as error:  # e.g. `migrate radar` before the task table exists
        logging.getLogger(__name__).warning("Daily radar refresh not scheduled: %s", error)
