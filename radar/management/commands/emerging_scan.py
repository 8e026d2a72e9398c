"""Emerging clusters: SaTScan's prospective space-time permutation scan, from a CSV file or from
the published initiatives."""

import csv
import json
import math
from datetime import date

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from radar.analysis.emerging import (
    OVERLAP_RULES,
    CaseTable,
    Cluster,
    ScanParams,
    StudySummary,
    space_time_permutation_scan,
    summarize,
)
from radar.reports import frames
from radar.reports.reading import case_rows

REQUIRED_COLUMNS = ("location_id", "lon", "lat", "date")
MAX_COUNT = 1_000_000  # cases on one line
MAX_CASES = 10_000_000  # the scan holds one entry per case
MIN_CASES = 2  # SaTScan refuses fewer for high rates


class OneLineParser(CommandParser):
    """Usage errors as one line on stderr, from the command line as from call_command."""

    def error(self, message):
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: error: {message} (see --help)\n")
        super().error(message)


class Command(BaseCommand):
    help = (
        "Prospective space-time permutation scan (Kulldorff; as SaTScan computes it): clusters "
        "of cases, in space and in a recent window ending on --end, with Monte Carlo p-values. "
        "Reads a CSV (location_id,lon,lat,date[,count]) or, without --input, the published "
        "initiatives by start date. The unit follows the flag: --max-days or --max-months. "
        "The replications are seeded (--seed, by default the RADAR_RANDOM_SEED setting): the "
        "same data give the same p-values."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = OneLineParser  # Django builds a CommandParser; this only adds error()
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--input", help="CSV file: location_id,lon,lat,date[,count].")
        parser.add_argument("--end", required=True, help="Last day of the study, YYYY-MM-DD.")
        parser.add_argument("--max-radius-km", required=True, type=float)
        window = parser.add_mutually_exclusive_group(required=True)
        window.add_argument("--max-days", type=int, help="Longest window, in days.")
        window.add_argument("--max-months", type=int, help="Longest window, in months.")
        parser.add_argument(
            "--max-share",
            type=float,
            default=0.5,
            help="Largest share of all cases in a circle (default 0.5).",
        )
        parser.add_argument(
            "--min-cases",
            type=int,
            default=MIN_CASES,
            help=f"Fewest cases in a cluster, at least {MIN_CASES} (default {MIN_CASES}).",
        )
        parser.add_argument("--replications", type=int, default=999)
        parser.add_argument(
            "--seed",
            type=int,
            help="Seed of the replications (default: the RADAR_RANDOM_SEED setting).",
        )
        parser.add_argument(
            "--overlap",
            choices=OVERLAP_RULES,
            default="geometric",
            help="Secondary clusters: SaTScan's geometric rule (default) or no shared location.",
        )
        parser.add_argument("--jobs", type=int, default=1, help="Processes for replications.")
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print clusters as JSON (the seed goes to stderr).",
        )

    def handle(self, *args, **options):
        params = _params(options)
        cases = _read_csv(options["input"]) if options["input"] else _initiatives(params.end)
        summary = summarize(cases, params)
        if summary.cases == 0:
            raise CommandError(f"no cases on or before --end {params.end.isoformat()}")
        later = _cases_after(cases, params.end)
        if later:
            self.stderr.write(
                f"Warning: {later} case{'s' if later > 1 else ''} after --end "
                f"{params.end.isoformat()} left out.",
                self.style.WARNING,
            )
        try:
            clusters = space_time_permutation_scan(**cases.as_kwargs(), params=params)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps([c.as_dict() for c in clusters], indent=2))
            self.stderr.write(f"Random seed: {params.seed}")
        else:
            self.stdout.write(report(clusters, summary, params))


def _iso_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None


def _params(options) -> ScanParams:
    unit, length = ("day", options["max_days"])
    if options["max_months"] is not None:
        unit, length = ("month", options["max_months"])
    checks = [
        (options["max_radius_km"] > 0 and math.isfinite(options["max_radius_km"]),
         "--max-radius-km must be a positive number"),
        (length >= 1, f"--max-{unit}s must be at least 1"),
        (0 < options["max_share"] <= 1, "--max-share must be more than 0 and at most 1"),
        (options["min_cases"] >= MIN_CASES,
         f"--min-cases must be at least {MIN_CASES} (as in SaTScan, for high rates)"),
        (options["replications"] >= 0, "--replications cannot be negative"),
        (options["seed"] is None or options["seed"] >= 0, "--seed must be a whole number >= 0"),
        (options["jobs"] >= 1, "--jobs must be at least 1"),
    ]  # fmt: skip
    for ok, message in checks:
        if not ok:
            raise CommandError(message)
    try:
        return ScanParams(
            end=_iso_date(options["end"], "--end"),
            max_radius_km=options["max_radius_km"],
            time_unit=unit,
            max_length=length,
            max_share=options["max_share"],
            min_cases=options["min_cases"],
            replications=options["replications"],
            seed=settings.RADAR_RANDOM_SEED if options["seed"] is None else options["seed"],
            n_jobs=options["jobs"],
            overlap=options["overlap"],
        )
    except ValueError as error:
        raise CommandError(str(error)) from error


def _cases_after(cases: CaseTable, end: date) -> int:
    later = np.fromiter((d > end for d in cases.dates), dtype=bool, count=len(cases.dates))
    return int(np.asarray(cases.counts)[later].sum())


def _initiatives(end: date) -> CaseTable:
    return frames.case_table(case_rows(end=end))


# No field of a case file is longer than this. csv's limit is process-wide and other libraries
# raise it on import (frictionless sets it to its own), so it is set for the read and restored.
FIELD_SIZE_LIMIT = 131_072


def _read_csv(path: str) -> CaseTable:
    previous = csv.field_size_limit(FIELD_SIZE_LIMIT)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return _parse_rows(csv.DictReader(handle))
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"{path} is not UTF-8 text") from error
    except csv.Error as error:
        raise CommandError(f"{path} is not a readable CSV file: {error}") from error
    finally:
        csv.field_size_limit(previous)


def _parse_rows(reader: csv.DictReader) -> CaseTable:
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CommandError(
            f"line 1: missing column(s) {', '.join(missing)}; "
            f"the header must be location_id,lon,lat,date[,count]"
        )
    ids, lon, lat, dates, counts = [], [], [], [], []
    first_seen: dict[str, tuple[float, float, int]] = {}
    for row in reader:
        line = reader.line_num
        ids.append(_text(row, "location_id", line))
        lon.append(_coordinate(row, "lon", line, 180))
        lat.append(_coordinate(row, "lat", line, 90))
        dates.append(_date(row, line))
        counts.append(_count(row, line))
        x, y, seen_on = first_seen.setdefault(ids[-1], (lon[-1], lat[-1], line))
        if (x, y) != (lon[-1], lat[-1]):
            raise CommandError(
                f"line {line}: location {ids[-1]} has other coordinates than on line {seen_on}"
            )
    if sum(counts) > MAX_CASES:
        raise CommandError(f"more than {MAX_CASES:,} cases: too many for this scan")
    return CaseTable(
        location_ids=ids,
        lon=np.array(lon, dtype=float),
        lat=np.array(lat, dtype=float),
        dates=dates,
        counts=np.array(counts, dtype=np.int64),
    )


def _text(row: dict, column: str, line: int) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise CommandError(f"line {line}: {column} is empty")
    return value


def _coordinate(row: dict, column: str, line: int, limit: float) -> float:
    text = _text(row, column, line)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        raise CommandError(f"line {line}: {column} {text!r} is not a number within ±{limit:g}")
    return value


def _date(row: dict, line: int) -> date:
    text = _text(row, "date", line)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"line {line}: date {text!r} is not a date (YYYY-MM-DD)") from None


def _count(row: dict, line: int) -> int:
    text = (row.get("count") or "").strip()
    if not text:
        return 1
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_COUNT:
        raise CommandError(
            f"line {line}: count {text!r} is not a whole number from 0 to {MAX_COUNT:,}"
        )
    return int(text)


# --------------------------------------------------------------------------- text report


def report(clusters: list[Cluster], summary: StudySummary, params: ScanParams) -> str:
    """A results file in the manner of SaTScan's."""
    unit = "days" if params.time_unit == "day" else "months"
    start = summary.start.isoformat() if summary.start else "-"
    lines = [
        "Prospective space-time permutation scan, clusters with high rates",
        "",
        f"Study period.........: {start} to {summary.end.isoformat()}",
        f"Number of locations..: {summary.locations}",
        f"Total number of cases: {summary.cases}",
        f"Windows..............: 1 to {params.max_length} {unit}, ending {params.end.isoformat()}",
        f"Circles..............: up to {params.max_radius_km:g} km and "
        f"{params.max_share:.0%} of the cases",
        f"Replications.........: {params.replications}",
        f"Random seed..........: {params.seed}",
        "",
    ]
    if not clusters:
        lines.append("No cluster found.")
    for number, cluster in enumerate(clusters, start=1):
        lines.extend(_cluster_lines(number, cluster, params))
    return "\n".join(lines)


def _cluster_lines(number: int, c: Cluster, params: ScanParams) -> list[str]:
    lon, lat = c.center
    lines = [
        f"{number}.Location IDs included.: {', '.join(str(i) for i in c.location_ids)}",
        f"  Coordinates / radius..: ({abs(lat):.6f} {'N' if lat >= 0 else 'S'}, "
        f"{abs(lon):.6f} {'E' if lon >= 0 else 'W'}) / {c.radius_km:.2f} km",
        f"  Time frame............: {c.start.isoformat()} to {c.end.isoformat()}",
        f"  Number of cases.......: {c.observed}",
        f"  Expected cases........: {c.expected:.2f}",
        f"  Observed / expected...: {c.observed / c.expected:.2f}",
        f"  Test statistic........: {c.llr:.6f}",
    ]
    if c.p_value is not None:
        days = c.recurrence_interval_days or 1.0
        decimals = len(str(params.replications))  # as SaTScan: 0.001 steps for 999
        lines.append(f"  P-value...............: {c.p_value:.{decimals}f}")
        lines.append(f"  Recurrence interval...: {_recurrence(days)}")
    lines.append("")
    return lines


def _recurrence(days: float) -> str:
    """SaTScan's wording: days under a year, then years."""
    years = days / 365.25
    if years < 1:
        return f"{days:.0f} day{'' if days < 1.5 else 's'}"
    if years <= 10:
        return f"{years:.1f} year{'' if years < 1.05 else 's'}"
    return f"{years:.0f} years"
