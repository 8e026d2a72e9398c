"""CSV cells that no spreadsheet runs as a formula (CSV injection).

A text cell starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe,
which spreadsheets show as plain text; numbers (a negative longitude) are left alone, and the
importer takes the apostrophe off again."""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_STARTS_SQL = "'=', '+', '-', '@', E'\\t', E'\\r'"


def spreadsheet_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe_sql(expression: str) -> str:
    """The same, in SQL over a text expression (for CSV written by PostgreSQL's COPY)."""
    return (
        f"CASE WHEN left({expression}, 1) IN ({_FORMULA_STARTS_SQL}) "
        f"THEN '''' || {expression} ELSE {expression} END"
    )


def spreadsheet_unescape(value):
    """A cell as entered, from one written by spreadsheet_safe."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


class SpreadsheetSafeWriter:
    """csv.writer whose text cells no spreadsheet runs as formulas."""

    def __init__(self, file):
        self._writer = csv.writer(file)

    def writerow(self, row):
        self._writer.writerow([spreadsheet_safe(cell) for cell in row])
