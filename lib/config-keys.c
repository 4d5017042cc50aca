/* SPDX-License-Identifier: ISC */
/*
 * The schema of server.toml and client.toml: one typed setter per kind
 * of value and the key tables that name, for each key, its section,
 * type, default, limits, field, setter and reload scope.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "config.h"
#include "config-int.h"
#include "ipaddr.h"
#include "key.h"
#include "log.h"
#include "xmalloc.h"

static bool
cfg_set_bool(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	*CFG_FIELD(ctx, k, bool) = v->b;
	return true;
}

static bool
cfg_set_uint(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	if (v->i < k->min || v->i > k->max) {
		cfg_keyerr(ctx, k->name, v->s, "must be %lld..%lld", k->min,
		    k->max);
		return false;
	}
	*CFG_FIELD(ctx, k, unsigned) = (unsigned)v->i;
	return true;
}

bool
cfg_set_str(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	char **field = CFG_FIELD(ctx, k, char *);

	if (v->s[0] == '\0') {
		cfg_keyerr(ctx, k->name, v->s, "must not be empty");
		return false;
	}
	free(*field);
	*field = xstrdup(v->s);
	return true;
}

/* socks_username: 1..255 bytes (RFC 1929 ULEN). */
static bool
cfg_set_socks_user(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	if (strlen(v->s) > 255) {
		cfg_keyerr(ctx, k->name, v->s, "must be 1..255 bytes");
		return false;
	}
	return cfg_set_str(ctx, k, v);
}

/* A path; relative ones are taken from the config file's directory. */
static bool
cfg_set_path(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	char **field = CFG_FIELD(ctx, k, char *);

	if (v->s[0] == '\0' || v->s[0] == '/' || ctx->dir == NULL)
		return cfg_set_str(ctx, k, v);
	free(*field);
	xasprintf(field, "%s%s%s", ctx->dir,
	    ctx->dir[strlen(ctx->dir) - 1] == '/' ? "" : "/", v->s);
	return true;
}

/*
 * A directory to chroot to: a path as cfg_set_path makes it, which must
 * be absolute (it is unless the working directory is unknown) and an
 * existing directory.
 */
static bool
cfg_set_chroot(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	char **field = CFG_FIELD(ctx, k, char *);
	struct stat st;

	if (!cfg_set_path(ctx, k, v))
		return false;
	if ((*field)[0] != '/')
		cfg_patherr(ctx, k->name, *field, "not an absolute path");
	else if (stat(*field, &st) == -1)
		cfg_patherr(ctx, k->name, *field, "%s", errno == ENOENT ?
		    "no such directory" : strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		cfg_patherr(ctx, k->name, *field, "not a directory");
	else
		return true;
	free(*field);
	*field = NULL;
	return false;
}

static bool
cfg_set_socket(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct sockaddr_un sun;
	char **field = CFG_FIELD(ctx, k, char *);

	if (!cfg_set_path(ctx, k, v))
		return false;
	if (strlen(*field) >= sizeof(sun.sun_path)) {
		cfg_keyerr(ctx, k->name, *field, "too long for a UNIX socket "
		    "path (at most %zu bytes)", sizeof(sun.sun_path) - 1);
		return false;
	}
	return true;
}

static bool
cfg_set_log_level(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	if (!log_level_parse(v->s, CFG_FIELD(ctx, k, enum log_level))) {
		cfg_keyerr(ctx, k->name, v->s,
		    "must be error, warn, info, debug or trace");
		return false;
	}
	return true;
}

/* An interface name as Linux accepts it (dev_valid_name). */
static bool
cfg_set_ifname(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	size_t len = strlen(v->s);
	const char *p;

	for (p = v->s; *p != '\0'; p++) {
		if (*p == '/' || *p == ':' || (unsigned char)*p <= ' ' ||
		    *p == 0x7f)
			break;
	}
	if (len == 0 || len >= IFNAMSIZ || *p != '\0' ||
	    strcmp(v->s, ".") == 0 || strcmp(v->s, "..") == 0) {
		cfg_keyerr(ctx, k->name, v->s, "must be 1..%d characters "
		    "without '/', ':' or spaces", IFNAMSIZ - 1);
		return false;
	}
	return cfg_set_str(ctx, k, v);
}

/* ---- key tables -------------------------------------------------------- */

/*
 * { section, key, TOML type, default, min, max, field, count field,
 *   setter, reload scope, .store = how reload compares the field,
 *   .also = fields the setter derives from it }.  The scope is the
 * server's whole reload policy (server_config_keep_restart); test-reload
 * holds it to rvpn-server.toml(5) RELOAD.  Client keys: no reload.
 */

/* A field: its offset and size; N: an array's count field. */
#define S(f)	offsetof(struct server_config, f), \
		sizeof(((struct server_config *)NULL)->f)
#define C(f)	offsetof(struct client_config, f), \
		sizeof(((struct client_config *)NULL)->f)
#define SN(f)	offsetof(struct server_config, f)
#define CN(f)	offsetof(struct client_config, f)
#define SRV	"server"
#define NET	"server.network"
#define CLI	"client"

static const struct cfg_key server_keys[] = {
	{ SRV, "bind_address", TOML_STRING, "0.0.0.0:443", 0, 0,
	    S(bind_address), 0, cfg_set_bind, CFG_RESTART,
	    .store = CFG_ST_STR, .also = { { S(bind_host) }, { S(bind_port) } } },
	{ SRV, "tls_cert_file", TOML_STRING, NULL, 0, 0,
	    S(tls_cert_file), 0, cfg_set_path, CFG_RELOAD_IF_SET,
	    .store = CFG_ST_STR, .also = { { S(tls_key_file) } } },
	{ SRV, "tls_key_file", TOML_STRING, NULL, 0, 0,
	    S(tls_key_file), 0, cfg_set_path, CFG_RELOAD,
	    .store = CFG_ST_STR },
	{ SRV, "identity_key_file", TOML_STRING,
	    SYSCONFDIR "/rvpn/server_identity.key", 0, 0,
	    S(identity_key_file), 0, cfg_set_path, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ SRV, "websocket_path", TOML_STRING, "/api/v1/ws", 0, 0,
	    S(websocket_path), 0, cfg_set_ws_path, CFG_RESTART,
	    .store = CFG_ST_STR, .also = { { S(tun_path) } } },
	{ SRV, "authorized_clients_file", TOML_STRING, NULL, 0, 0,
	    S(authorized_clients_file), 0, cfg_set_path, CFG_RELOAD,
	    .store = CFG_ST_STR },
	/* Default: the pool's capacity, at most CFG_POOL_LIMIT (config.c). */
	{ SRV, "max_clients", TOML_INT, NULL, 1, 65534,
	    S(max_clients), 0, cfg_set_uint, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ SRV, "idle_timeout", TOML_INT, "0", 0, 604800,
	    S(idle_timeout), 0, cfg_set_uint, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ SRV, "keepalive", TOML_INT, "25", 0, 3600,
	    S(keepalive), 0, cfg_set_uint, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ SRV, "max_pending_handshakes", TOML_INT, "1024", 0, 1000000,
	    S(max_pending_handshakes), 0, cfg_set_uint, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ SRV, "max_pending_per_source", TOML_INT, "32", 0, 1000000,
	    S(max_pending_per_source), 0, cfg_set_uint, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ SRV, "handshake_rate_per_source", TOML_INT, "20", 0, 1000000,
	    S(handshake_rate_per_source), 0, cfg_set_uint, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ SRV, "log_level", TOML_STRING, "info", 0, 0,
	    S(log_level), 0, cfg_set_log_level, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ SRV, "user", TOML_STRING, NULL, 0, 0,
	    S(user), 0, cfg_set_str, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ SRV, "group", TOML_STRING, NULL, 0, 0,
	    S(group), 0, cfg_set_str, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ SRV, "control_socket", TOML_STRING,
	    RUNSTATEDIR "/rvpn/rvpn-server.sock", 0, 0,
	    S(control_socket), 0, cfg_set_socket, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ SRV, "pid_file", TOML_STRING, RUNSTATEDIR "/rvpn/rvpn-server.pid",
	    0, 0, S(pid_file), 0, cfg_set_path, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ SRV, "chroot", TOML_STRING, NULL, 0, 0,
	    S(chroot_dir), 0, cfg_set_chroot, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ SRV, "trusted_proxies", TOML_ARRAY, "", 0, CONFIG_MAX_PROXIES,
	    S(trusted_proxies), SN(ntrusted_proxies), cfg_set_prefixes,
	    CFG_RELOAD, .store = CFG_ST_BYTES },
	{ SRV, "decoy_root", TOML_STRING, NULL, 0, 0,
	    S(decoy_root), 0, cfg_set_path, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ SRV, "decoy_upstream", TOML_STRING, NULL, 0, 0,
	    S(decoy_upstream), 0, cfg_set_upstream, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ SRV, "server_header", TOML_STRING, NULL, 0, 0,
	    S(server_header), 0, cfg_set_header, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ SRV, "proxy_protocol", TOML_BOOL, "false", 0, 0,
	    S(proxy_protocol), 0, cfg_set_bool, CFG_RESTART,
	    .store = CFG_ST_BYTES },
	{ SRV, "admin_listen", TOML_STRING, NULL, 0, 0,
	    S(admin_listen), 0, cfg_set_admin, CFG_RESTART,
	    .store = CFG_ST_STR, .also = { { S(admin_host) }, { S(admin_port) } } },
	{ SRV, "node_name", TOML_STRING, NULL, 0, 0,
	    S(node_name), 0, cfg_set_node, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ SRV, "drain_kick_spread", TOML_INT, "60", 0, 3600,
	    S(drain_kick_spread), 0, cfg_set_uint, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ SRV, "relay", TOML_BOOL, "true", 0, 0,
	    S(relay), 0, cfg_set_bool, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ SRV, "relay_max_streams", TOML_INT, "256", 1, 65535,
	    S(relay_max_streams), 0, cfg_set_uint, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ SRV, "relay_allow", TOML_ARRAY, "", 0, CONFIG_MAX_RELAY_PREFIXES,
	    S(relay_allow), SN(nrelay_allow), cfg_set_prefixes, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ SRV, "relay_deny", TOML_ARRAY, "", 0, CONFIG_MAX_RELAY_PREFIXES,
	    S(relay_deny), SN(nrelay_deny), cfg_set_prefixes, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ SRV, "relay_ports", TOML_ARRAY, "", 0, CONFIG_MAX_RELAY_PREFIXES,
	    S(relay_ports), SN(nrelay_ports), cfg_set_ports, CFG_RELOAD,
	    .store = CFG_ST_BYTES },

	{ NET, "nat_enabled", TOML_BOOL, "false", 0, 0,
	    S(nat_enabled), 0, cfg_set_bool, CFG_RESTART,
	    .store = CFG_ST_BYTES },
	{ NET, "dhcp_range", TOML_STRING, "10.200.0.0/24", 0, 0,
	    S(dhcp_range), 0, cfg_set_range, CFG_RESTART,
	    .store = CFG_ST_CIDR4 },
	{ NET, "dhcp_range6", TOML_STRING, NULL, 0, 0,
	    S(dhcp_range6), 0, cfg_set_range6, CFG_RESTART,
	    .store = CFG_ST_BYTES },
	{ NET, "dns_servers", TOML_ARRAY, "", 0, CONFIG_MAX_DNS,
	    S(dns_servers), SN(ndns_servers), cfg_set_dns, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ NET, "tun_name", TOML_STRING, "tun0", 0, 0,
	    S(tun_name), 0, cfg_set_ifname, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ NET, "mtu", TOML_INT, "1400", 576, 9000,
	    S(mtu), 0, cfg_set_uint, CFG_RESTART,
	    .store = CFG_ST_BYTES },
	{ NET, "client_to_client", TOML_BOOL, "false", 0, 0,
	    S(client_to_client), 0, cfg_set_bool, CFG_RELOAD,
	    .store = CFG_ST_BYTES },
	{ NET, "egress_interface", TOML_STRING, NULL, 0, 0,
	    S(egress_interface), 0, cfg_set_ifname, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ NET, "routes", TOML_ARRAY, "", 0, CONFIG_MAX_ROUTES,
	    S(routes), SN(nroutes), cfg_set_cidrs, CFG_RELOAD,
	    .store = CFG_ST_CIDR4 },
};
static const char *const server_sections[] = { SRV, NET, NULL };

static const struct cfg_key client_keys[] = {
	{ CLI, "server_url", TOML_STRING, NULL, 0, 0,
	    C(server_url), 0, cfg_set_url, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ CLI, "servers", TOML_ARRAY, "", 0, CONFIG_MAX_SERVERS,
	    C(servers), CN(nservers), cfg_set_servers, CFG_RESTART,
	    .store = CFG_ST_BYTES },
	{ CLI, "server_public_key", TOML_STRING, NULL, 0, 0,
	    C(server_key), 0, cfg_set_server_key, CFG_RESTART,
	    .store = CFG_ST_BYTES },
	{ CLI, "identity_key_file", TOML_STRING,
	    SYSCONFDIR "/rvpn/client.key", 0, 0,
	    C(identity_key_file), 0, cfg_set_path, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ CLI, "ca_file", TOML_STRING, NULL, 0, 0,
	    C(ca_file), 0, cfg_set_path, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ CLI, "sni", TOML_STRING, NULL, 0, 0,
	    C(sni), 0, cfg_set_sni, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ CLI, "insecure", TOML_BOOL, "false", 0, 0,
	    C(insecure), 0, cfg_set_bool, CFG_RESTART,
	    .store = CFG_ST_BYTES },
	{ CLI, "routes", TOML_ARRAY, "", 0, CONFIG_MAX_ROUTES,
	    C(routes), CN(nroutes), cfg_set_cidrs, CFG_RESTART,
	    .store = CFG_ST_CIDR4 },
	{ CLI, "dns", TOML_BOOL, "true", 0, 0,
	    C(dns), 0, cfg_set_bool, CFG_RESTART,
	    .store = CFG_ST_BYTES },
	{ CLI, "block_ipv6", TOML_BOOL, "true", 0, 0,
	    C(block_ipv6), 0, cfg_set_bool, CFG_RESTART,
	    .store = CFG_ST_BYTES },
	{ CLI, "tun_name", TOML_STRING, "rvpn0", 0, 0,
	    C(tun_name), 0, cfg_set_ifname, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ CLI, "log_level", TOML_STRING, "info", 0, 0,
	    C(log_level), 0, cfg_set_log_level, CFG_RESTART,
	    .store = CFG_ST_BYTES },
	{ CLI, "reconnect_max", TOML_INT, "60", 1, 3600,
	    C(reconnect_max), 0, cfg_set_uint, CFG_RESTART,
	    .store = CFG_ST_BYTES },
	{ CLI, "socks_listen", TOML_STRING, NULL, 0, 0,
	    C(socks_listen), 0, cfg_set_socks, CFG_RESTART,
	    .store = CFG_ST_STR,
	    .also = { { C(socks_host) }, { C(socks_port) } } },
	{ CLI, "socks_allow_remote", TOML_BOOL, "false", 0, 0,
	    C(socks_allow_remote), 0, cfg_set_bool, CFG_RESTART,
	    .store = CFG_ST_BYTES },
	{ CLI, "socks_username", TOML_STRING, NULL, 0, 0,
	    C(socks_username), 0, cfg_set_socks_user, CFG_RESTART,
	    .store = CFG_ST_STR },
	{ CLI, "socks_password_file", TOML_STRING, NULL, 0, 0,
	    C(socks_password_file), 0, cfg_set_path, CFG_RESTART,
	    .store = CFG_ST_STR },
};
static const char *const client_sections[] = { CLI, NULL };

const struct cfg_schema cfg_server_schema = {
	server_keys, nitems(server_keys), server_sections,
};
const struct cfg_schema cfg_client_schema = {
	client_keys, nitems(client_keys), client_sections,
};

#undef S
#undef C
#undef SN
#undef CN
#undef SRV
#undef NET
#undef CLI

