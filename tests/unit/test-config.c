/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/stat.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "config.h"
#include "ipaddr.h"
#include "key.h"
#include "tap.h"
#include "xmalloc.h"

#define DATA	TOP_SRCDIR "/tests/data/config"

/* The sample users are told to write; etc/server.toml must begin with it. */
static const char sample[] =
    "[server]\n"
    "bind_address = \"0.0.0.0:443\"\n"
    "tls_cert_file = \"/etc/letsencrypt/live/your-domain.com/fullchain.pem\"\n"
    "tls_key_file = \"/etc/letsencrypt/live/your-domain.com/privkey.pem\"\n"
    "identity_key_file = \"/etc/rvpn/server_identity.key\"\n"
    "websocket_path = \"/api/v1/ws\"\n"
    "\n"
    "[server.network]\n"
    "nat_enabled = true\n"
    "dhcp_range = \"10.200.0.0/24\"\n"
    "dns_servers = [\"1.1.1.1\", \"8.8.8.8\"]\n";

static char tmpdir[] = "/tmp/rvpn-test-config.XXXXXX";

static char *
tmp_path(const char *name)
{
	char *p;

	xasprintf(&p, "%s/%s", tmpdir, name);
	return p;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static char *
read_file(const char *path)
{
	char *buf;
	FILE *f;
	long n;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xcalloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	return buf;
}

/* Replace the first occurrence of from in *s. */
static void
replace(char **s, const char *from, const char *to)
{
	char *p, *out;

	if ((p = strstr(*s, from)) == NULL) {
		printf("# '%s' not found\n", from);
		return;
	}
	xasprintf(&out, "%.*s%s%s", (int)(p - *s), *s, to, p + strlen(from));
	free(*s);
	*s = out;
}

static const char *
str4(struct in_addr a)
{
	static char buf[4][INET_ADDRSTRLEN];
	static int n;

	return ipaddr_str4(a, buf[n++ % 4], sizeof(buf[0]));
}

/*
 * Load path as a server config expecting failure; the whole cause must be
 * "PATH:" + want (one error), or begin with it when prefix_only.
 */
static void
expect_server_err(const char *path, const char *want, bool prefix_only)
{
	struct server_config *sc;
	char *cause = NULL, *full;
	bool ok;

	xasprintf(&full, "%s:%s", path, want);
	sc = server_config_load(path, &cause);
	tap_ok(sc == NULL, "%s: rejected", strrchr(path, '/') + 1);
	if (prefix_only)
		ok = cause != NULL && strncmp(cause, full, strlen(full)) == 0;
	else
		ok = cause != NULL && strcmp(cause, full) == 0;
	tap_ok(ok, "%s: error '%.*s'", strrchr(path, '/') + 1,
	    (int)strcspn(want, "\n"), want);
	if (!ok)
		printf("# got '%s'\n# want '%s'\n", cause ? cause : "(null)",
		    full);
	server_config_free(sc);
	free(cause);
	free(full);
}

static void
expect_data_err(const char *name, const char *want)
{
	char *path;

	xasprintf(&path, "%s/%s", DATA, name);
	expect_server_err(path, want, false);
	free(path);
}

/* The documented sample, with its file paths pointed at real files. */
static void
test_sample(void)
{
	struct server_config *sc;
	char *text, *cert, *key, *id, *path, *cause = NULL;

	text = read_file(TOP_SRCDIR "/etc/server.toml");
	tap_ok(strncmp(text, sample, strlen(sample)) == 0,
	    "etc/server.toml begins with the documented sample");
	cert = tmp_path("fullchain.pem");
	key = tmp_path("privkey.pem");
	id = tmp_path("server_identity.key");
	write_file(cert, "cert\n");
	write_file(key, "key\n");
	replace(&text, "/etc/letsencrypt/live/your-domain.com/fullchain.pem",
	    cert);
	replace(&text, "/etc/letsencrypt/live/your-domain.com/privkey.pem",
	    key);
	replace(&text, "/etc/rvpn/server_identity.key", id);
	path = tmp_path("server.toml");
	write_file(path, text);

	sc = server_config_load(path, &cause);
	tap_ok(sc != NULL, "sample loads");
	if (sc == NULL) {
		printf("# %s\n", cause);
		free(cause);
		goto out;
	}
	tap_is_str(sc->path, path, "path kept");
	tap_is_str(sc->bind_address, "0.0.0.0:443", "bind_address");
	tap_is_str(sc->bind_host, "0.0.0.0", "bind_host");
	tap_is_int(sc->bind_port, 443, "bind_port");
	tap_is_str(sc->tls_cert_file, cert, "tls_cert_file");
	tap_is_str(sc->tls_key_file, key, "tls_key_file");
	tap_is_str(sc->identity_key_file, id, "identity_key_file");
	tap_is_str(sc->websocket_path, "/api/v1/ws", "websocket_path");
	tap_is_str(sc->tun_path, "/api/v1/ws/tun", "tun_path");
	tap_ok(sc->nat_enabled, "nat_enabled");
	tap_is_str(str4(sc->dhcp_range.addr), "10.200.0.0", "dhcp_range addr");
	tap_is_int(sc->dhcp_range.prefix, 24, "dhcp_range prefix");
	tap_is_int(sc->ndns_servers, 2, "two dns_servers");
	tap_is_str(str4(sc->dns_servers[0]), "1.1.1.1", "dns_servers[0]");
	tap_is_str(str4(sc->dns_servers[1]), "8.8.8.8", "dns_servers[1]");
	/* and the defaults of everything else */
	tap_is_int(sc->max_clients, 253, "max_clients = capacity of a /24");
	tap_is_int(sc->keepalive, 25, "keepalive default");
	tap_is_int(sc->mtu, 1400, "mtu default");
	tap_is_str(sc->tun_name, "tun0", "tun_name default");
	tap_ok(sc->authorized_clients_file == NULL && sc->nclients == 0,
	    "no authorized_clients_file: any key");
	server_config_free(sc);
out:
	unlink(cert);
	unlink(key);
	unlink(path);
	free(cert);
	free(key);
	free(id);
	free(path);
	free(text);
}

/*
 * The commented-out part of a sample (after "# The keys below"), made
 * live: "# key = ..." and "# [section]" lines lose their "# ".
 */
static char *
uncomment(const char *text)
{
	const char *p, *nl;
	char *out;
	size_t n = 0;

	out = xcalloc(1, strlen(text) + 1);
	if ((p = strstr(text, "# The keys below")) == NULL)
		return out;
	for (; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		if (strncmp(p, "# ", 2) == 0 && (p[2] == '[' ||
		    strncmp(p + 2 + strspn(p + 2,
		    "abcdefghijklmnopqrstuvwxyz_"), " = ", 3) == 0))
			p += 2;
		memcpy(out + n, p, (size_t)(nl - p) + 1);
		n += (size_t)(nl - p) + 1;
	}
	return out;
}

/* The commented defaults in etc/server.toml are valid and are the defaults. */
static void
test_sample_comments(void)
{
	struct server_config *sc;
	struct client_config *cc;
	char *text, *live, *path, *cause = NULL;

	text = read_file(TOP_SRCDIR "/etc/server.toml");
	live = uncomment(text);
	replace(&live, "\"/etc/rvpn/clients.toml\"",
	    "\"" TOP_SRCDIR "/etc/clients.toml\"");
	replace(&live, "user = \"rvpn\"", "user = \"root\"");
	replace(&live, "group = \"rvpn\"", "group = \"root\"");
	replace(&live, "chroot = \"/var/empty\"", "chroot = \"/tmp\"");
	/* decoy_upstream is the sample's alternative to decoy_root. */
	replace(&live, "decoy_upstream = ", "# decoy_upstream = ");
	path = tmp_path("commented.toml");
	write_file(path, live);
	sc = server_config_load(path, &cause);
	tap_ok(sc != NULL, "etc/server.toml: the commented keys are valid");
	if (sc == NULL) {
		printf("# %s\n", cause);
		free(cause);
		cause = NULL;
	} else {
		tap_ok(sc->max_clients == 253 && sc->idle_timeout == 0 &&
		    sc->keepalive == 25 && sc->log_level == LOG_LVL_INFO &&
		    sc->ntrusted_proxies == 0 && sc->mtu == 1400 &&
		    strcmp(sc->tun_name, "tun0") == 0 &&
		    !sc->client_to_client && sc->nroutes == 0,
		    "etc/server.toml: commented values are the defaults");
		tap_is_int(sc->nclients, 2, "etc/clients.toml loads");
		tap_is_str(sc->chroot_dir, "/tmp",
		    "etc/server.toml: the commented chroot line is read");
		server_config_free(sc);
	}
	free(text);
	free(live);

	text = read_file(TOP_SRCDIR "/etc/client.toml");
	live = uncomment(text);
	replace(&live, "/etc/rvpn/ca.pem", DATA "/dummy.pem");
	write_file(path, live);
	cc = client_config_load(path, &cause);
	tap_ok(cc != NULL, "etc/client.toml: the commented keys are valid");
	if (cc == NULL) {
		printf("# %s\n", cause);
		free(cause);
		cause = NULL;
	} else {
		tap_ok(!cc->insecure && cc->nroutes == 0 && cc->dns &&
		    strcmp(cc->tun_name, "rvpn0") == 0 &&
		    cc->log_level == LOG_LVL_INFO && cc->reconnect_max == 60,
		    "etc/client.toml: commented values are the defaults");
		client_config_free(cc);
	}
	free(live);

	/* The live part, with a real key and identity directory, loads. */
	replace(&text, "REPLACE-with-the-output-of-rvpnctl-pubkey-on-the-server=",
	    "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=");
	replace(&text, "/etc/rvpn/client.key", DATA "/client.key");
	write_file(path, text);
	cc = client_config_load(path, &cause);
	tap_ok(cc != NULL && cc->url_port == 443 &&
	    strcmp(cc->tun_path, "/api/v1/ws/tun") == 0,
	    "etc/client.toml loads with a real key");
	if (cc == NULL) {
		printf("# %s\n", cause);
		free(cause);
	}
	client_config_free(cc);
	unlink(path);
	free(path);
	free(text);
}

/*
 * The value a sample documents for KEY on its commented line
 * "# KEY = \"VALUE\"" (static buffer; "" if absent).
 */
static const char *
sample_value(const char *text, const char *key)
{
	static char	 v[256];
	char		 pat[64];
	const char	*p, *e;

	v[0] = '\0';
	snprintf(pat, sizeof(pat), "\n# %s = \"", key);
	if ((p = strstr(text, pat)) == NULL)
		return (v);
	p += strlen(pat);
	if ((e = strchr(p, '"')) == NULL || (size_t)(e - p) >= sizeof(v))
		return (v);
	memcpy(v, p, (size_t)(e - p));
	v[e - p] = '\0';
	return (v);
}

/*
 * A default path as the binary has it, the sample documents it and the
 * man pages name it: the three must agree (the binary once said
 * /usr/local/var/run while both documents said /run).
 */
static void
default_documented(const char *key, const char *got, const char *etc,
    const char *man5, const char *man8)
{
	const char	*doc = sample_value(etc, key);
	char		 pa[300];

	tap_ok(doc[0] != '\0' && strcmp(got, doc) == 0,
	    "default %s '%s' is etc/server.toml's '%s'", key, got, doc);
	snprintf(pa, sizeof(pa), "Pa %s", got);
	tap_ok(strstr(man5, pa) != NULL && strstr(man8, pa) != NULL,
	    "default %s is the one rvpn-server.toml(5) and rvpn-server(8) name",
	    key);
}

static void
test_defaults(void)
{
	struct server_config *sc;
	char *cause = NULL, *etc, *man5, *man8;

	sc = server_config_load(DATA "/minimal.toml", &cause);
	tap_ok(sc != NULL, "minimal.toml loads");
	if (sc == NULL) {
		printf("# %s\n", cause);
		free(cause);
		return;
	}
	tap_is_str(sc->bind_address, "0.0.0.0:443", "default bind_address");
	tap_is_str(sc->bind_host, "0.0.0.0", "default bind_host");
	tap_is_int(sc->bind_port, 443, "default bind_port");
	tap_ok(sc->tls_cert_file == NULL && sc->tls_key_file == NULL,
	    "default: no TLS (plain WebSocket)");
	tap_is_str(sc->identity_key_file,
	    SYSCONFDIR "/rvpn/server_identity.key", "default identity_key_file");
	tap_is_str(sc->websocket_path, "/api/v1/ws", "default websocket_path");
	tap_is_str(sc->tun_path, "/api/v1/ws/tun", "default tun_path");
	tap_ok(sc->authorized_clients_file == NULL, "default: any key");
	tap_is_int(sc->max_clients, 253, "default max_clients");
	tap_is_int(sc->idle_timeout, 0, "default idle_timeout");
	tap_is_int(sc->keepalive, 25, "default keepalive");
	tap_is_int(sc->log_level, LOG_LVL_INFO, "default log_level");
	tap_ok(sc->user == NULL && sc->group == NULL, "default: no user/group");
	tap_ok(sc->chroot_dir == NULL, "default: no chroot");
	etc = read_file(TOP_SRCDIR "/etc/server.toml");
	man5 = read_file(TOP_SRCDIR "/man/rvpn-server.toml.5");
	man8 = read_file(TOP_SRCDIR "/man/rvpn-server.8");
	default_documented("control_socket", sc->control_socket, etc, man5,
	    man8);
	default_documented("pid_file", sc->pid_file, etc, man5, man8);
	free(etc);
	free(man5);
	free(man8);
	tap_is_int(sc->ntrusted_proxies, 0, "default trusted_proxies");
	tap_ok(!sc->nat_enabled, "default nat_enabled false");
	tap_is_str(str4(sc->dhcp_range.addr), "10.200.0.0", "default range");
	tap_is_int(sc->dhcp_range.prefix, 24, "default range prefix");
	tap_is_int(sc->ndns_servers, 0, "default dns_servers");
	tap_is_str(sc->tun_name, "tun0", "default tun_name");
	tap_is_int(sc->mtu, 1400, "default mtu");
	tap_ok(!sc->client_to_client, "default client_to_client false");
	tap_ok(sc->egress_interface == NULL, "default egress_interface");
	tap_is_int(sc->nroutes, 0, "default routes: full tunnel");
	server_config_free(sc);
}

/* Comments after values, escapes, literal strings, multi-line arrays. */
static void
test_good(void)
{
	struct server_config *sc;
	char *cause = NULL;

	sc = server_config_load(DATA "/good.toml", &cause);
	tap_ok(sc != NULL, "good.toml loads");
	if (sc == NULL) {
		printf("# %s\n", cause);
		free(cause);
		return;
	}
	tap_is_str(sc->bind_host, "::", "IPv6 bind_host");
	tap_is_int(sc->bind_port, 8443, "IPv6 bind_port");
	tap_is_str(sc->tls_cert_file, DATA "/dummy.pem",
	    "relative path taken from the file's directory");
	tap_is_str(sc->tls_key_file, DATA "/dummy.pem", "literal string");
	tap_is_str(sc->websocket_path, "/vpn/ws", "'/vpn/ws/tun/' normalised");
	tap_is_str(sc->tun_path, "/vpn/ws/tun", "tun_path");
	tap_is_int(sc->max_clients, 1000, "integer with '_'");
	tap_is_int(sc->idle_timeout, 3600, "idle_timeout");
	tap_is_int(sc->keepalive, 0, "keepalive 0 = off");
	tap_is_int(sc->log_level, LOG_LVL_DEBUG, "log_level");
	tap_is_str(sc->control_socket, "/run/rvpn-test.sock", "control_socket");
	tap_is_str(sc->pid_file, "/run/rvpn-test.pid", "pid_file");
	tap_is_int(sc->ntrusted_proxies, 2, "trusted_proxies, trailing comma");
	tap_is_int(sc->trusted_proxies[0].prefix, 32, "a proxy address is /32");
	tap_is_str(str4(sc->trusted_proxies[1].addr4), "10.0.0.0",
	    "proxy prefix addr");
	tap_is_int(sc->trusted_proxies[1].prefix, 8, "proxy prefix");
	tap_is_str(sc->identity_key_file, DATA "/server \"#1\";\t.key",
	    "escapes; '#' and ';' inside a string are not comments");
	tap_ok(!sc->nat_enabled, "nat_enabled false");
	tap_is_str(str4(sc->dhcp_range.addr), "10.201.0.0", "dhcp_range");
	tap_is_int(sc->dhcp_range.prefix, 22, "dhcp_range /22");
	tap_is_int(sc->ndns_servers, 2, "multi-line array with comments");
	tap_is_str(str4(sc->dns_servers[1]), "149.112.112.112", "dns[1]");
	tap_is_str(sc->tun_name, "rvpn-srv0", "tun_name");
	tap_is_int(sc->mtu, 1500, "mtu +1500");
	tap_ok(sc->client_to_client, "client_to_client true");
	tap_is_str(sc->egress_interface, "eth1", "egress_interface");
	tap_is_int(sc->nroutes, 2, "routes");
	tap_is_str(str4(sc->routes[1].addr), "172.16.0.0", "routes[1]");
	tap_is_int(sc->routes[1].prefix, 12, "routes[1] prefix");
	tap_is_int(sc->nclients, 2, "two authorized clients");
	if (sc->nclients == 2) {
		char b64[KEY_B64_LEN + 1];

		tap_is_str(sc->clients[0].name, "alice", "client name");
		key_to_base64(sc->clients[0].pub, b64);
		tap_is_str(b64, "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=",
		    "client key");
		tap_ok(sc->clients[0].has_addr4, "alice has an address");
		tap_is_str(str4(sc->clients[0].addr4), "10.201.0.10",
		    "alice's address");
		tap_ok(!sc->clients[1].has_addr4, "bob has none");
	}
	server_config_free(sc);
}

static void
test_broken(void)
{
	char *dir;

	expect_data_err("unknown-key.toml",
	    "3: bind_adress: unknown key in [server]");
	expect_data_err("unknown-section.toml",
	    "4: [server.netwrk]: unknown section");
	expect_data_err("duplicate-key.toml",
	    "4: mtu: duplicate key (first set at line 3)");
	expect_data_err("bad-range.toml",
	    "9: dhcp_range: '10.200.0.0/33': prefix length must be 8..30");
	expect_data_err("host-bits.toml",
	    "2: dhcp_range: '10.200.0.1/24': host bits set (the network is "
	    "10.200.0.0/24)");
	expect_data_err("bad-bool.toml",
	    "2: nat_enabled: 'yes': expected true or false");
	expect_data_err("bad-int.toml", "2: mtu: '14o0': expected an integer");
	expect_data_err("mtu-range.toml", "2: mtu: '100': must be 576..9000");
	expect_data_err("bad-dns.toml",
	    "2: dns_servers: '1.1.1': not an IP address");
	expect_data_err("too-many-dns.toml",
	    "2: dns_servers: too many entries (5), at most 4");
	expect_data_err("unterminated.toml",
	    "2: tls_cert_file: unterminated string");
	expect_data_err("bad-escape.toml",
	    "2: websocket_path: '\\q': invalid escape sequence");
	expect_data_err("missing-cert.toml",
	    "3: tls_cert_file: '" DATA "/missing.pem': No such file or "
	    "directory");
	expect_data_err("cert-without-key.toml",
	    "2: tls_cert_file: tls_key_file is not set (set both or neither)");
	expect_data_err("bad-ws-path.toml",
	    "2: websocket_path: '/api v1': invalid character ' ' in path");
	expect_data_err("bad-port.toml",
	    "2: bind_address: '0.0.0.0:99999': port must be 1..65535");
	expect_data_err("bad-type.toml",
	    "2: tun_name: 'tun1': expected a quoted string");
	expect_data_err("chroot-missing.toml",
	    "3: chroot: '" DATA "/no-such-dir': no such directory");
	expect_data_err("chroot-notdir.toml",
	    "4: chroot: '" DATA "/dummy.pem': not a directory");
	/* Every error of a file, in order. */
	expect_data_err("many-errors.toml",
	    "2: keepalive: '5000': must be 0..3600\n"
	    DATA "/many-errors.toml:3: bogus: unknown key in [server]\n"
	    DATA "/many-errors.toml:5: mtu: '1400': expected an integer\n"
	    DATA "/many-errors.toml:6: routes: '10.0.0.1/8': host bits set");

	/* Unreadable: missing, a directory. */
	{
		struct server_config *sc;
		char *cause = NULL;

		sc = server_config_load(DATA "/no-such.toml", &cause);
		tap_ok(sc == NULL && cause != NULL && strcmp(cause, DATA
		    "/no-such.toml: No such file or directory") == 0,
		    "missing file: FILE: error");
		if (cause != NULL)
			printf("# %s\n", cause);
		free(cause);
		cause = NULL;
		dir = tmp_path("adir");
		mkdir(dir, 0700);
		sc = server_config_load(dir, &cause);
		tap_ok(sc == NULL && cause != NULL &&
		    strstr(cause, ": Is a directory") != NULL,
		    "a directory: FILE: error");
		if (cause != NULL)
			printf("# %s\n", cause);
		free(cause);
		rmdir(dir);
		free(dir);
	}
}

/* Write a server.toml naming a clients file and check the clients error. */
static void
test_clients(const char *name, const char *want)
{
	char *srv, *text, *clients;

	xasprintf(&clients, "%s/%s", DATA, name);
	xasprintf(&text, "[server]\nauthorized_clients_file = \"%s\"\n",
	    clients);
	srv = tmp_path("clients-server.toml");
	write_file(srv, text);
	free(text);
	{
		struct server_config *sc;
		char *cause = NULL, *full;

		xasprintf(&full, "%s:%s", clients, want);
		sc = server_config_load(srv, &cause);
		tap_ok(sc == NULL && cause != NULL && strcmp(cause, full) == 0,
		    "authorized clients %s: '%s'", name, want);
		if (cause != NULL && strcmp(cause, full) != 0)
			printf("# got '%s'\n", cause);
		server_config_free(sc);
		free(cause);
		free(full);
	}
	unlink(srv);
	free(srv);
	free(clients);
}

static void
test_authorized(void)
{
	char *t;

	test_clients("clients-bad-key.toml",
	    "2: public_key: 'not-a-key': not a key (expected 44 base64 "
	    "characters)");
	test_clients("clients-dup-key.toml",
	    "5: public_key: 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=': "
	    "already the key of client 'alice' (line 2)");
	test_clients("clients-outside.toml",
	    "3: address: '10.99.0.5': outside dhcp_range 10.200.0.0/24");

	/* The gateway (.1) is not a client address; nor a section name. */
	t = tmp_path("gw-clients.toml");
	write_file(t, "[client.gw]\npublic_key = "
	    "\"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=\"\n"
	    "address = \"10.200.0.1\"\n[peer.x]\n");
	{
		struct server_config *sc;
		char *srv, *text, *cause = NULL, *want;

		xasprintf(&text, "[server]\nauthorized_clients_file = \"%s\"\n",
		    t);
		srv = tmp_path("gw-server.toml");
		write_file(srv, text);
		xasprintf(&want, "%s:3: address: '10.200.0.1': the network, "
		    "gateway or broadcast address of dhcp_range\n"
		    "%s:4: [peer.x]: unknown section (expected [client.NAME])",
		    t, t);
		sc = server_config_load(srv, &cause);
		tap_ok(sc == NULL && cause != NULL && strcmp(cause, want) == 0,
		    "gateway address and unknown section rejected");
		if (cause != NULL && strcmp(cause, want) != 0)
			printf("# got '%s'\n", cause);
		free(cause);
		free(want);
		free(text);
		unlink(srv);
		free(srv);
	}
	unlink(t);
	free(t);
}

/* chroot: an existing directory, absolute or from the file's directory. */
static void
test_chroot(void)
{
	struct server_config *sc;
	char *path, *dir, *text, *cause = NULL;

	dir = tmp_path("empty");
	path = tmp_path("chroot.toml");
	if (mkdir(dir, 0755) == -1) {
		perror(dir);
		exit(1);
	}
	xasprintf(&text, "[server]\nchroot = \"%s\"\n", dir);
	write_file(path, text);
	sc = server_config_load(path, &cause);
	tap_ok(sc != NULL && strcmp(sc->chroot_dir, dir) == 0,
	    "chroot: an absolute directory");
	if (sc == NULL)
		printf("# %s\n", cause);
	server_config_free(sc);
	free(cause);
	cause = NULL;
	free(text);

	write_file(path, "[server]\nchroot = 'empty'\n");
	sc = server_config_load(path, &cause);
	tap_ok(sc != NULL && strcmp(sc->chroot_dir, dir) == 0,
	    "chroot: a relative directory is taken from the file's");
	if (sc == NULL)
		printf("# %s\n", cause);
	server_config_free(sc);
	free(cause);

	write_file(path, "[server]\nchroot = \"\"\n");
	expect_server_err(path, "2: chroot: '': must not be empty", false);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

static void
test_paths(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "/api/v1/ws", "/api/v1/ws" },
		{ "/api/v1/ws/", "/api/v1/ws" },
		{ "/api/v1/ws/tun", "/api/v1/ws" },
		{ "/api/v1/ws/tun/", "/api/v1/ws" },
		{ "api/v1/ws", "/api/v1/ws" },
		{ "//api//v1///ws//", "/api/v1/ws" },
		{ "/", "/" },
		{ "/tun", "/" },
		{ "/tunnel", "/tunnel" },
		{ "/a/../b", NULL },
		{ "/a b", NULL },
		{ "/a?b", NULL },
		{ "/a%20b", NULL },
	};
	size_t i;
	char *p;

	for (i = 0; i < nitems(cases); i++) {
		p = config_normalise_ws_path(cases[i].in);
		if (cases[i].out == NULL)
			tap_ok(p == NULL, "path '%s' rejected", cases[i].in);
		else
			tap_is_str(p, cases[i].out, cases[i].in);
		free(p);
	}
}

static void
test_client(void)
{
	struct client_config *cc;
	char *cause = NULL, b64[KEY_B64_LEN + 1];
	struct {
		const char *url;
		bool ok, tls;
		const char *host;
		unsigned port;
		const char *path, *tun, *err;
	} urls[] = {
		{ "wss://vpn.example.com", true, true, "vpn.example.com", 443,
		    "/api/v1/ws", "/api/v1/ws/tun", NULL },
		{ "ws://10.0.0.1:8080/x/", true, false, "10.0.0.1", 8080,
		    "/x", "/x/tun", NULL },
		{ "ws://h/", true, false, "h", 80, "/", "/tun", NULL },
		{ "wss://[2001:db8::1]:8443/api/v1/ws/tun", true, true,
		    "2001:db8::1", 8443, "/api/v1/ws", "/api/v1/ws/tun", NULL },
		{ "https://h/", false, 0, NULL, 0, NULL, NULL,
		    "command line: server_url: "
		    "'https://h/': must start with wss:// or ws://" },
		{ "wss://h:0/", false, 0, NULL, 0, NULL, NULL,
		    "command line: server_url: "
		    "'wss://h:0/': port must be 1..65535" },
		{ "wss://u@h/", false, 0, NULL, 0, NULL, NULL,
		    "command line: server_url: "
		    "'wss://u@h/': user information is not supported" },
		{ "wss://h/a?b", false, 0, NULL, 0, NULL, NULL,
		    "command line: server_url: "
		    "'wss://h/a?b': a query or fragment is not supported" },
	};
	size_t i;

	cc = client_config_load(DATA "/client-good.toml", &cause);
	tap_ok(cc != NULL, "client-good.toml loads");
	if (cc == NULL) {
		printf("# %s\n", cause);
		free(cause);
	} else {
		tap_is_str(cc->url_host, "vpn.example.com", "url_host");
		tap_is_int(cc->url_port, 443, "wss default port");
		tap_ok(cc->url_tls, "wss is TLS");
		tap_is_str(cc->url_path, "/api/v1/ws", "url_path without /tun");
		tap_is_str(cc->tun_path, "/api/v1/ws/tun", "client tun_path");
		tap_ok(cc->has_server_key, "server key");
		key_to_base64(cc->server_key, b64);
		tap_is_str(b64, "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=",
		    "server key value");
		tap_is_str(cc->identity_key_file, DATA "/client.key",
		    "client identity_key_file");
		tap_is_int(cc->nroutes, 1, "client routes");
		tap_ok(!cc->dns, "dns false");
		tap_is_int(cc->reconnect_max, 30, "reconnect_max");
		tap_is_str(cc->tun_name, "rvpn0", "client tun_name default");
		/* A flag over the file changes its key and nothing else. */
		{
			const char *tun[] = { "rvt9" }, *dot[] = { ".." };

			tap_ok(client_config_set(cc, "tun_name", tun, 1,
			    "command line", &cause), "flag tun_name set");
			tap_is_str(cc->tun_name, "rvt9", "flag tun_name");
			tap_ok(!cc->dns && cc->nroutes == 1 &&
			    cc->reconnect_max == 30, "flag: the file's other "
			    "keys kept");
			tap_ok(!client_config_set(cc, "tun_name", dot, 1,
			    "command line", &cause), "flag tun_name '..'");
			tap_is_str(cause, "command line: tun_name: '..': must "
			    "be 1..15 characters without '/', ':' or spaces",
			    "flag error: command line: KEY: 'VALUE': problem");
			tap_is_str(cc->tun_name, "rvt9", "refused: kept");
			free(cause);
			cause = NULL;
		}
		client_config_free(cc);
	}

	cc = client_config_default();
	tap_ok(cc->server_url == NULL && !cc->has_server_key,
	    "client default: no URL, no key");
	tap_is_str(cc->identity_key_file, SYSCONFDIR "/rvpn/client.key",
	    "client default identity_key_file");
	tap_ok(cc->dns && !cc->insecure && cc->ca_file == NULL &&
	    cc->nroutes == 0, "client defaults dns, insecure, ca, routes");
	tap_is_int(cc->reconnect_max, 60, "client default reconnect_max");
	tap_is_int(cc->log_level, LOG_LVL_INFO, "client default log_level");
	for (i = 0; i < nitems(urls); i++) {
		bool ok;

		cause = NULL;
		ok = client_config_set(cc, "server_url", &urls[i].url, 1,
		    "command line", &cause);
		if (urls[i].ok) {
			tap_ok(ok && cc->url_tls == urls[i].tls &&
			    strcmp(cc->url_host, urls[i].host) == 0 &&
			    cc->url_port == urls[i].port &&
			    strcmp(cc->url_path, urls[i].path) == 0 &&
			    strcmp(cc->tun_path, urls[i].tun) == 0 &&
			    strcmp(cc->server_url, urls[i].url) == 0,
			    "url %s", urls[i].url);
		} else {
			tap_ok(!ok, "url %s rejected", urls[i].url);
			tap_is_str(cause, urls[i].err, urls[i].err);
		}
		free(cause);
	}
	client_config_free(cc);

	cause = NULL;
	cc = client_config_load(DATA "/client-bad-url.toml", &cause);
	tap_ok(cc == NULL, "client-bad-url.toml rejected");
	tap_is_str(cause, DATA "/client-bad-url.toml:2: server_url: "
	    "'https://vpn.example.com/': must start with wss:// or ws://",
	    "client bad url: FILE:LINE: KEY:");
	free(cause);
}

/* Hostile files: a huge line, and more errors than anyone reads. */
static void
test_hostile(void)
{
	struct server_config *sc;
	char *path, *text, *cause = NULL, *want, *p;
	size_t i, n;

	path = tmp_path("long.toml");
	text = xmalloc(20000);
	n = (size_t)snprintf(text, 20000, "[server]\ntrusted_proxies = [");
	for (i = 0; i < 200; i++)	/* each string used to copy the rest */
		n += (size_t)snprintf(text + n, 20000 - n, "\"%.40s\",",
		    "1.2.3.4/32                                       ");
	text[n++] = '"';
	memset(text + n, 'x', 10000);
	memcpy(text + n + 10000, "\"]\n", 4);
	write_file(path, text);
	xasprintf(&want, "line too long (at most 8192 bytes)");
	xasprintf(&p, "%s:2: %s", path, want);
	sc = server_config_load(path, &cause);
	tap_ok(sc == NULL, "long.toml: rejected");
	tap_is_str(cause, p, "long.toml: FILE:LINE: line too long");
	server_config_free(sc);
	free(cause);
	free(want);
	free(p);
	free(text);
	unlink(path);
	free(path);

	path = tmp_path("errors.toml");
	text = xmalloc(3 * 5000 + 1);
	for (i = 0; i < 5000; i++)
		memcpy(text + 3 * i, "x\n\n", 3);
	text[3 * 5000] = '\0';
	write_file(path, text);
	cause = NULL;
	sc = server_config_load(path, &cause);
	tap_ok(sc == NULL, "errors.toml: rejected");
	for (n = 0, p = cause; p != NULL && (p = strchr(p, '\n')) != NULL; p++)
		n++;
	tap_is_int(n + 1, 101, "errors.toml: 100 errors and a summary");
	xasprintf(&want, "%s:1: 'x': expected KEY = VALUE\n", path);
	tap_ok(cause != NULL && strncmp(cause, want, strlen(want)) == 0,
	    "errors.toml: first error of line 1");
	free(want);
	xasprintf(&want, "\n%s: 4900 more errors not shown", path);
	tap_ok(cause != NULL && strlen(cause) > strlen(want) &&
	    strcmp(cause + strlen(cause) - strlen(want), want) == 0,
	    "errors.toml: the count of the rest");
	server_config_free(sc);
	free(cause);
	free(want);
	free(text);
	unlink(path);
	free(path);

	/* A missing file's path is quoted whole, however long. */
	p = tmp_path("k.pem");
	write_file(p, "key\n");
	path = tmp_path("long-path.toml");
	write_file(path, "[server]\ntls_key_file = \"k.pem\"\n"
	    "tls_cert_file = \"a-directory-name-long-enough-to-push-the-"
	    "path-past-eighty-characters/missing.pem\"\n");
	xasprintf(&want, "3: tls_cert_file: '%s/a-directory-name-long-enough-"
	    "to-push-the-path-past-eighty-characters/missing.pem': No such "
	    "file or directory", tmpdir);
	expect_server_err(path, want, false);
	free(want);
	unlink(path);
	free(path);
	unlink(p);
	free(p);
}

/* Load text as server.toml (clients: the clients file, or NULL). */
static struct server_config *
load_v6(const char *text, const char *clients, char **cause)
{
	struct server_config *sc;
	char *srv, *cl = NULL, *full;

	srv = tmp_path("v6-server.toml");
	if (clients != NULL) {
		cl = tmp_path("v6-clients.toml");
		write_file(cl, clients);
		xasprintf(&full, "[server]\nauthorized_clients_file = \"%s\"\n"
		    "%s", cl, text);
	} else
		full = xstrdup(text);
	write_file(srv, full);
	sc = server_config_load(srv, cause);
	unlink(srv);
	if (cl != NULL)
		unlink(cl);
	free(srv);
	free(cl);
	free(full);
	return sc;
}

static void
expect_v6_err(const char *text, const char *clients, const char *want)
{
	struct server_config *sc;
	char *cause = NULL;
	const char *got;

	sc = load_v6(text, clients, &cause);
	got = cause == NULL ? "" : strchr(cause, ':') + 1;
	tap_ok(sc == NULL && strcmp(got, want) == 0, "v6 rejected: %s", want);
	if (sc != NULL || strcmp(got, want) != 0)
		printf("# got '%s'\n", cause != NULL ? cause : "(loaded)");
	server_config_free(sc);
	free(cause);
}

/* admin_listen, node_name, drain_kick_spread, proxy_protocol, servers. */
static void
expect_scale_err(const char *text, const char *want)
{
	struct server_config *sc;
	char *cause = NULL;
	const char *got;

	sc = load_v6(text, NULL, &cause);
	got = cause == NULL ? "" : strchr(cause, ':') + 1;
	tap_ok(sc == NULL && strcmp(got, want) == 0, "rejected: %s", want);
	if (sc != NULL || strcmp(got, want) != 0)
		printf("# got '%s'\n", cause != NULL ? cause : "(loaded)");
	server_config_free(sc);
	free(cause);
}

/*
 * trusted_proxies: IPv4 and IPv6 addresses and prefixes; a dual-stack
 * listener's IPv4-mapped peer matches the IPv4 ones.
 */
static int
proxy_match(const struct server_config *sc, const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return config_in_prefixes(sc->trusted_proxies,
		    sc->ntrusted_proxies, AF_INET, &a4);
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return config_in_prefixes(sc->trusted_proxies,
		    sc->ntrusted_proxies, AF_INET6, &a6);
	return -1;
}

static void
test_proxies(void)
{
	static const struct {
		const char *addr;
		int want;
	} cases[] = {
		{ "10.1.2.3", 1 },		/* 10.0.0.0/8 */
		{ "11.0.0.1", 0 },
		{ "198.18.0.7", 1 },		/* the address itself */
		{ "198.18.0.8", 0 },
		{ "::ffff:10.9.9.9", 1 },	/* v4-mapped: as IPv4 */
		{ "::ffff:198.18.0.7", 1 },
		{ "::ffff:11.0.0.1", 0 },
		{ "::1", 1 },			/* ::1 alone */
		{ "::2", 0 },
		{ "2001:db8:1::2", 1 },		/* 2001:db8:1::/64 */
		{ "2001:db8:1::ffff:1", 1 },
		{ "2001:db8:1:1::2", 0 },
		{ "2001:db8:2::2", 0 },
		{ "::a01:203", 0 },		/* IPv4-compatible: not IPv4 */
	};
	struct server_config *sc;
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	char *cause = NULL;
	unsigned i;
	int got;

	sc = load_v6("[server]\ntrusted_proxies = [\"10.0.0.0/8\", "
	    "\"198.18.0.7\", \"::1\", \"2001:db8:1::/64\"]\n", NULL, &cause);
	tap_ok(sc != NULL && sc->ntrusted_proxies == 4,
	    "trusted_proxies: IPv4 and IPv6 addresses and prefixes load");
	if (sc == NULL) {
		printf("# %s\n", cause);
		free(cause);
		return;
	}
	tap_ok(sc->trusted_proxies[2].family == AF_INET6 &&
	    sc->trusted_proxies[2].prefix == 128 &&
	    sc->trusted_proxies[3].prefix == 64,
	    "an IPv6 proxy address is /128, the prefix keeps its length");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = proxy_match(sc, cases[i].addr);
		tap_ok(got == cases[i].want, "trusted_proxies: %s %s",
		    cases[i].addr, cases[i].want ? "trusted" : "not trusted");
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:10.0.0.1", &sin6.sin6_addr);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "198.18.0.7", &sin.sin_addr);
	tap_ok(config_in_prefixes_sa(sc->trusted_proxies,
	    sc->ntrusted_proxies, (struct sockaddr *)&sin6) &&
	    config_in_prefixes_sa(sc->trusted_proxies,
	    sc->ntrusted_proxies, (struct sockaddr *)&sin),
	    "socket addresses: a v4-mapped peer and an IPv4 peer");
	server_config_free(sc);

	expect_v6_err("[server]\ntrusted_proxies = [\"2001:db8:1::1/64\"]\n",
	    NULL, "2: trusted_proxies: '2001:db8:1::1/64': host bits set");
	expect_v6_err("[server]\ntrusted_proxies = [\"2001:db8::/129\"]\n",
	    NULL, "2: trusted_proxies: '2001:db8::/129': prefix length must "
	    "be 0..128");
	expect_v6_err("[server]\ntrusted_proxies = [\"2001:db8::g\"]\n",
	    NULL, "2: trusted_proxies: '2001:db8::g': not an IPv6 address");
	expect_v6_err("[server]\ntrusted_proxies = [\"10.0.0.1/8\"]\n",
	    NULL, "2: trusted_proxies: '10.0.0.1/8': host bits set");
	expect_v6_err("[server]\ntrusted_proxies = [\"10.0.0.256\"]\n",
	    NULL, "2: trusted_proxies: '10.0.0.256': not an IPv4 address");
}

static void
test_scale(void)
{
	struct server_config *sc;
	struct client_config *cc;
	char *cause = NULL, *path;

	sc = load_v6("[server]\n", NULL, &cause);
	tap_ok(sc != NULL && sc->admin_listen == NULL &&
	    sc->node_name == NULL && sc->drain_kick_spread == 60 &&
	    !sc->proxy_protocol, "scale keys: defaults (no admin listener, "
	    "host name, 60 s, no PROXY)");
	server_config_free(sc);
	sc = load_v6("[server]\nadmin_listen = \"127.0.0.1\"\n"
	    "node_name = \"node-a.dc1\"\ndrain_kick_spread = 0\n", NULL,
	    &cause);
	tap_ok(sc != NULL && strcmp(sc->admin_host, "127.0.0.1") == 0 &&
	    sc->admin_port == 9190 && strcmp(sc->node_name, "node-a.dc1") ==
	    0 && sc->drain_kick_spread == 0, "admin_listen without a port: "
	    "9190; node_name; spread 0");
	server_config_free(sc);
	sc = load_v6("[server]\nadmin_listen = \"[::1]:9999\"\n", NULL,
	    &cause);
	tap_ok(sc != NULL && strcmp(sc->admin_host, "::1") == 0 &&
	    sc->admin_port == 9999, "admin_listen [::1]:9999");
	server_config_free(sc);
	expect_scale_err("[server]\nadmin_listen = \"localhost:9190\"\n",
	    "2: admin_listen: 'localhost:9190': not an IP address (e.g. "
	    "127.0.0.1:9190)");
	expect_scale_err("[server]\nadmin_listen = \"127.0.0.1:0\"\n",
	    "2: admin_listen: '127.0.0.1:0': port must be 1..65535");
	expect_scale_err("[server]\nnode_name = \"node a\"\n",
	    "2: node_name: 'node a': must be 1..63 letters, digits, '.', '_' "
	    "or '-'");
	expect_scale_err("[server]\nnode_name = \"n\\\"x\"\n",
	    "2: node_name: 'n\"x': must be 1..63 letters, digits, '.', '_' "
	    "or '-'");
	expect_scale_err("[server]\ndrain_kick_spread = 3601\n",
	    "2: drain_kick_spread: '3601': must be 0..3600");
	expect_scale_err("[server]\nproxy_protocol = true\n",
	    "2: proxy_protocol: trusted_proxies is empty (PROXY headers are "
	    "taken from them only)");
	sc = load_v6("[server]\nproxy_protocol = true\n"
	    "trusted_proxies = [\"10.0.0.2\"]\n", NULL, &cause);
	tap_ok(sc != NULL && sc->proxy_protocol, "proxy_protocol with "
	    "trusted_proxies");
	server_config_free(sc);

	/* The client's servers. */
	path = tmp_path("servers.toml");
	write_file(path, "[client]\nservers = [\"wss://a.example/x\", "
	    "\"ws://10.0.0.2:8080\"]\n");
	cc = client_config_load(path, &cause);
	tap_ok(cc != NULL && cc->nservers == 2 &&
	    strcmp(cc->url_host, "a.example") == 0 &&
	    client_config_use_server(cc, 1) && !cc->url_tls &&
	    strcmp(cc->url_host, "10.0.0.2") == 0 && cc->url_port == 8080 &&
	    strcmp(cc->tun_path, "/api/v1/ws/tun") == 0 &&
	    !client_config_use_server(cc, 2), "servers: the first in use, "
	    "the second on demand, no third");
	client_config_free(cc);
	write_file(path, "[client]\nservers = [\"wss://a.example/x\", "
	    "\"https://b\"]\n");
	cc = client_config_load(path, &cause);
	tap_ok(cc == NULL && cause != NULL && strstr(cause, ":2: servers: "
	    "'https://b': must start with wss:// or ws://") != NULL,
	    "servers: a bad URL is named");
	client_config_free(cc);
	free(cause);
	cause = NULL;
	unlink(path);
	free(path);
}

static void
test_v6(void)
{
	static const char key[] =
	    "\"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=\"";
	static const char key2[] =
	    "\"dWwqUqOMptthPImChhRjY7yRmPUDzDsHsWDh8vqPs2I=\"";
	struct server_config *sc;
	struct client_config *cc;
	char *cause = NULL, *clients, *path;
	char buf[INET6_ADDRSTRLEN];

	sc = load_v6("[server.network]\n", NULL, &cause);
	tap_ok(sc != NULL && sc->dhcp_range6.prefix == 0,
	    "dhcp_range6 unset by default: IPv4 only");
	server_config_free(sc);
	sc = load_v6("[server.network]\ndhcp_range6 = \"fd10:200::/64\"\n",
	    NULL, &cause);
	tap_ok(sc != NULL && sc->dhcp_range6.prefix == 64 &&
	    strcmp(ipaddr_str6(&sc->dhcp_range6.addr, buf, sizeof(buf)),
	    "fd10:200::") == 0, "dhcp_range6 fd10:200::/64");
	server_config_free(sc);
	sc = load_v6("[server.network]\ndhcp_range6 = \"fd10:200::100/120\"\n",
	    NULL, &cause);
	tap_ok(sc != NULL && sc->dhcp_range6.prefix == 120,
	    "dhcp_range6 /120");
	server_config_free(sc);
	expect_v6_err("[server.network]\ndhcp_range6 = \"fd10:200::/60\"\n",
	    NULL, "2: dhcp_range6: 'fd10:200::/60': prefix length must be "
	    "64..126");
	expect_v6_err("[server.network]\ndhcp_range6 = \"fd10:200::/127\"\n",
	    NULL, "2: dhcp_range6: 'fd10:200::/127': prefix length must be "
	    "64..126");
	expect_v6_err("[server.network]\ndhcp_range6 = \"fd10:200::1/64\"\n",
	    NULL, "2: dhcp_range6: 'fd10:200::1/64': host bits set (the "
	    "network is fd10:200::/64)");
	expect_v6_err("[server.network]\ndhcp_range6 = \"10.200.0.0/24\"\n",
	    NULL, "2: dhcp_range6: '10.200.0.0/24': not an IPv6 address");
	expect_v6_err("[server.network]\ndhcp_range6 = \"fd10:200::\"\n",
	    NULL, "2: dhcp_range6: 'fd10:200::': missing prefix length");

	sc = load_v6("[server.network]\ndns_servers = [\"198.18.0.2\", "
	    "\"2001:db8::53\", \"10.0.0.1\"]\n", NULL, &cause);
	tap_ok(sc != NULL && sc->ndns_servers == 2 && sc->ndns_servers6 == 1 &&
	    strcmp(ipaddr_str6(&sc->dns_servers6[0], buf, sizeof(buf)),
	    "2001:db8::53") == 0 && strcmp(str4(sc->dns_servers[1]),
	    "10.0.0.1") == 0, "dns_servers: IPv4 and IPv6 kept apart");
	server_config_free(sc);
	expect_v6_err("[server.network]\ndns_servers = [\"2001:db8::x\"]\n",
	    NULL, "2: dns_servers: '2001:db8::x': not an IP address");

	sc = load_v6("[server.network]\nroutes = [\"10.1.0.0/16\", "
	    "\"2001:db8:5::/48\"]\n", NULL, &cause);
	tap_ok(sc != NULL && sc->nroutes == 1 && sc->nroutes6 == 1 &&
	    sc->routes6[0].prefix == 48 && strcmp(ipaddr_str6(
	    &sc->routes6[0].addr, buf, sizeof(buf)), "2001:db8:5::") == 0,
	    "routes: IPv4 and IPv6 prefixes");
	server_config_free(sc);
	expect_v6_err("[server.network]\nroutes = [\"2001:db8:5::1/48\"]\n",
	    NULL, "2: routes: '2001:db8:5::1/48': host bits set");

	/* address6 in the clients file. */
	xasprintf(&clients, "[client.a]\npublic_key = %s\naddress6 = "
	    "\"fd10:200::beef\"\n[client.b]\npublic_key = %s\n", key, key2);
	sc = load_v6("[server.network]\ndhcp_range6 = \"fd10:200::/64\"\n",
	    clients, &cause);
	tap_ok(sc != NULL && sc->nclients == 2 && sc->clients[0].has_addr6 &&
	    strcmp(ipaddr_str6(&sc->clients[0].addr6, buf, sizeof(buf)),
	    "fd10:200::beef") == 0 && !sc->clients[1].has_addr6,
	    "address6 read; a client without one has none");
	if (sc == NULL)
		printf("# %s\n", cause);
	server_config_free(sc);
	free(clients);

	path = tmp_path("v6-clients.toml");
#define ERR6(addr, range, msg)	do {					\
	xasprintf(&clients, "[client.a]\npublic_key = %s\n"		\
	    "address6 = \"%s\"\n", key, addr);				\
	sc = load_v6(range, clients, &cause);				\
	tap_ok(sc == NULL && cause != NULL &&				\
	    strncmp(cause, path, strlen(path)) == 0 &&			\
	    strcmp(cause + strlen(path), msg) == 0, "address6 %s", msg); \
	if (sc != NULL || cause == NULL ||				\
	    strcmp(cause + strlen(path), msg) != 0)			\
		printf("# got '%s'\n", cause ? cause : "(loaded)");	\
	server_config_free(sc);						\
	free(cause);							\
	cause = NULL;							\
	free(clients);							\
} while (0)
	ERR6("fd10:201::5", "[server.network]\ndhcp_range6 = \"fd10:200::/64\"\n",
	    ":3: address6: 'fd10:201::5': outside dhcp_range6 fd10:200::/64");
	ERR6("fd10:200::1", "[server.network]\ndhcp_range6 = \"fd10:200::/64\"\n",
	    ":3: address6: 'fd10:200::1': the network (anycast) or gateway "
	    "address of dhcp_range6");
	ERR6("10.200.0.5", "[server.network]\ndhcp_range6 = \"fd10:200::/64\"\n",
	    ":3: address6: '10.200.0.5': not an IPv6 address");
#undef ERR6
	xasprintf(&clients, "[client.a]\npublic_key = %s\naddress6 = "
	    "\"fd10:200::5\"\n[client.b]\npublic_key = %s\naddress6 = "
	    "\"fd10:200::5\"\n", key, key2);
	sc = load_v6("[server.network]\ndhcp_range6 = \"fd10:200::/64\"\n",
	    clients, &cause);
	tap_ok(sc == NULL && cause != NULL && strstr(cause, ":6: address6: "
	    "'fd10:200::5': already the address6 of client 'a' (line 3)") !=
	    NULL, "address6 twice: rejected");
	free(cause);
	cause = NULL;
	free(clients);
	xasprintf(&clients, "[client.a]\npublic_key = %s\naddress6 = "
	    "\"fd10:200::5\"\n", key);
	sc = load_v6("[server.network]\n", clients, &cause);
	tap_ok(sc == NULL && cause != NULL && strstr(cause, ":3: address6: "
	    "'fd10:200::5': dhcp_range6 is not set in ") != NULL,
	    "address6 without dhcp_range6: rejected");
	free(cause);
	cause = NULL;
	free(clients);
	free(path);

	/* The client's block_ipv6. */
	path = tmp_path("v6-client.toml");
	write_file(path, "[client]\nblock_ipv6 = false\n");
	cc = client_config_load(path, &cause);
	tap_ok(cc != NULL && !cc->block_ipv6, "client block_ipv6 = false");
	client_config_free(cc);
	cc = client_config_default();
	tap_ok(cc->block_ipv6, "client block_ipv6 default true");
	client_config_free(cc);
	write_file(path, "[client]\nblock_ipv6 = \"no\"\n");
	cc = client_config_load(path, &cause);
	tap_ok(cc == NULL && cause != NULL && strstr(cause, ":2: block_ipv6: ")
	    != NULL, "client block_ipv6 not a boolean: rejected");
	client_config_free(cc);
	free(cause);
	unlink(path);
	free(path);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	log_init("test-config", LOG_LVL_WARN);
	test_sample();
	test_sample_comments();
	test_defaults();
	test_good();
	test_broken();
	test_authorized();
	test_chroot();
	test_paths();
	test_client();
	test_hostile();
	test_v6();
	test_proxies();
	test_scale();
	rmdir(tmpdir);
	return tap_done();
}
