/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "ipaddr.h"
#include "log.h"
#include "netlink.h"
#include "nft.h"
#include "server.h"
#include "xmalloc.h"

/*
 * nat_enabled: install rvpn's nftables table (masquerade of dhcp_range
 * out of the egress interface, forward accept, MSS clamp) and turn on
 * ip_forward.  nat_enabled = false leaves netfilter alone.
 */
int
server_nat_start(struct server *sv, char **cause)
{
	struct server_config *cfg = sv->cfg;
	struct nft_params p;
	struct netlink *nl;
	char egress[IFNAMSIZ], net[INET6_ADDRSTRLEN];

	if (!cfg->nat_enabled) {
		log_debug("%s: nat_enabled = false, netfilter untouched",
		    __func__);
		return 0;
	}
	if (cfg->egress_interface != NULL)
		snprintf(egress, sizeof(egress), "%s", cfg->egress_interface);
	else {
		if ((nl = netlink_open(cause)) == NULL)
			return -1;
		if (netlink_default_ifname(nl, egress, cause) == -1) {
			netlink_close(nl);
			return -1;
		}
		netlink_close(nl);
	}
	p.table = NFT_TABLE;
	p.range = cfg->dhcp_range.addr;
	p.prefix = cfg->dhcp_range.prefix;
	p.tun_name = sv->tun_ifname;
	p.egress = egress;
	p.mtu = cfg->mtu;
	p.masquerade = true;
	if ((sv->nft = nft_install(&p, cause)) == NULL)
		return -1;
	log_info("NAT enabled: masquerading %s/%u out of %s",
	    ipaddr_str4(p.range, net, sizeof(net)), p.prefix, egress);
	return 0;
}

/* Remove the table and restore ip_forward. */
void
server_nat_stop(struct server *sv)
{
	nft_remove(sv->nft);
	sv->nft = NULL;
}
