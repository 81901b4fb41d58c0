#!/bin/bash
# tests/servers/rig.sh: real mail servers and a real keyring on loopback,
# for one command.
#
#   tests/servers/rig.sh COMMAND [ARGS...]   run COMMAND inside the rig
#   tests/servers/rig.sh [--shell]           an interactive shell inside it
#
# In a fresh temp dir, with a CA made for this run, it starts:
#   - Dovecot: IMAP (STARTTLS) and IMAPS, plus LMTP for delivery
#   - smtp-server.py (aiosmtpd): STARTTLS and implicit TLS, AUTH PLAIN/LOGIN
#     (and XOAUTH2), delivering into Dovecot's Maildir, faults from a JSON file
#   - gnome-keyring on a private D-Bus session bus
#   - Xvfb too, when RIG_XVFB=1
# exports the EPISTLE_TEST_* variables (see README.md), runs the command,
# stops everything it started (by PID) and exits with the command's status.
# Binds 127.0.0.1 only; works as root and as an ordinary user; several rigs
# can run at once. A missing program is an error (status 125), never a skip.
# shellcheck disable=SC2317  # functions called from traps and wait_for
set -euo pipefail

RIG_ARGS=("$@")
RIG_ATTEMPT=${RIG_ATTEMPT:-1}   # a port taken between picking and binding: start again
RETRY=0
here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3     # not the pyenv python3 on PATH: it has no aiosmtpd

die () { echo "rig: $*" >&2; exit 125; }

# --- required programs --------------------------------------------------------
need () {   # need PROGRAM PACKAGE
  command -v "$1" >/dev/null 2>&1 || die "missing $1 (install $2)"
}
need dovecot dovecot-imapd
[ -x /usr/lib/dovecot/lmtp ] || die "missing dovecot lmtp (install dovecot-lmtpd)"
need "$PY" python3
"$PY" -c 'import aiosmtpd' 2>/dev/null || die "missing aiosmtpd (install python3-aiosmtpd)"
need openssl openssl
need dbus-daemon dbus
need gdbus libglib2.0-bin
need gnome-keyring-daemon gnome-keyring
[ "${RIG_XVFB:-0}" != 1 ] || need Xvfb xvfb

# --- process bookkeeping and teardown ----------------------------------------
DIR=$(mktemp -d "${TMPDIR:-/tmp}/epistle-rig.XXXXXX")
chmod 711 "$DIR"        # as root, Dovecot's auth and mail users must traverse it
PIDS=()                 # every daemon we started, in start order
LOGS=()                 # and its log file
CMD_PID=

now_ms () { echo $(( ${EPOCHREALTIME//[!0-9]/} / 1000 )); }   # '.' or ',': locale

alive () {
  # A zombie is not alive: PID 1 may reap late on this machine (TEST-RIG §6).
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [ "${state#Z}" = "$state" ]
}

stop () {   # stop GRACE_MS PID...: SIGTERM, then SIGKILL after the grace; reap
  local pid deadline=$(( $(now_ms) + $1 )); shift
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    while alive "$pid" && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.05; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
  done
}

cleanup () {
  local status=$?
  trap - EXIT INT TERM
  set +e
  # Bounded: at most 1.5 s + 3 s (Dovecot alone needs about 1.1 s).
  [ -z "$CMD_PID" ] || stop 1500 "$CMD_PID"       # only if we were interrupted
  [ ${#PIDS[@]} -eq 0 ] || stop 3000 "${PIDS[@]}"
  if [ "${RIG_KEEP:-0}" = 1 ]; then
    echo "rig: kept $DIR" >&2
  else
    rm -rf "$DIR"
  fi
  if [ "$RETRY" = 1 ]; then
    echo "rig: a port was taken by another program; starting again (attempt $(( RIG_ATTEMPT + 1 )))" >&2
    RIG_ATTEMPT=$(( RIG_ATTEMPT + 1 )) exec /bin/bash "$0" "${RIG_ARGS[@]}"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bg_start () {   # bg_start LOG COMMAND...: a daemon in the background, logged
  local log=$1; shift
  "$@" </dev/null >"$log" 2>&1 &
  PIDS+=("$!") LOGS+=("$log")
}

fail_start () {   # fail_start MESSAGE LOG
  if [ "$RIG_ATTEMPT" -lt 3 ] && grep -q "Address already in use" "$2" 2>/dev/null; then
    RETRY=1
    exit 125
  fi
  echo "rig: $1; the end of $2:" >&2
  tail -n 20 "$2" >&2 2>/dev/null
  exit 125
}

wait_for () {   # wait_for WHAT LOG TEST...: poll TEST until the deadline
  local what=$1 log=$2 i; shift 2
  until "$@" 2>/dev/null; do
    for i in "${!PIDS[@]}"; do     # a daemon that died won't come up later
      alive "${PIDS[$i]}" || fail_start "$(basename "${LOGS[$i]}" | cut -d. -f1) exited early" "${LOGS[$i]}"
    done
    [ "$(now_ms)" -lt "$DEADLINE" ] || fail_start "$what did not come up within 10 s" "$log"
    sleep 0.01
  done
}

port_open () { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- ports, user, password ----------------------------------------------------
# Free ports below the kernel's ephemeral range, so no client connection of a
# test running beside us can take one between picking and binding (a port
# bound to 0 comes from that range and was once taken that way). Two rigs
# picking the same port at once is left to the retry in fail_start.
read -r IMAP_PORT IMAPS_PORT LMTP_PORT SMTP_PORT SMTPS_PORT < <("$PY" -c '
import random, socket
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    low = 32768
low = max(low, 12000)
picked = []
for _ in range(2000):
    if len(picked) == 5:
        break
    port = random.randrange(10000, low)
    if port in picked:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    picked.append(port)
if len(picked) < 5:
    raise SystemExit(1)
print(*picked)') || die "could not pick free ports"

hex () { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
USER_NAME=${RIG_USER:-epistle}
PASSWORD=${RIG_PASSWORD:-pw-$(hex 12)}
OAUTH_TOKEN=${RIG_OAUTH_TOKEN:-tok-$(hex 12)}    # SMTP AUTH XOAUTH2 only
case "$USER_NAME$PASSWORD$OAUTH_TOKEN" in
  *:*|*' '*) die "RIG_USER/RIG_PASSWORD/RIG_OAUTH_TOKEN may not contain ':' or spaces";;
esac

# --- a CA for this run, and a server certificate it signs --------------------
mkdir "$DIR/tls"
(
  cd "$DIR/tls"
  ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
  # shellcheck disable=SC2086
  openssl req -x509 $ec -days 2 -subj "/CN=Epistle test CA $$" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -keyout ca.key -out ca.pem
  # shellcheck disable=SC2086
  openssl req $ec -subj "/CN=localhost" -keyout server.key -out server.csr
  printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth" >server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 2 -extfile server.ext -out server.pem
  chmod 644 ca.pem server.pem
) >"$DIR/tls.log" 2>&1 || { cat "$DIR/tls.log" >&2; die "could not make the certificates"; }

DEADLINE=$(( $(now_ms) + 10000 ))   # every service must be up by then

# --- Dovecot -------------------------------------------------------------------
MAILDIR="$DIR/mail/$USER_NAME/Maildir"
mkdir -p "$DIR/run" "$DIR/state" "$MAILDIR/cur" "$MAILDIR/new" "$MAILDIR/tmp"
if [ "$(id -u)" -eq 0 ]; then
  # Login processes refuse to run as root, and userdb uid 0 is an error.
  LOGIN_USER=dovenull INTERNAL_USER=dovecot INTERNAL_GROUP=dovecot
  MAIL_UID=$(id -u nobody) MAIL_GID=$(id -g nobody)
  chown -R "$MAIL_UID:$MAIL_GID" "$DIR/mail"
else
  LOGIN_USER=$(id -un) INTERNAL_USER=$(id -un) INTERNAL_GROUP=$(id -gn)
  MAIL_UID=$(id -u) MAIL_GID=$(id -g)
fi
( umask 077; printf '%s:{PLAIN}%s::::::\n' "$USER_NAME" "$PASSWORD" >"$DIR/passwd" )
if [ "$(id -u)" -eq 0 ]; then   # read by auth, which runs as the internal user
  chgrp "$INTERNAL_GROUP" "$DIR/passwd" && chmod 640 "$DIR/passwd"
fi

mailbox () { printf '  mailbox %s {\n    special_use = \\%s\n    auto = subscribe\n  }\n' "$1" "$1"; }
no_chroot () { printf 'service %s {\n  chroot =\n}\n' "$@"; }
{ cat <<CONF
# Standalone: does not include /etc/dovecot.
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/dovecot.log
instance_name = epistle-rig-$$-$IMAP_PORT
listen = 127.0.0.1
protocols = imap lmtp
ssl = required
ssl_cert = <$DIR/tls/server.pem
ssl_key = <$DIR/tls/server.key
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login
auth_username_format = %n
default_login_user = $LOGIN_USER
default_internal_user = $INTERNAL_USER
default_internal_group = $INTERNAL_GROUP
first_valid_uid = 1
mail_location = maildir:$DIR/mail/%n/Maildir
passdb {
  driver = passwd-file
  args = $DIR/passwd
}
userdb {
  driver = static
  args = uid=$MAIL_UID gid=$MAIL_GID home=$DIR/mail/%n
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
namespace inbox {
  inbox = yes
  separator = /
CONF
  for m in Drafts Sent Trash Junk Archive; do mailbox "$m"; done
  echo "}"
  no_chroot anvil pop3-login submission-login imap-urlauth-login managesieve-login
} >"$DIR/dovecot.conf"

# -F: stays in the foreground as our child, so we can stop and reap it.
bg_start "$DIR/dovecot.out" dovecot -F -c "$DIR/dovecot.conf"

# --- SMTP submission (aiosmtpd) ------------------------------------------------
echo '{}' >"$DIR/faults.json"
: >"$DIR/smtp-events.jsonl"
( umask 077; printf %s "$PASSWORD" >"$DIR/smtp-password"; printf %s "$OAUTH_TOKEN" >"$DIR/smtp-token" )
bg_start "$DIR/smtp.log" "$PY" "$here/smtp-server.py" \
  --port "$SMTP_PORT" --tls-port "$SMTPS_PORT" --lmtp-port "$LMTP_PORT" \
  --cert "$DIR/tls/server.pem" --key "$DIR/tls/server.key" \
  --user "$USER_NAME" --password-file "$DIR/smtp-password" --oauth-token-file "$DIR/smtp-token" \
  --faults "$DIR/faults.json" --events "$DIR/smtp-events.jsonl" --ready "$DIR/smtp-ready"

# --- optional X server -----------------------------------------------------------
if [ "${RIG_XVFB:-0}" = 1 ]; then
  # -displayfd: Xvfb picks a free display and writes its number to fd 7.
  exec 7>"$DIR/display"
  bg_start "$DIR/xvfb.log" Xvfb -displayfd 7 -screen 0 1280x800x24 -nolisten tcp -noreset
  exec 7>&-
fi

# --- D-Bus session bus and gnome-keyring --------------------------------------------
# The keyring daemon keeps its files in $DIR/keyring, away from the app's
# XDG dirs, so "no file under XDG_DATA_HOME holds the password" is testable.
mkdir -p "$DIR/keyring/data" "$DIR/keyring/runtime"
chmod 700 "$DIR/keyring" "$DIR/keyring/runtime"
bg_start "$DIR/dbus.log" dbus-daemon --session --nofork --nopidfile --address="unix:path=$DIR/bus"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$DIR/bus"
( umask 077; hex 8 >"$DIR/keyring/password" )
wait_for "dbus-daemon" "$DIR/dbus.log" test -S "$DIR/bus"
# A simple command with '&' is exec'd directly, so $! is the daemon itself.
XDG_DATA_HOME="$DIR/keyring/data" XDG_RUNTIME_DIR="$DIR/keyring/runtime" \
  gnome-keyring-daemon --foreground --unlock --components=secrets \
  <"$DIR/keyring/password" >"$DIR/keyring.log" 2>&1 &
PIDS+=("$!") LOGS+=("$DIR/keyring.log")
secrets_owned () {
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets | grep -q true
}

# --- wait until everything is up ---------------------------------------------------
wait_for "Dovecot IMAP" "$DIR/dovecot.log" port_open "$IMAP_PORT"
wait_for "Dovecot IMAPS" "$DIR/dovecot.log" port_open "$IMAPS_PORT"
wait_for "Dovecot LMTP" "$DIR/dovecot.log" port_open "$LMTP_PORT"
# smtp-server.py writes the ready file once both listeners are bound; no probe
# connection, so the event log starts clean.
wait_for "smtp-server.py" "$DIR/smtp.log" test -s "$DIR/smtp-ready"
# Before the first libsecret call: otherwise D-Bus activation starts a second,
# locked keyring daemon (TEST-RIG §4).
wait_for "gnome-keyring" "$DIR/keyring.log" secrets_owned
if [ "${RIG_XVFB:-0}" = 1 ]; then
  wait_for "Xvfb" "$DIR/xvfb.log" test -s "$DIR/display"
  DISPLAY=":$(head -n1 "$DIR/display")"
  export DISPLAY
  export GSK_RENDERER=cairo
fi

# --- the environment for the command ------------------------------------------------
mkdir -p "$DIR/home/config" "$DIR/home/data" "$DIR/home/cache" "$DIR/home/runtime"
chmod 700 "$DIR/home/runtime"
export EPISTLE_TEST_RIGDIR="$DIR"
export EPISTLE_TEST_USER="$USER_NAME"
export EPISTLE_TEST_PASSWORD="$PASSWORD"
export EPISTLE_TEST_OAUTH_TOKEN="$OAUTH_TOKEN"
export EPISTLE_TEST_CA="$DIR/tls/ca.pem"
export EPISTLE_TEST_IMAP_PORT="$IMAP_PORT"
export EPISTLE_TEST_IMAPS_PORT="$IMAPS_PORT"
export EPISTLE_TEST_SMTP_PORT="$SMTP_PORT"
export EPISTLE_TEST_SMTPS_PORT="$SMTPS_PORT"
export EPISTLE_TEST_LMTP_PORT="$LMTP_PORT"
export EPISTLE_TEST_MAILDIR="$MAILDIR"
export EPISTLE_TEST_FAULTS="$DIR/faults.json"
export EPISTLE_TEST_SMTP_EVENTS="$DIR/smtp-events.jsonl"
export XDG_CONFIG_HOME="$DIR/home/config"
export XDG_DATA_HOME="$DIR/home/data"
export XDG_CACHE_HOME="$DIR/home/cache"
export XDG_RUNTIME_DIR="$DIR/home/runtime"
export GSETTINGS_BACKEND="${GSETTINGS_BACKEND:-memory}"

# Services the bus starts on demand (the accessibility bus, for AT-SPI UI
# tests) must see this run's X display and runtime dir, not the defaults:
# otherwise their sockets land in a directory shared between rigs.
gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.UpdateActivationEnvironment \
  "{'XDG_RUNTIME_DIR': '$XDG_RUNTIME_DIR'${DISPLAY:+, 'DISPLAY': '$DISPLAY'}}" >/dev/null \
  || die "could not set the D-Bus activation environment"

summary () {
  cat >&2 <<INFO
rig: ready in $DIR
  IMAP  127.0.0.1:$IMAP_PORT (STARTTLS)    IMAPS 127.0.0.1:$IMAPS_PORT
  SMTP  127.0.0.1:$SMTP_PORT (STARTTLS)    SMTPS 127.0.0.1:$SMTPS_PORT
  user $USER_NAME   password $PASSWORD   (SMTP XOAUTH2 token $OAUTH_TOKEN)
  CA $EPISTLE_TEST_CA
  faults $EPISTLE_TEST_FAULTS   events $EPISTLE_TEST_SMTP_EVENTS${DISPLAY:+
  DISPLAY $DISPLAY}
INFO
}

if [ $# -eq 0 ] || [ "$1" = --shell ]; then
  summary
  echo "  (leave the shell to stop the rig)" >&2
  set +e
  "${SHELL:-/bin/bash}" -i     # in the foreground: it owns the terminal
  exit $?
fi
[ "${RIG_VERBOSE:-0}" != 1 ] || summary

# A sanitized build (build-aux/test.sh --sanitize): the reports of every
# Epistle program the command starts go to files here, also when a test
# does not read that program's output or it runs in the background; any
# report fails the run. Only the command's programs: the servers above
# started before this.
SANITIZER_DIR=
if [ -n "${ASAN_OPTIONS:-}" ] || [ -n "${UBSAN_OPTIONS:-}" ]; then
  SANITIZER_DIR="$DIR/sanitizer"
  mkdir "$SANITIZER_DIR"
  export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$SANITIZER_DIR/asan"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$SANITIZER_DIR/ubsan"
fi

# In the background plus 'wait', so a SIGTERM/SIGINT to the rig is handled at
# once (the trap then stops the command too). '<&0' keeps our stdin for it;
# env undoes bash's SIGINT/SIGQUIT=ignore for background commands.
env --default-signal=INT,QUIT "$@" <&0 &
CMD_PID=$!
status=0
wait "$CMD_PID" || status=$?
CMD_PID=
if [ -n "$SANITIZER_DIR" ]; then
  for report in "$SANITIZER_DIR"/*; do
    [ -e "$report" ] || continue
    echo "rig: sanitizer report $(basename "$report"):" >&2
    cat "$report" >&2
    [ "$status" -ne 0 ] || status=1
  done
  # gcc's UBSan ignores log_path and writes to stderr: the window's log
  # (tests/ui/uilib.py) is here; tests/net/netlib.py checks the CLI's.
  if grep -s -H "runtime error:" "$DIR"/*.log >&2; then
    [ "$status" -ne 0 ] || status=1
  fi
fi
exit "$status"
