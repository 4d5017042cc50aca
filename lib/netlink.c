/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "log.h"
#include "netlink.h"
#include "xmalloc.h"

struct netlink {
	struct nl_sock	*sk;
};

/* Open a NETLINK_ROUTE socket. */
struct netlink *
netlink_open(char **cause)
{
	struct netlink *nl;
	int error;

	nl = xcalloc(1, sizeof(*nl));
	if ((nl->sk = nl_socket_alloc()) == NULL) {
		xasprintf(cause, "netlink: socket: %s",
		    nl_geterror(NLE_NOMEM));
		free(nl);
		return NULL;
	}
	if ((error = nl_connect(nl->sk, NETLINK_ROUTE)) < 0) {
		xasprintf(cause, "netlink: connect: %s", nl_geterror(error));
		nl_socket_free(nl->sk);
		free(nl);
		return NULL;
	}
	return nl;
}

/* Close the socket; NULL is a no-op. */
void
netlink_close(struct netlink *nl)
{
	if (nl == NULL)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

struct netlink_reply {
	int	(*parse)(struct nlmsghdr *, void *);
	void	 *arg;
	int	  kerr;		/* errno from the kernel */
	bool	  done;
};

static int
netlink_valid_cb(struct nl_msg *msg, void *arg)
{
	struct netlink_reply *r = arg;

	if (r->parse != NULL)
		r->parse(nlmsg_hdr(msg), r->arg);
	return NL_OK;
}

static int
netlink_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct netlink_reply *r = arg;

	r->kerr = -e->error;
	r->done = true;
	return NL_STOP;
}

static int
netlink_ack_cb(struct nl_msg *msg, void *arg)
{
	struct netlink_reply *r = arg;

	r->done = true;
	return NL_STOP;
}

/*
 * Send msg (freed here) and read replies up to its ACK, passing each to
 * parse.  0, or -1 with *errstr: the kernel's errno as text (as ip(8)
 * prints it; libnl's codes lose detail, ENETUNREACH becomes "Unspecific
 * failure"), else nl_geterror().
 */
static int
netlink_talk(struct netlink *nl, struct nl_msg *msg,
    int (*parse)(struct nlmsghdr *, void *), void *arg, const char **errstr)
{
	struct netlink_reply r;
	struct nl_cb *cb, *orig;
	int error, i;

	memset(&r, 0, sizeof(r));
	r.parse = parse;
	r.arg = arg;
	error = nl_send_auto(nl->sk, msg);	/* asks for an ACK */
	nlmsg_free(msg);
	if (error < 0) {
		*errstr = nl_geterror(error);
		errno = EIO;
		return -1;
	}
	orig = nl_socket_get_cb(nl->sk);	/* a new reference */
	cb = nl_cb_clone(orig);
	nl_cb_put(orig);
	if (cb == NULL)
		fatalx("%s: out of memory", __func__);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, netlink_valid_cb, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, netlink_ack_cb, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, netlink_err_cb, &r);
	error = 0;
	for (i = 0; i < 64 && !r.done; i++) {
		if ((error = nl_recvmsgs(nl->sk, cb)) < 0)
			break;
	}
	nl_cb_put(cb);
	if (r.kerr != 0) {
		*errstr = strerror(r.kerr);
		errno = r.kerr;
		return -1;
	}
	if (error < 0 || !r.done) {
		*errstr = error < 0 ? nl_geterror(error) : "no answer";
		errno = EIO;
		return -1;
	}
	return 0;
}

/* The link named ifname, or NULL with *cause (what: the step). */
static struct rtnl_link *
netlink_get_link(struct netlink *nl, const char *ifname, const char *what,
    char **cause)
{
	struct rtnl_link *link;
	int error;

	if (strlen(ifname) >= IFNAMSIZ) {
		xasprintf(cause, "%s: %s: interface name too long", ifname,
		    what);
		errno = EINVAL;
		return NULL;
	}
	if ((error = rtnl_link_get_kernel(nl->sk, 0, ifname, &link)) < 0) {
		xasprintf(cause, "%s: %s: %s", ifname, what,
		    nl_geterror(error));
		errno = ENODEV;
		return NULL;
	}
	return link;
}

/* Set ifname's MTU, then bring it up. */
int
netlink_link_up(struct netlink *nl, const char *ifname, unsigned mtu,
    char **cause)
{
	struct rtnl_link *link, *change;
	struct nl_msg *msg;
	const char *errstr = "no answer";
	char what[32];
	int error;

	snprintf(what, sizeof(what), "set mtu %u", mtu);
	if ((link = netlink_get_link(nl, ifname, what, cause)) == NULL)
		return -1;
	if ((change = rtnl_link_alloc()) == NULL)
		fatalx("%s: rtnl_link_alloc", __func__);
	rtnl_link_set_mtu(change, mtu);
	if ((error = rtnl_link_build_change_request(link, change, 0,
	    &msg)) < 0) {
		errstr = nl_geterror(error);
		errno = EINVAL;
	} else if (netlink_talk(nl, msg, NULL, NULL, &errstr) == 0) {
		rtnl_link_put(change);
		if ((change = rtnl_link_alloc()) == NULL)
			fatalx("%s: rtnl_link_alloc", __func__);
		rtnl_link_set_flags(change, IFF_UP);
		snprintf(what, sizeof(what), "set up");
		if ((error = rtnl_link_build_change_request(link, change, 0,
		    &msg)) < 0) {
			errstr = nl_geterror(error);
			errno = EINVAL;
		} else if (netlink_talk(nl, msg, NULL, NULL, &errstr) == 0)
			errstr = NULL;
	}
	error = errno;
	rtnl_link_put(change);
	rtnl_link_put(link);
	if (errstr != NULL) {
		xasprintf(cause, "%s: %s: %s", ifname, what, errstr);
		errno = error;
		return -1;
	}
	return 0;
}

/* An nl_addr for an address of family af (AF_INET, AF_INET6); dies on ENOMEM. */
static struct nl_addr *
netlink_addr(int af, const void *a, uint8_t prefix)
{
	struct nl_addr *na;

	if ((na = nl_addr_build(af, a, af == AF_INET6 ? 16 : 4)) == NULL)
		fatalx("nl_addr_build: out of memory");
	nl_addr_set_prefixlen(na, prefix);
	return na;
}

/* Add a/prefix of family af to ifname: the kernel adds the connected route. */
static int
netlink_addr_add(struct netlink *nl, const char *ifname, int af,
    const void *a, uint8_t prefix, char **cause)
{
	struct rtnl_link *link;
	struct rtnl_addr *ra;
	struct nl_addr *local;
	struct nl_msg *msg;
	const char *errstr;
	char what[96], buf[INET6_ADDRSTRLEN];
	uint8_t max = af == AF_INET6 ? 128 : 32;
	int error;

	inet_ntop(af, a, buf, sizeof(buf));
	snprintf(what, sizeof(what), "add address %s/%u", buf, prefix);
	if (prefix > max) {
		xasprintf(cause, "%s: %s: prefix length must be 0..%u", ifname,
		    what, max);
		errno = EINVAL;
		return -1;
	}
	if ((link = netlink_get_link(nl, ifname, what, cause)) == NULL)
		return -1;
	if ((ra = rtnl_addr_alloc()) == NULL)
		fatalx("%s: rtnl_addr_alloc", __func__);
	rtnl_addr_set_ifindex(ra, rtnl_link_get_ifindex(link));
	rtnl_addr_set_family(ra, af);
	local = netlink_addr(af, a, prefix);
	error = rtnl_addr_set_local(ra, local);
	nl_addr_put(local);
	/* No duplicate address detection on a point-to-point TUN. */
	if (af == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	if (error == 0)
		error = rtnl_addr_build_add_request(ra, NLM_F_EXCL, &msg);
	rtnl_addr_put(ra);
	rtnl_link_put(link);
	if (error < 0) {
		errstr = nl_geterror(error);
		errno = EINVAL;
	} else if (netlink_talk(nl, msg, NULL, NULL, &errstr) == 0)
		return 0;
	error = errno;
	xasprintf(cause, "%s: %s: %s", ifname, what, errstr);
	errno = error;
	return -1;
}

int
netlink_addr_add4(struct netlink *nl, const char *ifname, struct in_addr a,
    uint8_t prefix, char **cause)
{
	return netlink_addr_add(nl, ifname, AF_INET, &a, prefix, cause);
}

int
netlink_addr_add6(struct netlink *nl, const char *ifname,
    const struct in6_addr *a, uint8_t prefix, char **cause)
{
	return netlink_addr_add(nl, ifname, AF_INET6, a, prefix, cause);
}

/* "add route 10.0.0.0/8 via 192.0.2.1 dev eth0" for messages. */
static void
netlink_route_what(char *buf, size_t len, const char *verb, int af,
    const void *dst, uint8_t prefix, const void *gw, const char *ifname)
{
	char dbuf[INET6_ADDRSTRLEN], gbuf[INET6_ADDRSTRLEN];

	inet_ntop(af, dst, dbuf, sizeof(dbuf));
	if (gw != NULL)
		inet_ntop(af, gw, gbuf, sizeof(gbuf));
	snprintf(buf, len, "%s %sroute %s/%u%s%s%s%s", verb,
	    af == AF_INET6 && ifname == NULL && gw == NULL ? "unreachable " :
	    "", dbuf, prefix,
	    gw != NULL ? " via " : "", gw != NULL ? gbuf : "",
	    ifname != NULL ? " dev " : "", ifname != NULL ? ifname : "");
}

/*
 * The route object for add and delete; NULL with *cause and errno.
 * Neither gw nor ifname: an unreachable route of rvpn's own protocol.
 */
static struct rtnl_route *
netlink_route(struct netlink *nl, const char *what, int af, const void *dst,
    uint8_t prefix, const void *gw, const char *ifname, char **cause)
{
	struct rtnl_route *rt;
	struct rtnl_nexthop *nh;
	struct rtnl_link *link = NULL;
	struct nl_addr *na;
	uint8_t max = af == AF_INET6 ? 128 : 32;

	if (prefix > max) {
		xasprintf(cause, "%s: prefix length must be 0..%u", what, max);
		errno = EINVAL;
		return NULL;
	}
	if (ifname != NULL &&
	    (link = netlink_get_link(nl, ifname, what, cause)) == NULL)
		return NULL;

	if ((rt = rtnl_route_alloc()) == NULL)
		fatalx("%s: out of memory", __func__);
	rtnl_route_set_family(rt, af);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	na = netlink_addr(af, dst, prefix);
	rtnl_route_set_dst(rt, na);
	nl_addr_put(na);
	if (gw == NULL && link == NULL) {
		rtnl_route_set_type(rt, RTN_UNREACHABLE);
		rtnl_route_set_protocol(rt, NETLINK_RTPROT_RVPN);
		return rt;
	}
	rtnl_route_set_type(rt, RTN_UNICAST);
	if ((nh = rtnl_route_nh_alloc()) == NULL)
		fatalx("%s: out of memory", __func__);
	if (gw != NULL) {
		na = netlink_addr(af, gw, max);
		rtnl_route_nh_set_gateway(nh, na);
		nl_addr_put(na);
	}
	if (link != NULL) {
		rtnl_route_nh_set_ifindex(nh, rtnl_link_get_ifindex(link));
		rtnl_link_put(link);
	}
	rtnl_route_add_nexthop(rt, nh);		/* rt owns nh now */
	return rt;
}

/* Send the add or delete request for rt (put here); -1 with *cause. */
static int
netlink_route_send(struct netlink *nl, struct rtnl_route *rt, bool add,
    const char *what, char **cause)
{
	struct nl_msg *msg;
	const char *errstr;
	int error;

	if (add)
		error = rtnl_route_build_add_request(rt, NLM_F_EXCL, &msg);
	else
		error = rtnl_route_build_del_request(rt, 0, &msg);
	rtnl_route_put(rt);
	if (error < 0) {
		errstr = nl_geterror(error);
		errno = EINVAL;
	} else if (netlink_talk(nl, msg, NULL, NULL, &errstr) == 0)
		return 0;
	error = errno;
	xasprintf(cause, "%s: %s", what, errstr);
	errno = error;
	return -1;
}

/*
 * Add (NLM_F_EXCL) or delete dst/prefix via gw out of ifname.  An added
 * unicast route gets protocol proto and the scope its gateway implies; a
 * delete matches any protocol and scope, as ip route del does (an
 * unreachable route only if it is rvpn's own).
 */
static int
netlink_route_change(struct netlink *nl, bool add, int proto, int af,
    const void *dst, uint8_t prefix, const void *gw, const char *ifname,
    char **cause)
{
	struct rtnl_route *rt;
	char what[160];

	netlink_route_what(what, sizeof(what), add ? "add" : "delete", af,
	    dst, prefix, gw, ifname);
	/* (IPv6 without either is an unreachable route.) */
	if (af == AF_INET && gw == NULL && ifname == NULL) {
		xasprintf(cause, "%s: needs a gateway or a device", what);
		errno = EINVAL;
		return -1;
	}
	if ((rt = netlink_route(nl, what, af, dst, prefix, gw, ifname,
	    cause)) == NULL)
		return -1;
	if (add && rtnl_route_get_type(rt) == RTN_UNICAST) {
		rtnl_route_set_protocol(rt, proto);
		rtnl_route_set_scope(rt, rtnl_route_guess_scope(rt));
	} else if (!add) {
		if (rtnl_route_get_type(rt) == RTN_UNICAST)
			rtnl_route_set_protocol(rt, RTPROT_UNSPEC);
		rtnl_route_set_scope(rt, RT_SCOPE_NOWHERE);
	}
	return netlink_route_send(nl, rt, add, what, cause);
}

static int
netlink_route_add(struct netlink *nl, int af, const void *dst,
    uint8_t prefix, const void *gw, const char *ifname, char **cause)
{
	return netlink_route_change(nl, true, RTPROT_STATIC, af, dst, prefix,
	    gw, ifname, cause);
}

static int
netlink_route_del(struct netlink *nl, int af, const void *dst,
    uint8_t prefix, const void *gw, const char *ifname, char **cause)
{
	return netlink_route_change(nl, false, 0, af, dst, prefix, gw,
	    ifname, cause);
}

/*
 * The host route that pins the server's address to its path outside the
 * tunnel: marked with rvpn's protocol, so that the next start can tell a
 * pin a crash left from a route of the administrator's.
 */
int
netlink_pin_add(struct netlink *nl, int af, const void *dst, const void *gw,
    const char *ifname, char **cause)
{
	return netlink_route_change(nl, true, NETLINK_RTPROT_RVPN, af, dst,
	    af == AF_INET6 ? 128 : 32, gw, ifname, cause);
}

int
netlink_pin_del_stale(struct netlink *nl, int af, const void *dst,
    char **cause)
{
	struct rtnl_route *rt;
	struct nl_addr *na;
	char what[160];
	uint8_t max = af == AF_INET6 ? 128 : 32;

	netlink_route_what(what, sizeof(what), "delete", af, dst, max, NULL,
	    NULL);
	if ((rt = rtnl_route_alloc()) == NULL)
		fatalx("%s: out of memory", __func__);
	rtnl_route_set_family(rt, af);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	na = netlink_addr(af, dst, max);
	rtnl_route_set_dst(rt, na);
	nl_addr_put(na);
	rtnl_route_set_type(rt, RTN_UNICAST);
	rtnl_route_set_protocol(rt, NETLINK_RTPROT_RVPN);
	rtnl_route_set_scope(rt, RT_SCOPE_NOWHERE);
	return netlink_route_send(nl, rt, false, what, cause);
}

/* Add dst/prefix via gw (NULL: on-link) out of ifname (NULL: any). */
int
netlink_route_add4(struct netlink *nl, struct in_addr dst, uint8_t prefix,
    const struct in_addr *gw, const char *ifname, char **cause)
{
	return netlink_route_add(nl, AF_INET, &dst, prefix, gw, ifname,
	    cause);
}

/* Delete the route dst/prefix (gw and ifname narrow the match). */
int
netlink_route_del4(struct netlink *nl, struct in_addr dst, uint8_t prefix,
    const struct in_addr *gw, const char *ifname, char **cause)
{
	return netlink_route_del(nl, AF_INET, &dst, prefix, gw, ifname,
	    cause);
}

int
netlink_route_add6(struct netlink *nl, const struct in6_addr *dst,
    uint8_t prefix, const struct in6_addr *gw, const char *ifname,
    char **cause)
{
	return netlink_route_add(nl, AF_INET6, dst, prefix, gw, ifname,
	    cause);
}

int
netlink_route_del6(struct netlink *nl, const struct in6_addr *dst,
    uint8_t prefix, const struct in6_addr *gw, const char *ifname,
    char **cause)
{
	return netlink_route_del(nl, AF_INET6, dst, prefix, gw, ifname,
	    cause);
}

/*
 * The name of interface ifindex into ifname; -1 with *cause "WHAT:
 * interface N: error".
 */
static int
netlink_ifname(int ifindex, char ifname[IFNAMSIZ], const char *what,
    char **cause)
{
	char name[IF_NAMESIZE];
	int error;

	if (if_indextoname((unsigned)ifindex, name) == NULL) {
		error = errno;
		xasprintf(cause, "%s: interface %d: %s", what, ifindex,
		    strerror(error));
		errno = error;
		return -1;
	}
	memcpy(ifname, name, IFNAMSIZ);
	return 0;
}

struct netlink_get {
	bool		found;
	int		ifindex;
	bool		has_gw;
	size_t		alen;		/* 4 or 16 */
	uint8_t		gw[16];
};

static int
netlink_get_parse(struct nlmsghdr *nlh, void *arg)
{
	struct netlink_get *g = arg;
	struct nlattr *tb[RTA_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWROUTE || g->found ||
	    nlmsg_parse(nlh, sizeof(struct rtmsg), tb, RTA_MAX, NULL) < 0)
		return -1;
	if (tb[RTA_OIF] != NULL)
		g->ifindex = (int)nla_get_u32(tb[RTA_OIF]);
	if (tb[RTA_GATEWAY] != NULL &&
	    (size_t)nla_len(tb[RTA_GATEWAY]) == g->alen) {
		memcpy(g->gw, nla_data(tb[RTA_GATEWAY]), g->alen);
		g->has_gw = true;
	}
	g->found = true;
	return 0;
}

/* Ask the kernel how it routes to dst now (ip route get). */
static int
netlink_route_get(struct netlink *nl, int af, const void *dst,
    char ifname[IFNAMSIZ], void *gw, bool *has_gw, char **cause)
{
	struct rtmsg rtm;
	struct nl_msg *msg;
	struct netlink_get g;
	const char *errstr;
	char dbuf[INET6_ADDRSTRLEN], what[16 + INET6_ADDRSTRLEN];
	size_t alen = af == AF_INET6 ? 16 : 4;
	int error;

	inet_ntop(af, dst, dbuf, sizeof(dbuf));
	memset(&g, 0, sizeof(g));
	g.alen = alen;
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = (unsigned char)af;
	rtm.rtm_dst_len = (unsigned char)(alen * 8);
	if ((msg = nlmsg_alloc_simple(RTM_GETROUTE, 0)) == NULL ||
	    nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, (int)alen, dst) < 0)
		fatalx("%s: out of memory", __func__);
	if (netlink_talk(nl, msg, netlink_get_parse, &g, &errstr) == -1) {
		error = errno;
		xasprintf(cause, "route get %s: %s", dbuf, errstr);
		errno = error;
		return -1;
	}
	if (!g.found || g.ifindex == 0) {
		xasprintf(cause, "route get %s: no outgoing interface", dbuf);
		errno = ENETUNREACH;
		return -1;
	}
	snprintf(what, sizeof(what), "route get %s", dbuf);
	if (netlink_ifname(g.ifindex, ifname, what, cause) == -1)
		return -1;
	*has_gw = g.has_gw;
	if (g.has_gw)
		memcpy(gw, g.gw, alen);
	else
		memset(gw, 0, alen);
	return 0;
}

int
netlink_route_get4(struct netlink *nl, struct in_addr dst,
    char ifname[IFNAMSIZ], struct in_addr *gw, bool *has_gw, char **cause)
{
	return netlink_route_get(nl, AF_INET, &dst, ifname, gw, has_gw,
	    cause);
}

int
netlink_route_get6(struct netlink *nl, const struct in6_addr *dst,
    char ifname[IFNAMSIZ], struct in6_addr *gw, bool *has_gw, char **cause)
{
	return netlink_route_get(nl, AF_INET6, dst, ifname, gw, has_gw,
	    cause);
}

/* The interface of the main table's IPv4 default route (lowest metric). */
int
netlink_default_ifname(struct netlink *nl, char ifname[IFNAMSIZ],
    char **cause)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	struct rtnl_route *rt, *best = NULL;
	struct rtnl_nexthop *nh;
	struct nl_addr *dst;
	int error, ifindex;

	if ((error = rtnl_route_alloc_cache(nl->sk, AF_INET, 0, &cache)) < 0) {
		xasprintf(cause, "netlink: list routes: %s",
		    nl_geterror(error));
		errno = EIO;
		return -1;
	}
	for (obj = nl_cache_get_first(cache); obj != NULL;
	    obj = nl_cache_get_next(obj)) {
		rt = (struct rtnl_route *)obj;
		dst = rtnl_route_get_dst(rt);
		if (rtnl_route_get_table(rt) != RT_TABLE_MAIN ||
		    rtnl_route_get_type(rt) != RTN_UNICAST ||
		    (dst != NULL && nl_addr_get_prefixlen(dst) != 0) ||
		    rtnl_route_get_nnexthops(rt) < 1)
			continue;
		if (best == NULL ||
		    rtnl_route_get_priority(rt) < rtnl_route_get_priority(best))
			best = rt;
	}
	ifindex = 0;
	if (best != NULL && (nh = rtnl_route_nexthop_n(best, 0)) != NULL)
		ifindex = rtnl_route_nh_get_ifindex(nh);
	nl_cache_free(cache);
	if (ifindex == 0) {
		xasprintf(cause, "netlink: no IPv4 default route");
		errno = ENETUNREACH;
		return -1;
	}
	return netlink_ifname(ifindex, ifname, "netlink: default route",
	    cause);
}

/* True if a link named ifname exists in this namespace. */
bool
netlink_link_exists(struct netlink *nl, const char *ifname)
{
	struct rtnl_link *link;

	if (ifname == NULL || *ifname == '\0' || strlen(ifname) >= IFNAMSIZ)
		return false;
	if (rtnl_link_get_kernel(nl->sk, 0, ifname, &link) < 0)
		return false;
	rtnl_link_put(link);
	return true;
}

/* Is the first plen bits of a (len bytes) equal to those of b? */
static bool
netlink_prefix_match(const uint8_t *a, const uint8_t *b, int plen)
{
	int full = plen / 8, rest = plen % 8;

	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

/*
 * How the main table routes dst (af: AF_INET or AF_INET6, a struct
 * in_addr or in6_addr) when routes out of `exclude` (the tunnel) and
 * routes that are not unicast (unreachable, blackhole) are left out:
 * the longest matching prefix, then the lowest metric.  Interface and
 * gateway into gw (the same type as dst; *has_gw false: on-link).
 */
static int
netlink_route_outside(struct netlink *nl, int af, const void *dst,
    const char *exclude, char ifname[IFNAMSIZ], void *gw, bool *has_gw,
    char **cause)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	struct rtnl_route *rt, *best = NULL;
	struct rtnl_nexthop *nh;
	struct nl_addr *rdst, *rgw;
	char dbuf[INET6_ADDRSTRLEN], what[16 + INET6_ADDRSTRLEN];
	unsigned xidx = exclude != NULL ? if_nametoindex(exclude) : 0;
	unsigned alen = af == AF_INET6 ? 16 : 4;
	int error, ifindex, plen, bestlen = -1;

	inet_ntop(af, dst, dbuf, sizeof(dbuf));
	if ((error = rtnl_route_alloc_cache(nl->sk, af, 0, &cache)) < 0) {
		xasprintf(cause, "netlink: list routes: %s",
		    nl_geterror(error));
		errno = EIO;
		return -1;
	}
	for (obj = nl_cache_get_first(cache); obj != NULL;
	    obj = nl_cache_get_next(obj)) {
		rt = (struct rtnl_route *)obj;
		if (rtnl_route_get_table(rt) != RT_TABLE_MAIN ||
		    rtnl_route_get_type(rt) != RTN_UNICAST ||
		    rtnl_route_get_nnexthops(rt) < 1 ||
		    (nh = rtnl_route_nexthop_n(rt, 0)) == NULL ||
		    (xidx != 0 && rtnl_route_nh_get_ifindex(nh) == (int)xidx))
			continue;
		rdst = rtnl_route_get_dst(rt);
		plen = rdst != NULL ? (int)nl_addr_get_prefixlen(rdst) : 0;
		if (plen > 0 && rdst != NULL &&
		    nl_addr_get_len(rdst) == alen) {
			if (plen > (int)alen * 8 || !netlink_prefix_match(dst,
			    nl_addr_get_binary_addr(rdst), plen))
				continue;
		} else if (plen > 0)
			continue;
		if (plen > bestlen || (plen == bestlen &&
		    rtnl_route_get_priority(rt) <
		    rtnl_route_get_priority(best))) {
			best = rt;
			bestlen = plen;
		}
	}
	ifindex = 0;
	*has_gw = false;
	memset(gw, 0, alen);
	if (best != NULL && (nh = rtnl_route_nexthop_n(best, 0)) != NULL) {
		ifindex = rtnl_route_nh_get_ifindex(nh);
		if ((rgw = rtnl_route_nh_get_gateway(nh)) != NULL &&
		    nl_addr_get_len(rgw) == alen) {
			memcpy(gw, nl_addr_get_binary_addr(rgw), alen);
			*has_gw = true;
		}
	}
	nl_cache_free(cache);
	if (ifindex == 0) {
		xasprintf(cause, "no route to %s outside %s", dbuf,
		    exclude != NULL ? exclude : "the tunnel");
		errno = ENETUNREACH;
		return -1;
	}
	snprintf(what, sizeof(what), "route to %s", dbuf);
	return netlink_ifname(ifindex, ifname, what, cause);
}

int
netlink_route_outside4(struct netlink *nl, struct in_addr dst,
    const char *exclude, char ifname[IFNAMSIZ], struct in_addr *gw,
    bool *has_gw, char **cause)
{
	return netlink_route_outside(nl, AF_INET, &dst, exclude, ifname, gw,
	    has_gw, cause);
}

int
netlink_route_outside6(struct netlink *nl, const struct in6_addr *dst,
    const char *exclude, char ifname[IFNAMSIZ], struct in6_addr *gw,
    bool *has_gw, char **cause)
{
	return netlink_route_outside(nl, AF_INET6, dst, exclude, ifname, gw,
	    has_gw, cause);
}

/*
 * A socket that hears of IPv4 route changes (RTMGRP_IPV4_ROUTE), non
 * blocking.  -1 with *cause.
 */
int
netlink_watch_open(char **cause)
{
	struct sockaddr_nl sa;
	int fd, error;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1)
		goto fail;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_IPV4_ROUTE;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		error = errno;
		close(fd);
		errno = error;
		goto fail;
	}
	return fd;
fail:
	error = errno;
	xasprintf(cause, "netlink: route watch: %s", strerror(error));
	errno = error;
	return -1;
}

/*
 * Drain the watch socket: true if an IPv4 default route of the main
 * table came or went (an overrun counts as a change).
 */
bool
netlink_watch_read(int fd)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nh;
	struct rtmsg *rtm;
	bool changed = false;
	ssize_t n;
	size_t len;

	for (;;) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == ENOBUFS)
				changed = true;
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			break;
		}
		if (n == 0)
			break;
		len = (size_t)n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len);
		    nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type != RTM_NEWROUTE &&
			    nh->nlmsg_type != RTM_DELROUTE)
				continue;
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
				continue;
			rtm = NLMSG_DATA(nh);
			if (rtm->rtm_family == AF_INET &&
			    rtm->rtm_dst_len == 0 &&
			    rtm->rtm_table == RT_TABLE_MAIN)
				changed = true;
		}
	}
	return changed;
}
