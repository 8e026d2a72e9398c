"""Time from `make run` to the first served page, on an already set-up machine.

Target: a second `make run` serves within 15 s. Runs `make run` once to set up (untimed),
then RUNS timed runs. Usage: .venv/bin/python bench/bench_make_run.py [RUNS]
"""

import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = 8765


def served_after() -> float:
    start = time.perf_counter()
    process = subprocess.Popen(
        ["make", "run", f"PORT={PORT}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while time.perf_counter() - start < 900:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=5) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("make run did not serve within 900 s")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def main(runs: int = 3) -> None:
    setup = served_after()
    timings = [served_after() for _ in range(runs)]
    print(f"make run → first page served: set-up run {setup:.1f} s; "
          f"then median {statistics.median(timings):.1f} s over {runs} runs "
          f"(min {min(timings):.1f}, max {max(timings):.1f}); target ≤ 15 s")  # fmt: skip


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
