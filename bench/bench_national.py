"""Every radar analysis at national scale: 100,000 initiatives over 35,000 communes.

A synthetic mainland France (bench_gaps.py: 35,000 square communes in Lambert-93 with
log-normal populations, 100,000 initiatives drawn toward populated communes, start dates over
ten years) goes through the same functions the radar's cache calls, with the radar's own
parameters: the gaps and Gi* clusters (9,999 permutations), the hot-spot trends (10 years,
9,999 permutations each, both tails counted without keeping the draws), and the emerging-movement
scan (10 km, 6 months, 999 replications; aggregated to a grid when the circles would not fit).
Each runs in its own process so that its peak memory (maximum RSS) is its own.

    .venv/bin/python bench/bench_national.py [--communes 35000] [--initiatives 100000]
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

END = date(2026, 11, 15)
ANALYSES = ("gaps_and_clusters", "trends", "emerging")


def data(communes: int, initiatives: int):
    from bench_gaps import synthetic_initiatives, synthetic_territories

    rng = np.random.default_rng(42)
    territories = synthetic_territories(communes, rng)
    points = synthetic_initiatives(territories, initiatives, rng)
    points["start_date"] = [
        END - timedelta(days=int(d)) for d in rng.integers(0, 3650, len(points))
    ]
    return territories.to_crs(4326), points.to_crs(4326)


def run(analysis: str, communes: int, initiatives: int) -> dict:
    territories, points = data(communes, initiatives)
    started = time.perf_counter()
    if analysis == "gaps_and_clusters":
        from radar.analysis import clusters, gaps

        result = gaps.compute_gaps(
            territories, points, crs=2154, min_population=2000, radius_m=5000
        ).territories
        rates = result.loc[territories["code"], "eb_rate"].to_numpy(dtype=float)
        labels = clusters.rate_clusters(territories, rates, permutations=9999, seed=1)["label"]
        summary = {k: int(v) for k, v in labels.value_counts().items()}
    elif analysis == "trends":
        from radar.analysis import trends

        years = list(range(END.year - 9, END.year + 1))
        summary_table, _yearly = trends.hot_spot_trends(
            territories, points, years, permutations=9999, seed=1
        )
        summary = {k: int(v) for k, v in summary_table["pattern"].value_counts().items()}
    else:
        from radar.analysis.density import scan_input
        from radar.analysis.emerging import CaseTable, ScanParams, space_time_permutation_scan

        cases = CaseTable(
            location_ids=points["id"].tolist(),
            lon=points.geometry.x.to_numpy(),
            lat=points.geometry.y.to_numpy(),
            dates=list(points["start_date"]),
            counts=np.ones(len(points), dtype=np.int64),
        )
        scanned = scan_input(cases, max_radius_km=10.0)
        found = space_time_permutation_scan(
            **scanned.cases.as_kwargs(),
            params=ScanParams(
                end=END,
                max_radius_km=10.0,
                time_unit="month",
                max_length=6,
                min_cases=3,
                replications=999,
                seed=1,
            ),
        )
        summary = {
            "grid_km": scanned.cell_km,
            "locations": len(set(scanned.cases.location_ids)),
            "clusters": len(found),
        }
    return {
        "seconds": time.perf_counter() - started,
        "summary": summary,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=35_000)
    parser.add_argument("--initiatives", type=int, default=100_000)
    parser.add_argument("--only", choices=ANALYSES)
    args = parser.parse_args()
    if args.only:
        print(json.dumps(run(args.only, args.communes, args.initiatives)))
        return
    print(f"{args.initiatives} initiatives over {args.communes} communes (synthetic)")
    for analysis in ANALYSES:
        command = [
            sys.executable,
            __file__,
            "--only",
            analysis,
            "--communes",
            str(args.communes),
            "--initiatives",
            str(args.initiatives),
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            print(f"{analysis}: FAILED\n{done.stderr[-2000:]}")
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{analysis:18s} {result['seconds']:8.1f} s  peak RSS {result['peak_mb']:6.0f} MB"
            f"  {result['summary']}"
        )


if __name__ == "__main__":
    main()
