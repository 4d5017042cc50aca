#!/bin/sh
# From a fresh clone to a running rvpn-server, in the foreground:
# installs the build dependencies, builds (libwebsockets with libevent
# support first), creates what a first run needs under ./run if it is
# missing (a self-signed certificate, the identity key, server.toml) and
# starts the server on that working default.  Run as root from the top of
# the source tree.  Stop the server with Ctrl-C: it removes its TUN device
# and nftables table on the way out.
#
#   QUICKSTART_BIND  listen address (default 0.0.0.0:443)
#   QUICKSTART_NO_RUN=1  set everything up but do not start the server
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
state="$top/run"
bind=${QUICKSTART_BIND:-0.0.0.0:443}

if [ "$(id -u)" -ne 0 ]; then
	echo "quickstart: run as root (the server creates a TUN device): sudo $0" >&2
	exit 1
fi

contrib/install-deps.sh
contrib/build-lws.sh
[ -x configure ] || ./bootstrap
[ -f Makefile ] || ./configure --sysconfdir=/etc --localstatedir=/var --runstatedir=/run
make -j"$(nproc)"

mkdir -p "$state"
chmod 700 "$state"
if [ ! -f "$state/cert.pem" ]; then
	host=$(hostname -f 2>/dev/null || hostname)
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$state/key.pem" -out "$state/cert.pem" -days 365 \
		-subj "/CN=$host" -addext "subjectAltName=DNS:$host" \
		>/dev/null 2>&1
	chmod 600 "$state/key.pem"
	echo "quickstart: made a self-signed certificate for $host in $state"
fi
if [ ! -f "$state/server.toml" ]; then
	cat > "$state/server.toml" <<EOT
# Made by contrib/quickstart.sh; see rvpn-server.toml(5).
[server]
bind_address = "$bind"
tls_cert_file = "$state/cert.pem"
tls_key_file = "$state/key.pem"
identity_key_file = "$state/server_identity.key"
websocket_path = "/api/v1/ws"
control_socket = "$state/rvpn-server.sock"
pid_file = "$state/rvpn-server.pid"

[server.network]
nat_enabled = true
dhcp_range = "10.200.0.0/24"
dns_servers = ["1.1.1.1", "8.8.8.8"]
EOT
	echo "quickstart: wrote $state/server.toml"
fi
if [ ! -f "$state/client.key" ]; then
	umask 077
	src/rvpnctl genkey > "$state/client.key"
fi
if [ ! -f "$state/server_identity.key" ]; then
	umask 077
	src/rvpnctl genkey > "$state/server_identity.key"
fi
src/rvpn-server -t -c "$state/server.toml"

pub=$(src/rvpnctl pubkey < "$state/server_identity.key")
cat <<EOT

rvpn-server is starting with $state/server.toml.
Server public key: $pub
Connect a client (copy $state/client.key to it) with:
  rvpn-client -f --server wss://$(hostname -f 2>/dev/null || hostname)/api/v1/ws \\
      --server-key $pub --key client.key --insecure
(--insecure because the certificate is self-signed; the pinned server key
still authenticates the server, see rvpn-client(8).)

EOT
[ "${QUICKSTART_NO_RUN:-0}" = 1 ] && exit 0
exec src/rvpn-server -f -c "$state/server.toml"
