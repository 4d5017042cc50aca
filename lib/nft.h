/* SPDX-License-Identifier: ISC */
/*
 * rvpn's own nftables table (libnftables, no shelling out): masquerade of
 * dhcp_range out of the egress interface, forward accept for the tunnel,
 * TCP MSS clamping to the tunnel MTU.  And the
 * ip_forward sysctl, restored on removal.
 */
#ifndef RVPN_NFT_H
#define RVPN_NFT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define NFT_TABLE	"rvpn"		/* table inet rvpn */

struct nft_params {
	const char	*table;		/* NFT_TABLE unless tests change it */
	struct in_addr	 range;		/* dhcp_range network */
	uint8_t		 prefix;
	const char	*tun_name;
	const char	*egress;	/* masquerade out of this interface */
	unsigned	 mtu;		/* MSS clamp: mtu - 40 */
	bool		 masquerade;	/* nat_enabled */
};

struct nft_state;

/*
 * Install the table (replacing a stale one of the same name) and, when
 * masquerading, set net.ipv4.ip_forward=1 remembering the old value.
 * NULL with *cause; nothing is left changed on failure.
 */
struct nft_state	*nft_install(const struct nft_params *, char **cause);
/*
 * Delete the table and restore ip_forward.  NULL is a no-op.  It needs no
 * file system (ip_forward is written through a descriptor opened by
 * nft_install), so it works after a chroot.
 */
void			 nft_remove(struct nft_state *);
/* True if table exists in the current namespace (tests, -t). */
bool			 nft_table_exists(const char *table);

#endif
