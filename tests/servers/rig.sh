#!/bin/bash
# tests/servers/rig.sh: real mail servers and a real keyring on loopback,
# for one command.
#
#   tests/servers/rig.sh COMMAND [ARGS...]   run COMMAND inside the rig
#   tests/servers/rig.sh [--shell]           an interactive shell inside it
#
# Starts, in a fresh temp dir, with a CA made for this run:
#   - Dovecot: IMAP (STARTTLS) and IMAPS, plus LMTP for delivery
#   - an aiosmtpd submission server: STARTTLS and implicit TLS, AUTH
#     PLAIN/LOGIN, delivering into Dovecot's Maildir, faults from a JSON file
#   - gnome-keyring on a private D-Bus session bus
#   - Xvfb too, when RIG_XVFB=1
# exports the EPISTLE_TEST_* variables (see README.md), runs the command,
# stops everything it started (by PID) and exits with the command's status.
# Binds 127.0.0.1 only; works as root and as an ordinary user; several rigs
# can run at once. A missing program is an error (status 125), never a skip.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3

die () { echo "rig: $*" >&2; exit 125; }

need_prog () {
  command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] || die "missing $1 (install $2)"
}

need_prog dovecot dovecot-imapd
[ -x /usr/lib/dovecot/lmtp ] || die "missing Dovecot LMTP (install dovecot-lmtpd)"
need_prog "$PY" python3
"$PY" -c 'import aiosmtpd' 2>/dev/null || die "missing aiosmtpd (install python3-aiosmtpd)"
need_prog gnome-keyring-daemon gnome-keyring
need_prog dbus-daemon dbus
need_prog gdbus libglib2.0-bin
need_prog openssl openssl
if [ "${RIG_XVFB:-0}" = 1 ]; then
  need_prog Xvfb xvfb
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/epistle-rig.XXXXXX")
chmod 711 "$DIR"
PIDS=()
NAMES=()

alive () {
  # A zombie is not alive (PID 1 may reap late on this machine).
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null || true)
  [ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

cleanup () {
  local status=$? i pid deadline
  trap - EXIT INT TERM
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
    pid=${PIDS[$i]}
    kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$(( $(date +%s) + 5 ))
  for pid in "${PIDS[@]}"; do
    while alive "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do
      sleep 0.05
    done
    if alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  if [ "${RIG_KEEP:-0}" = 1 ]; then
    echo "rig: kept $DIR" >&2
  else
    rm -rf "$DIR"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start () {
  # start NAME COMMAND...: background a service and remember its PID
  local name=$1; shift
  "$@" &
  PIDS+=("$!")
  NAMES+=("$name")
}

wait_for () {
  # wait_for WHAT LOGFILE TEST...: poll TEST for up to 10 s
  local what=$1 log=$2; shift 2
  local deadline=$(( $(date +%s) + 10 ))
  until "$@" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "rig: $what did not start; the end of $log:" >&2
      tail -n 20 "$log" >&2 2>/dev/null || true
      exit 125
    fi
    sleep 0.02
  done
}

port_open () { "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()' "$1"; }

# Free ports, chosen by the kernel.
read -r IMAP_PORT IMAPS_PORT LMTP_PORT SMTP_PORT SMTPS_PORT < <("$PY" - <<'PY'
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
)

USER_NAME=${RIG_USER:-epistle}
PASSWORD=${RIG_PASSWORD:-pw-$(openssl rand -hex 12)}

# --- a CA for this run, and a server certificate it signs -------------------
mkdir -p "$DIR/tls"
(
  cd "$DIR/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=Epistle test CA $$" -keyout ca.key -out ca.pem \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=localhost" -keyout server.key -out server.csr
  printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" > server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile server.ext -out server.pem
  chmod 644 ca.pem server.pem
  chmod 600 ca.key server.key
) >"$DIR/tls.log" 2>&1 || { cat "$DIR/tls.log" >&2; die "could not make the certificates"; }

# --- Dovecot ----------------------------------------------------------------
mkdir -p "$DIR/run" "$DIR/state" "$DIR/mail/$USER_NAME/Maildir/"{cur,new,tmp}
if [ "$(id -u)" -eq 0 ]; then
  # Dovecot refuses to run login processes as root or to deliver as uid 0.
  LOGIN_USER=dovenull
  INTERNAL_USER=dovecot
  INTERNAL_GROUP=dovecot
  MAIL_UID=$(id -u "${MAIL_USER:-nobody}")
  MAIL_GID=$(id -g "${MAIL_USER:-nobody}")
  chown -R "$MAIL_UID:$MAIL_GID" "$DIR/mail"
else
  LOGIN_USER=$(id -un)
  INTERNAL_USER=$(id -un)
  INTERNAL_GROUP=$(id -gn)
  MAIL_UID=$(id -u)
  MAIL_GID=$(id -g)
fi
printf '%s:{PLAIN}%s::::::\n' "$USER_NAME" "$PASSWORD" > "$DIR/passwd"
chmod 644 "$DIR/passwd"

cat > "$DIR/dovecot.conf" <<CONF
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/dovecot.log
info_log_path = $DIR/dovecot.log
instance_name = epistle-rig-$$-$IMAP_PORT
listen = 127.0.0.1
protocols = imap lmtp
ssl = required
ssl_cert = <$DIR/tls/server.pem
ssl_key = <$DIR/tls/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
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
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \Archive
    auto = subscribe
  }
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
service anvil {
  chroot =
}
service pop3-login {
  chroot =
}
service submission-login {
  chroot =
}
service imap-urlauth-login {
  chroot =
}
CONF

start dovecot dovecot -F -c "$DIR/dovecot.conf"

# --- SMTP submission (aiosmtpd) ---------------------------------------------
echo '{}' > "$DIR/smtp-faults.json"
: > "$DIR/smtp-events.jsonl"
printf '%s\n' "$PASSWORD" > "$DIR/smtp-password"
chmod 600 "$DIR/smtp-password"
start smtp "$PY" "$here/smtp-server.py" --port "$SMTP_PORT" --tls-port "$SMTPS_PORT" \
  --lmtp-port "$LMTP_PORT" --cert "$DIR/tls/server.pem" --key "$DIR/tls/server.key" \
  --user "$USER_NAME" --password-file "$DIR/smtp-password" \
  --faults "$DIR/smtp-faults.json" --events "$DIR/smtp-events.jsonl" \
  --ready "$DIR/smtp-ready" >"$DIR/smtp.log" 2>&1

# --- D-Bus session bus and gnome-keyring -------------------------------------
mkdir -p "$DIR/keyring/data" "$DIR/keyring/runtime"
chmod 700 "$DIR/keyring" "$DIR/keyring/runtime"
start dbus dbus-daemon --session --nofork --nopidfile --address="unix:path=$DIR/bus" \
  >"$DIR/dbus.log" 2>&1
wait_for "the D-Bus session bus" "$DIR/dbus.log" test -S "$DIR/bus"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$DIR/bus"

# The daemon keeps its files outside the app's XDG dirs, so a test can say
# "no file under XDG_* holds the password" and mean it.
start keyring sh -c 'printf %s "$1" | XDG_DATA_HOME="$2/data" XDG_RUNTIME_DIR="$2/runtime" \
  exec gnome-keyring-daemon --foreground --unlock --components=secrets' \
  keyring "keyring-$(openssl rand -hex 8)" "$DIR/keyring" >"$DIR/keyring.log" 2>&1
secrets_owned () {
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null | grep -q true
}
# Before any libsecret call: otherwise D-Bus activation starts a second,
# locked daemon.
wait_for "gnome-keyring" "$DIR/keyring.log" secrets_owned

# --- optional X server ------------------------------------------------------
if [ "${RIG_XVFB:-0}" = 1 ]; then
  exec 7>"$DIR/display"
  start xvfb Xvfb -displayfd 7 -screen 0 1280x800x24 -nolisten tcp -nolisten unix \
    >"$DIR/xvfb.log" 2>&1
  exec 7>&-
  wait_for "Xvfb" "$DIR/xvfb.log" test -s "$DIR/display"
  export DISPLAY=":$(head -n1 "$DIR/display")"
  export GSK_RENDERER=cairo
fi

wait_for "Dovecot (IMAP)" "$DIR/dovecot.log" port_open "$IMAP_PORT"
wait_for "Dovecot (IMAPS)" "$DIR/dovecot.log" port_open "$IMAPS_PORT"
wait_for "Dovecot (LMTP)" "$DIR/dovecot.log" port_open "$LMTP_PORT"
wait_for "the SMTP server" "$DIR/smtp.log" test -s "$DIR/smtp-ready"

# --- the environment for the command ----------------------------------------
mkdir -p "$DIR/home/config" "$DIR/home/data" "$DIR/home/cache" "$DIR/home/runtime"
chmod 700 "$DIR/home/runtime"
export EPISTLE_TEST_RIGDIR="$DIR"
export EPISTLE_TEST_SMTP_PORT="$SMTP_PORT"
export EPISTLE_TEST_SMTPS_PORT="$SMTPS_PORT"
export EPISTLE_TEST_IMAP_PORT="$IMAP_PORT"
export EPISTLE_TEST_IMAPS_PORT="$IMAPS_PORT"
export EPISTLE_TEST_LMTP_PORT="$LMTP_PORT"
export EPISTLE_TEST_CA="$DIR/tls/ca.pem"
export EPISTLE_TEST_USER="$USER_NAME"
export EPISTLE_TEST_PASSWORD="$PASSWORD"
export EPISTLE_TEST_MAILDIR="$DIR/mail/$USER_NAME/Maildir"
export EPISTLE_TEST_FAULTS="$DIR/smtp-faults.json"
export EPISTLE_TEST_SMTP_EVENTS="$DIR/smtp-events.jsonl"
export XDG_CONFIG_HOME="$DIR/home/config"
export XDG_DATA_HOME="$DIR/home/data"
export XDG_CACHE_HOME="$DIR/home/cache"
export XDG_RUNTIME_DIR="$DIR/home/runtime"
export GSETTINGS_BACKEND="${GSETTINGS_BACKEND:-memory}"

if [ $# -eq 0 ] || [ "$1" = "--shell" ]; then
  cat >&2 <<INFO
rig: ready in $DIR
  SMTP  127.0.0.1:$SMTP_PORT (STARTTLS)   SMTPS 127.0.0.1:$SMTPS_PORT
  IMAP  127.0.0.1:$IMAP_PORT (STARTTLS)   IMAPS 127.0.0.1:$IMAPS_PORT
  user $USER_NAME   password $PASSWORD   CA $EPISTLE_TEST_CA
  faults $EPISTLE_TEST_FAULTS   events $EPISTLE_TEST_SMTP_EVENTS
  Leave the shell to stop everything.
INFO
  set +e
  "${SHELL:-/bin/bash}" -i
  exit $?
fi

if [ "${RIG_VERBOSE:-0}" = 1 ]; then
  echo "rig: ready in $DIR (smtp $SMTP_PORT, smtps $SMTPS_PORT, imap $IMAP_PORT, imaps $IMAPS_PORT)" >&2
fi

set +e
"$@"
exit $?
