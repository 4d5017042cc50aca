/* SPDX-License-Identifier: ISC */
/*
 * The authorized-clients file: [client.NAME] sections with public_key
 * and optional static address and address6; see rvpn-server.toml(5).
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
	unsigned		*addr6line;
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
	cl->addr6line = xreallocarray(cl->addr6line, i, sizeof(unsigned));
	memset(&sc->clients[i - 1], 0, sizeof(sc->clients[i - 1]));
	sc->clients[i - 1].name = xstrdup(cn);
	cl->line[i - 1] = ctx->line;
	cl->publine[i - 1] = 0;
	cl->pubok[i - 1] = false;
	cl->addrline[i - 1] = 0;
	cl->addr6line[i - 1] = 0;
	sc->nclients = i;
	return true;
}

/* address6: inside dhcp_range6, not host 0 or 1, one key's only. */
static void
cfg_clients_addr6(struct cfg_ctx *ctx, struct cfg_clients *cl,
    struct config_client *c, unsigned idx, const char *name, const char *s)
{
	struct server_config *sc = cl->sc;
	const struct config_cidr6 *r = &sc->dhcp_range6;
	struct in6_addr a, gw;
	char buf[INET6_ADDRSTRLEN];
	unsigned i;

	if (!ipaddr_parse6(s, &a)) {
		cfg_keyerr(ctx, name, s, "not an IPv6 address");
		return;
	}
	if (r->prefix == 0) {
		cfg_keyerr(ctx, name, s, "dhcp_range6 is not set in %s",
		    sc->path != NULL ? sc->path : "the server configuration");
		return;
	}
	if (!ipaddr_in_cidr6(&a, &r->addr, r->prefix)) {
		cfg_keyerr(ctx, name, s, "outside dhcp_range6 %s/%u",
		    ipaddr_str6(&r->addr, buf, sizeof(buf)), r->prefix);
		return;
	}
	gw = r->addr;
	gw.s6_addr[15] |= 1;
	if (memcmp(&a, &r->addr, sizeof(a)) == 0 ||
	    memcmp(&a, &gw, sizeof(a)) == 0) {
		cfg_keyerr(ctx, name, s, "the network (anycast) or gateway "
		    "address of dhcp_range6");
		return;
	}
	for (i = 0; i < idx; i++) {
		if (sc->clients[i].has_addr6 &&
		    memcmp(&sc->clients[i].addr6, &a, sizeof(a)) == 0) {
			cfg_keyerr(ctx, name, s, "already the address6 of "
			    "client '%s' (line %u)", sc->clients[i].name,
			    cl->addr6line[i]);
			return;
		}
	}
	c->has_addr6 = true;
	c->addr6 = a;
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
	else if (strcmp(name, "address6") == 0)
		line = &cl->addr6line[idx];
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
	if (line == &cl->addr6line[idx]) {
		cfg_clients_addr6(ctx, cl, c, idx, name, v->s);
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
	free(cl.addr6line);
	cfg_ctx_done(&ctx);
	cfg_errors_join(&ctx, errs);
}

