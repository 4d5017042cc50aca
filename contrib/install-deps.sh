#!/bin/sh
# Install the Debian 12 packages rvpn needs to build, test and run.
set -eu
export DEBIAN_FRONTEND=noninteractive
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
	build-essential autoconf automake libtool pkg-config \
	libevent-dev libssl-dev openssl \
	libnl-3-dev libnl-route-3-dev libnftables-dev libcap-dev \
	cmake dpkg-dev ca-certificates \
	clang libclang-rt-14-dev \
	iproute2 nftables iputils-ping curl dnsmasq-base iperf3 python3 python3-jsonschema nginx-light \
	sslscan caddy haproxy python3-prometheus-client \
	procps psmisc kmod groff-base gdb ethtool strace \
	shellcheck systemd systemd-container
# caddy is for tests/lab/proxy-examples.sh only (run in a namespace with
# its own config): its packaged service is not wanted on port 80 here.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	$SUDO systemctl disable --now caddy.service >/dev/null 2>&1 || true
	# haproxy likewise (tests/lab/scale.sh runs its own in a namespace).
	$SUDO systemctl disable --now haproxy.service >/dev/null 2>&1 || true
fi
