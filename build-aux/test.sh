#!/bin/sh
# build-aux/test.sh: install build and test dependencies, build, and run the
# whole suite (unit tests, the real-server rig tests, data validation).
#
# The last line is "N passed, N failed, N skipped"; the exit status is
# non-zero if anything failed. A test whose dependency is missing fails.
#
#   build-aux/test.sh [MESON TEST ARGS...]             ./build
#   build-aux/test.sh --sanitize [MESON TEST ARGS...]  ./build-sanitize, under
#       AddressSanitizer, LeakSanitizer and UBSan (gcc); tests/meson.build
#       sets their options, and any report fails the test
#   build-aux/test.sh --both [MESON TEST ARGS...]      the first, then the
#       second (what .ci/run does); the last line counts both
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = --both ]; then
  shift
  counts=$(mktemp)
  trap 'rm -f "$counts" "$counts.failed"' EXIT
  set +e
  EPISTLE_COUNTS="$counts" "$here/build-aux/test.sh" "$@"
  normal=$?
  # A pass that stopped before its tests (a build error) counts as one failure.
  [ "$(wc -l < "$counts")" -ge 1 ] || echo "0 1 0" >> "$counts"
  EPISTLE_COUNTS="$counts" "$here/build-aux/test.sh" --sanitize "$@"
  sanitized=$?
  [ "$(wc -l < "$counts")" -ge 2 ] || echo "0 1 0" >> "$counts"
  set -e
  # Both passes' failed cases, just above the count, so a log cut to its tail
  # still says which they were.
  [ ! -f "$counts.failed" ] || cat "$counts.failed"
  # One line per pass in $counts: passed failed skipped.
  awk '{ p += $1; f += $2; s += $3 } END { printf "both suites: %d passed, %d failed, %d skipped\n", p, f, s; printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$counts"
  [ "$normal" = 0 ] && [ "$sanitized" = 0 ]
  exit
fi

sanitize=0
if [ "${1:-}" = --sanitize ]; then
  sanitize=1
  shift
fi

. "$here/build-aux/deps.sh"

epistle_install_missing $EPISTLE_BUILD_DEPS $EPISTLE_TEST_DEPS

if [ "$sanitize" = 1 ]; then
  builddir="${EPISTLE_BUILDDIR:-$here/build-sanitize}"
  # Frame pointers in Epistle's code: LeakSanitizer's fast unwinder then
  # shows who allocated, up to the first frame in a library without them.
  set -- --timeout-multiplier 3 "$@"
  label=" under ASan and UBSan"
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" "$here" -Db_sanitize=address,undefined -Db_lundef=false \
      -Dc_args=-fno-omit-frame-pointer
  fi
else
  builddir="${EPISTLE_BUILDDIR:-$here/build}"
  label=
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" "$here"
  fi
fi
ninja -C "$builddir"

start=$(date +%s)
set +e
meson test -C "$builddir" --print-errorlogs --num-processes "${EPISTLE_TEST_JOBS:-2}" "$@"
status=$?
set -e
end=$(date +%s)

# Count individual cases (TAP subtests and plain tests) from meson's JSON log.
/usr/bin/python3 - "$builddir/meson-logs/testlog.json" "$((end - start))" "$label" \
  "${EPISTLE_COUNTS:-}" <<'PY'
import json, sys
passed = failed = skipped = 0
tests = 0
failures = []
with open(sys.argv[1]) as f:
    for line in f:
        if not line.strip():
            continue
        t = json.loads(line)
        tests += 1
        subs = t.get("subtests") or t.get("tap_subtests")
        result = t.get("result")
        # meson's JSON log has no per-subtest list; count TAP lines from stdout.
        ok = nok = skip = 0
        out_lines = (t.get("stdout") or "").splitlines()
        for i, out_line in enumerate(out_lines):
            if out_line.startswith("ok ") and "# SKIP" in out_line:
                skip += 1
            elif out_line.startswith("ok "):
                ok += 1
            elif out_line.startswith("not ok "):
                nok += 1
                failures.append(f"{t.get('name')}: {out_line}")
                # Its diagnostics, shortened: the last lines before the next case.
                diag = []
                for d in out_lines[i + 1:]:
                    if d.startswith(("ok ", "not ok ")):
                        break
                    if d.strip():
                        diag.append(d)
                app = [d for d in diag if d.startswith("# app:")]
                diag = [d for d in diag if not d.startswith("# app:")][-5:] + app[-3:]
                failures.extend("    " + d[:200] for d in diag)
        if ok + nok + skip == 0:
            if result in ("OK", "EXPECTEDFAIL"):
                ok = 1
            elif result == "SKIP":
                skip = 1
            else:
                nok = 1
        elif result not in ("OK", "EXPECTEDFAIL", "SKIP") and nok == 0:
            nok = 1  # crashed or timed out after its last TAP line
        if result not in ("OK", "EXPECTEDFAIL", "SKIP"):
            failures.append(f"{t.get('name')}: ended {result}")
        passed += ok; failed += nok; skipped += skip
# The failed cases again, at the end, where a truncated log still shows them.
for x in failures:
    print(x if x.startswith("    ") else f"FAILED{sys.argv[3]}: {x}")
print(f"suite{sys.argv[3]}: {tests} test programs in {sys.argv[2]} s")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
if sys.argv[4]:
    with open(sys.argv[4], "a") as f:
        f.write(f"{passed} {failed} {skipped}\n")
    with open(sys.argv[4] + ".failed", "a") as f:
        for x in failures:
            f.write((x if x.startswith("    ") else f"FAILED{sys.argv[3]}: {x}") + "\n")
PY

exit $status
