/* SPDX-License-Identifier: ISC */
/*
 * The schema's setters for values on the wire: listen addresses, the
 * WebSocket path, address pools, prefixes and ports, DNS servers, routes,
 * URLs, the decoy upstream, header and SNI names, the server key.  The
 * key tables that name them are in config-keys.c.
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

/*
 * A listen address, "ADDRESS[:PORT]" with dport when the port is left
 * out, an IP address and not a name: the text and its two parts stored
 * in the three fields given.  eg is the example the error names.
 */
static bool
cfg_set_listen(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v, uint16_t dport, const char *eg,
    char **text, char **hostp, uint16_t *portp)
{
	struct in6_addr a6;
	const char *why;
	char *host;
	uint16_t port;

	if (!ipaddr_parse_hostport_why(v->s, &host, &port, dport, &why)) {
		cfg_keyerr(ctx, k->name, v->s, "%s", why);
		return false;
	}
	if (inet_pton(AF_INET, host, &a6) != 1 &&
	    inet_pton(AF_INET6, host, &a6) != 1) {
		free(host);
		cfg_keyerr(ctx, k->name, v->s, "not an IP address (e.g. %s)",
		    eg);
		return false;
	}
	free(*text);
	free(*hostp);
	*text = xstrdup(v->s);
	*hostp = host;
	*portp = port;
	return true;
}

/* bind_address: "ADDRESS[:PORT]" (443). */
bool
cfg_set_bind(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct server_config *sc = ctx->obj;

	return cfg_set_listen(ctx, k, v, 443, "0.0.0.0:443 or [::]:443",
	    &sc->bind_address, &sc->bind_host, &sc->bind_port);
}

/* socks_listen: "ADDRESS[:PORT]" (1080). */
bool
cfg_set_socks(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct client_config *cc = ctx->obj;

	return cfg_set_listen(ctx, k, v, 1080, "127.0.0.1:1080 or [::1]:1080",
	    &cc->socks_listen, &cc->socks_host, &cc->socks_port);
}

/* admin_listen: "ADDRESS[:PORT]" (9190). */
bool
cfg_set_admin(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct server_config *sc = ctx->obj;

	return cfg_set_listen(ctx, k, v, 9190, "127.0.0.1:9190",
	    &sc->admin_listen, &sc->admin_host, &sc->admin_port);
}

/* node_name: 1..63 of letters, digits, '.', '_', '-' (a metrics label). */
bool
cfg_set_node(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	size_t len = strlen(v->s);

	if (len == 0 || len > 63 || strspn(v->s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != len) {
		cfg_keyerr(ctx, k->name, v->s, "must be 1..63 letters, digits, "
		    "'.', '_' or '-'");
		return false;
	}
	return cfg_set_str(ctx, k, v);
}

/*
 * Normalise a WebSocket path; NULL with *problem (written into pbuf) if
 * it holds a character outside RFC 3986 pchar or a dot segment.
 */
static char *
cfg_ws_path(const char *s, char *pbuf, size_t plen)
{
	static const char ok[] = "-._~!$&'()*+,;=:@/";
	char *out, *seg;
	size_t n = 0, len;
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(ok, *p) != NULL)) {
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				snprintf(pbuf, plen, "invalid character "
				    "0x%02x in path", (unsigned char)*p);
			else
				snprintf(pbuf, plen, "invalid character '%c' "
				    "in path", *p);
			return NULL;
		}
	}
	out = xmalloc(strlen(s) + 2);
	out[n++] = '/';
	for (p = s; *p != '\0'; p++) {
		if (*p == '/' && out[n - 1] == '/')
			continue;	/* never doubled */
		out[n++] = *p;
	}
	out[n] = '\0';
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	if (n >= 4 && strcmp(out + n - 4, "/tun") == 0) {
		n -= 4;
		out[n] = '\0';
	}
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	if (n == 0) {
		out[n++] = '/';
		out[n] = '\0';
	}
	for (seg = out; seg != NULL; seg = strchr(seg + 1, '/')) {
		len = strcspn(seg + 1, "/");
		if ((len == 1 && seg[1] == '.') ||
		    (len == 2 && seg[1] == '.' && seg[2] == '.')) {
			snprintf(pbuf, plen, "'.' and '..' segments are not "
			    "allowed");
			free(out);
			return NULL;
		}
	}
	return out;
}

char *
config_normalise_ws_path(const char *s)
{
	char why[64];

	return cfg_ws_path(s, why, sizeof(why));
}

/* The path "/tun" is appended to, never producing "//tun". */
static char *
cfg_tun_path(const char *path)
{
	char *t;

	xasprintf(&t, "%s/tun", strcmp(path, "/") == 0 ? "" : path);
	return t;
}

bool
cfg_set_ws_path(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct server_config *sc = ctx->obj;
	char why[64], *path;

	if (v->s[0] == '\0' || (path = cfg_ws_path(v->s, why,
	    sizeof(why))) == NULL) {
		cfg_keyerr(ctx, k->name, v->s, "%s",
		    v->s[0] == '\0' ? "must not be empty" : why);
		return false;
	}
	free(sc->websocket_path);
	free(sc->tun_path);
	sc->websocket_path = path;
	sc->tun_path = cfg_tun_path(path);
	return true;
}

bool
cfg_set_range(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct config_cidr4 *c = CFG_FIELD(ctx, k, struct config_cidr4);
	struct in_addr a, net;
	const char *why;
	char buf[INET_ADDRSTRLEN];
	uint8_t prefix;

	if (!ipaddr_parse_cidr4_why(v->s, &a, &prefix, true, &why)) {
		if (strncmp(why, "prefix", 6) == 0)
			why = "prefix length must be 8..30";
		cfg_keyerr(ctx, k->name, v->s, "%s", why);
		return false;
	}
	if (prefix < 8 || prefix > 30) {
		cfg_keyerr(ctx, k->name, v->s, "prefix length must be 8..30");
		return false;
	}
	net.s_addr = a.s_addr & ipaddr_mask4(prefix);
	if (net.s_addr != a.s_addr) {
		cfg_keyerr(ctx, k->name, v->s, "host bits set (the network is "
		    "%s/%u)", ipaddr_str4(net, buf, sizeof(buf)), prefix);
		return false;
	}
	c->addr = net;
	c->prefix = prefix;
	return true;
}

/* dhcp_range6: an IPv6 network of prefix length 64..126. */
bool
cfg_set_range6(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct config_cidr6 *c = CFG_FIELD(ctx, k, struct config_cidr6), tmp;
	struct in6_addr a, net;
	const char *why;
	char buf[INET6_ADDRSTRLEN];
	uint8_t prefix;

	if (!ipaddr_parse_cidr6_why(v->s, &a, &prefix, true, &why)) {
		if (strncmp(why, "prefix", 6) == 0)
			why = "prefix length must be 64..126";
		cfg_keyerr(ctx, k->name, v->s, "%s", why);
		return false;
	}
	if (prefix < 64 || prefix > 126) {
		cfg_keyerr(ctx, k->name, v->s, "prefix length must be 64..126");
		return false;
	}
	net = a;
	ipaddr_net6(&net, prefix);
	if (memcmp(&net, &a, sizeof(a)) != 0) {
		cfg_keyerr(ctx, k->name, v->s, "host bits set (the network is "
		    "%s/%u)", ipaddr_str6(&net, buf, sizeof(buf)), prefix);
		return false;
	}
	memset(&tmp, 0, sizeof(tmp));	/* compared byte for byte */
	tmp.addr = net;
	tmp.prefix = prefix;
	*c = tmp;
	return true;
}

/* Too many array elements for the key? */
static bool
cfg_check_count(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	if (v->nitems > (unsigned)k->max) {
		cfg_keyerr(ctx, k->name, NULL, "too many entries (%u), at most "
		    "%lld", v->nitems, k->max);
		return false;
	}
	return true;
}

/*
 * relay_allow, relay_deny: prefixes of either family.  trusted_proxies:
 * addresses (a /32 or /128) or prefixes of either family, host bits zero.
 */
bool
cfg_set_prefixes(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct config_prefix *c = CFG_FIELD(ctx, k, struct config_prefix);
	struct config_prefix tmp[CONFIG_MAX_RELAY_PREFIXES];
	unsigned *n = (unsigned *)((char *)ctx->obj + k->noff), i;
	const char *why, *s;
	bool ok = true, good, proxies;
	bool v6;

	proxies = strcmp(k->name, "trusted_proxies") == 0;
	if (!cfg_check_count(ctx, k, v))
		return false;
	memset(tmp, 0, sizeof(tmp));
	for (i = 0; i < v->nitems; i++) {
		s = v->items[i];
		v6 = strchr(s, ':') != NULL;
		tmp[i].family = v6 ? AF_INET6 : AF_INET;
		if (proxies && strchr(s, '/') == NULL) {
			tmp[i].prefix = v6 ? 128 : 32;
			good = v6 ? ipaddr_parse6(s, &tmp[i].addr6) :
			    ipaddr_parse4(s, &tmp[i].addr4);
			why = v6 ? "not an IPv6 address" :
			    "not an IPv4 address";
		} else if (!v6)
			good = ipaddr_parse_cidr4_why(s, &tmp[i].addr4,
			    &tmp[i].prefix, !proxies, &why);
		else
			good = ipaddr_parse_cidr6_why(s, &tmp[i].addr6,
			    &tmp[i].prefix, !proxies, &why);
		if (!good) {
			cfg_keyerr(ctx, k->name, s, "%s", why);
			ok = false;
		}
	}
	if (!ok)
		return false;
	memset(c, 0, (size_t)k->max * sizeof(*c));
	memcpy(c, tmp, v->nitems * sizeof(*c));
	*n = v->nitems;
	return true;
}

/*
 * Is the address (AF_INET: struct in_addr, AF_INET6: struct in6_addr) in
 * one of the n prefixes?  An IPv4-mapped IPv6 address (a dual-stack
 * listener's IPv4 peer) is also matched as the IPv4 address it is.
 */
bool
config_in_prefixes(const struct config_prefix *l, unsigned n, int af,
    const void *addr)
{
	const struct in6_addr *a6 = NULL;
	struct in_addr a4;
	bool has4 = false;
	unsigned i;

	if (af == AF_INET) {
		memcpy(&a4, addr, sizeof(a4));
		has4 = true;
	} else if (af == AF_INET6) {
		a6 = addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			memcpy(&a4, &a6->s6_addr[12], sizeof(a4));
			has4 = true;
		}
	} else
		return false;
	for (i = 0; i < n; i++) {
		if (l[i].family == AF_INET && has4 &&
		    ipaddr_in_cidr4(a4, l[i].addr4, l[i].prefix))
			return true;
		if (l[i].family == AF_INET6 && a6 != NULL &&
		    ipaddr_in_cidr6(a6, &l[i].addr6, l[i].prefix))
			return true;
	}
	return false;
}

/* The same for a socket address. */
bool
config_in_prefixes_sa(const struct config_prefix *l, unsigned n,
    const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return config_in_prefixes(l, n, AF_INET,
		    &((const struct sockaddr_in *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6)
		return config_in_prefixes(l, n, AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

/* relay_ports: "443" or "8000-8999", 1..65535. */
bool
cfg_set_ports(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct config_ports *c = CFG_FIELD(ctx, k, struct config_ports);
	struct config_ports tmp[CONFIG_MAX_RELAY_PREFIXES];
	unsigned *n = (unsigned *)((char *)ctx->obj + k->noff), i;
	unsigned long lo, hi;
	char *end;
	bool ok = true;

	if (!cfg_check_count(ctx, k, v))
		return false;
	memset(tmp, 0, sizeof(tmp));
	for (i = 0; i < v->nitems; i++) {
		const char *p = v->items[i];

		lo = hi = 0;
		end = NULL;
		if (*p >= '0' && *p <= '9') {
			lo = hi = strtoul(p, &end, 10);
			if (*end == '-' && end[1] >= '0' && end[1] <= '9')
				hi = strtoul(end + 1, &end, 10);
		}
		if (end == NULL || *end != '\0' || lo < 1 || hi > 65535 ||
		    lo > hi) {
			cfg_keyerr(ctx, k->name, p, "must be a port or a "
			    "range of ports, 1..65535 (\"443\", \"8000-8999\")");
			ok = false;
			continue;
		}
		tmp[i].lo = (uint16_t)lo;
		tmp[i].hi = (uint16_t)hi;
	}
	if (!ok)
		return false;
	memset(c, 0, CONFIG_MAX_RELAY_PREFIXES * sizeof(*c));
	memcpy(c, tmp, v->nitems * sizeof(*c));
	*n = v->nitems;
	return true;
}

bool
cfg_set_dns(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct server_config *sc = ctx->obj;
	struct in_addr *a = CFG_FIELD(ctx, k, struct in_addr), tmp[CONFIG_MAX_DNS];
	struct in6_addr tmp6[CONFIG_MAX_DNS];
	unsigned *n = (unsigned *)((char *)ctx->obj + k->noff), i, n4 = 0;
	unsigned n6 = 0;
	bool ok = true;

	if (!cfg_check_count(ctx, k, v))
		return false;
	/* IPv4 and IPv6 (pushed to clients in that order, each in turn). */
	for (i = 0; i < v->nitems; i++) {
		if (ipaddr_parse4(v->items[i], &tmp[n4]))
			n4++;
		else if (ipaddr_parse6(v->items[i], &tmp6[n6]))
			n6++;
		else {
			cfg_keyerr(ctx, k->name, v->items[i],
			    "not an IP address");
			ok = false;
		}
	}
	if (!ok)
		return false;
	memset(a, 0, CONFIG_MAX_DNS * sizeof(*a));
	memcpy(a, tmp, n4 * sizeof(*a));
	*n = n4;
	memset(sc->dns_servers6, 0, sizeof(sc->dns_servers6));
	memcpy(sc->dns_servers6, tmp6, n6 * sizeof(*tmp6));
	sc->ndns_servers6 = n6;
	return true;
}

/* routes (the server's pushed, the client's own): prefixes, mixed families. */
bool
cfg_set_cidrs(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct config_cidr4 *c = CFG_FIELD(ctx, k, struct config_cidr4);
	struct config_cidr4 tmp[CONFIG_MAX_ROUTES];
	unsigned *n = (unsigned *)((char *)ctx->obj + k->noff), i;
	bool ok = true;
	struct config_cidr6 *r6;
	unsigned *nr6;
	struct config_cidr6 tmp6[CONFIG_MAX_ROUTES];
	unsigned n4 = 0, n6 = 0;
	const char *why;

	if (!cfg_check_count(ctx, k, v))
		return false;
	memset(tmp6, 0, sizeof(tmp6));
	for (i = 0; i < v->nitems; i++) {
		if (strchr(v->items[i], ':') == NULL) {
			if (!ipaddr_parse_cidr4_why(v->items[i],
			    &tmp[n4].addr, &tmp[n4].prefix, false, &why)) {
				cfg_keyerr(ctx, k->name, v->items[i], "%s",
				    why);
				ok = false;
			} else
				n4++;
		} else if (!ipaddr_parse_cidr6_why(v->items[i],
		    &tmp6[n6].addr, &tmp6[n6].prefix, false, &why)) {
			cfg_keyerr(ctx, k->name, v->items[i], "%s", why);
			ok = false;
		} else
			n6++;
	}
	if (!ok)
		return false;
	if (ctx->keys == cfg_server_schema.keys) {
		r6 = ((struct server_config *)ctx->obj)->routes6;
		nr6 = &((struct server_config *)ctx->obj)->nroutes6;
	} else {
		r6 = ((struct client_config *)ctx->obj)->routes6;
		nr6 = &((struct client_config *)ctx->obj)->nroutes6;
	}
	memcpy(c, tmp, n4 * sizeof(*c));
	*n = n4;
	memcpy(r6, tmp6, sizeof(tmp6));
	*nr6 = n6;
	return true;
}

/* Parse a server URL into cc; false with a static or pbuf problem. */
static bool
cfg_url(struct client_config *cc, const char *url, char *pbuf, size_t plen)
{
	const char *p, *auth, *why;
	char *hostport, *host, *path;
	uint16_t port;
	size_t alen;
	bool tls;

	if (strncasecmp(url, "wss://", 6) == 0) {
		tls = true;
		auth = url + 6;
	} else if (strncasecmp(url, "ws://", 5) == 0) {
		tls = false;
		auth = url + 5;
	} else {
		snprintf(pbuf, plen, "must start with wss:// or ws://");
		return false;
	}
	alen = strcspn(auth, "/?#");
	p = auth + alen;
	if (*p == '?' || *p == '#' || strchr(p, '?') || strchr(p, '#')) {
		snprintf(pbuf, plen, "a query or fragment is not supported");
		return false;
	}
	hostport = xmalloc(alen + 1);
	memcpy(hostport, auth, alen);
	hostport[alen] = '\0';
	if (strchr(hostport, '@') != NULL) {
		free(hostport);
		snprintf(pbuf, plen, "user information is not supported");
		return false;
	}
	if (!ipaddr_parse_hostport_why(hostport, &host, &port,
	    tls ? 443 : 80, &why)) {
		free(hostport);
		snprintf(pbuf, plen, "%s", why);
		return false;
	}
	free(hostport);
	if (*p == '\0')
		path = xstrdup("/api/v1/ws");
	else if ((path = cfg_ws_path(p, pbuf, plen)) == NULL) {
		free(host);
		return false;
	}
	free(cc->server_url);
	free(cc->url_host);
	free(cc->url_path);
	free(cc->tun_path);
	cc->server_url = xstrdup(url);
	cc->url_tls = tls;
	cc->url_host = host;
	cc->url_port = port;
	cc->url_path = path;
	cc->tun_path = cfg_tun_path(path);
	return true;
}

/* decoy_upstream: "http://HOST[:PORT]" with at most a "/" after it. */
bool
cfg_set_upstream(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	const char *p = v->s + 7, *end, *colon;
	char **field = CFG_FIELD(ctx, k, char *);
	long port;
	char *e;

	if (strncmp(v->s, "http://", 7) != 0) {
		cfg_keyerr(ctx, k->name, v->s, "must be http://HOST[:PORT] "
		    "(plain HTTP to a local site)");
		return false;
	}
	end = p + strcspn(p, "/?#");
	if (*end != '\0' && strcmp(end, "/") != 0) {
		cfg_keyerr(ctx, k->name, v->s, "no path or query allowed");
		return false;
	}
	colon = *p == '[' ? memchr(p, ']', end - p) : p;
	if (colon == NULL) {
		cfg_keyerr(ctx, k->name, v->s, "unclosed '['");
		return false;
	}
	colon = memchr(colon, ':', end - colon);
	if (p == end || colon == p) {
		cfg_keyerr(ctx, k->name, v->s, "no host");
		return false;
	}
	if (colon != NULL) {
		port = strtol(colon + 1, &e, 10);
		if (e != end || e == colon + 1 || port < 1 || port > 65535) {
			cfg_keyerr(ctx, k->name, v->s, "port must be 1..65535");
			return false;
		}
	}
	free(*field);
	*field = xstrdup(v->s);
	return true;
}

/* server_header: printable ASCII, as an HTTP header value. */
bool
cfg_set_header(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	const char *p;

	for (p = v->s; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e) {
			cfg_keyerr(ctx, k->name, v->s, "printable ASCII only");
			return false;
		}
	}
	if (strlen(v->s) > 200) {
		cfg_keyerr(ctx, k->name, v->s, "longer than 200 characters");
		return false;
	}
	return cfg_set_str(ctx, k, v);
}

/* sni: a DNS name (letters, digits, '-', '.'), not an address. */
bool
cfg_set_sni(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct in_addr a;

	if (strlen(v->s) > 253 || strspn(v->s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != strlen(v->s) ||
	    v->s[0] == '.' || v->s[0] == '-' || strstr(v->s, "..") != NULL) {
		cfg_keyerr(ctx, k->name, v->s, "must be a DNS name");
		return false;
	}
	if (inet_pton(AF_INET, v->s, &a) == 1) {
		cfg_keyerr(ctx, k->name, v->s, "an address is never sent in "
		    "SNI: a DNS name");
		return false;
	}
	return cfg_set_str(ctx, k, v);
}

bool
cfg_set_url(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	char why[96];

	if (!cfg_url(ctx->obj, v->s, why, sizeof(why))) {
		cfg_keyerr(ctx, k->name, v->s, "%s", why);
		return false;
	}
	return true;
}

/* servers: URLs tried in turn; the first is also server_url. */
bool
cfg_set_servers(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct client_config *cc = ctx->obj, scratch;
	char why[96];
	unsigned i;
	bool ok = true;

	if (!cfg_check_count(ctx, k, v))
		return false;
	for (i = 0; i < v->nitems; i++) {
		memset(&scratch, 0, sizeof(scratch));
		if (!cfg_url(&scratch, v->items[i], why, sizeof(why))) {
			cfg_keyerr(ctx, k->name, v->items[i], "%s", why);
			ok = false;
		}
		free(scratch.server_url);
		free(scratch.url_host);
		free(scratch.url_path);
		free(scratch.tun_path);
	}
	if (!ok)
		return false;
	for (i = 0; i < cc->nservers; i++)
		free(cc->servers[i]);
	for (i = 0; i < v->nitems; i++)
		cc->servers[i] = xstrdup(v->items[i]);
	cc->nservers = v->nitems;
	if (v->nitems > 0)
		(void)cfg_url(cc, cc->servers[0], why, sizeof(why));
	return true;
}

bool
client_config_use_server(struct client_config *cc, unsigned i)
{
	char why[96];

	if (i >= cc->nservers)
		return false;
	return cfg_url(cc, cc->servers[i], why, sizeof(why));
}

bool
cfg_set_server_key(struct cfg_ctx *ctx, const struct cfg_key *k,
    const struct toml_value *v)
{
	struct client_config *cc = ctx->obj;

	if (!key_from_base64(v->s, cc->server_key)) {
		cfg_keyerr(ctx, k->name, v->s, "not a key (expected 44 base64 "
		    "characters)");
		return false;
	}
	cc->has_server_key = true;
	return true;
}
