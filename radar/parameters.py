"""The radar analyses' parameter choices, light to import (no scientific stack): request
handling imports these, the analyses themselves load on first use."""

GAP_LEVELS = ("commune", "epci")
TREND_INFERENCES = ("permutation", "normal")  # normal: ESRI's p-values, optimistic here
