#!/bin/bash
# tests/fuzz/run.sh: runs the libFuzzer targets under ASan and UBSan, each
# for SECONDS (default 600) or 10 million executions, whichever comes first,
# JOBS at a time (default 2), and prints one line per target: executions,
# time, and what it found (artifacts in WORK/artifacts/TARGET/).
#
#   CC=clang-14 meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false
#   ninja -C build-fuzz
#   tests/fuzz/run.sh build-fuzz [SECONDS] [JOBS] [TARGET...]
#
# Every target starts from its committed corpus (tests/fuzz/corpus/TARGET)
# and grows a working copy in WORK (default /tmp/epistle-fuzz-work), kept
# between runs. Limits: 1 s per input (-timeout; 3 s for the vault, whose
# scrypt is slow by design), 512 MiB (-rss_limit_mb).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run.sh BUILDDIR [SECONDS] [JOBS] [TARGET...]}" && pwd)
secs=${2:-600}
jobs=${3:-2}
shift $(( $# < 3 ? $# : 3 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv xlsx ods template address markdown pwmail smime vault imap html readmsg mime)
work=${WORK:-/tmp/epistle-fuzz-work}
mkdir -p "$work"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
# Full unwinding for the targets whose leaks a suppression must recognise:
# Debian builds GLib without frame pointers, and the fast unwinder stops in
# g_malloc before the GMime frame lsan.supp names. It makes every malloc
# slow, so only there (OpenSSL's PBKDF2 and trust store allocate a lot).
FULL_UNWIND=${FULL_UNWIND:-address mime}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp:print_suppressions=0}

one () {
  local t=$1 bin="$build/tests/fuzz/fuzz-$1"
  mkdir -p "$work/$t" "$work/artifacts/$t"
  cp -n "$here/corpus/$t"/* "$work/$t/" 2>/dev/null
  local asan=$ASAN_OPTIONS
  case " $FULL_UNWIND " in *" $t "*) asan=$asan:fast_unwind_on_malloc=0;; esac
  # 1 s per input, except the vault: its scrypt (128 MiB, what Epistle
  # writes) alone takes 0.3-0.8 s here, by design.
  local per_input=1
  [ "$t" != vault ] || per_input=3
  (cd "$work" && ASAN_OPTIONS=$asan timeout $(( secs + 120 )) "$bin" -max_total_time="$secs" -runs=10000000 \
     -timeout=$per_input -rss_limit_mb=512 -print_final_stats=1 \
     -artifact_prefix="$work/artifacts/$t/" "$work/$t" >"$work/$t.log" 2>&1)
  local rc=$?
  local runs="" found=0
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$')
  found=$(ls "$work/artifacts/$t" | wc -l)
  printf '%-9s exit %-3s executions %-10s time %ss  artifacts %s\n' "$t" "$rc" "${runs:-?}" \
    "$(grep -o 'Done [0-9]* runs in [0-9]* second' "$work/$t.log" | grep -o 'in [0-9]*' | grep -o '[0-9]*')" \
    "$found"
}

running=0
for t in "${targets[@]}"; do
  one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
