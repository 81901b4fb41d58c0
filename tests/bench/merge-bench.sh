#!/bin/bash
# tests/bench/merge-bench.sh: mail merge, sending and spreadsheet reading,
# each measured against an anchor in the same run and printed as one table
# of ratios (DESIGN.md, "Performance targets"). Not part of the test suite:
# timings belong in a report, not in an assertion. See BENCHMARKS.md.
#
#   tests/bench/merge-bench.sh [BUILDDIR]        (default: ./build, built if missing)
#
# Environment (all optional):
#   BENCH_RUNS=3          runs per measurement; the best (fastest) counts (1-10)
#   BENCH_PORT=12525      smtp-sink's port on 127.0.0.1
#   BENCH_MESSAGES=2000   messages per sending run
#   BENCH_RATE=0          --rate given to epistle-cli merge (0 = no pacing)
#   BENCH_DATA_DIR=DIR    keep the generated CSV/XLSX here and reuse them next time
#   BENCH_ONLY="send dry read"   which groups to run
#
# Servers bind 127.0.0.1 only; every command runs under `timeout`; the
# Postfix daemon is never started (only its smtp-sink and smtp-source tools).
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
bench=$here/tests/bench
builddir=${1:-$here/build}
runs=${BENCH_RUNS:-3}
port=${BENCH_PORT:-12525}
msgs=${BENCH_MESSAGES:-2000}
rate=${BENCH_RATE:-0}
only=${BENCH_ONLY:-send dry read}
py=/usr/bin/python3
template=$bench/bench-template.txt

case $runs in [1-9]|10) ;; *) echo "BENCH_RUNS must be 1 to 10" >&2; exit 2 ;; esac

# ---- dependencies (the Postfix daemon must stay stopped) ------------------

# shellcheck source=../../build-aux/deps.sh
. "$here/build-aux/deps.sh"
postfix_running () { ps -eo args= | grep -q '^/usr/lib/postfix/sbin/master'; }
postfix_was_installed=no
dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q "install ok installed" && postfix_was_installed=yes
postfix_was_running=no
postfix_running && postfix_was_running=yes
# shellcheck disable=SC2086
epistle_install_missing $EPISTLE_BENCH_DEPS
if [ $postfix_was_installed = no ] && [ $postfix_was_running = no ] && postfix_running; then
  echo "The postfix package started its daemon on install; stopping it." >&2
  if [ "$(id -u)" -eq 0 ]; then postfix stop >&2 || true; else sudo postfix stop >&2 || true; fi
fi

sink_bin=/usr/sbin/smtp-sink
source_bin=/usr/sbin/smtp-source
sink_user=""
[ "$(id -u)" -eq 0 ] && sink_user="-u nobody"   # smtp-sink refuses to keep root

# ---- Epistle ----------------------------------------------------------------

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$here" >&2
fi
ninja -C "$builddir" >&2
cli=$builddir/src/cli/epistle-cli
buildtype=$(sed -n "s/^buildtype *= *//p" "$builddir/meson-private/cmd_line.txt" 2>/dev/null || true)
[ -n "$buildtype" ] || buildtype="default (debugoptimized)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/epistle-bench.XXXXXX")
sink_pid=""
cleanup () {
  if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

data=${BENCH_DATA_DIR:-$tmp/data}
mkdir -p "$data"
log () { echo "[bench] $*" >&2; }

# Each run of epistle-cli gets its own empty profile: no keyring is needed
# (the bench account has no password), and campaigns never pile up.
new_profile () {
  rm -rf "$tmp/profile"
  mkdir -p "$tmp/profile/data" "$tmp/profile/config" "$tmp/profile/cache"
  export XDG_DATA_HOME=$tmp/profile/data XDG_CONFIG_HOME=$tmp/profile/config
  export XDG_CACHE_HOME=$tmp/profile/cache
  unset EPISTLE_DATA_DIR
}

make_data () {   # KIND ROWS FILE
  if [ ! -s "$3" ]; then
    log "generating $3"
    timeout 300 "$py" "$bench/make-data.py" "$1" "$2" "$3.part" && mv "$3.part" "$3"
  fi
}

# ---- measuring ---------------------------------------------------------------

# timed TIMEOUT CMD...: one run; sets ms and kb (peak RSS); output in $tmp/out, $tmp/err
ms=0; kb=0
timed () {
  local t=$1 start end rc
  shift
  start=$(date +%s%N)
  set +e
  /usr/bin/time -f %M -o "$tmp/rss" timeout "$t" "$@" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  set -e
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  kb=$(tail -n 1 "$tmp/rss" 2>/dev/null | tr -dc 0-9); kb=${kb:-0}
  [ $rc -eq 124 ] && echo "timed out after ${t} s" >> "$tmp/err"
  return $rc
}

# best NAME TIMEOUT CMD...: best of $runs; sets best_ms, best_kb (peak over runs) and
# NA (empty when every run succeeded, else the reason)
best_ms=""; best_kb=0; NA=""
best () {
  local name=$1 t=$2 i=0
  shift 2
  best_ms=""; best_kb=0; NA=""
  while [ $i -lt "$runs" ]; do
    if ! timed "$t" "$@"; then
      NA=$(grep -v '^\s*$' "$tmp/err" | tail -n 1 | cut -c1-100)
      NA=${NA:-failed}
      log "$name: not available: $NA"
      best_ms=""; return 0
    fi
    if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; fi
    [ "$kb" -gt "$best_kb" ] && best_kb=$kb
    log "$name: run $((i + 1)): $ms ms, $((kb / 1024)) MB"
    i=$((i + 1))
  done
}

sink_start () {
  if ss -ltnH "sport = :$port" 2>/dev/null | grep -q .; then
    echo "port $port is busy; set BENCH_PORT" >&2; exit 1
  fi
  # shellcheck disable=SC2086
  timeout 600 "$sink_bin" -c $sink_user "127.0.0.1:$port" 100 > "$tmp/sink.out" 2>&1 &
  sink_pid=$!
  local i=0
  while [ $i -lt 100 ] && ! ss -ltnH "sport = :$port" 2>/dev/null | grep -q .; do
    sleep 0.05; i=$((i + 1))
  done
}

sink_stop () {   # prints how many messages smtp-sink received
  kill "$sink_pid" 2>/dev/null || true
  wait "$sink_pid" 2>/dev/null || true
  sink_pid=""
  tr '\r' '\n' < "$tmp/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -n 1
}

# best_send NAME CMD...: like best, with a fresh smtp-sink per run (started
# before the clock) and a check that all $msgs messages arrived. Commands
# that mention @PROFILE@ get a fresh Epistle profile with the bench account.
best_send () {
  local name=$1 i=0 got
  shift
  best_ms=""; best_kb=0; NA=""
  while [ $i -lt "$runs" ]; do
    if [ "$name" != "${name#Epistle}" ]; then
      new_profile
      if ! timeout 30 "$cli" account add bench --email bench@example.org \
             --smtp "127.0.0.1:$port" --smtp-security none --auth none > /dev/null 2> "$tmp/err"; then
        NA="account add: $(tail -n 1 "$tmp/err" | cut -c1-80)"; log "$name: not available: $NA"; return 0
      fi
    fi
    sink_start
    if ! timed 300 "$@"; then
      sink_stop > /dev/null
      NA=$(grep -v '^\s*$' "$tmp/err" | tail -n 1 | cut -c1-100); NA=${NA:-failed}
      log "$name: not available: $NA"; best_ms=""; return 0
    fi
    got=$(sink_stop)
    if [ "${got:-0}" -ne "$msgs" ]; then
      NA="smtp-sink received ${got:-0} of $msgs"; log "$name: $NA"; best_ms=""; return 0
    fi
    if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; fi
    [ "$kb" -gt "$best_kb" ] && best_kb=$kb
    log "$name: run $((i + 1)): $ms ms ($got received)"
    i=$((i + 1))
  done
}

# ---- the table ---------------------------------------------------------------

rows=()
row () { rows+=("$1|$2|$3|$4|$5|$6"); }
secs () { [ -n "$1" ] && awk -v m="$1" 'BEGIN { printf "%.2f s", m / 1000 }' || echo "n/a"; }
persec () { awk -v m="$1" -v n="$msgs" 'BEGIN { printf "%.2f s (%.0f msg/s)", m / 1000, n * 1000 / m }'; }
ratio () {   # ANCHOR_MS EPISTLE_MS: how many times faster Epistle is
  if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v e="$2" 'BEGIN { printf "%.2f×", a / (e > 0 ? e : 1) }'; else echo "—"; fi
}
meets () {   # ANCHOR_MS EPISTLE_MS MIN_RATIO
  if [ -n "$1" ] && [ -n "$2" ]; then
    awk -v a="$1" -v e="$2" -v r="$3" 'BEGIN { print (a / (e > 0 ? e : 1) >= r) ? "yes" : "NO" }'
  else echo "—"; fi
}
ep_cell () {   # what to print for Epistle: the time, or why not
  if [ -n "$best_ms" ]; then "$@"; else echo "n/a (not available)"; fi
}

# ---- 1. sending -------------------------------------------------------------

if [[ " $only " == *" send "* ]]; then
  make_data csv "$msgs" "$data/send-$msgs.csv"
  timeout 60 "$py" "$bench/smtplib-loop.py" sample "$data/send-$msgs.csv" "$template" "$tmp/sample.eml" > /dev/null
  size=$(wc -c < "$tmp/sample.eml")
  log "sending: $msgs messages of about $size bytes to smtp-sink on 127.0.0.1:$port"

  for k in 1 4; do
    best_send "smtp-source -s $k -d" \
      "$source_bin" -s "$k" -d -m "$msgs" -F "$tmp/sample.eml" \
      -f bench@example.org -t rcpt@example.org "127.0.0.1:$port"
    src_ms=$best_ms
    best_send "Epistle merge --connections $k" \
      "$cli" merge --data "$data/send-$msgs.csv" --template "$template" --account bench \
      --connections "$k" --rate "$rate" --daily-limit 0 --yes
    ep_ms=$best_ms
    eval "ep_send_$k=\$ep_ms"
    row "send $msgs, $k connection$([ "$k" -gt 1 ] && echo s)" \
      "$( [ -n "$ep_ms" ] && persec "$ep_ms" || echo "n/a (not available)")" \
      "$( [ -n "$src_ms" ] && persec "$src_ms" || echo "n/a") smtp-source -s $k -d" \
      "$(ratio "$src_ms" "$ep_ms")" "≥ 0.80× smtp-source" "$(meets "$src_ms" "$ep_ms" 0.8)"
  done

  best_send "smtplib loop" timeout 300 "$py" "$bench/smtplib-loop.py" send \
    "$data/send-$msgs.csv" "$template" "127.0.0.1:$port"
  py_ms=$best_ms
  row "send $msgs, 1 connection" \
    "$( [ -n "$ep_send_1" ] && persec "$ep_send_1" || echo "n/a (not available)")" \
    "$( [ -n "$py_ms" ] && persec "$py_ms" || echo "n/a") Python smtplib" \
    "$(ratio "$py_ms" "$ep_send_1")" "far ahead (≥ 3×)" "$(meets "$py_ms" "$ep_send_1" 3)"
fi

# ---- 2. dry-run merge ---------------------------------------------------------

if [[ " $only " == *" dry "* ]]; then
  make_data csv 10000 "$data/rows-10k.csv"
  make_data csv 100000 "$data/rows-100k.csv"
  new_profile
  best "Epistle dry run 10k" 300 "$cli" merge --data "$data/rows-10k.csv" --template "$template" --dry-run
  d10_ms=$best_ms; d10_kb=$best_kb
  best "Python EmailMessage render 10k" 600 "$py" "$bench/smtplib-loop.py" render \
    "$data/rows-10k.csv" "$template"
  pr_ms=$best_ms
  best "Epistle dry run 100k" 600 "$cli" merge --data "$data/rows-100k.csv" --template "$template" --dry-run
  d100_ms=$best_ms; d100_kb=$best_kb

  row "dry run 10,000 rows → MIME" "$(secs "$d10_ms")" "$(secs "$pr_ms") Python EmailMessage" \
    "$(ratio "$pr_ms" "$d10_ms")" "—" "—"
  row "dry run 100,000 rows → MIME" "$(secs "$d100_ms")" "—" "—" "in seconds (≤ 10 s)" \
    "$( [ -n "$d100_ms" ] && { [ "$d100_ms" -le 10000 ] && echo yes || echo NO; } || echo —)"
  if [ -n "$d10_ms" ] && [ -n "$d100_ms" ]; then
    # Flat: the extra 90,000 rows may cost their table data (a few hundred
    # bytes a row), never their messages (about 2 KB a row).
    per_row=$(( (d100_kb - d10_kb) * 1024 / 90000 ))
    row "dry run peak RSS, 100k vs 10k" "$((d100_kb / 1024)) MB (+${per_row} B/row)" \
      "$((d10_kb / 1024)) MB at 10k rows" \
      "$(awk -v a="$d100_kb" -v b="$d10_kb" 'BEGIN { printf "%.2f× RSS", a / b }')" \
      "flat (< 512 B/row)" "$([ "$per_row" -lt 512 ] && echo yes || echo NO)"
  else
    row "dry run peak RSS, 100k vs 10k" "n/a (not available)" "—" "—" "flat (< 512 B/row)" "—"
  fi
fi

# ---- 3. reading -------------------------------------------------------------

if [[ " $only " == *" read "* ]]; then
  make_data csv 100000 "$data/rows-100k.csv"
  make_data xlsx 100000 "$data/rows-100k.xlsx"
  new_profile
  best "Epistle table XLSX" 300 sh -c '"$1" table "$2" --format csv > /dev/null' sh "$cli" "$data/rows-100k.xlsx"
  ex_ms=$best_ms
  best "openpyxl read_only" 900 sh -c '"$1" "$2" xlsx "$3" > /dev/null' sh "$py" "$bench/table-read.py" "$data/rows-100k.xlsx"
  ox_ms=$best_ms
  best "Epistle table CSV" 300 sh -c '"$1" table "$2" --format csv > /dev/null' sh "$cli" "$data/rows-100k.csv"
  ec_ms=$best_ms
  best "Python csv" 300 sh -c '"$1" "$2" csv "$3" > /dev/null' sh "$py" "$bench/table-read.py" "$data/rows-100k.csv"
  pc_ms=$best_ms
  row "read XLSX 100,000 × 10" "$(secs "$ex_ms")" "$(secs "$ox_ms") openpyxl read_only" \
    "$(ratio "$ox_ms" "$ex_ms")" "≥ 10× openpyxl" "$(meets "$ox_ms" "$ex_ms" 10)"
  row "read CSV 100,000 × 10" "$(secs "$ec_ms")" "$(secs "$pc_ms") Python csv" \
    "$(ratio "$pc_ms" "$ec_ms")" "—" "—"
fi

# ---- report -----------------------------------------------------------------

echo
echo "Epistle merge benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'), build $buildtype"
echo "$(nproc) cores; best of $runs runs; ratio = anchor time ÷ Epistle time (above 1× = Epistle faster)"
echo
{
  echo "benchmark|Epistle|anchor|ratio|DESIGN target|met"
  echo "-|-|-|-|-|-"
  for r in "${rows[@]}"; do echo "$r"; done
} | "$py" -c '
import sys
rows = [l.rstrip("\n").split("|") for l in sys.stdin]
w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
rows[1] = ["-" * n for n in w]
for r in rows:
    print("| " + " | ".join(v.ljust(n) for v, n in zip(r, w)) + " |")'
