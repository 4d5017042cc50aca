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

/* An nl_addr for an IPv4 address/prefix; dies on ENOMEM. */
static struct nl_addr *
netlink_addr4(struct in_addr a, uint8_t prefix)
{
	struct nl_addr *na;

	if ((na = nl_addr_build(AF_INET, &a, sizeof(a))) == NULL)
		fatalx("nl_addr_build: out of memory");
	nl_addr_set_prefixlen(na, prefix);
	return na;
}

/* Add a/prefix to ifname: the kernel adds the connected route. */
int
netlink_addr_add4(struct netlink *nl, const char *ifname, struct in_addr a,
    uint8_t prefix, char **cause)
{
	struct rtnl_link *link;
	struct rtnl_addr *ra;
	struct nl_addr *local;
	struct nl_msg *msg;
	const char *errstr;
	char what[64], buf[INET_ADDRSTRLEN];
	int error;

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	snprintf(what, sizeof(what), "add address %s/%u", buf, prefix);
	if (prefix > 32) {
		xasprintf(cause, "%s: %s: prefix length must be 0..32", ifname,
		    what);
		errno = EINVAL;
		return -1;
	}
	if ((link = netlink_get_link(nl, ifname, what, cause)) == NULL)
		return -1;
	if ((ra = rtnl_addr_alloc()) == NULL)
		fatalx("%s: rtnl_addr_alloc", __func__);
	rtnl_addr_set_ifindex(ra, rtnl_link_get_ifindex(link));
	rtnl_addr_set_family(ra, AF_INET);
	local = netlink_addr4(a, prefix);
	error = rtnl_addr_set_local(ra, local);
	nl_addr_put(local);
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

/* "add route 10.0.0.0/8 via 192.0.2.1 dev eth0" for messages. */
static void
netlink_route_what(char *buf, size_t len, const char *verb,
    struct in_addr dst, uint8_t prefix, const struct in_addr *gw,
    const char *ifname)
{
	char dbuf[INET_ADDRSTRLEN], gbuf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &dst, dbuf, sizeof(dbuf));
	if (gw != NULL)
		inet_ntop(AF_INET, gw, gbuf, sizeof(gbuf));
	snprintf(buf, len, "%s route %s/%u%s%s%s%s", verb, dbuf, prefix,
	    gw != NULL ? " via " : "", gw != NULL ? gbuf : "",
	    ifname != NULL ? " dev " : "", ifname != NULL ? ifname : "");
}

/* The route object for add and delete; NULL with *cause and errno. */
static struct rtnl_route *
netlink_route4(struct netlink *nl, const char *what, struct in_addr dst,
    uint8_t prefix, const struct in_addr *gw, const char *ifname,
    char **cause)
{
	struct rtnl_route *rt;
	struct rtnl_nexthop *nh;
	struct rtnl_link *link = NULL;
	struct nl_addr *na;

	if (prefix > 32) {
		xasprintf(cause, "%s: prefix length must be 0..32", what);
		errno = EINVAL;
		return NULL;
	}
	if (gw == NULL && ifname == NULL) {
		xasprintf(cause, "%s: needs a gateway or a device", what);
		errno = EINVAL;
		return NULL;
	}
	if (ifname != NULL &&
	    (link = netlink_get_link(nl, ifname, what, cause)) == NULL)
		return NULL;

	if ((rt = rtnl_route_alloc()) == NULL ||
	    (nh = rtnl_route_nh_alloc()) == NULL)
		fatalx("%s: out of memory", __func__);
	rtnl_route_set_family(rt, AF_INET);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_type(rt, RTN_UNICAST);
	na = netlink_addr4(dst, prefix);
	rtnl_route_set_dst(rt, na);
	nl_addr_put(na);
	if (gw != NULL) {
		na = netlink_addr4(*gw, 32);
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

/* Add dst/prefix via gw (NULL: on-link) out of ifname (NULL: any). */
int
netlink_route_add4(struct netlink *nl, struct in_addr dst, uint8_t prefix,
    const struct in_addr *gw, const char *ifname, char **cause)
{
	struct rtnl_route *rt;
	char what[96];

	netlink_route_what(what, sizeof(what), "add", dst, prefix, gw, ifname);
	if ((rt = netlink_route4(nl, what, dst, prefix, gw, ifname,
	    cause)) == NULL)
		return -1;
	rtnl_route_set_protocol(rt, RTPROT_STATIC);
	rtnl_route_set_scope(rt, rtnl_route_guess_scope(rt));
	return netlink_route_send(nl, rt, true, what, cause);
}

/* Delete the route dst/prefix (gw and ifname narrow the match). */
int
netlink_route_del4(struct netlink *nl, struct in_addr dst, uint8_t prefix,
    const struct in_addr *gw, const char *ifname, char **cause)
{
	struct rtnl_route *rt;
	char what[96];

	netlink_route_what(what, sizeof(what), "delete", dst, prefix, gw,
	    ifname);
	if ((rt = netlink_route4(nl, what, dst, prefix, gw, ifname,
	    cause)) == NULL)
		return -1;
	/* Match any protocol and scope, as ip route del does. */
	rtnl_route_set_protocol(rt, RTPROT_UNSPEC);
	rtnl_route_set_scope(rt, RT_SCOPE_NOWHERE);
	return netlink_route_send(nl, rt, false, what, cause);
}

struct netlink_get {
	bool		found;
	int		ifindex;
	bool		has_gw;
	struct in_addr	gw;
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
	    nla_len(tb[RTA_GATEWAY]) == sizeof(g->gw)) {
		memcpy(&g->gw, nla_data(tb[RTA_GATEWAY]), sizeof(g->gw));
		g->has_gw = true;
	}
	g->found = true;
	return 0;
}

/* Ask the kernel how it routes to dst now (ip route get). */
int
netlink_route_get4(struct netlink *nl, struct in_addr dst,
    char ifname[IFNAMSIZ], struct in_addr *gw, bool *has_gw, char **cause)
{
	struct rtmsg rtm;
	struct nl_msg *msg;
	struct netlink_get g;
	const char *errstr;
	char dbuf[INET_ADDRSTRLEN], name[IF_NAMESIZE];
	int error;

	inet_ntop(AF_INET, &dst, dbuf, sizeof(dbuf));
	memset(&g, 0, sizeof(g));
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = AF_INET;
	rtm.rtm_dst_len = 32;
	if ((msg = nlmsg_alloc_simple(RTM_GETROUTE, 0)) == NULL ||
	    nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, sizeof(dst), &dst) < 0)
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
	if (if_indextoname((unsigned)g.ifindex, name) == NULL) {
		error = errno;
		xasprintf(cause, "route get %s: interface %d: %s", dbuf,
		    g.ifindex, strerror(error));
		errno = error;
		return -1;
	}
	memcpy(ifname, name, IFNAMSIZ);
	*has_gw = g.has_gw;
	if (g.has_gw)
		*gw = g.gw;
	else
		gw->s_addr = INADDR_ANY;
	return 0;
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
	char name[IF_NAMESIZE];
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
	if (if_indextoname((unsigned)ifindex, name) == NULL) {
		error = errno;
		xasprintf(cause, "netlink: default route: interface %d: %s",
		    ifindex, strerror(error));
		errno = error;
		return -1;
	}
	memcpy(ifname, name, IFNAMSIZ);
	return 0;
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
