"""The territory profile's SVG charts, as geometry for the templates to draw: every size in
the charts' own units (the viewBox) is here, none in views or templates.

Bars are patterned as well as coloured (radar/_patterns.html), and each chart carries its
numbers in words for screen readers (the templates' <desc>)."""

from collections import Counter

from django.db.models import TextChoices

from initiatives import choices

VIEW_WIDTH = 420  # the viewBox's width; the SVG scales to its container
PATTERNS = 11  # p0..p10 in radar/_patterns.html

# Horizontal bars: a label column, then the bar, then its count.
BAR_LABEL_WIDTH = 150
BAR_MAX_WIDTH = 200
BAR_VALUE_GAP = 6
BAR_ROW_HEIGHT = 26

# The timeline: a column of years, then one stacked bar per year.
TIMELINE_LABEL_WIDTH = 60
TIMELINE_MAX_WIDTH = 300
TIMELINE_VALUE_GAP = 6
TIMELINE_ROW_HEIGHT = 22

BOTTOM_MARGIN = 4


def bars(counter: Counter, choice_class: type[TextChoices]) -> dict:
    """A horizontal bar chart: each bar labelled with its name and count, and patterned."""
    peak = max(counter.values(), default=0) or 1
    rows = []
    for index, (value, label) in enumerate(choice_class.choices):
        count = counter.get(value, 0)
        width = round(BAR_MAX_WIDTH * count / peak)
        rows.append(
            {
                "label": str(label),
                "value": count,
                "width": width,
                "value_x": BAR_LABEL_WIDTH + BAR_VALUE_GAP + width,
                "y": BAR_ROW_HEIGHT * index,
                "pattern": index % PATTERNS,
            }
        )
    return {
        "bars": rows,
        "bar_x": BAR_LABEL_WIDTH,
        "view_width": VIEW_WIDTH,
        "height": BAR_ROW_HEIGHT * len(rows) + BOTTOM_MARGIN,
    }


def timeline(mix) -> dict:
    """Stacked bars: per year, one patterned segment per theme, named in a legend."""
    themes = list(mix.by_theme_year)
    totals = {y: sum(mix.by_theme_year[t].get(y, 0) for t in themes) for y in mix.years}
    peak = max(totals.values(), default=0) or 1
    rows = []
    for row, year in enumerate(mix.years):
        offset, segments = TIMELINE_LABEL_WIDTH, []
        for index, theme in enumerate(themes):
            width = round(TIMELINE_MAX_WIDTH * mix.by_theme_year[theme].get(year, 0) / peak)
            if width:
                segments.append({"pattern": index % PATTERNS, "x": offset, "width": width})
                offset += width
        rows.append(
            {
                "year": year,
                "total": totals[year],
                "segments": segments,
                "y": TIMELINE_ROW_HEIGHT * row,
                "total_x": offset + TIMELINE_VALUE_GAP,
            }
        )
    return {
        "rows": rows,
        "view_width": VIEW_WIDTH,
        "height": TIMELINE_ROW_HEIGHT * len(rows) + BOTTOM_MARGIN,
    }


def profile_charts(mix) -> dict:
    """Every chart of the territory profile, from its mix of initiatives."""
    return {
        "mix": mix,
        "timeline": timeline(mix),
        "theme_legend": [
            {"label": str(choices.Theme(t).label), "pattern": i % PATTERNS}
            for i, t in enumerate(mix.by_theme_year)
        ],
        "actor_bars": bars(mix.actor_types, choices.ActorType),
        "model_bars": bars(mix.economic_models, choices.EconomicModel),
        "resource_bars": bars(mix.resources, choices.Resource),
    }
