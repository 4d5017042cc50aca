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
#include <stddef.h>
#include <stdint.h>

#define NFT_TABLE	"rvpn"		/* tests: the server uses nft_table_name */
#define NFT_TABLE_PREFIX "rvpn_"	/* table inet rvpn_<tun> */

struct nft_params {
	const char	*table;		/* NFT_TABLE unless tests change it */
	struct in_addr	 range;		/* dhcp_range network */
	uint8_t		 prefix;
	const char	*tun_name;
	const char	*egress;	/* masquerade out of this interface */
	unsigned	 mtu;		/* MSS clamp: mtu - 40 */
	bool		 masquerade;	/* nat_enabled */
	bool		 client_to_client; /* else tun -> tun is dropped */
	const char	*state_path;	/* the undo record; NULL: none */
	/* dhcp_range6 (prefix6 0: none): NAT66, forwarding, MSS mtu - 60. */
	struct in6_addr	 range6;
	uint8_t		 prefix6;
};

struct nft_state;

/*
 * Install the table (replacing a stale one of the same name) and, when
 * masquerading, set net.ipv4.ip_forward=1 (and with prefix6, also
 * net.ipv6.conf.all.forwarding=1) remembering the old values, in
 * memory and first in the undo record at state_path (if not NULL).
 * NULL with *cause; nothing is left changed on failure.
 */
struct nft_state	*nft_install(const struct nft_params *, char **cause);
/*
 * Delete the table and restore ip_forward (and IPv6 forwarding).  NULL
 * is a no-op.  It needs no
 * file system (ip_forward is written through a descriptor opened by
 * nft_install), so it works after a chroot.
 */
void			 nft_remove(struct nft_state *);
/* Replace the rules for a new client_to_client (reload). */
int			 nft_reconfigure(struct nft_state *,
			    bool client_to_client, char **cause);
/* The server's table for a TUN: "rvpn_<tun>". */
void			 nft_table_name(const char *tun_name, char *buf,
			    size_t len);
/*
 * Undo what a crashed run left: the table, and ip_forward and IPv6
 * forwarding as the undo record at state_path (may be NULL) says.  Logs one warning if it did
 * anything.
 */
void			 nft_recover(const char *table, const char *state_path);
/*
 * rvpn before the per-instance tables used one table, "inet rvpn" (see
 * nft_legacy_shape), with no undo record: a crash left it, NAT and
 * forward rules, for good.  Delete it when it is exactly that table and
 * its TUN is own_tun or gone (an old server that still runs keeps it);
 * one warning either way, nothing when there is no such table.
 */
void			 nft_recover_legacy(const char *own_tun);
/* True if table exists in the current namespace (tests, -t). */
bool			 nft_table_exists(const char *table);

#endif
