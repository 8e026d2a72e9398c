"""A town shows up: browsing and submissions at once, on the Gironde demo.

gunicorn (production settings, 2 workers), the task workers (e-mails, radar), the local
cluster, a local SMTP server. Open loop on 127.0.0.1: 20 reads/s over the map, the initiatives
in a bounding box, the GeoJSON download, the radar page and the gap analysis, plus 2
submissions/s (the submission rate limit raised for the run), for SECONDS seconds. Then the
closed-loop figure: 50 concurrent readers for 30 s.

Targets: 0 errors; p95 ≤ 500 ms for reads and for submissions; acknowledged submissions =
stored rows; every private link e-mailed.

    .venv/bin/python bench/bench_load.py [SECONDS] [CLOSED_LOOP_SECONDS]
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _load import (
    cpu_seconds,
    describe,
    load_average,
    percentile,
    run_closed_loop,
    run_open_loop,
    start_stack,
    statuses,
    stored_submission_ids,
    wait_for_emails,
    wait_until_idle,
)


def main(seconds: int = 60, closed_seconds: int = 30) -> None:
    stack = start_stack()
    try:
        print(f"open loop, {seconds} s: 20 reads/s + 2 submissions/s on {stack.url}")
        pids = [process.pid for process in stack.processes]
        cpu_before = cpu_seconds(pids)
        answers = run_open_loop(
            stack.url, seconds=seconds, reads_per_s=20, submits_per_s=2, run=str(int(time.time()))
        )
        load = load_average()
        cpu = wait_until_idle(pids) - cpu_before  # the server works through what it received
        print(f"  machine load average {load} (2 cores); server and task workers used "
              f"{cpu:.0f} s of CPU for {len(answers)} requests: {1000 * cpu / len(answers):.0f} "
              f"ms each")  # fmt: skip
        errors = [a for a in answers if not a.ok]
        print(f"  answers by status: {statuses(answers)}; errors: {len(errors)}")
        print(f"  reads:       {describe(answers, 'read')}")
        print(f"  submissions: {describe(answers, 'submit')}")
        for path in sorted({a.path for a in answers if a.kind == "read"}):
            mine = [a.latency_ms for a in answers if a.path == path and a.ok]
            p50, p95 = percentile(mine, 50), percentile(mine, 95)
            print(f"    {path:52s} p50 {p50:5.0f} ms, p95 {p95:5.0f} ms")
        acknowledged = {a.submission_id for a in answers if a.submission_id}
        stored = stored_submission_ids()
        print(f"  submissions acknowledged {len(acknowledged)}, stored {len(stored)}, "
              f"acknowledged but not stored {len(acknowledged - stored)}")  # fmt: skip
        addresses = {a.email for a in answers if a.submission_id}
        waited = wait_for_emails(stack.smtp, addresses, 120)
        sent = sum(1 for a in addresses if stack.smtp.received[a])
        print(f"  private links e-mailed {sent} of {len(addresses)} "
              f"(all in {waited:.0f} s after the load)")  # fmt: skip

        rate, latencies, failed = run_closed_loop(stack.url, readers=50, seconds=closed_seconds)
        print(f"closed loop, 50 concurrent readers, {closed_seconds} s: {rate:.1f} req/s, "
              f"p50 {percentile(latencies, 50):.0f} ms, p95 {percentile(latencies, 95):.0f} ms, "
              f"errors {failed}")  # fmt: skip
    finally:
        stack.stop()
    print("targets: 0 errors; p95 ≤ 500 ms (reads, submissions); acknowledged = stored")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
