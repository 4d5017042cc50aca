/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: lib/vnet.c, the virtio_net_hdr + packet parser and the
 * segmenter.  The input is one TUN read (header, then packet).  Whatever
 * vnet_parse accepts is cut into every segment: each must fit
 * VNET_MAX_SEG, the payloads must add up to the super-packet's, and a
 * segment of a super-packet must carry valid IP and TCP checksums and
 * parse again as a plain packet.  Each segment then goes through the
 * server's per-packet checks (ipaddr_check_packet4/6), as it would
 * arriving from a peer, and into the receiver's coalescing
 * (vnet_gro_add, written to /dev/null), as would the raw input itself.
 */
#include "autoconf.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipaddr.h"
#include "vnet.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t seg[VNET_MAX_SEG], again[VNET_HDR_LEN + VNET_MAX_SEG];
	static uint8_t segs[2 * VNET_MAX_PKT];
	static int null = -1;
	static struct vnet_gro g;
	size_t at = 0;
	static const uint8_t a6[16] = { 0xfd, 0x10, 0x02, 0x00 };
	struct vnet_pkt vp, vp2;
	size_t len, payload = 0;
	unsigned i;

	if (size > VNET_MAX_READ)
		return 0;
	if (null == -1 && (null = open("/dev/null", O_WRONLY)) == -1)
		abort();
	/* The input as a packet from a peer, twice: joined with itself? */
	if (size > VNET_HDR_LEN) {
		(void)vnet_gro_add(&g, null, data + VNET_HDR_LEN,
		    size - VNET_HDR_LEN);
		(void)vnet_gro_add(&g, null, data + VNET_HDR_LEN,
		    size - VNET_HDR_LEN);
		(void)vnet_gro_flush(&g, null);
	}
	if (vnet_parse(data, size, &vp) != VNET_OK)
		return 0;
	for (i = 0; i < vp.nseg; i++) {
		len = vnet_seg_len(&vp, i);
		if (len > VNET_MAX_SEG || len < vp.hlen)
			abort();
		vnet_seg_build(&vp, i, seg);
		payload += len - vp.hlen;
		if (at + len <= sizeof(segs)) {
			memcpy(segs + at, seg, len);
			(void)vnet_gro_add(&g, null, segs + at, len);
			at += len;
		}
		if (vp.hlen != 0) {
			if (!vnet_tcp_csum_ok(seg, len))
				abort();
			memcpy(again, vnet_hdr_none, VNET_HDR_LEN);
			memcpy(again + VNET_HDR_LEN, seg, len);
			if (vnet_parse(again, VNET_HDR_LEN + len, &vp2) !=
			    VNET_OK || vp2.nseg != 1 || vp2.len != len)
				abort();
		}
		if ((seg[0] >> 4) == 6)
			(void)ipaddr_check_packet6(seg, len, a6);
		else
			(void)ipaddr_check_packet4(seg, len, 0x0200c80a);
	}
	(void)vnet_gro_flush(&g, null);
	if (vp.hlen != 0 && payload != vp.len - vp.hlen)
		abort();
	return 0;
}
