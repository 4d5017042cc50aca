/* SPDX-License-Identifier: ISC */
/* IPv4/IPv6 address and prefix parsing and printing; IP header checks. */
#ifndef RVPN_IPADDR_H
#define RVPN_IPADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "10.200.0.0/24" -> addr (host bits must be zero unless allow_host), prefix. */
bool	ipaddr_parse_cidr4(const char *, struct in_addr *, uint8_t *prefix,
	    bool allow_host);
bool	ipaddr_parse4(const char *, struct in_addr *);
/* "host:port", "[v6]:port", "host" (port = default_port). */
bool	ipaddr_parse_hostport(const char *, char **host, uint16_t *port,
	    uint16_t default_port);
/*
 * As ipaddr_parse_hostport, and on failure *problem (if not NULL) points
 * to a static description, e.g. "port must be 1..65535".
 */
bool	ipaddr_parse_hostport_why(const char *, char **host, uint16_t *port,
	    uint16_t default_port, const char **problem);
/* As ipaddr_parse_cidr4, with *problem set on failure (static text). */
bool	ipaddr_parse_cidr4_why(const char *, struct in_addr *, uint8_t *prefix,
	    bool allow_host, const char **problem);
/* Netmask for a prefix length, network byte order. */
uint32_t ipaddr_mask4(uint8_t prefix);
bool	ipaddr_in_cidr4(struct in_addr, struct in_addr net, uint8_t prefix);
/* Inet_ntop into a static-free buffer of INET6_ADDRSTRLEN. */
const char *ipaddr_str4(struct in_addr, char *buf, size_t len);
/* An address as text without an IPv4-mapped "::ffff:" prefix. */
const char *ipaddr_unmapped(const char *);

/* "fd10:200::/64" with a reason on failure (static text). */
bool	ipaddr_parse_cidr6_why(const char *, struct in6_addr *,
	    uint8_t *prefix, bool allow_host, const char **problem);
bool	ipaddr_parse6(const char *, struct in6_addr *);
bool	ipaddr_in_cidr6(const struct in6_addr *, const struct in6_addr *net,
	    uint8_t prefix);
/* a with the host bits past prefix cleared. */
void	ipaddr_net6(struct in6_addr *, uint8_t prefix);
const char *ipaddr_str6(const struct in6_addr *, char *buf, size_t len);

/* Result of checking one packet from a client (per-packet path: no logging). */
enum ip_check {
	IP_CHECK_OK = 0,
	IP_CHECK_VERSION,	/* not IPv4 (IPv6 later) */
	IP_CHECK_HEADER,	/* IHL < 5 or header longer than the packet */
	IP_CHECK_LENGTH,	/* total length != packet length */
	IP_CHECK_SOURCE,	/* source is not the session's address */
	IP_CHECK_LOCAL,		/* IPv6 link-local/unspecified source or
				   multicast destination: the kernel's own
				   chatter on a point-to-point link */
};
/* Check an IPv4 packet's version, header and total length, and its source. */
enum ip_check ipaddr_check_packet4(const uint8_t *pkt, size_t len,
	    uint32_t want_src_be);
/*
 * Check an IPv6 packet: version, fixed header, payload length, then
 * IP_CHECK_LOCAL (see above), then the source against want_src (16 bytes).
 */
enum ip_check ipaddr_check_packet6(const uint8_t *pkt, size_t len,
	    const uint8_t *want_src);
#define IPADDR_IP6_HLEN		40	/* the fixed IPv6 header */
#define IPADDR_IP6_DST		24	/* offset of the destination */
/* Destination address of an IPv4 packet (network byte order); len >= 20. */
uint32_t ipaddr_packet_dst4(const uint8_t *pkt);

#endif
