from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class Territory(models.Model):
    """An administrative area (or, later, an IRIS or a grid cell) with its population."""

    class Level(models.TextChoices):
        REGION = "region", _("region")
        DEPARTEMENT = "departement", _("département")
        EPCI = "epci", _("intercommunality (EPCI)")
        COMMUNE = "commune", _("municipality")

    # Larger is finer. New levels (IRIS, grid cells) slot in with a larger rank.
    LEVEL_RANK = {Level.REGION: 10, Level.DEPARTEMENT: 20, Level.EPCI: 30, Level.COMMUNE: 40}

    code = models.CharField(_("code"), max_length=20, help_text=_("INSEE or SIREN code."))
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    geometry = models.MultiPolygonField(_("geometry"), srid=4326)
    area_km2 = models.FloatField(_("area (km²)"), editable=False, default=0)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    population_source = models.CharField(_("population source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="territory_unique_level_code")
        ]
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def level_rank(self) -> int:
        return self.LEVEL_RANK[self.level]

    def save(self, *args, **kwargs):
        self.area_km2 = self.compute_area_km2(self.geometry)
        super().save(*args, **kwargs)

    @staticmethod
    def compute_area_km2(geometry) -> float:
        """Area in a metric projection (degrees have no area)."""
        return round(geometry.transform(settings.RADAR_METRIC_SRID, clone=True).area / 1e6, 4)


class DataVersion(models.Model):
    """A counter per kind of data ("initiatives": the published initiatives, "territories"),
    raised by database triggers on every statement that changes that data, whatever wrote it
    (the ORM, a bulk import, COPY, psql). Map tiles carry it in their URL, so that they can be
    cached for long and change as soon as the data do."""

    name = models.CharField(_("name"), max_length=30, primary_key=True)
    version = models.BigIntegerField(_("version"), default=1)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
