from django.apps import AppConfig
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
