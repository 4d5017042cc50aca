/* SPDX-License-Identifier: ISC */
/*
 * Reload scope: the key table (lib/config-keys.c) says which server keys
 * a reload applies; rvpn-server.toml(5) RELOAD must say the same, and
 * server_config_keep_restart must follow the table.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "config.h"
#include "config-int.h"
#include "tap.h"
#include "xmalloc.h"

#define MAN	TOP_SRCDIR "/man/rvpn-server.toml.5"
#define MAXN	64

struct names {
	char	*v[MAXN];
	unsigned n;
};

static void
names_add(struct names *ns, const char *s, size_t len)
{
	if (ns->n == MAXN || len == 0)
		return;
	ns->v[ns->n] = xmalloc(len + 1);
	memcpy(ns->v[ns->n], s, len);
	ns->v[ns->n++][len] = '\0';
}

static bool
names_has(const struct names *ns, const char *s)
{
	unsigned i;

	for (i = 0; i < ns->n; i++) {
		if (strcmp(ns->v[i], s) == 0)
			return true;
	}
	return false;
}

/* Every word after ".It Ic" or ".Ic" that names a key (not ',' or '.'). */
static void
names_from_line(struct names *ns, const char *p)
{
	size_t len;

	while (*p != '\0') {
		p += strspn(p, " ,.\n");
		len = strcspn(p, " ,.\n");
		if (len == 0)
			break;
		names_add(ns, p, len);
		p += len;
	}
}

/*
 * The RELOAD section: ".It Ic a , b" items of the first list are the
 * keys that apply at once; the ".Ic key ," lines after "need a restart"
 * are the others.
 */
static void
read_man(struct names *reload, struct names *restart)
{
	char line[512];
	FILE *f;
	int state = 0;	/* 0 before, 1 reload list, 2 between, 3 restart */

	if ((f = fopen(MAN, "r")) == NULL) {
		perror(MAN);
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, ".Sh ", 4) == 0) {
			if (state != 0)
				break;
			if (strcmp(line, ".Sh RELOAD\n") == 0)
				state = 1;
			continue;
		}
		if (state == 1 && strncmp(line, ".It Ic ", 7) == 0)
			names_from_line(reload, line + 7);
		else if (state == 1 && strncmp(line, ".El", 3) == 0)
			state = 2;
		else if (state == 2 && strstr(line, "need a restart") != NULL)
			state = 3;
		else if (state == 3 && strncmp(line, ".Ic ", 4) == 0)
			names_from_line(restart, line + 4);
	}
	fclose(f);
}

static void
test_man(void)
{
	struct names reload = { { 0 }, 0 }, restart = { { 0 }, 0 };
	const struct cfg_key *k;
	size_t i, j;
	bool found;

	read_man(&reload, &restart);
	tap_ok(reload.n > 5 && restart.n > 5, "man page: RELOAD lists read "
	    "(%u apply, %u need a restart)", reload.n, restart.n);
	for (i = 0; i < cfg_server_schema.nkeys; i++) {
		k = &cfg_server_schema.keys[i];
		if (k->scope == CFG_RESTART)
			tap_ok(names_has(&restart, k->name) &&
			    !names_has(&reload, k->name), "%s: restart, as "
			    "the man page says", k->name);
		else
			tap_ok(names_has(&reload, k->name) &&
			    !names_has(&restart, k->name), "%s: reload, as "
			    "the man page says", k->name);
	}
	for (j = 0; j < reload.n + restart.n; j++) {
		const char *n = j < reload.n ? reload.v[j] :
		    restart.v[j - reload.n];

		found = false;
		for (i = 0; i < cfg_server_schema.nkeys; i++)
			found |= strcmp(cfg_server_schema.keys[i].name, n) == 0;
		tap_ok(found, "man page RELOAD names key %s, which exists", n);
	}
	for (j = 0; j < reload.n; j++)
		free(reload.v[j]);
	for (j = 0; j < restart.n; j++)
		free(restart.v[j]);
}

static char	 changed[512];

static void
note_changed(const char *key)
{
	size_t n = strlen(changed);

	snprintf(changed + n, sizeof(changed) - n, "%s;", key);
}

static struct server_config *
load(const char *dir, const char *text)
{
	struct server_config *sc;
	char *path, *cause = NULL;
	FILE *f;

	xasprintf(&path, "%s/server.toml", dir);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	if ((sc = server_config_load(path, &cause)) == NULL) {
		printf("# %s\n", cause);
		exit(1);
	}
	unlink(path);
	free(path);
	return sc;
}

static void
test_keep(void)
{
	char dir[] = "/tmp/rvpn-test-reload.XXXXXX";
	struct server_config *run, *nc;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	run = load(dir, "[server]\nbind_address = \"127.0.0.1:8443\"\n"
	    "websocket_path = \"/a\"\nlog_level = \"info\"\n"
	    "[server.network]\nmtu = 1400\ndns_servers = [\"1.1.1.1\"]\n"
	    "dhcp_range = \"10.200.0.0/24\"\n");
	nc = load(dir, "[server]\nbind_address = \"127.0.0.1:9443\"\n"
	    "websocket_path = \"/b\"\nlog_level = \"debug\"\n"
	    "[server.network]\nmtu = 1300\ndns_servers = [\"9.9.9.9\"]\n"
	    "dhcp_range = \"10.200.0.0/24\"\n");

	server_config_keep_restart(run, nc, false, note_changed);
	tap_is_str(changed, "bind_address;websocket_path;mtu;",
	    "check pass: each changed restart key once, in table order");
	tap_is_int(nc->mtu, 1300, "check pass changes nothing");

	server_config_keep_restart(run, nc, true, NULL);
	tap_is_str(nc->bind_address, "127.0.0.1:8443", "bind_address kept");
	tap_is_str(nc->bind_host, "127.0.0.1", "bind_host follows it");
	tap_is_int(nc->bind_port, 8443, "bind_port follows it");
	tap_is_str(nc->websocket_path, "/a", "websocket_path kept");
	tap_is_str(nc->tun_path, "/a/tun", "tun_path follows it");
	tap_is_int(nc->mtu, 1400, "mtu kept");
	tap_is_int(nc->log_level, LOG_LVL_DEBUG, "log_level applies");
	tap_is_int(ntohl(nc->dns_servers[0].s_addr), 0x09090909,
	    "dns_servers applies");
	tap_is_str(run->websocket_path, "/b", "the new value goes with run");
	server_config_free(run);
	server_config_free(nc);
	rmdir(dir);
}

int
main(void)
{
	log_init("test-reload", LOG_LVL_WARN);
	test_man();
	test_keep();
	return tap_done();
}
