/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipaddr.h"
#include "xmalloc.h"

/* Parse a decimal number of at most maxdigits digits, no sign. */
static bool
ipaddr_parse_num(const char *s, size_t len, size_t maxdigits, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > maxdigits)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* A dotted-quad IPv4 address, nothing else (inet_pton rejects octal). */
bool
ipaddr_parse4(const char *s, struct in_addr *out)
{
	return inet_pton(AF_INET, s, out) == 1;
}

uint32_t
ipaddr_mask4(uint8_t prefix)
{
	if (prefix == 0)
		return 0;
	if (prefix >= 32)
		return 0xffffffffU;
	return htonl(0xffffffffU << (32 - prefix));
}

bool
ipaddr_in_cidr4(struct in_addr a, struct in_addr net, uint8_t prefix)
{
	uint32_t m = ipaddr_mask4(prefix);

	return (a.s_addr & m) == (net.s_addr & m);
}

/* "a.b.c.d/n" with a reason on failure. */
bool
ipaddr_parse_cidr4_why(const char *s, struct in_addr *addr, uint8_t *prefix,
    bool allow_host, const char **problem)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash, *why;
	unsigned long n;
	struct in_addr a;

	why = NULL;
	if ((slash = strchr(s, '/')) == NULL)
		why = "missing prefix length";
	else if ((size_t)(slash - s) >= sizeof(buf))
		why = "not an IPv4 address";
	else {
		memcpy(buf, s, (size_t)(slash - s));
		buf[slash - s] = '\0';
		if (!ipaddr_parse4(buf, &a))
			why = "not an IPv4 address";
		else if (!ipaddr_parse_num(slash + 1, strlen(slash + 1), 2, &n) ||
		    n > 32 || (slash[1] == '0' && slash[2] != '\0'))
			why = "prefix length must be 0..32";
		else if (!allow_host &&
		    (a.s_addr & ~ipaddr_mask4((uint8_t)n)) != 0)
			why = "host bits set";
	}
	if (why != NULL) {
		if (problem != NULL)
			*problem = why;
		return false;
	}
	*addr = a;
	*prefix = (uint8_t)n;
	return true;
}

bool
ipaddr_parse_cidr4(const char *s, struct in_addr *addr, uint8_t *prefix,
    bool allow_host)
{
	return ipaddr_parse_cidr4_why(s, addr, prefix, allow_host, NULL);
}

/* Host names as written in URLs and bind addresses: letters, digits, ".-_". */
static bool
ipaddr_valid_hostname(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '-' || s[i] == '_'))
			return false;
	}
	return true;
}

/* "host:port", "[v6]:port" or "host", with a reason on failure. */
bool
ipaddr_parse_hostport_why(const char *s, char **host, uint16_t *port,
    uint16_t default_port, const char **problem)
{
	char v6[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	const char *h, *p, *end, *why = NULL;
	size_t hlen;
	unsigned long n = default_port;

	if (*s == '\0') {
		why = "empty address";
		goto fail;
	}
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			why = "missing ']'";
			goto fail;
		}
		h = s + 1;
		hlen = (size_t)(end - h);
		if (hlen == 0 || hlen >= sizeof(v6)) {
			why = "not an IPv6 address";
			goto fail;
		}
		memcpy(v6, h, hlen);
		v6[hlen] = '\0';
		if (inet_pton(AF_INET6, v6, &a6) != 1) {
			why = "not an IPv6 address";
			goto fail;
		}
		p = end + 1;
		if (*p != '\0' && *p != ':') {
			why = "unexpected text after ']'";
			goto fail;
		}
	} else {
		h = s;
		if ((p = strchr(s, ':')) != NULL && strchr(p + 1, ':') != NULL) {
			why = "IPv6 addresses must be in brackets, e.g. [::]:443";
			goto fail;
		}
		if (p == NULL)
			p = s + strlen(s);
		hlen = (size_t)(p - h);
		if (hlen == 0) {
			why = "missing host";
			goto fail;
		}
		if (!ipaddr_valid_hostname(h, hlen)) {
			why = "invalid host name";
			goto fail;
		}
	}
	if (*p == ':') {
		p++;
		if (!ipaddr_parse_num(p, strlen(p), 5, &n) || n == 0 ||
		    n > 65535) {
			why = "port must be 1..65535";
			goto fail;
		}
	}
	*host = xmalloc(hlen + 1);
	memcpy(*host, h, hlen);
	(*host)[hlen] = '\0';
	*port = (uint16_t)n;
	return true;

fail:
	if (problem != NULL)
		*problem = why;
	return false;
}

bool
ipaddr_parse_hostport(const char *s, char **host, uint16_t *port,
    uint16_t default_port)
{
	return ipaddr_parse_hostport_why(s, host, port, default_port, NULL);
}

const char *
ipaddr_unmapped(const char *s)
{
	return strncmp(s, "::ffff:", 7) == 0 ? s + 7 : s;
}

const char *
ipaddr_str4(struct in_addr a, char *buf, size_t len)
{
	if (inet_ntop(AF_INET, &a, buf, (socklen_t)len) == NULL) {
		if (len > 0)
			buf[0] = '\0';
	}
	return buf;
}

/*
 * Per-packet path: no allocation, no logging.  Fields are read with
 * memcpy because a packet inside a record need not be aligned.
 */
enum ip_check
ipaddr_check_packet4(const uint8_t *pkt, size_t len, uint32_t want_src_be)
{
	uint16_t tot;
	uint32_t src;
	size_t ihl;

	if (len < 1 || (pkt[0] >> 4) != 4)
		return IP_CHECK_VERSION;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return IP_CHECK_HEADER;
	memcpy(&tot, pkt + 2, sizeof(tot));
	if (ntohs(tot) != len)
		return IP_CHECK_LENGTH;
	memcpy(&src, pkt + 12, sizeof(src));
	if (src != want_src_be)
		return IP_CHECK_SOURCE;
	return IP_CHECK_OK;
}

uint32_t
ipaddr_packet_dst4(const uint8_t *pkt)
{
	uint32_t dst;

	memcpy(&dst, pkt + 16, sizeof(dst));
	return dst;
}

bool
ipaddr_parse6(const char *s, struct in6_addr *out)
{
	return inet_pton(AF_INET6, s, out) == 1;
}

void
ipaddr_net6(struct in6_addr *a, uint8_t prefix)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (prefix >= 8)
			prefix -= 8;
		else {
			a->s6_addr[i] &= (uint8_t)(0xff00 >> prefix);
			prefix = 0;
		}
	}
}

bool
ipaddr_in_cidr6(const struct in6_addr *a, const struct in6_addr *net,
    uint8_t prefix)
{
	struct in6_addr x = *a, y = *net;

	ipaddr_net6(&x, prefix);
	ipaddr_net6(&y, prefix);
	return memcmp(&x, &y, sizeof(x)) == 0;
}

bool
ipaddr_parse_cidr6_why(const char *s, struct in6_addr *addr, uint8_t *prefix,
    bool allow_host, const char **problem)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash, *why = NULL;
	unsigned long n = 0;
	struct in6_addr a, net;

	if ((slash = strchr(s, '/')) == NULL)
		why = "missing prefix length";
	else if ((size_t)(slash - s) >= sizeof(buf))
		why = "not an IPv6 address";
	else {
		memcpy(buf, s, (size_t)(slash - s));
		buf[slash - s] = '\0';
		if (!ipaddr_parse6(buf, &a))
			why = "not an IPv6 address";
		else if (!ipaddr_parse_num(slash + 1, strlen(slash + 1), 3,
		    &n) || n > 128 || (slash[1] == '0' && slash[2] != '\0'))
			why = "prefix length must be 0..128";
		else if (!allow_host) {
			net = a;
			ipaddr_net6(&net, (uint8_t)n);
			if (memcmp(&net, &a, sizeof(a)) != 0)
				why = "host bits set";
		}
	}
	if (why != NULL) {
		if (problem != NULL)
			*problem = why;
		return false;
	}
	*addr = a;
	*prefix = (uint8_t)n;
	return true;
}

const char *
ipaddr_str6(const struct in6_addr *a, char *buf, size_t len)
{
	if (inet_ntop(AF_INET6, a, buf, (socklen_t)len) == NULL) {
		if (len > 0)
			buf[0] = '\0';
	}
	return buf;
}

/* Per-packet path: no allocation, no logging. */
enum ip_check
ipaddr_check_packet6(const uint8_t *pkt, size_t len, const uint8_t *want_src)
{
	uint16_t plen;

	if (len < 1 || (pkt[0] >> 4) != 6)
		return IP_CHECK_VERSION;
	if (len < IPADDR_IP6_HLEN)
		return IP_CHECK_HEADER;
	memcpy(&plen, pkt + 4, sizeof(plen));
	if ((size_t)ntohs(plen) + IPADDR_IP6_HLEN != len)
		return IP_CHECK_LENGTH;
	/* Source fe80::/10 or ::, or destination ff00::/8. */
	if ((pkt[8] == 0xfe && (pkt[9] & 0xc0) == 0x80) ||
	    pkt[IPADDR_IP6_DST] == 0xff)
		return IP_CHECK_LOCAL;
	if (memcmp(pkt + 8, want_src, 16) != 0) {
		static const uint8_t zero[16];

		if (memcmp(pkt + 8, zero, 16) == 0)
			return IP_CHECK_LOCAL;
		return IP_CHECK_SOURCE;
	}
	return IP_CHECK_OK;
}
