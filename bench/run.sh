#!/usr/bin/env bash
# bench/run.sh: mailsh's built-in server and shell against their peers,
# all on 127.0.0.1 with private temporary directories. It prints tables of
# figures (median and range of RUNS runs) and ratios, and stops what it
# started. It is not part of `go test ./...`.
#
#   bench/run.sh [smtp] [pop3] [imap] [shell] [scale] [go]    (default: all)
#
# Peers: Postfix's smtp-source and smtp-sink, Dovecot (dovecot-pop3d,
# dovecot-imapd),
# Mailpit (go install, when the module proxy allows it), a go-smtp Maildir
# server (bench/gosmtp-maildir), curl. Installed with apt-get if missing
# and running as root; otherwise left out.
#
# Environment: RUNS (default 3), BENCH_TMPDIR (default /var/tmp; every
# server's files go under one directory there, so that they share the
# file system and its cost of making files), POP3_SIZES (default
# "1000 10000 100000"), MAILPIT=path (skip go install).
set -euo pipefail

RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/mailsh-bench.XXXXXX")
chmod 755 "$WORK"
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
SECTIONS=${*:-smtp pop3 imap shell scale go}
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
say() { echo "bench: $*" >&2; }

# --- tools -------------------------------------------------------------
say "building mailsh and the helpers"
(cd "$ROOT" && go build -o "$WORK/mailsh" . && go build -o "$WORK/mailbench" ./bench/mailbench &&
	go build -o "$WORK/gosmtp-maildir" ./bench/gosmtp-maildir)
MAILSH=$WORK/mailsh
MB=$WORK/mailbench

apt_install() {
	[ "$(id -u)" = 0 ] || { say "not root: cannot install $*"; return 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1; }
}
command -v smtp-source >/dev/null || [ -x /usr/sbin/smtp-source ] || apt_install postfix || true
[ -x /usr/lib/dovecot/pop3 ] || apt_install dovecot-pop3d || true
! want imap || [ -x /usr/lib/dovecot/imap ] || apt_install dovecot-imapd || true
command -v curl >/dev/null || apt_install curl || true
export PATH=$PATH:/usr/sbin
MAILPIT=${MAILPIT:-}
if [ -z "$MAILPIT" ] && want smtp; then
	say "go install github.com/axllent/mailpit@v1.33.1 (once)"
	if GOBIN=$WORK/bin go install github.com/axllent/mailpit@v1.33.1 >"$WORK/mailpit-install.log" 2>&1; then
		MAILPIT=$WORK/bin/mailpit
	else
		say "Mailpit could not be installed (module proxy?): $(tail -1 "$WORK/mailpit-install.log"); compared with the others only"
	fi
fi
SINK_USER=()
[ "$(id -u)" = 0 ] && SINK_USER=(-u nobody)

port() { "$MB" port; }
wait_port() {
	for _ in $(seq 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	say "nothing listens on port $1"
	return 1
}
start() { "$@" >>"$WORK/servers.log" 2>&1 & PIDS+=($!); LAST=$!; }
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
now() { date +%s.%N; }
# stats VALUES...: "median (min–max)"
stats() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.6g (%.6g–%.6g)", m, v[1], v[NR]}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; print m}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "-" }'; }
mailsh_serve() { # PORT_SMTP PORT_POP3 MAILDIR [flags]
	local s=$1 p=$2 d=$3
	shift 3
	start "$MAILSH" serve --smtp "127.0.0.1:$s" --pop3 "127.0.0.1:$p" --imap off --maildir "$d" --user alice:secret -q \
		--max-connections 512 --max-client-connections 512 --max-size 256M "$@"
	wait_port "$s"
}

# A cost of this machine that dominates small deliveries: making a file.
probe=$WORK/probe
mkdir "$probe"
t0=$(now)
for i in $(seq 200); do : >"$probe/f$i"; done
t1=$(now)
say "making an empty file in $WORK takes $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", (b-a)/200*1e6}') µs (with the shell's own cost)"
rm -rf "$probe"

# --- SMTP: messages per second with smtp-source -----------------------
if want smtp; then
	echo
	echo "## SMTP delivery, messages/s (smtp-source; median (range) of $RUNS runs)"
	declare -A ADDR
	ADDR[mailsh]=$(port)
	mailsh_serve "${ADDR[mailsh]}" "$(port)" "$WORK/smtp-mailsh"
	ADDR[gosmtp]=$(port)
	start "$WORK/gosmtp-maildir" -addr "127.0.0.1:${ADDR[gosmtp]}" -maildir "$WORK/smtp-gosmtp"
	wait_port "${ADDR[gosmtp]}"
	ADDR[sink]=$(port)
	start smtp-sink "${SINK_USER[@]}" "127.0.0.1:${ADDR[sink]}" 1000
	wait_port "${ADDR[sink]}"
	PEERS=(mailsh gosmtp sink)
	if [ -n "$MAILPIT" ]; then
		ADDR[mailpit]=$(port)
		start "$MAILPIT" --smtp "127.0.0.1:${ADDR[mailpit]}" --listen "127.0.0.1:$(port)" \
			--database "$WORK/mailpit.db" --max 0 --quiet
		wait_port "${ADDR[mailpit]}"
		PEERS=(mailsh mailpit gosmtp sink)
	fi
	printf '| case |'
	for p in "${PEERS[@]}"; do printf ' %s |' "$p"; done
	for p in "${PEERS[@]:1}"; do printf ' mailsh/%s |' "$p"; done
	printf ' files/s, made as a delivery makes them: without fsync; fsynced with new/, one at a time |'
	echo
	printf '|---|'; for _ in "${PEERS[@]}" "${PEERS[@]:1}" probe; do printf -- '---|'; done; echo
	probes=0
	for c in "1024 5000 20" "1024 2000 1" "102400 2000 10"; do
		read -r l m s <<<"$c"
		declare -A R=()
		FP=() FD=()
		for _ in $(seq "$RUNS"); do
			# The file system's own ceiling now: file creation costs move
			# with what was deleted in the last minutes (ext4 skips the
			# inodes of files deleted recently when it allocates one).
			probes=$((probes + 1))
			read -r fp fd < <("$MB" files "$WORK/probe-$probes" 300)
			FP+=("$fp") FD+=("$fd")
			for p in "${PEERS[@]}"; do
				t0=$(now)
				smtp-source -l "$l" -m "$m" -s "$s" -t alice@localhost "127.0.0.1:${ADDR[$p]}"
				t1=$(now)
				R[$p]+="$(awk -v m="$m" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", m/(b-a)}') "
			done
		done
		printf '| -l %s -m %s -s %s |' "$l" "$m" "$s"
		for p in "${PEERS[@]}"; do printf ' %s |' "$(stats ${R[$p]})"; done
		for p in "${PEERS[@]:1}"; do
			printf ' %s |' "$(ratio "$(median ${R[mailsh]})" "$(median ${R[$p]})")"
		done
		printf ' %s; %s |' "$(stats "${FP[@]}")" "$(stats "${FD[@]}")"
		echo
	done
	n=$(find "$WORK/smtp-mailsh/alice/new" -type f | wc -l)
	echo "(mailsh stored $n messages, each in new/ before its 250; go-smtp Maildir fsyncs each message and new/; smtp-sink stores nothing)"
	kill "${PIDS[@]}" 2>/dev/null || true
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	PIDS=()
	rm -rf "$WORK/smtp-mailsh" "$WORK/smtp-gosmtp" "$WORK"/mailpit.db* "$WORK"/probe-*
fi

# --- POP3: 10,000 messages of 4 KB, mailsh against Dovecot -------------
dovecot_start() { # MAILROOT PORT [PROTOCOL: pop3 (default) or imap]
	local dir=$WORK/dovecot proto=${3:-pop3}
	mkdir -p "$dir"
	printf 'alice:{PLAIN}secret::::::\n' >"$dir/passwd"
	local uid gid
	uid=$(id -u) gid=$(id -g)
	[ "$uid" = 0 ] && uid=$(id -u nobody) gid=$(id -g nobody) && chown -R "$uid:$gid" "$1"
	cat >"$dir/dovecot.conf" <<-EOF
		base_dir = $dir/run
		state_dir = $dir/state
		log_path = $dir/dovecot.log
		protocols = $proto
		listen = 127.0.0.1
		ssl = no
		disable_plaintext_auth = no
		auth_mechanisms = plain login
		mail_location = maildir:$1/%u
		first_valid_uid = 1
		pop3_uidl_format = %08Xu%08Xv
		passdb {
		  driver = passwd-file
		  args = scheme=PLAIN username_format=%u $dir/passwd
		}
		userdb {
		  driver = static
		  args = uid=$uid gid=$gid home=$dir/home/%u
		}
		service $proto-login {
		  chroot =
		  inet_listener $proto {
		    port = $2
		  }
		  inet_listener ${proto}s {
		    port = 0
		  }
		}
		service anvil {
		  chroot =
		}
	EOF
	[ "$(id -u)" = 0 ] || printf 'default_login_user = %s\ndefault_internal_user = %s\n' "$(id -un)" "$(id -un)" >>"$dir/dovecot.conf"
	start /usr/sbin/dovecot -F -c "$dir/dovecot.conf"
	wait_port "$2"
}

if want pop3; then
	echo
	echo "## POP3 on 10,000 messages of 4 KB, ms (median (range) of $RUNS sessions after a first one)"
	"$MB" fill "$WORK/pop-master" 10000 4096
	"$MB" link "$WORK/pop-master" "$WORK/pop-mailsh/alice" 1
	"$MB" link "$WORK/pop-master" "$WORK/pop-dovecot/alice" 1
	mp=$(port)
	mailsh_serve "$(port)" "$mp" "$WORK/pop-mailsh"
	dp=$(port)
	HAVE_DOVECOT=0
	if [ -x /usr/lib/dovecot/pop3 ]; then dovecot_start "$WORK/pop-dovecot" "$dp" && HAVE_DOVECOT=1; fi
	sleep 2.1 # directory times must settle before mailsh keeps a listing
	declare -A FIRST P
	for srv in mailsh dovecot; do
		[ $srv = dovecot ] && [ $HAVE_DOVECOT = 0 ] && continue
		a=$mp
		[ $srv = dovecot ] && a=$dp
		read -r FIRST[$srv.login] FIRST[$srv.stat] _ < <("$MB" pop3 "127.0.0.1:$a" alice secret)
		FIRST[$srv.both]=$(awk -v a="${FIRST[$srv.login]}" -v b="${FIRST[$srv.stat]}" 'BEGIN{print a+b}')
	done
	for _ in $(seq "$RUNS"); do
		for srv in mailsh dovecot; do
			[ $srv = dovecot ] && [ $HAVE_DOVECOT = 0 ] && continue
			a=$mp
			[ $srv = dovecot ] && a=$dp
			read -r lo st li ui re n < <("$MB" pop3 "127.0.0.1:$a" alice secret)
			P[$srv.login]+="$lo " P[$srv.stat]+="$st " P[$srv.list]+="$li " P[$srv.uidl]+="$ui " P[$srv.retr]+="$re "
		done
	done
	echo "| | mailsh | Dovecot | mailsh speed (Dovecot time / mailsh time) |"
	echo "|---|---|---|---|"
	# Neither server has listed the maildrop before its first session:
	# both answer the login first and list it by the first STAT.
	for k in login stat both; do
		case $k in
		login) label="first session: login" ;;
		stat) label="first session: STAT (maildrop listed)" ;;
		both) label="first session: login and STAT" ;;
		esac
		echo "| $label | ${FIRST[mailsh.$k]} | ${FIRST[dovecot.$k]:--} | $( [ $HAVE_DOVECOT = 1 ] && ratio "${FIRST[dovecot.$k]}" "${FIRST[mailsh.$k]}") |"
	done
	for k in login stat list uidl retr; do
		label=$k
		[ $k = login ] && label="login again"
		[ $k = retr ] && label="RETR of all 10,000"
		d=-
		r=-
		if [ $HAVE_DOVECOT = 1 ]; then d=$(stats ${P[dovecot.$k]}) r=$(ratio "$(median ${P[dovecot.$k]})" "$(median ${P[mailsh.$k]})"); fi
		echo "| $label | $(stats ${P[mailsh.$k]}) | $d | $r |"
	done
	kill "${PIDS[@]}" 2>/dev/null || true
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	PIDS=()
	rm -rf "$WORK/pop-mailsh" "$WORK/pop-dovecot" "$WORK/dovecot"
fi

# --- IMAP: 10,000 messages of 4 KB, mailsh against Dovecot -------------
if want imap; then
	echo
	echo "## IMAP on 10,000 messages of 4 KB, ms (median (range) of $RUNS sessions after a first one)"
	[ -d "$WORK/pop-master" ] || "$MB" fill "$WORK/pop-master" 10000 4096
	"$MB" link "$WORK/pop-master" "$WORK/imap-mailsh/alice" 1
	"$MB" link "$WORK/pop-master" "$WORK/imap-dovecot/alice" 1
	mi=$(port)
	mailsh_serve "$(port)" "$(port)" "$WORK/imap-mailsh" --imap "127.0.0.1:$mi"
	wait_port "$mi"
	di=$(port)
	HAVE_DOVECOT=0
	if [ -x /usr/lib/dovecot/imap ]; then dovecot_start "$WORK/imap-dovecot" "$di" imap && HAVE_DOVECOT=1; fi
	sleep 2.1 # directory times must settle before mailsh trusts them
	declare -A C I
	imap_addr() { if [ "$1" = dovecot ]; then echo "127.0.0.1:$di"; else echo "127.0.0.1:$mi"; fi; }
	# The first session of each: the messages move from new/ to cur/ and
	# get their UIDs (mailsh-uidlist; Dovecot's uidlist and index).
	for srv in mailsh dovecot; do
		[ $srv = dovecot ] && [ $HAVE_DOVECOT = 0 ] && continue
		read -r lo fl bo ra lg n < <("$MB" imap "$(imap_addr $srv)" alice secret)
		C[$srv.login]=$lo C[$srv.flags]=$fl C[$srv.body]=$bo C[$srv.rate]=$ra C[$srv.logout]=$lg
	done
	sleep 2.1 # the first sessions renamed every file: let cur/'s time settle
	for _ in $(seq "$RUNS"); do
		for srv in mailsh dovecot; do
			[ $srv = dovecot ] && [ $HAVE_DOVECOT = 0 ] && continue
			read -r lo fl bo ra lg n < <("$MB" imap "$(imap_addr $srv)" alice secret)
			I[$srv.login]+="$lo " I[$srv.flags]+="$fl " I[$srv.body]+="$bo " I[$srv.rate]+="$ra " I[$srv.logout]+="$lg "
		done
	done
	echo "| | mailsh | Dovecot | mailsh speed (Dovecot time / mailsh time) |"
	echo "|---|---|---|---|"
	label() {
		case $1 in
		login) echo "connect, greeting, LOGIN, SELECT INBOX" ;;
		flags) echo "FETCH 1:* (FLAGS RFC822.SIZE)" ;;
		body) echo "FETCH 1:* BODY.PEEK[]" ;;
		rate) echo "BODY.PEEK[] messages/s" ;;
		logout) echo "LOGOUT" ;;
		esac
	}
	for k in login flags body rate logout; do
		d=- r=-
		if [ $HAVE_DOVECOT = 1 ]; then
			d=${C[dovecot.$k]}
			# messages/s: the ratio is mailsh's rate / Dovecot's, the same sense
			if [ $k = rate ]; then r=$(ratio "${C[mailsh.$k]}" "$d"); else r=$(ratio "$d" "${C[mailsh.$k]}"); fi
		fi
		echo "| first session (cold): $(label $k) | ${C[mailsh.$k]} | $d | $r |"
	done
	for k in login flags body rate logout; do
		d=- r=-
		if [ $HAVE_DOVECOT = 1 ]; then
			d=$(stats ${I[dovecot.$k]})
			if [ $k = rate ]; then
				r=$(ratio "$(median ${I[mailsh.$k]})" "$(median ${I[dovecot.$k]})")
			else
				r=$(ratio "$(median ${I[dovecot.$k]})" "$(median ${I[mailsh.$k]})")
			fi
		fi
		echo "| $(label $k) | $(stats ${I[mailsh.$k]}) | $d | $r |"
	done
	echo "(each FETCH answered for all $n messages, the literals adding up to the RFC822.SIZE total)"
	kill "${PIDS[@]}" 2>/dev/null || true
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	PIDS=()
	rm -rf "$WORK/imap-mailsh" "$WORK/imap-dovecot" "$WORK/dovecot"
fi

# --- The shell: a 100 MB message in and out ----------------------------
if want shell; then
	echo
	echo "## The shell with a 100 MB message (wall s and peak RSS MB; median (range) of $RUNS runs)"
	big=$WORK/big.txt
	awk 'BEGIN { printf "Subject: big\r\n\r\n"; l = sprintf("%074d", 0); gsub(/0/, "x", l); for (i = 0; i < 1315789; i++) printf "%s\r\n", l }' >"$big"
	sp=$(port)
	start smtp-sink "${SINK_USER[@]}" "127.0.0.1:$sp" 1000
	wait_port "$sp"
	ms=$(port) mp=$(port)
	mailsh_serve "$ms" "$mp" "$WORK/shell-mailsh"
	"$MB" smtpraw "127.0.0.1:$ms" "$big" alice@localhost # one 100 MB message for RETR
	sleep 2.1
	declare -A T
	timed() { # LABEL COMMAND...: adds the wall seconds and peak RSS (MB) to T
		local label=$1
		shift
		/usr/bin/time -o "$WORK/time.out" -f '%e %M' "$@" >/dev/null 2>&1 || say "$label: exit status $?"
		read -r w k <"$WORK/time.out"
		T[$label.wall]+="$w " T[$label.rss]+="$(awk -v k="$k" 'BEGIN{printf "%.1f", k/1024}') "
	}
	cat >"$WORK/script.sh" <<-EOF
		(printf 'EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n'; cat '$big'; printf '.\r\nQUIT\r\n') |
			'$MAILSH' smtp://127.0.0.1:$sp
	EOF
	cat >"$WORK/datafile.sh" <<-EOF
		printf 'EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n:data %s\r\nQUIT\r\n' '$big' | '$MAILSH' smtp://127.0.0.1:$sp
	EOF
	cat >"$WORK/retr.sh" <<-EOF
		printf 'USER alice\r\nPASS secret\r\nRETR 1\r\nQUIT\r\n' | '$MAILSH' pop3://127.0.0.1:$mp >'$WORK/retr.out'
	EOF
	# To the screen: a pseudo-terminal that script(1) copies to /dev/null.
	cat >"$WORK/retrtty.sh" <<-EOF
		printf 'USER alice\r\nPASS secret\r\nRETR 1\r\nQUIT\r\n' | '$MAILSH' pop3://127.0.0.1:$mp
	EOF
	HAVE_SCRIPT=0
	command -v script >/dev/null && HAVE_SCRIPT=1
	for _ in $(seq "$RUNS"); do
		timed raw "$MB" smtpraw "127.0.0.1:$sp" "$big"
		timed script bash "$WORK/script.sh"
		timed datafile bash "$WORK/datafile.sh"
		timed curlretr curl -s -o "$WORK/retr.curl" "pop3://alice:secret@127.0.0.1:$mp/1"
		timed retr bash "$WORK/retr.sh"
		if [ $HAVE_SCRIPT = 1 ]; then
			timed curltty script -qc "curl -s pop3://alice:secret@127.0.0.1:$mp/1" /dev/null
			timed retrtty script -qc "bash '$WORK/retrtty.sh'" /dev/null
		fi
	done
	echo "| case | wall s | peak RSS MB | wall against its baseline |"
	echo "|---|---|---|---|"
	echo "| raw pre-stuffed write (1 MB writes) | $(stats ${T[raw.wall]}) | $(stats ${T[raw.rss]}) | baseline |"
	echo "| script mode, DATA on standard input | $(stats ${T[script.wall]}) | $(stats ${T[script.rss]}) | $(ratio "$(median ${T[script.wall]})" "$(median ${T[raw.wall]})") |"
	echo "| script mode, :data FILE | $(stats ${T[datafile.wall]}) | $(stats ${T[datafile.rss]}) | $(ratio "$(median ${T[datafile.wall]})" "$(median ${T[raw.wall]})") |"
	echo "| curl, RETR to a file | $(stats ${T[curlretr.wall]}) | $(stats ${T[curlretr.rss]}) | baseline |"
	echo "| script mode, RETR printed to a file | $(stats ${T[retr.wall]}) | $(stats ${T[retr.rss]}) | $(ratio "$(median ${T[retr.wall]})" "$(median ${T[curlretr.wall]})") |"
	if [ $HAVE_SCRIPT = 1 ]; then
		echo "| curl, RETR to a terminal (script(1)) | $(stats ${T[curltty.wall]}) | $(stats ${T[curltty.rss]}) | baseline |"
		echo "| script mode, RETR printed to a terminal (script(1)) | $(stats ${T[retrtty.wall]}) | $(stats ${T[retrtty.rss]}) | $(ratio "$(median ${T[retrtty.wall]})" "$(median ${T[curltty.wall]})") |"
	fi
	# One small message, the way a script sends one: mailsh against curl.
	printf 'Subject: one\r\n\r\nhello\r\n' >"$WORK/one.txt"
	declare -A O
	for _ in $(seq "$RUNS"); do
		t0=$(now)
		for _ in $(seq 20); do
			printf 'EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: one\r\n\r\nhello\r\n.\r\nQUIT\r\n' | "$MAILSH" "smtp://127.0.0.1:$sp" >/dev/null
		done
		t1=$(now)
		for _ in $(seq 20); do
			curl -s "smtp://127.0.0.1:$sp" --mail-from a@b --mail-rcpt c@d -T "$WORK/one.txt"
		done
		t2=$(now)
		O[mailsh]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", (b-a)/20*1000}') "
		O[curl]+="$(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.2f", (b-a)/20*1000}') "
	done
	echo
	echo "| one-message session to smtp-sink, ms | mailsh | curl | mailsh/curl |"
	echo "|---|---|---|---|"
	echo "| whole process, 20 in a row | $(stats ${O[mailsh]}) | $(stats ${O[curl]}) | $(ratio "$(median ${O[mailsh]})" "$(median ${O[curl]})") |"
	kill "${PIDS[@]}" 2>/dev/null || true
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	PIDS=()
	rm -rf "$WORK/shell-mailsh" "$big" "$WORK"/retr.*
fi

# --- Scale: sessions at once, and mailbox sizes ------------------------
if want scale; then
	echo
	echo "## Scale: mailsh serve, 1 KB messages (median (range) of $RUNS runs; a fresh server each run)"
	echo "| sessions | messages | msgs/s | server peak RSS MB |"
	echo "|---|---|---|---|"
	# Each run has a Maildir of its own, removed at the end of the
	# section: on ext4 without a journal (this kind of machine), making a
	# file passes over every inode freed in the last seconds, so a run
	# started just after removing the last one's files would measure that.
	for s in 1 20 200; do
		m=2000
		declare -A S=()
		for i in $(seq "$RUNS"); do
			sp=$(port)
			mailsh_serve "$sp" "$(port)" "$WORK/scale-mailsh-$s-$i"
			t0=$(now)
			smtp-source -l 1024 -m $m -s $s -t alice@localhost "127.0.0.1:$sp"
			t1=$(now)
			S[rate]+="$(awk -v m=$m -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", m/(b-a)}') "
			S[rss]+="$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$LAST/status") "
			stop "$LAST"
		done
		echo "| $s | $m | $(stats ${S[rate]}) | $(stats ${S[rss]}) |"
	done
	echo
	echo "## Scale: POP3 with mailsh serve, 4 KB messages, ms (median (range) of $RUNS sessions after a first one)"
	echo "| messages | first login and STAT | login again | STAT | LIST | µs per message (LIST) |"
	echo "|---|---|---|---|---|---|"
	[ -d "$WORK/pop-master" ] || "$MB" fill "$WORK/pop-master" 10000 4096
	"$MB" fill "$WORK/pop-1k" 1000 4096
	for n in ${POP3_SIZES:-1000 10000 100000}; do
		dir=$WORK/pop-$n
		rm -rf "$dir"
		if [ "$n" -le 1000 ]; then
			"$MB" link "$WORK/pop-1k" "$dir/alice" $((n / 1000))
		else
			"$MB" link "$WORK/pop-master" "$dir/alice" $((n / 10000))
		fi
		pp=$(port)
		mailsh_serve "$(port)" "$pp" "$dir"
		sleep 2.1
		first=$("$MB" pop3 "127.0.0.1:$pp" alice secret | awk '{print $1+$2}')
		declare -A Q=()
		for _ in $(seq "$RUNS"); do
			read -r lo st li _ _ _ < <("$MB" pop3 "127.0.0.1:$pp" alice secret)
			Q[login]+="$lo " Q[stat]+="$st " Q[list]+="$li "
		done
		echo "| $n | $first | $(stats ${Q[login]}) | $(stats ${Q[stat]}) | $(stats ${Q[list]}) | $(awk -v l="$(median ${Q[list]})" -v n="$n" 'BEGIN{printf "%.2f", l*1000/n}') |"
		stop "$LAST"
		rm -rf "$dir"
	done
	rm -rf "$WORK"/scale-mailsh-*
fi

# --- Go benchmarks: start-up and TAB ------------------------------------
if want go; then
	echo
	echo "## Interactive feel (Go benchmarks)"
	(cd "$ROOT" && go test -run '^$' -bench 'Complete' -benchtime 2000x ./completions/ | grep '^Benchmark')
	(cd "$ROOT" && go test -run '^$' -bench 'Startup' -benchtime 20x . | grep '^Benchmark')
fi
