#!/bin/bash
# tests/servers/selftest.sh: checks the rig itself with curl and secret-tool.
#   tests/servers/rig.sh tests/servers/selftest.sh
# Prints one line per check; exits 1 if any failed.
set -u
: "${EPISTLE_TEST_RIGDIR:?run me inside tests/servers/rig.sh}"

failed=0
check () {   # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected '$2', got '$3'"; failed=1; fi
}
fault () {   # fault JSON: written atomically, read by the server per command
  printf '%s\n' "$1" >"$EPISTLE_TEST_FAULTS.tmp" && mv "$EPISTLE_TEST_FAULTS.tmp" "$EPISTLE_TEST_FAULTS"
}
msg=$EPISTLE_TEST_RIGDIR/selftest.eml
printf 'From: a@x.test\r\nTo: b@y.test\r\nSubject: rig self-test\r\n\r\nHello.\r\n' >"$msg"

send () {   # send SCHEME PORT RCPT [CURL ARGS...]: prints "rc code"
  local scheme=$1 port=$2 rcpt=$3 code rc; shift 3
  code=$(curl -sS --max-time 10 --url "$scheme://127.0.0.1:$port/client.example" --ssl-reqd \
    --cacert "$EPISTLE_TEST_CA" --user "$EPISTLE_TEST_USER:$EPISTLE_TEST_PASSWORD" \
    --mail-from a@x.test --mail-rcpt "$rcpt" -T "$msg" -w '%{response_code}' "$@" 2>/dev/null)
  rc=$?
  echo "$rc $code"
}
smtp () { send smtp "$EPISTLE_TEST_SMTP_PORT" "$@"; }
count () { find "$EPISTLE_TEST_MAILDIR/new" "$EPISTLE_TEST_MAILDIR/cur" -type f | wc -l; }

check "maildir exists and is empty" 0 "$(count)"
check "smtp STARTTLS send" "0 250" "$(smtp b@y.test)"
check "delivered once" 1 "$(count)"
check "smtps send, AUTH LOGIN" "0 250" "$(send smtps "$EPISTLE_TEST_SMTPS_PORT" b@y.test --login-options AUTH=LOGIN)"
check "delivered once more" 2 "$(count)"
imap () { curl -sS --max-time 10 --cacert "$EPISTLE_TEST_CA" --user "$EPISTLE_TEST_USER:$EPISTLE_TEST_PASSWORD" "$@"; }
check "imaps fetch UID 1" "Subject: rig self-test" \
  "$(imap --url "imaps://127.0.0.1:$EPISTLE_TEST_IMAPS_PORT/INBOX;UID=1" | grep -a Subject | tr -d '\r')"
check "imap STARTTLS fetch UID 2" "Subject: rig self-test" \
  "$(imap --ssl-reqd --url "imap://127.0.0.1:$EPISTLE_TEST_IMAP_PORT/INBOX;UID=2" | grep -a Subject | tr -d '\r')"
check "special-use folders" "Archive Drafts INBOX Junk Sent Trash" \
  "$(imap --url "imaps://127.0.0.1:$EPISTLE_TEST_IMAPS_PORT/" | tr -d '\r' | awk '{print $NF}' | sort | xargs)"

check "wrong password" "67 535" "$(smtp b@y.test --user "$EPISTLE_TEST_USER:wrong")"
check "auth event ok=false" 1 "$(grep -c '"event": "auth".*"ok": false' "$EPISTLE_TEST_SMTP_EVENTS")"
check "XOAUTH2 send" "0 250" "$(smtp b@y.test --user "$EPISTLE_TEST_USER" --oauth2-bearer "$EPISTLE_TEST_OAUTH_TOKEN")"
check "XOAUTH2 wrong token" "67 535" "$(smtp b@y.test --user "$EPISTLE_TEST_USER" --oauth2-bearer tok-wrong)"
check "auth events for XOAUTH2" "true false" \
  "$(grep '"mechanism": "XOAUTH2"' "$EPISTLE_TEST_SMTP_EVENTS" | grep -o '"ok": [a-z]*' | cut -d' ' -f2 | xargs)"
check "secrets never logged" 0 \
  "$(grep -c -e "$EPISTLE_TEST_PASSWORD" -e wrong -e "$EPISTLE_TEST_OAUTH_TOKEN" "$EPISTLE_TEST_SMTP_EVENTS")"

fault '{"rcpt": {"p@f.test": "550 5.1.1 No such user"}}'
check "rcpt 550" "55 550" "$(smtp p@f.test)"
fault '{"rcpt": {"t@f.test": "451 4.3.0 Try later"}}'
check "rcpt 451" "55 451" "$(smtp t@f.test)"
check "rcpt 451 + good, --mail-rcpt-allowfails" "0 250" \
  "$(smtp t@f.test --mail-rcpt b@y.test --mail-rcpt-allowfails)"
check "delivered once (allowfails)" 4 "$(count)"
fault '{"rcpt": {"c@f.test": "421 4.3.2 Closing"}}'
check "rcpt 421" "55 421" "$(smtp c@f.test)"
fault '{"mail_from": {"a@x.test": "553 5.7.1 Not yours"}}'
check "mail_from 553" "55 553" "$(smtp b@y.test)"
fault '{"data_reply": "451 4.3.0 Later"}'
check "data_reply 451" "8 451" "$(smtp b@y.test)"
fault '{"data_reply": "554 5.6.0 Rejected"}'
check "data_reply 554" "8 554" "$(smtp b@y.test)"
fault '{"drop_mid_data": 20}'
check "drop_mid_data" "56 354" "$(smtp b@y.test)"
fault '{"drop_after_data": true}'
check "drop_after_data" "56 354" "$(smtp b@y.test)"
fault '{"no_starttls": true}'
check "no_starttls" "64 250" "$(smtp b@y.test)"
fault '{"size_limit": 20}'
check "size_limit" "55 552" "$(smtp b@y.test)"
fault '{"auth_fail": true}'
check "auth_fail" "67 535" "$(smtp b@y.test)"
fault '{"greeting": "554 5.3.2 No service"}'
check "greeting 554" "8 554" "$(smtp b@y.test)"
fault '{}'
check "no delivery from faulted sends" 4 "$(count)"
events () { grep -c "\"event\": \"$1\"" "$EPISTLE_TEST_SMTP_EVENTS"; }
for _ in 1 2 3 4 5 6 7 8 9 10; do   # the last close may still be on its way
  [ "$(events connect)" = "$(events close)" ] && break; sleep 0.1
done
check "events: one close per connect" "$(events connect)" "$(events close)"

check "secret-tool store" 0 "$(secret-tool store --label=x a b <<<secret 2>&1; echo $?)"
check "secret-tool lookup" secret "$(secret-tool lookup a b)"
check "no keyring in the app's XDG_DATA_HOME" "" "$(ls -A "$XDG_DATA_HOME")"

exit "$failed"
