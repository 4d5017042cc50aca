/* SPDX-License-Identifier: ISC */
/*
 * The decoy's decoy_upstream side: a request that is not rvpn's own
 * upgrade proxied to a local web site, its status, headers and body
 * passed through.  server-decoy.c dispatches to it.
 */
#include "autoconf.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <libwebsockets.h>
#include <linux/openat2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "server.h"
#include "xmalloc.h"
#include "server-decoy.h"


/* Percent-encode what a path or query may not hold as it is. */
static void
decoy_enc(struct evbuffer *out, const char *s, const char *keep)
{
	for (; *s != '\0'; s++) {
		if (isalnum((unsigned char)*s) || strchr("-._~", *s) != NULL ||
		    strchr(keep, *s) != NULL)
			evbuffer_add(out, s, 1);
		else
			evbuffer_add_printf(out, "%%%02X", (unsigned char)*s);
	}
}

/* Is this a request header not passed to the upstream (hop-by-hop)? */
static bool
decoy_hop(const char *name)
{
	static const char *const hop[] = { "connection:", "keep-alive:",
	    "upgrade:", "te:", "trailer:", "transfer-encoding:",
	    "proxy-connection:", "proxy-authorization:", "http2-settings:",
	    "content-length:" };
	size_t i;

	for (i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		if (strcasecmp(name, hop[i]) == 0)
			return true;
	return false;
}

/* The request to the upstream, HTTP/1.0 (one response, then EOF). */
static bool
decoy_up_request(struct lws *wsi, struct evbuffer *out, int *meth)
{
	static const char *const names[] = { "GET", "POST", "OPTIONS", "PUT",
	    "PATCH", "DELETE", "CONNECT", "HEAD" };
	char path[DECOY_URI_MAX], frag[1024], *val;
	const char *name;
	int i, n, len;

	*meth = decoy_method(wsi);
	if (*meth < 0 || *meth > LWSHUMETH_HEAD ||
	    *meth == LWSHUMETH_CONNECT || !decoy_path(wsi, path, sizeof(path)))
		return false;
	evbuffer_add_printf(out, "%s ", names[*meth]);
	decoy_enc(out, path, "/!$&'()*+,;=:@");
	for (i = 0; lws_hdr_copy_fragment(wsi, frag, sizeof(frag),
	    WSI_TOKEN_HTTP_URI_ARGS, i) >= 0; i++) {
		evbuffer_add(out, i == 0 ? "?" : "&", 1);
		decoy_enc(out, frag, "/!$'()*+,;=:@?");
	}
	evbuffer_add_printf(out, " HTTP/1.0\r\n");
	for (i = 0; i < WSI_TOKEN_COUNT; i++) {
		name = (const char *)lws_token_to_string(i);
		if (name == NULL || *name == ':' || (n = strlen(name)) < 2 ||
		    name[n - 1] != ':' || decoy_hop(name) ||
		    (len = lws_hdr_total_length(wsi, i)) <= 0)
			continue;
		val = xmalloc(len + 1);
		if (lws_hdr_copy(wsi, val, len + 1, i) > 0 &&
		    strpbrk(val, "\r\n") == NULL)
			evbuffer_add_printf(out, "%.*s: %s\r\n", n - 1, name,
			    val);
		free(val);
	}
	len = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
	if (len > 0 && len < (int)sizeof(frag) && lws_hdr_copy(wsi, frag,
	    sizeof(frag), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
		evbuffer_add_printf(out, "Content-Length: %s\r\n", frag);
	evbuffer_add_printf(out, "Connection: close\r\n\r\n");
	return true;
}

/*
 * Parse the upstream's response head (len bytes, CRLF CRLF included)
 * into r: status, passed-through headers, Content-Length.
 */
static bool
decoy_up_parse(char *head, size_t len, struct decoy_resp *r)
{
	static const char *const drop[] = { "connection", "keep-alive",
	    "transfer-encoding", "te", "trailer", "upgrade",
	    "proxy-connection", "content-length", "date", "server" };
	char *line, *next, *colon, *v, *end;
	long long cl;
	size_t i;
	int status;

	head[len - 2] = '\0';
	if ((next = strstr(head, "\r\n")) == NULL)
		return false;
	*next = '\0';
	if (strncmp(head, "HTTP/1.", 7) != 0 || head[8] != ' ' ||
	    !isdigit((unsigned char)head[9]))
		return false;
	status = (int)strtol(head + 9, &end, 10);
	if (status < 100 || status > 999 || (*end != ' ' && *end != '\0'))
		return false;
	decoy_resp_init(r, status);
	for (line = next + 2; *line != '\0'; line = next) {
		if ((next = strstr(line, "\r\n")) != NULL) {
			*next = '\0';
			next += 2;
		} else
			next = line + strlen(line);
		if ((colon = strchr(line, ':')) == NULL || colon == line)
			continue;
		*colon = '\0';
		v = colon + 1 + strspn(colon + 1, " \t");
		if (strcasecmp(line, "content-length") == 0) {
			cl = strtoll(v, &end, 10);
			if (end != v && cl >= 0)
				r->clen = cl;
			continue;
		}
		if (strcasecmp(line, "server") == 0) {
			/* The upstream's own banner goes through. */
			decoy_hdr(r, "Server", "%s", v);
			r->has_server = true;
			continue;
		}
		for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
			if (strcasecmp(line, drop[i]) == 0)
				break;
		if (i == sizeof(drop) / sizeof(drop[0]))
			decoy_hdr(r, line, "%s", v);
	}
	return true;
}

static void
decoy_up_read_cb(struct bufferevent *bev, void *arg)
{
	struct decoy_req *q = arg;

	if (evbuffer_get_length(bufferevent_get_input(bev)) >= DECOY_UP_HIGH) {
		bufferevent_disable(bev, EV_READ);
		q->up_reading = false;
	}
	lws_callback_on_writable(q->wsi);
}

static void
decoy_up_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct decoy_req *q = arg;

	if (what & BEV_EVENT_CONNECTED)
		return;
	if (what & BEV_EVENT_EOF)
		q->up_eof = true;
	else {
		q->up_failed = true;
		q->up_eof = true;
	}
	bufferevent_disable(bev, EV_READ);
	lws_callback_on_writable(q->wsi);
}

/* Begin proxying the request to decoy_upstream. */
int
decoy_up_start(struct server *sv, struct lws *wsi, struct decoy_req *q)
{
	struct decoy *d = sv->decoy;
	struct decoy_resp r;
	struct timeval tv = { DECOY_UP_TIMEOUT, 0 };
	int meth;

	q->bev = bufferevent_socket_new(sv->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (q->bev == NULL)
		fatalx("bufferevent_socket_new");
	if (!decoy_up_request(wsi, bufferevent_get_output(q->bev), &meth)) {
		bufferevent_free(q->bev);
		q->bev = NULL;
		decoy_error_page(&r, 400);
		return decoy_start(sv, wsi, q, &r);
	}
	q->kind = DECOY_PROXY;
	q->head_only = meth == LWSHUMETH_HEAD;
	q->up_left = -1;
	bufferevent_setcb(q->bev, decoy_up_read_cb, NULL, decoy_up_event_cb, q);
	bufferevent_set_timeouts(q->bev, &tv, &tv);
	if (bufferevent_socket_connect(q->bev, (struct sockaddr *)&d->up_sa,
	    d->up_salen) == -1) {
		/* The event callback has not run: a 502 from WRITEABLE. */
		q->up_failed = q->up_eof = true;
		lws_callback_on_writable(wsi);
		return 0;
	}
	bufferevent_enable(q->bev, EV_READ);
	q->up_reading = true;
	return 0;
}

/* WRITEABLE while proxying: the head once, then body chunks. */
int
decoy_up_writeable(struct server *sv, struct lws *wsi, struct decoy_req *q)
{
	struct evbuffer *in = bufferevent_get_input(q->bev);
	unsigned char buf[LWS_PRE + DECOY_CHUNK], *head;
	struct evbuffer_ptr pos;
	struct decoy_resp r;
	size_t n;
	int h;

	if (!q->head_sent) {
		pos = evbuffer_search(in, "\r\n\r\n", 4, NULL);
		if (pos.pos == -1) {
			if (!q->up_eof && evbuffer_get_length(in) <
			    DECOY_HEAD_MAX) {
				if (!q->up_reading) {
					bufferevent_enable(q->bev, EV_READ);
					q->up_reading = true;
				}
				return 0;
			}
			log_debug("%s: upstream %s", __func__, q->up_failed ?
			    "failed" : "sent no response head");
			bufferevent_free(q->bev);
			q->bev = NULL;
			q->kind = DECOY_NONE;
			decoy_error_page(&r, 502);
			return decoy_start(sv, wsi, q, &r);
		}
		h = pos.pos + 4;
		head = xmalloc(h + 1);
		evbuffer_remove(in, head, h);
		head[h] = '\0';
		if (!decoy_up_parse((char *)head, h, &r)) {
			free(head);
			bufferevent_free(q->bev);
			q->bev = NULL;
			q->kind = DECOY_NONE;
			decoy_error_page(&r, 502);
			return decoy_start(sv, wsi, q, &r);
		}
		free(head);
		if (q->head_only || decoy_no_body(r.status))
			q->up_left = 0;
		else
			q->up_left = r.clen;
		q->keep = decoy_keepalive(wsi) && (r.clen >= 0 ||
		    q->up_left == 0);
		if ((h = decoy_head_fmt(sv, &r, q->keep, (char *)buf + LWS_PRE,
		    sizeof(buf) - LWS_PRE)) == -1 ||
		    lws_write(wsi, buf + LWS_PRE, h, LWS_WRITE_HTTP_HEADERS) !=
		    h)
			return -1;
		q->head_sent = true;
	}

	n = evbuffer_get_length(in);
	if (q->up_left >= 0 && (int64_t)n > q->up_left)
		n = q->up_left;
	if (n > DECOY_CHUNK)
		n = DECOY_CHUNK;
	if (n > 0) {
		evbuffer_remove(in, buf + LWS_PRE, n);
		if (q->up_left > 0)
			q->up_left -= n;
		if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP) != (int)n)
			return -1;
	}
	if (q->up_left == 0) {
		/* All of it: the connection stays for the next request. */
		bufferevent_free(q->bev);
		q->bev = NULL;
		q->kind = DECOY_NONE;
		if (!q->keep)
			return -1;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	if (evbuffer_get_length(in) > 0) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	if (q->up_eof)		/* short, or delimited by the close */
		return -1;
	if (!q->up_reading) {
		bufferevent_enable(q->bev, EV_READ);
		q->up_reading = true;
	}
	return 0;
}

/*
 * The upstream's response to this request, fetched while the caller
 * waits (at most DECOY_SYNC_MS): for an upgrade probe, which must be
 * answered before the callback returns.  False on any failure.
 */
bool
decoy_up_sync(struct server *sv, struct lws *wsi, struct decoy_resp *r,
    bool *head_only)
{
	struct decoy *d = sv->decoy;
	struct evbuffer *req, *rsp;
	struct timespec t0, t1;
	struct pollfd pfd;
	char buf[16384], *all, *hend, *body;
	int fd = -1, meth, ms, err;
	socklen_t elen = sizeof(err);
	ssize_t n;
	size_t alen, hlen, blen;
	bool ok = false, connected = false;

	req = evbuffer_new();
	rsp = evbuffer_new();
	if (req == NULL || rsp == NULL)
		fatalx("evbuffer_new");
	if (!decoy_up_request(wsi, req, &meth))
		goto out;
	*head_only = meth == LWSHUMETH_HEAD;
	if ((fd = socket(d->up_sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		goto out;
	if (connect(fd, (struct sockaddr *)&d->up_sa, d->up_salen) == 0)
		connected = true;
	else if (errno != EINPROGRESS)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = DECOY_SYNC_MS - (int)((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (ms <= 0)
			goto out;
		pfd.fd = fd;
		pfd.events = POLLIN | (evbuffer_get_length(req) > 0 ||
		    !connected ? POLLOUT : 0);
		if (poll(&pfd, 1, ms) <= 0)
			continue;
		if (!connected && (pfd.revents & (POLLOUT | POLLERR))) {
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &elen) == -1 || err != 0)
				goto out;
			connected = true;
		}
		if ((pfd.revents & POLLOUT) && evbuffer_get_length(req) > 0 &&
		    evbuffer_write(req, fd) == -1 && errno != EAGAIN)
			goto out;
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(fd, buf, sizeof(buf));
			if (n == 0)
				break;
			if (n == -1 && errno != EAGAIN)
				goto out;
			if (n > 0)
				evbuffer_add(rsp, buf, n);
			if (evbuffer_get_length(rsp) > DECOY_WHOLE_MAX)
				goto out;
		}
	}
	alen = evbuffer_get_length(rsp);
	all = (char *)evbuffer_pullup(rsp, -1);
	if (all == NULL || (hend = memmem(all, alen, "\r\n\r\n", 4)) == NULL)
		goto out;
	hlen = hend + 4 - all;
	/* The body aside: parsing cuts the head and resets r. */
	blen = alen - hlen;
	body = xmalloc(blen + 1);
	memcpy(body, all + hlen, blen);
	if (!decoy_up_parse(all, hlen, r)) {
		free(body);
		goto out;
	}
	r->body = body;
	r->bodylen = blen;
	if (r->clen >= 0 && (size_t)r->clen < r->bodylen)
		r->bodylen = r->clen;
	if (!*head_only)
		r->clen = r->bodylen;
	ok = true;
out:
	if (fd != -1)
		close(fd);
	evbuffer_free(req);
	evbuffer_free(rsp);
	return ok;
}

/* Parse "http://host[:port]" (nothing after the authority but "/"). */
int
decoy_up_parse_url(struct decoy *d, const char *url, char **cause)
{
	struct addrinfo hints, *res;
	char host[256], port[8] = "80";
	const char *p, *end, *colon;
	int e;

	if (strncmp(url, "http://", 7) != 0) {
		xasprintf(cause, "decoy_upstream: '%s': must be http://HOST"
		    "[:PORT]", url);
		return -1;
	}
	p = url + 7;
	end = p + strcspn(p, "/");
	if (*end == '/' && end[1] != '\0') {
		xasprintf(cause, "decoy_upstream: '%s': no path allowed", url);
		return -1;
	}
	if (*p == '[') {
		colon = memchr(p, ']', end - p);
		if (colon == NULL) {
			xasprintf(cause, "decoy_upstream: '%s': bad address",
			    url);
			return -1;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(colon - p - 1),
		    p + 1);
		colon = colon + 1 < end && colon[1] == ':' ? colon + 1 : NULL;
	} else {
		colon = memchr(p, ':', end - p);
		snprintf(host, sizeof(host), "%.*s",
		    (int)((colon != NULL ? colon : end) - p), p);
	}
	if (colon != NULL)
		snprintf(port, sizeof(port), "%.*s", (int)(end - colon - 1),
		    colon + 1);
	if (host[0] == '\0' || port[0] == '\0' ||
	    strspn(port, "0123456789") != strlen(port) || atoi(port) < 1 ||
	    atoi(port) > 65535) {
		xasprintf(cause, "decoy_upstream: '%s': bad host or port",
		    url);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		xasprintf(cause, "decoy_upstream: '%s': %s", url,
		    gai_strerror(e));
		return -1;
	}
	memcpy(&d->up_sa, res->ai_addr, res->ai_addrlen);
	d->up_salen = res->ai_addrlen;
	freeaddrinfo(res);
	d->has_upstream = true;
	return 0;
}
