#!/bin/sh
# Runs tests/lws-evloop with a throwaway self-signed certificate.
set -eu
t=$(mktemp -d "${TMPDIR:-/tmp}/rvpn-lws.XXXXXX")
trap 'rm -rf "$t"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$t/key.pem" -out "$t/cert.pem" -days 1 -subj /CN=localhost \
	>/dev/null 2>&1
rc=0
"$top_builddir/tests/lws-evloop" "$t/cert.pem" "$t/key.pem" > "$t/out" || rc=$?
cat "$t/out"
grep -q '^not ok' "$t/out" && exit 1
grep -q '^1\.\.10$' "$t/out" || exit 1
exit $rc
