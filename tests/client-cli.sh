#!/bin/sh
# rvpn-client command line, without root: --help covers the man page's
# SYNOPSIS, -V, -t; missing server URL/key, bad --server, --server-key,
# --route, --tun and --key values and unknown options each exit 1 with
# their own message, and each has a passing counterpart.  A flag goes
# through its client.toml key's setter: the same error as the key.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CLI=${RVPN_CLIENT:-$top_builddir/src/rvpn-client}
[ -x "$CLI" ] || { echo "SKIP: $CLI not built"; exit 77; }

T=$(mktemp -d /tmp/rvt-ccli.XXXXXX)
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# Run the client; $rc, $T/out and $T/err hold the result.
run() {
	"$CLI" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
# Expect exit 1 and a line of stderr containing $1 (fixed string).
must_fail() {
	local want=$1
	shift
	run "$@"
	[ "$rc" = 1 ] || fail "$*: exit $rc, want 1 ($(cat "$T/err"))"
	grep -qF -- "$want" "$T/err" ||
		fail "$*: stderr lacks '$want': $(cat "$T/err")"
}
# Expect -t to accept the arguments.
must_pass() {
	run -t "$@"
	[ "$rc" = 0 ] || fail "-t $*: exit $rc ($(cat "$T/err"))"
	grep -qx "configuration OK" "$T/out" || fail "-t $*: $(cat "$T/out")"
}

# A client key and a server public key (X25519, base64).
(umask 077; openssl genpkey -algorithm X25519 -outform DER 2>/dev/null |
	tail -c 32 | base64 >"$T/client.key") || fail "openssl genpkey"
SKEY=$(openssl genpkey -algorithm X25519 -outform DER 2>/dev/null |
	openssl pkey -inform DER -pubout -outform DER 2>/dev/null |
	tail -c 32 | base64)
[ ${#SKEY} = 44 ] || fail "no server key"
URL=wss://198.18.1.1/api/v1/ws
GOOD="--server $URL --server-key $SKEY --key $T/client.key"

# --help: exit 0, on stdout, and every option of the SYNOPSIS in it.
run --help
[ "$rc" = 0 ] || fail "--help: exit $rc"
man=$top_srcdir/man/rvpn-client.8
[ -f "$man" ] || fail "no $man"
opts=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$man" |
	awk '$1 == ".Op" && $2 == "Fl" { print $3 }')
[ "$(echo "$opts" | wc -l)" -ge 13 ] || fail "SYNOPSIS parsed badly: $opts"
for o in $opts; do
	case $o in
	-*) o=-$o ;;		# "Fl -server" is --server
	??*)			# "Fl ft": -f and -t
		for c in $(echo "$o" | sed 's/./& /g'); do
			grep -q -- "-$c[, ]" "$T/out" || fail "--help lacks -$c"
		done
		continue ;;
	*) o=-$o ;;
	esac
	grep -q -- "$o\\b" "$T/out" || fail "--help lacks $o"
done
grep -q '^usage: rvpn-client' "$T/out" || fail "--help has no usage line"
ok "--help lists every SYNOPSIS option"

run -V
[ "$rc" = 0 ] || fail "-V: exit $rc"
grep -Eq '^rvpn-client [0-9]+\.[0-9]+' "$T/out" || fail "-V: $(cat "$T/out")"
ok "-V prints the version"

# Unknown option, stray argument: usage on stderr, exit 1.
must_fail "usage: rvpn-client" --bogus
grep -q "unrecognized option '--bogus'" "$T/err" || fail "--bogus: $(cat "$T/err")"
must_fail "unexpected argument 'stray'" $GOOD stray
grep -q "usage: rvpn-client" "$T/err" || fail "stray: no usage"
# shellcheck disable=SC2086
must_pass $GOOD
ok "unknown option and stray argument: usage, exit 1; good flags pass -t"

# Missing server URL / key.
must_fail "no server URL: give --server URL or server_url" \
	--server-key "$SKEY" --key "$T/client.key"
must_fail "no server key: give --server-key KEY or server_public_key" \
	--server "$URL" --key "$T/client.key"
must_pass --server "$URL" --server-key "$SKEY" --key "$T/client.key"
ok "missing server URL or key: specific errors, exit 1"

# Bad values, each with a good counterpart.
must_fail "command line: server_url: 'https://x/y': " --server https://x/y \
	--server-key "$SKEY" --key "$T/client.key"
must_pass --server ws://127.0.0.1:8080/api/v1/ws/tun --server-key "$SKEY" \
	--key "$T/client.key"
ok "--server: bad scheme refused, ws:// accepted"

must_fail "command line: server_public_key: 'AAAA': not a key" \
	--server "$URL" --server-key AAAA --key "$T/client.key"
ok "--server-key: bad key refused"

# shellcheck disable=SC2086
must_fail "command line: routes: '10.1.2.3/8': host bits set" $GOOD --route 10.1.2.3/8
# shellcheck disable=SC2086
must_fail "command line: routes: '10.0.0.0/33': prefix length" $GOOD --route 10.0.0.0/33
# shellcheck disable=SC2086
must_pass $GOOD --route 10.0.0.0/8 --route 192.168.0.0/16
# shellcheck disable=SC2086
must_pass $GOOD --route 10.0.0.0/8 --route 2001:db8::/32
# shellcheck disable=SC2086
must_fail "command line: routes: '2001:db8::1/32': host bits set" $GOOD --route 2001:db8::1/32
# shellcheck disable=SC2086
must_fail "command line: routes: '2001:db8::/129': prefix length" $GOOD --route 2001:db8::/129
ok "--route: bad prefixes refused, good ones accepted (IPv4 and IPv6)"

# shellcheck disable=SC2086
must_fail "command line: tun_name: 'averyveryverylongname': must be 1..15" \
	$GOOD --tun averyveryverylongname
# shellcheck disable=SC2086
must_pass $GOOD --tun rvt-tun0
ok "--tun: too long a name refused"

must_fail "private key: $T/missing.key: No such file or directory" \
	--server "$URL" --server-key "$SKEY" --key "$T/missing.key"
echo garbage >"$T/bad.key"
chmod 600 "$T/bad.key"
must_fail "private key: $T/bad.key" \
	--server "$URL" --server-key "$SKEY" --key "$T/bad.key"
ok "--key: missing or bad key file refused"

# shellcheck disable=SC2086
must_fail "command line: ca_file: '$T/none.pem': No such file or directory" $GOOD --ca "$T/none.pem"
ok "--ca: missing file refused"

# A configuration file; flags override it.
cat >"$T/client.toml" <<EOF2
[client]
server_url = "$URL"
server_public_key = "$SKEY"
identity_key_file = "$T/client.key"
routes = ["10.0.0.0/8"]
EOF2
must_pass -c "$T/client.toml"
must_pass -c "$T/client.toml" --route 172.16.0.0/12
must_fail "command line: routes: '172.16.0.1/12'" -c "$T/client.toml" --route 172.16.0.1/12
printf '[client]\nserver_url = "ftp://x"\n' >"$T/bad.toml"
must_fail "$T/bad.toml:2: server_url: 'ftp://x'" -c "$T/bad.toml"
ok "-c: good file passes, bad file reports file:line: key: 'value'"

# A flag and its key: the same setter, so the same error after the
# source ("command line:" or "FILE:LINE:").  --tun once accepted names
# tun_name refuses ("..", control characters).
same_error() {	# same_error FLAG KEY VALUE TOML-VALUE
	local flag=$1 key=$2 value=$3 tv=$4 a b
	run $GOOD "$flag" "$value"
	[ "$rc" = 1 ] || fail "$flag '$value': exit $rc, want 1"
	a=$(sed -n 's/^command line: //p' "$T/err")
	printf '[client]\n%s = %s\n' "$key" "$tv" >"$T/same.toml"
	run -c "$T/same.toml" $GOOD
	[ "$rc" = 1 ] || fail "$key = $tv: exit $rc, want 1"
	b=$(sed -n "s|^$T/same.toml:2: ||p" "$T/err")
	[ -n "$a" ] && [ "$a" = "$b" ] ||
		fail "$flag '$value' and $key: '$a' vs '$b'"
	ok "$flag '$value' and $key = $tv: '$a'"
}
same_error --tun tun_name .. '".."'
same_error --tun tun_name "$(printf 'tun\001')" '"tun\u0001"'
same_error --tun tun_name averyveryverylongname '"averyveryverylongname"'
same_error --route routes 10.1.2.3/8 '["10.1.2.3/8"]'
same_error --server-key server_public_key AAAA '"AAAA"'
# GOOD has a --server: a second one makes the list (servers).
same_error --server servers ftp://x '["ftp://x"]'
printf '[client]\nserver_url = "%s"\nservers = ["%s"]\n' "$URL" "$URL" >"$T/both.toml"
must_fail "servers: set servers or server_url, not both" -c "$T/both.toml"
printf '[client]\nservers = ["%s", "%s"]\n' "$URL" "$URL" >"$T/list.toml"
must_pass -c "$T/list.toml" --server-key "$SKEY" --key "$T/client.key"
ok "servers and server_url together: an error; servers alone passes"
same_error --ca ca_file "$T/none.pem" "\"$T/none.pem\""
same_error --key identity_key_file "$T/no/such.key" "\"$T/no/such.key\""

# Without root nothing beyond the checks can happen: the TUN open fails
# with a clear error and exit 1 (only checked when not root).
if [ "$(id -u)" != 0 ]; then
	# shellcheck disable=SC2086
	must_fail "rvpn0" -f $GOOD
	ok "not root: TUN error, exit 1"
fi
exit 0
