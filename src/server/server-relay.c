/* SPDX-License-Identifier: ISC */
/*
 * Relay mode, the server's side of a stream: the egress policy, name
 * resolution (evdns, asynchronous) and the connection to the
 * destination, trying each address in turn (IPv6 and IPv4 interleaved,
 * the next one after 250 ms or a failure).  Once connected the stream's
 * socket belongs to lib/relay.c.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipaddr.h"
#include "log.h"
#include "relay.h"
#include "server.h"
#include "stream.h"
#include "xmalloc.h"

#define RELAY_CONNECT_TIMEOUT	10	/* seconds per address */
#define RELAY_STAGGER_MS	250	/* Happy Eyeballs: next attempt */
#define RELAY_MAX_ADDRS		8	/* addresses tried per stream */
#define RELAY_MAX_ATTEMPTS	2	/* connects in flight per stream */
#define RELAY_IFADDRS_SECS	5	/* own addresses cached */

struct relay_conn {
	struct session			*s;
	struct relay_stream		*st;
	struct evdns_getaddrinfo_request *req;
	bool				 resolving;
	bool				 in_call;	/* in evdns_getaddrinfo */
	int				 dns_err;	/* its answer, then */
	struct evutil_addrinfo		*dns_ai;
	struct sockaddr_storage		 addrs[RELAY_MAX_ADDRS];
	unsigned			 naddrs, next;
	uint16_t			 port;
	struct {
		struct bufferevent	*bev;
		struct event		*timeout;
		struct relay_conn	*c;
	}				 try[RELAY_MAX_ATTEMPTS];
	unsigned			 ntry;		/* in flight */
	struct event			*stagger;
	int				 reason;	/* of the last failure */
	char				 dest[STREAM_NAME_MAX + 8];
};

static void	relay_conn_next(struct relay_conn *);

/* The server's own addresses, refreshed every few seconds. */
static struct ifaddrs	*relay_ifa;
static uint64_t		 relay_ifa_at;

static bool
relay_own_address(struct server *sv, const struct sockaddr *sa)
{
	struct ifaddrs *ifa;

	if (relay_ifa == NULL || sv->now - relay_ifa_at >= RELAY_IFADDRS_SECS) {
		if (relay_ifa != NULL)
			freeifaddrs(relay_ifa);
		relay_ifa = NULL;
		if (getifaddrs(&relay_ifa) == -1)
			relay_ifa = NULL;
		relay_ifa_at = sv->now;
	}
	for (ifa = relay_ifa; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL ||
		    ifa->ifa_addr->sa_family != sa->sa_family)
			continue;
		if (sa->sa_family == AF_INET &&
		    ((const struct sockaddr_in *)sa)->sin_addr.s_addr ==
		    ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr.s_addr)
			return true;
		if (sa->sa_family == AF_INET6 &&
		    memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr,
		    &((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr,
		    16) == 0)
			return true;
	}
	return false;
}

void
server_relay_cleanup(void)
{
	if (relay_ifa != NULL)
		freeifaddrs(relay_ifa);
	relay_ifa = NULL;
}

/* Loopback, private, link-local, multicast, unspecified, reserved. */
static bool
relay_special4(struct in_addr a)
{
	static const struct { uint32_t net; uint8_t len; } deny[] = {
		{ 0x00000000, 8 },	/* this network, unspecified */
		{ 0x0a000000, 8 },	/* private */
		{ 0x64400000, 10 },	/* shared (CGN) */
		{ 0x7f000000, 8 },	/* loopback */
		{ 0xa9fe0000, 16 },	/* link-local */
		{ 0xac100000, 12 },	/* private */
		{ 0xc0000000, 24 },	/* IETF protocol assignments */
		{ 0xc0a80000, 16 },	/* private */
		{ 0xe0000000, 4 },	/* multicast */
		{ 0xf0000000, 4 },	/* reserved, broadcast */
	};
	struct in_addr net;
	unsigned i;

	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++) {
		net.s_addr = htonl(deny[i].net);
		if (ipaddr_in_cidr4(a, net, deny[i].len))
			return true;
	}
	return false;
}

static bool
relay_special6(const struct in6_addr *a)
{
	return IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a) ||
	    IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_SITELOCAL(a) ||
	    IN6_IS_ADDR_MULTICAST(a) ||
	    (a->s6_addr[0] & 0xfe) == 0xfc ||		/* fc00::/7 ULA */
	    IN6_IS_ADDR_V4COMPAT(a);
}

/*
 * The egress policy for one destination address and port: relay_deny
 * and relay_ports first, then relay_allow, then the default refusals
 * (special-purpose ranges, the server's own addresses, the TUN pools).
 */
static bool
relay_allowed(struct server *sv, const struct sockaddr *sa)
{
	struct server_config *cfg = sv->cfg;
	struct sockaddr_in sin;
	const struct in6_addr *a6;
	struct in_addr a4;
	uint16_t port;
	unsigned i;

	if (sa->sa_family == AF_INET6) {
		a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			/* Judged as the IPv4 address it is. */
			memset(&sin, 0, sizeof(sin));
			sin.sin_family = AF_INET;
			sin.sin_port = htons(port);
			memcpy(&sin.sin_addr, a6->s6_addr + 12, 4);
			return relay_allowed(sv, (struct sockaddr *)&sin);
		}
	} else {
		a6 = NULL;
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	}
	if (cfg->nrelay_ports > 0) {
		for (i = 0; i < cfg->nrelay_ports; i++) {
			if (port >= cfg->relay_ports[i].lo &&
			    port <= cfg->relay_ports[i].hi)
				break;
		}
		if (i == cfg->nrelay_ports)
			return false;
	}
	if (a6 != NULL) {
		if (config_in_prefixes(cfg->relay_deny, cfg->nrelay_deny,
		    AF_INET6, a6))
			return false;
		if (config_in_prefixes(cfg->relay_allow, cfg->nrelay_allow,
		    AF_INET6, a6))
			return true;
		if (relay_special6(a6) || relay_own_address(sv, sa))
			return false;
		if (cfg->dhcp_range6.prefix != 0 && ipaddr_in_cidr6(a6,
		    &cfg->dhcp_range6.addr, cfg->dhcp_range6.prefix))
			return false;
		return true;
	}
	a4 = ((const struct sockaddr_in *)sa)->sin_addr;
	if (config_in_prefixes(cfg->relay_deny, cfg->nrelay_deny, AF_INET,
	    &a4))
		return false;
	if (config_in_prefixes(cfg->relay_allow, cfg->nrelay_allow, AF_INET,
	    &a4))
		return true;
	if (relay_special4(a4) || relay_own_address(sv, sa))
		return false;
	if (sv->pool != NULL && ipaddr_in_cidr4(a4, cfg->dhcp_range.addr,
	    cfg->dhcp_range.prefix))
		return false;
	return true;
}

static void
relay_try_free(struct relay_conn *c, unsigned i)
{
	if (c->try[i].bev != NULL)
		bufferevent_free(c->try[i].bev);
	if (c->try[i].timeout != NULL)
		event_free(c->try[i].timeout);
	c->try[i].bev = NULL;
	c->try[i].timeout = NULL;
}

static void
relay_conn_free(struct relay_conn *c)
{
	unsigned i;

	for (i = 0; i < RELAY_MAX_ATTEMPTS; i++)
		relay_try_free(c, i);
	if (c->stagger != NULL)
		event_free(c->stagger);
	if (c->req != NULL) {
		/* The callback runs once more, with EVUTIL_EAI_CANCEL. */
		c->st = NULL;
		evdns_getaddrinfo_cancel(c->req);
		return;
	}
	free(c);
}

/* The reason for a failed connect, from its errno. */
static int
relay_errno_reason(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return STREAM_R_REFUSED;
	case ENETUNREACH:
		return STREAM_R_NET_UNREACH;
	case EHOSTUNREACH:
		return STREAM_R_HOST_UNREACH;
	case ETIMEDOUT:
		return STREAM_R_TIMEOUT;
	default:
		return STREAM_R_GENERAL;
	}
}

/* A stream the server resets, by reason (rvpnctl stats). */
static void
relay_count_reason(struct counters_relay *cr, int reason)
{
	switch (reason) {
	case STREAM_R_NOT_ALLOWED:
		cr->relay_not_allowed++;
		break;
	case STREAM_R_HOST_UNREACH:
		cr->relay_host_unreach++;
		break;
	case STREAM_R_NET_UNREACH:
		cr->relay_net_unreach++;
		break;
	case STREAM_R_REFUSED:
		cr->relay_refused++;
		break;
	case STREAM_R_TIMEOUT:
		cr->relay_timeout++;
		break;
	default:
		cr->relay_failed++;
		break;
	}
}

/* Every address failed (or none was left): reset with the last reason. */
static void
relay_conn_fail(struct relay_conn *c)
{
	struct relay_stream *st = c->st;
	int reason = c->reason;

	log_debug("relay: %s: %s: %s", c->s->name, c->dest,
	    stream_reason_str(reason));
	relay_count_reason(&c->s->sv->stats.relay, reason);
	relay_set_owner(st, NULL);
	relay_conn_free(c);
	relay_reset(st, reason);
}

/* One attempt is over: the next address, or failure if none is left. */
static void
relay_try_done(struct relay_conn *c, unsigned i, int reason)
{
	relay_try_free(c, i);
	c->ntry--;
	c->reason = reason;
	if (c->next < c->naddrs)
		relay_conn_next(c);
	else if (c->ntry == 0)
		relay_conn_fail(c);
}

static void
relay_try_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct relay_conn *c = arg;
	struct relay_stream *st = c->st;
	unsigned i;

	for (i = 0; i < RELAY_MAX_ATTEMPTS && c->try[i].bev != bev; i++)
		;
	if (i == RELAY_MAX_ATTEMPTS)
		return;
	if (what & BEV_EVENT_CONNECTED) {
		/* Won: the others are abandoned. */
		c->try[i].bev = NULL;
		relay_set_owner(st, NULL);
		relay_conn_free(c);
		relay_attach(st, bev);
		return;
	}
	relay_try_done(c, i, relay_errno_reason(EVUTIL_SOCKET_ERROR()));
}

static void
relay_try_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct relay_conn *c = *(struct relay_conn **)arg;
	unsigned i;

	(void)fd;
	(void)ev;
	for (i = 0; i < RELAY_MAX_ATTEMPTS; i++) {
		if (arg == &c->try[i].c) {
			relay_try_done(c, i, STREAM_R_TIMEOUT);
			return;
		}
	}
}

static void
relay_stagger_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct relay_conn *c = arg;

	(void)fd;
	(void)ev;
	if (c->next < c->naddrs && c->ntry < RELAY_MAX_ATTEMPTS)
		relay_conn_next(c);
}

/* Start a connect to the next address; the one after it in 250 ms. */
static void
relay_conn_next(struct relay_conn *c)
{
	struct event_base *base = c->s->sv->base;
	struct timeval tv;
	struct sockaddr_storage *ss;
	socklen_t sl;
	unsigned i;

	while (c->next < c->naddrs && c->ntry < RELAY_MAX_ATTEMPTS) {
		for (i = 0; c->try[i].bev != NULL; i++)
			;
		ss = &c->addrs[c->next++];
		sl = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6);
		c->try[i].bev = bufferevent_socket_new(base, -1,
		    BEV_OPT_CLOSE_ON_FREE);
		if (c->try[i].bev == NULL) {
			c->reason = STREAM_R_GENERAL;
			continue;
		}
		bufferevent_setcb(c->try[i].bev, NULL, NULL,
		    relay_try_eventcb, c);
		c->try[i].c = c;
		c->try[i].timeout = evtimer_new(base, relay_try_timeout_cb,
		    &c->try[i].c);
		tv.tv_sec = RELAY_CONNECT_TIMEOUT;
		tv.tv_usec = 0;
		evtimer_add(c->try[i].timeout, &tv);
		c->ntry++;
		if (bufferevent_socket_connect(c->try[i].bev,
		    (struct sockaddr *)ss, (int)sl) == -1) {
			c->ntry--;
			relay_try_free(c, i);
			c->reason = relay_errno_reason(errno);
			continue;
		}
		/* One in flight: the next only after the stagger. */
		if (c->next < c->naddrs) {
			if (c->stagger == NULL)
				c->stagger = evtimer_new(base,
				    relay_stagger_cb, c);
			tv.tv_sec = RELAY_STAGGER_MS / 1000;
			tv.tv_usec = (RELAY_STAGGER_MS % 1000) * 1000;
			evtimer_add(c->stagger, &tv);
		}
		return;
	}
	if (c->ntry == 0)
		relay_conn_fail(c);
}

/* Keep the allowed addresses, IPv6 and IPv4 taking turns. */
static void
relay_conn_addrs(struct relay_conn *c, struct evutil_addrinfo *ai)
{
	struct server *sv = c->s->sv;
	struct sockaddr_storage v4[RELAY_MAX_ADDRS], v6[RELAY_MAX_ADDRS];
	unsigned n4 = 0, n6 = 0, i4 = 0, i6 = 0;
	bool seen = false, six_first = false;

	for (; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (!seen)
			six_first = ai->ai_family == AF_INET6;
		seen = true;
		((struct sockaddr_in *)ai->ai_addr)->sin_port = htons(c->port);
		if (!relay_allowed(sv, ai->ai_addr)) {
			c->reason = STREAM_R_NOT_ALLOWED;
			continue;
		}
		if (ai->ai_family == AF_INET && n4 < RELAY_MAX_ADDRS)
			memcpy(&v4[n4++], ai->ai_addr, ai->ai_addrlen);
		else if (ai->ai_family == AF_INET6 && n6 < RELAY_MAX_ADDRS)
			memcpy(&v6[n6++], ai->ai_addr, ai->ai_addrlen);
	}
	c->naddrs = 0;
	while (c->naddrs < RELAY_MAX_ADDRS && (i4 < n4 || i6 < n6)) {
		if ((six_first || i4 >= n4) && i6 < n6)
			c->addrs[c->naddrs++] = v6[i6++];
		else if (i4 < n4)
			c->addrs[c->naddrs++] = v4[i4++];
		six_first = !six_first;
	}
}

static void
relay_dns_done(struct relay_conn *c, int err, struct evutil_addrinfo *ai)
{
	c->reason = STREAM_R_HOST_UNREACH;
	if (err == 0 && ai != NULL)
		relay_conn_addrs(c, ai);
	if (ai != NULL)
		evutil_freeaddrinfo(ai);
	relay_conn_next(c);
}

static void
relay_dns_cb(int err, struct evutil_addrinfo *ai, void *arg)
{
	struct relay_conn *c = arg;

	c->resolving = false;
	c->req = NULL;
	if (c->in_call) {
		/* Answered inside evdns_getaddrinfo: handled after it. */
		c->dns_err = err;
		c->dns_ai = ai;
		return;
	}
	if (c->st == NULL) {
		/* Cancelled: the stream is gone. */
		if (ai != NULL)
			evutil_freeaddrinfo(ai);
		free(c);
		return;
	}
	relay_dns_done(c, err, ai);
}

/* relay_ops.open: an OPEN from the client. */
void
server_relay_open(void *arg, struct relay_stream *st,
    const struct stream_msg *m)
{
	struct session *s = arg;
	struct server *sv = s->sv;
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *req;
	struct relay_conn *c;
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;
	char a[INET6_ADDRSTRLEN];

	sv->stats.relay.relay_opened++;
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->st = st;
	c->port = m->port;
	c->reason = STREAM_R_GENERAL;
	relay_set_owner(st, c);
	switch (m->atyp) {
	case STREAM_A_IPV4:
		sin = (struct sockaddr_in *)&c->addrs[0];
		sin->sin_family = AF_INET;
		sin->sin_port = htons(m->port);
		memcpy(&sin->sin_addr, m->addr, 4);
		inet_ntop(AF_INET, m->addr, a, sizeof(a));
		snprintf(c->dest, sizeof(c->dest), "%s:%u", a, m->port);
		break;
	case STREAM_A_IPV6:
		sin6 = (struct sockaddr_in6 *)&c->addrs[0];
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(m->port);
		memcpy(&sin6->sin6_addr, m->addr, 16);
		inet_ntop(AF_INET6, m->addr, a, sizeof(a));
		snprintf(c->dest, sizeof(c->dest), "[%s]:%u", a, m->port);
		break;
	default:
		snprintf(c->dest, sizeof(c->dest), "%s:%u", m->name, m->port);
		break;
	}
	if (m->atyp != STREAM_A_NAME) {
		c->naddrs = 1;
		if (!relay_allowed(sv, (struct sockaddr *)&c->addrs[0])) {
			c->naddrs = 0;
			c->reason = STREAM_R_NOT_ALLOWED;
			relay_conn_fail(c);
			return;
		}
		relay_conn_next(c);
		return;
	}
	if (server_relay_dns(sv) == NULL) {
		c->reason = STREAM_R_HOST_UNREACH;
		relay_conn_fail(c);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	c->resolving = true;
	c->in_call = true;
	req = evdns_getaddrinfo(server_relay_dns(sv), m->name, NULL, &hints,
	    relay_dns_cb, c);
	c->in_call = false;
	/* A lookup answered at once (a literal, the hosts file) is done. */
	if (c->resolving)
		c->req = req;
	else
		relay_dns_done(c, c->dns_err, c->dns_ai);
}

/* relay_ops.closed: the stream went before it was connected. */
void
server_relay_closed(void *arg, struct relay_stream *st)
{
	struct relay_conn *c = relay_owner(st);

	(void)arg;
	relay_set_owner(st, NULL);
	if (c != NULL)
		relay_conn_free(c);
}

/* The resolver, made on first use (relay sessions only). */
struct evdns_base *
server_relay_dns(struct server *sv)
{
	if (sv->dns == NULL) {
		sv->dns = evdns_base_new(sv->base,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS |
		    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
		if (sv->dns == NULL)
			log_warnx("relay: no resolver (resolv.conf)");
	}
	return sv->dns;
}
