#!/bin/sh
# build-aux/run.sh: install what is missing, build, and start Epistle.
#
#   build-aux/run.sh [ARGS...]      ARGS are passed to epistle
#
# Builds into ./build (meson + ninja) and runs the app from there, with the
# schemas compiled in the build directory. Nothing is installed system-wide
# except Debian packages that are missing.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/build-aux/deps.sh"

epistle_install_missing $EPISTLE_BUILD_DEPS

builddir="${EPISTLE_BUILDDIR:-$here/build}"
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$here" -Dprofile=development
fi
ninja -C "$builddir"

export GSETTINGS_SCHEMA_DIR="$builddir/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
exec "$builddir/src/epistle" "$@"
