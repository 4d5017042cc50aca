/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "admit.h"
#include "tap.h"

static const uint8_t *
A(const char *s)
{
	static uint8_t buf[4][ADMIT_ADDR_LEN];
	static unsigned n;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	uint8_t *out = buf[n++ % 4];

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, s, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		admit_addr(&sin, out);
	} else if (inet_pton(AF_INET6, s, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		admit_addr(&sin6, out);
	} else
		abort();
	return out;
}

int
main(void)
{
	struct admit_limits lim = { 4, 2, 3 };
	struct admit *a;
	struct admit_src *s1, *s2, *s3, *sx;
	uint8_t k[ADMIT_ADDR_LEN];
	uint64_t t = 1000;
	unsigned i, ok;

	a = admit_new();
	tap_is_int(admit_enter(a, &lim, A("198.18.1.2"), t, &s1), ADMIT_OK,
	    "first connection of a source");
	tap_is_int(admit_enter(a, &lim, A("198.18.1.2"), t, &s2), ADMIT_OK,
	    "second connection of a source");
	tap_ok(s1 == s2 && admit_src_pending(s1) == 2, "same source, 2 pending");
	tap_is_int(admit_enter(a, &lim, A("198.18.1.2"), t, &sx), ADMIT_SOURCE,
	    "third one: over max_per_source");
	tap_ok(sx == NULL && admit_pending(a) == 2,
	    "a refusal changes no count");
	admit_leave(a, s2);
	tap_is_int(admit_enter(a, &lim, A("198.18.1.2"), t, &s2), ADMIT_OK,
	    "a freed slot can be taken again");
	admit_leave(a, s2);
	tap_is_int(admit_enter(a, &lim, A("198.18.1.2"), t, &sx), ADMIT_RATE,
	    "fourth connection in the same instant: bucket (3) empty");
	tap_is_int(admit_enter(a, &lim, A("198.18.1.2"), t + 334, &s2),
	    ADMIT_OK, "a third of a second later: one token back");
	tap_is_int(admit_enter(a, &lim, A("198.18.2.2"), t, &s3), ADMIT_OK,
	    "another source is not affected");
	tap_is_int(admit_pending(a), 3, "3 pending in all");
	tap_is_int(admit_enter(a, &lim, NULL, t, &sx), ADMIT_OK,
	    "a proxied connection counts globally only");
	tap_ok(sx == NULL, "... without a source");
	tap_is_int(admit_enter(a, &lim, A("198.18.3.2"), t, &sx), ADMIT_GLOBAL,
	    "fifth pending: over max_pending");
	tap_is_int(admit_source(a, &lim, A("198.18.1.2"), t + 334, &sx),
	    ADMIT_SOURCE, "proxied, source known later: its source is full");
	tap_is_int(admit_source(a, &lim, A("198.18.4.2"), t, &sx), ADMIT_OK,
	    "proxied, a new source: charged");
	tap_is_int(admit_pending(a), 4, "still 4 pending (not counted twice)");
	admit_leave(a, sx);
	admit_leave(a, s1);
	admit_leave(a, s2);
	admit_leave(a, s3);
	tap_is_int(admit_pending(a), 0, "all left");
	admit_sweep(a, &lim, t + 100);
	tap_ok(admit_nsources(a) >= 1, "spent buckets are kept until full");
	admit_sweep(a, &lim, t + 2000);
	tap_is_int(admit_nsources(a), 0, "full buckets are swept");

	/* 0 = unlimited. */
	lim.max_pending = lim.max_per_source = lim.rate = 0;
	ok = 0;
	for (i = 0; i < 1000; i++)
		ok += admit_enter(a, &lim, A("198.18.1.2"), t, &s1) == ADMIT_OK;
	tap_is_int(ok, 1000, "limits 0: 1000 from one source at once");
	for (i = 0; i < 1000; i++)
		admit_leave(a, s1);
	admit_sweep(a, &lim, t);
	tap_is_int(admit_nsources(a), 0, "unlimited: swept at once");

	/* Keys: IPv4 mapped, IPv6 by /64. */
	memcpy(k, A("2001:db8:1:2::5"), sizeof(k));
	tap_ok(memcmp(k, A("2001:db8:1:2:ffff::9"), sizeof(k)) == 0,
	    "IPv6: one source per /64");
	tap_ok(memcmp(k, A("2001:db8:1:3::5"), sizeof(k)) != 0,
	    "IPv6: another /64 is another source");
	tap_ok(memcmp(A("::ffff:198.18.1.2"), A("198.18.1.2"),
	    ADMIT_ADDR_LEN) == 0, "IPv4-mapped IPv6 is the IPv4 source");
	tap_ok(memcmp(A("198.18.1.2"), A("198.18.1.3"), ADMIT_ADDR_LEN) != 0,
	    "IPv4: each address its own source");
	admit_free(a);
	return tap_done();
}
