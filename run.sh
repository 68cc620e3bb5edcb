#!/usr/bin/env bash
# Sets everything up (first time only) and starts the terminal with its embedded defaults.
# Any arguments are passed to `tongban` (e.g. ./run.sh --mode rating, ./run.sh status --json).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$root/scripts/setup.sh" run
if [ $# -eq 0 ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "[run] no display found (DISPLAY is not set): start the terminal from a desktop session," >&2
    echo "[run] or try it on a virtual screen: xvfb-run -a ./run.sh --mode counter" >&2
    exit 1
fi
exec "$root/.venv/bin/tongban" "$@"
