/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipaddr.h"
#include "log.h"
#include "netlink.h"
#include "proto.h"
#include "route.h"
#include "server.h"
#include "tun.h"
#include "vnet.h"
#include "xmalloc.h"

/*
 * The TUN is readable: drain up to a budget of reads and bytes, each to the
 * session that owns its destination.  A read is one packet or a TCP
 * super-packet (offload, lib/vnet.h), cut into packets straight into the
 * session's queue.  A slow session drops (its records are full); the
 * reader never waits for one.  Then each session's new records go out at
 * once when nothing was waiting before them (session_flush_all).
 */
static void
server_tun_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct server *sv = arg;
	struct session *s;
	struct vnet_pkt vp;
	const uint8_t *pkt;
	size_t bytes = 0;
	ssize_t n;
	int i;

	server_update_time(sv);
	for (i = 0; i < SERVER_TUN_BUDGET &&
	    bytes < SERVER_TUN_BUDGET_BYTES; i++) {
		n = read(fd, sv->pktbuf, VNET_MAX_READ);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			/*
			 * The device was deleted (ip link del: EBADFD) or
			 * broke: it stays readable with the error, so go
			 * (once), or this would spin.  systemd restarts us.
			 */
			log_warnx("TUN device %s is gone (read: %s): exiting",
			    sv->tun_ifname, strerror(errno));
			event_del(sv->ev_tun);
			server_stop(sv, 1);
			break;
		}
		bytes += (size_t)n;
		if (vnet_parse(sv->pktbuf, (size_t)n, &vp) != VNET_OK) {
			sv->tun_stats.tun_short++;
			continue;
		}
		pkt = vp.pkt;
		if ((pkt[0] >> 4) == 6) {
			/*
			 * Without dhcp_range6, and the kernel's own chatter
			 * (router solicitations, MLD to ff02::/16): ignored,
			 * not a drop.
			 */
			if (sv->routes6 == NULL || vp.len < IPADDR_IP6_HLEN ||
			    pkt[IPADDR_IP6_DST] == 0xff) {
				sv->tun_stats.tun_ipv6++;
				continue;
			}
			s = route6_lookup(sv->routes6, pkt + IPADDR_IP6_DST);
			if (s == NULL) {
				sv->tun_stats.tun_noroute++;
				continue;
			}
			session_queue_vnet(s, &vp);
			continue;
		}
		if (vp.len < PROTO_MIN_PACKET || (pkt[0] >> 4) != 4) {
			sv->tun_stats.tun_short++;
			continue;
		}
		s = route_lookup(sv->routes, ipaddr_packet_dst4(pkt));
		if (s == NULL) {
			sv->tun_stats.tun_noroute++;
			continue;
		}
		session_queue_vnet(s, &vp);
	}
	session_flush_all(sv);
}

/*
 * Write one packet from a client to the TUN, joined with the segments of
 * the same flow before it (lib/vnet.h); how many packets a failed write
 * lost (counted by the caller).
 */
unsigned
server_tun_write(struct server *sv, const uint8_t *pkt, size_t len)
{
	return vnet_gro_add(&sv->gro, sv->tun_fd, pkt, len);
}

/* Write what server_tun_write holds back (at the end of each record). */
unsigned
server_tun_flush(struct server *sv)
{
	return vnet_gro_flush(&sv->gro, sv->tun_fd);
}

/*
 * Create the TUN device, give it the gateway address of dhcp_range (and
 * of dhcp_range6), the MTU, bring it up, and watch its fd.  Closing the fd removes all that.
 */
int
server_tun_open(struct server *sv, char **cause)
{
	struct server_config *cfg = sv->cfg;
	struct netlink *nl;
	bool tso;

	sv->tun_fd = tun_open_offload(cfg->tun_name, sv->tun_ifname, &tso,
	    cause);
	if (sv->tun_fd == -1)
		return -1;
	log_debug("%s: TCP segmentation offload %s", sv->tun_ifname,
	    tso ? "on" : "off");
	if ((nl = netlink_open(cause)) == NULL)
		return -1;
	if (netlink_link_up(nl, sv->tun_ifname, cfg->mtu, cause) == -1 ||
	    netlink_addr_add4(nl, sv->tun_ifname, sv->gateway,
	    cfg->dhcp_range.prefix, cause) == -1 ||
	    (sv->pool6 != NULL && netlink_addr_add6(nl, sv->tun_ifname,
	    &sv->gateway6, cfg->dhcp_range6.prefix, cause) == -1)) {
		netlink_close(nl);
		return -1;
	}
	netlink_close(nl);

	sv->ev_tun = event_new(sv->base, sv->tun_fd, EV_READ | EV_PERSIST,
	    server_tun_read_cb, sv);
	if (sv->ev_tun == NULL || event_add(sv->ev_tun, NULL) == -1) {
		xasprintf(cause, "%s: cannot watch the TUN fd", sv->tun_ifname);
		return -1;
	}
	return 0;
}

/* Close the TUN fd: the device, its address and route disappear. */
void
server_tun_close(struct server *sv)
{
	if (sv->ev_tun != NULL) {
		event_del(sv->ev_tun);
		event_free(sv->ev_tun);
		sv->ev_tun = NULL;
	}
	if (sv->tun_fd != -1) {
		close(sv->tun_fd);
		sv->tun_fd = -1;
	}
}
