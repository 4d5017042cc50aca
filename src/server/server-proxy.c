/* SPDX-License-Identifier: ISC */
/*
 * proxy_protocol: the listener for a load balancer in TCP mode (TLS
 * passed through) that sends the PROXY protocol version 2 header
 * (HAProxy's send-proxy-v2).  lws does not listen then; this file
 * accepts on bind_address, closes connections from anyone not in
 * trusted_proxies, reads the header (exactly its bytes, nothing of the
 * TLS that follows), admits the connection by the client's address it
 * names (server-preauth.c) and hands the socket to lws
 * (lws_adopt_socket_vhost), which goes on with TLS and HTTP as if it
 * had accepted it.  The header's source shows as the session's remote.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proxyv2.h"
#include "server.h"
#include "xmalloc.h"

#define PP_TIMEOUT	5	/* seconds for the header to arrive */
#define PP_MAX_PENDING	256	/* connections waiting for their header */
#define PP_ACCEPT_BATCH	32

struct pp_conn {
	struct server_proxy	*px;
	int			 fd;
	struct event		*ev;		/* readable, or the deadline */
	struct sockaddr_storage	 peer;		/* the proxy */
	uint8_t			 buf[PROXYV2_MAX];
	size_t			 have;
	TAILQ_ENTRY(pp_conn)	 entry;
};
TAILQ_HEAD(pp_conns, pp_conn);

struct server_proxy {
	struct server		*sv;		/* borrowed */
	int			 fd;
	struct event		*ev_accept;
	struct pp_conns		 conns;
	unsigned		 nconns;
};

static void
pp_conn_free(struct pp_conn *c, bool close_fd)
{
	struct server_proxy *px = c->px;

	TAILQ_REMOVE(&px->conns, c, entry);
	px->nconns--;
	if (c->ev != NULL)
		event_free(c->ev);
	if (close_fd)
		close(c->fd);
	free(c);
}

static void
pp_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a = ss->ss_family == AF_INET ?
	    (const void *)&((const struct sockaddr_in *)ss)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (inet_ntop(ss->ss_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

/* The header is whole: admit the client it names, give the socket to lws. */
static void
pp_conn_adopt(struct pp_conn *c, struct sockaddr_storage *src)
{
	struct server *sv = c->px->sv;
	int fd = c->fd;

	if (src->ss_family == AF_UNSPEC)
		*src = c->peer;
	pp_conn_free(c, false);
	if (preauth_accept(sv, src) == -1) {
		close(fd);
		return;
	}
	if (lws_adopt_socket_vhost(sv->vhost, fd) == NULL) {
		log_debug("%s: lws did not adopt the connection", __func__);
		/* lws closes the socket once it made a wsi for it. */
		if (fcntl(fd, F_GETFD) != -1)
			close(fd);
	}
}

static void
pp_conn_cb(evutil_socket_t fd, short events, void *arg)
{
	struct pp_conn *c = arg;
	struct sockaddr_storage src;
	char peer[INET6_ADDRSTRLEN];
	size_t total;
	ssize_t n;
	int rc;

	if (events & EV_TIMEOUT) {
		c->px->sv->stats.pre.pre_proxy_header++;
		pp_addr_str(&c->peer, peer, sizeof(peer));
		log_debug("proxy_protocol: %s: no PROXY header in %d s", peer,
		    PP_TIMEOUT);
		pp_conn_free(c, true);
		return;
	}
	/* Never more than the header: what follows is lws's (TLS). */
	rc = proxyv2_parse(c->buf, c->have, &total, &src);
	while (rc == 0) {
		n = recv(fd, c->buf + c->have, total - c->have, 0);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			pp_conn_free(c, true);
			return;
		}
		c->have += (size_t)n;
		rc = proxyv2_parse(c->buf, c->have, &total, &src);
	}
	if (rc == -1) {
		if (c->px->sv->stats.pre.pre_proxy_header++ % 100 == 0) {
			pp_addr_str(&c->peer, peer, sizeof(peer));
			log_info("proxy_protocol: %s: not a PROXY v2 header: "
			    "closed (%llu so far)", peer,
			    (unsigned long long)
			    c->px->sv->stats.pre.pre_proxy_header);
		}
		pp_conn_free(c, true);
		return;
	}
	pp_conn_adopt(c, &src);
}

static void
pp_accept_cb(evutil_socket_t lfd, short events, void *arg)
{
	struct server_proxy *px = arg;
	struct server *sv = px->sv;
	struct sockaddr_storage ss;
	struct timeval tv = { PP_TIMEOUT, 0 };
	struct pp_conn *c;
	char peer[INET6_ADDRSTRLEN];
	socklen_t sl;
	int fd, i;

	for (i = 0; i < PP_ACCEPT_BATCH; i++) {
		sl = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("proxy_protocol: accept");
			return;
		}
		if (!preauth_trusted(sv->cfg, (struct sockaddr *)&ss)) {
			/* A PROXY header from anyone else: not even read. */
			/* The first, then every 100th: no log flood. */
			if (sv->stats.pre.pre_untrusted++ % 100 == 0) {
				pp_addr_str(&ss, peer, sizeof(peer));
				log_info("proxy_protocol: %s is not in "
				    "trusted_proxies: closed (%llu so far)",
				    peer, (unsigned long long)
				    sv->stats.pre.pre_untrusted);
			}
			close(fd);
			continue;
		}
		if (px->nconns >= PP_MAX_PENDING) {
			close(fd);
			continue;
		}
		c = xcalloc(1, sizeof(*c));
		c->px = px;
		c->fd = fd;
		c->peer = ss;
		TAILQ_INSERT_TAIL(&px->conns, c, entry);
		px->nconns++;
		c->ev = event_new(sv->base, fd, EV_READ | EV_PERSIST,
		    pp_conn_cb, c);
		if (c->ev == NULL || event_add(c->ev, &tv) == -1)
			pp_conn_free(c, true);
	}
}

/* With proxy_protocol: listen on bind_address ourselves. */
int
server_proxy_open(struct server *sv, char **cause)
{
	struct server_config *cfg = sv->cfg;
	struct server_proxy *px;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int one = 1, zero = 0;

	if (!cfg->proxy_protocol)
		return 0;
	px = xcalloc(1, sizeof(*px));
	px->sv = sv;
	px->fd = -1;
	TAILQ_INIT(&px->conns);
	sv->proxy = px;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, cfg->bind_host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(cfg->bind_port);
		sl = sizeof(*sin);
	} else if (inet_pton(AF_INET6, cfg->bind_host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(cfg->bind_port);
		sl = sizeof(*sin6);
	} else {
		xasprintf(cause, "bind_address %s: not an address",
		    cfg->bind_address);
		return -1;
	}
	px->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (px->fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	(void)setsockopt(px->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* "::" is dual-stack, as lws's listener; another address its own. */
	if (ss.ss_family == AF_INET6)
		(void)setsockopt(px->fd, IPPROTO_IPV6, IPV6_V6ONLY,
		    strcmp(cfg->bind_host, "::") == 0 ? &zero : &one,
		    sizeof(one));
	if (bind(px->fd, (struct sockaddr *)&ss, sl) == -1 ||
	    listen(px->fd, SOMAXCONN) == -1) {
		xasprintf(cause, "cannot listen on %s: %s", cfg->bind_address,
		    strerror(errno));
		return -1;
	}
	px->ev_accept = event_new(sv->base, px->fd, EV_READ | EV_PERSIST,
	    pp_accept_cb, px);
	if (px->ev_accept == NULL || event_add(px->ev_accept, NULL) == -1) {
		xasprintf(cause, "cannot watch %s", cfg->bind_address);
		return -1;
	}
	log_info("PROXY protocol v2 on %s, from trusted_proxies only",
	    cfg->bind_address);
	return 0;
}

void
server_proxy_close(struct server *sv)
{
	struct server_proxy *px = sv->proxy;
	struct pp_conn *c;

	if (px == NULL)
		return;
	while ((c = TAILQ_FIRST(&px->conns)) != NULL)
		pp_conn_free(c, true);
	if (px->ev_accept != NULL)
		event_free(px->ev_accept);
	if (px->fd != -1)
		close(px->fd);
	free(px);
	sv->proxy = NULL;
}
