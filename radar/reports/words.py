"""Numbers in the request's language, for the reports' sentences."""

from django.utils.formats import number_format


def number(value: float, decimals: int) -> str:
    return number_format(value, decimal_pos=decimals, force_grouping=True)


def percent(share: float) -> str:
    return number(100 * share, 0)
