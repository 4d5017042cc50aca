/* SPDX-License-Identifier: ISC */
/*
 * Loading server.toml and client.toml: error collection, the glue from
 * the TOML reader (toml.c) to the key tables (config-keys.c), and the
 * checks across keys; the authorized-clients file is config-clients.c.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "config.h"
#include "config-int.h"
#include "ipaddr.h"
#include "log.h"
#include "toml.h"
#include "xmalloc.h"

#define CFG_VIS_PATH_LEN (PATH_MAX + 4)	/* a path: whole, or it is no help */
#define CFG_POOL_LIMIT	1024	/* default max_clients cap */
#define CFG_MAX_ERRORS	100	/* reported; the rest are counted */

/* Add one "FILE:LINE: message" (LINE 0: "FILE: message"). */
void
cfg_error(struct cfg_ctx *ctx, unsigned line, const char *fmt, ...)
{
	struct cfg_err *e;
	char *msg;
	va_list ap;

	/* A hostile file must not make us collect (and join) millions. */
	if (ctx->nerrs == CFG_MAX_ERRORS) {
		ctx->ndropped++;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	ctx->errv = xreallocarray(ctx->errv, ctx->nerrs + 1,
	    sizeof(*ctx->errv));
	e = &ctx->errv[ctx->nerrs++];
	e->line = line;
	if (line != 0 && line != CFG_LINE_CMDLINE)
		xasprintf(&e->msg, "%s:%u: %s", ctx->path, line, msg);
	else
		xasprintf(&e->msg, "%s: %s", ctx->path, msg);
	free(msg);
}

/* Copy line and a '\n' to buf at n; the new end. */
static size_t
cfg_append_line(char *buf, size_t n, const char *line)
{
	size_t len = strlen(line);

	memcpy(buf + n, line, len);
	buf[n + len] = '\n';
	return n + len + 1;
}

/*
 * Append ctx's errors, in line order (cross-key checks run after the
 * parse), to *out; frees them.  Linear in the total length.
 */
void
cfg_errors_join(struct cfg_ctx *ctx, char **out)
{
	struct cfg_err tmp;
	unsigned i, j;
	size_t len, n;
	char *all, *more = NULL;

	for (i = 1; i < ctx->nerrs; i++) {	/* stable insertion sort */
		tmp = ctx->errv[i];
		for (j = i; j > 0 && ctx->errv[j - 1].line > tmp.line; j--)
			ctx->errv[j] = ctx->errv[j - 1];
		ctx->errv[j] = tmp;
	}
	if (ctx->ndropped != 0)
		xasprintf(&more, "%s: %u more errors not shown", ctx->path,
		    ctx->ndropped);
	len = *out != NULL ? strlen(*out) + 1 : 0;
	for (i = 0; i < ctx->nerrs; i++)
		len += strlen(ctx->errv[i].msg) + 1;
	if (more != NULL)
		len += strlen(more) + 1;
	if (len != 0) {
		all = xmalloc(len);
		n = 0;
		if (*out != NULL)
			n = cfg_append_line(all, n, *out);
		for (i = 0; i < ctx->nerrs; i++)
			n = cfg_append_line(all, n, ctx->errv[i].msg);
		if (more != NULL)
			n = cfg_append_line(all, n, more);
		all[n - 1] = '\0';	/* the last '\n' */
		free(*out);
		*out = all;
	}
	for (i = 0; i < ctx->nerrs; i++)
		free(ctx->errv[i].msg);
	free(more);
	free(ctx->errv);
	ctx->errv = NULL;
	ctx->nerrs = 0;
	ctx->ndropped = 0;
}

static void
cfg_vkeyerr(struct cfg_ctx *ctx, const char *key, const char *value,
    char *vis, size_t vislen, const char *fmt, va_list ap)
{
	char *msg;

	if (ctx->keyline == 0)
		fatalx("config: default of %s is invalid", key);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	if (value != NULL)
		cfg_error(ctx, ctx->keyline, "%s: '%s': %s", key,
		    toml_vis(value, vis, vislen), msg);
	else
		cfg_error(ctx, ctx->keyline, "%s: %s", key, msg);
	free(msg);
}

void
cfg_keyerr(struct cfg_ctx *ctx, const char *key, const char *value,
    const char *fmt, ...)
{
	char vis[TOML_VIS_LEN];
	va_list ap;

	va_start(ap, fmt);
	cfg_vkeyerr(ctx, key, value, vis, sizeof(vis), fmt, ap);
	va_end(ap);
}

void
cfg_patherr(struct cfg_ctx *ctx, const char *key, const char *path,
    const char *fmt, ...)
{
	char *vis;
	va_list ap;

	vis = xmalloc(CFG_VIS_PATH_LEN);
	va_start(ap, fmt);
	cfg_vkeyerr(ctx, key, path, vis, CFG_VIS_PATH_LEN, fmt, ap);
	va_end(ap);
	free(vis);
}

/* The directory relative paths in the file are taken from. */
static char *
cfg_dir_of(const char *path)
{
	char cwd[PATH_MAX], *dir, *slash;

	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		slash[slash == dir ? 1 : 0] = '\0';
		if (dir[0] == '/')
			return dir;
	} else
		dir[0] = '\0';
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		free(dir);
		return xstrdup(".");
	}
	if (dir[0] == '\0') {
		free(dir);
		return xstrdup(cwd);
	}
	xasprintf(&slash, "%s/%s", cwd, dir);
	free(dir);
	return slash;
}

/* The reader's callbacks: each line number to ctx, then ctx->ops. */
static bool
cfg_toml_section(void *arg, const char *name, unsigned line)
{
	struct cfg_ctx *ctx = arg;

	ctx->line = line;
	return ctx->ops->section(ctx, name);
}

static void
cfg_toml_key(void *arg, const char *section, const char *name,
    const struct toml_value *v, unsigned line)
{
	struct cfg_ctx *ctx = arg;

	ctx->keyline = line;
	ctx->ops->key(ctx, section, name, v);
}

static void
cfg_toml_error(void *arg, unsigned line, const char *msg)
{
	cfg_error(arg, line, "%s", msg);
}

static const struct toml_ops cfg_toml_ops = {
	cfg_toml_section, cfg_toml_key, cfg_toml_error,
};

/* Read and parse one file; errors go to ctx. */
void
cfg_parse(struct cfg_ctx *ctx)
{
	struct stat st;
	FILE *f;

	ctx->dir = cfg_dir_of(ctx->path);
	if ((f = fopen(ctx->path, "re")) == NULL) {
		cfg_error(ctx, 0, "%s", strerror(errno));
		return;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
		cfg_error(ctx, 0, "%s", strerror(EISDIR));
	else {
		ctx->opened = true;
		if (toml_read(f, &cfg_toml_ops, ctx) == -1)
			cfg_error(ctx, 0, "read error: %s", strerror(errno));
	}
	fclose(f);
}

void
cfg_ctx_done(struct cfg_ctx *ctx)
{
	free(ctx->dir);
	ctx->dir = NULL;
	free(ctx->seen);
	ctx->seen = NULL;
	free(ctx->bad);
	ctx->bad = NULL;
}

/* Apply every default through the same setters the file uses. */
static void
cfg_defaults(struct cfg_ctx *ctx)
{
	const struct cfg_key *k;
	struct toml_value v;
	size_t i;

	ctx->keyline = 0;	/* a failing default is a bug: cfg_keyerr dies */
	for (i = 0; i < ctx->nkeys; i++) {
		k = &ctx->keys[i];
		if (k->def == NULL)
			continue;
		memset(&v, 0, sizeof(v));
		v.type = k->type;
		v.s = (char *)k->def;
		if (k->type == TOML_BOOL)
			v.b = strcmp(k->def, "true") == 0;
		else if (k->type == TOML_INT)
			v.i = strtoll(k->def, NULL, 10);
		if (!k->set(ctx, k, &v))
			fatalx("config: default of %s is invalid", k->name);
	}
}

/*
 * TUN mode is on when the file has [server.network] (or a key of it
 * written as "network.KEY" in [server]); without it the server is
 * relay-only.
 */
static bool
cfg_server_has_network(const struct cfg_ctx *ctx)
{
	size_t i;

	for (i = 0; ctx->sections[i] != NULL; i++) {
		if (strcmp(ctx->sections[i], "server.network") == 0 &&
		    ctx->sectline[i] != 0)
			return true;
	}
	for (i = 0; i < ctx->nkeys; i++) {
		if (strcmp(ctx->keys[i].section, "server.network") == 0 &&
		    ctx->seen[i] != 0)
			return true;
	}
	return false;
}

/* Known section?  Reports unknown and repeated ones. */
static bool
cfg_table_section(struct cfg_ctx *ctx, const char *name)
{
	unsigned i;

	for (i = 0; ctx->sections[i] != NULL; i++) {
		if (strcmp(ctx->sections[i], name) != 0)
			continue;
		if (ctx->sectline[i] != 0) {
			cfg_error(ctx, ctx->line, "[%s]: duplicate section "
			    "(first at line %u)", name, ctx->sectline[i]);
			return false;
		}
		ctx->sectline[i] = ctx->line;
		return true;
	}
	cfg_error(ctx, ctx->line, "[%s]: unknown section", name);
	return false;
}

static const char *
cfg_type_name(enum toml_type t)
{
	switch (t) {
	case TOML_STRING:
		return "expected a quoted string";
	case TOML_BOOL:
		return "expected true or false";
	case TOML_INT:
		return "expected an integer";
	case TOML_ARRAY:
		return "expected an array of strings";
	default:
		return "bad value";
	}
}

/* One key of a table-driven file (server.toml, client.toml). */
static void
cfg_table_key(struct cfg_ctx *ctx, const char *section, const char *name,
    const struct toml_value *v)
{
	char full[TOML_MAX_SECTION + TOML_MAX_KEY + 2];
	const char *leaf, *dot;
	const struct cfg_key *k = NULL;
	size_t i;

	/* A dotted key "network.mtu" in [server] is [server.network] mtu. */
	if ((dot = strrchr(name, '.')) != NULL) {
		snprintf(full, sizeof(full), "%s%s%.*s", section,
		    section[0] != '\0' ? "." : "", (int)(dot - name), name);
		section = full;
		leaf = dot + 1;
	} else
		leaf = name;
	for (i = 0; i < ctx->nkeys; i++) {
		if (strcmp(ctx->keys[i].section, section) == 0 &&
		    strcmp(ctx->keys[i].name, leaf) == 0) {
			k = &ctx->keys[i];
			break;
		}
	}
	if (k == NULL) {
		if (section[0] == '\0')
			cfg_keyerr(ctx, name, NULL, "unknown key (keys belong "
			    "in a section such as [%s])", ctx->sections[0]);
		else
			cfg_keyerr(ctx, name, NULL, "unknown key in [%s]",
			    section);
		return;
	}
	if (ctx->seen[i] != 0) {
		cfg_keyerr(ctx, name, NULL, "duplicate key (first set at line "
		    "%u)", ctx->seen[i]);
		return;
	}
	ctx->seen[i] = ctx->keyline;
	if (v->type != k->type || (v->type == TOML_ARRAY && v->notstr)) {
		cfg_keyerr(ctx, name, v->type == TOML_ARRAY ? NULL : v->s,
		    "%s", cfg_type_name(k->type));
		return;
	}
	if (!k->set(ctx, k, v))
		ctx->bad[i] = true;
}

static const struct cfg_ops cfg_table_ops = {
	cfg_table_section, cfg_table_key,
};

/* Index of a key in the table, for its "seen" line. */
static size_t
cfg_key_index(const struct cfg_ctx *ctx, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->nkeys; i++) {
		if (strcmp(ctx->keys[i].name, name) == 0)
			return i;
	}
	fatalx("config: no key %s", name);
}

/* A file named by key must be a readable regular file. */
static bool
cfg_check_readable(struct cfg_ctx *ctx, const char *key, const char *path)
{
	struct stat st;
	bool ok = false;
	int fd;

	if (path == NULL)
		return false;
	ctx->keyline = ctx->seen[cfg_key_index(ctx, key)];
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		cfg_patherr(ctx, key, path, "%s", strerror(errno));
		return false;
	}
	if (fstat(fd, &st) == -1)
		cfg_patherr(ctx, key, path, "%s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		cfg_patherr(ctx, key, path, "not a regular file");
	else
		ok = true;
	close(fd);
	return ok;
}

/* A key file the program may create: its directory must exist. */
static void
cfg_check_dir(struct cfg_ctx *ctx, const char *key, const char *path)
{
	struct stat st;
	char *dir, *slash;

	ctx->keyline = ctx->seen[cfg_key_index(ctx, key)];
	if (ctx->keyline == 0)
		return;		/* the default: the program creates its dir */
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	if (stat(dir, &st) == -1)
		cfg_patherr(ctx, key, path, "directory %s: %s", dir,
		    strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		cfg_patherr(ctx, key, path, "%s is not a directory", dir);
	else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		cfg_patherr(ctx, key, path, "not a regular file");
	free(dir);
}

/* ---- server.toml ------------------------------------------------------ */

/* Addresses clients can get from dhcp_range: not network, gateway, broadcast. */
static unsigned
cfg_pool_capacity(const struct config_cidr4 *r)
{
	return (1U << (32 - r->prefix)) - 3;
}

/* Cross-key rules; true if the authorized-clients file can be read. */
static bool
cfg_server_checks(struct cfg_ctx *ctx, struct server_config *sc)
{
	bool clients_ok;

	unsigned cap = cfg_pool_capacity(&sc->dhcp_range);
	size_t i;

	if (sc->tls_cert_file != NULL && sc->tls_key_file == NULL) {
		ctx->keyline = ctx->seen[cfg_key_index(ctx, "tls_cert_file")];
		cfg_keyerr(ctx, "tls_cert_file", NULL, "tls_key_file is not "
		    "set (set both or neither)");
	}
	if (sc->tls_key_file != NULL && sc->tls_cert_file == NULL) {
		ctx->keyline = ctx->seen[cfg_key_index(ctx, "tls_key_file")];
		cfg_keyerr(ctx, "tls_key_file", NULL, "tls_cert_file is not "
		    "set (set both or neither)");
	}
	cfg_check_readable(ctx, "tls_cert_file", sc->tls_cert_file);
	cfg_check_readable(ctx, "tls_key_file", sc->tls_key_file);
	if (sc->proxy_protocol && sc->ntrusted_proxies == 0) {
		ctx->keyline = ctx->seen[cfg_key_index(ctx, "proxy_protocol")];
		cfg_keyerr(ctx, "proxy_protocol", NULL, "trusted_proxies is "
		    "empty (PROXY headers are taken from them only)");
	}
	if (sc->decoy_root != NULL && sc->decoy_upstream != NULL) {
		ctx->keyline = ctx->seen[cfg_key_index(ctx, "decoy_upstream")];
		cfg_keyerr(ctx, "decoy_upstream", sc->decoy_upstream,
		    "decoy_root is set too (set one or neither)");
	}
	if (sc->decoy_root != NULL) {
		struct stat st;

		ctx->keyline = ctx->seen[cfg_key_index(ctx, "decoy_root")];
		if (stat(sc->decoy_root, &st) == -1)
			cfg_patherr(ctx, "decoy_root", sc->decoy_root, "%s",
			    strerror(errno));
		else if (!S_ISDIR(st.st_mode))
			cfg_patherr(ctx, "decoy_root", sc->decoy_root,
			    "not a directory");
	}
	clients_ok = cfg_check_readable(ctx, "authorized_clients_file",
	    sc->authorized_clients_file);
	cfg_check_dir(ctx, "identity_key_file", sc->identity_key_file);

	i = cfg_key_index(ctx, "max_clients");
	if (ctx->seen[i] == 0)
		sc->max_clients = cap < CFG_POOL_LIMIT ? cap : CFG_POOL_LIMIT;
	else if (sc->max_clients > cap) {
		char buf[INET_ADDRSTRLEN], val[16];

		ctx->keyline = ctx->seen[i];
		snprintf(val, sizeof(val), "%u", sc->max_clients);
		cfg_keyerr(ctx, "max_clients", val, "more than the %u client "
		    "addresses of dhcp_range %s/%u", cap,
		    ipaddr_str4(sc->dhcp_range.addr, buf, sizeof(buf)),
		    sc->dhcp_range.prefix);
	}

	if (sc->user != NULL && getpwnam(sc->user) == NULL) {
		ctx->keyline = ctx->seen[cfg_key_index(ctx, "user")];
		cfg_keyerr(ctx, "user", sc->user, "no such user");
	}
	if (sc->group != NULL && getgrnam(sc->group) == NULL) {
		ctx->keyline = ctx->seen[cfg_key_index(ctx, "group")];
		cfg_keyerr(ctx, "group", sc->group, "no such group");
	}
	return clients_ok;
}

struct server_config *
server_config_load(const char *path, char **cause)
{
	struct server_config *sc;
	struct cfg_ctx ctx;
	char *errs = NULL;
	bool range_ok, clients;

	sc = xcalloc(1, sizeof(*sc));
	sc->path = xstrdup(path);
	memset(&ctx, 0, sizeof(ctx));
	ctx.path = path;
	ctx.ops = &cfg_table_ops;
	ctx.obj = sc;
	ctx.keys = cfg_server_schema.keys;
	ctx.nkeys = cfg_server_schema.nkeys;
	ctx.sections = cfg_server_schema.sections;
	ctx.seen = xcalloc(ctx.nkeys, sizeof(*ctx.seen));
	ctx.bad = xcalloc(ctx.nkeys, sizeof(*ctx.bad));
	cfg_defaults(&ctx);
	cfg_parse(&ctx);
	sc->tun = cfg_server_has_network(&ctx);
	if (ctx.opened) {
		/* A rejected dhcp_range leaves the default: no range checks. */
		range_ok = !ctx.bad[cfg_key_index(&ctx, "dhcp_range")];
		clients = cfg_server_checks(&ctx, sc);
		cfg_errors_join(&ctx, &errs);
		if (clients)
			cfg_load_clients(sc, range_ok, &errs);
	}
	cfg_errors_join(&ctx, &errs);
	cfg_ctx_done(&ctx);
	if (errs != NULL) {
		*cause = errs;
		server_config_free(sc);
		return NULL;
	}
	return sc;
}

/* Do run and nc hold the same value for k? */
static bool
cfg_same(const struct cfg_key *k, const void *run, const void *nc)
{
	const char *a, *b;
	const struct config_cidr4 *ca, *cb;
	unsigned n = 1, i;

	if (k->noff != 0) {
		n = *(const unsigned *)((const char *)run + k->noff);
		if (n != *(const unsigned *)((const char *)nc + k->noff))
			return false;
	}
	switch (k->store) {
	case CFG_ST_STR:
		a = *(char *const *)((const char *)run + k->off);
		b = *(char *const *)((const char *)nc + k->off);
		return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
	case CFG_ST_CIDR4:
		ca = (const void *)((const char *)run + k->off);
		cb = (const void *)((const char *)nc + k->off);
		for (i = 0; i < n; i++) {
			if (ca[i].addr.s_addr != cb[i].addr.s_addr ||
			    ca[i].prefix != cb[i].prefix)
				return false;
		}
		return true;
	case CFG_ST_BYTES:
		if (k->noff != 0)	/* only the n elements in use */
			return memcmp((const char *)run + k->off,
			    (const char *)nc + k->off,
			    n * (k->size / (size_t)k->max)) == 0;
		break;
	}
	return memcmp((const char *)run + k->off, (const char *)nc + k->off,
	    k->size) == 0;
}

static void
cfg_swap(void *run, void *nc, size_t off, size_t size)
{
	unsigned char tmp[64], *a = (unsigned char *)run + off,
	    *b = (unsigned char *)nc + off;
	size_t n;

	for (; size > 0; size -= n, a += n, b += n) {
		n = size < sizeof(tmp) ? size : sizeof(tmp);
		memcpy(tmp, a, n);
		memcpy(a, b, n);
		memcpy(b, tmp, n);
	}
}

void
server_config_keep_restart(struct server_config *run,
    struct server_config *nc, bool apply, void (*changed)(const char *))
{
	const struct cfg_key *k;
	char name[TOML_MAX_KEY + 32];
	size_t i, j;
	bool keep = false;

	for (i = 0; i < cfg_server_schema.nkeys; i++) {
		k = &cfg_server_schema.keys[i];
		switch (k->scope) {
		case CFG_RELOAD:
			continue;
		case CFG_RESTART:
			/* Unchanged ones too: lws borrows run's strings. */
			keep = apply || !cfg_same(k, run, nc);
			snprintf(name, sizeof(name), "%s", k->name);
			break;
		case CFG_RELOAD_IF_SET:
			keep = (*(char **)((char *)run + k->off) == NULL) !=
			    (*(char **)((char *)nc + k->off) == NULL);
			snprintf(name, sizeof(name), "%s (set or unset)",
			    k->name);
			break;
		}
		if (!keep)
			continue;
		if (!apply) {
			changed(name);
			continue;
		}
		cfg_swap(run, nc, k->off, k->size);
		if (k->noff != 0)
			cfg_swap(run, nc, k->noff, sizeof(unsigned));
		for (j = 0; j < CFG_MAX_ALSO && k->also[j].size != 0; j++)
			cfg_swap(run, nc, k->also[j].off, k->also[j].size);
	}
}

void
server_config_free(struct server_config *sc)
{
	unsigned i;

	if (sc == NULL)
		return;
	free(sc->path);
	free(sc->bind_address);
	free(sc->bind_host);
	free(sc->tls_cert_file);
	free(sc->tls_key_file);
	free(sc->identity_key_file);
	free(sc->websocket_path);
	free(sc->tun_path);
	free(sc->authorized_clients_file);
	free(sc->user);
	free(sc->group);
	free(sc->control_socket);
	free(sc->pid_file);
	free(sc->chroot_dir);
	free(sc->decoy_root);
	free(sc->decoy_upstream);
	free(sc->server_header);
	free(sc->admin_listen);
	free(sc->admin_host);
	free(sc->node_name);
	free(sc->tun_name);
	free(sc->egress_interface);
	for (i = 0; i < sc->nclients; i++)
		free(sc->clients[i].name);
	free(sc->clients);
	free(sc);
}

/* ---- client.toml ------------------------------------------------------ */

/* The files client.toml names (or flags: only the key set). */
static void
cfg_client_checks(struct cfg_ctx *ctx, struct client_config *cc)
{
	if (ctx->seen[cfg_key_index(ctx, "ca_file")] != 0)
		cfg_check_readable(ctx, "ca_file", cc->ca_file);
	cfg_check_dir(ctx, "identity_key_file", cc->identity_key_file);
	if (ctx->seen[cfg_key_index(ctx, "servers")] != 0 &&
	    ctx->seen[cfg_key_index(ctx, "server_url")] != 0 &&
	    ctx->seen[cfg_key_index(ctx, "servers")] != CFG_LINE_CMDLINE &&
	    ctx->seen[cfg_key_index(ctx, "server_url")] != CFG_LINE_CMDLINE)
	{
		ctx->keyline = ctx->seen[cfg_key_index(ctx, "servers")];
		cfg_keyerr(ctx, "servers", NULL, "set servers or server_url, "
		    "not both");
	}
}

static void
cfg_client_init(struct cfg_ctx *ctx, struct client_config *cc,
    bool defaults)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->ops = &cfg_table_ops;
	ctx->obj = cc;
	ctx->keys = cfg_client_schema.keys;
	ctx->nkeys = cfg_client_schema.nkeys;
	ctx->sections = cfg_client_schema.sections;
	ctx->seen = xcalloc(ctx->nkeys, sizeof(*ctx->seen));
	ctx->bad = xcalloc(ctx->nkeys, sizeof(*ctx->bad));
	if (defaults)
		cfg_defaults(ctx);
}

struct client_config *
client_config_default(void)
{
	struct client_config *cc;
	struct cfg_ctx ctx;

	cc = xcalloc(1, sizeof(*cc));
	cfg_client_init(&ctx, cc, true);
	cfg_ctx_done(&ctx);
	return cc;
}

struct client_config *
client_config_load(const char *path, char **cause)
{
	struct client_config *cc;
	struct cfg_ctx ctx;
	char *errs = NULL;

	cc = xcalloc(1, sizeof(*cc));
	cc->path = xstrdup(path);
	cfg_client_init(&ctx, cc, true);
	ctx.path = path;
	cfg_parse(&ctx);
	if (ctx.opened)
		cfg_client_checks(&ctx, cc);
	cfg_errors_join(&ctx, &errs);
	cfg_ctx_done(&ctx);
	if (errs != NULL) {
		*cause = errs;
		client_config_free(cc);
		return NULL;
	}
	return cc;
}

/*
 * A flag: the key's own setter and checks, as in the file, with source
 * ("command line") where a file name and line would be.
 */
bool
client_config_set(struct client_config *cc, const char *key,
    const char *const *values, unsigned nvalues, const char *source,
    char **cause)
{
	const struct cfg_key *k;
	struct cfg_ctx ctx;
	struct toml_value v;
	char *errs = NULL;
	size_t i;

	cfg_client_init(&ctx, cc, false);
	ctx.path = source;
	ctx.dir = cfg_dir_of(".");	/* the working directory */
	i = cfg_key_index(&ctx, key);
	k = &ctx.keys[i];
	memset(&v, 0, sizeof(v));
	v.type = k->type;
	if (k->type == TOML_ARRAY) {
		v.items = (char **)values;
		v.nitems = nvalues;
	} else if (nvalues != 1)
		fatalx("config: %s takes one value", key);
	else if (k->type == TOML_BOOL &&
	    strcmp(values[0], "true") != 0 && strcmp(values[0], "false") != 0)
		fatalx("config: %s: not a boolean", key);
	else {
		v.s = (char *)values[0];
		v.b = strcmp(values[0], "true") == 0;
		if (k->type == TOML_INT)
			fatalx("config: %s: no integer flags", key);
	}
	ctx.keyline = ctx.seen[i] = CFG_LINE_CMDLINE;
	if (k->set(&ctx, k, &v))
		cfg_client_checks(&ctx, cc);
	cfg_errors_join(&ctx, &errs);
	cfg_ctx_done(&ctx);
	if (errs != NULL) {
		*cause = errs;
		return false;
	}
	return true;
}

void
client_config_free(struct client_config *cc)
{
	unsigned i;

	if (cc == NULL)
		return;
	free(cc->path);
	free(cc->server_url);
	for (i = 0; i < cc->nservers; i++)
		free(cc->servers[i]);
	free(cc->url_host);
	free(cc->url_path);
	free(cc->tun_path);
	free(cc->identity_key_file);
	free(cc->ca_file);
	free(cc->sni);
	free(cc->tun_name);
	free(cc->socks_listen);
	free(cc->socks_host);
	free(cc->socks_username);
	free(cc->socks_password_file);
	explicit_bzero(cc->server_key, sizeof(cc->server_key));
	free(cc);
}
