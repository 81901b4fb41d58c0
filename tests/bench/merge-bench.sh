#!/bin/bash
# tests/bench/merge-bench.sh: mail merge, sending and spreadsheet reading,
# each measured against an anchor in the same run and printed as one table
# of ratios (DESIGN.md, "Performance targets"). Not part of the test suite:
# timings belong in a report, not in an assertion. See BENCHMARKS.md.
#
#   tests/bench/merge-bench.sh [BUILDDIR]        (default: ./build, built if missing)
#
# Environment (all optional):
#   BENCH_RUNS=5          interleaved runs per measurement; median and min-max (1-10)
#   BENCH_PORT=12525      smtp-sink's port on 127.0.0.1
#   BENCH_MESSAGES=2000   messages per sending run
#   BENCH_RATE=0          --rate given to epistle-cli merge (0 = no pacing)
#   BENCH_DATA_DIR=DIR    keep the generated CSV/XLSX here and reuse them next time
#   BENCH_ONLY="send relay live dry read"   which groups to run
#   BENCH_RELAY_MS=5      the relay's delay in each direction (group relay)
#   BENCH_RELAY_MESSAGES=200   messages per run through the relay
#   BENCH_RELAY_PORT=PORT+1    the relay's port on 127.0.0.1
#   BENCH_LIVE_RUNS=3     runs of the 2k/10k/100k live sends (group live)
#   BENCH_LIVE_CONNECTIONS=1   connections for the live sends
#
# Servers bind 127.0.0.1 only; every command runs under `timeout`; the
# Postfix daemon is never started (only its smtp-sink and smtp-source tools).
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
bench=$here/tests/bench
builddir=${1:-$here/build}
runs=${BENCH_RUNS:-5}
port=${BENCH_PORT:-12525}
msgs=${BENCH_MESSAGES:-2000}
rate=${BENCH_RATE:-0}
only=${BENCH_ONLY:-send relay live dry read}
py=/usr/bin/python3
template=$bench/bench-template.txt

# Measured before anything of ours runs: was the machine idle?
load_start=$(cut -d' ' -f1 /proc/loadavg)
busy=$(awk -v l="$load_start" -v n="$(nproc)" 'BEGIN { print (l < 0.25 * n) ? "idle" : "shared: other work was running" }')

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
  declare -F relay_stop > /dev/null && relay_stop
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

# ---- interleaved runs ---------------------------------------------------------
#
# Every measurement is a configuration: a function run_NAME that runs it
# once (sets ms and kb; returns non-zero with NA set when it cannot run).
# rotate runs each of its configurations once per round, in turn, for
# $runs rounds, so that a busy moment of the machine falls on all of
# them alike; the report gives the median and the min-max of each.

declare -A T KB NAS
rotate () {   # rotate ROUNDS NAME...
  local rounds=$1 i n
  shift
  for ((i = 1; i <= rounds; i++)); do
    for n in "$@"; do
      [ -n "${NAS[$n]:-}" ] && continue
      NA=""
      if "run_$n"; then
        T[$n]="${T[$n]:-} $ms"
        [ "$kb" -gt "${KB[$n]:-0}" ] && KB[$n]=$kb
        log "$n: run $i: $ms ms, $((kb / 1024)) MB"
      else
        NAS[$n]=${NA:-failed}
        log "$n: not available: ${NAS[$n]}"
      fi
    done
  done
}

# med NAME: sets med, lo and hi (ms) of NAME's runs; all empty if it failed
med=""; lo=""; hi=""
med () {
  med=""; lo=""; hi=""
  [ -z "${NAS[$1]:-}" ] && [ -n "${T[$1]:-}" ] || return 0
  read -r med lo hi < <(printf '%s\n' ${T[$1]} | sort -n | awk '{ a[NR] = $1 }
    END { m = NR % 2 ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2); print m, a[1], a[NR] }')
}

# plain TIMEOUT CMD...: one run of a command that is not a send
plain () {
  local t=$1
  shift
  if ! timed "$t" "$@"; then
    NA=$(grep -v '^\s*$' "$tmp/err" | tail -n 1 | cut -c1-100); NA=${NA:-failed}
    return 1
  fi
}

sink_start () {
  if ss -ltnH "sport = :$port" 2>/dev/null | grep -q .; then
    echo "port $port is busy; set BENCH_PORT" >&2; exit 1
  fi
  # shellcheck disable=SC2086
  timeout 900 "$sink_bin" -c $sink_user "127.0.0.1:$port" 100 > "$tmp/sink.out" 2>&1 &
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

# The delaying relay (tests/bench/delay-relay.py) listens on $relay_port
# and forwards to smtp-sink on $port, each direction held back $relay_ms.
relay_pid=""
relay_start () {
  timeout 1800 "$py" "$bench/delay-relay.py" "$relay_port" "$port" "$relay_ms" > "$tmp/relay.out" 2>&1 &
  relay_pid=$!
  local i=0
  while [ $i -lt 100 ] && ! grep -q ready "$tmp/relay.out" 2>/dev/null; do
    sleep 0.05; i=$((i + 1))
  done
}
relay_stop () {
  [ -n "$relay_pid" ] || return 0
  kill "$relay_pid" 2>/dev/null || true
  wait "$relay_pid" 2>/dev/null || true
  relay_pid=""
}

# send_once N TO_PORT CMD...: one sending run of N messages with a fresh
# smtp-sink (started before the clock, on $port) and a check that all N
# arrived; TO_PORT is where the client connects ($port, or the relay).
# Commands whose first word is the CLI get a fresh Epistle profile whose
# bench account sends to TO_PORT.
send_once () {
  local n=$1 to=$2 got
  shift 2
  if [ "$1" = "$cli" ] || [ "$1" = "$py" -a "${2:-}" = "$bench/progress-clock.py" ]; then
    new_profile
    if ! timeout 30 "$cli" account add bench --email bench@example.org \
           --smtp "127.0.0.1:$to" --smtp-security none --auth none > /dev/null 2> "$tmp/err"; then
      NA="account add: $(tail -n 1 "$tmp/err" | cut -c1-80)"; return 1
    fi
  fi
  sink_start
  if ! timed 900 "$@"; then
    sink_stop > /dev/null
    NA=$(grep -v '^\s*$' "$tmp/err" | tail -n 1 | cut -c1-100); NA=${NA:-failed}
    return 1
  fi
  got=$(sink_stop)
  if [ "${got:-0}" -ne "$n" ]; then
    NA="smtp-sink received ${got:-0} of $n"; return 1
  fi
}

ep_send () {   # ep_send N DATA K TO_PORT
  send_once "$1" "$4" "$cli" merge --data "$2" --template "$template" --account bench \
    --connections "$3" --rate "$rate" --daily-limit 0 --yes
}
src_send () {   # src_send N K TO_PORT
  send_once "$1" "$3" "$source_bin" -s "$2" -d -m "$1" -F "$tmp/sample.eml" \
    -f bench@example.org -t rcpt@example.org "127.0.0.1:$3"
}

# ---- the table ---------------------------------------------------------------

rows=()
row () { rows+=("$1|$2|$3|$4|$5|$6"); }
# cell NAME [N]: "median (min–max)" in seconds, with msg/s when N is given
cell () {
  med "$1"
  if [ -z "$med" ]; then echo "n/a (${NAS[$1]:-not run})"; return; fi
  awk -v m="$med" -v l="$lo" -v h="$hi" -v n="${2:-0}" 'BEGIN {
    if (n > 0) printf "%.2f s, %.0f msg/s (%.0f–%.0f)", m / 1000, n * 1000 / m, n * 1000 / h, n * 1000 / l
    else printf "%.2f s (%.2f–%.2f)", m / 1000, l / 1000, h / 1000 }'
}
# ratio ANCHOR EPISTLE [NA NE]: anchor time ÷ Epistle time, of the medians;
# with message counts, rate ÷ rate (for runs of different sizes)
ratio_of () {
  local a e
  med "$1"; a=$med
  med "$2"; e=$med
  if [ -z "$a" ] || [ -z "$e" ]; then echo ""; return; fi
  awk -v a="$a" -v e="$e" -v na="${3:-1}" -v ne="${4:-1}" 'BEGIN { printf "%.2f", (a / na) / ((e > 0 ? e : 1) / ne) }'
}
ratio () { local r; r=$(ratio_of "$@"); [ -n "$r" ] && echo "${r}×" || echo "—"; }
meets () {   # meets RATIO MIN
  [ -n "$1" ] || { echo "—"; return; }
  awk -v r="$1" -v m="$2" 'BEGIN { print (r + 0 >= m) ? "yes" : "NO" }'
}

# ---- 1. sending -------------------------------------------------------------

relay_port=${BENCH_RELAY_PORT:-$((port + 1))}
relay_ms=${BENCH_RELAY_MS:-5}
relay_msgs=${BENCH_RELAY_MESSAGES:-200}
live_runs=${BENCH_LIVE_RUNS:-3}

if [[ " $only " == *" send "* ]] || [[ " $only " == *" relay "* ]]; then
  make_data csv "$msgs" "$data/send-$msgs.csv"
  timeout 60 "$py" "$bench/smtplib-loop.py" sample "$data/send-$msgs.csv" "$template" "$tmp/sample.eml" > /dev/null
  size=$(wc -c < "$tmp/sample.eml")
fi

if [[ " $only " == *" send "* ]]; then
  log "sending: $msgs messages of about $size bytes to smtp-sink on 127.0.0.1:$port"
  run_ep1 () { ep_send "$msgs" "$data/send-$msgs.csv" 1 "$port"; }
  run_ep4 () { ep_send "$msgs" "$data/send-$msgs.csv" 4 "$port"; }
  run_src1 () { src_send "$msgs" 1 "$port"; }
  run_src4 () { src_send "$msgs" 4 "$port"; }
  run_smtplib () {
    send_once "$msgs" "$port" timeout 300 "$py" "$bench/smtplib-loop.py" send \
      "$data/send-$msgs.csv" "$template" "127.0.0.1:$port"
  }
  rotate "$runs" ep1 src1 ep4 src4 smtplib

  r1=$(ratio_of src1 ep1); r4=$(ratio_of src4 ep4); rk=$(ratio_of ep1 ep4); rp=$(ratio_of smtplib ep1)
  row "send $msgs, 1 connection" "$(cell ep1 "$msgs")" "$(cell src1 "$msgs") smtp-source -s 1 -d" \
    "$(ratio src1 ep1)" "≥ 0.80× smtp-source" "$(meets "$r1" 0.8)"
  row "send $msgs, 4 connections" "$(cell ep4 "$msgs")" "$(cell src4 "$msgs") smtp-source -s 4 -d" \
    "$(ratio src4 ep4)" "— (context)" "—"
  row "send $msgs, 4 vs 1 connection" "$(cell ep4 "$msgs")" "$(cell ep1 "$msgs") Epistle, 1 connection" \
    "$(ratio ep1 ep4)" "≥ 1.5× own 1 connection" "$(meets "$rk" 1.5)"
  row "send $msgs, 1 connection" "$(cell ep1 "$msgs")" "$(cell smtplib "$msgs") Python smtplib" \
    "$(ratio smtplib ep1)" "far ahead (≥ 3×)" "$(meets "$rp" 3)"
fi

# ---- 1b. through the delaying relay (round trips) --------------------------

if [[ " $only " == *" relay "* ]]; then
  log "relay: $relay_msgs messages through a relay holding each direction back $relay_ms ms"
  relay_start
  run_rsrc1 () { src_send "$relay_msgs" 1 "$relay_port"; }
  # Only the first $relay_msgs rows are sent: a smaller file of the same rows.
  head -n $((relay_msgs + 1)) "$data/send-$msgs.csv" > "$tmp/relay.csv"
  run_rep1 () { ep_send "$relay_msgs" "$tmp/relay.csv" 1 "$relay_port"; }
  run_rep4 () { ep_send "$relay_msgs" "$tmp/relay.csv" 4 "$relay_port"; }
  rotate "$runs" rep1 rsrc1 rep4
  declare -F relay_stop > /dev/null && relay_stop
  rr1=$(ratio_of rsrc1 rep1); rr4=$(ratio_of rep1 rep4)
  row "relay ${relay_ms} ms, $relay_msgs, 1 connection" "$(cell rep1 "$relay_msgs")" \
    "$(cell rsrc1 "$relay_msgs") smtp-source -s 1 -d" "$(ratio rsrc1 rep1)" "≥ 0.90× smtp-source" "$(meets "$rr1" 0.9)"
  row "relay ${relay_ms} ms, $relay_msgs, 4 vs 1 connection" "$(cell rep4 "$relay_msgs")" \
    "$(cell rep1 "$relay_msgs") Epistle, 1 connection" "$(ratio rep1 rep4)" "≥ 3.5× own 1 connection" "$(meets "$rr4" 3.5)"
fi

# ---- 1c. live campaigns of 10,000 and 100,000 rows -------------------------
#
# Wall time includes reading, checking and inserting the rows; the rate of
# the send phase alone comes from the CLI's progress lines
# (progress-clock.py), and that is what must stay flat.

if [[ " $only " == *" live "* ]]; then
  make_data csv 10000 "$data/rows-10k.csv"
  make_data csv 100000 "$data/rows-100k.csv"
  live_k=${BENCH_LIVE_CONNECTIONS:-1}
  declare -A R
  live () {   # live NAME N DATA
    local f
    send_once "$2" "$port" "$py" "$bench/progress-clock.py" "$tmp/clock" "$cli" merge --data "$3" \
      --template "$template" --account bench --connections "$live_k" --rate 0 --daily-limit 0 --yes || return 1
    f=$(awk '{ if ($4 > $2) printf "%.0f", ($3 - $1) / ($4 - $2) }' "$tmp/clock")
    R[$1]="${R[$1]:-} ${f:-0}"
  }
  run_live2k () { live live2k "$msgs" "$data/send-$msgs.csv"; }
  run_live10k () { live live10k 10000 "$data/rows-10k.csv"; }
  run_live100k () { live live100k 100000 "$data/rows-100k.csv"; }
  rotate "$live_runs" live2k live10k live100k
  rate_med () {   # the median send-phase rate of NAME, msg/s
    [ -n "${R[$1]:-}" ] || { echo ""; return; }
    printf '%s\n' ${R[$1]} | sort -n | awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'
  }
  rate_cell () { local m; m=$(rate_med "$1"); [ -n "$m" ] && echo "$m msg/s (send phase; $(printf '%s\n' ${R[$1]} | sort -n | awk 'NR == 1 { l = $1 } { h = $1 } END { printf "%s–%s", l, h }'))" || echo "n/a (${NAS[$1]:-not run})"; }
  l2=$(rate_med live2k); l10=$(rate_med live10k); l100=$(rate_med live100k)
  for n in live10k live100k; do
    m=$(rate_med $n)
    rr=""; [ -n "$m" ] && [ -n "$l2" ] && rr=$(awk -v a="$m" -v b="$l2" 'BEGIN { printf "%.2f", a / b }')
    row "live ${n#live} rows, $live_k connection(s)" "$(rate_cell $n); $(cell $n)" "$(rate_cell live2k) at $msgs rows" \
      "${rr:-—}${rr:+×}" "rate ≥ 0.80× the $msgs-row rate" "$(meets "$rr" 0.8)"
  done
  if [ -n "${KB[live100k]:-}" ] && [ -n "${KB[live10k]:-}" ]; then
    per_row=$(( (KB[live100k] - KB[live10k]) * 1024 / 90000 ))
    row "live send peak RSS, 100k vs 10k" "$((KB[live100k] / 1024)) MB (+${per_row} B/row)" \
      "$((KB[live10k] / 1024)) MB at 10k rows" \
      "$(awk -v a="${KB[live100k]}" -v b="${KB[live10k]}" 'BEGIN { printf "%.2f× RSS", a / b }')" \
      "flat (< 512 B/row)" "$([ "$per_row" -lt 512 ] && echo yes || echo NO)"
  fi
fi

# ---- 2. dry-run merge ---------------------------------------------------------

if [[ " $only " == *" dry "* ]]; then
  make_data csv 10000 "$data/rows-10k.csv"
  make_data csv 100000 "$data/rows-100k.csv"
  new_profile
  run_dry10k () { plain 300 "$cli" merge --data "$data/rows-10k.csv" --template "$template" --dry-run; }
  run_pyrender () { plain 600 "$py" "$bench/smtplib-loop.py" render "$data/rows-10k.csv" "$template"; }
  run_dry100k () { plain 600 "$cli" merge --data "$data/rows-100k.csv" --template "$template" --dry-run; }
  rotate "$runs" dry10k pyrender dry100k
  med dry100k; d100_ms=$med
  row "dry run 10,000 rows → MIME" "$(cell dry10k)" "$(cell pyrender) Python EmailMessage" \
    "$(ratio pyrender dry10k)" "—" "—"
  row "dry run 100,000 rows → MIME" "$(cell dry100k)" "—" "—" "in seconds (≤ 10 s)" \
    "$( [ -n "$d100_ms" ] && { [ "$d100_ms" -le 10000 ] && echo yes || echo NO; } || echo —)"
  if [ -n "${KB[dry10k]:-}" ] && [ -n "${KB[dry100k]:-}" ]; then
    # Flat: the extra 90,000 rows may cost their table data (a few hundred
    # bytes a row), never their messages (about 2 KB a row).
    d10_kb=${KB[dry10k]}; d100_kb=${KB[dry100k]}
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
  run_exlsx () { plain 300 sh -c '"$1" table "$2" --format csv > /dev/null' sh "$cli" "$data/rows-100k.xlsx"; }
  run_openpyxl () { plain 900 sh -c '"$1" "$2" xlsx "$3" > /dev/null' sh "$py" "$bench/table-read.py" "$data/rows-100k.xlsx"; }
  run_ecsv () { plain 300 sh -c '"$1" table "$2" --format csv > /dev/null' sh "$cli" "$data/rows-100k.csv"; }
  run_pycsv () { plain 300 sh -c '"$1" "$2" csv "$3" > /dev/null' sh "$py" "$bench/table-read.py" "$data/rows-100k.csv"; }
  rotate "$runs" exlsx openpyxl ecsv pycsv
  rx=$(ratio_of openpyxl exlsx)
  row "read XLSX 100,000 × 10" "$(cell exlsx)" "$(cell openpyxl) openpyxl read_only" \
    "$(ratio openpyxl exlsx)" "≥ 10× openpyxl" "$(meets "$rx" 10)"
  row "read CSV 100,000 × 10" "$(cell ecsv)" "$(cell pycsv) Python csv" \
    "$(ratio pycsv ecsv)" "—" "—"
fi

# ---- report -----------------------------------------------------------------

echo
echo "Epistle merge benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'), build $buildtype"
echo "$(nproc) cores; load average at start $load_start ($busy); $runs interleaved runs (live sends: $live_runs); median (min–max)"
echo "ratio = anchor's median time ÷ Epistle's (above 1× = Epistle faster; for 4 vs 1 connection, Epistle's own 1 ÷ 4)"
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
