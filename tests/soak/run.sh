#!/bin/bash
# tests/soak/run.sh [soak.py options]: the crash soak inside its own rig.
# Builds epistle-cli in ./build if needed; see tests/soak/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${EPISTLE_BUILD:-$root/build}
ninja -C "$build" src/cli/epistle-cli >/dev/null
export EPISTLE_CLI="$build/src/cli/epistle-cli"
export EPISTLE_SEND_BATCH
EPISTLE_SEND_BATCH=$(meson introspect "$build" --buildoptions 2>/dev/null |
  /usr/bin/python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="send_batch"))' 2>/dev/null || echo 8)
export TZ=UTC PYTHONDONTWRITEBYTECODE=1
exec bash "$root/tests/servers/rig.sh" /usr/bin/python3 "$root/tests/soak/soak.py" "$@"
