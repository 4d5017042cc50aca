# rvpn peer for ../shared/bench (sourced by its peers.sh; see bench/README.md,
# "Peer comparison"; bench/run-peers.sh runs it next to OpenVPN and ocserv).
# bench_rvpn: rvpn-server in rb-srv on 198.18.1.1:443 with the bench PKI's
# server certificate, rvpn-client in rb-cli verifying it against the bench CA
# and pinning the server's identity key, routing only 198.18.0.0/24 through
# the tunnel (rb-srv already masquerades 10.200.0.0/24, so rvpn's own NAT
# stays off).
# RVPN_BUILD: the build directory holding src/rvpn-server, src/rvpn-client
# and src/rvpnctl (default: <repo>/_ci/release, the CI's release build).

# the repository this file belongs to (peers.d/ -> bench/ -> repo)
RVPN_BENCH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

bench_rvpn() {
	local d=$STATE/rvpn bin=${RVPN_BUILD:-$RVPN_BENCH_REPO/_ci/release}
	local srv=$bin/src/rvpn-server cli=$bin/src/rvpn-client ctl=$bin/src/rvpnctl
	local pub chk

	if [[ ! -x $srv || ! -x $cli || ! -x $ctl ]]; then
		log "rvpn: no rvpn-server/rvpn-client/rvpnctl in $bin/src (set RVPN_BUILD)"
		return 1
	fi
	mkdir -p "$d"; chmod 700 "$d"
	[[ -s $d/server.key ]] || (umask 077; "$ctl" genkey >"$d/server.key") || return 1
	[[ -s $d/client.key ]] || (umask 077; "$ctl" genkey >"$d/client.key") || return 1
	pub=$("$ctl" pubkey <"$d/server.key") || { log "rvpn: rvpnctl pubkey failed"; return 1; }
	cat >"$d/server.toml" <<EOT
[server]
bind_address = "198.18.1.1:443"
tls_cert_file = "$PKI/server.pem"
tls_key_file = "$PKI/server.key"
identity_key_file = "$d/server.key"
websocket_path = "/api/v1/ws"
control_socket = "$d/rvpn.sock"
pid_file = "$d/rvpn.pid"

[server.network]
nat_enabled = false
dhcp_range = "10.200.0.0/24"
tun_name = "rbrvs0"
EOT
	# a config error is reported here, once, instead of as a server
	# that "did not start"
	if ! chk=$("$srv" -t -c "$d/server.toml" 2>&1); then
		log "rvpn: server configuration rejected: $chk"
		return 1
	fi
	echo "$bin" >"$LOGDIR/rvpn-wss-build.txt"
	bench_vpn rvpn-wss "$srv -f -c $d/server.toml" \
	    "$cli -f --server wss://198.18.1.1:443/api/v1/ws --server-key $pub --key $d/client.key --ca $PKI/ca.pem --route 198.18.0.0/24 --no-dns --tun rbrvc0" \
	    rbrvc0
}
