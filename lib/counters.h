/* SPDX-License-Identifier: ISC */
/*
 * Packet counters, each defined once here.  The tables drive the
 * structs, the sums, the control messages (sent as these structs) and
 * every printer: the server's log lines, rvpnctl status and stats, text
 * and JSON.  A new drop reason is one X() line here plus the ++ where
 * it happens (and its line in rvpnctl(8) and the JSON schema).
 */
#ifndef RVPN_COUNTERS_H
#define RVPN_COUNTERS_H

#include <stdint.h>

/*
 * A session's drops by reason: X(field, JSON key, rvpnctl stats label,
 * word in the server's SIGUSR1 line).
 */
#define COUNTERS_DROPS(X)						\
	X(drop_source,	"source",	"forged source address", "source") \
	X(drop_header,	"header",	"bad header",		"header") \
	X(drop_c2c,	"client_to_client", "client to client",	"c2c")	\
	X(drop_tun,	"tun_write",	"TUN write failed",	"tun")	\
	X(drop_queue,	"queue_full",	"queue full (overflow)", "queue") \
	X(drop_noroute,	"no_route",	"no route (pool address)", "noroute")

/* The server's own drops, on the TUN side: X(field, JSON key, label). */
#define COUNTERS_TUN_DROPS(X)						\
	X(tun_noroute,	"tun_no_route",	"no route (from the TUN)")	\
	X(tun_short,	"tun_short",	"short or bad version (TUN)")

/*
 * Connections refused or closed before authentication (rvpn-server(8),
 * Before authentication): X(field, JSON key, rvpnctl stats label).
 */
#define COUNTERS_PREAUTH(X)						\
	X(pre_global,	"max_pending_handshakes", "over max_pending_handshakes") \
	X(pre_source,	"max_pending_per_source", "over max_pending_per_source") \
	X(pre_rate,	"handshake_rate_per_source",			\
	    "over handshake_rate_per_source")				\
	X(pre_timeout,	"timeout",	"not authenticated in time")	\
	X(pre_untrusted, "untrusted_proxy",				\
	    "not from trusted_proxies (proxy_protocol)")		\
	X(pre_proxy_header, "proxy_header", "no valid PROXY v2 header")

/*
 * Relay mode streams, server-wide: opened, and reset by the server by
 * reason (the SOCKS5 reply the application gets).
 */
#define COUNTERS_RELAY(X)						\
	X(relay_opened,	"opened",	"streams opened")		\
	X(relay_not_allowed, "not_allowed",				\
	    "refused by the egress policy (reply 2)")			\
	X(relay_host_unreach, "host_unreachable",			\
	    "name not resolved, host unreachable (reply 4)")		\
	X(relay_net_unreach, "network_unreachable",			\
	    "network unreachable (reply 3)")				\
	X(relay_refused, "connection_refused", "connection refused (reply 5)") \
	X(relay_timeout, "timeout",	"connect timeout (reply 6)")	\
	X(relay_limit,	"stream_limit",	"over relay_max_streams")	\
	X(relay_failed,	"failed",	"other failures (reply 1)")

#define COUNTERS_FIELD(f, ...)	uint64_t f;

/* One session's counters, or a sum of them.  Per packet: never logs. */
struct counters {
	uint64_t	rx_bytes, rx_pkts;	/* client -> TUN/peer */
	uint64_t	tx_bytes, tx_pkts;	/* TUN/peer -> client */
	COUNTERS_DROPS(COUNTERS_FIELD)
	uint64_t	ipv6;	/* IPv6 not carried, or link-local chatter: ignored */
};

/* Before authentication. */
struct counters_preauth {
	COUNTERS_PREAUTH(COUNTERS_FIELD)
};

/* Relay streams. */
struct counters_relay {
	COUNTERS_RELAY(COUNTERS_FIELD)
};

/* The server's TUN side. */
struct counters_tun {
	COUNTERS_TUN_DROPS(COUNTERS_FIELD)
	uint64_t	tun_ipv6;	/* IPv6 on the TUN: ignored */
};

#define COUNTERS_SUM(f, ...)	+ c->f

static inline uint64_t
counters_drops(const struct counters *c)
{
	return 0 COUNTERS_DROPS(COUNTERS_SUM);
}

#define COUNTERS_ADD(f, ...)	to->f += from->f;

static inline void
counters_add(struct counters *to, const struct counters *from)
{
	to->rx_bytes += from->rx_bytes;
	to->rx_pkts += from->rx_pkts;
	to->tx_bytes += from->tx_bytes;
	to->tx_pkts += from->tx_pkts;
	COUNTERS_DROPS(COUNTERS_ADD)
	to->ipv6 += from->ipv6;
}

#endif
