/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "config.h"
#include "key.h"
#include "log.h"
#include "pool.h"
#include "proto.h"
#include "route.h"
#include "server.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define SERVER_DEFAULT_CONFIG	SYSCONFDIR "/rvpn/server.toml"
#define SERVER_REPLAY_MIN	1024

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

/* Print a multi-line cause to stderr, one error per line. */
static void
print_cause(const char *cause)
{
	size_t n;

	n = strlen(cause);
	fprintf(stderr, "%s%s", cause,
	    n > 0 && cause[n - 1] == '\n' ? "" : "\n");
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

static void
server_signal_cb(evutil_socket_t sig, short events, void *arg)
{
	struct server *sv = arg;
	struct session *s;

	switch (sig) {
	case SIGINT:
	case SIGTERM:
		log_info("received %s, shutting down",
		    sig == SIGINT ? "SIGINT" : "SIGTERM");
		server_stop(sv, 0);
		break;
	case SIGHUP:
		log_info("SIGHUP: reload not supported yet");
		break;
	case SIGUSR1:
		log_info("sessions: %u up, pool %u/%u used, tun no route %llu",
		    sv->nsessions, pool_used(sv->pool),
		    pool_capacity(sv->pool),
		    (unsigned long long)sv->tun_noroute);
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
		log_info("Created identity key %s, public key: %s", path, b64);
	log_info("Server public key: %s", b64);
	return 0;
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
	for (i = 0; i < cfg->nclients; i++) {
		if (!cfg->clients[i].has_addr4)
			continue;
		if (pool_reserve_static(sv->pool, cfg->clients[i].addr4,
		    cfg->clients[i].pub) != POOL_OK) {
			xasprintf(cause, "%s: client %s: static address "
			    "cannot be reserved", cfg->authorized_clients_file,
			    cfg->clients[i].name);
			return -1;
		}
	}
	nreplay = SERVER_REPLAY_MIN;
	if (cfg->nclients * 2 > nreplay)
		nreplay = cfg->nclients * 2;
	sv->replay = proto_replay_new(nreplay);
	sv->pktbuf = xmalloc(PROTO_MAX_PACKET);
	return 0;
}

/* Events of our own: signals and the periodic timer. */
static int
server_events_new(struct server *sv, char **cause)
{
	struct timeval tv = { 1, 0 };

	sv->ev_sigint = evsignal_new(sv->base, SIGINT, server_signal_cb, sv);
	sv->ev_sigterm = evsignal_new(sv->base, SIGTERM, server_signal_cb, sv);
	sv->ev_sighup = evsignal_new(sv->base, SIGHUP, server_signal_cb, sv);
	sv->ev_sigusr1 = evsignal_new(sv->base, SIGUSR1, server_signal_cb, sv);
	sv->ev_timer = event_new(sv->base, -1, EV_PERSIST, server_timer_cb,
	    sv);
	if (sv->ev_sigint == NULL || sv->ev_sigterm == NULL ||
	    sv->ev_sighup == NULL || sv->ev_sigusr1 == NULL ||
	    sv->ev_timer == NULL ||
	    evsignal_add(sv->ev_sigint, NULL) == -1 ||
	    evsignal_add(sv->ev_sigterm, NULL) == -1 ||
	    evsignal_add(sv->ev_sighup, NULL) == -1 ||
	    evsignal_add(sv->ev_sigusr1, NULL) == -1 ||
	    evtimer_add(sv->ev_timer, &tv) == -1) {
		xasprintf(cause, "cannot set up signal and timer events");
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
	server_event_free(&sv->ev_drain);
	server_event_free(&sv->ev_tun);
	server_event_free(&sv->ev_timer);
	server_event_free(&sv->ev_sigint);
	server_event_free(&sv->ev_sigterm);
	server_event_free(&sv->ev_sighup);
	server_event_free(&sv->ev_sigusr1);
	server_ws_stop(sv);
	server_nat_stop(sv);
	server_tun_close(sv);
	route_free(sv->routes);
	sv->routes = NULL;
	pool_free(sv->pool);
	sv->pool = NULL;
	proto_replay_free(sv->replay);
	sv->replay = NULL;
	free(sv->pktbuf);
	sv->pktbuf = NULL;
	if (sv->base != NULL) {
		event_base_free(sv->base);
		sv->base = NULL;
	}
	explicit_bzero(sv->priv, sizeof(sv->priv));
}

/*
 * Detach: the child carries on with startup and tells the parent over a
 * pipe when it is ready, so startup errors still reach the terminal and
 * the exit status.  Returns the write end in the child.
 */
static int
server_daemonize(void)
{
	int fds[2], status;
	pid_t pid;
	char c;

	if (pipe(fds) == -1)
		fatal("pipe");
	switch ((pid = fork())) {
	case -1:
		fatal("fork");
	case 0:
		close(fds[0]);
		if (setsid() == -1)
			fatal("setsid");
		if (chdir("/") == -1)
			fatal("chdir");
		return fds[1];
	default:
		close(fds[1]);
		if (read(fds[0], &c, 1) == 1)
			_exit(0);
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
			_exit(WEXITSTATUS(status) == 0 ? 1 :
			    WEXITSTATUS(status));
		_exit(1);
	}
}

/* Startup is done: release the parent, drop the terminal, use syslog. */
static void
server_detached(struct server *sv, int notify)
{
	FILE *f;
	int fd;

	if (sv->cfg->pid_file != NULL) {
		if ((f = fopen(sv->cfg->pid_file, "w")) == NULL)
			log_warn("%s", sv->cfg->pid_file);
		else {
			fprintf(f, "%ld\n", (long)getpid());
			fclose(f);
		}
	}
	log_to_syslog();
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (write(notify, "1", 1) != 1)
		log_warn("notify parent");
	close(notify);
}

int
main(int argc, char **argv)
{
	struct server sv;
	const char *conffile = SERVER_DEFAULT_CONFIG;
	char *cause = NULL;
	bool foreground = false, test = false;
	int ch, verbose = 0, notify = -1;
	enum log_level level;

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
			verbose++;
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

	log_init("rvpn_server", LOG_LVL_INFO);
	memset(&sv, 0, sizeof(sv));
	sv.tun_fd = -1;
	TAILQ_INIT(&sv.sessions);

	if ((sv.cfg = server_config_load(conffile, &cause)) == NULL) {
		print_cause(cause);
		free(cause);
		return 1;
	}
	if (test) {
		printf("configuration OK\n");
		server_config_free(sv.cfg);
		return 0;
	}
	level = sv.cfg->log_level;
	while (verbose-- > 0 && level < LOG_LVL_TRACE)
		level++;
	log_set_level(level);
	log_route_libs();
	signal(SIGPIPE, SIG_IGN);

	if (!foreground)
		notify = server_daemonize();

	server_update_time(&sv);
	if (server_load_identity(&sv, &cause) == -1)
		goto fail;
	if (sv.cfg->authorized_clients_file == NULL)
		log_warnx("no authorized_clients_file: any client key "
		    "completing the handshake is accepted");
	if ((sv.base = event_base_new()) == NULL) {
		xasprintf(&cause, "cannot create the event loop");
		goto fail;
	}
	if (server_tables_new(&sv, &cause) == -1 ||
	    server_tun_open(&sv, &cause) == -1 ||
	    server_nat_start(&sv, &cause) == -1 ||
	    server_events_new(&sv, &cause) == -1 ||
	    server_ws_start(&sv, &cause) == -1)
		goto fail;

	log_info("Listening on %s", sv.cfg->bind_address);
	log_info("WebSocket path: %s", sv.cfg->websocket_path);
	log_info("TUN mode enabled");
	log_debug("%s: tunnel %s on %s", __func__, sv.cfg->tun_path,
	    sv.tun_ifname);
	if (!foreground)
		server_detached(&sv, notify);

	event_base_dispatch(sv.base);

	log_info("shutting down");
	server_teardown(&sv);
	if (!foreground && sv.cfg->pid_file != NULL)
		unlink(sv.cfg->pid_file);
	server_config_free(sv.cfg);
	return sv.exit_code;

fail:
	log_error("%s", cause != NULL ? cause : "startup failed");
	free(cause);
	server_teardown(&sv);
	server_config_free(sv.cfg);
	return 1;
}
