"""`manage.py emerging_scan`: the CSV contract, its error messages, and the initiatives."""

import json
import math
import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from initiatives.choices import PublicationStatus
from radar.analysis.randomness import DEFAULT_SEED
from radar.management.commands.emerging_scan import Command
from tests.factories import make_initiative

NYC = Path(__file__).resolve().parent / "data" / "nycfever.csv"
ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    out = StringIO()
    call_command("emerging_scan", *args, stdout=out)
    return out.getvalue()


def write_csv(tmp_path, text):
    path = tmp_path / "cases.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_csv_scan_prints_clusters_as_json_most_likely_first():
    args = ["--input", str(NYC), "--end", "2001-11-24", "--max-radius-km", "3", "--max-days", "7"]
    clusters = json.loads(run(*args, "--replications", "99", "--seed", "3", "--json"))
    first = clusters[0]
    assert set(first) == {
        "location_ids", "center", "radius_km", "start", "end", "observed", "expected", "llr",
        "p_value", "recurrence_interval_days",
    }  # fmt: skip
    assert first["location_ids"][:3] == ["11418", "11415", "11419"]
    assert first["center"] == [-73.83176, 40.69924]
    assert (first["start"], first["end"], first["observed"]) == ("2001-11-22", "2001-11-24", 4)
    assert first["llr"] == pytest.approx(3.845418, abs=1e-6)
    assert first["p_value"] in {k / 100 for k in range(1, 101)}
    assert first["recurrence_interval_days"] == pytest.approx(1 / first["p_value"])
    assert [c["llr"] for c in clusters] == sorted((c["llr"] for c in clusters), reverse=True)
    again = json.loads(run(*args, "--replications", "99", "--seed", "3", "--json"))
    assert again == clusters


def test_csv_scan_prints_a_readable_report():
    text = run("--input", str(NYC), "--end", "2001-11-24", "--max-radius-km", "3",
               "--max-days", "7", "--replications", "19", "--seed", "1")  # fmt: skip
    assert "Total number of cases: 194" in text
    assert "Number of locations..: 192" in text
    assert "1.Location IDs included.: 11418, 11415" in text
    assert "(40.699240 N, 73.831760 W) / 2.90 km" in text
    assert "Test statistic........: 3.845418" in text
    assert "P-value...............: 0." in text


def test_count_column_is_optional_and_zero_declares_a_location(tmp_path):
    path = write_csv(
        tmp_path,
        "location_id,lon,lat,date\n"
        "A,0,0,2024-03-10\nA,0,0,2024-03-10\nB,1,0,2024-03-01\nB,1,0,2024-03-02\n",
    )
    (cluster,) = json.loads(run("--input", path, "--end", "2024-03-10", "--max-radius-km", "5",
                                "--max-days", "1", "--max-share", "1", "--replications", "0",
                                "--json"))  # fmt: skip
    assert (cluster["location_ids"], cluster["observed"], cluster["p_value"]) == (["A"], 2, None)
    assert cluster["expected"] == pytest.approx(1.0)
    assert cluster["llr"] == pytest.approx(2 * math.log(2) + 2 * math.log(2 / 3))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("location_id,lon,date\nA,0,2024-01-01\n", "missing column(s) lat"),
        ("location_id,lon,lat,date\nA,0,0,2024-01-01\nB,1,0,01/02/2024\n", "line 3: date"),
        ("location_id,lon,lat,date\nA,0,0,2024-01-01\nB,nan,0,2024-01-02\n", "line 3: lon"),
        ("location_id,lon,lat,date\nA,0,inf,2024-01-01\n", "line 2: lat"),
        ("location_id,lon,lat,date\nA,0,91,2024-01-01\n", "line 2: lat"),
        ("location_id,lon,lat,date,count\nA,0,0,2024-01-01,-1\n", "line 2: count"),
        ("location_id,lon,lat,date\n,0,0,2024-01-01\n", "line 2: location_id is empty"),
        ("location_id,lon,lat,date\nA,0,0,2024-01-01\nA,1,0,2024-01-02\n", "line 3: location A"),
    ],
)
def test_bad_csv_input_is_a_command_error_naming_the_line(tmp_path, content, message):
    path = write_csv(tmp_path, content)
    with pytest.raises(CommandError) as error:
        run("--input", path, "--end", "2024-01-31", "--max-radius-km", "5", "--max-days", "7")
    assert message in str(error.value)


def test_missing_file_and_bad_options_are_command_errors(tmp_path):
    base = ["--end", "2024-01-31", "--max-radius-km", "5"]
    with pytest.raises(CommandError, match="cannot read"):
        run("--input", str(tmp_path / "nowhere.csv"), *base, "--max-days", "7")
    with pytest.raises(CommandError, match="max-days"):
        run("--input", str(NYC), *base)
    with pytest.raises(CommandError):
        run("--input", str(NYC), *base, "--max-days", "7", "--max-months", "1")
    with pytest.raises(CommandError, match="max-share"):
        run("--input", str(NYC), *base, "--max-days", "7", "--max-share", "0")
    with pytest.raises(CommandError, match="not a date"):
        run("--input", str(NYC), "--end", "24/11/2001", "--max-radius-km", "5", "--max-days", "7")


# --------------------------------------------------------------------------- bad input, as a CLI

CSV = "location_id,lon,lat,date\nA,0,0,2024-01-01\nB,1,0,2024-01-02\n"
SCAN = ["--end", "2024-01-31", "--max-radius-km", "5", "--max-days", "7", "--replications", "9"]


def from_command_line(capsys, *args):
    """Run as manage.py does: (exit code, stdout, stderr). Exceptions other than SystemExit
    (a traceback) fail the test."""
    command = Command()  # its stdout and stderr are the captured ones
    try:
        command.run_from_argv(["manage.py", "emerging_scan", *args])
        code = 0
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


BAD_INPUTS = {
    "end not a date": ([*SCAN[2:], "--end", "2024-13-01"], CSV, "--end: '2024-13-01' is not"),
    "end missing": (SCAN[2:], CSV, "--end"),
    "min cases 1": ([*SCAN, "--min-cases", "1"], CSV, "--min-cases must be at least 2"),
    "min cases 0": ([*SCAN, "--min-cases", "0"], CSV, "--min-cases must be at least 2"),
    "header only": (SCAN, "location_id,lon,lat,date\n", "no cases on or before --end"),
    "all after end": (SCAN, CSV.replace("2024-01", "2024-02"), "no cases on or before --end"),
    "only zero counts": (
        SCAN,
        "location_id,lon,lat,date,count\nA,0,0,2024-01-01,0\n",
        "no cases on or before --end",
    ),
    "empty file": (SCAN, "", "missing column(s) location_id, lon, lat, date"),
    "missing column": (SCAN, "location_id,lon,date\nA,0,2024-01-01\n", "missing column(s) lat"),
    "count not a number": (
        SCAN,
        CSV.replace("date\n", "date,count\n", 1).replace("2024-01-01", "2024-01-01,x"),
        "line 2: count 'x'",
    ),
    "count a superscript": (
        SCAN,
        "location_id,lon,lat,date,count\nA,0,0,2024-01-01,²\n",
        "line 2: count",
    ),
    "count too large": (
        SCAN,
        f"location_id,lon,lat,date,count\nA,0,0,2024-01-01,{10**20}\n",
        "line 2: count",
    ),
    "lat out of range": (SCAN, CSV.replace("B,1,0", "B,1,91"), "line 3: lat '91'"),
    "lon not a number": (SCAN, CSV.replace("B,1,0", "B,east,0"), "line 3: lon 'east'"),
    "date not a date": (SCAN, CSV.replace("2024-01-02", "02/01/2024"), "line 3: date"),
    "id on two places": (SCAN, CSV.replace("B,1", "A,1"), "line 3: location A"),
    "radius not a number": ([*SCAN, "--max-radius-km", "x"], CSV, "--max-radius-km"),
    "radius negative": ([*SCAN, "--max-radius-km", "-1"], CSV, "--max-radius-km must be"),
    "radius nan": ([*SCAN, "--max-radius-km", "nan"], CSV, "--max-radius-km must be"),
    "no window": (SCAN[:4], CSV, "--max-days --max-months"),
    "two windows": ([*SCAN, "--max-months", "2"], CSV, "not allowed with"),
    "zero days": ([*SCAN, "--max-days", "0"], CSV, "--max-days must be at least 1"),
    "share above one": ([*SCAN, "--max-share", "2"], CSV, "--max-share must be"),
    "negative replications": ([*SCAN, "--replications", "-1"], CSV, "--replications"),
    "negative seed": ([*SCAN, "--seed", "-1"], CSV, "--seed must be"),
    "seed not a number": ([*SCAN, "--seed", "abc"], CSV, "--seed"),
    "unknown overlap rule": ([*SCAN, "--overlap", "none"], CSV, "--overlap"),
    "not UTF-8": (SCAN, b"location_id,lon,lat,date\n\xff,0,0,2024-01-01\n", "is not UTF-8"),
    "field too long": (SCAN, CSV + "C" * 200_000 + ",2,0,2024-01-03\n", "not a readable CSV"),
}


@pytest.mark.parametrize(("args", "content", "message"), BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_bad_input_is_one_line_on_stderr_and_a_nonzero_exit(
    tmp_path, capsys, args, content, message
):
    path = tmp_path / "cases.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, out, err = from_command_line(capsys, "--input", str(path), *args)
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert message in err


@pytest.mark.parametrize("where", ["missing", "directory"])
def test_unreadable_input_is_one_line_on_stderr(tmp_path, capsys, where):
    path = tmp_path / "nowhere.csv" if where == "missing" else tmp_path
    code, out, err = from_command_line(capsys, "--input", str(path), *SCAN)
    assert (code, out) == (1, "")
    assert err.strip().splitlines() == [f"CommandError: cannot read {path}: " + (
        "No such file or directory" if where == "missing" else "Is a directory")]  # fmt: skip


def test_the_real_command_line_prints_one_line_for_a_bad_date():
    command = [sys.executable, "manage.py", "emerging_scan", "--input", str(NYC)]
    command += ["--end", "2024-13-01", "--max-radius-km", "3", "--max-days", "7"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=os.environ)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == "CommandError: --end: '2024-13-01' is not a date (YYYY-MM-DD)\n"


def test_cases_after_the_end_are_counted_in_a_warning(tmp_path, capsys):
    later = write_csv(
        tmp_path,
        "location_id,lon,lat,date,count\nA,0,0,2024-01-01,3\nB,1,0,2024-01-20,2\n"
        "B,1,0,2024-02-01,4\nA,0,0,2024-03-01,1\n",
    )
    code, out, err = from_command_line(capsys, "--input", later, *SCAN)
    assert code == 0
    assert err.splitlines() == ["Warning: 5 cases after --end 2024-01-31 left out."]
    assert "Total number of cases: 5" in out
    one = write_csv(tmp_path, CSV + "C,2,0,2024-02-01\n")
    code, out, err = from_command_line(capsys, "--input", one, *SCAN)
    assert err.splitlines() == ["Warning: 1 case after --end 2024-01-31 left out."]


# --------------------------------------------------------------------------- seed


def test_default_seed_gives_the_same_report_and_is_printed(capsys):
    args = ["--input", str(NYC), "--end", "2001-11-24", "--max-radius-km", "3", "--max-days", "7"]
    args += ["--replications", "99"]
    one, again = run(*args), run(*args)
    assert one == again
    assert f"Random seed..........: {DEFAULT_SEED}" in one
    with override_settings(RADAR_RANDOM_SEED=5):
        assert "Random seed..........: 5" in run(*args)
    assert "Random seed..........: 6" in run(*args, "--seed", "6")
    first = json.loads(run(*args, "--json"))
    assert capsys.readouterr().err.splitlines()[-1] == f"Random seed: {DEFAULT_SEED}"
    other = json.loads(run(*args, "--json", "--seed", "6"))
    assert capsys.readouterr().err.splitlines()[-1] == "Random seed: 6"
    assert [c["llr"] for c in first] == [c["llr"] for c in other]
    assert [c["p_value"] for c in first] != [c["p_value"] for c in other]


BORDEAUX = (-0.5792, 44.8378)
# Places about 10 km apart across Gironde, 10 km or more from Bordeaux.
SCATTERED = [(-0.58 + 0.13 * k, lat) for lat in (44.74, 44.95) for k in (-3, -2, -1, 1, 2)]


@pytest.mark.django_db
def test_without_input_scans_published_initiatives_by_month():
    # The demo initiatives all started after 2001: only these count.
    lon, lat = BORDEAUX
    months = [1, 2, 2, 3, 3, 4, 4, 5, 5, 5]
    background = [
        make_initiative(lonlat=place, start_date=date(2001, month, 10))
        for place, month in zip(SCATTERED, months, strict=True)
    ]
    burst = [
        make_initiative(lonlat=(lon + 0.001 * i, lat), start_date=date(2001, 6, 2 + i))
        for i in range(5)
    ]
    # Not cases: not published, no start date, started after the end date.
    make_initiative(status=PublicationStatus.PENDING, lonlat=BORDEAUX, start_date=date(2001, 6, 9))
    make_initiative(lonlat=BORDEAUX, start_date=None)
    make_initiative(lonlat=BORDEAUX, start_date=date(2001, 7, 2))

    clusters = json.loads(run("--end", "2001-06-30", "--max-radius-km", "5", "--max-months", "2",
                              "--replications", "19", "--seed", "1", "--json"))  # fmt: skip

    first = clusters[0]
    assert sorted(first["location_ids"]) == sorted(i.pk for i in burst)
    assert (first["start"], first["end"], first["observed"]) == ("2001-06-01", "2001-06-30", 5)
    total = len(background) + len(burst)
    assert first["expected"] == pytest.approx(5 * 5 / total)
    assert first["llr"] == pytest.approx(5 * math.log(3) + 10 * math.log(10 / (15 - 5 / 3)))
    assert first["recurrence_interval_days"] == pytest.approx(
        max(1.0, 365.25 / 12 / first["p_value"])
    )
