#!/usr/bin/env bash
# Load and crash test of the loopback server (not part of go test):
# M SMTP sessions send up to N messages while POP3 sessions read and
# delete; the server is killed with SIGKILL mid-load and started again on
# the same Maildir; then every message the server acknowledged with 250
# must be there exactly once and byte for byte (or deleted by a POP3
# QUIT that answered +OK), and nothing partial may be visible.
#
#   test/crash.sh [SECONDS_BEFORE_KILL] [CONCURRENT_SESSIONS] [MESSAGES]
#
# Defaults: 5 s, 16 sessions, 100000 messages (more than 5 s can send).
# Exit status 0 when nothing was lost, duplicated or left partial.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-5}
conc=${2:-16}
n=${3:-100000}
users=4

work=$(mktemp -d "${TMPDIR:-/tmp}/mailsh-crash.XXXXXX")
server=""
loader=""
cleanup() {
  [ -n "$loader" ] && kill "$loader" 2>/dev/null || true
  [ -n "$server" ] && kill -9 "$server" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "crash: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/mailsh" .
go build -o "$work/crashload" ./test/crashload

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
smtp=127.0.0.1:$(port)
pop3=127.0.0.1:$(port)
: >"$work/users"
for i in $(seq 1 $users); do echo "load$i:pw" >>"$work/users"; done
chmod 600 "$work/users"

# Every session comes from 127.0.0.1: lift the per-client limit.
serve() {
  env HOME="$work/home" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" \
    "$work/mailsh" serve --smtp "$smtp" --pop3 "$pop3" --imap off --maildir "$work/Maildir" \
    --users-file "$work/users" --domain load.test \
    --max-connections 512 --max-client-connections 512 -q \
    >>"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/${smtp%:*}/${smtp#*:}") 2>/dev/null && (exec 3<>"/dev/tcp/${pop3%:*}/${pop3#*:}") 2>/dev/null; then
      return
    fi
    sleep 0.1
  done
  echo "crash: the server did not start" >&2; cat "$work/serve.log" >&2; exit 1
}

serve
"$work/crashload" load -smtp "$smtp" -pop3 "$pop3" -users $users -n "$n" -c "$conc" \
  -ledger "$work/ledger" >"$work/load.out" 2>&1 &
loader=$!
sleep "$secs"
kill -USR1 "$loader"
kill -9 "$server"
wait "$server" 2>/dev/null || true
server=""
sleep 0.3
kill -TERM "$loader"
wait "$loader" || true
loader=""
cat "$work/load.out"

serve
status=0
"$work/crashload" verify -pop3 "$pop3" -users $users -ledger "$work/ledger" -maildir "$work/Maildir" || status=$?
leftover=$(find "$work/Maildir"/*/tmp -type f | wc -l)
echo "crash: ${secs}s of load from $conc SMTP sessions and $users POP3 readers, SIGKILL, restart; files left in tmp/ after the restart: $leftover"
kill "$server"; wait "$server" 2>/dev/null || true; server=""
exit $status
