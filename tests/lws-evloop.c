/* SPDX-License-Identifier: ISC */
/*
 * Proves the build's libwebsockets runs a TLS WebSocket server on an
 * event_base the application owns: the program creates the base, lws joins
 * it as a foreign loop, and only event_base_dispatch() drives everything
 * (no lws_service).  A client context on the same base connects with TLS,
 * sends a message and gets it echoed; a plain-text client to the TLS port
 * must fail.  Before that message the client sends NPAT messages of every
 * length 1..NPAT (a pattern per length): each must reach the server as
 * sent, so the client's masking (contrib/lws/0004: a word at a time) is
 * right at every length and tail.  After the echo the server sends NPAT
 * messages of every length and one of BIG bytes (over the client's
 * 256-byte rx buffer: delivered in pieces); the client checks each whole
 * (contrib/lws/0005: the payload of a server frame copied in bulk up to
 * the byte that ends the frame or fills the buffer).  Usage: lws-evloop CERT KEY (tests/lws-evloop.sh makes them).
 */
#include "autoconf.h"

#include <event2/event.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <string.h>

#include "tap.h"

#define MSG	"hello over the application's event_base"
#define NPAT	200
#define BIG	1000

struct state {
	struct event_base	*base;
	struct lws_context	*srv, *cli;
	int			 port;
	bool			 echoed;
	bool			 plain_failed;
	bool			 plain_connected;
	bool			 tls_established;
	int			 ticks;
	int			 pending;	/* clients still running */
	int			 sent;		/* pattern messages sent */
	int			 pat_ok, pat_bad;
	int			 down;		/* server: messages sent down */
	int			 down_ok, down_bad;	/* client: checked */
};
static struct state st;

/* Server side: echo every message back. */
static int
srv_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	static unsigned char buf[LWS_PRE + BIG];
	static size_t blen;
	size_t n;

	const unsigned char *p = in;
	size_t i;

	switch (reason) {
	case LWS_CALLBACK_RECEIVE:
		if (len > sizeof(buf) - LWS_PRE)
			return -1;
		if (len != sizeof(MSG) - 1 || memcmp(in, MSG, len) != 0) {
			/* A pattern message: byte i is i * 31 + len. */
			for (i = 0; i < len; i++)
				if (p[i] != (unsigned char)(i * 31 + len))
					break;
			if (i == len && len >= 1 && len <= NPAT)
				st.pat_ok++;
			else
				st.pat_bad++;
			break;
		}
		memcpy(buf + LWS_PRE, in, len);
		blen = len;
		lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (blen > 0) {
			if (lws_write(wsi, buf + LWS_PRE, blen,
			    LWS_WRITE_BINARY) < (int)blen)
				return -1;
			blen = 0;
			lws_callback_on_writable(wsi);
			break;
		}
		/* Then every length 1..NPAT, and BIG. */
		if (st.down > NPAT)
			break;
		n = ++st.down > NPAT ? BIG : (size_t)st.down;
		for (i = 0; i < n; i++)
			buf[LWS_PRE + i] = (unsigned char)(i * 31 + n);
		if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_BINARY) < (int)n)
			return -1;
		lws_callback_on_writable(wsi);
		break;
	default:
		break;
	}
	return 0;
}

static void
client_done(void)
{
	if (--st.pending == 0)
		event_base_loopexit(st.base, NULL);
}

/* Client side: send MSG once established, check the echo. */
static int
cli_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	unsigned char buf[LWS_PRE + NPAT];
	static unsigned char acc[BIG];
	static size_t acclen;
	bool plain = lws_get_opaque_user_data(wsi) != NULL;
	size_t i, n;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (plain) {
			st.plain_connected = true;
			return -1;
		}
		st.tls_established = true;
		lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (st.sent < NPAT) {
			n = (size_t)++st.sent;
			for (i = 0; i < n; i++)
				buf[LWS_PRE + i] = (unsigned char)(i * 31 + n);
			if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_BINARY) <
			    (int)n)
				return -1;
			lws_callback_on_writable(wsi);
			break;
		}
		memcpy(buf + LWS_PRE, MSG, sizeof(MSG) - 1);
		if (lws_write(wsi, buf + LWS_PRE, sizeof(MSG) - 1,
		    LWS_WRITE_BINARY) < (int)sizeof(MSG) - 1)
			return -1;
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!st.echoed) {
			st.echoed = len == sizeof(MSG) - 1 &&
			    memcmp(in, MSG, len) == 0;
			if (!st.echoed)
				return -1;
			break;
		}
		/* A message from the server, maybe in pieces. */
		if (len > sizeof(acc) - acclen)
			return -1;
		memcpy(acc + acclen, in, len);
		acclen += len;
		if (!lws_is_final_fragment(wsi) ||
		    lws_remaining_packet_payload(wsi) != 0)
			break;
		n = st.down_ok + st.down_bad + 1 > NPAT ? BIG :
		    (size_t)(st.down_ok + st.down_bad + 1);
		for (i = 0; i < acclen; i++)
			if (acc[i] != (unsigned char)(i * 31 + acclen))
				break;
		if (acclen == n && i == n)
			st.down_ok++;
		else
			st.down_bad++;
		acclen = 0;
		if (n == BIG)
			return -1;	/* close */
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (plain)
			st.plain_failed = true;
		client_done();
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		client_done();
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols srv_protocols[] = {
	{ "rvpn-test", srv_cb, 0, 256, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};
static const struct lws_protocols cli_protocols[] = {
	{ "rvpn-test", cli_cb, 0, 256, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};


static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	printf("# timed out\n");
	event_base_loopexit(st.base, NULL);
}

static void connect_client(bool);

/* The application's own timer on the same base starts the clients. */
static void
start_cb(evutil_socket_t fd, short what, void *arg)
{
	st.ticks++;
	connect_client(true);
	connect_client(false);
}

static void
connect_client(bool tls)
{
	struct lws_client_connect_info ci;

	memset(&ci, 0, sizeof(ci));
	ci.context = st.cli;
	ci.address = "127.0.0.1";
	ci.port = st.port;
	ci.path = "/";
	ci.host = "localhost";
	ci.origin = "localhost";
	ci.protocol = "rvpn-test";
	ci.opaque_user_data = tls ? NULL : (void *)&st;
	if (tls)
		ci.ssl_connection = LCCSCF_USE_SSL | LCCSCF_ALLOW_SELFSIGNED |
		    LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;
	st.pending++;
	if (lws_client_connect_via_info(&ci) == NULL) {
		st.pending--;
		if (!tls)
			st.plain_failed = true;
	}
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	void *loops[1];
	struct event *tick, *timeout;
	struct timeval tv_tick = { 0, 10000 }, tv_timeout = { 20, 0 };
	struct lws_vhost *vh;
	SSL_CTX *srv_client_ctx;

	if (argc != 3) {
		fprintf(stderr, "usage: lws-evloop CERT KEY\n");
		return 2;
	}
	lws_set_log_level(LLL_ERR, NULL);
	st.base = event_base_new();
	loops[0] = st.base;

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_LIBEVENT |
	    LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.foreign_loops = loops;
	info.port = 0;
	info.iface = "127.0.0.1";
	info.protocols = srv_protocols;
	info.ssl_cert_filepath = argv[1];
	info.ssl_private_key_filepath = argv[2];
	info.pcontext = &st.srv;
	/*
	 * lws 4.1.6 finds a vhost's client SSL_CTX refcount through an
	 * SSL_CTX ex_data index that every context's TLS init allocates
	 * anew, so the first of two contexts can no longer find (and free)
	 * the client SSL_CTX lws made for it.  The server context has no
	 * use for one: hand it our own, freed below once lws is done.
	 */
	if ((srv_client_ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return 2;
	info.provided_client_ssl_ctx = srv_client_ctx;
	st.srv = lws_create_context(&info);
	tap_ok(st.srv != NULL, "TLS server context joins the foreign event_base");
	if (st.srv == NULL)
		return tap_done();
	vh = lws_get_vhost_by_name(st.srv, "default");
	st.port = vh != NULL ? lws_get_vhost_listen_port(vh) : -1;
	tap_ok(st.port > 0, "server listens on an ephemeral port (%d)", st.port);

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_LIBEVENT |
	    LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.foreign_loops = loops;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = cli_protocols;
	info.pcontext = &st.cli;
	st.cli = lws_create_context(&info);
	tap_ok(st.cli != NULL, "client context on the same event_base");
	if (st.cli == NULL)
		return tap_done();

	tick = evtimer_new(st.base, start_cb, NULL);
	timeout = evtimer_new(st.base, timeout_cb, NULL);
	event_add(tick, &tv_tick);
	event_add(timeout, &tv_timeout);
	event_base_dispatch(st.base);	/* the application's loop, only */

	tap_ok(st.tls_established, "TLS WebSocket handshake completed");
	tap_ok(st.pat_ok == NPAT && st.pat_bad == 0,
	    "client messages of every length 1..%d arrive as sent (%d, %d bad)",
	    NPAT, st.pat_ok, st.pat_bad);
	tap_ok(st.echoed, "message echoed through the server");
	tap_ok(st.down_ok == NPAT + 1 && st.down_bad == 0,
	    "server messages of every length 1..%d and %d arrive as sent "
	    "(%d, %d bad)", NPAT, BIG, st.down_ok, st.down_bad);
	tap_ok(st.plain_failed && !st.plain_connected,
	    "plain-text WebSocket to the TLS port is refused");
	tap_ok(st.ticks == 1, "an application timer on the same loop drove the clients");

	event_free(tick);
	event_free(timeout);
	/*
	 * On a foreign loop, destruction is staged: each call advances it
	 * and the loop must run in between; lws clears the pointer (pcontext)
	 * once the context is gone.
	 */
	for (int i = 0; i < 10 && (st.cli != NULL || st.srv != NULL); i++) {
		lws_context_destroy(st.cli);
		lws_context_destroy(st.srv);
		event_base_loop(st.base, EVLOOP_NONBLOCK);
	}
	tap_ok(st.cli == NULL && st.srv == NULL, "both lws contexts fully destroyed");
	SSL_CTX_free(srv_client_ctx);
	event_base_free(st.base);
	return tap_done();
}
