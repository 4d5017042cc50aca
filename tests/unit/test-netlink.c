/* SPDX-License-Identifier: ISC */
/*
 * tun and netlink against the real kernel.  Changes network state: run
 * only inside a fresh namespace (tests/netlink.sh).  argv[1], if given, is
 * a command run with a stage name appended, to check from outside with ip.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <fcntl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netlink.h"
#include "tap.h"
#include "tun.h"

static const char *check_cmd;

static struct in_addr
A(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a;
}

static const char *
S(struct in_addr a)
{
	static char buf[INET_ADDRSTRLEN];

	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

static struct in6_addr
A6(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		abort();
	return a;
}

/* Let the script check the system with ip(8) at this stage. */
static void
check(const char *stage)
{
	char cmd[512];

	if (check_cmd == NULL)
		return;
	snprintf(cmd, sizeof(cmd), "%s %s", check_cmd, stage);
	fflush(stdout);
	tap_is_int(system(cmd), 0, stage);
}

/* cause is freed and NULLed. */
static void
is_cause(char **cause, const char *want, const char *name)
{
	tap_is_str(*cause, want, name);
	free(*cause);
	*cause = NULL;
}

static void
test_tun(int *fdp)
{
	char ifname[IFNAMSIZ], ifname2[IFNAMSIZ], *cause = NULL;
	int fd, fd2, fl;

	fd = tun_open("rvt0", ifname, &cause);
	tap_ok(fd >= 0, "tun_open rvt0: %s", cause ? cause : "ok");
	tap_is_str(ifname, "rvt0", "tun name");
	fl = fcntl(fd, F_GETFL);
	tap_ok(fl != -1 && (fl & O_NONBLOCK), "tun fd is non-blocking");
	fl = fcntl(fd, F_GETFD);
	tap_ok(fl != -1 && (fl & FD_CLOEXEC), "tun fd is close-on-exec");

	tap_is_int(tun_open("rvt0", ifname2, &cause), -1, "open rvt0 twice");
	is_cause(&cause, "rvt0: TUNSETIFF: Device or resource busy",
	    "open twice: cause");
	tap_is_int(tun_open("rvtlongname01234", ifname2, &cause), -1,
	    "16-character name");
	is_cause(&cause, "tun: 'rvtlongname01234': interface name longer "
	    "than 15 characters", "too long: cause");
	tap_is_int(tun_open("", ifname2, &cause), -1, "empty name");
	is_cause(&cause, "tun: interface name is empty", "empty: cause");
	tap_is_int(tun_open("rvt/0", ifname2, &cause), -1, "name with /");
	is_cause(&cause, "tun: 'rvt/0': invalid character in interface name",
	    "slash: cause");
	tap_is_int(tun_open("lo", ifname2, &cause), -1, "lo is not a TUN");
	is_cause(&cause, "lo: TUNSETIFF: Invalid argument", "lo: cause");

	fd2 = tun_open("rvt%d", ifname2, &cause);
	tap_ok(fd2 >= 0, "tun_open rvt%%d");
	tap_is_str(ifname2, "rvt1", "kernel picked rvt1");
	close(fd2);
	*fdp = fd;
}

static void
test_link(struct netlink *nl)
{
	char *cause = NULL;

	tap_ok(netlink_link_exists(nl, "rvt0"), "rvt0 exists");
	tap_ok(!netlink_link_exists(nl, "rvt1"), "rvt1 gone after close");
	tap_ok(!netlink_link_exists(nl, "rvtnope0"), "rvtnope0 does not");
	tap_is_int(netlink_link_up(nl, "rvtnope0", 1400, &cause), -1,
	    "link up on a missing link");
	is_cause(&cause, "rvtnope0: set mtu 1400: No such device",
	    "missing link: cause");
	tap_is_int(netlink_link_up(nl, "rvt0", 50, &cause), -1, "mtu 50");
	is_cause(&cause, "rvt0: set mtu 50: Invalid argument",
	    "mtu 50: cause");
	tap_is_int(netlink_link_up(nl, "rvt0", 1400, &cause), 0,
	    "link up mtu 1400");
	free(cause);
	cause = NULL;
}

static void
test_addr(struct netlink *nl)
{
	char *cause = NULL;

	tap_is_int(netlink_addr_add4(nl, "rvt0", A("10.200.0.1"), 24, &cause),
	    0, "add 10.200.0.1/24");
	free(cause);
	cause = NULL;
	tap_is_int(netlink_addr_add4(nl, "rvt0", A("10.200.0.1"), 24, &cause),
	    -1, "add it again");
	is_cause(&cause, "rvt0: add address 10.200.0.1/24: File exists",
	    "again: cause");
	tap_is_int(netlink_addr_add4(nl, "rvtnope0", A("10.200.0.1"), 24,
	    &cause), -1, "address on a missing link");
	is_cause(&cause, "rvtnope0: add address 10.200.0.1/24: "
	    "No such device", "missing link: cause");
}

static void
test_route(struct netlink *nl)
{
	struct in_addr gw = A("10.200.0.2"), bad = A("192.0.2.1"), got;
	char ifname[IFNAMSIZ], *cause = NULL;
	bool has_gw;

	tap_is_int(netlink_route_add4(nl, A("10.201.0.0"), 16, NULL, "rvt0",
	    &cause), 0, "add 10.201.0.0/16 dev rvt0");
	tap_is_int(netlink_route_add4(nl, A("10.201.0.0"), 16, NULL, "rvt0",
	    &cause), -1, "add it again");
	is_cause(&cause, "add route 10.201.0.0/16 dev rvt0: File exists",
	    "again: cause");
	tap_is_int(netlink_route_add4(nl, A("198.18.0.0"), 24, &gw, NULL,
	    &cause), 0, "add 198.18.0.0/24 via 10.200.0.2");
	tap_is_int(netlink_route_add4(nl, A("198.18.1.0"), 24, &bad, NULL,
	    &cause), -1, "route via an unreachable gateway");
	is_cause(&cause, "add route 198.18.1.0/24 via 192.0.2.1: "
	    "Network is unreachable", "unreachable gateway: cause");
	errno = 0;
	tap_is_int(netlink_route_add4(nl, A("10.9.0.0"), 16, NULL, "rvtnope0",
	    &cause), -1, "route on a missing link");
	tap_is_int(errno, ENODEV, "missing link: errno ENODEV kept");
	is_cause(&cause, "rvtnope0: add route 10.9.0.0/16 dev rvtnope0: "
	    "No such device", "missing link: cause");
	tap_is_int(netlink_route_add4(nl, A("10.9.0.0"), 16, NULL, NULL,
	    &cause), -1, "route with neither gateway nor device");
	is_cause(&cause, "add route 10.9.0.0/16: needs a gateway or a device",
	    "no nexthop: cause");
	check("configured");

	tap_is_int(netlink_route_get4(nl, A("10.201.3.4"), ifname, &got,
	    &has_gw, &cause), 0, "route get 10.201.3.4");
	tap_is_str(ifname, "rvt0", "10.201.3.4: dev rvt0");
	tap_ok(!has_gw, "10.201.3.4: no gateway");
	tap_is_int(netlink_route_get4(nl, A("198.18.0.9"), ifname, &got,
	    &has_gw, &cause), 0, "route get 198.18.0.9");
	tap_is_str(ifname, "rvt0", "198.18.0.9: dev rvt0");
	tap_ok(has_gw, "198.18.0.9: has a gateway");
	tap_is_str(S(got), "10.200.0.2", "198.18.0.9: via 10.200.0.2");
	tap_is_int(netlink_route_get4(nl, A("10.200.0.7"), ifname, &got,
	    &has_gw, &cause), 0, "route get on-link 10.200.0.7");
	tap_ok(!has_gw, "on-link: no gateway");
	tap_is_int(netlink_route_get4(nl, A("198.51.100.1"), ifname, &got,
	    &has_gw, &cause), -1, "route get without a route");
	is_cause(&cause, "route get 198.51.100.1: Network is unreachable",
	    "no route: cause");

	/* The default route, as the server looks for its egress. */
	tap_is_int(netlink_default_ifname(nl, ifname, &cause), -1,
	    "no default route yet");
	is_cause(&cause, "netlink: no IPv4 default route", "no default: cause");
	tap_is_int(netlink_route_add4(nl, A("0.0.0.0"), 0, &gw, "rvt0",
	    &cause), 0, "add default via 10.200.0.2 dev rvt0");
	tap_is_int(netlink_default_ifname(nl, ifname, &cause), 0,
	    "default route interface");
	tap_is_str(ifname, "rvt0", "default: rvt0");
	tap_is_int(netlink_route_get4(nl, A("198.51.100.1"), ifname, &got,
	    &has_gw, &cause), 0, "route get via default");
	tap_ok(has_gw && strcmp(S(got), "10.200.0.2") == 0,
	    "via default gateway");

	/* The client's pinned host route to its server. */
	tap_is_int(netlink_route_add4(nl, A("198.51.100.1"), 32, &got, ifname,
	    &cause), 0, "pin 198.51.100.1/32 via the original gateway");
	tap_is_int(netlink_route_del4(nl, A("198.51.100.1"), 32, &got, ifname,
	    &cause), 0, "unpin it");

	tap_is_int(netlink_route_del4(nl, A("0.0.0.0"), 0, &gw, NULL, &cause),
	    0, "delete default");
	tap_is_int(netlink_route_del4(nl, A("0.0.0.0"), 0, &gw, NULL, &cause),
	    -1, "delete default again");
	is_cause(&cause, "delete route 0.0.0.0/0 via 10.200.0.2: "
	    "No such process", "delete again: cause");
	tap_is_int(netlink_default_ifname(nl, ifname, &cause), -1,
	    "default gone");
	free(cause);
	cause = NULL;
	tap_is_int(netlink_route_del4(nl, A("10.201.0.0"), 16, NULL, "rvt0",
	    &cause), 0, "delete 10.201.0.0/16 dev rvt0");
	tap_is_int(netlink_route_del4(nl, A("198.18.0.0"), 24, &gw, NULL,
	    &cause), 0, "delete 198.18.0.0/24");
	tap_is_int(netlink_route_get4(nl, A("10.201.3.4"), ifname, &got,
	    &has_gw, &cause), -1, "route get after delete");
	is_cause(&cause, "route get 10.201.3.4: Network is unreachable",
	    "after delete: cause");
	check("deleted");
}

static void
test_route6(struct netlink *nl)
{
	struct in6_addr a = A6("fd00:200::1"), r = A6("fd00:201::");
	struct in6_addr half0 = A6("::"), half1 = A6("8000::"), got;
	struct in6_addr far = A6("2001:db8::2");
	char ifname[IFNAMSIZ], buf[INET6_ADDRSTRLEN], *cause = NULL;
	bool has_gw;

	tap_is_int(netlink_addr_add6(nl, "rvt0", &a, 64, &cause), 0,
	    "add fd00:200::1/64 to rvt0");
	tap_is_int(netlink_addr_add6(nl, "rvt0", &a, 129, &cause), -1,
	    "IPv6 prefix 129");
	is_cause(&cause, "rvt0: add address fd00:200::1/129: prefix length "
	    "must be 0..128", "prefix 129: cause");
	tap_is_int(netlink_route_add6(nl, &r, 48, NULL, "rvt0", &cause), 0,
	    "add fd00:201::/48 dev rvt0");
	tap_is_int(netlink_route_add6(nl, &half0, 1, NULL, NULL, &cause), 0,
	    "add unreachable ::/1");
	tap_is_int(netlink_route_add6(nl, &half1, 1, NULL, NULL, &cause), 0,
	    "add unreachable 8000::/1");
	tap_is_int(netlink_route_add6(nl, &half1, 1, NULL, NULL, &cause), -1,
	    "add unreachable 8000::/1 again");
	is_cause(&cause, "add unreachable route 8000::/1: File exists",
	    "again: cause");
	check("configured6");

	tap_is_int(netlink_route_get6(nl, &far, ifname, &got, &has_gw,
	    &cause), -1, "route get 2001:db8::2: unreachable");
	is_cause(&cause, "route get 2001:db8::2: No route to host",
	    "unreachable: cause");
	tap_is_int(netlink_route_get6(nl, &r, ifname, &got, &has_gw,
	    &cause), 0, "route get fd00:201::");
	tap_is_str(ifname, "rvt0", "fd00:201::: dev rvt0");
	tap_ok(!has_gw, "fd00:201::: no gateway");
	inet_ntop(AF_INET6, &got, buf, sizeof(buf));
	tap_is_str(buf, "::", "fd00:201::: gateway zeroed");

	tap_is_int(netlink_route_del6(nl, &half0, 1, NULL, NULL, &cause), 0,
	    "delete unreachable ::/1");
	tap_is_int(netlink_route_del6(nl, &half0, 1, NULL, NULL, &cause), -1,
	    "delete unreachable ::/1 again");
	is_cause(&cause, "delete unreachable route ::/1: No such process",
	    "delete again: cause");
	tap_is_int(netlink_route_del6(nl, &half1, 1, NULL, NULL, &cause), 0,
	    "delete unreachable 8000::/1");
	tap_is_int(netlink_route_del6(nl, &r, 48, NULL, "rvt0", &cause), 0,
	    "delete fd00:201::/48 dev rvt0");
	check("deleted6");
}

int
main(int argc, char **argv)
{
	struct netlink *nl;
	char *cause = NULL;
	int fd = -1;

	if (argc > 1)
		check_cmd = argv[1];
	test_tun(&fd);
	if ((nl = netlink_open(&cause)) == NULL) {
		tap_ok(0, "netlink_open: %s", cause);
		return tap_done();
	}
	test_link(nl);
	test_addr(nl);
	test_route(nl);
	test_route6(nl);
	close(fd);
	tap_ok(!netlink_link_exists(nl, "rvt0"), "rvt0 gone after close");
	netlink_close(nl);
	netlink_close(NULL);
	return tap_done();
}
