/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipaddr.h"
#include "log.h"
#include "netlink.h"
#include "nft.h"
#include "server.h"
#include "xmalloc.h"

/*
 * The undo record of this instance: "<tun>.state" in the directory of
 * the control socket (the runstate directory, /run/rvpn by default).
 */
static char *
server_nat_state_path(struct server *sv)
{
	const char *sock = sv->cfg->control_socket, *slash;
	char *path;

	if (sock == NULL || (slash = strrchr(sock, '/')) == NULL)
		xasprintf(&path, "%s/rvpn/%s.state", RUNSTATEDIR,
		    sv->tun_ifname);
	else
		xasprintf(&path, "%.*s/%s.state", (int)(slash - sock), sock,
		    sv->tun_ifname);
	return path;
}

/*
 * First undo what a crashed run of this instance left (its table, its
 * ip_forward change), and the single "inet rvpn" table of an rvpn before
 * the per-instance tables, whatever nat_enabled says now.  Then with
 * nat_enabled: install rvpn's nftables table (masquerade of dhcp_range
 * out of the egress interface, forward rules, MSS clamp) and turn on
 * ip_forward, with the undo record written first.  nat_enabled = false
 * leaves netfilter alone.
 */
int
server_nat_start(struct server *sv, char **cause)
{
	struct server_config *cfg = sv->cfg;
	struct nft_params p;
	struct netlink *nl;
	char egress[IFNAMSIZ], net[INET6_ADDRSTRLEN], table[64], *state;
	char net6[INET6_ADDRSTRLEN + 16];

	nft_table_name(sv->tun_ifname, table, sizeof(table));
	state = server_nat_state_path(sv);
	nft_recover(table, state);
	nft_recover_legacy(sv->tun_ifname);
	if (!cfg->nat_enabled) {
		free(state);
		log_debug("%s: nat_enabled = false, netfilter untouched",
		    __func__);
		return 0;
	}
	if (cfg->egress_interface != NULL)
		snprintf(egress, sizeof(egress), "%s", cfg->egress_interface);
	else {
		if ((nl = netlink_open(cause)) == NULL) {
			free(state);
			return -1;
		}
		if (netlink_default_ifname(nl, egress, cause) == -1) {
			netlink_close(nl);
			free(state);
			return -1;
		}
		netlink_close(nl);
	}
	memset(&p, 0, sizeof(p));
	p.table = table;
	p.range = cfg->dhcp_range.addr;
	p.prefix = cfg->dhcp_range.prefix;
	p.tun_name = sv->tun_ifname;
	p.egress = egress;
	p.mtu = cfg->mtu;
	p.masquerade = true;
	p.client_to_client = cfg->client_to_client;
	p.state_path = state;
	if (cfg->dhcp_range6.prefix != 0) {
		p.range6 = cfg->dhcp_range6.addr;
		p.prefix6 = cfg->dhcp_range6.prefix;
	}
	sv->nft = nft_install(&p, cause);
	free(state);
	if (sv->nft == NULL)
		return -1;
	if (p.prefix6 != 0)
		snprintf(net6, sizeof(net6), " and %s/%u",
		    ipaddr_str6(&p.range6, net, sizeof(net)), p.prefix6);
	else
		net6[0] = '\0';
	log_info("NAT enabled: masquerading %s/%u%s out of %s",
	    ipaddr_str4(p.range, net, sizeof(net)), p.prefix, net6, egress);
	return 0;
}

/* Reload: client_to_client changed the tunnel-to-tunnel rule. */
int
server_nat_reload(struct server *sv, const struct server_config *nc,
    char **cause)
{
	if (sv->nft == NULL || nc->client_to_client ==
	    sv->cfg->client_to_client)
		return 0;
	return nft_reconfigure(sv->nft, nc->client_to_client, cause);
}

/* Remove the table and restore ip_forward. */
void
server_nat_stop(struct server *sv)
{
	nft_remove(sv->nft);
	sv->nft = NULL;
}
