#!/bin/sh
# Source rules that a compiler does not check (STYLE.md §2, §4):
#  - no unsafe libc string calls (as curl's checksrc bans them)
#  - src/core never includes GTK or libadwaita
#  - sqlite3.h only in src/core/store/
set -u
src=${1:?usage: check-source.sh SRCDIR}
status=0

if grep -rnE '(^|[^_a-z])(sprintf|vsprintf|strcpy|strcat|strtok|atoi|gets)[[:space:]]*\(' \
     "$src/src" --include='*.c' --include='*.h'; then
  echo "check-source: banned libc call above (use g_strdup_printf, g_strlcpy, g_strsplit, g_ascii_strtoll)"
  status=1
fi

if grep -rnE '#include[[:space:]]*[<"](gtk|adwaita|gdk)' "$src/src/core"; then
  echo "check-source: src/core must not include GTK, GDK or libadwaita"
  status=1
fi

if grep -rln 'sqlite3\.h' "$src/src" | grep -v '/src/core/store/'; then
  echo "check-source: only src/core/store may include sqlite3.h"
  status=1
fi

[ $status -eq 0 ] && echo "check-source: ok"
exit $status
