/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/capability.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "compat.h"
#include "config.h"
#include "ipaddr.h"
#include "key.h"
#include "log.h"
#include "proc.h"
#include "xmalloc.h"

#define CLIENT_SYNOPSIS							\
    "usage: rvpn-client [-ft] [-c FILE] [--server URL] [--server-key KEY]\n" \
    "                   [--key FILE] [--ca FILE] [--insecure] [--sni NAME]\n" \
    "                   [--route CIDR]... [--no-dns] [--allow-ipv6-leak]\n" \
    "                   [--tun NAME] [--socks ADDR[:PORT]]\n"		\
    "                   [--socks-user NAME --socks-password-file FILE]\n" \
    "                   [-v...] [-V] [-h]\n"

static const char client_help[] =
	CLIENT_SYNOPSIS
	"\n"
	"  -f, --foreground       stay in the foreground, log to stderr\n"
	"  -c, --config FILE      read FILE (see rvpn-client.toml(5));\n"
	"                         flags override its values\n"
	"  -t, --test-config      check the configuration and the keys,\n"
	"                         print 'configuration OK' and exit\n"
	"  -s, --server URL       wss://host[:port]/path of the server; more\n"
	"                         than once: tried in turn\n"
	"  -p, --server-key KEY   the server's public key (base64)\n"
	"  -i, --key FILE         this client's private key file\n"
	"  -C, --ca FILE          trust only the CA certificates in FILE\n"
	"  -k, --insecure         do not verify the server's TLS certificate\n"
	"                         (the server key still authenticates it)\n"
	"      --sni NAME         send NAME in TLS SNI and check the\n"
	"                         certificate against it (fronting)\n"
	"  -r, --route CIDR       route only CIDR (IPv4 or IPv6) through the\n"
	"                         tunnel\n"
	"                         (repeatable; default: all traffic)\n"
	"  -n, --no-dns           do not apply the DNS servers pushed\n"
	"      --allow-ipv6-leak  when the server pushes no IPv6, let IPv6\n"
	"                         bypass a full tunnel (default: blocked)\n"
	"  -T, --tun NAME         TUN device name (default rvpn0)\n"
	"      --socks ADDR[:PORT]  relay mode: a SOCKS5 listener (port 1080)\n"
	"                         instead of a TUN; no root needed\n"
	"      --socks-user NAME  SOCKS5 clients must log in (RFC 1929)\n"
	"                         as NAME, with the password in\n"
	"      --socks-password-file FILE  (one line, mode 0600)\n"
	"  -v, --verbose          more log output (repeatable)\n"
	"  -V, --version          print the version and exit\n"
	"  -h, --help             print this help and exit\n";

#define CLIENT_OPT_IPV6_LEAK	256	/* long options only */
#define CLIENT_OPT_SNI		257
#define CLIENT_OPT_SOCKS	258
#define CLIENT_OPT_SOCKS_USER	259
#define CLIENT_OPT_SOCKS_PASS	260

static const struct option client_longopts[] = {
	{ "foreground",	no_argument,		NULL, 'f' },
	{ "config",	required_argument,	NULL, 'c' },
	{ "test-config", no_argument,		NULL, 't' },
	{ "server",	required_argument,	NULL, 's' },
	{ "server-key",	required_argument,	NULL, 'p' },
	{ "key",	required_argument,	NULL, 'i' },
	{ "ca",		required_argument,	NULL, 'C' },
	{ "insecure",	no_argument,		NULL, 'k' },
	{ "sni",	required_argument,	NULL, CLIENT_OPT_SNI },
	{ "route",	required_argument,	NULL, 'r' },
	{ "no-dns",	no_argument,		NULL, 'n' },
	{ "allow-ipv6-leak", no_argument,	NULL, CLIENT_OPT_IPV6_LEAK },
	{ "tun",	required_argument,	NULL, 'T' },
	{ "socks",	required_argument,	NULL, CLIENT_OPT_SOCKS },
	{ "socks-user",	required_argument,	NULL, CLIENT_OPT_SOCKS_USER },
	{ "socks-password-file", required_argument, NULL,
	    CLIENT_OPT_SOCKS_PASS },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 }
};

/* Flags as given, applied over the configuration once it is loaded. */
struct client_flags {
	bool		 foreground;
	bool		 test;
	const char	*config;
	const char	*servers[CONFIG_MAX_SERVERS];	/* --server */
	unsigned	 nservers;
	const char	*server_key;
	const char	*key;
	const char	*ca;
	bool		 insecure;
	const char	*sni;
	const char	**routes;		/* argc of them at most */
	unsigned	 nroutes;
	bool		 no_dns;
	bool		 ipv6_leak;
	const char	*tun;
	const char	*socks;
	const char	*socks_user;
	const char	*socks_pass;
	int		 verbose;
};

static void __attribute__((noreturn))
usage(void)
{
	fputs(CLIENT_SYNOPSIS, stderr);
	exit(1);
}

/* Monotonic clock in nanoseconds. */
uint64_t
client_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Leave the event loop; main() then undoes everything. */
void
client_stop(struct client *cl, int exit_code)
{
	if (exit_code > cl->exit_code)
		cl->exit_code = exit_code;
	cl->stopping = true;
	event_base_loopexit(cl->base, NULL);
}

/* SIGINT/SIGTERM: stop cleanly; a second one stops at once. */
static void
client_signal_cb(evutil_socket_t sig, short events, void *arg)
{
	struct client *cl = arg;

	switch (sig) {
	case SIGHUP:
		log_info("SIGHUP: nothing to reload (restart to change the "
		    "configuration)");
		break;
	case SIGINT:
	case SIGTERM:
		if (cl->stopping) {
			log_info("signal %d again: stopping now", (int)sig);
			event_base_loopexit(cl->base, NULL);
			break;
		}
		log_info("signal %d: stopping", (int)sig);
		client_ws_shutdown(cl);
		break;
	}
}

/* Parse argv into flags; usage errors exit 1 before anything is touched. */
static void
client_parse_flags(int argc, char **argv, struct client_flags *fl)
{
	int ch;

	memset(fl, 0, sizeof(*fl));
	fl->routes = xcalloc((size_t)argc, sizeof(*fl->routes));
	while ((ch = getopt_long(argc, argv, "fc:ts:p:i:C:kr:nT:vVh",
	    client_longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			fl->foreground = true;
			break;
		case 'c':
			fl->config = optarg;
			break;
		case 't':
			fl->test = true;
			break;
		case 's':
			if (fl->nservers == CONFIG_MAX_SERVERS) {
				fprintf(stderr, "rvpn-client: --server: at "
				    "most %d\n", CONFIG_MAX_SERVERS);
				exit(1);
			}
			fl->servers[fl->nservers++] = optarg;
			break;
		case 'p':
			fl->server_key = optarg;
			break;
		case 'i':
			fl->key = optarg;
			break;
		case 'C':
			fl->ca = optarg;
			break;
		case 'k':
			fl->insecure = true;
			break;
		case 'r':
			fl->routes[fl->nroutes++] = optarg;
			break;
		case 'n':
			fl->no_dns = true;
			break;
		case CLIENT_OPT_IPV6_LEAK:
			fl->ipv6_leak = true;
			break;
		case CLIENT_OPT_SNI:
			fl->sni = optarg;
			break;
		case 'T':
			fl->tun = optarg;
			break;
		case CLIENT_OPT_SOCKS:
			fl->socks = optarg;
			break;
		case CLIENT_OPT_SOCKS_USER:
			fl->socks_user = optarg;
			break;
		case CLIENT_OPT_SOCKS_PASS:
			fl->socks_pass = optarg;
			break;
		case 'v':
			fl->verbose++;
			break;
		case 'V':
			printf("rvpn-client %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			fputs(client_help, stdout);
			exit(0);
		default:
			usage();
		}
	}
	if (optind != argc) {
		fprintf(stderr, "rvpn-client: unexpected argument '%s'\n",
		    argv[optind]);
		usage();
	}
}

/*
 * One flag through the setter and checks of its client.toml key, as a
 * value of the "command line" (the same rules and messages as the file).
 */
static void
client_flag(struct client_config *cfg, const char *key,
    const char *const *values, unsigned nvalues)
{
	char *cause = NULL;

	if (!client_config_set(cfg, key, values, nvalues, "command line",
	    &cause)) {
		log_print_cause(cause);
		free(cause);
		exit(1);
	}
}

/* 127.0.0.0/8 or ::1. */
static bool
client_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a;

	if (inet_pton(AF_INET, host, &a) == 1)
		return (ntohl(a.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &a6) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&a6);
}

/* Load the configuration (or defaults) and lay the flags over it. */
static struct client_config *
client_load_config(const struct client_flags *fl)
{
	static const char *const f[] = { "false" }, *const t[] = { "true" };
	struct client_config *cfg;
	char *cause = NULL;
	int level;

	if (fl->config != NULL) {
		if ((cfg = client_config_load(fl->config, &cause)) == NULL) {
			log_print_cause(cause);
			free(cause);
			exit(1);
		}
	} else
		cfg = client_config_default();

	/* One --server replaces the file's servers as server_url. */
	if (fl->nservers == 1) {
		while (cfg->nservers > 0)
			free(cfg->servers[--cfg->nservers]);
		client_flag(cfg, "server_url", fl->servers, 1);
	} else if (fl->nservers > 1)
		client_flag(cfg, "servers", fl->servers, fl->nservers);
	if (fl->server_key != NULL)
		client_flag(cfg, "server_public_key", &fl->server_key, 1);
	if (fl->key != NULL)
		client_flag(cfg, "identity_key_file", &fl->key, 1);
	if (fl->ca != NULL)
		client_flag(cfg, "ca_file", &fl->ca, 1);
	if (fl->insecure)
		client_flag(cfg, "insecure", t, 1);
	if (fl->sni != NULL)
		client_flag(cfg, "sni", &fl->sni, 1);
	if (fl->nroutes > 0)
		client_flag(cfg, "routes", fl->routes, fl->nroutes);
	if (fl->no_dns)
		client_flag(cfg, "dns", f, 1);
	if (fl->ipv6_leak)
		client_flag(cfg, "block_ipv6", f, 1);
	if (fl->tun != NULL)
		client_flag(cfg, "tun_name", &fl->tun, 1);
	if (fl->socks != NULL)
		client_flag(cfg, "socks_listen", &fl->socks, 1);
	if (fl->socks_user != NULL)
		client_flag(cfg, "socks_username", &fl->socks_user, 1);
	if (fl->socks_pass != NULL)
		client_flag(cfg, "socks_password_file", &fl->socks_pass, 1);
	level = (int)cfg->log_level + fl->verbose;
	if (level > LOG_LVL_TRACE)
		level = LOG_LVL_TRACE;
	cfg->log_level = (enum log_level)level;

	/* Cross-checks: what a run cannot do without. */
	if (cfg->server_url == NULL)
		fatalx("no server URL: give --server URL or server_url in "
		    "the configuration file");
	if (!cfg->has_server_key)
		fatalx("no server key: give --server-key KEY or "
		    "server_public_key in the configuration file (rvpnctl "
		    "pubkey on the server prints it)");
	if (cfg->identity_key_file == NULL)
		fatalx("no private key: give --key FILE or identity_key_file "
		    "in the configuration file (rvpnctl genkey writes one)");
	if (cfg->socks_listen != NULL && !cfg->socks_allow_remote &&
	    !client_loopback(cfg->socks_host))
		fatalx("socks_listen %s: not a loopback address; set "
		    "socks_allow_remote = true to let other hosts use it",
		    cfg->socks_listen);
	if ((cfg->socks_username == NULL) != (cfg->socks_password_file == NULL))
		fatalx("socks_username and socks_password_file go together "
		    "(--socks-user, --socks-password-file)");
	if (cfg->socks_username != NULL && cfg->socks_listen == NULL)
		fatalx("socks_username: only for relay mode (socks_listen, "
		    "--socks)");
	return cfg;
}

/* Make server i (its URL and the address found for it) the one in use. */
static void
client_server_use(struct client *cl, unsigned i)
{
	struct client_config *cfg = cl->cfg;
	const char *h;

	if (cfg->nservers > 0)
		(void)client_config_use_server(cfg, i);
	h = cfg->url_host;
	cl->srv_idx = i;
	cl->server_af = cl->srv[i].af;
	if (cl->server_af == AF_INET6) {
		cl->server_ip6 = cl->srv[i].ip6;
		ipaddr_str6(&cl->server_ip6, cl->server_ipstr,
		    sizeof(cl->server_ipstr));
	} else {
		cl->server_ip = cl->srv[i].ip;
		ipaddr_str4(cl->server_ip, cl->server_ipstr,
		    sizeof(cl->server_ipstr));
	}
	free(cl->host_header);
	/* An IPv6 literal goes in brackets in the Host header. */
	if ((cfg->url_tls && cfg->url_port == 443) ||
	    (!cfg->url_tls && cfg->url_port == 80))
		xasprintf(&cl->host_header, "%s%s%s", strchr(h, ':') ? "[" :
		    "", h, strchr(h, ':') ? "]" : "");
	else
		xasprintf(&cl->host_header, "%s%s%s:%u", strchr(h, ':') ?
		    "[" : "", h, strchr(h, ':') ? "]" : "",
		    (unsigned)cfg->url_port);
}

/*
 * Several servers: on to the next that resolved at start (its name is
 * looked up again meanwhile, client_roam_resolve).
 */
void
client_server_next(struct client *cl)
{
	unsigned i, n;

	if (cl->nsrv < 2)
		return;
	for (n = 1; n < cl->nsrv; n++) {
		i = (cl->srv_idx + n) % cl->nsrv;
		if (cl->srv[i].ok)
			break;
	}
	if (n == cl->nsrv)
		return;
	client_server_use(cl, i);
	if (cl->lws != NULL)
		client_ws_set_host(cl);
	log_info("next server: %s (%s)", cl->cfg->server_url,
	    cl->server_ipstr);
}

/*
 * Resolve each server's host to one address, at start: the first
 * getaddrinfo() gives (RFC 6724 order), IPv4 or IPv6.  With several
 * servers one that does not resolve is skipped (a warning); none is an
 * error.
 */
static int
client_resolve(struct client *cl, char **cause)
{
	struct client_config *cfg = cl->cfg;
	struct addrinfo hints, *res = NULL;
	unsigned i, first = UINT_MAX;
	int error;

	cl->nsrv = cfg->nservers > 0 ? cfg->nservers : 1;
	for (i = 0; i < cl->nsrv; i++) {
		if (cfg->nservers > 0)
			(void)client_config_use_server(cfg, i);
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		if ((error = getaddrinfo(cfg->url_host, NULL, &hints,
		    &res)) != 0) {
			if (cl->nsrv > 1)
				log_warnx("server '%s': cannot resolve: %s; "
				    "skipped", cfg->url_host,
				    gai_strerror(error));
			else
				xasprintf(cause, "server '%s': cannot "
				    "resolve: %s", cfg->url_host,
				    gai_strerror(error));
			continue;
		}
		cl->srv[i].ok = true;
		cl->srv[i].af = res->ai_family;
		if (res->ai_family == AF_INET6)
			cl->srv[i].ip6 =
			    ((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
		else
			cl->srv[i].ip =
			    ((struct sockaddr_in *)res->ai_addr)->sin_addr;
		freeaddrinfo(res);
		if (first == UINT_MAX)
			first = i;
	}
	if (first == UINT_MAX) {
		if (*cause == NULL)
			xasprintf(cause, "none of the %u servers resolves",
			    cl->nsrv);
		return -1;
	}
	client_server_use(cl, first);
	log_debug("%s: %s is %s", __func__, cfg->url_host, cl->server_ipstr);
	return 0;
}

/*
 * Once the TUN exists keep only CAP_NET_ADMIN: routes at reconnect and
 * teardown, and resolvectl, run as root with it, for systemd-resolved.
 * DNS needs nothing more: the client stays uid 0, the owner of
 * resolv.conf and of resolvconf's files.  No SECBIT_NOROOT, for the
 * same resolvectl; no_new_privs.  See proc_drop_privileges().
 */
static int
client_drop_privileges(char **cause)
{
	const cap_value_t keep[] = { CAP_NET_ADMIN };
	struct proc_privs pp;
	char *what;

	memset(&pp, 0, sizeof(pp));
	pp.keep = keep;
	pp.nkeep = nitems(keep);
	if (proc_drop_privileges(&pp, &what, cause) == -1)
		return -1;
	log_debug("%s: running as %s", __func__, what);
	free(what);
	return 0;
}

/* Signal events, on the client's loop. */
static int
client_events_new(struct client *cl, char **cause)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, 0 };

	cl->signals = proc_signals_new(cl->base, sigs, client_signal_cb, cl,
	    cause);
	return cl->signals != NULL ? 0 : -1;
}

/*
 * Undo startup in reverse, whatever part of it happened: DNS, routes,
 * TUN, lws, events, the event_base.
 */
static void
client_teardown(struct client *cl)
{
	client_dns_restore(cl);
	client_tun_restore(cl);
	client_socks_close(cl);
	client_roam_free(cl);
	client_ws_free(cl);
	proc_signals_free(cl->signals);
	cl->signals = NULL;
	if (cl->base != NULL)
		event_base_free(cl->base);
	cl->base = NULL;
}

/* Free what is left and wipe the key. */
static void
client_free(struct client *cl)
{
	explicit_bzero(cl->priv, sizeof(cl->priv));
	explicit_bzero(cl->socks_pass, sizeof(cl->socks_pass));
	client_config_free(cl->cfg);
	free(cl->host_header);
	free(cl);
}

int
main(int argc, char **argv)
{
	struct client_flags fl;
	struct client_config *cfg;
	struct client *cl;
	char *cause = NULL, *msg, kshort[9];
	int exit_code, notify = -1, devnull = -1, rk;
	bool relay;

	log_init("rvpn_client", LOG_LVL_INFO);
	/* The test suite's shorter rekey interval (rvpn-server(8) ENVIRONMENT). */
	if ((rk = proto_rekey_env()) == -1)
		fatalx("RVPN_TEST_REKEY_SECONDS: not a number of seconds 1..3600");
	if (rk > 0)
		log_warnx("RVPN_TEST_REKEY_SECONDS: rekey every %d s (for the "
		    "test suite only)", rk);
	client_parse_flags(argc, argv, &fl);

	/* Before anything else is allocated: its errors just exit. */
	cfg = client_load_config(&fl);
	free(fl.routes);
	log_set_level(cfg->log_level);
	cl = xcalloc(1, sizeof(*cl));
	cl->tun_fd = -1;
	cl->route_fd = -1;
	cl->cfg = cfg;

	if (key_read_file(cl->cfg->identity_key_file, cl->priv, &cause) == -1) {
		xasprintf(&msg, "private key: %s", cause);
		free(cause);
		cause = msg;
		goto fail;
	}
	if (key_public(cl->priv, cl->pub) == -1) {
		xasprintf(&cause, "%s: cannot derive the public key",
		    cl->cfg->identity_key_file);
		goto fail;
	}
	if (cl->cfg->socks_username != NULL &&
	    client_socks_auth_load(cl, &cause) == -1)
		goto fail;
	if (fl.test) {
		/* Like sshd -t: no lookup, no TUN, no network. */
		printf("configuration OK\n");
		client_free(cl);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Detached, the parent waits for the end of startup: an error up to
	 * the first connection attempt is its exit status 1, as with -f.
	 */
	if (!fl.foreground)
		notify = proc_daemonize();
	if (client_resolve(cl, &cause) == -1)
		goto fail;

	/* Relay mode: no TUN, no routes, no DNS; no privilege needed. */
	relay = cl->cfg->socks_listen != NULL;
	if (!relay) {
		client_dns_recover(cl);
		if (client_tun_open(cl, &cause) == -1)
			goto fail;
	}
	if ((cl->base = event_base_new()) == NULL) {
		cause = xstrdup("event_base_new failed");
		goto fail;
	}
	log_route_libs();
	if (client_events_new(cl, &cause) == -1 ||
	    client_ws_init(cl, &cause) == -1 ||
	    client_roam_init(cl, &cause) == -1 ||
	    (relay && client_socks_open(cl, &cause) == -1) ||
	    (!relay && client_drop_privileges(&cause) == -1))
		goto fail;
	if (!fl.foreground)
		devnull = proc_detach_prepare("rvpn_client");
	key_short(cl->pub, kshort);
	log_info("rvpn-client %s: key %s: connecting to %s (%s)",
	    PACKAGE_VERSION, kshort, cl->cfg->server_url, cl->server_ipstr);
	if (!fl.foreground)
		proc_detached(notify, devnull);
	client_ws_connect(cl);

	event_base_dispatch(cl->base);

	client_teardown(cl);
	if (relay)
		log_info("stopped (%llu streams, tx %llu bytes, rx %llu bytes)",
		    (unsigned long long)cl->stats.streams,
		    (unsigned long long)cl->stats.stream_tx,
		    (unsigned long long)cl->stats.stream_rx);
	else
		log_info("stopped (tx %llu packets, rx %llu packets, dropped "
		    "%llu tx %llu rx)", (unsigned long long)cl->stats.tx_pkts,
		    (unsigned long long)cl->stats.rx_pkts,
		    (unsigned long long)cl->stats.tx_drop,
		    (unsigned long long)cl->stats.rx_drop);
	exit_code = cl->exit_code;
	client_free(cl);
	return exit_code;

fail:
	log_error("%s", cause != NULL ? cause : "startup failed");
	free(cause);
	client_teardown(cl);
	client_free(cl);
	return 1;
}
