#!/usr/bin/env bash
# The demo server of `make run`: the web server and, beside it, the task worker (e-mails, the
# radar's recomputation). Ctrl-C stops both. In production run them as two services instead
# (README, "Running in production").
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-8000}"
PY=.venv/bin/python

# Requests never compute the radar: the worker computes its default results first (about ten
# seconds after a fresh set-up, during which the radar's pages say so; nothing when fresh).
"$PY" manage.py warm_radar --enqueue

"$PY" manage.py run_worker --queue-name '*' --no-reload &
worker=$!
stop_worker() {
    if kill -0 "$worker" 2>/dev/null; then
        kill -TERM "$worker" 2>/dev/null || true
        wait "$worker" 2>/dev/null || true
    fi
}
trap stop_worker EXIT
trap 'exit 130' INT TERM

echo "Serving http://127.0.0.1:$PORT/ (task worker pid $worker); Ctrl-C stops both."
"$PY" manage.py runserver "127.0.0.1:$PORT"
