"""The radar analyses' parameter choices, light to import (no scientific stack): request
handling imports these, the analyses themselves load on first use."""

from django.conf import settings

GAP_LEVELS = ("commune", "epci")
TREND_INFERENCES = ("permutation", "normal")  # normal: ESRI's p-values, optimistic here


def random_seed() -> int:
    """The seed of every Monte Carlo of the radar (setting RADAR_RANDOM_SEED); results report
    it and it is part of their cache keys."""
    return settings.RADAR_RANDOM_SEED
