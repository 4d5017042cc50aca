/* SPDX-License-Identifier: ISC */
/*
 * Relay mode, the client's side: a SOCKS5 listener (RFC 1928, CONNECT;
 * no authentication, or username/password (RFC 1929) when
 * socks_username is set) whose connections become streams of the relay
 * session.  Names go to the server unresolved.  The greeting, login and
 * request must be whole within CLIENT_SOCKS_HANDSHAKE seconds.  A
 * request made while no session is up waits for one (CLIENT_SOCKS_WAIT
 * seconds at most); the streams of a session that drops are reset.
 */
#include "autoconf.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <libwebsockets.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "log.h"
#include "relay.h"
#include "socks5.h"
#include "stream.h"
#include "xmalloc.h"

#define CLIENT_SOCKS_WAIT	30	/* seconds for a session to come up */
#define CLIENT_SOCKS_HANDSHAKE	10	/* seconds to the whole request */
#define CLIENT_SOCKS_STREAMS	4096	/* streams per session, our side */

enum socks_state {
	SOCKS_GREETING,		/* version, methods */
	SOCKS_AUTH,		/* RFC 1929 username/password */
	SOCKS_REQUEST,		/* CONNECT host:port */
	SOCKS_WAIT,		/* no session yet */
	SOCKS_OPENING,		/* OPEN sent */
	SOCKS_CLOSING,		/* reply out, then close */
};

struct socks_conn {
	struct client		*cl;
	struct bufferevent	*bev;
	enum socks_state	 state;
	struct stream_msg	 open;
	struct relay_stream	*rs;
	struct event		*timer;
	char			 peer[INET6_ADDRSTRLEN + 8];	/* for the log */
	TAILQ_ENTRY(socks_conn)	 entry;		/* waiting */
};
TAILQ_HEAD(socks_conns, socks_conn);
static struct socks_conns socks_waiting = TAILQ_HEAD_INITIALIZER(socks_waiting);

static void	socks_opened(void *, struct relay_stream *, int);
static void	socks_closed(void *, struct relay_stream *);
static void	socks_want(void *);

static const struct relay_ops socks_relay_ops = {
	socks_want, NULL, socks_opened, socks_closed,
};

static void
socks_free(struct socks_conn *sc)
{
	if (sc->state == SOCKS_WAIT)
		TAILQ_REMOVE(&socks_waiting, sc, entry);
	if (sc->rs != NULL) {
		relay_set_owner(sc->rs, NULL);
		relay_reset(sc->rs, STREAM_R_GENERAL);
	}
	if (sc->timer != NULL)
		event_free(sc->timer);
	if (sc->bev != NULL)
		bufferevent_free(sc->bev);
	free(sc);
}

static void
socks_flushed_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	socks_free(arg);
}

static void
socks_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	socks_free(arg);
}

/* Send a reply (RFC 1928 section 6; the bound address left zero). */
static void
socks_reply(struct socks_conn *sc, uint8_t rep)
{
	uint8_t r[10] = { 5, rep, 0, 1, 0, 0, 0, 0, 0, 0 };

	bufferevent_write(sc->bev, r, sizeof(r));
}

/* Reply with a failure (or a refusal of the method) and close. */
static void
socks_fail(struct socks_conn *sc, const void *reply, size_t len)
{
	if (sc->state == SOCKS_WAIT)
		TAILQ_REMOVE(&socks_waiting, sc, entry);
	sc->state = SOCKS_CLOSING;
	bufferevent_disable(sc->bev, EV_READ);
	bufferevent_setcb(sc->bev, NULL, socks_flushed_cb, socks_event_cb,
	    sc);
	bufferevent_setwatermark(sc->bev, EV_WRITE, 0, 0);
	bufferevent_write(sc->bev, reply, len);
}

static void
socks_fail_rep(struct socks_conn *sc, uint8_t rep)
{
	uint8_t r[10] = { 5, rep, 0, 1, 0, 0, 0, 0, 0, 0 };

	socks_fail(sc, r, sizeof(r));
}

/* A session is up: open the stream. */
static void
socks_open(struct socks_conn *sc)
{
	struct client *cl = sc->cl;

	if (sc->timer != NULL) {
		event_free(sc->timer);
		sc->timer = NULL;
	}
	if ((sc->rs = relay_open(cl->relay, &sc->open, sc)) == NULL) {
		socks_fail_rep(sc, 1);
		return;
	}
	sc->state = SOCKS_OPENING;
}

static void
socks_handshake_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct socks_conn *sc = arg;

	(void)fd;
	(void)ev;
	log_debug("socks: %s: no request in %d s", sc->peer,
	    CLIENT_SOCKS_HANDSHAKE);
	socks_free(sc);
}

static void
socks_wait_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct socks_conn *sc = arg;

	(void)fd;
	(void)ev;
	log_debug("socks: no session in %d s", CLIENT_SOCKS_WAIT);
	socks_fail_rep(sc, 1);
}

/* The CONNECT request, parsed into sc->open: wait for a session or open. */
static void
socks_request(struct socks_conn *sc)
{
	struct client *cl = sc->cl;
	struct timeval tv = { CLIENT_SOCKS_WAIT, 0 };

	/* The request is whole: the handshake deadline is met. */
	if (sc->timer != NULL) {
		event_free(sc->timer);
		sc->timer = NULL;
	}
	/* Nothing more is read until the stream is open. */
	bufferevent_disable(sc->bev, EV_READ);
	if (cl->relay != NULL) {
		socks_open(sc);
		return;
	}
	sc->state = SOCKS_WAIT;
	TAILQ_INSERT_TAIL(&socks_waiting, sc, entry);
	sc->timer = evtimer_new(cl->base, socks_wait_cb, sc);
	evtimer_add(sc->timer, &tv);
}

/*
 * RFC 1929: VER 1, ULEN, UNAME, PLEN, PASSWD.  Returns 1 when accepted, 0
 * when more bytes are needed, -1 when refused (the reply is sent).  Both
 * fields are compared in constant time over their 255-byte maximum.
 */
static int
socks_auth(struct socks_conn *sc, struct evbuffer *in, size_t n)
{
	struct client *cl = sc->cl;
	uint8_t ub[255], pb[255], *p;
	size_t ulen, plen, need;
	int diff;

	p = evbuffer_pullup(in, (ssize_t)(n < SOCKS5_USERPASS_MAX ? n :
	    SOCKS5_USERPASS_MAX));
	switch (socks5_userpass(p, n, &need, &ulen, &plen)) {
	case SOCKS5_MORE:
		return 0;
	case SOCKS5_WHOLE:
		break;
	default:
		evbuffer_drain(in, n);
		goto refuse;
	}
	memset(ub, 0, sizeof(ub));
	memset(pb, 0, sizeof(pb));
	memcpy(ub, p + 2, ulen);
	memcpy(pb, p + 3 + ulen, plen);
	OPENSSL_cleanse(p, need);
	evbuffer_drain(in, need);
	diff = CRYPTO_memcmp(ub, cl->socks_user, sizeof(ub)) |
	    CRYPTO_memcmp(pb, cl->socks_pass, sizeof(pb)) |
	    (int)(ulen ^ cl->socks_userlen) | (int)(plen ^ cl->socks_passlen);
	OPENSSL_cleanse(pb, sizeof(pb));
	if (diff == 0 && plen > 0) {
		bufferevent_write(sc->bev, "\x01\x00", 2);
		return 1;
	}
refuse:
	log_warnx("socks: %s: wrong username or password", sc->peer);
	socks_fail(sc, "\x01\x01", 2);
	return -1;
}

static void
socks_read_cb(struct bufferevent *bev, void *arg)
{
	struct socks_conn *sc = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t *p, rep = 1;
	size_t n = evbuffer_get_length(in), need = 0;
	int rc;

	if (sc->state == SOCKS_GREETING) {
		p = evbuffer_pullup(in, (ssize_t)(n < 2 + 255 ? n : 2 + 255));
		if ((rc = socks5_greeting(p, n, &need)) == SOCKS5_BAD) {
			socks_free(sc);
			return;
		}
		if (rc == SOCKS5_MORE)
			return;
		p = evbuffer_pullup(in, (ssize_t)need);
		/* With credentials configured, method 2 or nothing. */
		if (!socks5_offers(p, sc->cl->socks_auth ? 2 : 0)) {
			evbuffer_drain(in, need);
			socks_fail(sc, "\x05\xff", 2);
			return;
		}
		evbuffer_drain(in, need);
		n -= need;
		if (sc->cl->socks_auth) {
			bufferevent_write(bev, "\x05\x02", 2);
			sc->state = SOCKS_AUTH;
		} else {
			bufferevent_write(bev, "\x05\x00", 2);
			sc->state = SOCKS_REQUEST;
		}
	}
	if (sc->state == SOCKS_AUTH) {
		if (socks_auth(sc, in, n) != 1)
			return;
		sc->state = SOCKS_REQUEST;
		n = evbuffer_get_length(in);
	}
	if (sc->state != SOCKS_REQUEST)
		return;
	p = evbuffer_pullup(in, (ssize_t)(n < SOCKS5_REQUEST_MAX ? n :
	    SOCKS5_REQUEST_MAX));
	switch (socks5_request(p, n, &need, &sc->open, &rep)) {
	case SOCKS5_MORE:
		return;
	case SOCKS5_BAD:
		/*
		 * Closed without a reply to it, but after the method reply
		 * still queued (else the application may or may not see
		 * it, as the bytes happened to arrive).
		 */
		evbuffer_drain(in, n);
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			socks_free(sc);
		else
			socks_fail(sc, "", 0);
		return;
	case SOCKS5_REFUSE:
		evbuffer_drain(in, n);
		socks_fail_rep(sc, rep);
		return;
	}
	evbuffer_drain(in, need);
	socks_request(sc);
}

static void
socks_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct client *cl = arg;
	struct socks_conn *sc;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	struct timeval hs = { CLIENT_SOCKS_HANDSHAKE, 0 };
	bool loop;

	(void)lev;
	(void)salen;
	if (sa->sa_family == AF_INET)
		loop = (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr)
		    >> 24) == 127;
	else
		loop = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
		    sin6->sin6_addr.s6_addr[12] == 127);
	if (!loop && !cl->cfg->socks_allow_remote) {
		evutil_closesocket(fd);
		return;
	}
	sc = xcalloc(1, sizeof(*sc));
	sc->cl = cl;
	sc->bev = bufferevent_socket_new(cl->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (sc->bev == NULL) {
		evutil_closesocket(fd);
		free(sc);
		return;
	}
	sc->state = SOCKS_GREETING;
	if (sa->sa_family == AF_INET)
		evutil_inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->
		    sin_addr, sc->peer, INET6_ADDRSTRLEN);
	else
		evutil_inet_ntop(AF_INET6, &sin6->sin6_addr, sc->peer,
		    INET6_ADDRSTRLEN);
	snprintf(sc->peer + strlen(sc->peer), sizeof(sc->peer) -
	    strlen(sc->peer), ":%u", sa->sa_family == AF_INET ?
	    ntohs(((const struct sockaddr_in *)sa)->sin_port) :
	    ntohs(sin6->sin6_port));
	/* Greeting, login and request within CLIENT_SOCKS_HANDSHAKE. */
	if ((sc->timer = evtimer_new(cl->base, socks_handshake_cb, sc)) ==
	    NULL || evtimer_add(sc->timer, &hs) == -1) {
		socks_free(sc);
		return;
	}
	bufferevent_setcb(sc->bev, socks_read_cb, NULL, socks_event_cb, sc);
	bufferevent_enable(sc->bev, EV_READ | EV_WRITE);
}

/* relay_ops.opened: OPEN_OK (0) or the RESET before it. */
static void
socks_opened(void *arg, struct relay_stream *rs, int reason)
{
	struct socks_conn *sc = relay_owner(rs);

	(void)arg;
	if (sc == NULL)
		return;
	relay_set_owner(rs, NULL);
	sc->rs = NULL;
	if (reason != 0) {
		log_debug("socks: %s:%u: %s", sc->open.atyp == STREAM_A_NAME ?
		    sc->open.name : "(address)", sc->open.port,
		    stream_reason_str(reason));
		socks_fail_rep(sc, stream_reason_socks(reason));
		return;
	}
	socks_reply(sc, 0);
	relay_attach(rs, sc->bev);
	sc->bev = NULL;
	sc->state = SOCKS_CLOSING;
	socks_free(sc);
}

static void
socks_closed(void *arg, struct relay_stream *rs)
{
	struct socks_conn *sc = relay_owner(rs);

	(void)arg;
	if (sc == NULL)
		return;
	sc->rs = NULL;
	socks_free(sc);
}

static void
socks_want(void *arg)
{
	struct client *cl = arg;

	if (cl->state == CLIENT_UP && cl->wsi != NULL)
		lws_callback_on_writable(cl->wsi);
}

/* The relay session is up: streams for the requests that waited. */
void
client_socks_up(struct client *cl)
{
	struct socks_conn *sc;

	if (cl->relay == NULL)
		cl->relay = relay_new(&socks_relay_ops, cl,
		    CLIENT_SOCKS_STREAMS);
	while ((sc = TAILQ_FIRST(&socks_waiting)) != NULL) {
		TAILQ_REMOVE(&socks_waiting, sc, entry);
		sc->state = SOCKS_REQUEST;
		socks_open(sc);
	}
}

/* The session is gone: its streams are reset. */
void
client_socks_down(struct client *cl)
{
	struct relay *r = cl->relay;

	if (r == NULL)
		return;
	cl->relay = NULL;
	cl->stats.streams += relay_stats(r)->opened;
	cl->stats.stream_tx += relay_stats(r)->tx_bytes;
	cl->stats.stream_rx += relay_stats(r)->rx_bytes;
	relay_free(r);
}

/*
 * socks_username and the password in socks_password_file (its first
 * line, 1..255 bytes; the file must be a regular file that neither group
 * nor others may access).  The password is never logged.
 */
int
client_socks_auth_load(struct client *cl, char **cause)
{
	const char *path = cl->cfg->socks_password_file;
	uint8_t buf[258];
	struct stat st;
	ssize_t r;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		xasprintf(cause, "socks_password_file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		xasprintf(cause, "socks_password_file %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		if (!S_ISREG(st.st_mode))
			xasprintf(cause, "socks_password_file %s: not a "
			    "regular file", path);
		else
			xasprintf(cause, "socks_password_file %s: mode %04o: "
			    "group or others may access it; run chmod 600 %s",
			    path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	while (len < sizeof(buf)) {
		r = read(fd, buf + len, sizeof(buf) - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	/* The first line; one "\n" or "\r\n" ends it. */
	if (memchr(buf, '\n', len) != NULL)
		len = (size_t)((uint8_t *)memchr(buf, '\n', len) - buf);
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0 || len > 255 || memchr(buf, '\0', len) != NULL) {
		OPENSSL_cleanse(buf, sizeof(buf));
		xasprintf(cause, "socks_password_file %s: the password must "
		    "be one line of 1..255 bytes", path);
		return -1;
	}
	memset(cl->socks_pass, 0, sizeof(cl->socks_pass));
	memcpy(cl->socks_pass, buf, len);
	cl->socks_passlen = len;
	OPENSSL_cleanse(buf, sizeof(buf));
	memset(cl->socks_user, 0, sizeof(cl->socks_user));
	cl->socks_userlen = strlen(cl->cfg->socks_username);
	memcpy(cl->socks_user, cl->cfg->socks_username, cl->socks_userlen);
	cl->socks_auth = true;
	return 0;
}

int
client_socks_open(struct client *cl, char **cause)
{
	struct client_config *cfg = cl->cfg;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, cfg->socks_host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(cfg->socks_port);
		sl = sizeof(*sin);
	} else if (inet_pton(AF_INET6, cfg->socks_host,
	    &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(cfg->socks_port);
		sl = sizeof(*sin6);
	} else {
		xasprintf(cause, "socks_listen: bad address");
		return -1;
	}
	cl->socks_lev = evconnlistener_new_bind(cl->base, socks_accept_cb, cl,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    128, (struct sockaddr *)&ss, (int)sl);
	if (cl->socks_lev == NULL) {
		xasprintf(cause, "socks_listen %s: %s", cfg->socks_listen,
		    strerror(errno));
		return -1;
	}
	log_info("SOCKS5 listener on %s%s", cfg->socks_listen, cl->socks_auth ?
	    " (username/password required)" : "");
	return 0;
}

void
client_socks_close(struct client *cl)
{
	struct socks_conn *sc;

	client_socks_down(cl);
	while ((sc = TAILQ_FIRST(&socks_waiting)) != NULL)
		socks_free(sc);
	if (cl->socks_lev != NULL)
		evconnlistener_free(cl->socks_lev);
	cl->socks_lev = NULL;
	free(cl->relaybuf);
	cl->relaybuf = NULL;
}
