#!/usr/bin/env bash
# Runs every fuzz target of the module for a bounded time each (default
# 5s): the seed corpora in testdata/fuzz run as part of `go test` anyway;
# this explores further. Usage: scripts/fuzz.sh [DURATION]
#
# A finding always comes with "Failing input written to testdata/fuzz/…"
# and fails the run. Go's fuzz coordinator can also end a run with a bare
# "context deadline exceeded" when a worker is slow to answer as the time
# runs out (a loaded machine); that is not a finding, so such a target is
# run once more, and only a second timeout of that kind is reported — as a
# warning, naming the target.
set -euo pipefail
dur=${1:-5s}
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
fail=0
fuzz() { go test -run '^$' -fuzz "^${2}\$" -fuzztime "$dur" "$1" >"$log" 2>&1; }
coordinator_timeout() {
  grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"
}
for pkg in $(go list ./...); do
  targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
  for t in $targets; do
    echo "fuzz $pkg $t ($dur)"
    fuzz "$pkg" "$t" && continue
    if coordinator_timeout; then
      echo "  the fuzz coordinator timed out without a finding; running $t again"
      fuzz "$pkg" "$t" && continue
      if coordinator_timeout; then
        echo "  WARNING: $pkg $t: the coordinator timed out again (machine overloaded?); no finding"
        continue
      fi
    fi
    echo "FAIL: $pkg $t" >&2
    tail -30 "$log" >&2
    fail=1
  done
done
exit $fail
