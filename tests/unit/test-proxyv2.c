/* SPDX-License-Identifier: ISC */
/* lib/proxyv2.c: PROXY protocol v2 headers, whole, partial and bad. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "proxyv2.h"
#include "tap.h"

static const uint8_t sig[12] = "\r\n\r\n\0\r\nQUIT\n";

/* A header: version/command, family, then alen bytes of addresses. */
static size_t
hdr(uint8_t *b, uint8_t vc, uint8_t fam, const void *addr, size_t alen)
{
	memcpy(b, sig, 12);
	b[12] = vc;
	b[13] = fam;
	b[14] = (uint8_t)(alen >> 8);
	b[15] = (uint8_t)alen;
	memcpy(b + 16, addr, alen);
	return 16 + alen;
}

int
main(void)
{
	uint8_t b[PROXYV2_MAX + 64], a4[12], a6[36];
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	char s[INET6_ADDRSTRLEN];
	size_t n, total, i;
	int rc, bad;

	/* TCP over IPv4: 198.18.1.2:40000 -> 198.18.1.1:443. */
	inet_pton(AF_INET, "198.18.1.2", a4);
	inet_pton(AF_INET, "198.18.1.1", a4 + 4);
	a4[8] = 0x9c; a4[9] = 0x40; a4[10] = 0x01; a4[11] = 0xbb;
	n = hdr(b, 0x21, 0x11, a4, sizeof(a4));
	tap_is_int(proxyv2_parse(b, n, &total, &ss), 1, "TCP4: whole");
	tap_is_int((int)total, 28, "TCP4: 28 bytes");
	tap_ok(ss.ss_family == AF_INET && strcmp(inet_ntop(AF_INET,
	    &sin->sin_addr, s, sizeof(s)), "198.18.1.2") == 0 &&
	    ntohs(sin->sin_port) == 40000, "TCP4: the source 198.18.1.2:40000");
	/* Byte by byte: more needed until whole, never a wrong answer. */
	for (i = 0, bad = 0; i < n; i++) {
		rc = proxyv2_parse(b, i, &total, &ss);
		if (rc != 0 || total > n || (i >= 16 && total != n))
			bad++;
	}
	tap_is_int(bad, 0, "TCP4: each prefix asks for more, with the right total");
	/* Extra bytes after it (the TLS hello) are not part of it. */
	b[n] = 0x16;
	tap_is_int(proxyv2_parse(b, n + 1, &total, &ss), 1, "TCP4 + TLS byte");
	tap_is_int((int)total, 28, "TCP4 + TLS byte: still 28");

	/* TCP over IPv6, with a TLV after the addresses. */
	memset(a6, 0, sizeof(a6));
	inet_pton(AF_INET6, "2001:db8:1::2", a6);
	inet_pton(AF_INET6, "2001:db8:1::1", a6 + 16);
	a6[32] = 0x30; a6[33] = 0x39;
	{
		uint8_t t[36 + 7];

		memcpy(t, a6, 36);
		memcpy(t + 36, "\x04\x00\x04" "abcd", 7);	/* a NOOP TLV */
		n = hdr(b, 0x21, 0x21, t, sizeof(t));
	}
	tap_is_int(proxyv2_parse(b, n, &total, &ss), 1, "TCP6 + TLV: whole");
	tap_ok(ss.ss_family == AF_INET6 && strcmp(inet_ntop(AF_INET6,
	    &sin6->sin6_addr, s, sizeof(s)), "2001:db8:1::2") == 0 &&
	    ntohs(sin6->sin6_port) == 12345 && total == n,
	    "TCP6: the source 2001:db8:1::2:12345, TLVs skipped");

	/* LOCAL (health check) and UNSPEC: the connection's own peer. */
	n = hdr(b, 0x20, 0x00, a4, 0);
	tap_ok(proxyv2_parse(b, n, &total, &ss) == 1 &&
	    ss.ss_family == AF_UNSPEC && total == 16, "LOCAL: AF_UNSPEC");
	n = hdr(b, 0x21, 0x00, a4, 0);
	tap_ok(proxyv2_parse(b, n, &total, &ss) == 1 &&
	    ss.ss_family == AF_UNSPEC, "PROXY UNSPEC: AF_UNSPEC");

	/* Bad: version 1 text, a TLS hello, version 3, command 2, short addresses, too long. */
	tap_is_int(proxyv2_parse((const uint8_t *)"PROXY TCP4 1.2.3.4 ", 19,
	    &total, &ss), -1, "v1 text header: refused");
	tap_is_int(proxyv2_parse((const uint8_t *)"\x16\x03\x01", 3, &total,
	    &ss), -1, "a TLS hello: refused at its first byte");
	n = hdr(b, 0x31, 0x11, a4, sizeof(a4));
	tap_is_int(proxyv2_parse(b, n, &total, &ss), -1, "version 3: refused");
	n = hdr(b, 0x22, 0x11, a4, sizeof(a4));
	tap_is_int(proxyv2_parse(b, n, &total, &ss), -1, "command 2: refused");
	n = hdr(b, 0x21, 0x11, a4, 8);
	tap_is_int(proxyv2_parse(b, n, &total, &ss), -1, "TCP4 in 8 bytes: refused");
	n = hdr(b, 0x21, 0x21, a6, 20);
	tap_is_int(proxyv2_parse(b, n, &total, &ss), -1, "TCP6 in 20 bytes: refused");
	memcpy(b, sig, 12);
	b[12] = 0x21; b[13] = 0x11; b[14] = 0x02; b[15] = 0x01;	/* 513 */
	tap_is_int(proxyv2_parse(b, 16, &total, &ss), -1,
	    "513 bytes of addresses: refused before reading them");
	return tap_done();
}
