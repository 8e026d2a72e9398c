#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 (Django 6.1 needs it): $PYTHON if set, then the usual
# names on PATH, then pyenv's versions.
set -u
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.12 python3.13 python3.14 python3)
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*; do
  [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
done
for candidate in "${candidates[@]}"; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    "$path" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
echo "No Python >= 3.12 found. Install one (e.g. apt-get install python3.12, or pyenv install 3.12)" >&2
echo "or point at it: make run PYTHON=/path/to/python3.12" >&2
exit 1
