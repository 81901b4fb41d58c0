#!/bin/sh
# tests/bench/startup.sh: time from exec to the first viewable Epistle
# window (DESIGN.md target: under half a second). Not part of the test
# suite: timings belong in a report, not in an assertion.
#
#   tests/bench/startup.sh [BUILDDIR] [RUNS]     (needs xvfb-run, x11-utils)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${1:-$here/build}
runs=${2:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/one.sh" <<'ONE'
"$EPISTLE_APP" >/dev/null 2>&1 & pid=$!
start=$(date +%s%N)
i=0
while [ $i -lt 1000 ]; do
  for id in $(xwininfo -root -tree 2>/dev/null | grep '"Epistle"' | awk '{print $1}'); do
    if xwininfo -id "$id" 2>/dev/null | grep -q IsViewable; then
      echo $(( ($(date +%s%N) - start) / 1000000 ))
      kill $pid; wait $pid 2>/dev/null || true
      exit 0
    fi
  done
  i=$((i + 1)); sleep 0.005
done
kill $pid; echo "never"; exit 1
ONE

export EPISTLE_APP="$builddir/src/epistle"
export GSETTINGS_SCHEMA_DIR="$builddir/data" GSETTINGS_BACKEND=memory GSK_RENDERER=cairo
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"

n=0
while [ $n -lt "$runs" ]; do
  xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' sh "$tmp/one.sh" 2>/dev/null
  n=$((n + 1))
done | sort -n | awk '{ v[NR] = $1 } END { printf "first window viewable: median %d ms, min %d ms, max %d ms (%d runs)\n", v[int((NR + 1) / 2)], v[1], v[NR], NR }'
