/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <event2/event.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "ipaddr.h"
#include "key.h"
#include "log.h"
#include "pool.h"
#include "proto.h"
#include "relay.h"
#include "replay.h"
#include "route.h"
#include "server.h"
#include "stream.h"
#include "txq.h"
#include "vnet.h"
#include "wsmsg.h"
#include "xmalloc.h"

#define REC(buf)	((buf) + LWS_PRE)

static void	session_key_del(struct session *);
static void	session_relay_want(void *);

/* Relay sessions: lib/relay.c's streams, server-relay.c's connects. */
static const struct relay_ops session_relay_ops = {
	session_relay_want, server_relay_open, NULL, server_relay_closed,
};
#define SESSION_RELAY_BUF	(1 + STREAM_MSG_MAX + PROTO_TAG_LEN)

/* Every stream of a relay session reset; the count goes down. */
static void
session_relay_end(struct session *s)
{
	if (s->relay == NULL)
		return;
	/* The session-end line and the totals count stream bytes. */
	s->stats.rx_bytes += relay_stats(s->relay)->rx_bytes;
	s->stats.tx_bytes += relay_stats(s->relay)->tx_bytes;
	s->sv->stats.relay.relay_limit += relay_stats(s->relay)->limited;
	relay_free(s->relay);
	s->relay = NULL;
	s->sv->nrelay--;
}

static const char *const session_state_names[] = {
	"handshake", "up", "closing",
};

/* A new connection that upgraded to rvpn.v1; it must handshake first. */
struct session *
session_new(struct server *sv, struct lws *wsi, const char *remote)
{
	struct session *s;

	s = xcalloc(1, sizeof(*s));
	s->sv = sv;
	s->wsi = wsi;
	s->state = SESSION_HANDSHAKE;
	snprintf(s->remote, sizeof(s->remote), "%s", remote);
	snprintf(s->name, sizeof(s->name), "-");
	s->hs = proto_hs_new();
	proto_hs_set_pub(s->hs, sv->pub);
	/* No receive buffer until a message comes in fragments. */
	s->ctlbuf = xmalloc(LWS_PRE + SERVER_CTL_CAP);
	s->t_start = s->t_rx = s->t_tx = s->t_data = sv->now;
	TAILQ_INSERT_TAIL(&sv->sessions, s, entry);
	log_debug("%s: connection from %s", __func__, s->remote);
	return s;
}

/* Unroute first: a released lease can be handed out at once. */
static void
session_release(struct session *s)
{
	struct server *sv = s->sv;

	if (!s->leased)
		return;
	route_del(sv->routes, s->addr, s);
	pool_release(sv->pool, s->addr);
	if (s->leased6) {
		route6_del(sv->routes6, &s->addr6, s);
		pool6_release(sv->pool6, &s->addr6);
		s->leased6 = false;
	}
	s->leased = false;
	sv->nsessions--;
}

/*
 * With dhcp_range6: an IPv6 address too, its static one or the one of
 * its IPv4 host number if free (see pool.h), and its route.  A POOL_*
 * code; the caller refuses the session.
 */
static int
session_lease6(struct session *s)
{
	struct server *sv = s->sv;
	uint64_t host;
	int rc;

	if (sv->pool6 == NULL)
		return POOL_OK;
	host = ntohl(s->addr.s_addr) - ntohl(sv->cfg->dhcp_range.addr.s_addr);
	if ((rc = pool6_alloc(sv->pool6, s->pub, host, &s->addr6)) != POOL_OK)
		return rc;
	if (route6_add(sv->routes6, &s->addr6, s) == -1) {
		pool6_release(sv->pool6, &s->addr6);
		return POOL_ERR_TAKEN;
	}
	s->leased6 = true;
	return POOL_OK;
}

/*
 * Free a session whose wsi is gone (LWS_CALLBACK_CLOSED, or at context
 * destruction): route entry, lease, cipher states, buffers; one log line.
 */
void
session_free(struct session *s)
{
	struct server *sv;
	char addr[INET6_ADDRSTRLEN];
	struct counters *st;

	if (s == NULL)
		return;
	sv = s->sv;
	st = &s->stats;
	session_release(s);
	session_relay_end(s);
	server_stats_end(sv, s);

	if (s->addr.s_addr != 0)
		ipaddr_str4(s->addr, addr, sizeof(addr));
	else
		snprintf(addr, sizeof(addr), "-");
	server_update_time(sv);
	log_info("session end: %s %s from %s rx %llu bytes/%llu pkts "
	    "tx %llu/%llu ipv6 ignored %llu drops %llu duration %llus "
	    "reason: %s", s->name, addr, s->remote,
	    (unsigned long long)st->rx_bytes, (unsigned long long)st->rx_pkts,
	    (unsigned long long)st->tx_bytes, (unsigned long long)st->tx_pkts,
	    (unsigned long long)st->ipv6,
	    (unsigned long long)counters_drops(st),
	    (unsigned long long)(sv->now - s->t_start),
	    s->close_reason[0] != '\0' ? s->close_reason :
	    "connection closed");

	proto_hs_free(s->hs);
	s->hs = NULL;
	proto_session_free(s->ps);
	s->ps = NULL;
	wsmsg_rx_free(&s->rx);
	txq_free(s->txq);
	s->txq = NULL;
	free(s->relaybuf);
	free(s->ctlbuf);
	session_key_del(s);
	TAILQ_REMOVE(&sv->sessions, s, entry);
	freezero(s, sizeof(*s));

	if (sv->stopping && TAILQ_EMPTY(&sv->sessions))
		event_base_loopbreak(sv->base);
}

/* Ask lws for a WRITEABLE callback, once until it comes. */
void
session_request_write(struct session *s)
{
	if (s->write_requested || s->wsi == NULL)
		return;
	s->write_requested = true;
	lws_callback_on_writable(s->wsi);
}

/*
 * End a session with a close code: its route and lease go at once (a
 * reconnecting client may take the address over), then on WRITEABLE a
 * CONTROL CLOSE (if keyed) and the WebSocket close with the code.  The
 * rest is freed when lws reports the wsi closed.
 */
void
session_close(struct session *s, int code, const char *detail)
{
	struct proto_control c;
	const char *text;

	if (s->state == SESSION_CLOSING)
		return;
	text = proto_close_reason(code);
	if (text == NULL)
		text = "closed";
	if (detail == NULL)
		detail = text;
	session_release(s);
	session_relay_end(s);
	s->close_code = code;
	snprintf(s->close_reason, sizeof(s->close_reason), "%s", detail);
	if (s->txq != NULL)
		txq_clear(s->txq);
	s->ctllen = 0;
	if (s->state == SESSION_UP && code != LWS_CLOSE_STATUS_NORMAL) {
		memset(&c, 0, sizeof(c));
		c.type = PROTO_CTL_CLOSE;
		c.code = (uint16_t)code;
		snprintf(c.reason, sizeof(c.reason), "%s", text);
		if (proto_control_build(&c, REC(s->ctlbuf),
		    SERVER_CTL_CAP, &s->ctllen) != PROTO_OK)
			s->ctllen = 0;
		s->ctl_raw = false;
	}
	session_key_del(s);
	s->state = SESSION_CLOSING;
	if (s->wsi != NULL) {
		s->write_requested = false;
		session_request_write(s);
		/* A peer that never reads must not keep us waiting. */
		lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK,
		    SERVER_CLOSE_GRACE);
	}
}

/* Refuse or end with a close code; counts refusals before the handshake. */
void
session_refuse(struct session *s, int code, const char *detail)
{
	if (s->state == SESSION_HANDSHAKE) {
		if (code >= PROTO_CLOSE_BAD_HANDSHAKE &&
		    code < PROTO_CLOSE_BAD_HANDSHAKE + SERVER_NREFUSED)
			s->sv->stats.hs_refused[code -
			    PROTO_CLOSE_BAD_HANDSHAKE]++;
	}
	session_close(s, code, detail);
}

/*
 * The sessions that are up, by client key: a new handshake finds the
 * session it replaces without a walk of every session (one process, one
 * server: a static table).  Chains are keyed by a random secret, so
 * keys chosen to collide do not line up.
 */
#define SESSION_KEYTAB	4096		/* a power of two */
static struct session	*session_keytab[SESSION_KEYTAB];
static uint64_t		 session_keytab_key[2];
static bool		 session_keytab_init;

static uint64_t
session_key_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static struct session **
session_key_bucket(const uint8_t *pub)
{
	uint64_t w[2];

	if (!session_keytab_init) {
		if (getentropy(session_keytab_key,
		    sizeof(session_keytab_key)) == -1)
			fatal("getentropy");
		session_keytab_init = true;
	}
	memcpy(w, pub, sizeof(w));
	return &session_keytab[session_key_mix(session_key_mix(w[0] ^
	    session_keytab_key[0]) ^ w[1] ^ session_keytab_key[1]) &
	    (SESSION_KEYTAB - 1)];
}

static void
session_key_add(struct session *s)
{
	struct session **b = session_key_bucket(s->pub);

	s->key_next = *b;
	*b = s;
	s->keyed = true;
}

static void
session_key_del(struct session *s)
{
	struct session **pp;

	if (!s->keyed)
		return;
	for (pp = session_key_bucket(s->pub); *pp != NULL;
	    pp = &(*pp)->key_next) {
		if (*pp == s) {
			*pp = s->key_next;
			break;
		}
	}
	s->key_next = NULL;
	s->keyed = false;
}

/* The session of a client key that is up, if any. */
static struct session *
session_find_key(struct server *sv, const uint8_t *pub, struct session *not)
{
	struct session *s;

	for (s = *session_key_bucket(pub); s != NULL; s = s->key_next) {
		if (s != not && s->state == SESSION_UP &&
		    s->relay_path == not->relay_path &&
		    key_equal(s->pub, pub))
			return s;
	}
	return NULL;
}

/* The authorized-clients entry of a key, or NULL. */
static const struct config_client *
session_find_client(const struct server_config *cfg, const uint8_t *pub)
{
	unsigned i;

	for (i = 0; i < cfg->nclients; i++) {
		if (key_equal(cfg->clients[i].pub, pub))
			return &cfg->clients[i];
	}
	return NULL;
}

/*
 * Reload: end the sessions whose key is not in cfg's authorized clients
 * (4012) and take the new names of the others.  Without an
 * authorized-clients file every key stays.  Returns the number ended.
 */
unsigned
session_revoke(struct server *sv, const struct server_config *cfg)
{
	const struct config_client *cl;
	struct session *s, *next;
	unsigned n = 0;

	if (cfg->authorized_clients_file == NULL)
		return 0;
	for (s = TAILQ_FIRST(&sv->sessions); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->state != SESSION_UP)
			continue;
		if ((cl = session_find_client(cfg, s->pub)) != NULL) {
			snprintf(s->name, sizeof(s->name), "%s", cl->name);
			continue;
		}
		log_info("reload: key of %s revoked, ending its session",
		    s->name);
		session_close(s, PROTO_CLOSE_REVOKED, NULL);
		n++;
	}
	return n;
}

/* Lease an address: the requested one if usable, else the pool's choice. */
static int
session_lease(struct session *s, const struct proto_hello *hello)
{
	struct server *sv = s->sv;
	int rc;

	rc = pool_alloc(sv->pool, s->pub, hello->has_addr4 ? &hello->addr4 :
	    NULL, &s->addr);
	if (rc != POOL_OK && hello->has_addr4 && rc != POOL_ERR_EXHAUSTED)
		rc = pool_alloc(sv->pool, s->pub, NULL, &s->addr);
	return rc;
}

/* Fill the assignment pushed to the client. */
static void
session_assign(struct session *s, struct proto_assign *a)
{
	struct server_config *cfg = s->sv->cfg;
	unsigned i;

	memset(a, 0, sizeof(*a));
	a->addr4 = s->addr;
	a->prefix4 = cfg->dhcp_range.prefix;
	a->gateway4 = s->sv->gateway;
	for (i = 0; i < cfg->ndns_servers && i < PROTO_MAX_DNS; i++)
		a->dns4[i] = cfg->dns_servers[i];
	a->ndns4 = i;
	/* IPv6 name servers are reached through the tunnel only with IPv6. */
	for (i = 0; s->leased6 && i < cfg->ndns_servers6 &&
	    i < PROTO_MAX_DNS; i++)
		a->dns6[i] = cfg->dns_servers6[i];
	a->ndns6 = i;
	if (s->leased6) {
		a->has_addr6 = true;
		a->addr6 = s->addr6;
		a->prefix6 = cfg->dhcp_range6.prefix;
	}
	a->mtu = (uint16_t)cfg->mtu;
	a->keepalive = (uint16_t)cfg->keepalive;
	for (i = 0; i < cfg->nroutes && i < PROTO_MAX_ROUTES; i++) {
		a->routes[i].family = AF_INET;
		a->routes[i].prefix = cfg->routes[i].prefix;
		a->routes[i].addr.v4 = cfg->routes[i].addr;
	}
	a->nroutes = i;
	/* IPv6 routes only to clients with IPv6, after the IPv4 ones. */
	for (i = 0; s->leased6 && i < cfg->nroutes6 &&
	    a->nroutes < PROTO_MAX_ROUTES; i++) {
		a->routes[a->nroutes].family = AF_INET6;
		a->routes[a->nroutes].prefix = cfg->routes6[i].prefix;
		a->routes[a->nroutes++].addr.v6 = cfg->routes6[i].addr;
	}
}

/*
 * A relay session, authenticated: no address, no route; streams.  The
 * same key may have a TUN session and a relay session at once; a second
 * relay session replaces the first.
 */
static void
session_handshake_relay(struct session *s)
{
	struct server *sv = s->sv;
	struct proto_assign assign;
	struct session *old;
	char detail[PROTO_REASON_MAX + 1];
	int rc;

	if (!sv->cfg->relay) {
		session_refuse(s, PROTO_CLOSE_BAD_HANDSHAKE,
		    "relay mode is off (relay = false)");
		return;
	}
	old = session_find_key(sv, s->pub, s);
	if (old == NULL && sv->nrelay >= sv->cfg->max_clients) {
		session_refuse(s, PROTO_CLOSE_SERVER_FULL, NULL);
		return;
	}
	if (old != NULL)
		session_close(old, PROTO_CLOSE_REPLACED, NULL);
	memset(&assign, 0, sizeof(assign));
	assign.relay = true;
	assign.stream_version = STREAM_VERSION;
	assign.keepalive = (uint16_t)sv->cfg->keepalive;
	s->ps = proto_session_new();
	rc = proto_hs_respond_write(s->hs, &assign, REC(s->ctlbuf),
	    SERVER_CTL_CAP, &s->ctllen, s->ps);
	proto_hs_free(s->hs);
	s->hs = NULL;
	if (rc != PROTO_OK) {
		s->ctllen = 0;
		snprintf(detail, sizeof(detail), "handshake response: %s",
		    proto_strerror(rc));
		session_refuse(s, PROTO_CLOSE_BAD_HANDSHAKE, detail);
		return;
	}
	s->relay = relay_new(&session_relay_ops, s,
	    sv->cfg->relay_max_streams);
	s->relaybuf = xmalloc(LWS_PRE + SESSION_RELAY_BUF);
	sv->nrelay++;
	wsmsg_rx_free(&s->rx);
	preauth_done(sv, s->wsi);
	s->ctl_raw = true;
	s->state = SESSION_UP;
	session_key_add(s);
	sv->stats.hs_ok++;
	s->t_data = sv->now;
	log_info("relay session up: %s from %s", s->name, s->remote);
	session_request_write(s);
}

static void
session_relay_want(void *arg)
{
	struct session *s = arg;

	if (s->state == SESSION_UP)
		session_request_write(s);
}

/* Send STREAM records while the socket takes them (the first always). */
int
session_relay_send(struct session *s, unsigned n)
{
	uint8_t *rec = REC(s->relaybuf);
	size_t len;

	while (s->relay != NULL && (n == 0 ||
	    !lws_send_pipe_choked(s->wsi))) {
		if (relay_next(s->relay, rec + 1, SESSION_RELAY_BUF - 1 -
		    PROTO_TAG_LEN, &len) != 1)
			return 0;
		rec[0] = PROTO_T_STREAM;
		len++;
		if (session_send(s, rec, &len, SESSION_RELAY_BUF, false) == -1)
			return -1;
		s->t_data = s->sv->now;
		n++;
	}
	/* Choked with more to come: lws calls back once it drained. */
	session_request_write(s);
	return 0;
}

/*
 * HANDSHAKE_INIT: authenticate, check version, key, replay and limits,
 * lease an address, route it, and queue HANDSHAKE_RESP.
 */
void
session_handshake(struct session *s, uint8_t *rec, size_t len)
{
	struct server *sv = s->sv;
	struct server_config *cfg = sv->cfg;
	const struct config_client *cl;
	struct proto_hello hello;
	struct proto_assign assign;
	struct session *old;
	char addr[INET6_ADDRSTRLEN], addr6[INET6_ADDRSTRLEN];
	char detail[PROTO_REASON_MAX + 1];
	int rc;

	if (len < 1 || rec[0] != PROTO_T_HANDSHAKE_INIT) {
		session_refuse(s, PROTO_CLOSE_BAD_HANDSHAKE,
		    "first record is not HANDSHAKE_INIT");
		return;
	}
	rc = proto_hs_respond_read(s->hs, sv->priv, rec, len, &hello, s->pub);
	if (rc == PROTO_ERR_VERSION) {
		session_refuse(s, PROTO_CLOSE_VERSION, NULL);
		return;
	}
	if (rc != PROTO_OK) {
		snprintf(detail, sizeof(detail), "bad handshake: %s",
		    proto_strerror(rc));
		session_refuse(s, PROTO_CLOSE_BAD_HANDSHAKE, detail);
		return;
	}
	cl = session_find_client(cfg, s->pub);
	if (cl != NULL)
		snprintf(s->name, sizeof(s->name), "%s", cl->name);
	else
		key_short(s->pub, s->name);
	if (hello.version != PROTO_VERSION) {
		session_refuse(s, PROTO_CLOSE_VERSION, NULL);
		return;
	}
	if (cfg->authorized_clients_file != NULL && cl == NULL) {
		session_refuse(s, PROTO_CLOSE_UNKNOWN_KEY, NULL);
		return;
	}
	if (sv->draining) {
		/* rvpnctl drain: another node, now (no backoff). */
		session_refuse(s, PROTO_CLOSE_DRAINING, NULL);
		return;
	}
	if ((hello.session == PROTO_SESSION_RELAY) != s->relay_path) {
		session_refuse(s, PROTO_CLOSE_BAD_HANDSHAKE, s->relay_path ?
		    "bad handshake: TUN session on the relay path" :
		    "bad handshake: relay session on the TUN path");
		return;
	}
	if (s->relay_path && hello.stream_version != STREAM_VERSION) {
		session_refuse(s, PROTO_CLOSE_VERSION,
		    "unsupported stream version");
		return;
	}
	if (!replay_check_update(sv->replay, s->pub, hello.timestamp)) {
		session_refuse(s, PROTO_CLOSE_REPLAY, NULL);
		return;
	}
	if (s->relay_path) {
		session_handshake_relay(s);
		return;
	}
	old = session_find_key(sv, s->pub, s);
	if (old == NULL && sv->nsessions >= cfg->max_clients) {
		/* max_clients defaults to the pool size: name the cause. */
		session_refuse(s, pool_used(sv->pool) >=
		    pool_capacity(sv->pool) ? PROTO_CLOSE_POOL_EXHAUSTED :
		    PROTO_CLOSE_SERVER_FULL, NULL);
		return;
	}
	if (old != NULL)
		session_close(old, PROTO_CLOSE_REPLACED, NULL);

	switch (session_lease(s, &hello)) {
	case POOL_OK:
		break;
	case POOL_ERR_EXHAUSTED:
		s->addr.s_addr = 0;
		session_refuse(s, PROTO_CLOSE_POOL_EXHAUSTED, NULL);
		return;
	default:
		s->addr.s_addr = 0;
		session_refuse(s, PROTO_CLOSE_ADDRESS_TAKEN, NULL);
		return;
	}
	if (route_add(sv->routes, s->addr, s) == -1) {
		pool_release(sv->pool, s->addr);
		session_refuse(s, PROTO_CLOSE_ADDRESS_TAKEN,
		    "address already routed");
		return;
	}
	s->leased = true;
	sv->nsessions++;
	switch (session_lease6(s)) {
	case POOL_OK:
		break;
	case POOL_ERR_EXHAUSTED:
		session_refuse(s, PROTO_CLOSE_POOL_EXHAUSTED,
		    "IPv6 address pool exhausted");
		return;
	default:
		session_refuse(s, PROTO_CLOSE_ADDRESS_TAKEN,
		    "IPv6 address already in use");
		return;
	}

	session_assign(s, &assign);
	s->ps = proto_session_new();
	rc = proto_hs_respond_write(s->hs, &assign, REC(s->ctlbuf),
	    SERVER_CTL_CAP, &s->ctllen, s->ps);
	explicit_bzero(&assign, sizeof(assign));
	proto_hs_free(s->hs);
	s->hs = NULL;
	if (rc != PROTO_OK) {
		s->ctllen = 0;
		snprintf(detail, sizeof(detail), "handshake response: %s",
		    proto_strerror(rc));
		session_refuse(s, PROTO_CLOSE_BAD_HANDSHAKE, detail);
		return;
	}
	/* The queue only for authenticated clients: up to 1 MiB each. */
	s->txq = txq_new(SESSION_TXQ_BYTES, LWS_PRE);
	wsmsg_tls_keep_buffers(s->wsi);
	/* The handshake's small reassembly buffer is not needed again. */
	wsmsg_rx_free(&s->rx);
	preauth_done(sv, s->wsi);
	s->ctl_raw = true;
	s->state = SESSION_UP;
	session_key_add(s);
	sv->stats.hs_ok++;
	s->t_data = sv->now;
	log_info("session up: %s %s from %s%s%s", s->name,
	    ipaddr_str4(s->addr, addr, sizeof(addr)), s->remote,
	    s->leased6 ? " address6 " : "", s->leased6 ?
	    ipaddr_str6(&s->addr6, addr6, sizeof(addr6)) : "");
	session_request_write(s);
}

/* Once a second: handshake timeout, dead peer, idle, keepalive, rekey. */
void
session_tick(struct session *s)
{
	struct server *sv = s->sv;
	struct server_config *cfg = sv->cfg;
	struct proto_control c;
	uint64_t ka = cfg->keepalive;

	switch (s->state) {
	case SESSION_HANDSHAKE:
		if (sv->now - s->t_start >= SERVER_HS_TIMEOUT)
			session_refuse(s, PROTO_CLOSE_TIMEOUT,
			    "handshake timeout");
		return;
	case SESSION_CLOSING:
		return;
	case SESSION_UP:
		break;
	}
	if (ka > 0 && sv->now - s->t_rx >= 3 * ka) {
		session_close(s, PROTO_CLOSE_TIMEOUT, "keepalive timeout");
		return;
	}
	if (cfg->idle_timeout > 0 &&
	    sv->now - s->t_data >= cfg->idle_timeout) {
		session_close(s, PROTO_CLOSE_IDLE, NULL);
		return;
	}
	/*
	 * PING when quiet, and at least once per keepalive anyway: our
	 * PONGs to the client's PINGs keep t_tx fresh, and the RTT that
	 * rvpnctl status shows comes only from our own PINGs.
	 */
	if (ka > 0 && s->ctllen == 0 && (sv->now - s->t_tx >= ka ||
	    sv->now_ns - s->ping_sent_ns >= ka * 1000000000ULL)) {
		memset(&c, 0, sizeof(c));
		c.type = PROTO_CTL_PING;
		c.ts = s->ping_sent_ns = sv->now_ns;
		session_queue_control(s, &c);
	}
	if (proto_rekey_due(s->ps, sv->now_ns))
		session_request_write(s);
}

/* " source %llu header %llu ...", and the values in that order. */
#define SESSION_DROP_FMT(f, j, l, word)	" " word " %llu"
#define SESSION_DROP_ARG(f, ...)	(unsigned long long)st->f,

/* SIGUSR1: one line of counters per session. */
void
session_dump(struct session *s)
{
	char addr[INET6_ADDRSTRLEN];
	struct counters *st = &s->stats;
	struct proto_counters pc;

	memset(&pc, 0, sizeof(pc));
	if (s->ps != NULL)
		proto_session_counters(s->ps, &pc);
	if (s->addr.s_addr != 0)
		ipaddr_str4(s->addr, addr, sizeof(addr));
	else
		snprintf(addr, sizeof(addr), "-");
	log_info("session %s %s from %s state %s rx %llu bytes/%llu pkts "
	    "tx %llu/%llu drops" COUNTERS_DROPS(SESSION_DROP_FMT)
	    " ipv6 ignored %llu rtt %llums rekeys %llu/%llu",
	    s->name, addr, s->remote, session_state_names[s->state],
	    (unsigned long long)st->rx_bytes, (unsigned long long)st->rx_pkts,
	    (unsigned long long)st->tx_bytes, (unsigned long long)st->tx_pkts,
	    COUNTERS_DROPS(SESSION_DROP_ARG)
	    (unsigned long long)st->ipv6,
	    (unsigned long long)(s->rtt_ns / 1000000),
	    (unsigned long long)pc.rekeys_tx, (unsigned long long)pc.rekeys_rx);
}
