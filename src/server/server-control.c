/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <libwebsockets.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "ctlmsg.h"
#include "ipaddr.h"
#include "key.h"
#include "log.h"
#include "pool.h"
#include "proc.h"
#include "relay.h"
#include "server.h"
#include "xmalloc.h"

#define CONTROL_MAX_CONNS	8	/* concurrent rvpnctl connections */
#define CONTROL_TIMEOUT		10	/* seconds a connection may live */
#define CONTROL_BACKLOG		8
#define CONTROL_ACCEPT_PAUSE	1	/* seconds, after accept fails */

struct server_control;

/* One rvpnctl connection: requests in, one reply at a time out. */
struct control_conn {
	struct server_control	*ctl;		/* borrowed */
	struct bufferevent	*bev;
	struct event		*ev_timeout;
	bool			 closing;	/* flush the output, then free */
	TAILQ_ENTRY(control_conn) entry;
};
TAILQ_HEAD(control_conns, control_conn);

struct server_control {
	struct server		*sv;		/* borrowed */
	char			*path;
	int			 fd;
	bool			 created;	/* ours to unlink */
	struct event		*ev_accept;
	struct event		*ev_pause;	/* re-enables ev_accept */
	struct control_conns	 conns;
	unsigned		 nconns;
	uint64_t		 t_start;	/* monotonic seconds */
};

static void	control_process(struct control_conn *);

/* Free a connection: its timer, its bufferevent (closing the fd). */
static void
control_conn_free(struct control_conn *c)
{
	struct server_control *ctl = c->ctl;

	TAILQ_REMOVE(&ctl->conns, c, entry);
	ctl->nconns--;
	if (c->ev_timeout != NULL) {
		event_del(c->ev_timeout);
		event_free(c->ev_timeout);
	}
	bufferevent_free(c->bev);
	free(c);
}

/* Queue one reply; on failure the connection is closed. */
static int
control_send(struct control_conn *c, const struct ctlmsg *m)
{
	uint8_t buf[CTLMSG_MAX];
	size_t len;
	int rc;

	if ((rc = ctlmsg_encode(m, buf, sizeof(buf), &len)) != CTLMSG_OK) {
		log_warnx("control: cannot encode a reply: %s",
		    ctlmsg_strerror(rc));
		c->closing = true;
		return -1;
	}
	if (bufferevent_write(c->bev, buf, len) == -1) {
		log_warnx("control: cannot queue a reply");
		c->closing = true;
		return -1;
	}
	return 0;
}

/* An OK or ERROR reply with printf-style text. */
static void __attribute__((format(printf, 3, 4)))
control_reply(struct control_conn *c, uint8_t type, const char *fmt, ...)
{
	struct ctlmsg m;
	va_list ap;

	memset(&m, 0, sizeof(m));
	m.type = type;
	va_start(ap, fmt);
	vsnprintf(m.u.text, sizeof(m.u.text), fmt, ap);
	va_end(ap);
	control_send(c, &m);
}

/* The TCP peer of a session, without the IPv4-mapped prefix. */
static void
control_peer(struct session *s, char *buf, size_t len)
{
	char peer[SERVER_REMOTE_MAX];

	peer[0] = '\0';
	if (s->wsi != NULL)
		lws_get_peer_simple(s->wsi, peer, sizeof(peer));
	snprintf(buf, len, "%s", peer[0] != '\0' ? ipaddr_unmapped(peer) :
	    s->remote);
}

/* STATUS, then one SESSION per established session. */
static void
control_status(struct control_conn *c)
{
	struct server *sv = c->ctl->sv;
	struct ctlmsg m;
	struct ctlmsg_status *st = &m.u.status;
	struct ctlmsg_session *ms = &m.u.session;
	struct session *s;
	uint64_t now, age;
	uint32_t n = 0;

	server_update_time(sv);
	now = (uint64_t)time(NULL);
	TAILQ_FOREACH(s, &sv->sessions, entry) {
		if (s->state == SESSION_UP)
			n++;
	}
	memset(&m, 0, sizeof(m));
	m.type = CTLMSG_T_STATUS;
	snprintf(st->version, sizeof(st->version), "%s", PACKAGE_VERSION);
	st->now = now;
	st->uptime = sv->now - c->ctl->t_start;
	st->pool_used = pool_used(sv->pool);
	st->pool_capacity = pool_capacity(sv->pool);
	st->nsessions = n;
	st->ipv6 = sv->pool6 != NULL;
	st->pool6_used = sv->pool6 != NULL ? pool6_used(sv->pool6) : 0;
	snprintf(st->node, sizeof(st->node), "%s", sv->node);
	st->draining = sv->draining;
	if (control_send(c, &m) == -1)
		return;
	TAILQ_FOREACH(s, &sv->sessions, entry) {
		if (s->state != SESSION_UP)
			continue;
		memset(&m, 0, sizeof(m));
		m.type = CTLMSG_T_SESSION;
		snprintf(ms->name, sizeof(ms->name), "%s", s->name);
		memcpy(ms->pub, s->pub, sizeof(ms->pub));
		ms->addr = s->addr;
		ms->has_addr6 = s->leased6;
		if (s->leased6)
			ms->addr6 = s->addr6;
		control_peer(s, ms->remote, sizeof(ms->remote));
		/* s->remote is the forwarded address behind a trusted proxy. */
		if (strcmp(ms->remote, s->remote) != 0)
			snprintf(ms->forwarded, sizeof(ms->forwarded), "%s",
			    s->remote);
		age = sv->now - s->t_start;
		ms->since = now > age ? now - age : 0;
		ms->duration = age;
		ms->c = s->stats;
		ms->has_rtt = s->rtt_ns != 0;
		ms->rtt_us = s->rtt_ns / 1000;
		if (s->relay != NULL) {
			/* Stream bytes stand for packet bytes; no packets. */
			ms->relay = 1;
			ms->streams = relay_count(s->relay);
			ms->c.rx_bytes = relay_stats(s->relay)->rx_bytes;
			ms->c.tx_bytes = relay_stats(s->relay)->tx_bytes;
		}
		if (control_send(c, &m) == -1)
			return;
	}
}

/* A session ends: keep its counters in the server's totals. */
void
server_stats_end(struct server *sv, struct session *s)
{
	if (s->state == SESSION_HANDSHAKE)
		sv->stats.hs_aborted++;
	counters_add(&sv->stats.ended, &s->stats);
}

/* Ended sessions' counters plus the live ones'. */
void
server_stats_get(struct server *sv, struct ctlmsg_stats *st)
{
	struct session *s;
	unsigned i;

	memset(st, 0, sizeof(*st));
	st->c = sv->stats.ended;
	TAILQ_FOREACH(s, &sv->sessions, entry)
		counters_add(&st->c, &s->stats);
	st->tun = sv->tun_stats;
	st->sessions_total = sv->stats.hs_ok;
	st->sessions_current = sv->nsessions;
	st->hs_aborted = sv->stats.hs_aborted;
	st->pending = preauth_pending(sv);
	st->pre = sv->stats.pre;
	st->relay = sv->stats.relay;
	/* Over relay_max_streams: counted in lib/relay.c, per session. */
	TAILQ_FOREACH(s, &sv->sessions, entry) {
		if (s->relay != NULL)
			st->relay.relay_limit += relay_stats(s->relay)->limited;
	}
	st->rss_kb = preauth_rss_kb();
	for (i = 0; i < SERVER_NREFUSED && i < CTLMSG_MAX_CODES; i++) {
		st->refused[i].code = (uint16_t)(PROTO_CLOSE_BAD_HANDSHAKE + i);
		st->refused[i].count = sv->stats.hs_refused[i];
	}
	st->nrefused = i;
}

/* STATS: server_stats_get's counters. */
static void
control_stats(struct control_conn *c)
{
	struct ctlmsg m;

	memset(&m, 0, sizeof(m));
	m.type = CTLMSG_T_STATS;
	server_stats_get(c->ctl->sv, &m.u.stats);
	control_send(c, &m);
}

/*
 * KICK: end the session named by a tunnel address, a full public key
 * or a client name (the short key of an unlisted one) with KICKED.
 */
static void
control_kick(struct control_conn *c, const char *target)
{
	struct server *sv = c->ctl->sv;
	struct session *s, *found = NULL;
	struct in_addr a;
	uint8_t pub[PROTO_KEY_LEN];
	char addr[INET6_ADDRSTRLEN], name[SERVER_NAME_MAX];
	bool by_addr, by_key;
	unsigned n = 0;

	by_addr = ipaddr_parse4(target, &a);
	by_key = !by_addr && strlen(target) == KEY_B64_LEN &&
	    key_from_base64(target, pub);
	TAILQ_FOREACH(s, &sv->sessions, entry) {
		if (s->state != SESSION_UP)
			continue;
		if ((by_addr && s->addr.s_addr == a.s_addr) ||
		    (by_key && key_equal(s->pub, pub)) ||
		    (!by_addr && !by_key && strcmp(s->name, target) == 0)) {
			found = s;
			n++;
		}
	}
	if (n == 0) {
		control_reply(c, CTLMSG_T_ERROR, "no session for '%s'", target);
		return;
	}
	if (n > 1) {
		control_reply(c, CTLMSG_T_ERROR, "'%s' matches %u sessions; "
		    "give the tunnel address", target, n);
		return;
	}
	ipaddr_str4(found->addr, addr, sizeof(addr));
	snprintf(name, sizeof(name), "%s", found->name);
	log_info("control: kicking %s %s", name, addr);
	session_close(found, PROTO_CLOSE_KICKED, NULL);
	control_reply(c, CTLMSG_T_OK, "kicked %s %s", name, addr);
}

/* RELOAD: the same as SIGHUP; the reply carries the cause of a failure. */
static void
control_reload(struct control_conn *c)
{
	char *cause = NULL;

	log_info("control: reload requested");
	if (server_reload(c->ctl->sv, &cause) == -1) {
		control_reply(c, CTLMSG_T_ERROR, "%s",
		    cause != NULL ? cause : "reload failed");
		free(cause);
		return;
	}
	free(cause);
	control_reply(c, CTLMSG_T_OK, "reloaded");
}

/* One whole request of len bytes. */
static void
control_dispatch(struct control_conn *c, const uint8_t *buf, size_t len)
{
	struct ctlmsg m;
	char text[128];
	int rc;

	rc = ctlmsg_decode(buf, len, &m);
	if (rc == CTLMSG_ERR_TYPE || (rc == CTLMSG_OK &&
	    !ctlmsg_is_request(m.type))) {
		control_reply(c, CTLMSG_T_ERROR, "unknown message type %u",
		    m.type);
		return;
	}
	if (rc != CTLMSG_OK) {
		control_reply(c, CTLMSG_T_ERROR, "malformed message (type %u): "
		    "%s", m.type, ctlmsg_strerror(rc));
		return;
	}
	switch (m.type) {
	case CTLMSG_T_STATUS_REQ:
		control_status(c);
		break;
	case CTLMSG_T_STATS_REQ:
		control_stats(c);
		break;
	case CTLMSG_T_KICK_REQ:
		control_kick(c, m.u.text);
		break;
	case CTLMSG_T_RELOAD_REQ:
		control_reload(c);
		break;
	case CTLMSG_T_DRAIN_REQ:
		server_drain(c->ctl->sv, m.u.text[0] != '\0', text,
		    sizeof(text));
		control_reply(c, CTLMSG_T_OK, "%s", text);
		break;
	case CTLMSG_T_UNDRAIN_REQ:
		server_undrain(c->ctl->sv, text, sizeof(text));
		control_reply(c, CTLMSG_T_OK, "%s", text);
		break;
	}
}

/*
 * Handle the requests that are whole in the input, one at a time: the
 * next waits until the reply to this one is written, so a client that
 * does not read cannot make the output grow.
 */
static void
control_process(struct control_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	uint8_t buf[CTLMSG_MAX];
	size_t avail, total;
	ev_ssize_t n;
	int rc;

	while (!c->closing && evbuffer_get_length(out) == 0) {
		avail = evbuffer_get_length(in);
		n = evbuffer_copyout(in, buf, avail < CTLMSG_HDR_LEN ? avail :
		    CTLMSG_HDR_LEN);
		if (n < 0)
			break;
		rc = ctlmsg_peek(buf, (size_t)n, &total);
		if (rc == CTLMSG_ERR_SHORT)
			return;
		if (rc != CTLMSG_OK) {
			/* The stream is out of step: answer, then close. */
			control_reply(c, CTLMSG_T_ERROR, "message too big "
			    "(at most %d bytes)", CTLMSG_MAX);
			c->closing = true;
			break;
		}
		if (avail < total)
			return;
		if (evbuffer_remove(in, buf, total) != (int)total) {
			c->closing = true;
			break;
		}
		control_dispatch(c, buf, total);
	}
	if (c->closing) {
		bufferevent_disable(c->bev, EV_READ);
		if (evbuffer_get_length(out) == 0)
			control_conn_free(c);
	}
}

static void
control_read_cb(struct bufferevent *bev, void *arg)
{
	control_process(arg);
}

/* The output is written: close if asked to, else take the next request. */
static void
control_write_cb(struct bufferevent *bev, void *arg)
{
	struct control_conn *c = arg;

	if (c->closing)
		control_conn_free(c);
	else
		control_process(c);
}

static void
control_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct control_conn *c = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		control_conn_free(c);
}

static void
control_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct control_conn *c = arg;

	log_debug("%s: control connection timed out", __func__);
	control_conn_free(c);
}

/* Refuse a connection with an ERROR message, best effort, and close it. */
static void
control_refuse(int fd, const char *why)
{
	uint8_t buf[CTLMSG_HDR_LEN + 128];
	size_t len;

	if (ctlmsg_encode_text(CTLMSG_T_ERROR, why, buf, sizeof(buf),
	    &len) == CTLMSG_OK &&
	    send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) == -1)
		log_debug("%s: send: %s", __func__, strerror(errno));
	close(fd);
}

/* Only root and the server's own user, whatever the file mode says. */
static bool
control_peer_ok(int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1)
		return false;
	return uc.uid == 0 || uc.uid == geteuid();
}

static void
control_conn_new(struct server_control *ctl, int fd)
{
	struct server *sv = ctl->sv;
	struct control_conn *c;
	struct timeval tv = { CONTROL_TIMEOUT, 0 };

	c = xcalloc(1, sizeof(*c));
	c->ctl = ctl;
	c->bev = bufferevent_socket_new(sv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->ev_timeout = evtimer_new(sv->base, control_timeout_cb, c);
	if (c->bev == NULL || c->ev_timeout == NULL ||
	    evtimer_add(c->ev_timeout, &tv) == -1) {
		log_warnx("control: cannot set up a connection");
		if (c->ev_timeout != NULL)
			event_free(c->ev_timeout);
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, control_read_cb, control_write_cb,
	    control_event_cb, c);
	/* Read at most one whole message ahead. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTLMSG_MAX);
	TAILQ_INSERT_TAIL(&ctl->conns, c, entry);
	ctl->nconns++;
	if (bufferevent_enable(c->bev, EV_READ) == -1)
		control_conn_free(c);
}

static void
control_pause_cb(evutil_socket_t fd, short events, void *arg)
{
	struct server_control *ctl = arg;

	if (event_add(ctl->ev_accept, NULL) == -1)
		log_warnx("control: cannot watch %s again", ctl->path);
}

static void
control_accept_cb(evutil_socket_t lfd, short events, void *arg)
{
	struct server_control *ctl = arg;
	struct timeval tv = { CONTROL_ACCEPT_PAUSE, 0 };
	int fd, i;

	for (i = 0; i < CONTROL_MAX_CONNS; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ECONNABORTED)
				return;
			/* EMFILE and the like: don't spin on it. */
			log_warn("control: accept");
			event_del(ctl->ev_accept);
			if (evtimer_add(ctl->ev_pause, &tv) == -1)
				log_warnx("control: cannot pause accepting");
			return;
		}
		if (!control_peer_ok(fd))
			control_refuse(fd, "permission denied");
		else if (ctl->nconns >= CONTROL_MAX_CONNS)
			control_refuse(fd, "too many control connections");
		else
			control_conn_new(ctl, fd);
	}
}

/*
 * A socket file already there: a live server answering on it is an
 * error; a stale one (connection refused) is removed.
 */
static int
control_check_stale(const char *path, char **cause)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc, saved;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		xasprintf(cause, "%s: exists and is not a socket", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	/* Non-blocking: a live server with a full backlog says EAGAIN. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	saved = errno;
	close(fd);
	if (rc == 0 || saved == EAGAIN) {
		xasprintf(cause, "another rvpn-server is running on %s", path);
		return -1;
	}
	if (saved != ECONNREFUSED) {
		xasprintf(cause, "%s: %s", path, strerror(saved));
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		xasprintf(cause, "%s: cannot remove the stale socket: %s",
		    path, strerror(errno));
		return -1;
	}
	log_info("Removed stale control socket %s", path);
	return 0;
}

/*
 * Listen on control_socket, owned by root (we are root at startup,
 * before any privilege drop) with mode 0600, on the server's loop.
 */
int
server_control_open(struct server *sv, char **cause)
{
	struct server_control *ctl;
	struct sockaddr_un sun;
	mode_t mask;
	int saved;

	ctl = xcalloc(1, sizeof(*ctl));
	ctl->sv = sv;
	ctl->fd = -1;
	ctl->path = xstrdup(sv->cfg->control_socket);
	ctl->t_start = sv->now;
	TAILQ_INIT(&ctl->conns);
	(void)preauth_rss_kb();		/* opens /proc/self/statm */
	sv->control = ctl;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(ctl->path) >= sizeof(sun.sun_path)) {
		xasprintf(cause, "%s: control socket path too long",
		    ctl->path);
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", ctl->path);
	if (proc_mkdir_parent(ctl->path, cause) == -1 ||
	    control_check_stale(ctl->path, cause) == -1)
		return -1;

	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (ctl->fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	/*
	 * 0600 from the start: never reachable with a wider mode, not even
	 * for a moment, and no chmod on a path afterwards.
	 */
	mask = umask(S_IXUSR | S_IRWXG | S_IRWXO);
	if (bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		umask(mask);
		xasprintf(cause, "%s: bind: %s", ctl->path, strerror(saved));
		return -1;
	}
	umask(mask);
	ctl->created = true;
	if (listen(ctl->fd, CONTROL_BACKLOG) == -1) {
		xasprintf(cause, "%s: %s", ctl->path, strerror(errno));
		return -1;
	}
	ctl->ev_accept = event_new(sv->base, ctl->fd, EV_READ | EV_PERSIST,
	    control_accept_cb, ctl);
	ctl->ev_pause = evtimer_new(sv->base, control_pause_cb, ctl);
	if (ctl->ev_accept == NULL || ctl->ev_pause == NULL ||
	    event_add(ctl->ev_accept, NULL) == -1) {
		xasprintf(cause, "%s: cannot watch the control socket",
		    ctl->path);
		return -1;
	}
	log_debug("%s: control socket %s", __func__, ctl->path);
	return 0;
}

/*
 * Close every control connection and the socket, and remove the file if
 * this server made it.  (After a privilege drop the unlink may fail; the
 * next start replaces the stale file.)
 */
void
server_control_close(struct server *sv)
{
	struct server_control *ctl = sv->control;
	struct control_conn *c;

	if (ctl == NULL)
		return;
	while ((c = TAILQ_FIRST(&ctl->conns)) != NULL)
		control_conn_free(c);
	if (ctl->ev_pause != NULL) {
		event_del(ctl->ev_pause);
		event_free(ctl->ev_pause);
	}
	if (ctl->ev_accept != NULL) {
		event_del(ctl->ev_accept);
		event_free(ctl->ev_accept);
	}
	if (ctl->fd != -1)
		close(ctl->fd);
	/* Inside a chroot the path names another file: leave it. */
	if (ctl->created && sv->cfg->chroot_dir == NULL &&
	    unlink(ctl->path) == -1)
		log_debug("%s: unlink %s: %s", __func__, ctl->path,
		    strerror(errno));
	free(ctl->path);
	free(ctl);
	sv->control = NULL;
}
