/* SPDX-License-Identifier: ISC */
/*
 * lib/vnet.c: checksums against a plain big-endian reference, and TCP
 * super-packets (IPv4, IPv6, with options, FIN/PSH/CWR, every payload
 * length up to a few segments and some large ones) cut into segments
 * whose lengths, sequence numbers, flags, IDs, checksums and payload are
 * what the kernel's segmentation gives; bad headers refused.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <stdint.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "vnet.h"

#define F_FIN	0x01
#define F_PSH	0x08
#define F_ACK	0x10
#define F_CWR	0x80

static uint8_t	buf[VNET_MAX_READ], seg[VNET_MAX_SEG], joined[VNET_MAX_READ];
static int	ipopt = 1;	/* IPv4 with one option word */

/* RFC 1071 done the slow way: big-endian 16-bit words. */
static uint16_t
ref_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The TCP checksum of pkt verified with the reference sum. */
static int
ref_tcp_ok(const uint8_t *pkt, size_t len, int v6)
{
	size_t iphlen = v6 ? 40 : (size_t)(pkt[0] & 15) * 4;
	uint32_t ph;

	if (v6)
		ph = ref_sum(pkt + 8, 32, 0) + 6 + (uint32_t)(len - 40);
	else {
		if (ref_sum(pkt, iphlen, 0) != 0xffff)
			return 0;
		ph = ref_sum(pkt + 12, 8, 0) + 6 + (uint32_t)(len - iphlen);
	}
	return ref_sum(pkt + iphlen, len - iphlen, ph) == 0xffff;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/*
 * A super-packet in buf as the kernel hands it: virtio header (with a
 * hdr_len and csum fields that are wrong on purpose: never trusted), IP,
 * TCP with 12 bytes of options, payload of plen bytes.  Returns the
 * read length.
 */
static size_t
make_super(int v6, size_t plen, uint16_t gso, uint8_t flags)
{
	uint8_t *ip = buf + VNET_HDR_LEN, *th;
	size_t iphlen = v6 ? 40 : ipopt ? 24 : 20, len = iphlen + 32 + plen, i;
	uint16_t v;

	memset(buf, 0, VNET_HDR_LEN + len);
	buf[0] = 1;				/* NEEDS_CSUM */
	buf[1] = v6 ? 4 : 1;			/* TCPV6 / TCPV4 */
	v = 9999;
	memcpy(buf + 2, &v, 2);			/* hdr_len: a lie */
	memcpy(buf + 4, &gso, 2);
	v = 7;
	memcpy(buf + 6, &v, 2);			/* csum_start: a lie */
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(len - 40));
		ip[6] = 6;
		ip[7] = 64;
		ip[8] = 0xfd;
		ip[23] = 2;
		ip[24] = 0x20;
		ip[25] = 0x01;
		ip[26] = 0x0d;
		ip[27] = 0xb8;
		ip[39] = 9;
	} else {
		ip[0] = ipopt ? 0x46 : 0x45;	/* one option word */
		put16(ip + 2, (uint16_t)len);
		put16(ip + 4, 0xfff0);		/* ID wraps */
		ip[6] = 0x40;			/* DF */
		ip[8] = 64;
		ip[9] = 6;
		ip[12] = 10; ip[13] = 200; ip[15] = 2;
		ip[16] = 198; ip[17] = 18; ip[19] = 2;
		if (ipopt)			/* NOP option words */
			memset(ip + 20, 1, 4);
	}
	th = ip + iphlen;
	put16(th, 40000);
	put16(th + 2, 80);
	th[4] = 0xff; th[5] = 0xff; th[6] = 0xf0; th[7] = 0x00; /* seq wraps */
	th[11] = 1;				/* ack */
	th[12] = 8 << 4;			/* 32 bytes */
	th[13] = flags;
	put16(th + 14, 501);
	th[16] = 0x12; th[17] = 0x34;		/* pseudo sum: ignored */
	th[20] = 1; th[21] = 1; th[22] = 8; th[23] = 10; /* NOP NOP TS */
	for (i = 0; i < 8; i++)
		th[24 + i] = (uint8_t)(i + 1);
	for (i = 0; i < plen; i++)
		th[32 + i] = (uint8_t)(i * 7 + (i >> 8));
	return VNET_HDR_LEN + len;
}

/* Cut and check every segment; returns 1 when all is right. */
static int
check_super(int v6, size_t plen, uint16_t gso, uint8_t flags, char *why,
    size_t whylen)
{
	struct vnet_pkt vp;
	size_t n = make_super(v6, plen, gso, flags), iphlen = v6 ? 40 : 24;
	size_t hlen = iphlen + 32, got = 0, sl, want;
	const uint8_t *orig = buf + VNET_HDR_LEN;
	unsigned i, nseg;
	uint8_t f;

	if (vnet_parse(buf, n, &vp) != VNET_OK) {
		snprintf(why, whylen, "parse");
		return 0;
	}
	nseg = plen <= gso ? 1 : (unsigned)((plen + gso - 1) / gso);
	if (vp.nseg != nseg) {
		snprintf(why, whylen, "nseg %u, want %u", vp.nseg, nseg);
		return 0;
	}
	for (i = 0; i < vp.nseg; i++) {
		sl = vnet_seg_len(&vp, i);
		want = hlen + (plen - got < gso ? plen - got : gso);
		if (sl != want) {
			snprintf(why, whylen, "seg %u len %zu want %zu", i, sl,
			    want);
			return 0;
		}
		memset(seg, 0xaa, sizeof(seg));
		vnet_seg_build(&vp, i, seg);
		if (!ref_tcp_ok(seg, sl, v6) || !vnet_tcp_csum_ok(seg, sl)) {
			snprintf(why, whylen, "seg %u checksum", i);
			return 0;
		}
		if (v6 ? get16(seg + 4) != sl - 40 : get16(seg + 2) != sl) {
			snprintf(why, whylen, "seg %u IP length", i);
			return 0;
		}
		if (!v6 && get16(seg + 4) != (uint16_t)(0xfff0 + i)) {
			snprintf(why, whylen, "seg %u IP ID", i);
			return 0;
		}
		if (get32(seg + iphlen + 4) != (uint32_t)(0xfffff000u +
		    got)) {
			snprintf(why, whylen, "seg %u seq", i);
			return 0;
		}
		f = flags;
		if (i + 1 < vp.nseg)
			f &= ~(F_FIN | F_PSH);
		if (i > 0)
			f &= ~F_CWR;
		if (seg[iphlen + 13] != f) {
			snprintf(why, whylen, "seg %u flags %#x want %#x", i,
			    seg[iphlen + 13], f);
			return 0;
		}
		/* Headers otherwise the original's (options included). */
		if (memcmp(seg + iphlen + 20, orig + iphlen + 20, 12) != 0 ||
		    memcmp(seg + (v6 ? 6 : 8), orig + (v6 ? 6 : 8),
		    v6 ? 34 : 2) != 0) {
			snprintf(why, whylen, "seg %u headers", i);
			return 0;
		}
		memcpy(joined + got, seg + hlen, sl - hlen);
		got += sl - hlen;
	}
	if (got != plen || memcmp(joined, orig + hlen, plen) != 0) {
		snprintf(why, whylen, "payload differs");
		return 0;
	}
	return 1;
}

/*
 * Cut a super-packet (make_super) into segments in segbuf, one after the
 * other; their starts and lengths in off[] and len[].  Returns how many.
 */
static uint8_t	segbuf[2 * VNET_MAX_PKT];

static unsigned
cut(int v6, size_t plen, uint16_t gso, uint8_t flags, size_t *off,
    size_t *len)
{
	struct vnet_pkt vp;
	size_t n = make_super(v6, plen, gso, flags), at = 0;
	unsigned i;

	if (vnet_parse(buf, n, &vp) != VNET_OK)
		return 0;
	for (i = 0; i < vp.nseg; i++) {
		off[i] = at;
		len[i] = vnet_seg_len(&vp, i);
		vnet_seg_build(&vp, i, segbuf + at);
		at += len[i];
	}
	return vp.nseg;
}

/* Recompute an IPv4 (no options) segment's checksums after a change. */
static void
fix_tcp(uint8_t *p, size_t len)
{
	uint32_t ph;
	uint16_t c;

	p[10] = p[11] = 0;
	c = (uint16_t)~ref_sum(p, 20, 0);
	put16(p + 10, c);
	p[36] = p[37] = 0;
	ph = ref_sum(p + 12, 8, 0) + 6 + (uint32_t)(len - 20);
	c = (uint16_t)~ref_sum(p + 20, len - 20, ph);
	put16(p + 36, c);
}

/* Messages waiting on the socket: the TUN writes as the kernel gets them. */
static unsigned
drain(int fd, size_t *sizes, unsigned max)
{
	static uint8_t msg[VNET_MAX_READ];
	unsigned n = 0;
	ssize_t r;

	while (n < max && (r = recv(fd, msg, sizeof(msg), MSG_DONTWAIT)) > 0) {
		sizes[n++] = (size_t)r;
		memcpy(joined, msg, (size_t)r < sizeof(joined) ?
		    (size_t)r : sizeof(joined));
	}
	return n;
}

static void
test_gro(void)
{
	static size_t off[80], len[80], sizes[80];
	struct vnet_gro g;
	struct vnet_pkt vp;
	unsigned n, i, m, lost;
	int sv[2], v6;
	uint16_t v;
	size_t total;
	char why[64];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1) {
		tap_ok(0, "socketpair");
		return;
	}
	ipopt = 0;	/* IPv4 with options is never joined */
	for (v6 = 0; v6 <= 1; v6++) {
		memset(&g, 0, sizeof(g));
		n = cut(v6, 20000, 1000, F_ACK | F_PSH, off, len);
		lost = 0;
		for (i = 0; i < n; i++)
			lost += vnet_gro_add(&g, sv[0], segbuf + off[i], len[i]);
		lost += vnet_gro_flush(&g, sv[0]);
		m = drain(sv[1], sizes, 80);
		tap_ok(lost == 0 && n == 20 && m == 1,
		    "IPv%d: 20 segments written as one packet (%u)",
		    v6 ? 6 : 4, m);
		/* The kernel's view: parse it as it would be read back. */
		memcpy(&v, joined + 4, 2);
		tap_is_int(v, 1000, "gso_size = the segments' payload");
		tap_is_int(joined[1], v6 ? 4 : 1, "gso_type TCPv4/TCPv6");
		memcpy(&v, joined + 6, 2);
		tap_is_int(v, v6 ? 40 : 20, "csum_start: the TCP header");
		memcpy(&v, joined + 8, 2);
		tap_is_int(v, 16, "csum_offset: TCP's checksum field");
		tap_ok(joined[VNET_HDR_LEN + (v6 ? 40 : 20) + 13] ==
		    (F_ACK | F_PSH), "PSH from the last segment");
		/* Cut again: the same segments, checksums valid. */
		total = 0;
		why[0] = '\0';
		if (vnet_parse(joined, sizes[0], &vp) != VNET_OK ||
		    vp.nseg != n)
			snprintf(why, sizeof(why), "reparse");
		for (i = 0; why[0] == '\0' && i < vp.nseg; i++) {
			total += vnet_seg_len(&vp, i);
			vnet_seg_build(&vp, i, seg);
			if (vnet_seg_len(&vp, i) != len[i] ||
			    memcmp(seg, segbuf + off[i], len[i]) != 0)
				snprintf(why, sizeof(why), "segment %u", i);
		}
		tap_ok(why[0] == '\0', "IPv%d: recut gives the same segments "
		    "%s", v6 ? 6 : 4, why);
	}

	/* Each of these breaks the run at segment 2 (of 0..4). */
	for (i = 0; i < 7; i++) {
		static const char *what[] = { "a bad TCP checksum",
		    "other TCP options", "a gap in the sequence",
		    "another source address", "SYN", "IPv4 options",
		    "another window" };
		static const unsigned want[] = { 3, 3, 2, 3, 3, 5, 3 };
		uint8_t *p2;
		unsigned k;

		ipopt = i == 5;
		memset(&g, 0, sizeof(g));
		n = cut(0, 5000, 1000, F_ACK, off, len);
		p2 = segbuf + off[2];
		switch (i) {
		case 0:
			p2[len[2] - 1] ^= 1;
			break;
		case 1:
			p2[20 + 24]++;		/* timestamp value */
			fix_tcp(p2, len[2]);
			break;
		case 3:
			p2[15]++;
			fix_tcp(p2, len[2]);
			break;
		case 4:
			p2[20 + 13] |= 0x02;
			fix_tcp(p2, len[2]);
			break;
		case 6:
			p2[20 + 15]++;
			fix_tcp(p2, len[2]);
			break;
		}
		for (k = 0; k < n; k++)
			if (i != 2 || k != 2)
				(void)vnet_gro_add(&g, sv[0], segbuf + off[k],
				    len[k]);
		(void)vnet_gro_flush(&g, sv[0]);
		m = drain(sv[1], sizes, 80);
		tap_ok(m == want[i], "%s: %u writes (want %u)", what[i], m,
		    want[i]);
	}
	ipopt = 1;
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	static const size_t big[] = { 9000, 16384, 32768, 60000,
	    VNET_MAX_PKT - 40 - 32 };
	static const uint8_t flagsets[] = { F_ACK, F_ACK | F_PSH,
	    F_ACK | F_PSH | F_FIN, F_ACK | F_CWR | F_PSH, 0x3f };
	struct vnet_pkt vp;
	uint8_t data[300];
	char why[128];
	size_t len, n, i;
	int v6, bad;
	unsigned f;
	uint16_t c, gso, ref;

	/* Checksums: every length, every alignment, against the reference. */
	srandom(11);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)random();
	bad = 0;
	for (n = 0; n < 4; n++)
		for (len = 0; len + n <= sizeof(data); len++) {
			c = vnet_csum(data + n, len);
			ref = ref_sum(data + n, len, 0);
			ref = (uint16_t)~ref;
			/* Stored as is, the sum reads back big-endian. */
			if (get16((uint8_t *)&c) != ref)
				bad++;
		}
	tap_is_int(bad, 0, "checksum = reference, lengths 0..300, 4 offsets");
	memset(data, 0xff, sizeof(data));
	c = vnet_csum(data, sizeof(data));
	tap_is_int(c, 0, "all-ones data: sum 0xffff, checksum 0");

	/* Every payload length from 1 to 3 segments and some large ones. */
	for (v6 = 0; v6 <= 1; v6++) {
		bad = 0;
		why[0] = '\0';
		for (len = 0; len <= 3 * 1000 + 1 && !bad; len++)
			for (f = 0; f < sizeof(flagsets) && !bad; f++)
				if (!check_super(v6, len, 1000, flagsets[f],
				    why, sizeof(why))) {
					bad = 1;
					printf("# v6 %d len %zu flags %#x: %s\n",
					    v6, len, flagsets[f], why);
				}
		tap_ok(!bad, "IPv%d: payload 0..3001 in 1000-byte segments",
		    v6 ? 6 : 4);
		bad = 0;
		for (i = 0; i < sizeof(big) / sizeof(big[0]) && !bad; i++)
			for (gso = 536; gso <= 8960; gso = gso * 2 + 1)
				if (!check_super(v6, big[i], gso, F_ACK | F_PSH,
				    why, sizeof(why))) {
					bad = 1;
					printf("# v6 %d len %zu gso %u: %s\n",
					    v6, big[i], gso, why);
					break;
				}
		tap_ok(!bad, "IPv%d: up to 64 KiB, segment sizes 536..8960",
		    v6 ? 6 : 4);
	}

	/* A plain packet with a partial checksum (UDP): completed. */
	memset(buf, 0, VNET_HDR_LEN);
	n = make_super(0, 100, 1000, F_ACK) - VNET_HDR_LEN;
	buf[1] = 0;				/* GSO_NONE */
	c = 24;
	memcpy(buf + 6, &c, 2);			/* csum_start: TCP */
	c = 16;
	memcpy(buf + 8, &c, 2);			/* csum_offset */
	buf[VNET_HDR_LEN + 10] = buf[VNET_HDR_LEN + 11] = 0;
	c = vnet_csum(buf + VNET_HDR_LEN, 24);
	memcpy(buf + VNET_HDR_LEN + 10, &c, 2);
	/* The kernel leaves the pseudo-header sum in the field. */
	{
		uint32_t s = (uint32_t)get16(buf + VNET_HDR_LEN + 12) +
		    get16(buf + VNET_HDR_LEN + 14) +
		    get16(buf + VNET_HDR_LEN + 16) +
		    get16(buf + VNET_HDR_LEN + 18) + 6 + (uint32_t)(n - 24);
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		put16(buf + VNET_HDR_LEN + 24 + 16, (uint16_t)s);
	}
	tap_is_int(vnet_parse(buf, VNET_HDR_LEN + n, &vp), VNET_OK,
	    "plain packet with NEEDS_CSUM parses");
	tap_is_int(vp.nseg, 1, "one packet");
	vnet_seg_build(&vp, 0, seg);
	tap_ok(ref_tcp_ok(seg, n, 0), "its checksum completed");
	tap_ok(memcmp(seg + 24 + 18, buf + VNET_HDR_LEN + 24 + 18,
	    n - 24 - 18) == 0, "rest unchanged");
	c = (uint16_t)n;
	memcpy(buf + 6, &c, 2);
	tap_is_int(vnet_parse(buf, VNET_HDR_LEN + n, &vp), VNET_CSUM,
	    "csum_start at the end: refused");
	c = 24;
	memcpy(buf + 6, &c, 2);
	c = (uint16_t)(n - 24 - 1);
	memcpy(buf + 8, &c, 2);
	tap_is_int(vnet_parse(buf, VNET_HDR_LEN + n, &vp), VNET_CSUM,
	    "csum_offset past the end: refused");
	buf[0] = 0;
	tap_is_int(vnet_parse(buf, VNET_HDR_LEN + n, &vp), VNET_OK,
	    "without NEEDS_CSUM: taken as it is");
	tap_ok(!vp.csum, "no checksum to complete");

	/* Refusals. */
	tap_is_int(vnet_parse(buf, VNET_HDR_LEN, &vp), VNET_SHORT,
	    "header alone: short");
	tap_is_int(vnet_parse(buf, 3, &vp), VNET_SHORT, "3 bytes: short");
	n = make_super(0, 3000, 1000, F_ACK);
	buf[1] = 3;
	tap_is_int(vnet_parse(buf, n, &vp), VNET_GSO, "GSO UDP: refused");
	buf[1] = 5;
	tap_is_int(vnet_parse(buf, n, &vp), VNET_GSO, "GSO UDP_L4: refused");
	buf[1] = 0x81;
	tap_is_int(vnet_parse(buf, n, &vp), VNET_OK, "TCPv4 with ECN: taken");
	buf[1] = 4;
	tap_is_int(vnet_parse(buf, n, &vp), VNET_BADHDR,
	    "TCPv6 type on an IPv4 packet: refused");
	buf[1] = 1;
	tap_is_int(vnet_parse(buf, n - 1, &vp), VNET_BADHDR,
	    "IPv4 total length != read: refused");
	buf[VNET_HDR_LEN + 6] |= 0x20;
	tap_is_int(vnet_parse(buf, n, &vp), VNET_BADHDR,
	    "IPv4 fragment: refused");
	buf[VNET_HDR_LEN + 6] &= ~0x20;
	buf[VNET_HDR_LEN + 9] = 17;
	tap_is_int(vnet_parse(buf, n, &vp), VNET_BADHDR, "IPv4 UDP: refused");
	buf[VNET_HDR_LEN + 9] = 6;
	buf[VNET_HDR_LEN + 24 + 12] = 4 << 4;
	tap_is_int(vnet_parse(buf, n, &vp), VNET_BADHDR,
	    "TCP data offset 4: refused");
	buf[VNET_HDR_LEN + 24 + 12] = 8 << 4;
	buf[VNET_HDR_LEN] = 0x44;
	tap_is_int(vnet_parse(buf, n, &vp), VNET_BADHDR,
	    "IPv4 header length 16: refused");
	buf[VNET_HDR_LEN] = 0x46;
	c = 0;
	memcpy(buf + 4, &c, 2);
	tap_is_int(vnet_parse(buf, n, &vp), VNET_BADHDR, "gso_size 0: refused");
	c = 9200;
	memcpy(buf + 4, &c, 2);
	tap_is_int(vnet_parse(buf, n + 0, &vp), VNET_OK,
	    "payload under gso_size: one segment");
	n = make_super(0, 30000, 9200, F_ACK);
	tap_is_int(vnet_parse(buf, n, &vp), VNET_SEGSIZE,
	    "segments over 9216 bytes: refused");
	n = make_super(1, 3000, 1000, F_ACK);
	buf[VNET_HDR_LEN + 6] = 0;		/* hop-by-hop header */
	tap_is_int(vnet_parse(buf, n, &vp), VNET_BADHDR,
	    "IPv6 extension header: refused");
	buf[VNET_HDR_LEN + 6] = 6;
	tap_is_int(vnet_parse(buf, n + 1, &vp), VNET_BADHDR,
	    "IPv6 payload length != read: refused");
	tap_is_int(vnet_parse(buf, n, &vp), VNET_OK, "and right: taken");
	test_gro();
	return tap_done();
}
