/* SPDX-License-Identifier: ISC */
/* lib/socks5.c: SOCKS5 greetings and CONNECT requests, whole, partial, bad. */
#include "autoconf.h"

#include <string.h>

#include "socks5.h"
#include "tap.h"

/*
 * Every prefix of a whole message asks for more; none is refused.  what:
 * 0 greeting, 1 request, 2 username/password.
 */
static int
prefixes(const uint8_t *p, size_t n, int what)
{
	struct stream_msg m;
	size_t i, len, ulen, plen;
	uint8_t rep;
	int bad = 0, rc;

	for (i = 0; i < n; i++) {
		if (what == 1)
			rc = socks5_request(p, i, &len, &m, &rep);
		else if (what == 2)
			rc = socks5_userpass(p, i, &len, &ulen, &plen);
		else
			rc = socks5_greeting(p, i, &len);
		if (rc != SOCKS5_MORE)
			bad++;
	}
	return bad;
}

int
main(void)
{
	static const uint8_t g1[] = { 5, 1, 0 }, g2[] = { 5, 2, 2, 0 },
	    g3[] = { 5, 1, 2 }, g4[] = { 4, 1, 0 }, g0[] = { 5, 0 };
	static const uint8_t r4[] = { 5, 1, 0, 1, 198, 18, 0, 1, 0x01, 0xbb },
	    r6[] = { 5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 1, 0, 80 },
	    rn[] = { 5, 1, 0, 3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.',
	    'o', 'r', 'g', 0x1f, 0x90 };
	uint8_t b[SOCKS5_REQUEST_MAX + 8], rep;
	struct stream_msg m;
	size_t len, ulen, plen;

	/* Greetings. */
	tap_is_int(socks5_greeting(g1, sizeof(g1), &len), SOCKS5_WHOLE,
	    "greeting: no-auth offered");
	tap_is_int((int)len, 3, "greeting: 3 bytes");
	tap_ok(socks5_offers(g1, 0), "greeting: offers method 0");
	tap_is_int(socks5_greeting(g2, sizeof(g2), &len), SOCKS5_WHOLE,
	    "greeting: two methods");
	tap_ok(socks5_offers(g2, 0) && socks5_offers(g2, 2),
	    "greeting: offers 0 and 2");
	tap_is_int(socks5_greeting(g3, sizeof(g3), &len), SOCKS5_WHOLE,
	    "greeting: only user/password");
	tap_ok(!socks5_offers(g3, 0), "greeting: does not offer 0");
	tap_is_int(socks5_greeting(g0, sizeof(g0), &len), SOCKS5_WHOLE,
	    "greeting: no method at all");
	tap_ok(!socks5_offers(g0, 0), "greeting: empty list offers nothing");
	tap_is_int(socks5_greeting(g4, sizeof(g4), &len), SOCKS5_BAD,
	    "greeting: SOCKS4 is not SOCKS5");
	tap_is_int(prefixes(g2, sizeof(g2), 0), 0,
	    "greeting: each prefix asks for more");

	/* Requests. */
	tap_is_int(socks5_request(r4, sizeof(r4), &len, &m, &rep),
	    SOCKS5_WHOLE, "IPv4 request");
	tap_ok(len == sizeof(r4) && m.type == STREAM_OPEN &&
	    m.atyp == STREAM_A_IPV4 && m.addr[0] == 198 && m.addr[3] == 1 &&
	    m.port == 443 && m.id == 0, "IPv4: 198.18.0.1:443");
	tap_is_int(prefixes(r4, sizeof(r4), 1), 0, "IPv4: prefixes");
	tap_is_int(socks5_request(r6, sizeof(r6), &len, &m, &rep),
	    SOCKS5_WHOLE, "IPv6 request");
	tap_ok(len == sizeof(r6) && m.atyp == STREAM_A_IPV6 &&
	    m.addr[0] == 0x20 && m.addr[15] == 1 && m.port == 80,
	    "IPv6: [2001:db8::1]:80");
	tap_is_int(prefixes(r6, sizeof(r6), 1), 0, "IPv6: prefixes");
	tap_is_int(socks5_request(rn, sizeof(rn), &len, &m, &rep),
	    SOCKS5_WHOLE, "name request");
	tap_ok(len == sizeof(rn) && m.atyp == STREAM_A_NAME &&
	    strcmp(m.name, "example.org") == 0 && m.port == 8080,
	    "name: example.org:8080");
	tap_is_int(prefixes(rn, sizeof(rn), 1), 0, "name: prefixes");
	/* Bytes after the request (the stream's first data) are not it. */
	memcpy(b, r4, sizeof(r4));
	b[sizeof(r4)] = 'G';
	tap_is_int(socks5_request(b, sizeof(r4) + 1, &len, &m, &rep),
	    SOCKS5_WHOLE, "IPv4 + data: whole");
	tap_is_int((int)len, (int)sizeof(r4), "IPv4 + data: 10 bytes");
	/* A 255-byte name, the longest. */
	memcpy(b, rn, 4);
	b[4] = 255;
	memset(b + 5, 'a', 255);
	b[260] = 0;
	b[261] = 53;
	tap_is_int(socks5_request(b, 262, &len, &m, &rep), SOCKS5_WHOLE,
	    "255-byte name");
	tap_ok(len == 262 && strlen(m.name) == 255 && m.port == 53,
	    "255-byte name: all of it, port 53");

	/* RFC 1929 username/password. */
	memcpy(b, "\x01\x05" "alice" "\x06" "secret", 14);
	tap_is_int(socks5_userpass(b, 14, &len, &ulen, &plen), SOCKS5_WHOLE,
	    "user/password: whole");
	tap_ok(len == 14 && ulen == 5 && plen == 6 &&
	    memcmp(b + 2, "alice", 5) == 0 && memcmp(b + 8, "secret", 6) == 0,
	    "user/password: alice, secret");
	tap_is_int(prefixes(b, 14, 2), 0, "user/password: prefixes");
	memcpy(b + 7, "\x00", 1);
	tap_ok(socks5_userpass(b, 8, &len, &ulen, &plen) == SOCKS5_WHOLE &&
	    len == 8 && plen == 0, "user/password: empty password parses");
	b[0] = 5;
	tap_is_int(socks5_userpass(b, 2, &len, &ulen, &plen), SOCKS5_REFUSE,
	    "user/password: version 5 refused at once");
	memcpy(b, "\x01\x00\x01" "x", 4);
	tap_is_int(socks5_userpass(b, 2, &len, &ulen, &plen), SOCKS5_REFUSE,
	    "user/password: empty username refused at once");

	/* Refusals and the reply code of each. */
	memcpy(b, r4, sizeof(r4));
	b[0] = 4;
	tap_is_int(socks5_request(b, sizeof(r4), &len, &m, &rep), SOCKS5_BAD,
	    "request of version 4: closed");
	memcpy(b, r4, sizeof(r4));
	b[1] = 2;		/* BIND */
	rep = 0;
	tap_ok(socks5_request(b, 5, &len, &m, &rep) == SOCKS5_REFUSE &&
	    rep == 7, "BIND: refused at once, 7 (command not supported)");
	b[1] = 3;		/* UDP ASSOCIATE */
	rep = 0;
	tap_ok(socks5_request(b, 5, &len, &m, &rep) == SOCKS5_REFUSE &&
	    rep == 7, "UDP ASSOCIATE: 7");
	memcpy(b, r4, sizeof(r4));
	b[3] = 2;
	rep = 0;
	tap_ok(socks5_request(b, 5, &len, &m, &rep) == SOCKS5_REFUSE &&
	    rep == 8, "address type 2: 8 (address type not supported)");
	memcpy(b, rn, sizeof(rn));
	b[4] = 0;
	rep = 0;
	tap_ok(socks5_request(b, 5, &len, &m, &rep) == SOCKS5_REFUSE &&
	    rep == 1, "empty name: 1");
	memcpy(b, rn, sizeof(rn));
	b[8] = 0;
	rep = 0;
	tap_ok(socks5_request(b, sizeof(rn), &len, &m, &rep) ==
	    SOCKS5_REFUSE && rep == 1, "name with a NUL: 1");
	memcpy(b, r4, sizeof(r4));
	b[8] = b[9] = 0;
	rep = 0;
	tap_ok(socks5_request(b, sizeof(r4), &len, &m, &rep) ==
	    SOCKS5_REFUSE && rep == 1, "port 0: 1");
	return tap_done();
}
