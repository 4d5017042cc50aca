/* SPDX-License-Identifier: ISC */
/*
 * rvpn-load: many protocol-level rvpn sessions from one process, for
 * benchmarks.  Each session is a WebSocket (libwebsockets on libevent,
 * as rvpn-client) that runs the Noise handshake with lib/proto.c, then
 * answers the server's PINGs and optionally sends DATA records; no TUN.
 * Sessions start at --rate per second; after --duration seconds the
 * results are printed and every session is closed.
 *
 * Usage: see rvpn_load_usage() and bench/README.md.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <math.h>
#include <libwebsockets.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "config.h"
#include "ctlmsg.h"
#include "key.h"
#include "log.h"
#include "proto.h"
#include "stream.h"
#include "xmalloc.h"

#define LOAD_CTL_CAP	2048		/* handshake / control records */
#define LOAD_RX_SMALL	2048		/* reassembly before a big record */
#define LOAD_TICK_MS	10
#define LOAD_PKT_LEN	64		/* one UDP packet of --traffic */
#define LOAD_MAX_CODES	64
#define LOAD_INJ_MAX	32		/* --inject stream: messages */

enum load_state {
	LS_IDLE,		/* not started yet */
	LS_CONNECTING,		/* TCP, TLS, upgrade */
	LS_HS,			/* HANDSHAKE_INIT sent or queued */
	LS_UP,
	LS_DONE,		/* closed or failed */
};

struct load_sess {
	unsigned		 idx;
	enum load_state		 state;
	struct lws		*wsi;
	const uint8_t		*priv;
	struct proto_hs		*hs;
	struct proto_session	*ps;
	uint64_t		 t_start_ns;
	struct in_addr		 addr;
	uint8_t			 ctl[LWS_PRE + LOAD_CTL_CAP];
	size_t			 ctllen;
	bool			 ctl_raw;
	uint8_t			*rx;		/* reassembly, LWS_PRE + cap */
	size_t			 rxcap, rxlen;
	double			 credit;	/* --traffic packets owed */
	bool			 inject;	/* --inject still to send */
	unsigned		 inj_i, inj_rep;	/* stream: next one */
	bool			 counted;	/* in the result already */
	uint64_t		 rx_bytes;	/* packet bytes in DATA */
	uint64_t		 rx_base;	/* rx_bytes when all were up */
};

struct load {
	struct event_base	*base;
	struct lws_context	*lws;
	struct client_config	*cfg;
	char			 ipstr[INET6_ADDRSTRLEN];
	char			 host[300];
	const char		*control;	/* rvpnctl socket, or NULL */
	bool			 json;

	unsigned		 nkeys, nsess;
	unsigned		 inflight;	/* --inflight: 0 unlimited */
	double			 rate, pps;
	unsigned		 duration;
	uint8_t			(*keys)[PROTO_KEY_LEN];
	struct load_sess	*sess;

	uint64_t		 t0_ns, t_first_up, t_last_up;
	uint64_t		 t_all_up;	/* receive window start */
	unsigned		 started, up, failed, closed_after_up;
	uint64_t		*lat_us;	/* handshake latencies */
	unsigned		 nlat;
	struct {
		int		 code;		/* close code, or -1: no code */
		unsigned	 n;
	}			 codes[LOAD_MAX_CODES];
	unsigned		 ncodes;
	uint64_t		 tx_pkts, rx_records;
	/* --inject KIND:HEX (tests/lab/bad-input.sh) */
	char			 inject_kind[8];
	uint8_t			 inject[LOAD_CTL_CAP];
	size_t			 inject_len;
	/* stream: messages, each inject[off..off+len) + fill zeros, times */
	struct {
		size_t		 off, len, fill;
		unsigned	 times;
	}			 inj[LOAD_INJ_MAX];
	unsigned		 ninj;
	bool			 relay;		/* --relay: a relay session */
	struct event		*tick;
	struct event		*end;
	bool			 ending;
};

static struct load load;
static const lws_retry_bo_t load_retry = { NULL, 0, 0, 0, 0, 0 };

static uint64_t
load_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
load_code(int code)
{
	unsigned i;

	for (i = 0; i < load.ncodes; i++) {
		if (load.codes[i].code == code) {
			load.codes[i].n++;
			return;
		}
	}
	if (load.ncodes < LOAD_MAX_CODES) {
		load.codes[load.ncodes].code = code;
		load.codes[load.ncodes++].n = 1;
	}
}

/* The session is over: count it once (failure by code, or a close). */
static void
load_sess_end(struct load_sess *s, int code)
{
	if (s->state == LS_DONE)
		return;
	if (!load.ending) {
		if (s->state == LS_UP)
			load.closed_after_up++;
		else
			load.failed++;
		load_code(code);
	}
	s->state = LS_DONE;
	s->wsi = NULL;
	proto_hs_free(s->hs);
	s->hs = NULL;
	proto_session_free(s->ps);
	s->ps = NULL;
	free(s->rx);
	s->rx = NULL;
	s->rxcap = 0;
}

static void
load_sess_start(struct load_sess *s)
{
	struct client_config *cfg = load.cfg;
	struct lws_client_connect_info i;

	s->hs = proto_hs_new();
	s->ps = proto_session_new();
	s->state = LS_CONNECTING;
	s->t_start_ns = load_now_ns();
	memset(&i, 0, sizeof(i));
	i.context = load.lws;
	i.address = load.ipstr;
	i.port = cfg->url_port;
	i.path = load.relay ? cfg->url_path : cfg->tun_path;
	i.host = load.host;
	i.origin = load.host;
	i.protocol = PROTO_SUBPROTOCOL;
	i.alpn = "http/1.1";
	i.opaque_user_data = s;
	/* No lws validity timers: their sorted list costs O(sessions). */
	i.retry_and_idle_policy = &load_retry;
	if (cfg->url_tls) {
		i.ssl_connection = LCCSCF_USE_SSL;
		if (cfg->insecure)
			i.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED |
			    LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
			    LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
	}
	i.pwsi = &s->wsi;
	load.started++;
	if (lws_client_connect_via_info(&i) == NULL)
		load_sess_end(s, -1);
}

static int
load_established(struct load_sess *s, struct lws *wsi)
{
	struct proto_hello hello;

	s->wsi = wsi;
	if (strcmp(load.inject_kind, "hs") == 0) {
		/* These bytes instead of HANDSHAKE_INIT. */
		memcpy(s->ctl + LWS_PRE, load.inject, load.inject_len);
		s->ctllen = load.inject_len;
		s->ctl_raw = true;
		s->state = LS_HS;
		lws_callback_on_writable(wsi);
		return 0;
	}
	memset(&hello, 0, sizeof(hello));
	hello.version = PROTO_VERSION;
	proto_tai64n_now(hello.timestamp);
	if (load.relay) {
		hello.session = PROTO_SESSION_RELAY;
		hello.stream_version = STREAM_VERSION;
	}
	if (proto_hs_initiate(s->hs, s->priv, load.cfg->server_key, &hello,
	    s->ctl + LWS_PRE, LOAD_CTL_CAP, &s->ctllen) != PROTO_OK)
		return -1;
	s->ctl_raw = true;
	s->state = LS_HS;
	lws_callback_on_writable(wsi);
	return 0;
}

/* Queue a sealed control record (PONG, REKEY) unless one is waiting. */
static void
load_queue_control(struct load_sess *s, const struct proto_control *c)
{
	if (s->ctllen != 0)
		return;
	if (proto_control_build(c, s->ctl + LWS_PRE, LOAD_CTL_CAP,
	    &s->ctllen) != PROTO_OK) {
		s->ctllen = 0;
		return;
	}
	s->ctl_raw = false;
	lws_callback_on_writable(s->wsi);
}

static int
load_record(struct load_sess *s, uint8_t *rec, size_t len)
{
	struct proto_assign a;
	struct proto_control c, r;
	const uint8_t *pkt;
	size_t off, plen;
	uint64_t now;
	unsigned i;

	if (s->state == LS_HS) {
		if (proto_hs_finish(s->hs, rec, len, &a, s->ps) != PROTO_OK)
			return -1;
		proto_hs_free(s->hs);
		s->hs = NULL;
		s->addr = a.addr4;
		s->state = LS_UP;
		now = load_now_ns();
		if (load.up == 0)
			load.t_first_up = now;
		load.t_last_up = now;
		load.up++;
		if (load.up == load.nsess) {
			/* Per-session receive counts start now. */
			load.t_all_up = now;
			for (i = 0; i < load.nsess; i++)
				load.sess[i].rx_base = load.sess[i].rx_bytes;
		}
		load.lat_us[load.nlat++] = (now - s->t_start_ns) / 1000;
		if (load.inject_kind[0] != '\0') {
			s->inject = true;
			lws_callback_on_writable(s->wsi);
		}
		return 0;
	}
	if (s->state != LS_UP || proto_open(s->ps, rec, &len) != PROTO_OK)
		return -1;
	load.rx_records++;
	if (rec[0] == PROTO_T_DATA) {
		off = 0;
		while (proto_data_next(rec, len, &off, &pkt, &plen) == 1)
			s->rx_bytes += plen;
		return 0;
	}
	if (rec[0] != PROTO_T_CONTROL ||
	    proto_control_parse(rec, len, &c) != PROTO_OK)
		return 0;
	if (c.type == PROTO_CTL_PING) {
		memset(&r, 0, sizeof(r));
		r.type = PROTO_CTL_PONG;
		r.ts = c.ts;
		load_queue_control(s, &r);
	} else if (c.type == PROTO_CTL_CLOSE)
		load_sess_end(s, c.code);
	return 0;
}

static int
load_receive(struct load_sess *s, struct lws *wsi, uint8_t *in, size_t len)
{
	bool final = lws_is_final_fragment(wsi);
	size_t cap;

	if (s->rxlen == 0 && final)
		return load_record(s, in, len);
	cap = s->state == LS_UP ? PROTO_MAX_RECORD : LOAD_RX_SMALL;
	if (s->rxcap < cap) {
		s->rx = realloc(s->rx, LWS_PRE + cap);
		if (s->rx == NULL)
			fatal("realloc");
		s->rxcap = cap;
	}
	if (len > s->rxcap - s->rxlen)
		return -1;
	memcpy(s->rx + LWS_PRE + s->rxlen, in, len);
	s->rxlen += len;
	if (!final)
		return 0;
	len = s->rxlen;
	s->rxlen = 0;
	return load_record(s, s->rx + LWS_PRE, len);
}

/* A UDP packet from the session's address to the discard port. */
static void
load_packet(const struct load_sess *s, uint8_t *p)
{
	uint32_t sum = 0;
	unsigned i;

	memset(p, 0, LOAD_PKT_LEN);
	p[0] = 0x45;
	p[2] = 0;
	p[3] = LOAD_PKT_LEN;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, &s->addr, 4);
	p[16] = 198; p[17] = 18; p[18] = 0; p[19] = 2;	/* 198.18.0.2 */
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	p[10] = (uint8_t)(sum >> 8);
	p[11] = (uint8_t)sum;
	p[20] = 0x9c; p[21] = 0x40;	/* source port 40000 */
	p[23] = 9;			/* discard */
	p[24] = 0; p[25] = LOAD_PKT_LEN - 20;
}

/*
 * --inject after the handshake: raw (a binary message as is), text (a
 * text message), rec (type byte and body, sealed), pkt (one packet in a
 * sealed DATA record, its u16 length prefix made here).
 */
static int
load_inject(struct load_sess *s, struct lws *wsi)
{
	static uint8_t big[LWS_PRE + PROTO_MAX_RECORD];
	uint8_t *rec = s->ctl + LWS_PRE;
	size_t len = load.inject_len;
	int mode = LWS_WRITE_BINARY;

	if (strcmp(load.inject_kind, "stream") == 0) {
		/* One sealed STREAM record per message, one per WRITEABLE. */
		rec = big + LWS_PRE;
		rec[0] = PROTO_T_STREAM;
		memcpy(rec + 1, load.inject + load.inj[s->inj_i].off,
		    load.inj[s->inj_i].len);
		len = 1 + load.inj[s->inj_i].len;
		memset(rec + len, 0, load.inj[s->inj_i].fill);
		len += load.inj[s->inj_i].fill;
		if (++s->inj_rep == load.inj[s->inj_i].times) {
			s->inj_rep = 0;
			s->inj_i++;
		}
		s->inject = s->inj_i < load.ninj;
		if (proto_seal(s->ps, rec, &len, PROTO_MAX_RECORD) !=
		    PROTO_OK) {
			fprintf(stderr, "rvpn-load: --inject: cannot seal "
			    "that\n");
			return -1;
		}
		if (lws_write(wsi, rec, len, LWS_WRITE_BINARY) < (int)len)
			return -1;
		if (s->inject)
			lws_callback_on_writable(wsi);
		return 0;
	}
	s->inject = false;
	if (strcmp(load.inject_kind, "pkt") == 0) {
		if (len + 3 + PROTO_TAG_LEN > LOAD_CTL_CAP)
			return -1;
		rec[0] = PROTO_T_DATA;
		rec[1] = (uint8_t)(len >> 8);
		rec[2] = (uint8_t)len;
		memcpy(rec + 3, load.inject, len);
		len += 3;
	} else
		memcpy(rec, load.inject, len);
	if ((strcmp(load.inject_kind, "rec") == 0 ||
	    strcmp(load.inject_kind, "pkt") == 0) &&
	    proto_seal(s->ps, rec, &len, LOAD_CTL_CAP) != PROTO_OK) {
		fprintf(stderr, "rvpn-load: --inject: cannot seal that\n");
		return -1;
	}
	if (strcmp(load.inject_kind, "text") == 0)
		mode = LWS_WRITE_TEXT;
	if (lws_write(wsi, rec, len, (enum lws_write_protocol)mode) <
	    (int)len)
		return -1;
	return 0;
}

static int
load_writeable(struct load_sess *s, struct lws *wsi)
{
	uint8_t rec[LWS_PRE + 4096], pkt[LOAD_PKT_LEN];
	struct proto_control c;
	size_t len;
	unsigned n;

	if (s->ctllen == 0 && s->state == LS_UP &&
	    proto_rekey_due(s->ps, load_now_ns())) {
		memset(&c, 0, sizeof(c));
		c.type = PROTO_CTL_REKEY;
		load_queue_control(s, &c);
	}
	if (s->ctllen != 0) {
		len = s->ctllen;
		if (!s->ctl_raw && proto_seal(s->ps, s->ctl + LWS_PRE, &len,
		    LOAD_CTL_CAP) != PROTO_OK)
			return -1;
		s->ctllen = 0;
		if (lws_write(wsi, s->ctl + LWS_PRE, len, LWS_WRITE_BINARY) <
		    (int)len)
			return -1;
		lws_callback_on_writable(wsi);
		return 0;
	}
	if (s->state == LS_UP && s->inject)
		return load_inject(s, wsi);
	if (s->state != LS_UP || s->credit < 1)
		return 0;
	proto_data_begin(rec + LWS_PRE, &len);
	load_packet(s, pkt);
	for (n = 0; s->credit >= 1 && n < PROTO_MAX_BATCH; n++) {
		if (proto_data_add(rec + LWS_PRE, &len, 4096, pkt,
		    sizeof(pkt)) != PROTO_OK)
			break;
		s->credit -= 1;
	}
	if (n == 0 || proto_seal(s->ps, rec + LWS_PRE, &len, 4096) !=
	    PROTO_OK)
		return -1;
	if (lws_write(wsi, rec + LWS_PRE, len, LWS_WRITE_BINARY) < (int)len)
		return -1;
	load.tx_pkts += n;
	if (s->credit >= 1)
		lws_callback_on_writable(wsi);
	return 0;
}

static int
load_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct load_sess *s = lws_get_opaque_user_data(wsi);
	const uint8_t *p = in;

	if (s == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		return load_established(s, wsi);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (s->state == LS_DONE)
			return -1;
		return load_writeable(s, wsi);
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (s->state == LS_DONE)
			return -1;
		return load_receive(s, wsi, in, len);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		load_sess_end(s, len >= 2 ? (p[0] << 8 | p[1]) : -1);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		load_sess_end(s, -1);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
	case LWS_CALLBACK_WSI_DESTROY:
		load_sess_end(s, 0);
		return 0;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols load_protocols[] = {
	{ PROTO_SUBPROTOCOL, load_cb, 0, 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
load_tick_cb(evutil_socket_t fd, short events, void *arg)
{
	double elapsed = (double)(load_now_ns() - load.t0_ns) / 1e9;
	unsigned i, want;

	want = load.rate > 0 ? (unsigned)(load.rate * elapsed) + 1 : load.nsess;
	if (want > load.nsess)
		want = load.nsess;
	/* At most --inflight sessions between connect and up at once. */
	while (load.started < want && (load.inflight == 0 ||
	    load.started - load.up - load.failed < load.inflight))
		load_sess_start(&load.sess[load.started]);
	if (load.pps <= 0)
		return;
	for (i = 0; i < load.started; i++) {
		if (load.sess[i].state != LS_UP)
			continue;
		load.sess[i].credit += load.pps * LOAD_TICK_MS / 1000.0;
		if (load.sess[i].credit >= 1)
			lws_callback_on_writable(load.sess[i].wsi);
	}
}

static int
load_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
load_pct(unsigned pct)
{
	unsigned i;

	if (load.nlat == 0)
		return 0;
	i = (unsigned)(((uint64_t)load.nlat * pct + 99) / 100);
	return load.lat_us[i > 0 ? i - 1 : 0];
}

/* What the server's control socket says (rvpnctl stats). */
struct load_server {
	bool		ok;
	uint64_t	rss_kb, pending, rx_pkts, drops;
};

/* The server's RSS and counters from its control socket; ok false if none. */
static void
load_server_stats(struct load_server *sv)
{
	struct sockaddr_un sun;
	struct ctlmsg m;
	uint8_t buf[CTLMSG_MAX];
	size_t len, got = 0, total;
	ssize_t n;
	int fd;

	memset(sv, 0, sizeof(*sv));
	if (load.control == NULL)
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(load.control) >= sizeof(sun.sun_path) ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	memcpy(sun.sun_path, load.control, strlen(load.control));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    ctlmsg_encode_text(CTLMSG_T_STATS_REQ, NULL, buf, sizeof(buf),
	    &len) != CTLMSG_OK || write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		return;
	}
	for (;;) {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (ctlmsg_peek(buf, got, &total) == CTLMSG_OK &&
		    got >= total) {
			close(fd);
			if (ctlmsg_decode(buf, total, &m) != CTLMSG_OK ||
			    m.type != CTLMSG_T_STATS)
				return;
			sv->ok = true;
			sv->rss_kb = m.u.stats.rss_kb;
			sv->pending = m.u.stats.pending;
			sv->rx_pkts = m.u.stats.c.rx_pkts;
			sv->drops = counters_drops(&m.u.stats.c);
			return;
		}
	}
	close(fd);
}

/*
 * What each session received (packet bytes in DATA records) from the
 * moment all --sessions were up to now, over the sessions still up: the
 * fair-share figure of traffic the server sends toward the clients.
 */
struct load_rx {
	unsigned	n;
	double		window, mean, min, max, maxdev, cv;
};

static void
load_rx_share(struct load_rx *rx)
{
	const struct load_sess *s;
	double b, var = 0, d;
	unsigned i;

	memset(rx, 0, sizeof(*rx));
	if (load.t_all_up == 0)
		return;
	rx->window = (double)(load_now_ns() - load.t_all_up) / 1e9;
	for (i = 0; i < load.nsess; i++) {
		s = &load.sess[i];
		if (s->state != LS_UP)
			continue;
		b = (double)(s->rx_bytes - s->rx_base);
		if (rx->n == 0 || b < rx->min)
			rx->min = b;
		if (rx->n == 0 || b > rx->max)
			rx->max = b;
		rx->mean += b;
		rx->n++;
	}
	if (rx->n == 0 || rx->mean == 0) {
		rx->n = 0;
		return;
	}
	rx->mean /= rx->n;
	for (i = 0; i < load.nsess; i++) {
		s = &load.sess[i];
		if (s->state != LS_UP)
			continue;
		d = (double)(s->rx_bytes - s->rx_base) - rx->mean;
		var += d * d;
	}
	rx->cv = 100 * sqrt(var / rx->n) / rx->mean;
	rx->maxdev = 100 * fmax(rx->max - rx->mean, rx->mean - rx->min) /
	    rx->mean;
}

static void
load_report(void)
{
	struct load_server sv;
	struct load_rx rx;
	double span, rate;
	unsigned i;

	qsort(load.lat_us, load.nlat, sizeof(*load.lat_us), load_cmp);
	span = load.up > 0 ? (double)(load.t_last_up - load.t0_ns) / 1e9 : 0;
	rate = span > 0 ? load.up / span : 0;
	load_server_stats(&sv);
	load_rx_share(&rx);
	if (load.json) {
		printf("{ \"sessions\": %u, \"started\": %u, \"up\": %u, "
		    "\"up_at_end\": %u, \"failed\": %u, "
		    "\"closed_after_up\": %u,\n  \"handshakes_per_s\": %.1f, "
		    "\"latency_ms\": { \"p50\": %.2f, \"p99\": %.2f, "
		    "\"max\": %.2f },\n  \"failures\": [", load.nsess,
		    load.started, load.up, load.up - load.closed_after_up,
		    load.failed, load.closed_after_up, rate,
		    load_pct(50) / 1000.0, load_pct(99) / 1000.0,
		    load_pct(100) / 1000.0);
		for (i = 0; i < load.ncodes; i++)
			printf("%s{ \"code\": %d, \"count\": %u }",
			    i == 0 ? "" : ", ", load.codes[i].code,
			    load.codes[i].n);
		printf("],\n  \"tx_packets\": %llu, \"rx_records\": %llu",
		    (unsigned long long)load.tx_pkts,
		    (unsigned long long)load.rx_records);
		if (rx.n > 0)
			printf(",\n  \"rx_per_session\": { \"sessions\": %u, "
			    "\"window_s\": %.2f, \"mean_bytes\": %.0f, "
			    "\"min_bytes\": %.0f, \"max_bytes\": %.0f, "
			    "\"max_dev_pct\": %.2f, \"cv_pct\": %.2f }", rx.n,
			    rx.window, rx.mean, rx.min, rx.max, rx.maxdev,
			    rx.cv);
		if (sv.ok)
			printf(",\n  \"server\": { \"rss_kb\": %llu, "
			    "\"pending\": %llu, \"rx_packets\": %llu, "
			    "\"drops\": %llu }", (unsigned long long)sv.rss_kb,
			    (unsigned long long)sv.pending,
			    (unsigned long long)sv.rx_pkts,
			    (unsigned long long)sv.drops);
		printf(" }\n");
		return;
	}
	printf("sessions: %u started, %u up (%u still up), %u failed, "
	    "%u closed after up\n", load.started, load.up,
	    load.up - load.closed_after_up, load.failed, load.closed_after_up);
	printf("handshakes: %.1f/s (%u in %.2f s from the first start)\n",
	    rate, load.up, span);
	printf("handshake latency (connect to session up): p50 %.2f ms, "
	    "p99 %.2f ms, max %.2f ms\n", load_pct(50) / 1000.0,
	    load_pct(99) / 1000.0, load_pct(100) / 1000.0);
	for (i = 0; i < load.ncodes; i++)
		printf("failures: code %d (%s): %u\n", load.codes[i].code,
		    load.codes[i].code == -1 ? "connect error" :
		    load.codes[i].code == 0 ? "closed" :
		    proto_close_reason(load.codes[i].code) != NULL ?
		    proto_close_reason(load.codes[i].code) : "?",
		    load.codes[i].n);
	printf("traffic: %llu packets sent, %llu records received\n",
	    (unsigned long long)load.tx_pkts,
	    (unsigned long long)load.rx_records);
	if (rx.n > 0)
		printf("received per session (%u up, %.2f s since all were "
		    "up): mean %.0f B (%.2f Mbit/s), min %.0f, max %.0f, "
		    "largest deviation from the mean %.2f %%, CV %.2f %%; "
		    "all: %.1f Mbit/s\n", rx.n, rx.window, rx.mean,
		    rx.mean * 8 / rx.window / 1e6, rx.min, rx.max, rx.maxdev,
		    rx.cv, rx.mean * rx.n * 8 / rx.window / 1e6);
	if (sv.ok)
		printf("server: RSS %llu KiB, %llu pending, %llu packets from "
		    "clients, %llu dropped\n", (unsigned long long)sv.rss_kb,
		    (unsigned long long)sv.pending,
		    (unsigned long long)sv.rx_pkts,
		    (unsigned long long)sv.drops);
	else if (load.control != NULL)
		printf("server: no answer on %s\n", load.control);
}

static void
load_end_cb(evutil_socket_t fd, short events, void *arg)
{
	load_report();
	fflush(stdout);
	load.ending = true;
	event_base_loopbreak(load.base);
}

static void
rvpn_load_usage(void)
{
	fprintf(stderr, "usage: rvpn-load --server URL --server-key KEY "
	    "(--ca FILE | --insecure)\n"
	    "    [--keys N] [--sessions N] [--rate R] [--duration S] "
	    "[--traffic PPS]\n    [--inflight N] [--control SOCKET] [--json] "
	    "[--relay]\n    [--inject hs|raw|text|rec|pkt:HEX | "
	    "stream:HEX[+N][*K],...]\n");
	exit(2);
}

/*
 * --inject stream:MSG,MSG...: each MSG is a stream message body in hex
 * (type, id, fields), "+N" appends N zero bytes, "*K" sends it K times;
 * each is sealed in a STREAM record of its own (needs --relay).
 */
static void
load_parse_stream(const char *arg)
{
	const char *h = arg;
	unsigned v;
	size_t n = 0, total;
	char *end;
	unsigned long u;

	while (*h != '\0') {
		if (load.ninj == LOAD_INJ_MAX)
			goto bad;
		load.inj[load.ninj].off = n;
		while (isxdigit((unsigned char)h[0])) {
			if (!isxdigit((unsigned char)h[1]) ||
			    sscanf(h, "%2x", &v) != 1 ||
			    n >= sizeof(load.inject))
				goto bad;
			load.inject[n++] = (uint8_t)v;
			h += 2;
		}
		load.inj[load.ninj].len = n - load.inj[load.ninj].off;
		load.inj[load.ninj].times = 1;
		if (*h == '+') {
			u = strtoul(h + 1, &end, 10);
			if (end == h + 1 || u > STREAM_MSG_MAX)
				goto bad;
			load.inj[load.ninj].fill = u;
			h = end;
		}
		if (*h == '*') {
			u = strtoul(h + 1, &end, 10);
			if (end == h + 1 || u == 0 || u > 1000)
				goto bad;
			load.inj[load.ninj].times = (unsigned)u;
			h = end;
		}
		total = load.inj[load.ninj].len + load.inj[load.ninj].fill;
		if (total == 0 || total > PROTO_MAX_RECORD - 64)
			goto bad;
		load.ninj++;
		if (*h == ',')
			h++;
		else if (*h != '\0')
			goto bad;
	}
	if (load.ninj == 0)
		goto bad;
	load.inject_len = n;
	return;
bad:
	fprintf(stderr, "rvpn-load: --inject stream: '%s': expected "
	    "HEX[+N][*K],...\n", arg);
	exit(2);
}

/* --inject KIND:HEX */
static void
load_parse_inject(const char *arg)
{
	const char *colon = strchr(arg, ':'), *h;
	unsigned v;
	size_t n = 0;

	if (colon == NULL || (size_t)(colon - arg) >= sizeof(load.inject_kind))
		goto bad;
	memcpy(load.inject_kind, arg, (size_t)(colon - arg));
	if (strcmp(load.inject_kind, "hs") != 0 &&
	    strcmp(load.inject_kind, "raw") != 0 &&
	    strcmp(load.inject_kind, "text") != 0 &&
	    strcmp(load.inject_kind, "rec") != 0 &&
	    strcmp(load.inject_kind, "pkt") != 0 &&
	    strcmp(load.inject_kind, "stream") != 0)
		goto bad;
	if (strcmp(load.inject_kind, "stream") == 0)
		return load_parse_stream(colon + 1);
	for (h = colon + 1; h[0] != '\0'; h += 2) {
		if (h[1] == '\0' || sscanf(h, "%2x", &v) != 1 ||
		    n >= LOAD_CTL_CAP - 64)
			goto bad;
		load.inject[n++] = (uint8_t)v;
	}
	if (n == 0)
		goto bad;
	load.inject_len = n;
	return;
bad:
	fprintf(stderr, "rvpn-load: --inject: '%s': expected "
	    "hs|raw|text|rec|pkt:HEX\n", arg);
	exit(2);
}

static unsigned long
load_num(const char *opt, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v > max) {
		fprintf(stderr, "rvpn-load: %s: '%s': expected 0..%lu\n", opt, s,
		    max);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "server-key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'c' },
		{ "insecure", no_argument, NULL, 'i' },
		{ "keys", required_argument, NULL, 'K' },
		{ "sessions", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "traffic", required_argument, NULL, 't' },
		{ "control", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "inject", required_argument, NULL, 'I' },
		{ "inflight", required_argument, NULL, 'F' },
		{ "relay", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	struct lws_context_creation_info info;
	struct timeval tick = { 0, LOAD_TICK_MS * 1000 }, end;
	struct addrinfo hints, *res;
	const char *v[1], *url = NULL, *key = NULL, *ca = NULL;
	char *cause = NULL;
	void *loops[1];
	bool insecure = false;
	unsigned i;
	int ch, e;

	load.nsess = 100;
	load.rate = 100;
	load.duration = 10;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': url = optarg; break;
		case 'k': key = optarg; break;
		case 'c': ca = optarg; break;
		case 'i': insecure = true; break;
		case 'K': load.nkeys = load_num("--keys", optarg, 1000000); break;
		case 'n':
			load.nsess = load_num("--sessions", optarg, 1000000);
			break;
		case 'r': load.rate = load_num("--rate", optarg, 1000000); break;
		case 'd':
			load.duration = load_num("--duration", optarg, 86400);
			break;
		case 't':
			load.pps = load_num("--traffic", optarg, 1000000);
			break;
		case 'C': load.control = optarg; break;
		case 'j': load.json = true; break;
		case 'I': load_parse_inject(optarg); break;
		case 'F':
			load.inflight = load_num("--inflight", optarg, 1000000);
			break;
		case 'R': load.relay = true; break;
		default: rvpn_load_usage();
		}
	}
	if (optind != argc || url == NULL || key == NULL ||
	    (ca == NULL) == !insecure || load.nsess == 0)
		rvpn_load_usage();
	if (load.nkeys == 0 || load.nkeys > load.nsess)
		load.nkeys = load.nsess;
	log_init("rvpn-load", LOG_LVL_WARN);

	load.cfg = client_config_default();
	v[0] = url;
	if (!client_config_set(load.cfg, "server_url", v, 1, "command line",
	    &cause))
		goto bad;
	v[0] = key;
	if (!client_config_set(load.cfg, "server_public_key", v, 1,
	    "command line", &cause))
		goto bad;
	load.cfg->insecure = insecure;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(load.cfg->url_host, NULL, &hints, &res)) != 0) {
		fprintf(stderr, "rvpn-load: %s: %s\n", load.cfg->url_host,
		    gai_strerror(e));
		return 1;
	}
	if (res->ai_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->
		    sin_addr, load.ipstr, sizeof(load.ipstr));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->
		    sin6_addr, load.ipstr, sizeof(load.ipstr));
	freeaddrinfo(res);
	snprintf(load.host, sizeof(load.host), "%s", load.cfg->url_host);

	load.keys = xcalloc(load.nkeys, sizeof(*load.keys));
	for (i = 0; i < load.nkeys; i++)
		if (key_generate(load.keys[i]) == -1)
			fatalx("key_generate");
	load.sess = xcalloc(load.nsess, sizeof(*load.sess));
	load.lat_us = xcalloc(load.nsess, sizeof(*load.lat_us));
	for (i = 0; i < load.nsess; i++) {
		load.sess[i].idx = i;
		load.sess[i].priv = load.keys[i % load.nkeys];
	}

	if ((load.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = load_protocols;
	info.gid = (gid_t)-1;
	info.uid = (uid_t)-1;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
	    LWS_SERVER_OPTION_LIBEVENT;
	loops[0] = load.base;
	info.foreign_loops = loops;
	if (ca != NULL) {
		info.client_ssl_ca_filepath = ca;
		info.options |= LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
	}
	lws_set_log_level(LLL_ERR, NULL);
	if ((load.lws = lws_create_context(&info)) == NULL)
		fatalx("cannot create the libwebsockets context");

	load.tick = event_new(load.base, -1, EV_PERSIST, load_tick_cb, NULL);
	load.end = evtimer_new(load.base, load_end_cb, NULL);
	end.tv_sec = load.duration;
	end.tv_usec = 0;
	if (load.tick == NULL || load.end == NULL ||
	    event_add(load.tick, &tick) == -1 ||
	    evtimer_add(load.end, &end) == -1)
		fatalx("cannot create timers");
	load.t0_ns = load_now_ns();
	load_tick_cb(-1, 0, NULL);
	event_base_dispatch(load.base);

	event_free(load.tick);
	event_free(load.end);
	lws_context_destroy(load.lws);
	event_base_loop(load.base, 0);
	for (i = 0; i < load.nsess; i++) {
		proto_hs_free(load.sess[i].hs);
		proto_session_free(load.sess[i].ps);
		free(load.sess[i].rx);
	}
	event_base_free(load.base);
	explicit_bzero(load.keys, load.nkeys * sizeof(*load.keys));
	free(load.keys);
	free(load.sess);
	free(load.lat_us);
	client_config_free(load.cfg);
	return 0;

bad:
	fprintf(stderr, "rvpn-load: %s\n", cause);
	free(cause);
	return 2;
}
