/* SPDX-License-Identifier: ISC */
/*
 * TUN segmentation offload (Linux IFF_VNET_HDR).  With offload on, a
 * read from the TUN is a struct virtio_net_hdr (VNET_HDR_LEN bytes) and a
 * packet, which may be a TCP super-packet of up to 64 KiB whose payload
 * is cut into gso_size-byte segments, with only the pseudo-header sum in
 * its TCP checksum; a plain packet may also carry a partial checksum
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM).
 *
 * vnet_parse checks a read against the packet it describes: IP and TCP
 * headers are parsed from the packet itself (hdr_len and, for a
 * super-packet, csum_start are never trusted).  vnet_seg_len and
 * vnet_seg_build then cut it into the plain IP packets the wire carries
 * (protocol v1: every packet whole, with full IP and TCP checksums),
 * each built once, in its place in a DATA record, as the kernel's
 * tcp_gso_segment would: lengths, IPv4 ID + i, sequence + i * gso_size,
 * FIN and PSH only on the last segment, CWR only on the first.
 *
 * The other way, every write carries a header too: vnet_hdr_none, one
 * plain packet with a complete checksum.
 */
#ifndef RVPN_VNET_H
#define RVPN_VNET_H

#include <sys/uio.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNET_HDR_LEN	10		/* struct virtio_net_hdr */
#define VNET_MAX_PKT	65535		/* IPv4 tot_len, IPv6 without jumbo */
#define VNET_MAX_READ	(VNET_HDR_LEN + VNET_MAX_PKT)

enum vnet_err {
	VNET_OK = 0,
	VNET_SHORT = -1,	/* shorter than the header, or empty */
	VNET_GSO = -2,		/* a GSO type other than TCPv4/TCPv6 */
	VNET_BADHDR = -3,	/* super-packet's IP/TCP headers do not parse */
	VNET_CSUM = -4,		/* partial checksum outside the packet */
	VNET_SEGSIZE = -5,	/* a segment would be over VNET_MAX_SEG */
};

/* The largest segment built (PROTO_MAX_PACKET). */
#define VNET_MAX_SEG	9216

struct vnet_pkt {
	const uint8_t	*pkt;		/* the IP packet, after the header */
	size_t		 len;
	size_t		 iphlen;	/* super-packet: IP header */
	size_t		 hlen;		/* super-packet: IP + TCP; 0 if plain */
	size_t		 gso_size;	/* payload bytes per segment */
	unsigned	 nseg;		/* segments to build (1: plain) */
	size_t		 csum_start;	/* plain packet with a partial sum */
	size_t		 csum_off;
	bool		 csum;
	bool		 v6;
};

extern const uint8_t vnet_hdr_none[VNET_HDR_LEN];

/* Check buf (header + packet, n bytes as read) and describe it in *p. */
int		 vnet_parse(const uint8_t *buf, size_t n, struct vnet_pkt *p);
/* Length of segment i (0 <= i < p->nseg). */
size_t		 vnet_seg_len(const struct vnet_pkt *p, unsigned i);
/* Build segment i into out (vnet_seg_len bytes), checksums complete. */
void		 vnet_seg_build(const struct vnet_pkt *p, unsigned i,
		    uint8_t *out);
/*
 * The receiving side: consecutive TCP segments of one flow, as they come
 * out of a DATA record, written to the TUN as one GSO packet (one
 * writev, payloads in place: no copy).  A segment joins the batch only
 * if it is a plain ACK (PSH allowed, then it ends the batch) with valid
 * IP and TCP checksums, no IP options or fragment, the same addresses,
 * ports, TOS/TTL (IPv6: first word and hop limit), ACK, window and TCP
 * options as the first, the next sequence number, the next IPv4 ID
 * (unless DF), and a payload no larger than the first's (a smaller one
 * ends the batch); at most VNET_GRO_MAX segments and 64 KiB.  The header
 * given to the kernel is built here from the first segment's checked
 * fields, never copied from the peer's wire.  Anything else is written
 * alone, after what is pending (order kept).  Source validation is the
 * caller's, per segment, before vnet_gro_add.
 */
#define VNET_GRO_MAX	64

struct vnet_gro {
	uint8_t		 hdr[VNET_HDR_LEN + 60 + 60];
	struct iovec	 iov[1 + VNET_GRO_MAX];
	const uint8_t	*first;
	size_t		 firstlen;
	size_t		 iphlen, hlen, gso, total;
	unsigned	 n;
	uint32_t	 seq;		/* the next segment's */
	uint16_t	 id;		/* the next segment's (IPv4) */
	uint8_t		 last_flags;	/* TCP flags of the last segment */
	bool		 v6, closed;
};

/*
 * Write pkt to fd (a TUN with IFF_VNET_HDR), joined to the pending
 * batch if it can be; pkt must stay valid until vnet_gro_flush.
 * Returns how many packets a failed write lost (normally 0).
 */
unsigned	 vnet_gro_add(struct vnet_gro *, int fd, const uint8_t *pkt,
		    size_t len);
/* Write the pending batch (end of a record); lost packets as above. */
unsigned	 vnet_gro_flush(struct vnet_gro *, int fd);

/*
 * The Internet checksum of len bytes (RFC 1071) as stored in a header
 * (0 when the data, checksum field included, is correct); for tests.
 */
uint16_t	 vnet_csum(const void *data, size_t len);
/* Whether the IPv4/IPv6 TCP packet's checksums are correct; for tests. */
bool		 vnet_tcp_csum_ok(const uint8_t *pkt, size_t len);

#endif
