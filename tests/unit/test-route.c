/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>

#include "route.h"
#include "tap.h"

static struct in_addr
A(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a;
}

static struct in6_addr
A6(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		abort();
	return a;
}

static void *
L6(const struct route6_table *rt, const char *s)
{
	struct in6_addr a = A6(s);

	return route6_lookup(rt, a.s6_addr);
}

static void
test_route6(void)
{
	struct route6_table *rt;
	struct in6_addr a;
	char name[64];
	int v[600], s1, s2, s3, i, bad;

	a = A6("fd10:200::");
	rt = route6_new(&a, 64);
	tap_ok(L6(rt, "fd10:200::5") == NULL, "v6: empty table: NULL");
	a = A6("fd10:200::5");
	tap_is_int(route6_add(rt, &a, &s1), 0, "v6: add ::5");
	tap_ok(L6(rt, "fd10:200::5") == &s1, "v6: lookup ::5");
	tap_ok(L6(rt, "fd10:200::6") == NULL, "v6: lookup ::6: NULL");
	tap_is_int(route6_add(rt, &a, &s1), 0, "v6: same value again");
	tap_is_int(route6_add(rt, &a, &s2), -1, "v6: another value: -1");
	tap_ok(L6(rt, "fd10:200::5") == &s1, "v6: failed add keeps old");
	a = A6("fd10:200::ffff:ffff:ffff:ffff");
	tap_is_int(route6_add(rt, &a, &s2), 0, "v6: add the last IID");
	tap_ok(L6(rt, "fd10:200::ffff:ffff:ffff:ffff") == &s2,
	    "v6: lookup the last IID");
	a = A6("fd10:201::5");
	tap_is_int(route6_add(rt, &a, &s3), -1, "v6: add outside: -1");
	a = A6("fd10:200::");
	tap_is_int(route6_add(rt, &a, &s3), -1, "v6: add ::0 (anycast): -1");
	a = A6("fd10:200::9");
	tap_is_int(route6_add(rt, &a, NULL), -1, "v6: add NULL: -1");
	tap_ok(L6(rt, "fd10:201::5") == NULL, "v6: lookup outside: NULL");
	tap_ok(L6(rt, "fd10:200::") == NULL, "v6: lookup ::0: NULL");
	tap_ok(L6(rt, "::5") == NULL, "v6: lookup ::5: NULL");
	tap_ok(L6(rt, "fe80::5") == NULL, "v6: lookup link-local: NULL");

	a = A6("fd10:200::5");
	route6_del(rt, &a, &s2);
	tap_ok(L6(rt, "fd10:200::5") == &s1, "v6: del another value: kept");
	route6_del(rt, &a, &s1);
	tap_ok(L6(rt, "fd10:200::5") == NULL, "v6: del removes");
	tap_is_int(route6_add(rt, &a, &s3), 0, "v6: freed address reused");
	route6_del(rt, &a, &s1);
	tap_ok(L6(rt, "fd10:200::5") == &s3, "v6: stale del keeps new value");
	route6_del(rt, &a, &s3);
	a = A6("fd10:200::ffff:ffff:ffff:ffff");
	route6_del(rt, &a, &s2);
	tap_is_int(route6_count(rt), 0, "v6: empty again");

	/* Many entries: growth, collisions, deletes from runs. */
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "fd10:200::%x:%x", (i * 7919) & 0xffff, i + 1);
		a = A6(name);
		if (route6_add(rt, &a, &v[i]) == -1)
			break;
	}
	tap_is_int(i, 600, "v6: 600 entries added");
	tap_is_int(route6_count(rt), 600, "v6: count 600");
	for (i = 0; i < 600; i += 2) {
		snprintf(name, sizeof(name), "fd10:200::%x:%x", (i * 7919) & 0xffff, i + 1);
		a = A6(name);
		route6_del(rt, &a, &v[i]);
	}
	for (i = 0, bad = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "fd10:200::%x:%x", (i * 7919) & 0xffff, i + 1);
		if (L6(rt, name) != (i % 2 ? &v[i] : NULL))
			bad++;
	}
	tap_is_int(bad, 0, "v6: after deleting every other: all lookups right");
	tap_is_int(route6_count(rt), 300, "v6: count 300");
	route6_free(rt);
	route6_free(NULL);

	/* A /120: only the low 8 bits are host bits. */
	a = A6("fd10:200::100");
	rt = route6_new(&a, 120);
	a = A6("fd10:200::1ff");
	tap_is_int(route6_add(rt, &a, &s1), 0, "v6 /120: add ::1ff");
	a = A6("fd10:200::200");
	tap_is_int(route6_add(rt, &a, &s1), -1, "v6 /120: ::200 outside");
	tap_ok(L6(rt, "fd10:200::1ff") == &s1, "v6 /120: lookup ::1ff");
	tap_ok(L6(rt, "fd10:200::2ff") == NULL, "v6 /120: lookup ::2ff: NULL");
	route6_free(rt);
}

int
main(void)
{
	struct route_table *rt;
	int s1, s2, s3;

	rt = route_new(A("10.200.0.0"), 24);
	tap_ok(route_lookup(rt, A("10.200.0.5").s_addr) == NULL,
	    "empty table: NULL");
	tap_is_int(route_add(rt, A("10.200.0.5"), &s1), 0, "add .5");
	tap_ok(route_lookup(rt, A("10.200.0.5").s_addr) == &s1, "lookup .5");
	tap_ok(route_lookup(rt, A("10.200.0.6").s_addr) == NULL,
	    "lookup .6: NULL");
	tap_is_int(route_add(rt, A("10.200.0.5"), &s1), 0,
	    "adding the same value again is fine");
	tap_is_int(route_add(rt, A("10.200.0.5"), &s2), -1,
	    "add .5 for another value: -1");
	tap_ok(route_lookup(rt, A("10.200.0.5").s_addr) == &s1,
	    "failed add keeps the old value");
	tap_is_int(route_add(rt, A("10.200.0.254"), &s2), 0, "add last host");
	tap_ok(route_lookup(rt, A("10.200.0.254").s_addr) == &s2,
	    "lookup last host");

	/* Outside the range, network and broadcast. */
	tap_is_int(route_add(rt, A("10.200.1.5"), &s3), -1, "add outside: -1");
	tap_is_int(route_add(rt, A("10.199.255.255"), &s3), -1,
	    "add just below: -1");
	tap_is_int(route_add(rt, A("10.200.0.0"), &s3), -1, "add network: -1");
	tap_is_int(route_add(rt, A("10.200.0.255"), &s3), -1,
	    "add broadcast: -1");
	tap_is_int(route_add(rt, A("10.200.0.9"), NULL), -1, "add NULL: -1");
	tap_ok(route_lookup(rt, A("10.200.1.5").s_addr) == NULL,
	    "lookup outside: NULL");
	tap_ok(route_lookup(rt, A("10.199.255.255").s_addr) == NULL,
	    "lookup below: NULL");
	tap_ok(route_lookup(rt, A("0.0.0.0").s_addr) == NULL,
	    "lookup 0.0.0.0: NULL");
	tap_ok(route_lookup(rt, A("255.255.255.255").s_addr) == NULL,
	    "lookup 255.255.255.255: NULL");

	/* route_del only removes a matching value. */
	route_del(rt, A("10.200.0.5"), &s2);
	tap_ok(route_lookup(rt, A("10.200.0.5").s_addr) == &s1,
	    "del with another value keeps the entry");
	route_del(rt, A("10.200.0.5"), &s1);
	tap_ok(route_lookup(rt, A("10.200.0.5").s_addr) == NULL,
	    "del with the value removes it");
	tap_is_int(route_add(rt, A("10.200.0.5"), &s3), 0,
	    "freed address can be taken by a new value");
	route_del(rt, A("10.200.0.5"), &s1);
	tap_ok(route_lookup(rt, A("10.200.0.5").s_addr) == &s3,
	    "stale del after reuse keeps the new value");
	route_del(rt, A("10.201.0.5"), &s3);
	route_del(rt, A("10.200.0.0"), NULL);
	tap_ok(route_lookup(rt, A("10.200.0.0").s_addr) == NULL,
	    "del outside/network is harmless");
	route_free(rt);
	route_free(NULL);

	/* A /8: the whole range addressable. */
	rt = route_new(A("10.0.0.0"), 8);
	tap_is_int(route_add(rt, A("10.255.255.254"), &s1), 0, "/8 last host");
	tap_ok(route_lookup(rt, A("10.255.255.254").s_addr) == &s1,
	    "/8 lookup last host");
	tap_ok(route_lookup(rt, A("11.0.0.1").s_addr) == NULL,
	    "/8 lookup outside");
	route_free(rt);
	test_route6();
	return tap_done();
}
