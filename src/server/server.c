/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "config.h"
#include "ipaddr.h"
#include "key.h"
#include "log.h"
#include "pool.h"
#include "proc.h"
#include "proto.h"
#include "replay.h"
#include "route.h"
#include "server.h"
#include "vnet.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define SERVER_DEFAULT_CONFIG	SYSCONFDIR "/rvpn/server.toml"
#define SERVER_REPLAY_MIN	1024
#define SERVER_LOG_NAME		"rvpn_server"

/* The config file as an absolute path: reload runs after chdir("/"). */
static char	*server_conffile;
/* -v count, added to log_level at start and at each reload. */
static int	 server_verbose;

static const struct option longopts[] = {
	{ "foreground",		no_argument,		NULL,	'f' },
	{ "config",		required_argument,	NULL,	'c' },
	{ "test-config",	no_argument,		NULL,	't' },
	{ "verbose",		no_argument,		NULL,	'v' },
	{ "version",		no_argument,		NULL,	'V' },
	{ "help",		no_argument,		NULL,	'h' },
	{ NULL,			0,			NULL,	0 }
};

static void __attribute__((noreturn))
usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
	    "usage: rvpn-server [-ftvVh] [-c file]\n"
	    "  -f, --foreground    stay in the foreground, log to stderr\n"
	    "  -c, --config FILE   configuration file (default %s)\n"
	    "  -t, --test-config   check the configuration and exit\n"
	    "  -v, --verbose       more log output (repeat for trace)\n"
	    "  -V, --version       print the version and exit\n"
	    "  -h, --help          print this help and exit\n",
	    SERVER_DEFAULT_CONFIG);
	exit(code);
}

/* Refresh the cached monotonic clock (seconds and nanoseconds). */
void
server_update_time(struct server *sv)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sv->now = (uint64_t)ts.tv_sec;
	sv->now_ns = (uint64_t)ts.tv_sec * 1000000000ULL +
	    (uint64_t)ts.tv_nsec;
}

/* Break the loop once every session is gone (shutdown). */
static void
server_drain_cb(evutil_socket_t fd, short events, void *arg)
{
	struct server *sv = arg;

	event_base_loopbreak(sv->base);
}

/*
 * Begin shutdown: stop reading the TUN, end every session with
 * SHUTDOWN and give them a short grace to flush their CLOSE.
 */
void
server_stop(struct server *sv, int code)
{
	struct session *s, *next;
	struct timeval tv = { SERVER_CLOSE_GRACE, 0 };

	if (sv->stopping)
		return;
	sv->stopping = true;
	sv->exit_code = code;
	if (sv->ev_tun != NULL)
		event_del(sv->ev_tun);
	for (s = TAILQ_FIRST(&sv->sessions); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		session_close(s, PROTO_CLOSE_SHUTDOWN, NULL);
	}
	if (TAILQ_EMPTY(&sv->sessions)) {
		event_base_loopbreak(sv->base);
		return;
	}
	sv->ev_drain = evtimer_new(sv->base, server_drain_cb, sv);
	if (sv->ev_drain == NULL || evtimer_add(sv->ev_drain, &tv) == -1)
		event_base_loopbreak(sv->base);
}

/* Set the log level: log_level raised by -v. */
static void
server_set_log_level(enum log_level level)
{
	int v;

	for (v = server_verbose; v > 0 && level < LOG_LVL_TRACE; v--)
		level++;
	log_set_level(level);
	log_route_libs();
}

/* A changed restart-only key (server_config_keep_restart). */
static void
server_restart_warn(const char *key)
{
	log_warnx("reload: %s changed: restart required, keeping the old "
	    "value", key);
}

/* Turning TLS on or off needs a new listener. */
static bool
server_tls_toggled(const struct server_config *run,
    const struct server_config *nc)
{
	return (run->tls_cert_file != NULL) != (nc->tls_cert_file != NULL);
}

/*
 * Static addresses of the new clients file must fit the running pool
 * (dhcp_range needs a restart): not the network, gateway or broadcast.
 */
static int
server_check_statics(struct server *sv, const struct server_config *nc,
    char **cause)
{
	const struct config_cidr4 *r = &sv->cfg->dhcp_range;
	uint32_t net, host, bcast;
	char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
	unsigned i;

	net = ntohl(r->addr.s_addr);
	bcast = (1U << (32 - r->prefix)) - 1;
	for (i = 0; i < nc->nclients; i++) {
		if (!nc->clients[i].has_addr4)
			continue;
		host = ntohl(nc->clients[i].addr4.s_addr) - net;
		if (ipaddr_in_cidr4(nc->clients[i].addr4, r->addr,
		    r->prefix) && host > 1 && host != bcast)
			continue;
		xasprintf(cause, "%s: client %s: address %s is not usable in "
		    "the running dhcp_range %s/%u", nc->authorized_clients_file,
		    nc->clients[i].name, ipaddr_str4(nc->clients[i].addr4, a,
		    sizeof(a)), ipaddr_str4(r->addr, n, sizeof(n)), r->prefix);
		return -1;
	}
	return 0;
}

/* Log a multi-line cause, one warning per line, with a prefix. */
static void
server_log_lines(const char *prefix, const char *text)
{
	const char *p, *nl;

	for (p = text; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		log_warnx("%s%.*s", prefix, (int)(nl - p), p);
		if (*nl == '\0')
			break;
	}
}

static size_t	server_replay_size(const struct server_config *);

/*
 * Re-read the config file and apply what may change while running: the
 * authorized clients (removed keys end with 4012; static addresses apply
 * at the next connect), the TLS certificate and key (new connections),
 * dns_servers and routes (next handshakes), log_level, keepalive,
 * idle_timeout, max_clients, client_to_client, trusted_proxies.  A
 * changed restart-only key is logged and keeps its value.  Everything
 * that can fail happens before anything is applied.
 *
 * Under chroot the files are out of reach (their paths are outside it)
 * and one process has no privileged parent to read them for it, as
 * OpenBSD httpd has: the reload is refused and a restart needed.
 */
int
server_reload(struct server *sv, char **cause)
{
	struct server_config *run = sv->cfg, *nc = NULL;
	const char *path = server_conffile != NULL ? server_conffile :
	    run->path;
	unsigned i, nrevoked;
	size_t nreplay;

	if (run->chroot_dir != NULL) {
		*cause = xstrdup("not available with chroot (restart "
		    "instead)");
		goto fail;
	}
	log_info("reload: reading %s", path);
	if ((nc = server_config_load(path, cause)) == NULL)
		goto fail;
	server_config_keep_restart(run, nc, false, server_restart_warn);
	if (nc->tun != run->tun)
		log_warnx("reload: [server.network] %s: restart required, "
		    "keeping the old mode", nc->tun ? "added" : "removed");
	nc->tun = run->tun;
	if (server_check_statics(sv, nc, cause) == -1)
		goto fail;
	if (nc->tls_cert_file != NULL && !server_tls_toggled(run, nc) &&
	    server_ws_tls_reload(sv, nc->tls_cert_file, nc->tls_key_file,
	    cause) == -1)
		goto fail;
	if (server_nat_reload(sv, nc, cause) == -1)
		goto fail;

	/* Nothing fails from here on. */
	server_config_keep_restart(run, nc, true, NULL);
	pool_clear_static(sv->pool);
	if (sv->pool6 != NULL)
		pool6_clear_static(sv->pool6);
	for (i = 0; i < nc->nclients; i++) {
		if (nc->clients[i].has_addr4 && pool_reserve_static(sv->pool,
		    nc->clients[i].addr4, nc->clients[i].pub) != POOL_OK)
			log_warnx("reload: client %s: static address not "
			    "reserved", nc->clients[i].name);
		if (nc->clients[i].has_addr6 && (sv->pool6 == NULL ||
		    pool6_reserve_static(sv->pool6, &nc->clients[i].addr6,
		    nc->clients[i].pub) != POOL_OK))
			log_warnx("reload: client %s: static address6 not "
			    "reserved", nc->clients[i].name);
	}
	nrevoked = session_revoke(sv, nc);
	if ((nreplay = server_replay_size(nc)) != replay_max(sv->replay)) {
		log_info("reload: replay table resized from %zu to %zu keys, "
		    "stamps kept", replay_max(sv->replay), nreplay);
		sv->replay = replay_resize(sv->replay, nreplay);
	}
	if (nc->authorized_clients_file == NULL &&
	    run->authorized_clients_file != NULL)
		log_warnx("no authorized_clients_file: any client key "
		    "completing the handshake is accepted");
	sv->cfg = nc;
	server_config_free(run);
	server_set_log_level(nc->log_level);
	log_info("reload: done: %u authorized clients, %u revoked, log level "
	    "%s", nc->nclients, nrevoked, log_level_name(nc->log_level));
	return 0;

fail:
	server_log_lines("reload: ", *cause);
	log_warnx("reload failed: keeping the running configuration");
	server_config_free(nc);
	return -1;
}

/* The directory of an absolute path, allocated; NULL for a relative one. */
static char *
server_dir_of(const char *path)
{
	char *dir, *slash;

	if (path == NULL || path[0] != '/')
		return NULL;
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

/*
 * Keep only CAP_NET_ADMIN, which the exit path needs (removing the
 * nftables table, restoring net.ipv4.ip_forward, which net sysctls allow
 * with it).  Everything the server needs from the file system is open
 * by now: TUN, nft (ip_forward included), sockets, TLS, keys, clients,
 * syslog.  Staying uid 0 (no user), SECBIT_NOROOT keeps an exec from
 * making root whole again.  File writes stay possible only where the
 * server still writes: the directories of the control socket (and of
 * the undo record beside it) and of the pid file, and the network
 * sysctls; none under chroot.  See proc_drop_privileges().
 */
static int
server_drop_privileges(struct server *sv, char **cause)
{
	const cap_value_t keep[] = { CAP_NET_ADMIN };
	struct proc_privs pp;
	const char *dirs[4];
	char *sockdir, *piddir, *what;
	int n = 0, rc;

	sockdir = server_dir_of(sv->cfg->control_socket);
	piddir = server_dir_of(sv->cfg->pid_file);
	if (sv->cfg->chroot_dir == NULL) {
		if (sockdir != NULL)
			dirs[n++] = sockdir;
		if (piddir != NULL && (sockdir == NULL ||
		    strcmp(piddir, sockdir) != 0))
			dirs[n++] = piddir;
		if (sv->cfg->tun)
			dirs[n++] = "/proc/sys/net";
	}
	dirs[n] = NULL;
	memset(&pp, 0, sizeof(pp));
	pp.user = sv->cfg->user;
	pp.group = sv->cfg->group;
	pp.chroot_dir = sv->cfg->chroot_dir;
	/* Relay-only: no TUN, routes or nft, so no capability at all. */
	pp.keep = keep;
	pp.nkeep = sv->cfg->tun ? nitems(keep) : 0;
	pp.noroot = true;
	pp.write_dirs = dirs;
	rc = proc_drop_privileges(&pp, &what, cause);
	free(sockdir);
	free(piddir);
	if (rc == -1)
		return -1;
	log_info("Running as %s", what);
	free(what);
	return 0;
}

static void
server_signal_cb(evutil_socket_t sig, short events, void *arg)
{
	struct server *sv = arg;
	struct session *s;
	char *cause = NULL;

	switch (sig) {
	case SIGINT:
	case SIGTERM:
		log_info("received %s, shutting down",
		    sig == SIGINT ? "SIGINT" : "SIGTERM");
		server_stop(sv, 0);
		break;
	case SIGHUP:
		log_info("received SIGHUP, reloading");
		if (server_reload(sv, &cause) == -1)
			free(cause);
		break;
	case SIGUSR1:
		log_info("sessions: %u up, pool %u/%u used, tun no route %llu "
		    "ipv6 ignored %llu, node %s%s", sv->nsessions, pool_used(sv->pool),
		    pool_capacity(sv->pool),
		    (unsigned long long)sv->tun_stats.tun_noroute,
		    (unsigned long long)sv->tun_stats.tun_ipv6, sv->node,
		    sv->draining ? " (draining)" : "");
		TAILQ_FOREACH(s, &sv->sessions, entry)
			session_dump(s);
		break;
	}
}

/* Once a second: keepalive, dead peers, idle and handshake timeouts. */
static void
server_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct server *sv = arg;
	struct session *s, *next;

	server_update_time(sv);
	for (s = TAILQ_FIRST(&sv->sessions); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		session_tick(s);
	}
	preauth_tick(sv);
	server_drain_tick(sv);
}

/*
 * -t: the identity key must be readable and valid; a missing file is
 * reported (a path typo would otherwise make a new identity at the
 * start and lock every client out) but is not an error: the first start
 * creates it.
 */
static int
server_check_identity(struct server *sv, char **cause)
{
	const char *path = sv->cfg->identity_key_file;
	uint8_t priv[PROTO_KEY_LEN];
	int rc;

	if (access(path, F_OK) == -1 && errno == ENOENT) {
		log_warnx("identity_key_file '%s': No such file or directory: "
		    "the first start creates a new identity, which clients "
		    "pinned to another server key will refuse", path);
		return 0;
	}
	rc = key_read_file(path, priv, cause);
	explicit_bzero(priv, sizeof(priv));
	return rc;
}

/* Load the identity key, creating it (0600) when the file is missing. */
static int
server_load_identity(struct server *sv, char **cause)
{
	const char *path = sv->cfg->identity_key_file;
	char b64[KEY_B64_LEN + 1];
	bool created = false;

	if (access(path, F_OK) == -1 && errno == ENOENT) {
		if (key_generate(sv->priv) == -1) {
			xasprintf(cause, "%s: cannot generate a key", path);
			return -1;
		}
		if (key_write_file(path, sv->priv, cause) == -1)
			return -1;
		created = true;
	} else if (key_read_file(path, sv->priv, cause) == -1)
		return -1;
	if (key_public(sv->priv, sv->pub) == -1) {
		xasprintf(cause, "%s: cannot derive the public key", path);
		return -1;
	}
	key_to_base64(sv->pub, b64);
	if (created)
		log_warnx("Created a new identity key %s (the file did not "
		    "exist), public key: %s: clients must pin this key", path,
		    b64);
	log_info("Server public key: %s", b64);
	return 0;
}

/*
 * The replay table's size (PROTOCOL.md 3.3): twice the larger of the
 * authorized keys and max_clients, at least SERVER_REPLAY_MIN, so that
 * no authorized key's stamp is evicted and, with any key accepted, a
 * full server's keys fit twice over.
 */
static size_t
server_replay_size(const struct server_config *cfg)
{
	size_t n = cfg->nclients;

	if (cfg->max_clients > n)
		n = cfg->max_clients;
	n *= 2;
	return n > SERVER_REPLAY_MIN ? n : SERVER_REPLAY_MIN;
}

/* The address pool, route table and replay table of dhcp_range. */
static int
server_tables_new(struct server *sv, char **cause)
{
	struct server_config *cfg = sv->cfg;
	unsigned i;
	size_t nreplay;

	sv->pool = pool_new(cfg->dhcp_range.addr, cfg->dhcp_range.prefix);
	sv->routes = route_new(cfg->dhcp_range.addr, cfg->dhcp_range.prefix);
	if (sv->routes == NULL) {
		xasprintf(cause, "cannot create the route table");
		return -1;
	}
	sv->gateway = pool_gateway(sv->pool);
	if (cfg->dhcp_range6.prefix != 0) {
		sv->pool6 = pool6_new(&cfg->dhcp_range6.addr,
		    cfg->dhcp_range6.prefix);
		sv->routes6 = route6_new(&cfg->dhcp_range6.addr,
		    cfg->dhcp_range6.prefix);
		pool6_gateway(sv->pool6, &sv->gateway6);
	}
	for (i = 0; i < cfg->nclients; i++) {
		if (cfg->clients[i].has_addr4 && pool_reserve_static(sv->pool,
		    cfg->clients[i].addr4, cfg->clients[i].pub) != POOL_OK) {
			xasprintf(cause, "%s: client %s: static address "
			    "cannot be reserved", cfg->authorized_clients_file,
			    cfg->clients[i].name);
			return -1;
		}
		if (cfg->clients[i].has_addr6 && (sv->pool6 == NULL ||
		    pool6_reserve_static(sv->pool6, &cfg->clients[i].addr6,
		    cfg->clients[i].pub) != POOL_OK)) {
			xasprintf(cause, "%s: client %s: static address6 "
			    "cannot be reserved", cfg->authorized_clients_file,
			    cfg->clients[i].name);
			return -1;
		}
	}
	nreplay = server_replay_size(cfg);
	sv->replay = replay_new(nreplay);
	log_debug("%s: replay table for %zu keys", __func__, nreplay);
	sv->pktbuf = xmalloc(VNET_MAX_READ);
	return 0;
}

/* node_name, else the host name up to its first dot. */
static void
server_node_name(struct server *sv)
{
	char host[256];

	if (sv->cfg->node_name != NULL) {
		snprintf(sv->node, sizeof(sv->node), "%s", sv->cfg->node_name);
		return;
	}
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "rvpn");
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	host[sizeof(sv->node) - 1] = '\0';
	memcpy(sv->node, host, sizeof(sv->node));
}

/* Events of our own: signals and the periodic timer. */
static int
server_events_new(struct server *sv, char **cause)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, 0 };
	struct timeval tv = { 1, 0 };

	if ((sv->signals = proc_signals_new(sv->base, sigs, server_signal_cb,
	    sv, cause)) == NULL)
		return -1;
	sv->ev_timer = event_new(sv->base, -1, EV_PERSIST, server_timer_cb,
	    sv);
	if (sv->ev_timer == NULL || evtimer_add(sv->ev_timer, &tv) == -1) {
		xasprintf(cause, "cannot set up the timer event");
		return -1;
	}
	return 0;
}

static void
server_event_free(struct event **ev)
{
	if (*ev == NULL)
		return;
	event_del(*ev);
	event_free(*ev);
	*ev = NULL;
}

/*
 * Undo startup in reverse, whatever part of it happened: sessions end
 * with lws, then NAT, TUN, our events, and the event_base last.
 */
static void
server_teardown(struct server *sv)
{
	server_admin_close(sv);
	server_proxy_close(sv);
	server_control_close(sv);
	server_event_free(&sv->ev_drain);
	server_event_free(&sv->ev_tun);
	server_event_free(&sv->ev_timer);
	proc_signals_free(sv->signals);
	sv->signals = NULL;
	server_ws_stop(sv);
	preauth_free(sv);
	if (sv->dns != NULL) {
		evdns_base_free(sv->dns, 0);
		sv->dns = NULL;
	}
	server_relay_cleanup();
	server_nat_stop(sv);
	server_tun_close(sv);
	route_free(sv->routes);
	sv->routes = NULL;
	pool_free(sv->pool);
	sv->pool = NULL;
	route6_free(sv->routes6);
	sv->routes6 = NULL;
	pool6_free(sv->pool6);
	sv->pool6 = NULL;
	replay_free(sv->replay);
	sv->replay = NULL;
	free(sv->pktbuf);
	sv->pktbuf = NULL;
	if (sv->base != NULL) {
		event_base_free(sv->base);
		sv->base = NULL;
	}
	explicit_bzero(sv->priv, sizeof(sv->priv));
}

int
main(int argc, char **argv)
{
	struct server sv;
	const char *conffile = SERVER_DEFAULT_CONFIG;
	char *cause = NULL;
	bool foreground = false, test = false, pid_written = false;
	char abspath[PATH_MAX];
	int ch, notify = -1, devnull = -1, rk;

	while ((ch = getopt_long(argc, argv, "fc:tvVh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			foreground = true;
			break;
		case 'c':
			conffile = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'v':
			server_verbose++;
			break;
		case 'V':
			printf("rvpn-server %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(0);
		default:
			usage(1);
		}
	}
	if (optind != argc)
		usage(1);

	log_init(SERVER_LOG_NAME, LOG_LVL_INFO);
	/* The test suite's shorter rekey interval (rvpn-server(8) ENVIRONMENT). */
	if ((rk = proto_rekey_env()) == -1)
		fatalx("RVPN_TEST_REKEY_SECONDS: not a number of seconds 1..3600");
	if (rk > 0)
		log_warnx("RVPN_TEST_REKEY_SECONDS: rekey every %d s (for the "
		    "test suite only)", rk);
	memset(&sv, 0, sizeof(sv));
	sv.tun_fd = -1;
	TAILQ_INIT(&sv.sessions);

	if ((sv.cfg = server_config_load(conffile, &cause)) == NULL) {
		log_print_cause(cause);
		free(cause);
		return 1;
	}
	if (test) {
		if (server_check_identity(&sv, &cause) == -1) {
			log_print_cause(cause);
			free(cause);
			server_config_free(sv.cfg);
			return 1;
		}
		printf("configuration OK\n");
		server_config_free(sv.cfg);
		return 0;
	}
	/* After -t and the config errors, which return without teardown. */
	preauth_init(&sv);
	if (realpath(conffile, abspath) != NULL)
		server_conffile = xstrdup(abspath);
	server_set_log_level(sv.cfg->log_level);
	signal(SIGPIPE, SIG_IGN);

	if (!foreground)
		notify = proc_daemonize();

	server_update_time(&sv);
	server_node_name(&sv);
	if (server_load_identity(&sv, &cause) == -1)
		goto fail;
	if (sv.cfg->authorized_clients_file == NULL)
		log_warnx("no authorized_clients_file: any client key "
		    "completing the handshake is accepted");
	if (!sv.cfg->tun && !sv.cfg->relay) {
		xasprintf(&cause, "nothing to serve: no [server.network] "
		    "(TUN mode) and relay = false");
		goto fail;
	}
	if ((sv.base = event_base_new()) == NULL) {
		xasprintf(&cause, "cannot create the event loop");
		goto fail;
	}
	/* The control socket first: a running server is found before TUN. */
	if (server_control_open(&sv, &cause) == -1 ||
	    server_tables_new(&sv, &cause) == -1 ||
	    (sv.cfg->tun && server_tun_open(&sv, &cause) == -1) ||
	    (sv.cfg->tun && server_nat_start(&sv, &cause) == -1) ||
	    server_events_new(&sv, &cause) == -1 ||
	    server_ws_start(&sv, &cause) == -1 ||
	    server_proxy_open(&sv, &cause) == -1 ||
	    server_admin_open(&sv, &cause) == -1)
		goto fail;
	/* Everything that needs root exists now: TUN, nft, sockets. */
	if (!foreground) {
		if (sv.cfg->pid_file != NULL &&
		    proc_pidfile_write(sv.cfg->pid_file, &cause) == -1)
			goto fail;
		pid_written = sv.cfg->pid_file != NULL;
		devnull = proc_detach_prepare(SERVER_LOG_NAME);
	}
	if (server_drop_privileges(&sv, &cause) == -1)
		goto fail;

	log_info("Listening on %s", sv.cfg->bind_address);
	log_info("WebSocket path: %s", sv.cfg->websocket_path);
	if (sv.cfg->tun)
		log_info("TUN mode enabled");
	if (sv.cfg->relay)
		log_info("Relay mode enabled%s", sv.cfg->tun ? "" :
		    " (relay-only: no [server.network], no TUN)");
	log_info("Node name: %s", sv.node);
	log_debug("%s: tunnel %s on %s", __func__, sv.cfg->tun_path,
	    sv.tun_ifname);
	if (!foreground)
		proc_detached(notify, devnull);

	event_base_dispatch(sv.base);

	log_info("shutting down");
	server_teardown(&sv);
	/* Under chroot the path would name a file inside it: leave it. */
	if (pid_written && sv.cfg->chroot_dir == NULL)
		proc_pidfile_remove(sv.cfg->pid_file);
	server_config_free(sv.cfg);
	free(server_conffile);
	return sv.exit_code;

fail:
	log_error("%s", cause != NULL ? cause : "startup failed");
	free(cause);
	if (devnull != -1)
		close(devnull);
	server_teardown(&sv);
	server_config_free(sv.cfg);
	free(server_conffile);
	return 1;
}
