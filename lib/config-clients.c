/* SPDX-License-Identifier: ISC */
/*
 * The authorized-clients file: [client.NAME] sections with public_key
 * and an optional static address; see rvpn-server.toml(5).
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config-int.h"
#include "ipaddr.h"
#include "key.h"
#include "xmalloc.h"

/* What reading the file needs beyond struct cfg_ctx. */
struct cfg_clients {
	struct server_config	*sc;
	unsigned		*line;		/* section line per client */
	unsigned		*publine;
	bool			*pubok;
	unsigned		*addrline;
	bool			 range_ok;	/* sc->dhcp_range was accepted */
};

static bool
cfg_clients_section(struct cfg_ctx *ctx, const char *name)
{
	struct cfg_clients *cl = ctx->user;
	struct server_config *sc = cl->sc;
	const char *cn;
	unsigned i;

	if (strncmp(name, "client.", 7) != 0 || name[7] == '\0' ||
	    strchr(name + 7, '.') != NULL) {
		cfg_error(ctx, ctx->line, "[%s]: unknown section (expected "
		    "[client.NAME])", name);
		return false;
	}
	cn = name + 7;
	for (i = 0; i < sc->nclients; i++) {
		if (strcmp(sc->clients[i].name, cn) == 0) {
			cfg_error(ctx, ctx->line, "[%s]: duplicate client "
			    "(first at line %u)", name, cl->line[i]);
			return false;
		}
	}
	i = sc->nclients + 1;
	sc->clients = xreallocarray(sc->clients, i, sizeof(*sc->clients));
	cl->line = xreallocarray(cl->line, i, sizeof(unsigned));
	cl->publine = xreallocarray(cl->publine, i, sizeof(unsigned));
	cl->pubok = xreallocarray(cl->pubok, i, sizeof(bool));
	cl->addrline = xreallocarray(cl->addrline, i,
	    sizeof(unsigned));
	memset(&sc->clients[i - 1], 0, sizeof(sc->clients[i - 1]));
	sc->clients[i - 1].name = xstrdup(cn);
	cl->line[i - 1] = ctx->line;
	cl->publine[i - 1] = 0;
	cl->pubok[i - 1] = false;
	cl->addrline[i - 1] = 0;
	sc->nclients = i;
	return true;
}

static void
cfg_clients_key(struct cfg_ctx *ctx, const char *section, const char *name,
    const struct toml_value *v)
{
	struct cfg_clients *cl = ctx->user;
	struct server_config *sc = cl->sc;
	struct config_client *c;
	unsigned *line, idx, i;
	char buf[INET_ADDRSTRLEN];
	struct in_addr a, net, bcast;
	uint32_t mask;

	if (section[0] == '\0' || sc->nclients == 0) {
		cfg_keyerr(ctx, name, NULL, "unknown key (keys belong in a "
		    "[client.NAME] section)");
		return;
	}
	c = &sc->clients[sc->nclients - 1];
	idx = sc->nclients - 1;
	if (strcmp(name, "public_key") == 0)
		line = &cl->publine[idx];
	else if (strcmp(name, "address") == 0)
		line = &cl->addrline[idx];
	else {
		cfg_keyerr(ctx, name, NULL, "unknown key in [%s]", section);
		return;
	}
	if (*line != 0) {
		cfg_keyerr(ctx, name, NULL, "duplicate key (first set at line "
		    "%u)", *line);
		return;
	}
	*line = ctx->keyline;
	if (v->type != TOML_STRING) {
		cfg_keyerr(ctx, name, v->s, "expected a quoted string");
		return;
	}
	if (line == &cl->publine[idx]) {
		if (!key_from_base64(v->s, c->pub)) {
			cfg_keyerr(ctx, name, v->s, "not a key (expected 44 "
			    "base64 characters)");
			return;
		}
		for (i = 0; i < idx; i++) {
			if (cl->pubok[i] &&
			    key_equal(sc->clients[i].pub, c->pub)) {
				cfg_keyerr(ctx, name, v->s, "already the key "
				    "of client '%s' (line %u)",
				    sc->clients[i].name, cl->publine[i]);
				return;
			}
		}
		cl->pubok[idx] = true;
		return;
	}
	if (!ipaddr_parse4(v->s, &a)) {
		cfg_keyerr(ctx, name, v->s, "not an IPv4 address");
		return;
	}
	if (cl->range_ok) {
		mask = ipaddr_mask4(sc->dhcp_range.prefix);
		net = sc->dhcp_range.addr;
		bcast.s_addr = net.s_addr | ~mask;
		if (!ipaddr_in_cidr4(a, net, sc->dhcp_range.prefix)) {
			cfg_keyerr(ctx, name, v->s, "outside dhcp_range %s/%u",
			    ipaddr_str4(net, buf, sizeof(buf)),
			    sc->dhcp_range.prefix);
			return;
		}
		if (a.s_addr == net.s_addr || a.s_addr == bcast.s_addr ||
		    ntohl(a.s_addr) == ntohl(net.s_addr) + 1) {
			cfg_keyerr(ctx, name, v->s, "the network, gateway or "
			    "broadcast address of dhcp_range");
			return;
		}
	}
	for (i = 0; i < idx; i++) {
		if (sc->clients[i].has_addr4 &&
		    sc->clients[i].addr4.s_addr == a.s_addr) {
			cfg_keyerr(ctx, name, v->s, "already the address of "
			    "client '%s' (line %u)", sc->clients[i].name,
			    cl->addrline[i]);
			return;
		}
	}
	c->has_addr4 = true;
	c->addr4 = a;
}

static const struct cfg_ops cfg_clients_ops = {
	cfg_clients_section, cfg_clients_key,
};

/* Load sc->authorized_clients_file into sc->clients; errors into *errs. */
void
cfg_load_clients(struct server_config *sc, bool range_ok, char **errs)
{
	struct cfg_ctx ctx;
	struct cfg_clients cl;
	unsigned i;

	memset(&ctx, 0, sizeof(ctx));
	memset(&cl, 0, sizeof(cl));
	ctx.path = sc->authorized_clients_file;
	ctx.ops = &cfg_clients_ops;
	ctx.user = &cl;
	cl.sc = sc;
	cl.range_ok = range_ok;
	cfg_parse(&ctx);
	for (i = 0; i < sc->nclients; i++) {
		if (cl.publine[i] == 0)
			cfg_error(&ctx, cl.line[i], "[client.%s]: "
			    "public_key is missing", sc->clients[i].name);
	}
	free(cl.line);
	free(cl.publine);
	free(cl.pubok);
	free(cl.addrline);
	cfg_ctx_done(&ctx);
	cfg_errors_join(&ctx, errs);
}

