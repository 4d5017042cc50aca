/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "ipaddr.h"
#include "tap.h"

static void
test_cidr(void)
{
	static const struct {
		const char *in;
		bool allow_host, ok;
		const char *addr;
		int prefix;
		const char *why;
	} cases[] = {
		{ "10.200.0.0/24", false, true, "10.200.0.0", 24, NULL },
		{ "0.0.0.0/0", false, true, "0.0.0.0", 0, NULL },
		{ "10.1.2.3/32", false, true, "10.1.2.3", 32, NULL },
		{ "10.200.0.1/24", true, true, "10.200.0.1", 24, NULL },
		{ "10.200.0.1/24", false, false, NULL, 0, "host bits set" },
		{ "10.200.0.0/33", false, false, NULL, 0,
		    "prefix length must be 0..32" },
		{ "10.200.0.0/", false, false, NULL, 0,
		    "prefix length must be 0..32" },
		{ "10.200.0.0/024", false, false, NULL, 0,
		    "prefix length must be 0..32" },
		{ "10.200.0.0/-1", false, false, NULL, 0,
		    "prefix length must be 0..32" },
		{ "10.200.0.0", false, false, NULL, 0,
		    "missing prefix length" },
		{ "10.200.0/24", false, false, NULL, 0, "not an IPv4 address" },
		{ "10.200.0.256/24", false, false, NULL, 0,
		    "not an IPv4 address" },
		{ "::/0", false, false, NULL, 0, "not an IPv4 address" },
	};
	struct in_addr a;
	uint8_t prefix;
	const char *why;
	char buf[INET6_ADDRSTRLEN];
	size_t i;
	bool ok;

	for (i = 0; i < nitems(cases); i++) {
		why = NULL;
		ok = ipaddr_parse_cidr4_why(cases[i].in, &a, &prefix,
		    cases[i].allow_host, &why);
		if (cases[i].ok) {
			tap_ok(ok && strcmp(ipaddr_str4(a, buf, sizeof(buf)),
			    cases[i].addr) == 0 && prefix == cases[i].prefix,
			    "cidr '%s'", cases[i].in);
		} else {
			tap_ok(!ok, "cidr '%s' rejected", cases[i].in);
			tap_is_str(why, cases[i].why, cases[i].why);
		}
		tap_ok(ipaddr_parse_cidr4(cases[i].in, &a, &prefix,
		    cases[i].allow_host) == cases[i].ok,
		    "cidr '%s' without reason agrees", cases[i].in);
	}
	tap_ok(ipaddr_parse4("192.0.2.1", &a), "parse4");
	tap_ok(!ipaddr_parse4("192.0.2", &a), "parse4 short rejected");
	tap_ok(!ipaddr_parse4("192.0.2.1 ", &a), "parse4 trailing space");
	tap_ok(!ipaddr_parse4("010.0.2.1", &a), "parse4 leading zero");
	tap_is_int(ntohl(ipaddr_mask4(24)), 0xffffff00U, "mask /24");
	tap_is_int(ipaddr_mask4(0), 0, "mask /0");
	tap_is_int(ntohl(ipaddr_mask4(32)), 0xffffffffU, "mask /32");
	{
		struct in_addr net;

		ipaddr_parse4("10.200.0.0", &net);
		ipaddr_parse4("10.200.0.77", &a);
		tap_ok(ipaddr_in_cidr4(a, net, 24), "in_cidr4 inside");
		ipaddr_parse4("10.200.1.1", &a);
		tap_ok(!ipaddr_in_cidr4(a, net, 24), "in_cidr4 outside");
		tap_ok(ipaddr_in_cidr4(a, net, 0), "everything is in /0");
	}
}

static void
test_hostport(void)
{
	static const struct {
		const char *in;
		bool ok;
		const char *host;
		unsigned port;
		const char *why;
	} cases[] = {
		{ "0.0.0.0:443", true, "0.0.0.0", 443, NULL },
		{ "0.0.0.0", true, "0.0.0.0", 1234, NULL },
		{ "[::]:443", true, "::", 443, NULL },
		{ "[2001:db8::1]", true, "2001:db8::1", 1234, NULL },
		{ "vpn.example.com:8443", true, "vpn.example.com", 8443, NULL },
		{ "h:65535", true, "h", 65535, NULL },
		{ "", false, NULL, 0, "empty address" },
		{ ":443", false, NULL, 0, "missing host" },
		{ "h:0", false, NULL, 0, "port must be 1..65535" },
		{ "h:65536", false, NULL, 0, "port must be 1..65535" },
		{ "h:", false, NULL, 0, "port must be 1..65535" },
		{ "h:44x", false, NULL, 0, "port must be 1..65535" },
		{ "h:+443", false, NULL, 0, "port must be 1..65535" },
		{ "::1", false, NULL, 0,
		    "IPv6 addresses must be in brackets, e.g. [::]:443" },
		{ "[::1", false, NULL, 0, "missing ']'" },
		{ "[zz]:443", false, NULL, 0, "not an IPv6 address" },
		{ "[::1]x", false, NULL, 0, "unexpected text after ']'" },
		{ "h/x:443", false, NULL, 0, "invalid host name" },
	};
	const char *why;
	char *host;
	uint16_t port;
	size_t i;
	bool ok;

	for (i = 0; i < nitems(cases); i++) {
		host = NULL;
		why = NULL;
		ok = ipaddr_parse_hostport_why(cases[i].in, &host, &port, 1234,
		    &why);
		if (cases[i].ok)
			tap_ok(ok && strcmp(host, cases[i].host) == 0 &&
			    port == cases[i].port, "hostport '%s'",
			    cases[i].in);
		else {
			tap_ok(!ok && host == NULL, "hostport '%s' rejected",
			    cases[i].in);
			tap_is_str(why, cases[i].why, cases[i].why);
		}
		free(host);
		host = NULL;
		tap_ok(ipaddr_parse_hostport(cases[i].in, &host, &port, 1) ==
		    cases[i].ok, "hostport '%s' without reason agrees",
		    cases[i].in);
		free(host);
	}
}

/* A 20-byte IPv4 header with the given source, total length len. */
static void
mkpkt(uint8_t *p, size_t len, const char *src, const char *dst)
{
	struct in_addr a;
	uint16_t tot = htons((uint16_t)len);

	memset(p, 0, len);
	p[0] = 0x45;
	memcpy(p + 2, &tot, 2);
	p[8] = 64;
	p[9] = 17;
	inet_pton(AF_INET, src, &a);
	memcpy(p + 12, &a, 4);
	inet_pton(AF_INET, dst, &a);
	memcpy(p + 16, &a, 4);
}

static void
test_packets(void)
{
	uint8_t buf[64 + 1], *p = buf + 1;	/* p is unaligned on purpose */
	struct in_addr src, dst;

	inet_pton(AF_INET, "10.200.0.2", &src);
	inet_pton(AF_INET, "198.18.0.1", &dst);

	mkpkt(p, 40, "10.200.0.2", "198.18.0.1");
	tap_is_int(ipaddr_check_packet4(p, 40, src.s_addr), IP_CHECK_OK,
	    "good packet: IP_CHECK_OK");
	tap_ok(ipaddr_packet_dst4(p) == dst.s_addr, "packet_dst4");

	tap_is_int(ipaddr_check_packet4(p, 0, src.s_addr), IP_CHECK_VERSION,
	    "empty packet: IP_CHECK_VERSION");
	p[0] = 0x60;
	tap_is_int(ipaddr_check_packet4(p, 40, src.s_addr), IP_CHECK_VERSION,
	    "IPv6 version nibble: IP_CHECK_VERSION");
	p[0] = 0x44;
	tap_is_int(ipaddr_check_packet4(p, 40, src.s_addr), IP_CHECK_HEADER,
	    "IHL 4: IP_CHECK_HEADER");
	p[0] = 0x4f;	/* 60-byte header in a 40-byte packet */
	tap_is_int(ipaddr_check_packet4(p, 40, src.s_addr), IP_CHECK_HEADER,
	    "header longer than the packet: IP_CHECK_HEADER");
	tap_is_int(ipaddr_check_packet4(p, 10, src.s_addr), IP_CHECK_HEADER,
	    "10-byte packet: IP_CHECK_HEADER");
	p[0] = 0x45;
	tap_is_int(ipaddr_check_packet4(p, 39, src.s_addr), IP_CHECK_LENGTH,
	    "total length != packet length: IP_CHECK_LENGTH");
	tap_is_int(ipaddr_check_packet4(p, 40, dst.s_addr), IP_CHECK_SOURCE,
	    "wrong source: IP_CHECK_SOURCE");
	mkpkt(p, 20, "10.200.0.2", "198.18.0.1");
	tap_is_int(ipaddr_check_packet4(p, 20, src.s_addr), IP_CHECK_OK,
	    "bare 20-byte header: IP_CHECK_OK");
}

static void
test_unmapped(void)
{
	tap_is_str(ipaddr_unmapped("::ffff:198.18.1.2"), "198.18.1.2",
	    "::ffff: stripped");
	tap_is_str(ipaddr_unmapped("198.18.1.2"), "198.18.1.2",
	    "IPv4 as it is");
	tap_is_str(ipaddr_unmapped("2001:db8::1"), "2001:db8::1",
	    "IPv6 as it is");
	tap_is_str(ipaddr_unmapped(""), "", "empty as it is");
}

int
main(void)
{
	test_unmapped();
	test_cidr();
	test_hostport();
	test_packets();
	return tap_done();
}
