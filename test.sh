#!/usr/bin/env bash
# Sets everything up (first time only) and runs the full check: lint, format, types, the whole test suite.
# Extra arguments go to pytest (e.g. ./test.sh tests/unit -x).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$root/scripts/setup.sh" test
cd "$root"
bin="$root/.venv/bin"
echo "[test] ruff check" >&2
"$bin/ruff" check .
echo "[test] ruff format --check" >&2
"$bin/ruff" format --check .
echo "[test] mypy app offline_cache" >&2
"$bin/mypy" app offline_cache
echo "[test] pytest" >&2
export QT_QPA_PLATFORM=offscreen
# Two workers, one test file each at a time (module fixtures such as the installer build run once): the suite takes
# about a third of its serial time on 2 cores. TONGBAN_TEST_WORKERS=0 runs it in one process.
workers="${TONGBAN_TEST_WORKERS:-2}"
parallel=()
if [ "$workers" != 0 ]; then parallel=(-n "$workers" --dist loadfile); fi
set +e
"$bin/python" -m pytest "${parallel[@]}" "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "[test] pytest collected no tests: that is a failure, not a pass" >&2
    exit 1
fi
exit "$rc"
