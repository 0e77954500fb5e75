#!/usr/bin/env bash
# Runs every fuzz target of the module for a bounded time each (default
# 5s): the seed corpora in testdata/fuzz run as part of `go test` anyway;
# this explores further. Usage: scripts/fuzz.sh [DURATION]
set -euo pipefail
dur=${1:-5s}
cd "$(dirname "$0")/.."
fail=0
for pkg in $(go list ./...); do
  targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
  for t in $targets; do
    echo "fuzz $pkg $t ($dur)"
    if ! go test -run '^$' -fuzz "^${t}\$" -fuzztime "$dur" "$pkg" >/tmp/sonde-fuzz.log 2>&1; then
      echo "FAIL: $pkg $t" >&2
      tail -30 /tmp/sonde-fuzz.log >&2
      fail=1
    fi
  done
done
exit $fail
