/* SPDX-License-Identifier: ISC */
/* The TUN fd (Linux: /dev/net/tun, IFF_TUN | IFF_NO_PI, non-blocking). */
#ifndef RVPN_TUN_H
#define RVPN_TUN_H

#include <net/if.h>

#include <stdbool.h>

/*
 * Create/attach TUN device `name` (a name ending in "%d" lets the kernel
 * pick); the actual name is written to ifname.  The device disappears when
 * the fd is closed (not persistent).  Returns fd or -1 with *cause.
 */
int	tun_open(const char *name, char ifname[IFNAMSIZ], char **cause);

/*
 * As tun_open, with IFF_VNET_HDR: every read and write carries a
 * virtio_net_hdr first (lib/vnet.h), and the kernel is asked for TCP
 * segmentation offload (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6); *tso says
 * whether it agreed (if not, packets come one by one, still with the
 * header).
 */
int	tun_open_offload(const char *name, char ifname[IFNAMSIZ], bool *tso,
	    char **cause);

#endif
