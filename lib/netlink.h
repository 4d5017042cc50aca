/* SPDX-License-Identifier: ISC */
/* Links, addresses and routes through libnl-route, IPv4 and IPv6. */
#ifndef RVPN_NETLINK_H
#define RVPN_NETLINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct netlink;

/*
 * The protocol number of rvpn's unreachable routes and of the client's
 * host route to the server (rt_protos(5) has no entry for it): a later
 * start finds and removes those a crash left.
 */
#define NETLINK_RTPROT_RVPN	82

/* Open a route socket.  NULL with *cause. */
struct netlink	*netlink_open(char **cause);
void		 netlink_close(struct netlink *);
/* Set MTU and bring the link up. */
int	netlink_link_up(struct netlink *, const char *ifname, unsigned mtu,
	    char **cause);
int	netlink_addr_add4(struct netlink *, const char *ifname,
	    struct in_addr, uint8_t prefix, char **cause);
/* IPv6 address, no duplicate address detection. */
int	netlink_addr_add6(struct netlink *, const char *ifname,
	    const struct in6_addr *, uint8_t prefix, char **cause);
/* Route dst/prefix via gw (NULL: none) out of ifname (NULL: any). */
int	netlink_route_add4(struct netlink *, struct in_addr dst, uint8_t prefix,
	    const struct in_addr *gw, const char *ifname, char **cause);
int	netlink_route_del4(struct netlink *, struct in_addr dst, uint8_t prefix,
	    const struct in_addr *gw, const char *ifname, char **cause);
/*
 * The same for IPv6.  With neither gw nor ifname: an unreachable route
 * of protocol NETLINK_RTPROT_RVPN (delete removes only such a route).
 */
int	netlink_route_add6(struct netlink *, const struct in6_addr *dst,
	    uint8_t prefix, const struct in6_addr *gw, const char *ifname,
	    char **cause);
int	netlink_route_del6(struct netlink *, const struct in6_addr *dst,
	    uint8_t prefix, const struct in6_addr *gw, const char *ifname,
	    char **cause);
/*
 * The server's host route (/32 or /128, af AF_INET or AF_INET6) via gw
 * (NULL: on-link) out of ifname, of protocol NETLINK_RTPROT_RVPN; and
 * the removal of such a route a crash left (-1 with ESRCH: none).
 */
int	netlink_pin_add(struct netlink *, int af, const void *dst,
	    const void *gw, const char *ifname, char **cause);
int	netlink_pin_del_stale(struct netlink *, int af, const void *dst,
	    char **cause);
/*
 * How the kernel routes to dst now: outgoing interface and gateway
 * (*has_gw false for an on-link destination).
 */
int	netlink_route_get4(struct netlink *, struct in_addr dst,
	    char ifname[IFNAMSIZ], struct in_addr *gw, bool *has_gw,
	    char **cause);
int	netlink_route_get6(struct netlink *, const struct in6_addr *dst,
	    char ifname[IFNAMSIZ], struct in6_addr *gw, bool *has_gw,
	    char **cause);
/* Interface of the IPv4 default route. */
int	netlink_default_ifname(struct netlink *, char ifname[IFNAMSIZ],
	    char **cause);
bool	netlink_link_exists(struct netlink *, const char *ifname);
/*
 * How dst is routed with the routes out of `exclude` (the tunnel) left
 * out: the main table's longest prefix, then lowest metric (unicast
 * routes only: an unreachable or blackhole route is not a way out).
 */
int	netlink_route_outside4(struct netlink *, struct in_addr dst,
	    const char *exclude, char ifname[IFNAMSIZ], struct in_addr *gw,
	    bool *has_gw, char **cause);
int	netlink_route_outside6(struct netlink *, const struct in6_addr *dst,
	    const char *exclude, char ifname[IFNAMSIZ], struct in6_addr *gw,
	    bool *has_gw, char **cause);
/* A non-blocking socket told of IPv4 route changes.  -1 with *cause. */
int	netlink_watch_open(char **cause);
/* Drain it: true if a main-table IPv4 default route came or went. */
bool	netlink_watch_read(int fd);

#endif
