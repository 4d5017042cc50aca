/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>

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
	return tap_done();
}
