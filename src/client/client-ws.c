/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <event2/event.h>
#include <libwebsockets.h>
#include <arpa/inet.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "ipaddr.h"
#include "key.h"
#include "log.h"
#include "relay.h"
#include "txq.h"
#include "xmalloc.h"

/* The sni setting (one client per process): NULL for the URL's host. */
static const char *client_ws_sni;
static const char *client_ws_host6;	/* the URL's host, an IPv6 literal */

static int	client_ws_cb(struct lws *, enum lws_callback_reasons, void *,
		    void *, size_t);

static const struct lws_protocols client_protocols[] = {
	{ PROTO_SUBPROTOCOL, client_ws_cb, 0, PROTO_MAX_RECORD, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* What to do after the server closed with a code. */
enum client_refusal {
	CLIENT_RETRY,		/* transient: back off and reconnect */
	CLIENT_RETRY_ANY_ADDR,	/* reconnect without asking for an address */
	CLIENT_RETRY_NOW,	/* draining: the next server, no backoff */
	CLIENT_GIVE_UP,		/* retrying cannot help: exit 1 */
};

/* Random 0..max-1 for jitter; not a secret, but OpenSSL is at hand. */
static unsigned
client_ws_random(unsigned max)
{
	uint32_t r;

	if (max == 0 || RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		return 0;
	return r % max;
}

/*
 * Turn a close code from the server into a message the user can act on,
 * and decide whether to retry.
 */
static enum client_refusal
client_ws_refusal(struct client *cl, int code)
{
	char pub[KEY_B64_LEN + 1], addr[INET_ADDRSTRLEN];
	const char *why;

	key_to_base64(cl->pub, pub);
	if (!cl->close_authentic && (code == PROTO_CLOSE_UNKNOWN_KEY ||
	    code == PROTO_CLOSE_VERSION || code == PROTO_CLOSE_BAD_HANDSHAKE ||
	    code == PROTO_CLOSE_REVOKED || code == PROTO_CLOSE_KICKED ||
	    code == PROTO_CLOSE_REPLACED)) {
		/*
		 * Anyone on the path can send a close frame over ws:// or
		 * unverified TLS: nothing unauthenticated ends the client.
		 */
		if ((why = proto_close_reason(code)) == NULL)
			why = "unknown code";
		log_warnx("server closed the connection: %s (%d), not "
		    "authenticated (%s): retrying", why, code,
		    cl->cfg->url_tls ? "--insecure" : "ws://");
		return CLIENT_RETRY;
	}
	switch (code) {
	case PROTO_CLOSE_UNKNOWN_KEY:
		log_error("server refused: unknown client key (%d): add this "
		    "client's public key %s to the server's authorized "
		    "clients file", code, pub);
		return CLIENT_GIVE_UP;
	case PROTO_CLOSE_VERSION:
		log_error("server refused: unsupported protocol version (%d): "
		    "this client speaks rvpn protocol version %d; upgrade the "
		    "older of client and server", code, PROTO_VERSION);
		return CLIENT_GIVE_UP;
	case PROTO_CLOSE_BAD_HANDSHAKE:
		log_error("server refused: bad handshake (%d): check that the "
		    "server key (--server-key, server_public_key) is the "
		    "server's public key (rvpnctl pubkey on the server prints "
		    "it)",
		    code);
		return CLIENT_GIVE_UP;
	case PROTO_CLOSE_REVOKED:
		log_error("server refused: client key revoked (%d): this "
		    "client's public key %s was removed from the server's "
		    "authorized clients file", code, pub);
		return CLIENT_GIVE_UP;
	case PROTO_CLOSE_KICKED:
		/* Reconnecting at once would undo rvpnctl kick. */
		log_error("server closed: kicked by the administrator (%d): "
		    "not reconnecting; start rvpn-client again when the "
		    "server's administrator allows it", code);
		return CLIENT_GIVE_UP;
	case PROTO_CLOSE_REPLACED:
		log_error("server closed: replaced (%d): another client "
		    "connected with this client's key %s; give each client "
		    "its own key", code, pub);
		return CLIENT_GIVE_UP;
	case PROTO_CLOSE_ADDRESS_TAKEN:
		log_warnx("server refused: address taken (%d): %s is in use; "
		    "asking for any address", code,
		    ipaddr_str4(cl->prev_addr, addr, sizeof(addr)));
		return CLIENT_RETRY_ANY_ADDR;
	case PROTO_CLOSE_POOL_EXHAUSTED:
		log_warnx("server refused: address pool exhausted (%d)", code);
		return CLIENT_RETRY;
	case PROTO_CLOSE_SERVER_FULL:
		log_warnx("server refused: server full (%d)", code);
		return CLIENT_RETRY;
	case PROTO_CLOSE_DRAINING:
		log_warnx("server draining (%d): moving on without delay",
		    code);
		return CLIENT_RETRY_NOW;
	case PROTO_CLOSE_REPLAY:
		log_warnx("server refused: replayed handshake (%d): is this "
		    "host's clock behind?", code);
		return CLIENT_RETRY;
	default:
		if ((why = proto_close_reason(code)) == NULL)
			why = cl->close_reason[0] != '\0' ?
			    cl->close_reason : "closed";
		log_warnx("server closed the connection: %s (%d)", why, code);
		return CLIENT_RETRY;
	}
}

/* The connection is gone (or never came up): decide what next. */
static void
client_ws_lost(struct client *cl, const char *why)
{
	struct timeval tv;
	unsigned delay_ms;
	bool now = false;

	if (cl->state == CLIENT_IDLE)
		return;
	if (cl->drop_why != NULL) {
		why = cl->drop_why;
		cl->drop_why = NULL;
	}
	cl->state = CLIENT_IDLE;
	cl->wsi = NULL;
	evtimer_del(cl->connect_timeout_ev);
	event_del(cl->keepalive_ev);
	evtimer_del(cl->stop_ev);
	txq_clear(cl->txq);
	cl->ctllen = 0;
	cl->want_ping = cl->want_pong = cl->want_close = false;
	cl->rx.in_msg = false;
	proto_hs_free(cl->hs);
	cl->hs = NULL;
	proto_session_free(cl->ps);
	cl->ps = NULL;
	/* Relay mode: the streams in flight are reset. */
	client_socks_down(cl);
	/* Drain (and drop) what the TUN holds while there is no session. */
	client_tun_resume(cl);

	if (cl->stopping) {
		event_base_loopexit(cl->base, NULL);
		return;
	}
	if (cl->close_code != 0) {
		switch (client_ws_refusal(cl, cl->close_code)) {
		case CLIENT_GIVE_UP:
			client_stop(cl, 1);
			return;
		case CLIENT_RETRY_ANY_ADDR:
			cl->have_addr = false;
			cl->backoff = CLIENT_BACKOFF_MIN;
			break;
		case CLIENT_RETRY_NOW:
			now = true;
			break;
		case CLIENT_RETRY:
			break;
		}
	}
	/*
	 * A node draining says "elsewhere, now": no delay, until every
	 * server said it in a row (then the usual backoff).
	 */
	if (now && cl->drain_streak < cl->nsrv)
		cl->drain_streak++;
	else {
		now = false;
		cl->drain_streak = 0;
	}

	/* Several servers: the next; its name is looked up again. */
	client_server_next(cl);
	client_roam_resolve(cl);
	delay_ms = cl->backoff * 1000;
	delay_ms += client_ws_random(delay_ms / 2 + 1);
	if (now)
		delay_ms = 0;
	if (cl->roam_now) {
		/* The network changed: the old path is gone, try the new. */
		cl->roam_now = false;
		delay_ms = 0;
	}
	tv.tv_sec = delay_ms / 1000;
	tv.tv_usec = (delay_ms % 1000) * 1000;
	log_warnx("connection to %s lost: %s; reconnecting in %u.%01u s",
	    cl->cfg->url_host, why, delay_ms / 1000, (delay_ms % 1000) / 100);
	cl->backoff *= 2;
	if (cl->backoff > cl->cfg->reconnect_max)
		cl->backoff = cl->cfg->reconnect_max;
	if (cl->backoff < CLIENT_BACKOFF_MIN)
		cl->backoff = CLIENT_BACKOFF_MIN;
	if (evtimer_add(cl->reconnect_ev, &tv) == -1)
		fatalx("cannot arm the reconnect timer");
}

/*
 * Close the connection from outside an lws callback.  A peer that went
 * quiet will not answer a WebSocket close either: shut the socket down so
 * that lws sees the end at once instead of waiting for the close ack.
 */
static void
client_ws_drop(struct client *cl, const char *why)
{
	lws_sockfd_type fd;

	cl->drop_why = why;
	if (cl->wsi == NULL) {
		client_ws_lost(cl, why);
		return;
	}
	if (cl->state != CLIENT_CONNECTING &&
	    (fd = lws_get_socket_fd(cl->wsi)) != LWS_SOCK_INVALID)
		shutdown(fd, SHUT_RDWR);
	lws_set_timeout(cl->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

/* The backoff delay is over: try again. */
static void
client_ws_reconnect_cb(evutil_socket_t fd, short events, void *arg)
{
	client_ws_connect(arg);
}

/* No assignment in time after connecting: give up on this attempt. */
static void
client_ws_connect_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct client *cl = arg;

	log_debug("%s: no assignment after %d s", __func__,
	    CLIENT_CONNECT_TIMEOUT);
	cl->close_code = 0;
	cl->close_authentic = false;
	client_ws_drop(cl, "no assignment in time");
}

/* Every keepalive seconds: PING, and reconnect if the server went quiet. */
static void
client_ws_keepalive_cb(evutil_socket_t fd, short events, void *arg)
{
	struct client *cl = arg;
	uint64_t quiet, limit;

	if (cl->state != CLIENT_UP || cl->wsi == NULL)
		return;
	quiet = client_mono_ns() - cl->last_rx_ns;
	limit = 3ULL * cl->assign.keepalive * 1000000000ULL;
	if (quiet > limit) {
		log_warnx("no record from the server for %u s",
		    3U * cl->assign.keepalive);
		client_ws_drop(cl, "keepalive timeout");
		return;
	}
	cl->want_ping = true;
	lws_callback_on_writable(cl->wsi);
}

/* The CLOSE had its chance to leave: stop now. */
static void
client_ws_stop_cb(evutil_socket_t fd, short events, void *arg)
{
	struct client *cl = arg;

	event_base_loopexit(cl->base, NULL);
}

/* Create the lws context on our event_base and the buffers. */
int
client_ws_init(struct client *cl, char **cause)
{
	struct lws_context_creation_info info;
	struct client_config *cfg = cl->cfg;
	void *loops[1];
	const char *ca;

	cl->txq = txq_new(CLIENT_TXQ_BYTES, LWS_PRE);
	cl->ctlbuf = xmalloc(LWS_PRE + CLIENT_CTL_CAP);
	cl->backoff = CLIENT_BACKOFF_MIN;

	cl->reconnect_ev = evtimer_new(cl->base, client_ws_reconnect_cb, cl);
	cl->connect_timeout_ev = evtimer_new(cl->base,
	    client_ws_connect_timeout_cb, cl);
	cl->keepalive_ev = event_new(cl->base, -1, EV_PERSIST,
	    client_ws_keepalive_cb, cl);
	cl->stop_ev = evtimer_new(cl->base, client_ws_stop_cb, cl);
	if (cl->reconnect_ev == NULL || cl->connect_timeout_ev == NULL ||
	    cl->keepalive_ev == NULL || cl->stop_ev == NULL) {
		xasprintf(cause, "cannot create timers");
		return -1;
	}

	client_ws_sni = cfg->sni;
	client_ws_set_host(cl);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = client_protocols;
	info.gid = (gid_t)-1;
	info.uid = (uid_t)-1;
	info.user = cl;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
	    LWS_SERVER_OPTION_LIBEVENT;
	loops[0] = cl->base;
	info.foreign_loops = loops;
	wsmsg_context_tune(&info);
	if (cfg->ca_file != NULL) {
		/* --ca: that CA only, not the system's as well. */
		info.client_ssl_ca_filepath = cfg->ca_file;
		info.options |= LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
	} else {
		/* The system CAs; named, or lws looks in its build dir. */
		ca = X509_get_default_cert_file();
		if (access(ca, R_OK) == 0)
			info.client_ssl_ca_filepath = ca;
	}
	if ((cl->lws = lws_create_context(&info)) == NULL) {
		xasprintf(cause, "cannot create the libwebsockets context%s%s",
		    cfg->ca_file != NULL ? " (check --ca " : "",
		    cfg->ca_file != NULL ? cfg->ca_file : "");
		return -1;
	}
	return 0;
}

void
client_ws_set_host(struct client *cl)
{
	client_ws_host6 = strchr(cl->cfg->url_host, ':') != NULL ?
	    cl->cfg->url_host : NULL;
}

/* Start one connection attempt. */
void
client_ws_connect(struct client *cl)
{
	struct client_config *cfg = cl->cfg;
	struct lws_client_connect_info i;
	struct timeval tv = { CLIENT_CONNECT_TIMEOUT, 0 };
	char *cause = NULL;

	if (cl->stopping || cl->state != CLIENT_IDLE)
		return;
	proto_hs_free(cl->hs);
	cl->hs = proto_hs_new();
	proto_session_free(cl->ps);
	cl->ps = proto_session_new();
	cl->close_code = 0;
	cl->close_authentic = false;
	cl->close_reason[0] = '\0';
	cl->drop_why = NULL;
	cl->rx.in_msg = false;

	cl->roam_now = false;
	cl->state = CLIENT_CONNECTING;
	if (client_tun_repin(cl, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
		client_ws_lost(cl, "no route to the server");
		return;
	}

	memset(&i, 0, sizeof(i));
	i.context = cl->lws;
	/* The address resolved at start: no blocking lookup in the loop. */
	i.address = cl->server_ipstr;
	i.port = cfg->url_port;
	/* Relay mode: the base path; TUN mode: its "/tun". */
	i.path = cfg->socks_listen != NULL ? cfg->url_path : cfg->tun_path;
	i.host = cl->host_header;	/* also SNI and the name checked */
	i.origin = cl->host_header;
	i.protocol = PROTO_SUBPROTOCOL;
	/* As a browser's WebSocket: HTTP/1.1 offered in ALPN. */
	i.alpn = "http/1.1";
	if (cfg->url_tls) {
		i.ssl_connection = LCCSCF_USE_SSL;
		/*
		 * The pinned server key authenticates the server in the
		 * Noise handshake whatever the certificate says.
		 */
		if (cfg->insecure)
			i.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED |
			    LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
			    LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
	}
	i.pwsi = &cl->wsi;

	cl->state = CLIENT_CONNECTING;
	if (evtimer_add(cl->connect_timeout_ev, &tv) == -1)
		fatalx("cannot arm the connect timer");
	log_debug("%s: %s://%s:%u%s", __func__, cfg->url_tls ? "wss" : "ws",
	    cl->server_ipstr, (unsigned)cfg->url_port, i.path);
	if (lws_client_connect_via_info(&i) == NULL)
		client_ws_lost(cl, "connect failed");
}

/*
 * The default route changed: the connection's path may be gone.  Drop
 * it (or the wait for the next attempt) and connect again at once,
 * through the new path.
 */
void
client_ws_roam(struct client *cl)
{
	if (cl->stopping)
		return;
	cl->backoff = CLIENT_BACKOFF_MIN;
	if (cl->state == CLIENT_IDLE) {
		evtimer_del(cl->reconnect_ev);
		client_ws_connect(cl);
		return;
	}
	cl->roam_now = true;
	cl->close_code = 0;
	cl->close_authentic = false;
	client_ws_drop(cl, "default route changed");
}

/* SIGINT/SIGTERM: send CLOSE if connected, then leave the loop. */
void
client_ws_shutdown(struct client *cl)
{
	struct timeval tv = { CLIENT_CLOSE_GRACE, 0 };

	cl->stopping = true;
	if (cl->state == CLIENT_UP && cl->wsi != NULL) {
		cl->want_close = true;
		lws_callback_on_writable(cl->wsi);
		if (evtimer_add(cl->stop_ev, &tv) == 0)
			return;
	}
	client_stop(cl, 0);
}

/* Destroy the lws context (closing any connection), buffers, timers. */
void
client_ws_free(struct client *cl)
{
	if (cl->lws != NULL) {
		lws_context_destroy(cl->lws);
		cl->lws = NULL;
	}
	cl->wsi = NULL;
	proto_hs_free(cl->hs);
	cl->hs = NULL;
	proto_session_free(cl->ps);
	cl->ps = NULL;
	if (cl->reconnect_ev != NULL)
		event_free(cl->reconnect_ev);
	if (cl->connect_timeout_ev != NULL)
		event_free(cl->connect_timeout_ev);
	if (cl->keepalive_ev != NULL)
		event_free(cl->keepalive_ev);
	if (cl->stop_ev != NULL)
		event_free(cl->stop_ev);
	cl->reconnect_ev = cl->connect_timeout_ev = NULL;
	cl->keepalive_ev = cl->stop_ev = NULL;
	wsmsg_rx_free(&cl->rx);
	txq_free(cl->txq);
	cl->txq = NULL;
	free(cl->ctlbuf);
	cl->ctlbuf = NULL;
}

/* The upgrade succeeded: build HANDSHAKE_INIT. */
static int
client_ws_established(struct client *cl, struct lws *wsi)
{
	struct proto_hello hello;
	int error;

	cl->wsi = wsi;
	cl->peer_closed = false;
	wsmsg_tls_keep_buffers(wsi);	/* one server: no pre-auth to save */
	memset(&hello, 0, sizeof(hello));
	hello.version = PROTO_VERSION;
	proto_tai64n_now(hello.timestamp);
	if (cl->cfg->socks_listen != NULL) {
		hello.session = PROTO_SESSION_RELAY;
		hello.stream_version = STREAM_VERSION;
	} else if (cl->have_addr) {
		hello.has_addr4 = true;
		hello.addr4 = cl->prev_addr;
	}
	error = proto_hs_initiate(cl->hs, cl->priv, cl->cfg->server_key,
	    &hello, cl->ctlbuf + LWS_PRE, CLIENT_CTL_CAP, &cl->ctllen);
	explicit_bzero(&hello, sizeof(hello));
	if (error != PROTO_OK) {
		log_warnx("handshake: %s", proto_strerror(error));
		return -1;
	}
	cl->state = CLIENT_HS_SEND;
	lws_callback_on_writable(wsi);
	log_debug("%s: upgraded; sending the handshake", __func__);
	return 0;
}

/* Log the one line the operator (and the lab) waits for. */
static void
client_ws_log_up(struct client *cl)
{
	const struct proto_assign *a = &cl->assign;
	char addr[INET_ADDRSTRLEN];
	char dns[CLIENT_MAX_DNS * (INET6_ADDRSTRLEN + 1) + 8];
	char one6[INET6_ADDRSTRLEN];
	char v6[INET6_ADDRSTRLEN + 16];
	unsigned i;

	dns[0] = '\0';
	for (i = 0; i < cl->ndns; i++) {
		snprintf(dns + strlen(dns), sizeof(dns) - strlen(dns), "%s%s",
		    i > 0 ? "," : "", cl->dns[i]);
	}
	if (cl->ndns == 0)
		snprintf(dns, sizeof(dns), "%s", cl->cfg->dns ? "none" : "off");
	if (a->has_addr6)
		snprintf(v6, sizeof(v6), " address6 %s/%u",
		    ipaddr_str6(&a->addr6, one6, sizeof(one6)),
		    (unsigned)a->prefix6);
	else
		v6[0] = '\0';
	log_info("tunnel up: %s/%u via %s mtu %u dns %s%s",
	    ipaddr_str4(a->addr4, addr, sizeof(addr)), (unsigned)a->prefix4,
	    cl->cfg->url_host, (unsigned)a->mtu, dns, v6);
}

/* A relay session is up: streams may open. */
static int
client_ws_relay_up(struct client *cl)
{
	const struct proto_assign *a = &cl->assign;
	struct timeval tv;

	cl->backoff = CLIENT_BACKOFF_MIN;
	cl->drain_streak = 0;
	cl->state = CLIENT_UP;
	cl->last_rx_ns = client_mono_ns();
	if (a->keepalive > 0) {
		tv.tv_sec = a->keepalive;
		tv.tv_usec = 0;
		if (event_add(cl->keepalive_ev, &tv) == -1)
			fatalx("cannot arm the keepalive timer");
	}
	if (cl->relaybuf == NULL)
		cl->relaybuf = xmalloc(LWS_PRE + CLIENT_RELAY_BUF);
	log_info("relay session up via %s (stream version %u)",
	    cl->cfg->url_host, (unsigned)a->stream_version);
	client_socks_up(cl);
	lws_callback_on_writable(cl->wsi);
	return 0;
}

/* HANDSHAKE_RESP accepted: apply the assignment and start the data path. */
int
client_ws_assigned(struct client *cl)
{
	const struct proto_assign *a = &cl->assign;
	struct timeval tv;
	char *cause = NULL, dns[CLIENT_MAX_DNS][INET6_ADDRSTRLEN];
	unsigned i, n = 0;

	evtimer_del(cl->connect_timeout_ev);
	if (a->relay != (cl->cfg->socks_listen != NULL)) {
		log_warnx("handshake with %s failed: %s", cl->cfg->url_host,
		    a->relay ? "a relay assignment to a TUN client" :
		    "a TUN assignment to a relay client");
		return -1;
	}
	if (a->relay)
		return client_ws_relay_up(cl);
	if (client_tun_apply(cl, a, &cause) == -1) {
		log_error("%s", cause);
		free(cause);
		client_stop(cl, 1);
		return -1;
	}
	/* IPv4 name servers first, then IPv6 ones (only with IPv6). */
	memset(dns, 0, sizeof(dns));
	for (i = 0; i < a->ndns4 && n < CLIENT_MAX_DNS; i++)
		ipaddr_str4(a->dns4[i], dns[n++], sizeof(dns[0]));
	for (i = 0; a->has_addr6 && i < a->ndns6 && n < CLIENT_MAX_DNS; i++)
		ipaddr_str6(&a->dns6[i], dns[n++], sizeof(dns[0]));
	if (cl->cfg->dns && n > 0) {
		if (client_dns_apply(cl, dns, n, &cause) == -1) {
			log_error("%s", cause);
			free(cause);
			client_stop(cl, 1);
			return -1;
		}
	} else
		client_dns_restore(cl);

	cl->have_addr = true;
	cl->prev_addr = a->addr4;
	cl->backoff = CLIENT_BACKOFF_MIN;
	cl->drain_streak = 0;
	cl->state = CLIENT_UP;
	cl->last_rx_ns = client_mono_ns();
	if (a->keepalive > 0) {
		tv.tv_sec = a->keepalive;
		tv.tv_usec = 0;
		if (event_add(cl->keepalive_ev, &tv) == -1)
			fatalx("cannot arm the keepalive timer");
	}
	client_ws_log_up(cl);
	client_tun_resume(cl);
	if (txq_count(cl->txq) > 0)
		lws_callback_on_writable(cl->wsi);
	return 0;
}

/*
 * Before each ClientHello.  With sni set, it is the name sent in SNI and
 * the one the certificate must carry (the Host header keeps the URL's
 * host: domain fronting).  Without, lws names the URL's host in SNI even
 * when it is an address, which no browser does (RFC 6066 allows names
 * only): an address is dropped from SNI; the certificate is still
 * checked against it.
 */
static void
client_ws_tls_info_cb(const SSL *ssl, int where, int ret)
{
	X509_VERIFY_PARAM *param;
	const char *name;
	unsigned char a[16];

	if (!(where & SSL_CB_HANDSHAKE_START))
		return;
	if (client_ws_sni != NULL) {
		if (SSL_set_tlsext_host_name((SSL *)ssl, client_ws_sni) != 1)
			log_warnx("cannot set SNI %s", client_ws_sni);
		param = SSL_get0_param((SSL *)ssl);
		X509_VERIFY_PARAM_set1_ip(param, NULL, 0);
		X509_VERIFY_PARAM_set1_host(param, client_ws_sni, 0);
		return;
	}
	if (client_ws_host6 != NULL) {
		/*
		 * lws 4.1 cuts "[2001:db8::1]" at its first ':' and checks
		 * the certificate against "[2001": check the address itself.
		 */
		param = SSL_get0_param((SSL *)ssl);
		X509_VERIFY_PARAM_set1_host(param, NULL, 0);
		if (X509_VERIFY_PARAM_set1_ip_asc(param, client_ws_host6) != 1)
			log_warnx("cannot check the certificate against %s",
			    client_ws_host6);
		SSL_set_tlsext_host_name((SSL *)ssl, NULL);
		return;
	}
	name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if (name != NULL && (inet_pton(AF_INET, name, a) == 1 ||
	    inet_pton(AF_INET6, name, a) == 1))
		SSL_set_tlsext_host_name((SSL *)ssl, NULL);
}

/* The rvpn.v1 protocol callback: one connection at a time. */
static int
client_ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct lws_context *ctx = lws_get_context(wsi);
	struct client *cl = ctx != NULL ? lws_context_user(ctx) : NULL;
	const uint8_t *p = in;
	char why[160];

	if (reason == LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS &&
	    user != NULL) {
		SSL_CTX_set_info_callback(user, client_ws_tls_info_cb);
		wsmsg_tls_client_suites(user);
		return 0;
	}
	if (cl == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		return client_ws_established(cl, wsi);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (wsi != cl->wsi)
			return -1;
		return client_ws_writeable(cl, wsi);
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (wsi != cl->wsi)
			return -1;
		return client_ws_receive(cl, wsi, in, len);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (wsi == cl->wsi)
			cl->peer_closed = true;	/* no direct writes */
		/*
		 * A WebSocket close frame is as authentic as the transport:
		 * only TLS verified against a CA says it is the server's.
		 * A code from the Noise session (above) is kept.
		 */
		if (len >= 2 && !cl->close_authentic) {
			cl->close_authentic = cl->cfg->url_tls &&
			    !cl->cfg->insecure;
			cl->close_code = (p[0] << 8) | p[1];
			len -= 2;
			if (len > PROTO_REASON_MAX)
				len = PROTO_REASON_MAX;
			memcpy(cl->close_reason, p + 2, len);
			cl->close_reason[len] = '\0';
		}
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		snprintf(why, sizeof(why), "%s",
		    in != NULL ? (const char *)in : "connection failed");
		why[strcspn(why, "\r\n")] = '\0';
		if (strstr(why, "SSL") != NULL)
			snprintf(why, sizeof(why), "TLS handshake failed (is "
			    "the certificate trusted? see --ca, --insecure)");
		if (wsi == cl->wsi || cl->state == CLIENT_CONNECTING)
			client_ws_lost(cl, why);
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (wsi == cl->wsi)
			client_ws_lost(cl, "connection closed");
		break;
	case LWS_CALLBACK_WSI_DESTROY:
		if (wsi == cl->wsi) {
			cl->wsi = NULL;
			client_ws_lost(cl, "connection closed");
		}
		break;
	default:
		break;
	}
	return 0;
}
