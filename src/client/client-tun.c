/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <event2/event.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "compat.h"
#include "ipaddr.h"
#include "log.h"
#include "netlink.h"
#include "tun.h"
#include "txq.h"
#include "vnet.h"
#include "xmalloc.h"

static const struct {
	const char	*addr;
	uint8_t		 prefix;
} client_tun_halves6[] = { { "::", 1 }, { "8000::", 1 } };

/*
 * Add (add true) or remove the unreachable routes that keep IPv6 off
 * the physical link while a full tunnel carries only IPv4.  Removal is
 * quiet when a route is not there (a start cleaning up after a crash).
 * Returns the number of routes changed, or -1 with *cause (add only).
 */
static int
client_tun_block6(struct client *cl, bool add, char **cause)
{
	struct in6_addr a;
	char *why = NULL;
	unsigned i;
	int n = 0;

	for (i = 0; i < nitems(client_tun_halves6); i++) {
		if (inet_pton(AF_INET6, client_tun_halves6[i].addr, &a) != 1)
			fatalx("%s: bad address", __func__);
		if (!add) {
			if (netlink_route_del6(cl->nl, &a,
			    client_tun_halves6[i].prefix, NULL, NULL,
			    &why) == 0)
				n++;
			else if (errno != ESRCH)
				log_warnx("%s", why);
			free(why);
			why = NULL;
			continue;
		}
		if (netlink_route_add6(cl->nl, &a, client_tun_halves6[i].prefix,
		    NULL, NULL, &why) == -1) {
			if (errno == EEXIST) {
				/* Another instance's: it stays blocked. */
				log_warnx("%s", why);
				free(why);
				why = NULL;
				continue;
			}
			*cause = why;
			return -1;
		}
		n++;
	}
	return n;
}

/* Open the route socket and the TUN device (down, no address yet). */
int
client_tun_open(struct client *cl, char **cause)
{
	if ((cl->nl = netlink_open(cause)) == NULL)
		return -1;
	/* Unreachable routes are not the TUN's: a crash leaves them. */
	if (client_tun_block6(cl, false, NULL) > 0)
		log_info("removed IPv6 block routes left by an earlier run");
	if ((cl->tun_fd = tun_open_offload(cl->cfg->tun_name, cl->ifname,
	    &cl->tun_tso, cause)) == -1) {
		netlink_close(cl->nl);
		cl->nl = NULL;
		return -1;
	}
	if (cl->pktbuf == NULL)
		cl->pktbuf = xmalloc(VNET_MAX_READ);
	log_debug("%s: %s, TCP segmentation offload %s", __func__,
	    cl->ifname, cl->tun_tso ? "on" : "off");
	return 0;
}

/*
 * TUN readable: move packets into the queue of DATA records, up to a
 * budget of reads.  A read is a packet or a TCP super-packet of up to
 * 64 KiB (offload, lib/vnet.h), cut into packets straight into the
 * records.  Without room for a whole super-packet (client_tun_room),
 * stop reading: the packets wait in the TUN device's own queue
 * (txqueuelen) until a record has been sent, instead of being read only
 * to be dropped here.  Then the new records go out at once if nothing
 * was waiting before them (client_ws_flush).
 */
static void
client_tun_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct client *cl = arg;
	struct vnet_pkt vp;
	uint8_t *dst;
	ssize_t n;
	size_t len;
	unsigned i;
	int budget, err;
	bool up = cl->state == CLIENT_UP;
	bool waiting = up && txq_count(cl->txq) > 0;

	for (budget = CLIENT_TUN_BUDGET; budget > 0; budget--) {
		if (up && !client_tun_room(cl)) {
			event_del(cl->tun_ev);
			cl->tun_paused = true;
			break;
		}
		n = read(fd, cl->pktbuf, VNET_MAX_READ);
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			/*
			 * The device was deleted (ip link del: EBADFD) or
			 * broke: it stays readable with the error, so stop
			 * (once), or this would spin.
			 */
			log_warnx("TUN device %s is gone (read: %s): exiting",
			    cl->ifname, strerror(errno));
			event_del(cl->tun_ev);
			cl->nroutes = cl->nroutes6 = 0;	/* gone with it */
			client_stop(cl, 1);
			return;
		}
		if (n <= 0)
			break;	/* EAGAIN: drained */
		if (vnet_parse(cl->pktbuf, (size_t)n, &vp) != VNET_OK) {
			cl->stats.tx_drop++;
			continue;
		}
		if (!up) {
			cl->stats.tx_drop += vp.nseg;	/* no session */
			continue;
		}
		for (i = 0; i < vp.nseg; i++) {
			len = vnet_seg_len(&vp, i);
			if ((dst = txq_reserve(cl->txq, len, &err)) == NULL) {
				cl->stats.tx_drop++;
				continue;
			}
			vnet_seg_build(&vp, i, dst);
			cl->stats.tx_pkts++;
			cl->stats.tx_bytes += len;
		}
	}
	if (up)
		client_ws_flush(cl, waiting);
}

/*
 * Whether the queue has room for one more TUN read: the bytes of a
 * super-packet cut into packets, and the records they may span.
 */
bool
client_tun_room(const struct client *cl)
{
	return txq_free_bytes(cl->txq) >= CLIENT_TUN_ROOM_BYTES &&
	    txq_free_records(cl->txq) >= CLIENT_TUN_ROOM;
}

/* Start reading the TUN again (after a send, or with no session). */
void
client_tun_resume(struct client *cl)
{
	if (!cl->tun_paused || cl->tun_ev == NULL)
		return;
	if (event_add(cl->tun_ev, NULL) == -1)
		fatalx("cannot watch the TUN device");
	cl->tun_paused = false;
}

/*
 * Write the packets of an opened DATA record to the TUN, consecutive
 * segments of one TCP flow joined into one GSO packet (lib/vnet.h).
 */
void
client_tun_write_record(struct client *cl, const uint8_t *rec, size_t len)
{
	const uint8_t *pkt;
	size_t off = 0, pktlen;
	unsigned lost = 0;

	if (cl->tun_fd == -1) {
		cl->stats.rx_drop += proto_data_count(rec, len);
		return;
	}
	while (proto_data_next(rec, len, &off, &pkt, &pktlen) == 1) {
		lost += vnet_gro_add(&cl->gro, cl->tun_fd, pkt, pktlen);
		cl->stats.rx_pkts++;
		cl->stats.rx_bytes += pktlen;
	}
	lost += vnet_gro_flush(&cl->gro, cl->tun_fd);
	cl->stats.rx_drop += lost;
}

/* Remove the routes added through the TUN (not the host route). */
static void
client_tun_del_routes(struct client *cl)
{
	char *cause = NULL, buf[INET_ADDRSTRLEN];
	unsigned i;

	for (i = 0; i < cl->nroutes; i++) {
		if (netlink_route_del4(cl->nl, cl->routes[i].addr,
		    cl->routes[i].prefix, NULL, cl->ifname, &cause) == -1) {
			log_warnx("route %s/%u dev %s: %s",
			    ipaddr_str4(cl->routes[i].addr, buf, sizeof(buf)),
			    (unsigned)cl->routes[i].prefix, cl->ifname, cause);
			free(cause);
			cause = NULL;
		}
	}
	cl->nroutes = 0;
	for (i = 0; i < cl->nroutes6; i++) {
		if (netlink_route_del6(cl->nl, &cl->routes6[i].addr.v6,
		    cl->routes6[i].prefix, NULL, cl->ifname, &cause) == -1) {
			log_warnx("%s", cause);
			free(cause);
			cause = NULL;
		}
	}
	cl->nroutes6 = 0;
	cl->routed = false;
}

/* Whether dst falls inside one of the routes about to go via the TUN. */
static bool
client_tun_covered(const struct config_cidr4 *routes, unsigned n,
    struct in_addr dst)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (ipaddr_in_cidr4(dst, routes[i].addr, routes[i].prefix))
			return true;
	return false;
}

/*
 * Pin the server's address to the path it has now, so that the tunnel
 * routes do not swallow the tunnel's own packets.  Asked before any
 * tunnel route exists.
 */
static int
client_tun_host_route(struct client *cl, char **cause)
{
	char gw[INET6_ADDRSTRLEN], *why = NULL;
	bool v6 = cl->server_af == AF_INET6;
	unsigned plen = v6 ? 128 : 32;
	int rc;

	/* A pin of ours that a crash left would answer the lookup. */
	if (netlink_pin_del_stale(cl->nl, cl->server_af, v6 ?
	    (const void *)&cl->server_ip6 : (const void *)&cl->server_ip,
	    &why) == 0)
		log_info("removed the route to server %s left by an earlier "
		    "run", cl->server_ipstr);
	free(why);
	why = NULL;
	if (v6)
		rc = netlink_route_get6(cl->nl, &cl->server_ip6,
		    cl->host_ifname, &cl->host_gw6, &cl->host_has_gw, &why);
	else
		rc = netlink_route_get4(cl->nl, cl->server_ip,
		    cl->host_ifname, &cl->host_gw, &cl->host_has_gw, &why);
	if (rc == -1) {
		xasprintf(cause, "route to server %s: %s", cl->server_ipstr,
		    why);
		free(why);
		return -1;
	}
	if (strcmp(cl->host_ifname, "lo") == 0)
		return 0;	/* the server is this host */
	if (strcmp(cl->host_ifname, cl->ifname) == 0) {
		xasprintf(cause, "route to server %s: already through %s",
		    cl->server_ipstr, cl->ifname);
		return -1;
	}
	if (v6)
		rc = netlink_pin_add(cl->nl, AF_INET6, &cl->server_ip6,
		    cl->host_has_gw ? &cl->host_gw6 : NULL, cl->host_ifname,
		    &why);
	else
		rc = netlink_pin_add(cl->nl, AF_INET, &cl->server_ip,
		    cl->host_has_gw ? &cl->host_gw : NULL, cl->host_ifname,
		    &why);
	if (rc == -1) {
		if (errno == EEXIST) {
			/* Someone else's: use it, leave it in place. */
			log_debug("%s: %s/%u exists", __func__,
			    cl->server_ipstr, plen);
			free(why);
			return 0;
		}
		xasprintf(cause, "route %s/%u dev %s: %s", cl->server_ipstr,
		    plen, cl->host_ifname, why);
		free(why);
		return -1;
	}
	cl->host_route = true;
	cl->host_af = cl->server_af;
	cl->host_dst = cl->server_ip;
	cl->host_dst6 = cl->server_ip6;
	if (v6)
		ipaddr_str6(&cl->host_gw6, gw, sizeof(gw));
	else
		ipaddr_str4(cl->host_gw, gw, sizeof(gw));
	log_debug("%s: %s/%u%s%s dev %s", __func__, cl->server_ipstr, plen,
	    cl->host_has_gw ? " via " : "", cl->host_has_gw ? gw : "",
	    cl->host_ifname);
	return 0;
}

/* Remove the host route we pinned (it may be gone with its link). */
static void
client_tun_unpin(struct client *cl)
{
	char *cause = NULL, dst[INET_ADDRSTRLEN];

	if (!cl->host_route)
		return;
	if (cl->host_af == AF_INET6) {
		if (netlink_route_del6(cl->nl, &cl->host_dst6, 128,
		    cl->host_has_gw ? &cl->host_gw6 : NULL, cl->host_ifname,
		    &cause) == -1) {
			if (errno != ESRCH && errno != ENODEV)
				log_warnx("%s", cause);
			free(cause);
		}
		cl->host_route = false;
		return;
	}
	if (netlink_route_del4(cl->nl, cl->host_dst, 32,
	    cl->host_has_gw ? &cl->host_gw : NULL, cl->host_ifname,
	    &cause) == -1) {
		if (errno != ESRCH && errno != ENODEV)
			log_warnx("route %s/32 dev %s: %s", ipaddr_str4(
			    cl->host_dst, dst, sizeof(dst)), cl->host_ifname,
			    cause);
		free(cause);
	}
	cl->host_route = false;
}

/*
 * Before each reconnect (the network may have changed under us): pin
 * the server's address through the path outside the tunnel it has now,
 * replacing the pin of the last connect.  Nothing to do before the
 * tunnel routes exist (client_tun_add_routes pins then) or when they do
 * not cover the server.
 */
/*
 * The same for a server reached over IPv6, once IPv6 goes into the
 * tunnel (routes through it, or the block of a full tunnel).
 */
static int
client_tun_repin6(struct client *cl, char **cause)
{
	char ifname[IFNAMSIZ], gwbuf[INET6_ADDRSTRLEN], *why = NULL;
	struct in6_addr gw;
	bool has_gw;

	if (cl->nl == NULL || !cl->routed)
		return 0;
	/* Our old pin (either family) would answer the lookup. */
	client_tun_unpin(cl);
	if (!cl->v6_blocked && cl->nroutes6 == 0)
		return 0;
	if (netlink_route_outside6(cl->nl, &cl->server_ip6, cl->ifname,
	    ifname, &gw, &has_gw, cause) == -1)
		return -1;
	if (strcmp(ifname, "lo") == 0)
		return 0;
	if (netlink_pin_add(cl->nl, AF_INET6, &cl->server_ip6, has_gw ? &gw :
	    NULL, ifname, &why) == -1) {
		if (errno == EEXIST) {
			free(why);
			return 0;	/* someone else's: theirs */
		}
		xasprintf(cause, "route %s/128 dev %s: %s", cl->server_ipstr,
		    ifname, why);
		free(why);
		return -1;
	}
	cl->host_route = true;
	cl->host_af = AF_INET6;
	cl->host_dst6 = cl->server_ip6;
	memcpy(cl->host_ifname, ifname, IFNAMSIZ);
	cl->host_gw6 = gw;
	cl->host_has_gw = has_gw;
	log_info("route to server %s pinned%s%s dev %s", cl->server_ipstr,
	    has_gw ? " via " : "", has_gw ? ipaddr_str6(&gw, gwbuf,
	    sizeof(gwbuf)) : "", ifname);
	return 0;
}

int
client_tun_repin(struct client *cl, char **cause)
{
	char ifname[IFNAMSIZ], gwbuf[INET_ADDRSTRLEN], *why = NULL;
	struct in_addr gw;
	bool has_gw;

	if (cl->server_af == AF_INET6)
		return client_tun_repin6(cl, cause);
	if (cl->nl == NULL || cl->nroutes == 0)
		return 0;
	if (!client_tun_covered(cl->routes, cl->nroutes, cl->server_ip)) {
		client_tun_unpin(cl);
		return 0;
	}
	/* Our old pin would answer the lookup: without it, today's path. */
	client_tun_unpin(cl);
	if (netlink_route_outside4(cl->nl, cl->server_ip, cl->ifname, ifname,
	    &gw, &has_gw, cause) == -1)
		return -1;
	if (strcmp(ifname, "lo") == 0)
		return 0;
	if (netlink_pin_add(cl->nl, AF_INET, &cl->server_ip, has_gw ? &gw :
	    NULL, ifname, &why) == -1) {
		if (errno == EEXIST) {
			free(why);
			return 0;	/* someone else's: theirs */
		}
		xasprintf(cause, "route %s/32 dev %s: %s", cl->server_ipstr,
		    ifname, why);
		free(why);
		return -1;
	}
	cl->host_route = true;
	cl->host_af = AF_INET;
	cl->host_dst = cl->server_ip;
	memcpy(cl->host_ifname, ifname, IFNAMSIZ);
	cl->host_gw = gw;
	cl->host_has_gw = has_gw;
	log_info("route to server %s pinned%s%s dev %s", cl->server_ipstr,
	    has_gw ? " via " : "", has_gw ? ipaddr_str4(gw, gwbuf,
	    sizeof(gwbuf)) : "", ifname);
	return 0;
}

/*
 * Add the tunnel routes: configured, else pushed, else the whole IPv4
 * space (*full set).
 */
static int
client_tun_add_routes(struct client *cl, const struct proto_assign *a,
    bool *full, char **cause)
{
	struct config_cidr4 want[CONFIG_MAX_ROUTES + 2];
	const struct client_config *cfg = cl->cfg;
	char buf[INET_ADDRSTRLEN], *why = NULL;
	unsigned i, n = 0;

	if (cfg->nroutes > 0 || cfg->nroutes6 > 0) {
		for (i = 0; i < cfg->nroutes; i++)
			want[n++] = cfg->routes[i];
	} else {
		for (i = 0; i < a->nroutes && i < PROTO_MAX_ROUTES; i++) {
			if (a->routes[i].family != AF_INET)
				continue;
			want[n].addr = a->routes[i].addr.v4;
			want[n++].prefix = a->routes[i].prefix;
		}
	}
	/* Any route, of either family, makes a split tunnel. */
	*full = cfg->nroutes == 0 && cfg->nroutes6 == 0 && a->nroutes == 0;
	if (*full) {
		/* Full tunnel: two halves beat the default route. */
		want[0].addr.s_addr = htonl(0x00000000);
		want[0].prefix = 1;
		want[1].addr.s_addr = htonl(0x80000000);
		want[1].prefix = 1;
		n = 2;
	}

	if (cl->server_af == AF_INET && !cl->host_route &&
	    client_tun_covered(want, n, cl->server_ip) &&
	    client_tun_host_route(cl, cause) == -1)
		return -1;

	for (i = 0; i < n; i++) {
		if (netlink_route_add4(cl->nl, want[i].addr, want[i].prefix,
		    NULL, cl->ifname, &why) == -1) {
			if (errno == EEXIST) {
				log_warnx("route %s/%u exists already; not "
				    "routed through %s",
				    ipaddr_str4(want[i].addr, buf,
				    sizeof(buf)), (unsigned)want[i].prefix,
				    cl->ifname);
				free(why);
				why = NULL;
				continue;
			}
			xasprintf(cause, "route %s/%u dev %s: %s",
			    ipaddr_str4(want[i].addr, buf, sizeof(buf)),
			    (unsigned)want[i].prefix, cl->ifname, why);
			free(why);
			return -1;
		}
		cl->routes[cl->nroutes++] = want[i];
	}
	return 0;
}

/*
 * The IPv6 routes through the TUN when the server pushed an IPv6
 * address: the configured IPv6 routes if any route is configured, else
 * the pushed IPv6 routes, else (full tunnel only) ::/1 and 8000::/1.
 */
static int
client_tun_add_routes6(struct client *cl, const struct proto_assign *a,
    bool full, char **cause)
{
	struct proto_route want[PROTO_MAX_ROUTES + 2];
	const struct client_config *cfg = cl->cfg;
	char *why = NULL;
	unsigned i, n = 0;

	if (cfg->nroutes > 0 || cfg->nroutes6 > 0) {
		/* --route (routes) replaces the pushed routes. */
		for (i = 0; i < cfg->nroutes6; i++) {
			memset(&want[n], 0, sizeof(want[n]));
			want[n].family = AF_INET6;
			want[n].prefix = cfg->routes6[i].prefix;
			want[n++].addr.v6 = cfg->routes6[i].addr;
		}
	} else {
		for (i = 0; i < a->nroutes && i < PROTO_MAX_ROUTES; i++) {
			if (a->routes[i].family == AF_INET6)
				want[n++] = a->routes[i];
		}
	}
	if (n == 0 && full) {
		memset(want, 0, 2 * sizeof(want[0]));
		want[0].family = want[1].family = AF_INET6;
		want[0].prefix = want[1].prefix = 1;
		want[1].addr.v6.s6_addr[0] = 0x80;
		n = 2;
	}
	for (i = 0; i < n; i++) {
		if (netlink_route_add6(cl->nl, &want[i].addr.v6,
		    want[i].prefix, NULL, cl->ifname, &why) == -1) {
			if (errno == EEXIST) {
				log_warnx("%s: not routed through %s", why,
				    cl->ifname);
				free(why);
				why = NULL;
				continue;
			}
			*cause = why;
			return -1;
		}
		cl->routes6[cl->nroutes6++] = want[i];
	}
	return 0;
}

/* Reopen the TUN device fresh: it takes its address and routes along. */
static int
client_tun_reopen(struct client *cl, char **cause)
{
	client_tun_del_routes(cl);
	if (cl->tun_ev != NULL) {
		event_free(cl->tun_ev);
		cl->tun_ev = NULL;
	}
	cl->tun_paused = false;
	close(cl->tun_fd);
	cl->tun_fd = -1;
	cl->tun_up = false;
	cl->tun_has6 = false;
	if ((cl->tun_fd = tun_open_offload(cl->cfg->tun_name, cl->ifname,
	    &cl->tun_tso, cause)) == -1)
		return -1;
	return 0;
}

/*
 * Without an IPv6 address from the server, turn IPv6 off on our TUN
 * device only (its own sysctl, gone with the device) before the link
 * comes up, so the kernel sends no router solicitations or MLD reports
 * into the tunnel; with one, make sure it is on.  A kernel without IPv6
 * has no such file: nothing to do.
 */
static void
client_tun_ipv6(struct client *cl, bool on)
{
	char path[64 + IFNAMSIZ];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
	    cl->ifname);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			log_warn("%s", path);
		return;
	}
	if (write(fd, on ? "0\n" : "1\n", 2) != 2)
		log_warn("%s", path);
	close(fd);
}

/*
 * Apply an assignment.  On the first call: address, MTU, link up, host
 * route, tunnel routes.  Later (after a reconnect) only what changed.
 * On failure the caller restores everything (client_tun_restore).
 */
int
client_tun_apply(struct client *cl, const struct proto_assign *a,
    char **cause)
{
	char addr[INET_ADDRSTRLEN], old[INET_ADDRSTRLEN], *why = NULL;
	bool full;

	ipaddr_str4(a->addr4, addr, sizeof(addr));
	if (a->prefix4 < 1 || a->prefix4 > 32) {
		xasprintf(cause, "server assigned %s/%u: bad prefix length",
		    addr, (unsigned)a->prefix4);
		return -1;
	}
	if (a->mtu < 576 || a->mtu > 9000) {
		xasprintf(cause, "server assigned MTU %u: not in 576..9000",
		    (unsigned)a->mtu);
		return -1;
	}

	if (a->has_addr6 && (a->prefix6 < 1 || a->prefix6 > 128)) {
		xasprintf(cause, "server assigned IPv6 prefix length %u",
		    (unsigned)a->prefix6);
		return -1;
	}
	if (cl->tun_up && (a->has_addr6 != cl->tun_has6 || (a->has_addr6 &&
	    (memcmp(&a->addr6, &cl->tun_addr6, sizeof(a->addr6)) != 0 ||
	    a->prefix6 != cl->tun_prefix6)))) {
		log_info("IPv6 assignment changed: re-applying");
		if (client_tun_reopen(cl, cause) == -1)
			return -1;
	}
	if (cl->tun_up && (a->addr4.s_addr != cl->tun_addr.s_addr ||
	    a->prefix4 != cl->tun_prefix)) {
		log_info("address changed from %s/%u to %s/%u: re-applying",
		    ipaddr_str4(cl->tun_addr, old, sizeof(old)),
		    (unsigned)cl->tun_prefix, addr, (unsigned)a->prefix4);
		if (client_tun_reopen(cl, cause) == -1)
			return -1;
	}

	if (!cl->tun_up) {
		client_tun_ipv6(cl, a->has_addr6);
		if (netlink_addr_add4(cl->nl, cl->ifname, a->addr4,
		    a->prefix4, &why) == -1 ||
		    (a->has_addr6 && netlink_addr_add6(cl->nl, cl->ifname,
		    &a->addr6, a->prefix6, &why) == -1) ||
		    netlink_link_up(cl->nl, cl->ifname, a->mtu, &why) == -1) {
			xasprintf(cause, "%s: %s/%u mtu %u: %s", cl->ifname,
			    addr, (unsigned)a->prefix4, (unsigned)a->mtu, why);
			free(why);
			return -1;
		}
		cl->tun_has6 = a->has_addr6;
		cl->tun_addr6 = a->addr6;
		cl->tun_prefix6 = a->prefix6;
		cl->tun_up = true;
		cl->tun_addr = a->addr4;
		cl->tun_prefix = a->prefix4;
		cl->tun_mtu = a->mtu;
	} else if (a->mtu != cl->tun_mtu) {
		if (netlink_link_up(cl->nl, cl->ifname, a->mtu, &why) == -1) {
			xasprintf(cause, "%s: mtu %u: %s", cl->ifname,
			    (unsigned)a->mtu, why);
			free(why);
			return -1;
		}
		cl->tun_mtu = a->mtu;
	}

	if (!cl->routed) {
		if (client_tun_add_routes(cl, a, &full, cause) == -1)
			return -1;
		cl->routed = true;
		/*
		 * A server reached over IPv6 keeps its path before any
		 * IPv6 route (or block) could cover its address.
		 */
		if (cl->server_af == AF_INET6 && !cl->host_route &&
		    (a->has_addr6 || (full && cl->cfg->block_ipv6)) &&
		    client_tun_host_route(cl, cause) == -1)
			return -1;
		/*
		 * A full tunnel that carries no IPv6 must not let IPv6 out
		 * of the physical link: unreachable routes that beat any
		 * default route, until exit.  A split tunnel leaves IPv6
		 * alone, as it leaves the rest of IPv4.
		 */
		if (a->has_addr6) {
			/* Same prefixes as the block: it goes first. */
			if (cl->v6_blocked) {
				client_tun_block6(cl, false, NULL);
				cl->v6_blocked = false;
			}
			if (client_tun_add_routes6(cl, a, full, cause) == -1)
				return -1;
		} else if (cl->cfg->nroutes6 > 0)
			log_warnx("the server pushed no IPv6 address: the "
			    "IPv6 routes configured are not routed through %s",
			    cl->ifname);
		else if (full && cl->cfg->block_ipv6 && !cl->v6_blocked) {
			if (client_tun_block6(cl, true, cause) == -1)
				return -1;
			cl->v6_blocked = true;	/* ours to remove */
			log_info("no IPv6 from the server: IPv6 blocked "
			    "(unreachable ::/1 and 8000::/1) while the tunnel "
			    "is up");
		}
	}

	if (cl->tun_ev == NULL) {
		cl->tun_ev = event_new(cl->base, cl->tun_fd,
		    EV_READ | EV_PERSIST, client_tun_read_cb, cl);
		if (cl->tun_ev == NULL || event_add(cl->tun_ev, NULL) == -1) {
			xasprintf(cause, "cannot watch %s", cl->ifname);
			return -1;
		}
		cl->tun_paused = false;
	}
	return 0;
}

/* Undo: tunnel routes, the host route, the TUN device (and its address). */
void
client_tun_restore(struct client *cl)
{
	if (cl->nl != NULL) {
		client_tun_del_routes(cl);
		if (cl->v6_blocked) {
			client_tun_block6(cl, false, NULL);
			cl->v6_blocked = false;
		}
		client_tun_unpin(cl);
	}
	if (cl->tun_ev != NULL) {
		event_free(cl->tun_ev);
		cl->tun_ev = NULL;
	}
	if (cl->tun_fd != -1) {
		close(cl->tun_fd);
		cl->tun_fd = -1;
	}
	cl->tun_up = false;
	if (cl->nl != NULL) {
		netlink_close(cl->nl);
		cl->nl = NULL;
	}
	free(cl->pktbuf);
	cl->pktbuf = NULL;
}
