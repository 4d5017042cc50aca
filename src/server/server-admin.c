/* SPDX-License-Identifier: ISC */
/*
 * What a load balancer and a monitoring system ask of a node: the admin
 * listener (admin_listen, libevent's evhttp on the server's loop, never
 * the public listener) with GET /healthz and GET /metrics, and drain
 * (rvpnctl drain [--kick], undrain).
 *
 * /metrics is the Prometheus text exposition format 0.0.4.  The drop and
 * refusal series come from the X-macro tables of lib/counters.h, the
 * same ones rvpnctl stats and status -j print, so a counter added there
 * appears here with no line of this file changed.
 */
#include "autoconf.h"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctlmsg.h"
#include "log.h"
#include "pool.h"
#include "server.h"
#include "xmalloc.h"

#define ADMIN_TIMEOUT		10	/* seconds a request may take */
#define ADMIN_HEADERS_MAX	8192
#define METRICS_TYPE		"text/plain; version=0.0.4; charset=utf-8"

struct server_admin {
	struct server		*sv;		/* borrowed */
	struct evhttp		*http;
	uint64_t		 t_start;	/* wall clock, Unix seconds */
};

/*
 * Why the node should not get new clients, or NULL when it serves:
 * draining, stopping, its TUN device gone or down, no room for another
 * session.
 */
const char *
server_unhealthy(struct server *sv)
{
	struct ifreq ifr;
	int fd, rc;

	if (sv->stopping)
		return "stopping";
	if (sv->draining)
		return "draining";
	/* Relay-only (no [server.network]): no TUN to check. */
	if (sv->cfg->tun) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s",
		    sv->tun_ifname);
		if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
			return "cannot check the TUN device";
		rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
		close(fd);
		if (rc == -1 || !(ifr.ifr_flags & IFF_UP))
			return "TUN device gone";
	}
	if (sv->nsessions >= sv->cfg->max_clients ||
	    pool_used(sv->pool) >= pool_capacity(sv->pool))
		return "pool full";
	return NULL;
}

static void
admin_reply(struct evhttp_request *req, int code, const char *reason,
    const char *type, struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, body);
}

static void
admin_healthz(struct evhttp_request *req, void *arg)
{
	struct server_admin *ad = arg;
	struct evbuffer *b;
	const char *why;

	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	why = server_unhealthy(ad->sv);
	evbuffer_add_printf(b, "%s\n", why != NULL ? why : "ok");
	admin_reply(req, why != NULL ? 503 : 200, why != NULL ?
	    "Service Unavailable" : "OK", "text/plain; charset=utf-8", b);
	evbuffer_free(b);
}

static void
metric_head(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

static void
metric_u64(struct evbuffer *b, const char *name, const char *labels,
    uint64_t v)
{
	evbuffer_add_printf(b, "%s%s%s%s %llu\n", name,
	    labels != NULL ? "{" : "", labels != NULL ? labels : "",
	    labels != NULL ? "}" : "", (unsigned long long)v);
}

/* One series per X() line of a counters.h table, labelled by its key. */
#define METRIC_DROP(f, key, ...)	evbuffer_add_printf(b,		\
	"rvpn_dropped_packets_total{reason=\"" key "\"} %llu\n",	\
	(unsigned long long)st.c.f);
#define METRIC_TUN_DROP(f, key, ...)	evbuffer_add_printf(b,		\
	"rvpn_dropped_packets_total{reason=\"" key "\"} %llu\n",	\
	(unsigned long long)st.tun.f);
#define METRIC_RELAY(f, key, ...)	evbuffer_add_printf(b,		\
	"rvpn_relay_streams_total{result=\"" key "\"} %llu\n",	\
	(unsigned long long)st.relay.f);
#define METRIC_PREAUTH(f, key, ...)	evbuffer_add_printf(b,		\
	"rvpn_refused_connections_total{reason=\"" key "\"} %llu\n",	\
	(unsigned long long)st.pre.f);

static void
admin_metrics(struct evhttp_request *req, void *arg)
{
	struct server_admin *ad = arg;
	struct server *sv = ad->sv;
	struct ctlmsg_stats st;
	struct evbuffer *b;
	struct session *s;
	unsigned nstate[3] = { 0, 0, 0 }, i;
	const char *why;
	char lab[96];

	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	server_update_time(sv);
	server_stats_get(sv, &st);
	TAILQ_FOREACH(s, &sv->sessions, entry) {
		if ((unsigned)s->state < 3)
			nstate[s->state]++;
	}
	why = server_unhealthy(sv);

	metric_head(b, "rvpn_build_info", "gauge",
	    "The running build and this node's node_name.");
	evbuffer_add_printf(b, "rvpn_build_info{version=\"%s\",node=\"%s\"} "
	    "1\n", PACKAGE_VERSION, sv->node);
	metric_head(b, "rvpn_start_time_seconds", "gauge",
	    "When the server started, Unix seconds.");
	metric_u64(b, "rvpn_start_time_seconds", NULL, ad->t_start);
	metric_head(b, "rvpn_healthy", "gauge",
	    "1 when /healthz answers 200 (serving), else 0.");
	metric_u64(b, "rvpn_healthy", NULL, why == NULL);
	metric_head(b, "rvpn_draining", "gauge",
	    "1 while drained by rvpnctl drain.");
	metric_u64(b, "rvpn_draining", NULL, sv->draining);

	metric_head(b, "rvpn_sessions", "gauge",
	    "Connections past the upgrade, by state.");
	metric_u64(b, "rvpn_sessions", "state=\"handshake\"",
	    nstate[SESSION_HANDSHAKE]);
	metric_u64(b, "rvpn_sessions", "state=\"up\"", nstate[SESSION_UP]);
	metric_u64(b, "rvpn_sessions", "state=\"closing\"",
	    nstate[SESSION_CLOSING]);
	metric_head(b, "rvpn_pending_connections", "gauge",
	    "Connections not yet authenticated (TLS, HTTP, handshake).");
	metric_u64(b, "rvpn_pending_connections", NULL, st.pending);
	metric_head(b, "rvpn_max_clients", "gauge",
	    "The max_clients setting.");
	metric_u64(b, "rvpn_max_clients", NULL, sv->cfg->max_clients);

	metric_head(b, "rvpn_handshakes_total", "counter",
	    "Handshakes by result: ok, aborted (gone before handshaking), "
	    "refused (by close code).");
	metric_u64(b, "rvpn_handshakes_total", "result=\"ok\",code=\"\"",
	    st.sessions_total);
	metric_u64(b, "rvpn_handshakes_total", "result=\"aborted\",code=\"\"",
	    st.hs_aborted);
	for (i = 0; i < st.nrefused; i++) {
		snprintf(lab, sizeof(lab), "result=\"refused\",code=\"%u\"",
		    st.refused[i].code);
		metric_u64(b, "rvpn_handshakes_total", lab,
		    st.refused[i].count);
	}

	metric_head(b, "rvpn_received_bytes_total", "counter",
	    "Bytes of packets received from clients (to the TUN or a peer).");
	metric_u64(b, "rvpn_received_bytes_total", NULL, st.c.rx_bytes);
	metric_head(b, "rvpn_received_packets_total", "counter",
	    "Packets received from clients.");
	metric_u64(b, "rvpn_received_packets_total", NULL, st.c.rx_pkts);
	metric_head(b, "rvpn_sent_bytes_total", "counter",
	    "Bytes of packets sent to clients.");
	metric_u64(b, "rvpn_sent_bytes_total", NULL, st.c.tx_bytes);
	metric_head(b, "rvpn_sent_packets_total", "counter",
	    "Packets sent to clients.");
	metric_u64(b, "rvpn_sent_packets_total", NULL, st.c.tx_pkts);

	metric_head(b, "rvpn_dropped_packets_total", "counter",
	    "Packets dropped, by reason (rvpnctl stats).");
	COUNTERS_DROPS(METRIC_DROP)
	COUNTERS_TUN_DROPS(METRIC_TUN_DROP)
	metric_head(b, "rvpn_refused_connections_total", "counter",
	    "Connections refused or closed before authentication, by reason.");
	COUNTERS_PREAUTH(METRIC_PREAUTH)
	metric_head(b, "rvpn_relay_streams_total", "counter",
	    "Relay streams: opened, and reset by the server by reason.");
	COUNTERS_RELAY(METRIC_RELAY)

	metric_head(b, "rvpn_pool_addresses", "gauge",
	    "Addresses the pool hands out (dhcp_range, dhcp_range6).");
	metric_u64(b, "rvpn_pool_addresses", "family=\"ipv4\"",
	    pool_capacity(sv->pool));
	if (sv->pool6 != NULL)
		metric_u64(b, "rvpn_pool_addresses", "family=\"ipv6\"",
		    pool6_capacity(sv->pool6));
	metric_head(b, "rvpn_pool_free_addresses", "gauge",
	    "Addresses of the pool not leased.");
	metric_u64(b, "rvpn_pool_free_addresses", "family=\"ipv4\"",
	    pool_capacity(sv->pool) - pool_used(sv->pool));
	if (sv->pool6 != NULL)
		metric_u64(b, "rvpn_pool_free_addresses", "family=\"ipv6\"",
		    pool6_capacity(sv->pool6) - pool6_used(sv->pool6));
	if (st.rss_kb != 0) {
		metric_head(b, "rvpn_resident_memory_bytes", "gauge",
		    "The server's resident memory (VmRSS).");
		metric_u64(b, "rvpn_resident_memory_bytes", NULL,
		    st.rss_kb * 1024);
	}
	admin_reply(req, 200, "OK", METRICS_TYPE, b);
	evbuffer_free(b);
}

/* Anything else: 404 (evhttp answers 501 to methods but GET and HEAD). */
static void
admin_other(struct evhttp_request *req, void *arg)
{
	struct evbuffer *b;

	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evbuffer_add_printf(b, "not found: /healthz, /metrics\n");
	admin_reply(req, 404, "Not Found", "text/plain; charset=utf-8", b);
	evbuffer_free(b);
}

/*
 * Bind admin_listen (before privileges go, as the public listener).
 * Off (nothing to do) when it is not set.
 */
int
server_admin_open(struct server *sv, char **cause)
{
	struct server_admin *ad;

	if (sv->cfg->admin_listen == NULL)
		return 0;
	ad = xcalloc(1, sizeof(*ad));
	ad->sv = sv;
	ad->t_start = (uint64_t)time(NULL);
	sv->admin = ad;
	if ((ad->http = evhttp_new(sv->base)) == NULL) {
		xasprintf(cause, "admin_listen: cannot set up HTTP");
		return -1;
	}
	evhttp_set_allowed_methods(ad->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_timeout(ad->http, ADMIN_TIMEOUT);
	evhttp_set_max_headers_size(ad->http, ADMIN_HEADERS_MAX);
	evhttp_set_max_body_size(ad->http, 0);
	if (evhttp_set_cb(ad->http, "/healthz", admin_healthz, ad) != 0 ||
	    evhttp_set_cb(ad->http, "/metrics", admin_metrics, ad) != 0) {
		xasprintf(cause, "admin_listen: cannot set up HTTP");
		return -1;
	}
	evhttp_set_gencb(ad->http, admin_other, ad);
	if (evhttp_bind_socket_with_handle(ad->http, sv->cfg->admin_host,
	    sv->cfg->admin_port) == NULL) {
		xasprintf(cause, "admin_listen %s: cannot listen: %s",
		    sv->cfg->admin_listen, strerror(errno));
		return -1;
	}
	log_info("Admin listener on %s (/healthz, /metrics)",
	    sv->cfg->admin_listen);
	return 0;
}

void
server_admin_close(struct server *sv)
{
	struct server_admin *ad = sv->admin;

	if (ad == NULL)
		return;
	if (ad->http != NULL)
		evhttp_free(ad->http);
	free(ad);
	sv->admin = NULL;
}

/*
 * rvpnctl drain: refuse new handshakes with DRAINING and answer /healthz
 * with 503; with kick, end the sessions up now with the same code, spread
 * over drain_kick_spread seconds (server_drain_tick).  Text for the reply
 * into msg.
 */
void
server_drain(struct server *sv, bool kick, char *msg, size_t len)
{
	sv->draining = true;
	if (kick) {
		sv->kick_start = sv->now;
		sv->kick_total = sv->nsessions;
		sv->kick_done = 0;
		sv->kicking = sv->kick_total != 0;
		snprintf(msg, len, "draining; moving %u sessions over %u s",
		    sv->kick_total, sv->cfg->drain_kick_spread);
	} else
		snprintf(msg, len, "draining; %u sessions stay",
		    sv->nsessions);
	log_info("node %s: %s", sv->node, msg);
}

void
server_undrain(struct server *sv, char *msg, size_t len)
{
	if (sv->kicking)
		snprintf(msg, len, "serving again (%u of %u sessions moved)",
		    sv->kick_done, sv->kick_total);
	else
		snprintf(msg, len, "serving again");
	sv->draining = false;
	sv->kicking = false;
	log_info("node %s: %s", sv->node, msg);
}

/*
 * Once a second while kicking: end sessions so that about total * t /
 * spread of them are gone t seconds in; the first after one second, so
 * that a load balancer polling /healthz has seen the 503 by then.
 */
void
server_drain_tick(struct server *sv)
{
	struct session *s;
	uint64_t t, target, spread = sv->cfg->drain_kick_spread;

	if (!sv->kicking)
		return;
	t = sv->now - sv->kick_start;
	if (t == 0)
		return;
	target = spread == 0 ? sv->kick_total :
	    (uint64_t)sv->kick_total * (t - 1) / spread + 1;
	while (sv->kick_done < target) {
		TAILQ_FOREACH(s, &sv->sessions, entry) {
			if (s->state == SESSION_UP)
				break;
		}
		if (s == NULL) {
			sv->kick_done = sv->kick_total;
			break;
		}
		sv->kick_done++;
		log_info("node %s: drain: moving %s (%u of %u)", sv->node,
		    s->name, sv->kick_done, sv->kick_total);
		session_close(s, PROTO_CLOSE_DRAINING, NULL);
	}
	if (sv->kick_done >= sv->kick_total) {
		sv->kicking = false;
		log_info("node %s: drain: all %u sessions moved", sv->node,
		    sv->kick_total);
	}
}
