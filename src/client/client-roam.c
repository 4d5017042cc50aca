/* SPDX-License-Identifier: ISC */
/*
 * Roaming: notice when the host's default route changes (another
 * network, another outer address) and reconnect at once, and look the
 * server's name up again after each lost connection, without blocking
 * the loop (getaddrinfo_a).  The host route to the server is pinned
 * again before each connect (client_tun_repin).
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "ipaddr.h"
#include "log.h"
#include "netlink.h"
#include "xmalloc.h"

#define CLIENT_ROAM_SETTLE_MS	300	/* route changes come in bursts */

/*
 * One lookup at a time.  Static: the resolver's thread may still hold
 * it (and write to the pipe) after the loop is gone.
 */
static struct {
	struct gaicb	 cb;
	struct gaicb	*list[1];
	struct addrinfo	 hints;
	struct sigevent	 sev;
	char		 name[256];
	int		 pipe[2];
	bool		 busy;
} client_gai = { .pipe = { -1, -1 } };

/* The resolver's thread: tell the loop the lookup is done. */
static void
client_roam_gai_notify(union sigval sv)
{
	char c = 'x';

	(void)write(sv.sival_int, &c, 1);
}

/*
 * The lookup ended: take its first answer, of either family (the order
 * getaddrinfo gives, RFC 6724, as at start), for the next attempts.  The
 * pin of the old address goes at the next connect (client_tun_repin).
 */
static void
client_roam_gai_cb(evutil_socket_t fd, short events, void *arg)
{
	struct client *cl = arg;
	const struct addrinfo *ai;
	const struct in6_addr *a6 = NULL;
	const struct in_addr *a4 = NULL;
	char buf[16], addr[INET6_ADDRSTRLEN];
	int error;

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (!client_gai.busy || (error = gai_error(&client_gai.cb)) ==
	    EAI_INPROGRESS)
		return;
	client_gai.busy = false;
	if (error != 0 || client_gai.cb.ar_result == NULL) {
		log_debug("%s: %s: %s (keeping %s)", __func__,
		    client_gai.name, gai_strerror(error), cl->server_ipstr);
		if (client_gai.cb.ar_result != NULL)
			freeaddrinfo(client_gai.cb.ar_result);
		client_gai.cb.ar_result = NULL;
		return;
	}
	ai = client_gai.cb.ar_result;
	if (ai->ai_family == AF_INET6)
		a6 = &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
	else if (ai->ai_family == AF_INET)
		a4 = &((const struct sockaddr_in *)ai->ai_addr)->sin_addr;
	/* Moved to another server (servers) meanwhile: not its answer. */
	if (strcmp(client_gai.name, cl->cfg->url_host) != 0)
		log_debug("%s: %s: answer for a server no longer in use",
		    __func__, client_gai.name);
	else if ((a4 != NULL && (cl->server_af != AF_INET ||
	    a4->s_addr != cl->server_ip.s_addr)) || (a6 != NULL &&
	    (cl->server_af != AF_INET6 || !IN6_ARE_ADDR_EQUAL(a6,
	    &cl->server_ip6)))) {
		if (a6 != NULL) {
			ipaddr_str6(a6, addr, sizeof(addr));
			cl->server_ip6 = *a6;
			cl->srv[cl->srv_idx].ip6 = *a6;
		} else {
			ipaddr_str4(*a4, addr, sizeof(addr));
			cl->server_ip = *a4;
			cl->srv[cl->srv_idx].ip = *a4;
		}
		log_info("server %s now resolves to %s (was %s)",
		    client_gai.name, addr, cl->server_ipstr);
		cl->server_af = ai->ai_family;
		cl->srv[cl->srv_idx].af = ai->ai_family;
		snprintf(cl->server_ipstr, sizeof(cl->server_ipstr), "%s",
		    addr);
	}
	freeaddrinfo(client_gai.cb.ar_result);
	client_gai.cb.ar_result = NULL;
}

/* Look the server's name up again (not an address literal), async. */
void
client_roam_resolve(struct client *cl)
{
	struct in6_addr a;

	if (client_gai.busy || cl->gai_ev == NULL ||
	    inet_pton(AF_INET, cl->cfg->url_host, &a) == 1 ||
	    inet_pton(AF_INET6, cl->cfg->url_host, &a) == 1)
		return;
	memset(&client_gai.cb, 0, sizeof(client_gai.cb));
	memset(&client_gai.hints, 0, sizeof(client_gai.hints));
	/* Either family: a name may have only AAAA, or move to it. */
	client_gai.hints.ai_family = AF_UNSPEC;
	client_gai.hints.ai_socktype = SOCK_STREAM;
	snprintf(client_gai.name, sizeof(client_gai.name), "%s",
	    cl->cfg->url_host);
	client_gai.cb.ar_name = client_gai.name;
	client_gai.cb.ar_request = &client_gai.hints;
	client_gai.list[0] = &client_gai.cb;
	memset(&client_gai.sev, 0, sizeof(client_gai.sev));
	client_gai.sev.sigev_notify = SIGEV_THREAD;
	client_gai.sev.sigev_notify_function = client_roam_gai_notify;
	client_gai.sev.sigev_value.sival_int = client_gai.pipe[1];
	if (getaddrinfo_a(GAI_NOWAIT, client_gai.list, 1,
	    &client_gai.sev) != 0) {
		log_debug("%s: getaddrinfo_a failed", __func__);
		return;
	}
	client_gai.busy = true;
}

/* The default route settled after a change: reconnect now. */
static void
client_roam_settled_cb(evutil_socket_t fd, short events, void *arg)
{
	struct client *cl = arg;

	log_info("default route changed: reconnecting now");
	client_roam_resolve(cl);
	client_ws_roam(cl);
}

/* Route messages: wait for the burst to settle. */
static void
client_roam_route_cb(evutil_socket_t fd, short events, void *arg)
{
	struct client *cl = arg;
	struct timeval tv = { 0, CLIENT_ROAM_SETTLE_MS * 1000 };

	if (!netlink_watch_read(fd) || cl->stopping)
		return;
	if (evtimer_add(cl->roam_ev, &tv) == -1)
		log_warnx("cannot arm the roaming timer");
}

/* The route watch and the lookup's pipe, on the loop. */
int
client_roam_init(struct client *cl, char **cause)
{
	if ((cl->route_fd = netlink_watch_open(cause)) == -1)
		return -1;
	if (client_gai.pipe[0] == -1 &&
	    pipe2(client_gai.pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return -1;
	}
	cl->route_ev = event_new(cl->base, cl->route_fd, EV_READ | EV_PERSIST,
	    client_roam_route_cb, cl);
	cl->roam_ev = evtimer_new(cl->base, client_roam_settled_cb, cl);
	cl->gai_ev = event_new(cl->base, client_gai.pipe[0],
	    EV_READ | EV_PERSIST, client_roam_gai_cb, cl);
	if (cl->route_ev == NULL || cl->roam_ev == NULL ||
	    cl->gai_ev == NULL || event_add(cl->route_ev, NULL) == -1 ||
	    event_add(cl->gai_ev, NULL) == -1) {
		xasprintf(cause, "cannot watch the routes");
		return -1;
	}
	return 0;
}

void
client_roam_free(struct client *cl)
{
	struct timespec ts = { 2, 0 };

	if (cl->route_ev != NULL)
		event_free(cl->route_ev);
	if (cl->roam_ev != NULL)
		event_free(cl->roam_ev);
	if (cl->gai_ev != NULL)
		event_free(cl->gai_ev);
	cl->route_ev = cl->roam_ev = cl->gai_ev = NULL;
	if (cl->route_fd != -1)
		close(cl->route_fd);
	cl->route_fd = -1;
	/* A lookup still running: cancel it, or give it a bounded wait. */
	if (client_gai.busy && gai_cancel(&client_gai.cb) == EAI_NOTCANCELED)
		(void)gai_suspend((const struct gaicb *const *)client_gai.list,
		    1, &ts);
	if (client_gai.busy && gai_error(&client_gai.cb) == 0 &&
	    client_gai.cb.ar_result != NULL) {
		freeaddrinfo(client_gai.cb.ar_result);
		client_gai.cb.ar_result = NULL;
	}
	client_gai.busy = false;
}
