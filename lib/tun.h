/* SPDX-License-Identifier: ISC */
/* The TUN fd (Linux: /dev/net/tun, IFF_TUN | IFF_NO_PI, non-blocking). */
#ifndef RVPN_TUN_H
#define RVPN_TUN_H

#include <net/if.h>

/*
 * Create/attach TUN device `name` (a name ending in "%d" lets the kernel
 * pick); the actual name is written to ifname.  The device disappears when
 * the fd is closed (not persistent).  Returns fd or -1 with *cause.
 */
int	tun_open(const char *name, char ifname[IFNAMSIZ], char **cause);

#endif
