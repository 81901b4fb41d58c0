#!/bin/bash
# tests/bench/inbox-bench.sh: the Inbox's first sync of a 10,000-message
# folder beside a Python imaplib anchor, an incremental sync after 10 new
# messages, and the message list's cost, printed as one table of medians
# and ratios (DESIGN.md, "Performance targets"). Not part of the test
# suite: timings belong in a report, not in an assertion. See BENCHMARKS.md.
#
#   tests/bench/inbox-bench.sh [BUILDDIR]        (default: ./build, built if missing)
#
# Environment (all optional):
#   BENCH_RUNS=5          interleaved runs per measurement; median and min-max (1-10)
#   BENCH_MESSAGES=10000  messages in the benchmark's Inbox
#
# It runs itself inside tests/servers/rig.sh (real Dovecot, IMAPS, on
# 127.0.0.1 only, and a real keyring for the account's password); the
# messages are written straight into the rig's Maildir by make-mailbox.py.
# Every command runs under `timeout`; every loop is bounded; the rig stops
# only what it started.
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
bench=$here/tests/bench
builddir=${1:-$here/build}
runs=${BENCH_RUNS:-5}
count=${BENCH_MESSAGES:-10000}
py=/usr/bin/python3

case $runs in [1-9]|10) ;; *) echo "BENCH_RUNS must be 1 to 10" >&2; exit 2 ;; esac
case $count in ''|*[!0-9]*) echo "BENCH_MESSAGES must be a number" >&2; exit 2 ;; esac

if [ -z "${EPISTLE_TEST_RIGDIR:-}" ]; then
  # Measured before anything of ours runs: was the machine idle?
  BENCH_LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
  export BENCH_LOAD_START
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" "$here" >&2
  fi
  ninja -C "$builddir" src/cli/epistle-cli tests/inbox-list-bench >&2
  exec "$here/tests/servers/rig.sh" /bin/bash "$0" "$builddir"
fi

# ---- inside the rig -------------------------------------------------------------

load_start=${BENCH_LOAD_START:-$(cut -d' ' -f1 /proc/loadavg)}
busy=$(awk -v l="$load_start" -v n="$(nproc)" 'BEGIN { print (l < 0.25 * n) ? "idle" : "shared: other work was running" }')
cli=$builddir/src/cli/epistle-cli
list_bench=$builddir/tests/inbox-list-bench
buildtype=$(sed -n "s/^buildtype *= *//p" "$builddir/meson-private/cmd_line.txt" 2>/dev/null || true)
[ -n "$buildtype" ] || buildtype="default (debugoptimized)"
tmp=$EPISTLE_TEST_RIGDIR/bench
mkdir -p "$tmp"
log () { echo "[bench] $*" >&2; }

new_profile () {
  rm -rf "$tmp/profile"
  mkdir -p "$tmp/profile/data" "$tmp/profile/config" "$tmp/profile/cache"
  export XDG_DATA_HOME=$tmp/profile/data XDG_CONFIG_HOME=$tmp/profile/config
  export XDG_CACHE_HOME=$tmp/profile/cache
  unset EPISTLE_DATA_DIR
}

# ---- measuring (as in merge-bench.sh) --------------------------------------------

ms=0; kb=0; cpu=0
timed () {   # timed TIMEOUT CMD...: one run; sets ms, kb and cpu (ms); output in $tmp/out, $tmp/err
  local t=$1 start end rc
  shift
  start=$(date +%s%N)
  set +e
  /usr/bin/time -f "%M %U %S" -o "$tmp/rss" timeout "$t" "$@" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  set -e
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  read -r kb cpu < <(tail -n 1 "$tmp/rss" 2>/dev/null | awk '{ printf "%d %d\n", $1, ($2 + $3) * 1000 }') || true
  kb=${kb:-0}; cpu=${cpu:-0}
  [ $rc -eq 124 ] && echo "timed out after ${t} s" >> "$tmp/err"
  return $rc
}

declare -A T KB NAS CPU
rotate () {   # rotate ROUNDS NAME...: each configuration once per round, in turn
  local rounds=$1 i n
  shift
  for ((i = 1; i <= rounds; i++)); do
    for n in "$@"; do
      [ -n "${NAS[$n]:-}" ] && continue
      NA=""
      if "run_$n"; then
        T[$n]="${T[$n]:-} $ms"
        CPU[$n]="${CPU[$n]:-} $cpu"
        [ "$kb" -gt "${KB[$n]:-0}" ] && KB[$n]=$kb
        log "$n: run $i: $ms ms (CPU $cpu ms), $((kb / 1024)) MB"
      else
        NAS[$n]=${NA:-failed}
        log "$n: not available: ${NAS[$n]}"
      fi
    done
  done
}

med=""; lo=""; hi=""
med () {   # med NAME: sets med, lo and hi (ms) of NAME's runs
  med=""; lo=""; hi=""
  [ -z "${NAS[$1]:-}" ] && [ -n "${T[$1]:-}" ] || return 0
  # shellcheck disable=SC2086  # the runs, one word each
  read -r med lo hi < <(printf '%s\n' ${T[$1]} | sort -n | awk '{ a[NR] = $1 }
    END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; print m, a[1], a[NR] }')
}

failed () {
  NA=$(grep -v '^\s*$' "$tmp/err" | tail -n 1 | cut -c1-100); NA=${NA:-failed}
  return 1
}

rows=()
row () { rows+=("$1|$2|$3|$4|$5|$6"); }
cell () {   # cell NAME [msg]: "median (min–max)" in seconds, with msg/s when msg is given
  med "$1"
  if [ -z "$med" ]; then echo "n/a (${NAS[$1]:-not run})"; return; fi
  awk -v m="$med" -v l="$lo" -v h="$hi" -v n="${2:-0}" 'BEGIN {
    if (n > 0) printf "%.2f s, %.0f msg/s (%.2f–%.2f s)", m / 1000, n * 1000 / m, l / 1000, h / 1000
    else if (m < 1000) printf "%.0f ms (%.0f–%.0f)", m, l, h
    else printf "%.2f s (%.2f–%.2f)", m / 1000, l / 1000, h / 1000 }'
}
ratio_of () {   # ANCHOR EPISTLE: anchor time ÷ Epistle time, of the medians
  local a e
  med "$1"; a=$med
  med "$2"; e=$med
  if [ -z "$a" ] || [ -z "$e" ]; then echo ""; return; fi
  awk -v a="$a" -v e="$e" 'BEGIN { printf "%.2f", a / (e > 0 ? e : 1) }'
}
ratio () { local r; r=$(ratio_of "$@"); [ -n "$r" ] && echo "${r}×" || echo "—"; }
meets () {   # meets RATIO MIN
  [ -n "$1" ] || { echo "—"; return; }
  awk -v r="$1" -v m="$2" 'BEGIN { print (r + 0 >= m) ? "yes" : "NO" }'
}

# ---- the mailbox -------------------------------------------------------------------

maildir=$EPISTLE_TEST_MAILDIR
log "writing $count messages into the rig's Maildir"
start=$(date +%s%N)
timeout 600 "$py" "$bench/make-mailbox.py" "$maildir" "$count"
bytes=$(du -sb "$maildir/cur" | cut -f1)
log "written in $(( ($(date +%s%N) - start) / 1000000 )) ms, $((bytes / 1024 / 1024)) MB"

# Dovecot indexes a Maildir and fills its cache of ENVELOPE and
# BODYSTRUCTURE at the first fetch: one unmeasured run, so that every
# measured run (Epistle's and the anchor's alike) reads a warm server.
timeout 600 "$py" "$bench/imaplib-sync.py" "$tmp/warm.db" > /dev/null
rm -f "$tmp/warm.db"

# The 10 messages of an incremental run go again afterwards (UID STORE
# \Deleted, EXPUNGE), so every round starts from the same folder.
expunge_above () {   # expunge_above UID
  timeout 60 "$py" - "$1" <<'PY'
import imaplib, os, ssl, sys
env = os.environ
ctx = ssl.create_default_context(cafile=env["EPISTLE_TEST_CA"])
c = imaplib.IMAP4_SSL("127.0.0.1", int(env["EPISTLE_TEST_IMAPS_PORT"]), ssl_context=ctx)
c.login(env["EPISTLE_TEST_USER"], env["EPISTLE_TEST_PASSWORD"])
c.select("INBOX")
c.uid("STORE", f"{int(sys.argv[1]) + 1}:*", "+FLAGS.SILENT", r"(\Deleted)")
c.expunge()
c.logout()
PY
}
last_uid=$count   # make-mailbox.py's messages are UIDs 1..count

# ---- the runs -----------------------------------------------------------------------

run_epfirst () {
  new_profile
  if ! printf '%s\n' "$EPISTLE_TEST_PASSWORD" | timeout 30 "$cli" account add bench \
         --email "$EPISTLE_TEST_USER@example.test" --user "$EPISTLE_TEST_USER" \
         --smtp "127.0.0.1:$EPISTLE_TEST_SMTP_PORT" --smtp-security starttls \
         --imap "127.0.0.1:$EPISTLE_TEST_IMAPS_PORT" --imap-security tls \
         --ca-file "$EPISTLE_TEST_CA" --password-stdin > /dev/null 2> "$tmp/err"; then
    NA="account add: $(tail -n 1 "$tmp/err" | cut -c1-80)"; return 1
  fi
  timed 600 "$cli" inbox sync --account bench --inbox-only || { failed; return 1; }
  grep -q ": $count new," "$tmp/out" || { NA="not $count new: $(head -c 100 "$tmp/out")"; return 1; }
}

run_imaplib () {
  timed 600 "$py" "$bench/imaplib-sync.py" "$tmp/anchor.db" || { failed; return 1; }
  [ "$(cat "$tmp/out")" = "$count" ] || { NA="stored $(head -c 40 "$tmp/out"), not $count"; return 1; }
}

# On the profile the last first sync left behind.
round=0
run_epincr () {
  round=$((round + 1))
  timeout 60 "$py" "$bench/make-mailbox.py" --new --seed $((1000 + round)) "$maildir" 10
  timed 120 "$cli" inbox sync --account bench --inbox-only || { failed; return 1; }
  grep -q ": 10 new, 0 with changed flags, 0 removed" "$tmp/out" ||
    { NA="not 10 new: $(head -c 100 "$tmp/out")"; return 1; }
}

run_eplist () {
  # shellcheck disable=SC2016  # expanded by the inner sh
  timed 120 sh -c '"$1" inbox list --account bench > "$2/list.txt"' sh "$cli" "$tmp" || { failed; return 1; }
  local listed
  listed=$(wc -l < "$tmp/list.txt")
  [ "$listed" -ge "$count" ] || { NA="listed $listed rows"; return 1; }
}

# The store alone: ep_store_inbox_list (21 runs in one process, median),
# and the list plus a lookup per row. Kept as the medians of each round.
LQ=""; LR=""
run_store () {
  timed 120 "$list_bench" "$XDG_DATA_HOME/epistle/epistle.db" || { failed; return 1; }
  LQ="$LQ $(awk '$1 == "list" { print $2 }' "$tmp/out")"
  LR="$LR $(awk '$1 == "list+lookup" { print $2 }' "$tmp/out")"
  expunge_above "$last_uid" > /dev/null 2>> "$tmp/err" || { NA="expunge failed"; return 1; }
}

log "$count messages; $runs interleaved rounds: Epistle first sync, imaplib, incremental, list"
rotate "$runs" epfirst imaplib epincr eplist store

# ---- the table -------------------------------------------------------------------------

msmed () {   # msmed VALUES...: "median ms (min–max)"
  [ -n "$*" ] || { echo "n/a"; return; }
  printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
    m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%.1f ms (%.1f–%.1f)", m, a[1], a[NR] }'
}
med epfirst; first_ms=$med
rf=$(ratio_of imaplib epfirst); ri=$(ratio_of epfirst epincr)
row "first sync, $count messages" "$(cell epfirst "$count"); $((${KB[epfirst]:-0} / 1024)) MB" \
  "$(cell imaplib "$count") Python imaplib + sqlite3; $((${KB[imaplib]:-0} / 1024)) MB" \
  "$(ratio imaplib epfirst)" "in seconds (≤ 5 s), ahead of imaplib" \
  "$( [ -n "$first_ms" ] && awk -v m="$first_ms" -v r="${rf:-0}" 'BEGIN { print (m <= 5000 && r >= 1) ? "yes" : "NO" }' || echo —)"
cpums () {   # cpums NAME: the median CPU time (user + system) of NAME's runs, in ms
  [ -n "${CPU[$1]:-}" ] || return 0
  # shellcheck disable=SC2086  # the runs, one word each
  printf '%s\n' ${CPU[$1]} | sort -n | awk '{ a[NR] = $1 } END {
    print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
ce=$(cpums epfirst); ca=$(cpums imaplib)
row "first sync, client CPU (user + sys)" "$(awk -v m="${ce:-0}" 'BEGIN { printf "%.2f s", m / 1000 }')" \
  "$(awk -v m="${ca:-0}" 'BEGIN { printf "%.2f s", m / 1000 }') Python imaplib + sqlite3" \
  "$( [ -n "$ce" ] && [ -n "$ca" ] && awk -v a="$ca" -v e="$ce" 'BEGIN { printf "%.2f×", a / (e > 0 ? e : 1) }' || echo —)" "—" "—"
row "incremental sync, 10 new" "$(cell epincr)" "$(cell epfirst) Epistle's first sync" \
  "$(ratio epfirst epincr)" "far cheaper (≥ 10×)" "$(meets "$ri" 10)"
row "inbox list, $count rows (CLI)" "$(cell eplist)" "—" "—" "—" "—"
# shellcheck disable=SC2086
row "store: list query, $count ids" "$(msmed $LQ)" "—" "—" "—" "—"
# shellcheck disable=SC2086
row "store: list + lookup of every row" "$(msmed $LR)" "—" "—" "—" "—"

echo
echo "Epistle inbox benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'), build $buildtype"
echo "$(nproc) cores; load average at start $load_start ($busy); $runs interleaved runs; median (min–max)"
echo "$count messages, $((bytes / 1024 / 1024)) MB in the Maildir; Dovecot $(dovecot --version | cut -d' ' -f1) over IMAPS on 127.0.0.1"
echo "ratio = anchor's median time ÷ Epistle's (above 1× = Epistle faster)"
echo
{
  echo "benchmark|Epistle|anchor|ratio|target|met"
  echo "-|-|-|-|-|-"
  for r in "${rows[@]}"; do echo "$r"; done
} | "$py" -c '
import sys
rows = [l.rstrip("\n").split("|") for l in sys.stdin]
w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
rows[1] = ["-" * n for n in w]
for r in rows:
    print("| " + " | ".join(v.ljust(n) for v, n in zip(r, w)) + " |")'
