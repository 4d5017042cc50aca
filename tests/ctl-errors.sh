#!/bin/sh
# rvpnctl's errors talking to the control socket: no server, a stale
# socket, a socket it may not open (EACCES, as user nobody), a server
# that replies with nonsense, and an unknown command.  Each exits 1 with
# its message.  Fake servers are python3 one-shot UNIX listeners.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
: "${top_builddir:=.}"
CTL="$top_builddir/src/rvpnctl"
PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
[ -x "$CTL" ] || { echo "SKIP: $CTL not built"; exit 77; }
[ -n "$PY" ] || { echo "SKIP: no python3"; exit 77; }
T=$(mktemp -d /tmp/rvt-ctl-errors.XXXXXX) || exit 1
FAKE_PID=
cleanup() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
pass() {
	echo "ok: $*"
}

# must_fail WANT-STDERR CMD...: exit 1, exactly that on stderr, no stdout.
must_fail() {
	local want=$1 rc
	shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc = 1 ] && [ "$(cat "$T/err")" = "$want" ] && [ ! -s "$T/out" ]
	then pass "$* -> $want"
	else fail "$*: exit $rc, stderr '$(cat "$T/err")', stdout '$(cat "$T/out")'"
	fi
}

# No server: the file is not there.
must_fail "rvpnctl: cannot connect to $T/none.sock: No such file or directory (is rvpn-server running?)" \
	"$CTL" -s "$T/none.sock" status
must_fail "rvpnctl: cannot connect to $T/none.sock: No such file or directory (is rvpn-server running?)" \
	"$CTL" --socket "$T/none.sock" kick 10.200.0.2
# A stale socket: nobody listens.
"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/stale.sock"
must_fail "rvpnctl: cannot connect to $T/stale.sock: Connection refused (is rvpn-server running?)" \
	"$CTL" -s "$T/stale.sock" stats

# A fake server: accept one connection, read the request, send REPLY
# (hex), then close.  Sets FAKE_PID; waits for the socket to appear.
fake() {
	local sock=$1 reply=$2 i=0
	rm -f "$sock"
	"$PY" - "$sock" "$reply" <<'EOF' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1] + ".tmp")
os.chmod(sys.argv[1] + ".tmp", int(sys.argv[3], 8) if len(sys.argv) > 3 else 0o600)
s.listen(1)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(20)
c, _ = s.accept()
c.settimeout(5)
c.recv(4096)
c.sendall(bytes.fromhex(sys.argv[2]))
c.close()
EOF
	FAKE_PID=$!
	while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
# Let the fake exit; it must have been talked to.
fake_done() {
	wait "$FAKE_PID" || fail "fake server: exit $?"
	FAKE_PID=
}

# A message in hex: msg TYPE [BODY-HEX].
msg() {
	"$PY" -c 'import struct, sys
b = bytes.fromhex(sys.argv[2]) if len(sys.argv) > 2 else b""
print((struct.pack(">IB", len(b), int(sys.argv[1])) + b).hex())' "$@"
}
hex() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

S=$T/fake.sock
# Oversized: a length of 1 MiB.
fake "$S" "0010000042"
must_fail "rvpnctl: $S: malformed reply from the server: message too big" \
	"$CTL" -s "$S" status
fake_done
# Unknown type 200.
fake "$S" "$(msg 200)"
must_fail "rvpnctl: $S: malformed reply from the server: unknown message type" \
	"$CTL" -s "$S" stats
fake_done
# Truncated: a STATS header claiming 121 bytes, then 3 of them and EOF.
fake "$S" "0000007944010203"
must_fail "rvpnctl: $S: malformed reply from the server: truncated message" \
	"$CTL" -s "$S" stats -j
fake_done
# A STATS with no body.
fake "$S" "$(msg 68)"
must_fail "rvpnctl: $S: malformed reply from the server: wrong body size for the message type" \
	"$CTL" -s "$S" stats
fake_done
# A well-formed reply of the wrong kind: OK to a status request.
fake "$S" "$(msg 64 "$(hex x)")"
must_fail "rvpnctl: $S: malformed reply from the server: unexpected message type 64" \
	"$CTL" -s "$S" status
fake_done
# STATUS promising one session, then the connection ends: no output.
# (The body is a struct of this build: test-ctlmsg makes it.)
status=$("$top_builddir/tests/unit/test-ctlmsg" status-hex 1) ||
	fail "test-ctlmsg status-hex"
fake "$S" "$status"
must_fail "rvpnctl: $S: the server closed the connection" \
	"$CTL" -s "$S" status -j
fake_done
# The same STATUS from another build (its build id differs).
fake "$S" "${status:0:10}$(printf '%02x' $(( 0x${status:10:2} ^ 1 )))${status:12}"
must_fail "rvpnctl: $S: malformed reply from the server: from another build of rvpn (rvpnctl and rvpn-server must be the same build)" \
	"$CTL" -s "$S" status
fake_done
# Nothing at all.
fake "$S" ""
must_fail "rvpnctl: $S: the server closed the connection" "$CTL" -s "$S" reload
fake_done
# A failed reload: exit 1 with the server's cause.
fake "$S" "$(msg 65 "$(hex "server.toml:3: mtu: '1': must be 576..9000")")"
must_fail "rvpnctl: reload failed: server.toml:3: mtu: '1': must be 576..9000" \
	"$CTL" -s "$S" reload
fake_done
# A server ERROR to a kick is printed as it is.
fake "$S" "$(msg 65 "$(hex "no session for '10.9.9.9'")")"
must_fail "rvpnctl: no session for '10.9.9.9'" "$CTL" -s "$S" kick 10.9.9.9
fake_done
# Positive control for the fakes: a good OK reply to reload.
fake "$S" "$(msg 64 "$(hex reloaded)")"
out=$("$CTL" -s "$S" reload 2>"$T/err") && [ "$out" = reloaded ] &&
	pass "reload OK from a fake server" || fail "reload OK: '$out' '$(cat "$T/err")'"
fake_done

# Permissions: a root socket with mode 0600, rvpnctl run as nobody.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
    id nobody >/dev/null 2>&1 &&
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$CTL" -V \
    >/dev/null 2>&1; then
	chmod 755 "$T"
	fake "$S" "$(msg 64)"
	[ "$(stat -c '%a %U' "$S")" = "600 root" ] || fail "fake socket mode"
	must_fail "rvpnctl: cannot connect to $S: Permission denied (the control socket is for root only)" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$CTL" -s "$S" status
	# The fake is still waiting: root gets through.
	"$CTL" -s "$S" reload >/dev/null 2>&1 || fail "root after nobody"
	fake_done
else
	echo "ok - # SKIP EACCES check needs root, setpriv, user nobody and a" \
	    "build directory nobody can run rvpnctl from"
fi

# Usage errors.
must_fail "rvpnctl: unknown command 'frobnicate'
usage: rvpnctl [-hV] [-s socket] command [arguments]" \
	sh -c "'$CTL' -s '$S' frobnicate 2>&1 >/dev/null | head -2 >&2; exit 1"
"$CTL" -s "$S" frobnicate >/dev/null 2>&1; rc=$?
[ $rc = 1 ] && pass "unknown command exits 1" || fail "unknown command: exit $rc"
must_fail "usage: rvpnctl [-s socket] status [-j]" "$CTL" status --yaml
must_fail "usage: rvpnctl [-s socket] reload" "$CTL" reload now
"$CTL" -s >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] && head -1 "$T/err" | grep -qx "rvpnctl: option '-s' needs an argument" &&
	pass "-s without a path" || fail "-s alone: exit $rc '$(cat "$T/err")'"

[ $fails -eq 0 ] || exit 1
exit 0
