/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "tap.h"

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
	static char buf[4][INET_ADDRSTRLEN];
	static int n;

	n = (n + 1) % 4;
	return inet_ntop(AF_INET, &a, buf[n], sizeof(buf[n]));
}

static void
K(uint8_t key[PROTO_KEY_LEN], unsigned n)
{
	memset(key, 0, PROTO_KEY_LEN);
	key[0] = n & 0xff;
	key[31] = (n >> 8) & 0xff;
	key[15] = 0xa5;
}

/* A /29: .0 network, .1 gateway, .7 broadcast, .2-.6 the pool. */
static void
test_small(void)
{
	struct pool *p;
	struct in_addr got, req;
	uint8_t k[8][PROTO_KEY_LEN];
	unsigned i;

	for (i = 0; i < 8; i++)
		K(k[i], i + 1);
	p = pool_new(A("10.200.0.0"), 29);
	tap_is_int(pool_capacity(p), 5, "/29 has 5 usable addresses");
	tap_is_str(S(pool_gateway(p)), "10.200.0.1", "gateway is first host");
	tap_is_int(pool_used(p), 0, "empty pool");

	for (i = 0; i < 5; i++) {
		char want[32];

		snprintf(want, sizeof(want), "10.200.0.%u", i + 2);
		tap_is_int(pool_alloc(p, k[i], NULL, &got), POOL_OK,
		    "alloc in order");
		tap_is_str(S(got), want, "lowest free address");
	}
	tap_is_int(pool_used(p), 5, "five used");
	tap_is_int(pool_alloc(p, k[5], NULL, &got), POOL_ERR_EXHAUSTED,
	    "sixth alloc: exhausted");
	tap_ok(!pool_is_leased(p, A("10.200.0.1")), "gateway never leased");
	tap_ok(!pool_is_leased(p, A("10.200.0.7")), "broadcast never leased");
	tap_ok(!pool_is_leased(p, A("10.200.0.0")), "network never leased");

	/* Release and reuse: the freed address goes to the next key. */
	pool_release(p, A("10.200.0.4"));
	tap_is_int(pool_used(p), 4, "release counts down");
	tap_ok(!pool_is_leased(p, A("10.200.0.4")), "released is free");
	pool_release(p, A("10.200.0.4"));
	tap_is_int(pool_used(p), 4, "double release is a no-op");
	pool_release(p, A("10.200.0.1"));
	pool_release(p, A("192.0.2.1"));
	tap_is_int(pool_used(p), 4, "releasing gateway/outside is a no-op");
	tap_is_int(pool_alloc(p, k[5], NULL, &got), POOL_OK, "reuse");
	tap_is_str(S(got), "10.200.0.4", "reuse gets the released address");

	/* Sticky: key 1 had .3; after release it gets .3 back. */
	pool_release(p, A("10.200.0.3"));
	pool_release(p, A("10.200.0.2"));
	tap_is_int(pool_alloc(p, k[1], NULL, &got), POOL_OK, "sticky alloc");
	tap_is_str(S(got), "10.200.0.3", "sticky: previous address again "
	    "although a lower one is free");
	/* Sticky, negative: key 0's .2 went to key 6 meanwhile. */
	tap_is_int(pool_alloc(p, k[6], NULL, &got), POOL_OK, "other takes .2");
	tap_is_str(S(got), "10.200.0.2", "other key gets lowest free");
	pool_release(p, A("10.200.0.6"));
	tap_is_int(pool_alloc(p, k[0], NULL, &got), POOL_OK,
	    "sticky address leased: fallback");
	tap_is_str(S(got), "10.200.0.6", "sticky taken: lowest free instead");

	/* Requested addresses. */
	pool_release(p, A("10.200.0.5"));
	req = A("10.200.0.5");
	tap_is_int(pool_alloc(p, k[7], &req, &got), POOL_OK,
	    "requested free address");
	tap_is_str(S(got), "10.200.0.5", "requested address honoured");
	pool_release(p, A("10.200.0.5"));
	req = A("10.200.0.4");
	tap_is_int(pool_alloc(p, k[7], &req, &got), POOL_ERR_TAKEN,
	    "requested leased address: TAKEN");
	req = A("10.200.0.1");
	tap_is_int(pool_alloc(p, k[7], &req, &got), POOL_ERR_RANGE,
	    "requested gateway: RANGE");
	req = A("10.200.0.7");
	tap_is_int(pool_alloc(p, k[7], &req, &got), POOL_ERR_RANGE,
	    "requested broadcast: RANGE");
	req = A("10.200.0.0");
	tap_is_int(pool_alloc(p, k[7], &req, &got), POOL_ERR_RANGE,
	    "requested network: RANGE");
	req = A("10.200.0.8");
	tap_is_int(pool_alloc(p, k[7], &req, &got), POOL_ERR_RANGE,
	    "requested outside the range: RANGE");
	tap_is_int(pool_used(p), 4, "failed allocs lease nothing");
	pool_free(p);
}

static void
test_static(void)
{
	struct pool *p;
	struct in_addr got, req;
	uint8_t ks[PROTO_KEY_LEN], ka[PROTO_KEY_LEN], kb[PROTO_KEY_LEN];

	K(ks, 100);
	K(ka, 101);
	K(kb, 102);
	p = pool_new(A("10.200.0.0"), 29);
	tap_is_int(pool_reserve_static(p, A("10.200.0.2"), ks), POOL_OK,
	    "reserve .2 for static key");
	tap_is_int(pool_reserve_static(p, A("10.200.0.2"), ka),
	    POOL_ERR_RESERVED, "reserve .2 again for another key: RESERVED");
	tap_is_int(pool_reserve_static(p, A("10.200.0.1"), ka), POOL_ERR_RANGE,
	    "reserve gateway: RANGE");
	tap_is_int(pool_reserve_static(p, A("10.201.0.2"), ka), POOL_ERR_RANGE,
	    "reserve outside: RANGE");
	tap_is_int(pool_used(p), 0, "reservation is not a lease");

	tap_is_int(pool_alloc(p, ka, NULL, &got), POOL_OK, "dynamic alloc");
	tap_is_str(S(got), "10.200.0.3", "static .2 skipped for others");
	req = A("10.200.0.2");
	tap_is_int(pool_alloc(p, kb, &req, &got), POOL_ERR_RESERVED,
	    "request another key's static: RESERVED");
	tap_is_int(pool_alloc(p, ks, &req, &got), POOL_OK, "static key alloc");
	tap_is_str(S(got), "10.200.0.2", "static key gets its address");
	tap_is_int(pool_alloc(p, ks, NULL, &got), POOL_ERR_TAKEN,
	    "static already leased (second session): TAKEN");
	req = A("10.200.0.5");
	pool_release(p, A("10.200.0.2"));
	tap_is_int(pool_alloc(p, ks, &req, &got), POOL_OK,
	    "static key requesting another address");
	tap_is_str(S(got), "10.200.0.2", "static wins over requested");
	pool_release(p, A("10.200.0.2"));

	/* Fill the rest: the free static address is never handed out. */
	tap_is_int(pool_alloc(p, kb, NULL, &got), POOL_OK, "alloc .4");
	tap_is_str(S(got), "10.200.0.4", "alloc .4");
	K(kb, 103);
	tap_is_int(pool_alloc(p, kb, NULL, &got), POOL_OK, "alloc .5");
	K(kb, 104);
	tap_is_int(pool_alloc(p, kb, NULL, &got), POOL_OK, "alloc .6");
	tap_is_str(S(got), "10.200.0.6", "alloc .6");
	K(kb, 105);
	tap_is_int(pool_alloc(p, kb, NULL, &got), POOL_ERR_EXHAUSTED,
	    "exhausted although static .2 is free");
	tap_ok(!pool_is_leased(p, A("10.200.0.2")), "static stays free");

	/* Clearing statics frees .2 for everyone. */
	pool_clear_static(p);
	tap_is_int(pool_alloc(p, kb, NULL, &got), POOL_OK,
	    "after clear: .2 usable");
	tap_is_str(S(got), "10.200.0.2", "after clear: lowest is .2");

	/* A reservation over a live dynamic lease: owner waits for release. */
	tap_is_int(pool_reserve_static(p, A("10.200.0.3"), ks), POOL_OK,
	    "reserve an address leased to another key");
	tap_is_int(pool_alloc(p, ks, NULL, &got), POOL_ERR_TAKEN,
	    "static leased to another key: TAKEN");
	pool_release(p, A("10.200.0.3"));
	tap_is_int(pool_alloc(p, ks, NULL, &got), POOL_OK,
	    "static after the other released");
	tap_is_str(S(got), "10.200.0.3", "static address");
	/* Moving a key's static releases the old reservation. */
	pool_release(p, A("10.200.0.3"));
	tap_is_int(pool_reserve_static(p, A("10.200.0.5"), ks),
	    POOL_OK, "move is allowed when .5 is not another key's static");
	K(kb, 106);
	tap_is_int(pool_alloc(p, kb, NULL, &got), POOL_OK,
	    "old static .3 is free again");
	tap_is_str(S(got), "10.200.0.3", "old static handed out");
	pool_free(p);
}

/* A /16 fills up completely, and the sticky table survives eviction. */
static void
test_big(void)
{
	struct pool *p;
	struct in_addr got;
	uint8_t k[PROTO_KEY_LEN];
	unsigned i, ok = 0, inorder = 0;
	uint32_t want;

	p = pool_new(A("10.200.0.0"), 16);
	tap_is_int(pool_capacity(p), 65533, "/16 capacity");
	for (i = 0; i < 65533; i++) {
		K(k, i);
		k[1] = (i >> 16) & 0xff;
		k[2] = 0x5a;
		if (pool_alloc(p, k, NULL, &got) == POOL_OK)
			ok++;
		want = ntohl(A("10.200.0.2").s_addr) + i;
		if (ntohl(got.s_addr) == want)
			inorder++;
	}
	tap_is_int(ok, 65533, "whole /16 leased");
	tap_is_int(inorder, 65533, "in ascending order");
	K(k, 0xffff);
	k[2] = 0x77;
	tap_is_int(pool_alloc(p, k, NULL, &got), POOL_ERR_EXHAUSTED,
	    "/16 exhausted");
	pool_release(p, A("10.200.200.200"));
	tap_is_int(pool_alloc(p, k, NULL, &got), POOL_OK, "one freed");
	tap_is_str(S(got), "10.200.200.200", "the freed one");

	/*
	 * Key 65532 (the newest) is still remembered; key 5 (10.200.0.7)
	 * was evicted from the sticky table long ago.
	 */
	pool_release(p, A("10.200.0.2"));
	pool_release(p, A("10.200.255.254"));
	K(k, 65532);
	k[1] = (65532 >> 16) & 0xff;
	k[2] = 0x5a;
	tap_is_int(pool_alloc(p, k, NULL, &got), POOL_OK, "newest key");
	tap_is_str(S(got), "10.200.255.254", "recent key is sticky");
	pool_release(p, A("10.200.0.7"));
	K(k, 5);
	k[2] = 0x5a;
	tap_is_int(pool_alloc(p, k, NULL, &got), POOL_OK, "evicted key");
	tap_is_str(S(got), "10.200.0.2", "evicted key: lowest free, not .7");
	pool_free(p);
}

static struct in6_addr
A6(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		abort();
	return a;
}

static const char *
S6(const struct in6_addr *a)
{
	static char buf[4][INET6_ADDRSTRLEN];
	static int n;

	n = (n + 1) % 4;
	return inet_ntop(AF_INET6, a, buf[n], sizeof(buf[n]));
}

/* dhcp_range6 /126: ::0 anycast, ::1 the server, ::2 and ::3 the pool. */
static void
test_v6_small(void)
{
	struct pool6 *p;
	struct in6_addr got, a;
	uint8_t k1[PROTO_KEY_LEN], k2[PROTO_KEY_LEN], k3[PROTO_KEY_LEN];

	K(k1, 1);
	K(k2, 2);
	K(k3, 3);
	a = A6("fd10:200::");
	p = pool6_new(&a, 126);
	pool6_gateway(p, &got);
	tap_is_str(S6(&got), "fd10:200::1", "v6 gateway is ::1");
	tap_is_int(pool6_alloc(p, k1, 0, &got), POOL_OK, "v6 k1 leases");
	tap_is_str(S6(&got), "fd10:200::2", "v6 k1: lowest free ::2");
	tap_is_int(pool6_alloc(p, k2, 0, &got), POOL_OK, "v6 k2 leases");
	tap_is_str(S6(&got), "fd10:200::3", "v6 k2: ::3");
	tap_is_int(pool6_alloc(p, k3, 0, &got), POOL_ERR_EXHAUSTED,
	    "v6 /126 exhausted");
	tap_is_int(pool6_used(p), 2, "v6 used 2");
	a = A6("fd10:200::2");
	tap_ok(pool6_is_leased(p, &a), "v6 ::2 leased");
	pool6_release(p, &a);
	tap_ok(!pool6_is_leased(p, &a), "v6 ::2 released");
	pool6_release(p, &a);
	tap_is_int(pool6_used(p), 1, "v6 double release is a no-op");
	tap_is_int(pool6_alloc(p, k3, 0, &got), POOL_OK, "v6 k3 leases");
	tap_is_str(S6(&got), "fd10:200::2", "v6 k3: the freed ::2");
	a = A6("fd10:200::1");
	pool6_release(p, &a);
	tap_is_int(pool6_used(p), 2, "v6 releasing the gateway: no-op");
	pool6_free(p);
	pool6_free(NULL);
}

/* Preferred host (the IPv4 lease's), statics, a /64. */
static void
test_v6_pairs(void)
{
	struct pool6 *p;
	struct in6_addr got, a;
	uint8_t k1[PROTO_KEY_LEN], k2[PROTO_KEY_LEN], k3[PROTO_KEY_LEN];
	uint8_t k4[PROTO_KEY_LEN];

	K(k1, 1);
	K(k2, 2);
	K(k3, 3);
	K(k4, 4);
	a = A6("fd10:200::");
	p = pool6_new(&a, 64);
	a = A6("fd10:200::7");
	tap_is_int(pool6_reserve_static(p, &a, k1), POOL_OK,
	    "v6 static ::7 for k1");
	a = A6("fd10:200::beef:1");
	tap_is_int(pool6_reserve_static(p, &a, k2), POOL_OK,
	    "v6 static far in the /64 for k2");
	tap_is_int(pool6_reserve_static(p, &a, k3), POOL_ERR_RESERVED,
	    "v6 another key's static: RESERVED");
	a = A6("fd10:201::9");
	tap_is_int(pool6_reserve_static(p, &a, k3), POOL_ERR_RANGE,
	    "v6 static outside: RANGE");
	a = A6("fd10:200::1");
	tap_is_int(pool6_reserve_static(p, &a, k3), POOL_ERR_RANGE,
	    "v6 static gateway: RANGE");

	tap_is_int(pool6_alloc(p, k1, 5, &got), POOL_OK, "v6 k1 (static)");
	tap_is_str(S6(&got), "fd10:200::7", "v6 static wins over the pair");
	tap_is_int(pool6_alloc(p, k1, 5, &got), POOL_ERR_TAKEN,
	    "v6 static in use: TAKEN");
	tap_is_int(pool6_alloc(p, k2, 0, &got), POOL_OK, "v6 k2 (static)");
	tap_is_str(S6(&got), "fd10:200::beef:1", "v6 k2: its far static");
	tap_is_int(pool6_alloc(p, k3, 5, &got), POOL_OK, "v6 k3 wants 5");
	tap_is_str(S6(&got), "fd10:200::5", "v6 k3: the IPv4 pair ::5");
	tap_is_int(pool6_alloc(p, k4, 7, &got), POOL_OK, "v6 k4 wants 7");
	tap_is_str(S6(&got), "fd10:200::2", "v6 k4: ::7 reserved, lowest ::2");
	a = A6("fd10:200::5");
	pool6_release(p, &a);
	tap_is_int(pool6_alloc(p, k3, 5, &got), POOL_OK, "v6 k3 again");
	tap_is_str(S6(&got), "fd10:200::5", "v6 k3: same address (sticky)");

	/* Reload: statics dropped; a leased one stays leased. */
	pool6_clear_static(p);
	a = A6("fd10:200::beef:1");
	tap_ok(pool6_is_leased(p, &a), "v6 cleared static still leased");
	pool6_release(p, &a);
	tap_ok(!pool6_is_leased(p, &a), "v6 then released");
	tap_is_int(pool6_alloc(p, k4, 0, &got), POOL_OK, "v6 k4 lowest");
	tap_is_str(S6(&got), "fd10:200::3", "v6 k4: ::3");
	tap_is_int(pool6_used(p), 4, "v6 used 4");
	pool6_free(p);
}

int
main(void)
{
	test_v6_small();
	test_v6_pairs();
	test_small();
	test_static();
	test_big();
	return tap_done();
}
