/* SPDX-License-Identifier: ISC */
/*
 * Connections before authentication: admission at accept (global and
 * per-source caps, a per-source rate), the source from X-Forwarded-For
 * behind a trusted proxy, the overall deadline, and the refusal counts
 * and their rate-limited log line.  A connection stops being "pending"
 * when its Noise handshake succeeds or it closes.
 */
#include "autoconf.h"

#include <sys/mman.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admit.h"
#include "ipaddr.h"
#include "log.h"
#include "server.h"
#include "xmalloc.h"

static void
preauth_limits(const struct server *sv, struct admit_limits *lim)
{
	const struct server_config *cfg = sv->cfg;

	lim->max_pending = cfg->max_pending_handshakes;
	lim->max_per_source = cfg->max_pending_per_source;
	lim->rate = cfg->handshake_rate_per_source;
}

static uint64_t
preauth_now_ms(struct server *sv)
{
	server_update_time(sv);
	return sv->now_ns / 1000000;
}

void
preauth_init(struct server *sv)
{
	TAILQ_INIT(&sv->preauths);
	sv->admit = admit_new();
}

/* After lws is gone: every wsi was destroyed, so nothing is pending. */
void
preauth_free(struct server *sv)
{
	struct preauth *p;

	if (sv->accepted != NULL) {
		free(sv->accepted);
		sv->accepted = NULL;
	}
	while ((p = TAILQ_FIRST(&sv->preauths)) != NULL) {
		TAILQ_REMOVE(&sv->preauths, p, entry);
		free(p);
	}
	admit_free(sv->admit);
	sv->admit = NULL;
}

/*
 * Count a refusal; at most one log line per SERVER_REFUSE_LOG_SECS with
 * what was refused since the last one (never a line per attempt).
 */
static void
preauth_refused(struct server *sv, enum admit_result r, const char *peer)
{
	struct server_stats *st = &sv->stats;
	uint64_t g, s, t;

	switch (r) {
	case ADMIT_GLOBAL:
		st->pre.pre_global++;
		break;
	case ADMIT_SOURCE:
		st->pre.pre_source++;
		break;
	case ADMIT_RATE:
		st->pre.pre_rate++;
		break;
	default:
		return;
	}
	if (sv->pre_logged_at != 0 &&
	    sv->now < sv->pre_logged_at + SERVER_REFUSE_LOG_SECS)
		return;
	g = st->pre.pre_global - sv->pre_logged[0];
	s = st->pre.pre_source - sv->pre_logged[1];
	t = st->pre.pre_rate - sv->pre_logged[2];
	log_warnx("refused %llu connections before authentication "
	    "(max_pending_handshakes %llu, max_pending_per_source %llu, "
	    "handshake_rate_per_source %llu), the last from %s; %u pending",
	    (unsigned long long)(g + s + t), (unsigned long long)g,
	    (unsigned long long)s, (unsigned long long)t, peer,
	    admit_pending(sv->admit));
	sv->pre_logged_at = sv->now;
	sv->pre_logged[0] = st->pre.pre_global;
	sv->pre_logged[1] = st->pre.pre_source;
	sv->pre_logged[2] = st->pre.pre_rate;
}

/*
 * Whether the TCP peer is one of trusted_proxies (either family; an
 * IPv4-mapped peer of a dual-stack listener matches as IPv4 too).
 */
bool
preauth_trusted(const struct server_config *cfg, const struct sockaddr *sa)
{
	return config_in_prefixes_sa(cfg->trusted_proxies,
	    cfg->ntrusted_proxies, sa);
}

/*
 * LWS_CALLBACK_FILTER_NETWORK_CONNECTION: a TCP connection was accepted.
 * Admit it, or -1: lws closes the socket before TLS.  A trusted proxy is
 * counted globally only; its client's source comes with the request.
 */
int
preauth_accept(struct server *sv, const void *sockaddr)
{
	const struct sockaddr *sa = sockaddr;
	struct admit_limits lim;
	struct preauth *p;
	uint8_t key[ADMIT_ADDR_LEN];
	bool proxied;
	enum admit_result r;
	uint64_t now_ms;

	/* lws failed to adopt the last one (no WSI_CREATE): give it back. */
	if ((p = sv->accepted) != NULL) {
		admit_leave(sv->admit, p->src);
		free(p);
		sv->accepted = NULL;
	}
	p = xcalloc(1, sizeof(*p));
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    p->peer, sizeof(p->peer));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, p->peer,
		    sizeof(p->peer));
	else
		snprintf(p->peer, sizeof(p->peer), "?");
	preauth_limits(sv, &lim);
	now_ms = preauth_now_ms(sv);
	proxied = preauth_trusted(sv->cfg, sa);
	admit_addr(sa, key);
	r = admit_enter(sv->admit, &lim, proxied ? NULL : key, now_ms,
	    &p->src);
	if (r != ADMIT_OK) {
		preauth_refused(sv, r, p->peer);
		free(p);
		return -1;
	}
	p->proxied = proxied;
	p->pp = sv->proxy != NULL;
	p->t_start = sv->now;
	sv->accepted = p;
	return 0;
}

/* The client's address a PROXY header gave for wsi's connection, or NULL. */
const char *
preauth_pp_peer(struct lws *wsi)
{
	struct preauth *p = lws_get_opaque_user_data(wsi);

	return p != NULL && p->wsi == wsi && p->pp ? p->peer : NULL;
}

/*
 * LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED: the wsi of the connection
 * just admitted.  (Not at WSI_CREATE: lws sets the opaque pointer after
 * that callback.)  If adoption fails before this, the slot is given
 * back at the next accept.
 */
void
preauth_attach(struct server *sv, struct lws *wsi)
{
	struct preauth *p;

	if ((p = sv->accepted) == NULL || lws_get_opaque_user_data(wsi) != NULL)
		return;
	sv->accepted = NULL;
	p->wsi = wsi;
	lws_set_opaque_user_data(wsi, p);
	TAILQ_INSERT_TAIL(&sv->preauths, p, entry);
}

/*
 * The upgrade request of a connection from a trusted proxy names the
 * client (remote, after X-Forwarded-For): charge that source now.  0, or
 * -1 to refuse the upgrade.
 */
int
preauth_source(struct server *sv, struct lws *wsi, const char *remote)
{
	struct preauth *p = lws_get_opaque_user_data(wsi);
	struct admit_limits lim;
	struct sockaddr_in6 sin6;
	struct in_addr a;

	if (p != NULL && p->wsi != wsi)
		p = NULL;
	uint8_t key[ADMIT_ADDR_LEN];
	enum admit_result r;

	if (p == NULL || !p->proxied)
		return 0;
	memset(&sin6, 0, sizeof(sin6));
	if (ipaddr_parse4(remote, &a))
		admit_addr4(a.s_addr, key);
	else if (ipaddr_parse6(remote, &sin6.sin6_addr)) {
		sin6.sin6_family = AF_INET6;
		admit_addr(&sin6, key);		/* its /64 */
	} else
		return 0;
	preauth_limits(sv, &lim);
	r = admit_source(sv->admit, &lim, key, preauth_now_ms(sv), &p->src);
	if (r != ADMIT_OK) {
		preauth_refused(sv, r, remote);
		return -1;
	}
	p->proxied = false;
	return 0;
}

/*
 * LWS_CALLBACK_HTTP: a whole request arrived and goes to the decoy.  The
 * connection is a web client now: still pending (it counts against the
 * caps) but exempt from SERVER_PREAUTH_TIMEOUT, so a download or a
 * browser's keep-alive is not cut (lws's keep-alive timeout still
 * closes it when idle).
 */
void
preauth_web(struct server *sv, struct lws *wsi)
{
	struct preauth *p = lws_get_opaque_user_data(wsi);

	if (p != NULL && p->wsi == wsi)
		p->web = true;
}

/* Authenticated, or LWS_CALLBACK_WSI_DESTROY: no longer pending. */
void
preauth_done(struct server *sv, struct lws *wsi)
{
	struct preauth *p;

	if (wsi == NULL || (p = lws_get_opaque_user_data(wsi)) == NULL ||
	    p->wsi != wsi)
		return;
	lws_set_opaque_user_data(wsi, NULL);
	admit_leave(sv->admit, p->src);
	TAILQ_REMOVE(&sv->preauths, p, entry);
	free(p);
}

/*
 * Once a second: close what is past SERVER_PREAUTH_TIMEOUT, a backstop
 * behind the deadline of each phase (web clients of the decoy excepted),
 * and forget idle sources.
 */
void
preauth_tick(struct server *sv)
{
	struct admit_limits lim;
	struct preauth *p, *next;

	/*
	 * Closed here and now (we are on the event loop, not inside lws):
	 * an asynchronous kill would be undone by the next keep-alive
	 * request, which sets its own timeout.  The close frees p.
	 */
	for (p = TAILQ_FIRST(&sv->preauths); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (sv->now - p->t_start < SERVER_PREAUTH_TIMEOUT)
			break;	/* oldest first */
		if (p->killed || p->web)
			continue;
		p->killed = true;
		sv->stats.pre.pre_timeout++;
		log_debug("%s: %s: not authenticated in %us, closing",
		    __func__, p->peer, SERVER_PREAUTH_TIMEOUT);
		lws_set_timeout(p->wsi, PENDING_TIMEOUT_USER_OK,
		    LWS_TO_KILL_SYNC);
	}
	preauth_limits(sv, &lim);
	admit_sweep(sv->admit, &lim, sv->now_ns / 1000000);
}

unsigned
preauth_pending(const struct server *sv)
{
	return sv->admit != NULL ? admit_pending(sv->admit) : 0;
}

/*
 * lws's allocator.  A WebSocket's receive buffer ("rx_ubuf", 64 KiB +
 * LWS_PRE, made at the upgrade) gets pages of its own: only the pages a
 * message touches become resident (one for HANDSHAKE_INIT), and freeing
 * returns them, where a heap chunk reused from an ended session would
 * arrive dirty.  Such a block starts 8 bytes into its mapping (its size
 * is stored before it): malloc's pointers are 16-byte aligned, so the
 * low bits tell the two kinds apart.  Everything else is realloc/free.
 */
#define PREAUTH_MAP_OFF	8

static void *
preauth_map(size_t size)
{
	uint8_t *p;

	p = mmap(NULL, size + PREAUTH_MAP_OFF, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, &size, sizeof(size));
	return p + PREAUTH_MAP_OFF;
}

static bool
preauth_mapped(const void *ptr)
{
	return ((uintptr_t)ptr & 15) == PREAUTH_MAP_OFF;
}

static void
preauth_unmap(void *ptr)
{
	uint8_t *p = (uint8_t *)ptr - PREAUTH_MAP_OFF;
	size_t size;

	memcpy(&size, p, sizeof(size));
	munmap(p, size + PREAUTH_MAP_OFF);
}

void *
preauth_lws_alloc(void *ptr, size_t size, const char *reason)
{
	size_t old;
	void *n;

	if (ptr != NULL && preauth_mapped(ptr)) {
		if (size == 0) {
			preauth_unmap(ptr);
			return NULL;
		}
		if ((n = preauth_lws_alloc(NULL, size, reason)) == NULL)
			return NULL;
		memcpy(&old, (uint8_t *)ptr - PREAUTH_MAP_OFF, sizeof(old));
		memcpy(n, ptr, old < size ? old : size);
		preauth_unmap(ptr);
		return n;
	}
	if (ptr == NULL && size > 0 && reason != NULL &&
	    strcmp(reason, "rx_ubuf") == 0)
		return preauth_map(size);
	if (size == 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, size);
}

/*
 * The server's resident memory in KiB for rvpnctl stats, from
 * /proc/self/statm, opened at the first call (the control socket's
 * setup, before a chroot) and kept; 0 when unknown.
 */
uint64_t
preauth_rss_kb(void)
{
	static int fd = -2;
	char buf[128];
	unsigned long long size, rss;
	ssize_t n;
	long page;

	if (fd == -2)
		fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return 0;
	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &size, &rss) != 2 ||
	    (page = sysconf(_SC_PAGESIZE)) <= 0)
		return 0;
	return rss * (unsigned long long)page / 1024;
}
