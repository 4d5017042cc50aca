/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/uio.h>

#include <string.h>
#include <unistd.h>

#include "vnet.h"

/* struct virtio_net_hdr (legacy, native byte order: the TUN default). */
#define VNET_F_NEEDS_CSUM	0x01
#define VNET_GSO_NONE		0
#define VNET_GSO_TCPV4		1
#define VNET_GSO_TCPV6		4
#define VNET_GSO_ECN		0x80

#define TCP_FIN			0x01
#define TCP_PSH			0x08
#define TCP_ACK			0x10
#define TCP_CWR			0x80

const uint8_t vnet_hdr_none[VNET_HDR_LEN];

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

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static uint16_t
hget16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Add len bytes to a one's-complement sum of native 16-bit words (RFC
 * 1071 section 2: byte order independent; the folded sum is stored back
 * as it is).  Every chunk but the last of one checksum has an even
 * length.
 */
static uint64_t
csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	uint64_t w;
	uint32_t v;
	uint8_t tail[8];

	while (len >= 32) {
		uint64_t a, b, c, d;

		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&c, p + 16, 8);
		memcpy(&d, p + 24, 8);
		/* 32-bit halves: no carry out of 64 bits. */
		sum += (a & 0xffffffff) + (a >> 32) + (b & 0xffffffff) +
		    (b >> 32) + (c & 0xffffffff) + (c >> 32) +
		    (d & 0xffffffff) + (d >> 32);
		p += 32;
		len -= 32;
	}
	while (len >= 4) {
		memcpy(&v, p, 4);
		sum += v;
		p += 4;
		len -= 4;
	}
	if (len > 0) {
		memset(tail, 0, sizeof(tail));
		memcpy(tail, p, len);
		memcpy(&w, tail, 8);
		sum += (w & 0xffffffff) + (w >> 32);
	}
	return sum;
}

static uint16_t
csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t
vnet_csum(const void *data, size_t len)
{
	return (uint16_t)~csum_fold(csum_add(0, data, len));
}

/* The TCP pseudo-header sum of pkt (IPv4 or IPv6) for tcplen bytes. */
static uint64_t
csum_pseudo(const uint8_t *pkt, bool v6, size_t tcplen)
{
	uint8_t ph[8];

	memset(ph, 0, sizeof(ph));
	if (v6) {
		put32(ph, (uint32_t)tcplen);
		ph[7] = 6;
		return csum_add(csum_add(0, pkt + 8, 32), ph, 8);
	}
	ph[1] = 6;
	put16(ph + 2, (uint16_t)tcplen);
	return csum_add(csum_add(0, pkt + 12, 8), ph, 4);
}

bool
vnet_tcp_csum_ok(const uint8_t *pkt, size_t len)
{
	size_t iphlen;
	bool v6;

	if (len < 20)
		return false;
	v6 = pkt[0] >> 4 == 6;
	if (v6) {
		if (len < 60 || pkt[6] != 6)
			return false;
		iphlen = 40;
	} else {
		iphlen = (size_t)(pkt[0] & 0x0f) * 4;
		if (iphlen < 20 || len < iphlen + 20 || pkt[9] != 6 ||
		    vnet_csum(pkt, iphlen) != 0)
			return false;
	}
	return csum_fold(csum_pseudo(pkt, v6, len - iphlen) +
	    csum_add(0, pkt + iphlen, len - iphlen)) == 0xffff;
}

/* A super-packet: its own IP and TCP headers, whatever hdr_len says. */
static int
vnet_parse_gso(struct vnet_pkt *p, unsigned type, size_t gso_size)
{
	const uint8_t *b = p->pkt;
	size_t doff, payload;

	if (type == VNET_GSO_TCPV4) {
		if (p->len < 20 || b[0] >> 4 != 4)
			return VNET_BADHDR;
		p->iphlen = (size_t)(b[0] & 0x0f) * 4;
		if (p->iphlen < 20 || p->iphlen > p->len ||
		    get16(b + 2) != p->len ||
		    (get16(b + 6) & 0x3fff) != 0 || b[9] != 6)
			return VNET_BADHDR;
		p->v6 = false;
	} else {
		/* No extension headers: TCP right after the fixed header. */
		if (p->len < 40 || b[0] >> 4 != 6 ||
		    get16(b + 4) != p->len - 40 || b[6] != 6)
			return VNET_BADHDR;
		p->iphlen = 40;
		p->v6 = true;
	}
	if (p->len < p->iphlen + 20)
		return VNET_BADHDR;
	doff = (size_t)(b[p->iphlen + 12] >> 4) * 4;
	if (doff < 20 || p->iphlen + doff > p->len)
		return VNET_BADHDR;
	p->hlen = p->iphlen + doff;
	if (gso_size == 0)
		return VNET_BADHDR;
	payload = p->len - p->hlen;
	if (payload <= gso_size) {
		/* One segment: a plain packet, its checksum to complete. */
		p->gso_size = payload;
		p->nseg = 1;
		if (p->len > VNET_MAX_SEG)
			return VNET_SEGSIZE;
		return VNET_OK;
	}
	if (p->hlen + gso_size > VNET_MAX_SEG)
		return VNET_SEGSIZE;
	p->gso_size = gso_size;
	p->nseg = (unsigned)((payload + gso_size - 1) / gso_size);
	return VNET_OK;
}

int
vnet_parse(const uint8_t *buf, size_t n, struct vnet_pkt *p)
{
	unsigned type;

	memset(p, 0, sizeof(*p));
	if (n <= VNET_HDR_LEN)
		return VNET_SHORT;
	p->pkt = buf + VNET_HDR_LEN;
	p->len = n - VNET_HDR_LEN;
	p->nseg = 1;
	type = buf[1] & ~VNET_GSO_ECN;
	if (type == VNET_GSO_TCPV4 || type == VNET_GSO_TCPV6)
		return vnet_parse_gso(p, type, hget16(buf + 4));
	if (type != VNET_GSO_NONE)
		return VNET_GSO;
	if (p->len > VNET_MAX_SEG)
		return VNET_SEGSIZE;
	if (buf[0] & VNET_F_NEEDS_CSUM) {
		p->csum_start = hget16(buf + 6);
		p->csum_off = hget16(buf + 8);
		if (p->csum_start >= p->len ||
		    p->csum_off > p->len - p->csum_start ||
		    p->len - p->csum_start - p->csum_off < 2)
			return VNET_CSUM;
		p->csum = true;
	}
	return VNET_OK;
}

size_t
vnet_seg_len(const struct vnet_pkt *p, unsigned i)
{
	size_t off;

	if (p->hlen == 0)
		return p->len;
	off = (size_t)i * p->gso_size;
	return p->hlen + (p->len - p->hlen - off < p->gso_size ?
	    p->len - p->hlen - off : p->gso_size);
}

void
vnet_seg_build(const struct vnet_pkt *p, unsigned i, uint8_t *out)
{
	size_t seglen, plen, iphlen = p->iphlen;
	uint16_t c;
	uint8_t *th, flags;

	if (p->hlen == 0) {
		memcpy(out, p->pkt, p->len);
		if (p->csum) {
			c = vnet_csum(out + p->csum_start,
			    p->len - p->csum_start);
			memcpy(out + p->csum_start + p->csum_off, &c, 2);
		}
		return;
	}
	seglen = vnet_seg_len(p, i);
	plen = seglen - p->hlen;
	memcpy(out, p->pkt, p->hlen);
	memcpy(out + p->hlen, p->pkt + p->hlen + (size_t)i * p->gso_size,
	    plen);
	if (p->v6)
		put16(out + 4, (uint16_t)(seglen - 40));
	else {
		put16(out + 2, (uint16_t)seglen);
		put16(out + 4, (uint16_t)(get16(p->pkt + 4) + i));
		out[10] = out[11] = 0;
		c = vnet_csum(out, iphlen);
		memcpy(out + 10, &c, 2);
	}
	th = out + iphlen;
	put32(th + 4, get32(p->pkt + iphlen + 4) +
	    (uint32_t)((size_t)i * p->gso_size));
	flags = th[13];
	if (i + 1 < p->nseg)
		flags &= ~(TCP_FIN | TCP_PSH);
	if (i > 0)
		flags &= ~TCP_CWR;
	th[13] = flags;
	th[16] = th[17] = 0;
	c = (uint16_t)~csum_fold(csum_pseudo(out, p->v6, seglen - iphlen) +
	    csum_add(0, th, seglen - iphlen));
	memcpy(th + 16, &c, 2);
}

/* A segment that may join a batch: its IP and TCP header lengths. */
static bool
gro_candidate(const uint8_t *p, size_t len, size_t *iphlen, size_t *hlen,
    bool *v6)
{
	size_t doff;

	if (p[0] == 0x45) {
		if (len < 40 || get16(p + 2) != len ||
		    (get16(p + 6) & 0x3fff) != 0 || p[9] != 6 ||
		    vnet_csum(p, 20) != 0)
			return false;
		*iphlen = 20;
		*v6 = false;
	} else if (p[0] >> 4 == 6) {
		if (len < 60 || get16(p + 4) != len - 40 || p[6] != 6)
			return false;
		*iphlen = 40;
		*v6 = true;
	} else
		return false;
	doff = (size_t)(p[*iphlen + 12] >> 4) * 4;
	if (doff < 20 || *iphlen + doff >= len ||
	    (p[*iphlen + 13] & ~TCP_PSH) != TCP_ACK)
		return false;
	*hlen = *iphlen + doff;
	return vnet_tcp_csum_ok(p, len);
}

/* Whether p (a candidate, header lengths as the first's) continues g. */
static bool
gro_follows(const struct vnet_gro *g, const uint8_t *p, size_t len)
{
	const uint8_t *f = g->first, *th = p + g->iphlen, *fh = f + g->iphlen;
	size_t plen = len - g->hlen;

	if (g->closed || g->n == VNET_GRO_MAX || plen > g->gso ||
	    g->hlen + g->total + plen > VNET_MAX_PKT + (g->v6 ? 40 : 0))
		return false;
	if (g->v6) {
		if (memcmp(p, f, 4) != 0 || p[7] != f[7] ||
		    memcmp(p + 8, f + 8, 32) != 0)
			return false;
	} else {
		if (p[1] != f[1] || p[8] != f[8] ||
		    (p[6] & 0x40) != (f[6] & 0x40) ||
		    memcmp(p + 12, f + 12, 8) != 0 ||
		    ((f[6] & 0x40) == 0 && get16(p + 4) != g->id))
			return false;
	}
	/* Ports; ACK, data offset; window, urgent pointer; options. */
	return memcmp(th, fh, 4) == 0 && get32(th + 4) == g->seq &&
	    memcmp(th + 8, fh + 8, 5) == 0 &&
	    memcmp(th + 14, fh + 14, 2) == 0 &&
	    memcmp(th + 18, fh + 18, g->hlen - g->iphlen - 18) == 0;
}

static unsigned
gro_write_one(int fd, const uint8_t *pkt, size_t len)
{
	struct iovec iov[2];

	iov[0].iov_base = (void *)(uintptr_t)vnet_hdr_none;
	iov[0].iov_len = VNET_HDR_LEN;
	iov[1].iov_base = (void *)(uintptr_t)pkt;
	iov[1].iov_len = len;
	return writev(fd, iov, 2) == (ssize_t)(VNET_HDR_LEN + len) ? 0 : 1;
}

unsigned
vnet_gro_flush(struct vnet_gro *g, int fd)
{
	uint8_t *h = g->hdr, *ip = h + VNET_HDR_LEN, *th;
	struct iovec *iov;
	size_t len = g->hlen + g->total, want, tcplen;
	uint16_t v;
	unsigned n = g->n;

	g->n = 0;
	if (n == 0)
		return 0;
	if (n == 1)
		return gro_write_one(fd, g->first, g->firstlen);
	/* virtio_net_hdr: TCP GSO, the checksum left to the kernel. */
	h[0] = VNET_F_NEEDS_CSUM;
	h[1] = g->v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4;
	v = (uint16_t)g->hlen;
	memcpy(h + 2, &v, 2);
	v = (uint16_t)g->gso;
	memcpy(h + 4, &v, 2);
	v = (uint16_t)g->iphlen;
	memcpy(h + 6, &v, 2);
	v = 16;
	memcpy(h + 8, &v, 2);
	memcpy(ip, g->first, g->hlen);
	if (g->v6)
		put16(ip + 4, (uint16_t)(len - 40));
	else {
		put16(ip + 2, (uint16_t)len);
		ip[10] = ip[11] = 0;
		v = vnet_csum(ip, 20);
		memcpy(ip + 10, &v, 2);
	}
	th = ip + g->iphlen;
	th[13] = g->last_flags;	/* PSH only if the last had it */
	tcplen = len - g->iphlen;
	v = csum_fold(csum_pseudo(ip, g->v6, tcplen));
	memcpy(th + 16, &v, 2);
	iov = g->iov;
	iov->iov_base = h;
	iov->iov_len = VNET_HDR_LEN + g->hlen;
	want = VNET_HDR_LEN + len;
	return writev(fd, iov, (int)n + 1) == (ssize_t)want ? 0 : n;
}

unsigned
vnet_gro_add(struct vnet_gro *g, int fd, const uint8_t *pkt, size_t len)
{
	size_t iphlen, hlen, plen;
	unsigned lost = 0;
	bool v6;

	if (!gro_candidate(pkt, len, &iphlen, &hlen, &v6)) {
		lost = vnet_gro_flush(g, fd);
		return lost + gro_write_one(fd, pkt, len);
	}
	plen = len - hlen;
	if (g->n > 0 && (hlen != g->hlen || v6 != g->v6 ||
	    !gro_follows(g, pkt, len)))
		lost = vnet_gro_flush(g, fd);
	if (g->n == 0) {
		g->first = pkt;
		g->firstlen = len;
		g->iphlen = iphlen;
		g->hlen = hlen;
		g->v6 = v6;
		g->gso = plen;
		g->total = 0;
		g->closed = false;
		g->id = v6 ? 0 : get16(pkt + 4);
		g->seq = get32(pkt + iphlen + 4);
	}
	g->iov[1 + g->n].iov_base = (void *)(uintptr_t)(pkt + hlen);
	g->iov[1 + g->n].iov_len = plen;
	g->n++;
	g->total += plen;
	g->seq += (uint32_t)plen;
	g->id++;
	g->last_flags = pkt[iphlen + 13];
	if (plen < g->gso || (g->last_flags & TCP_PSH))
		g->closed = true;
	return lost;
}
