/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <libwebsockets.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipaddr.h"
#include "log.h"
#include "proto.h"
#include "server.h"
#include "wsmsg.h"
#include "xmalloc.h"

#define SERVER_URI_MAX	256
#define SERVER_HDR_MAX	4096	/* lws's header room per request */

/*
 * Borrowed: the SSL_CTX of lws's only vhost, seen when lws creates it.
 * Reload puts a new certificate and key into it; established
 * connections keep the copies their SSL took at accept.
 */
static SSL_CTX	*server_ws_ssl_ctx;

/* lws's idle policy: no PINGs or hangups of its own (0, 0). */
static const lws_retry_bo_t server_ws_retry = { NULL, 0, 0, 0, 0, 0 };

/*
 * TLS 1.2 suites: forward-secret AEAD only, in the order of Mozilla's
 * "intermediate" profile (what a well-configured web server offers);
 * TLS 1.3 keeps OpenSSL's three suites.
 */
#define SERVER_TLS12_CIPHERS						\
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"	\
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"	\
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"	\
	"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384"

/* lws per-connection data of the rvpn.v1 protocol. */
struct server_pss {
	struct session	*s;
	char		 remote[SERVER_REMOTE_MAX];
	bool		 relay;		/* upgraded at websocket_path */
};

static struct server *
server_ws_server(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

/*
 * The server's SSL_CTX as lws made it: TLS 1.2 at least (lws leaves
 * 1.0 and 1.1 to OpenSSL's default), the client's suite order (clients
 * know whether they have AES hardware), no renegotiation.
 */
static void
server_ws_tls_setup(SSL_CTX *ctx)
{
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		fatalx("SSL_CTX_set_min_proto_version");
	SSL_CTX_clear_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION);
}

/*
 * The request's path (no query string): 1 the tunnel path, 2 the base
 * path (relay mode, when on), 0 anything else.
 */
static int
server_ws_path_kind(struct server *sv, struct lws *wsi)
{
	char uri[SERVER_URI_MAX];
	int n;

	n = lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI);
	if (n <= 0)
		return 0;
	if (sv->cfg->tun && strcmp(uri, sv->cfg->tun_path) == 0)
		return 1;
	if (sv->cfg->relay && strcmp(uri, sv->cfg->websocket_path) == 0)
		return 2;
	return 0;
}

static bool
server_ws_path_ok(struct server *sv, struct lws *wsi)
{
	return server_ws_path_kind(sv, wsi) != 0;
}

/* The TCP peer as text, without the IPv4-mapped prefix. */
static void
server_ws_peer(struct lws *wsi, char *buf, size_t len)
{
	char peer[SERVER_REMOTE_MAX];

	peer[0] = '\0';
	lws_get_peer_simple(wsi, peer, sizeof(peer));
	snprintf(buf, len, "%s", peer[0] != '\0' ? ipaddr_unmapped(peer) :
	    "?");
}

/*
 * The client's address to show: the TCP peer, or the last hop of
 * X-Forwarded-For when the peer is a trusted proxy.  The proxy appends
 * that hop; whatever the client sent comes before it, so the buffer
 * holds all lws can store: a padded header must not hide the client.
 * (Repeated headers, as HAProxy adds them, arrive joined by commas.)
 */
static void
server_ws_remote(struct server *sv, struct lws *wsi, char *buf, size_t len)
{
	struct server_config *cfg = sv->cfg;
	char xff[SERVER_HDR_MAX + 1], *last;
	struct in_addr peer, fwd;
	struct in6_addr peer6, fwd6;
	bool trusted;
	const char *pp;

	/* proxy_protocol: the PROXY header named the client. */
	if ((pp = preauth_pp_peer(wsi)) != NULL) {
		snprintf(buf, len, "%s", pp);
		return;
	}
	server_ws_peer(wsi, buf, len);
	if (ipaddr_parse4(buf, &peer))
		trusted = config_in_prefixes(cfg->trusted_proxies,
		    cfg->ntrusted_proxies, AF_INET, &peer);
	else if (ipaddr_parse6(buf, &peer6))
		trusted = config_in_prefixes(cfg->trusted_proxies,
		    cfg->ntrusted_proxies, AF_INET6, &peer6);
	else
		trusted = false;
	if (!trusted || lws_hdr_copy(wsi, xff, sizeof(xff),
	    WSI_TOKEN_X_FORWARDED_FOR) <= 0)
		return;
	last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	last += strspn(last, " \t");
	last[strcspn(last, " \t")] = '\0';
	/* The client behind the proxy may have come over IPv6. */
	if (ipaddr_parse4(last, &fwd))
		snprintf(buf, len, "%s", last);
	else if (ipaddr_parse6(last, &fwd6))
		ipaddr_str6(&fwd6, buf, len);
}

/* True if header h holds token tok (comma-separated, any case). */
static bool
server_ws_hdr_has(struct lws *wsi, enum lws_token_indexes h, const char *tok)
{
	char buf[256], *p, *t;
	size_t n;

	if (lws_hdr_copy(wsi, buf, sizeof(buf), h) <= 0)
		return false;
	for (p = buf; (t = strsep(&p, ",")) != NULL; ) {
		t += strspn(t, " \t");
		n = strcspn(t, " \t");
		t[n] = '\0';
		if (strcasecmp(t, tok) == 0)
			return true;
	}
	return false;
}

/*
 * True for what lws will turn into an rvpn.v1 WebSocket: a GET of the
 * tunnel path asking for "websocket" with Connection: Upgrade, version
 * 13, a key and the rvpn.v1 subprotocol.  Anything else is answered as
 * a plain request by the decoy (lws would otherwise answer some of these
 * itself, or hang up).
 */
static bool
server_ws_upgrade_ok(struct server *sv, struct lws *wsi, const char *up)
{
	char v[16];
	char *uri;
	int n;

	return !sv->stopping && up != NULL && strcasecmp(up, "websocket") == 0 &&
	    lws_http_get_uri_and_method(wsi, &uri, &n) == LWSHUMETH_GET &&
	    server_ws_path_ok(sv, wsi) &&
	    server_ws_hdr_has(wsi, WSI_TOKEN_CONNECTION, "upgrade") &&
	    lws_hdr_copy(wsi, v, sizeof(v), WSI_TOKEN_VERSION) > 0 &&
	    strcmp(v, "13") == 0 &&
	    lws_hdr_total_length(wsi, WSI_TOKEN_KEY) > 0 &&
	    server_ws_hdr_has(wsi, WSI_TOKEN_PROTOCOL, PROTO_SUBPROTOCOL);
}

/*
 * The HTTP side: every request but the rvpn.v1 upgrade goes to the
 * decoy (server-decoy.c), including probes of the tunnel path.
 */
static int
server_http_cb(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	struct server *sv;

	switch (reason) {
	/* Before authentication: server-preauth.c. */
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		return preauth_accept(server_ws_server(wsi),
		    &((struct lws_filter_network_conn_args *)user)->cli_addr) ?
		    1 : 0;
	case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
		preauth_attach(server_ws_server(wsi), wsi);
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		preauth_done(server_ws_server(wsi), wsi);
		return 0;
	case LWS_CALLBACK_HTTP:
		preauth_web(server_ws_server(wsi), wsi);
		return decoy_http(server_ws_server(wsi), wsi, user);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return decoy_writeable(server_ws_server(wsi), wsi, user);
	case LWS_CALLBACK_HTTP_BODY:
		return decoy_body(wsi, user, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return 0;
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		decoy_close(user);
		return 0;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		sv = server_ws_server(wsi);
		if (server_ws_upgrade_ok(sv, wsi, in))
			return 0;
#ifdef LWS_RVPN_CONFIRM_UPGRADE_AS_HTTP
		/* Patched lws: served as plain HTTP, by decoy_http(). */
		return LWS_RVPN_CONFIRM_UPGRADE_AS_HTTP;
#else
		return decoy_upgrade(sv, wsi);
#endif
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* A WebSocket without the rvpn.v1 subprotocol. */
		return -1;
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
		server_ws_ssl_ctx = user;
		server_ws_tls_setup(user);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* The rvpn.v1 WebSocket: one session per connection. */
static int
server_ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct server_pss *pss = user;
	struct server *sv;
	const unsigned char *p;

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		sv = server_ws_server(wsi);
		if (sv->stopping || !server_ws_path_ok(sv, wsi))
			return -1;
		pss->relay = server_ws_path_kind(sv, wsi) == 2;
		server_ws_remote(sv, wsi, pss->remote, sizeof(pss->remote));
		return preauth_source(sv, wsi, pss->remote) == 0 ? 0 : -1;
	case LWS_CALLBACK_ESTABLISHED:
		sv = server_ws_server(wsi);
		if (pss->remote[0] == '\0')
			server_ws_peer(wsi, pss->remote, sizeof(pss->remote));
		pss->s = session_new(sv, wsi, pss->remote);
		pss->s->relay_path = pss->relay;
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (pss->s == NULL)
			return -1;
		session_receive(pss->s, in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (pss->s == NULL)
			return -1;
		return session_writeable(pss->s);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (pss->s != NULL)
			pss->s->peer_closed = true;	/* no direct writes */
		if (pss->s != NULL && pss->s->close_reason[0] == '\0') {
			p = in;
			snprintf(pss->s->close_reason,
			    sizeof(pss->s->close_reason),
			    "client closed (code %u)",
			    len >= 2 ? (unsigned)(p[0] << 8 | p[1]) : 0);
		}
		return 0;
	case LWS_CALLBACK_CLOSED:
		if (pss->s != NULL) {
			pss->s->wsi = NULL;
			session_free(pss->s);
			pss->s = NULL;
		}
		return 0;
	default:
		break;
	}
	return 0;
}

/* Not const: the decoy's per-request size is set at start. */
static struct lws_protocols server_protocols[] = {
	{ "http", server_http_cb, 0, 0, 0, NULL, 0 },
	{ PROTO_SUBPROTOCOL, server_ws_cb, sizeof(struct server_pss),
	    PROTO_MAX_RECORD, 0, NULL, PROTO_MAX_RECORD + 16 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* True for 127.0.0.0/8, ::1 and "localhost". */
static bool
server_ws_loopback(const char *host)
{
	struct in_addr a;

	if (strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0)
		return true;
	return ipaddr_parse4(host, &a) &&
	    (ntohl(a.s_addr) >> 24) == 127;
}

/*
 * Create the lws context on our event_base (a foreign loop) listening on
 * bind_address, with TLS when a certificate is configured.
 */
int
server_ws_start(struct server *sv, char **cause)
{
	struct server_config *cfg = sv->cfg;
	struct lws_context_creation_info info;
	void *loops[1];

	if (decoy_init(sv, cause) == -1)
		return -1;	/* the caller's teardown frees it */
	memset(&info, 0, sizeof(info));
	loops[0] = sv->base;
	info.foreign_loops = loops;
	info.options = LWS_SERVER_OPTION_LIBEVENT;
	/* proxy_protocol: server-proxy.c accepts, lws adopts. */
	info.port = cfg->proxy_protocol ? CONTEXT_PORT_NO_LISTEN_SERVER :
	    cfg->bind_port;
	/*
	 * An IPv4 address: an IPv4 socket.  "::" is one dual-stack socket
	 * (IPv4 peers show as themselves, see server_ws_peer); another
	 * IPv6 address, a socket on it alone.
	 */
	if (strchr(cfg->bind_host, ':') == NULL)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	if (strcmp(cfg->bind_host, "0.0.0.0") != 0 &&
	    strcmp(cfg->bind_host, "::") != 0)
		info.iface = cfg->bind_host;
	server_protocols[0].per_session_data_size = decoy_pss_size();
	info.protocols = server_protocols;
	info.user = sv;
	info.vhost_name = "default";
	/* One WebSocket per TCP connection: no HTTP/2. */
	info.alpn = "http/1.1";
	/* No Server header from lws; the decoy adds server_header. */
	info.server_string = NULL;
	info.max_http_header_data = SERVER_HDR_MAX;
	/*
	 * No lws validity timers: rvpn keeps sessions alive itself, and
	 * lws inserts each into one sorted list (a walk of every session
	 * per new session, measured: a quarter of the CPU at 6000).
	 */
	info.retry_and_idle_policy = &server_ws_retry;
	wsmsg_context_tune(&info);
	/* Deadlines before authentication: server.h, rvpn-server(8). */
	info.timeout_secs = SERVER_TLS_TIMEOUT;
	info.timeout_secs_ah_idle = SERVER_HTTP_TIMEOUT;
	info.keepalive_timeout = SERVER_HTTP_TIMEOUT;
	if (cfg->tls_cert_file != NULL) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = cfg->tls_cert_file;
		info.ssl_private_key_filepath = cfg->tls_key_file;
		info.ssl_cipher_list = SERVER_TLS12_CIPHERS;
	} else if (!server_ws_loopback(cfg->bind_host))
		log_warnx("no tls_cert_file: plain WebSocket on %s; put a TLS "
		    "reverse proxy in front", cfg->bind_address);

	/*
	 * The context first, then its one vhost: when the vhost fails (port
	 * in use, bad certificate) lws 4.1.6 frees a context that created
	 * its default vhost only partly (its events on our base and more
	 * leak), while a whole context destroys cleanly.
	 */
	info.options |= LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	server_ws_ssl_ctx = NULL;
	lws_set_allocator(preauth_lws_alloc);
	if ((sv->lws = lws_create_context(&info)) == NULL) {
		xasprintf(cause, "cannot create the libwebsockets context");
		return -1;
	}
	if ((sv->vhost = lws_create_vhost(sv->lws, &info)) == NULL ||
	    lws_finalize_startup(sv->lws) != 0) {
		xasprintf(cause, "cannot listen on %s%s", cfg->bind_address,
		    cfg->tls_cert_file != NULL ?
		    " (or load the TLS certificate/key)" : "");
		return -1;	/* the caller's teardown destroys sv->lws */
	}
	return 0;
}

/*
 * Destroy the lws context: it closes every connection (each session is
 * freed on LWS_CALLBACK_CLOSED); the loop then runs until lws has
 * released its events.  Our own events must be gone by now.
 */
void
server_ws_stop(struct server *sv)
{
	struct session *s;

	if (sv->lws != NULL) {
		server_ws_ssl_ctx = NULL;
		lws_context_destroy(sv->lws);
		sv->lws = NULL;
		event_base_loop(sv->base, 0);
	}
	/* Sessions lws did not report closed. */
	while ((s = TAILQ_FIRST(&sv->sessions)) != NULL) {
		s->wsi = NULL;
		session_free(s);
	}
	decoy_free(sv);
}

/* Never prompt for a pass phrase: an encrypted key is an error. */
static int
server_ws_no_pass(char *buf, int size, int rwflag, void *arg)
{
	return -1;
}

/* The last OpenSSL error as text, or "unknown error"; clears the queue. */
static const char *
server_ws_ssl_error(char *buf, size_t len)
{
	unsigned long e;

	if ((e = ERR_peek_last_error()) == 0)
		snprintf(buf, len, "unknown error");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

/*
 * Reload the TLS certificate chain and key: read both, check them on a
 * scratch SSL_CTX (the key must match the certificate), then put them in
 * lws's SSL_CTX, so only new connections see them.  On any error the
 * running certificate stays; -1 with *cause.
 */
int
server_ws_tls_reload(struct server *sv, const char *certfile,
    const char *keyfile, char **cause)
{
	SSL_CTX *scratch = NULL;
	STACK_OF(X509) *chain = NULL;
	X509 *cert = NULL, *x;
	EVP_PKEY *pkey = NULL, *old;
	FILE *f;
	char err[256];
	int rc = -1;

	if (server_ws_ssl_ctx == NULL) {
		xasprintf(cause, "TLS was not set up at start");
		return -1;
	}
	ERR_clear_error();
	if ((f = fopen(certfile, "r")) == NULL) {
		xasprintf(cause, "%s: %s", certfile, strerror(errno));
		goto out;
	}
	cert = PEM_read_X509_AUX(f, NULL, server_ws_no_pass, NULL);
	if ((chain = sk_X509_new_null()) == NULL)
		fatalx("sk_X509_new_null");
	while (cert != NULL &&
	    (x = PEM_read_X509(f, NULL, server_ws_no_pass, NULL)) != NULL) {
		if (sk_X509_push(chain, x) == 0)
			fatalx("sk_X509_push");
	}
	fclose(f);
	if (cert == NULL) {
		xasprintf(cause, "%s: no PEM certificate: %s", certfile,
		    server_ws_ssl_error(err, sizeof(err)));
		goto out;
	}
	ERR_clear_error();	/* the end of the chain */
	if ((f = fopen(keyfile, "r")) == NULL) {
		xasprintf(cause, "%s: %s", keyfile, strerror(errno));
		goto out;
	}
	pkey = PEM_read_PrivateKey(f, NULL, server_ws_no_pass, NULL);
	fclose(f);
	if (pkey == NULL) {
		xasprintf(cause, "%s: no PEM private key (or it is encrypted): "
		    "%s", keyfile, server_ws_ssl_error(err, sizeof(err)));
		goto out;
	}
	/* A key of another type would sit beside the old one, not replace it. */
	old = SSL_CTX_get0_privatekey(server_ws_ssl_ctx);
	if (old != NULL && EVP_PKEY_get_base_id(old) !=
	    EVP_PKEY_get_base_id(pkey)) {
		xasprintf(cause, "%s: key type changed (%s to %s): restart "
		    "required", keyfile, OBJ_nid2sn(EVP_PKEY_get_base_id(old)),
		    OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)));
		goto out;
	}
	if ((scratch = SSL_CTX_new(TLS_server_method())) == NULL)
		fatalx("SSL_CTX_new");
	if (SSL_CTX_use_cert_and_key(scratch, cert, pkey, chain, 1) != 1) {
		xasprintf(cause, "%s: %s: the key does not match the "
		    "certificate: %s", certfile, keyfile,
		    server_ws_ssl_error(err, sizeof(err)));
		goto out;
	}
	if (SSL_CTX_use_cert_and_key(server_ws_ssl_ctx, cert, pkey, chain,
	    1) != 1) {
		xasprintf(cause, "%s: cannot use the certificate: %s",
		    certfile, server_ws_ssl_error(err, sizeof(err)));
		goto out;
	}
	log_debug("%s: %s, %s loaded", __func__, certfile, keyfile);
	rc = 0;
out:
	SSL_CTX_free(scratch);
	EVP_PKEY_free(pkey);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	ERR_clear_error();
	return rc;
}
