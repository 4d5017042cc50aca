/* SPDX-License-Identifier: ISC */
/*
 * What every HTTP request that is not rvpn's own WebSocket upgrade gets:
 * the decoy.  With decoy_root, static files served as a plain web server
 * serves them; with decoy_upstream, the request proxied to a local site;
 * with neither, a generic 404.  Nothing here names rvpn or lws.
 *
 * A plain request (LWS_CALLBACK_HTTP) is answered in steps: headers,
 * then the body from WRITEABLE, so a large file or a slow upstream never
 * sits in memory.  A WebSocket upgrade that is not rvpn's is answered
 * from LWS_CALLBACK_HTTP_CONFIRM_UPGRADE, where lws ends the transaction
 * as soon as the callback returns: there the whole response is written
 * at once (lws keeps what the socket does not take) and the connection
 * closes after it, see decoy_upgrade().
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

static const struct {
	int		 code;
	const char	*text;
} decoy_reasons[] = {
	{ 200, "OK" }, { 206, "Partial Content" },
	{ 301, "Moved Permanently" }, { 304, "Not Modified" },
	{ 400, "Bad Request" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Not Allowed" }, { 414, "Request-URI Too Large" },
	{ 416, "Requested Range Not Satisfiable" },
	{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
	{ 504, "Gateway Time-out" },
};

static const struct {
	const char	*ext;
	const char	*type;
} decoy_types[] = {
	{ "html", "text/html" }, { "htm", "text/html" },
	{ "shtml", "text/html" }, { "css", "text/css" },
	{ "xml", "text/xml" }, { "txt", "text/plain" },
	{ "js", "application/javascript" }, { "mjs", "application/javascript" },
	{ "json", "application/json" }, { "map", "application/json" },
	{ "gif", "image/gif" }, { "jpeg", "image/jpeg" },
	{ "jpg", "image/jpeg" }, { "png", "image/png" },
	{ "svg", "image/svg+xml" }, { "svgz", "image/svg+xml" },
	{ "ico", "image/x-icon" }, { "webp", "image/webp" },
	{ "avif", "image/avif" }, { "bmp", "image/x-ms-bmp" },
	{ "woff", "font/woff" }, { "woff2", "font/woff2" },
	{ "ttf", "font/ttf" }, { "otf", "font/otf" },
	{ "pdf", "application/pdf" }, { "zip", "application/zip" },
	{ "gz", "application/gzip" }, { "tar", "application/x-tar" },
	{ "wasm", "application/wasm" }, { "rss", "application/rss+xml" },
	{ "atom", "application/atom+xml" }, { "mp3", "audio/mpeg" },
	{ "ogg", "audio/ogg" }, { "m4a", "audio/x-m4a" },
	{ "mp4", "video/mp4" }, { "webm", "video/webm" },
	{ "mpeg", "video/mpeg" }, { "mpg", "video/mpeg" },
	{ "mov", "video/quicktime" },
};

static const char *
decoy_reason(int code)
{
	size_t i;

	for (i = 0; i < sizeof(decoy_reasons) / sizeof(decoy_reasons[0]); i++)
		if (decoy_reasons[i].code == code)
			return decoy_reasons[i].text;
	return "Unknown";
}

static const char *
decoy_type(const char *path)
{
	const char *dot, *slash;
	size_t i;

	slash = strrchr(path, '/');
	dot = strrchr(path, '.');
	if (dot == NULL || (slash != NULL && dot < slash))
		return "application/octet-stream";
	for (i = 0; i < sizeof(decoy_types) / sizeof(decoy_types[0]); i++)
		if (strcasecmp(dot + 1, decoy_types[i].ext) == 0)
			return decoy_types[i].type;
	return "application/octet-stream";
}

static void
decoy_httpdate(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Add a header line to r (silently cut when the room is gone). */
void
decoy_hdr(struct decoy_resp *r, const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(r->hdrs + r->hlen, sizeof(r->hdrs) - r->hlen, "%s: ",
	    name);
	if (n < 0 || (size_t)n >= sizeof(r->hdrs) - r->hlen)
		return;
	va_start(ap, fmt);
	n += vsnprintf(r->hdrs + r->hlen + n, sizeof(r->hdrs) - r->hlen - n,
	    fmt, ap);
	va_end(ap);
	if ((size_t)n + 2 >= sizeof(r->hdrs) - r->hlen)
		return;
	memcpy(r->hdrs + r->hlen + n, "\r\n", 3);
	r->hlen += n + 2;
}

void
decoy_resp_init(struct decoy_resp *r, int status)
{
	memset(r, 0, sizeof(*r));
	r->status = status;
	r->clen = -1;
	r->fd = -1;
}

static void
decoy_resp_clear(struct decoy_resp *r)
{
	free(r->body);
	if (r->fd != -1)
		close(r->fd);
	r->body = NULL;
	r->fd = -1;
}

/* The generic page for an error status (no product named). */
void
decoy_error_page(struct decoy_resp *r, int status)
{
	decoy_resp_init(r, status);
	r->bodylen = xasprintf(&r->body, "<html>\r\n<head><title>%d %s"
	    "</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n"
	    "</body>\r\n</html>\r\n", status, decoy_reason(status), status,
	    decoy_reason(status));
	r->clen = r->bodylen;
	decoy_hdr(r, "Content-Type", "text/html");
}

/* The request's method, or -1. */
int
decoy_method(struct lws *wsi)
{
	char *uri;
	int len;

	return lws_http_get_uri_and_method(wsi, &uri, &len);
}

/*
 * The request path as lws parsed it (%-decoded, "." and ".." resolved
 * within "/") into buf; false when absent, too long or holding a NUL.
 */
bool
decoy_path(struct lws *wsi, char *buf, size_t len)
{
	char *uri;
	int n;

	if (lws_http_get_uri_and_method(wsi, &uri, &n) < 0 || n <= 0 ||
	    (size_t)n >= len)
		return false;
	memcpy(buf, uri, n);
	buf[n] = '\0';
	return buf[0] == '/' && strlen(buf) == (size_t)n;
}

/* Open rel (no leading '/') beneath the root; symlinks out are refused. */
static int
decoy_open(struct decoy *d, const char *rel)
{
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
	    RESOLVE_NO_XDEV;
	if (*rel == '\0')
		rel = ".";
	fd = syscall(SYS_openat2, d->rootfd, rel, &how, sizeof(how));
	if (fd != -1 || errno != ENOSYS)
		return fd;
	/* Before Linux 5.6: no symlink at all, no "..". */
	if (strstr(rel, "..") != NULL) {
		errno = EACCES;
		return -1;
	}
	return openat(d->rootfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK | O_NOFOLLOW);
}

/* Strip a weak prefix and compare an entity tag list with ours. */
static bool
decoy_etag_match(const char *list, const char *etag)
{
	const char *p = list;
	size_t n = strlen(etag);

	while (*p != '\0') {
		p += strspn(p, " \t,");
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, n) == 0 &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

/*
 * A single byte range "bytes=a-b", "a-" or "-n" of a file of size sz:
 * 1 with the offset and length, 0 to ignore the header (absent, several ranges,
 * malformed), -1 if unsatisfiable.
 */
static int
decoy_range(const char *h, off_t sz, off_t *off, off_t *len)
{
	long long a, b;
	char *end;

	if (strncmp(h, "bytes=", 6) != 0 || strchr(h, ',') != NULL)
		return 0;
	h += 6;
	h += strspn(h, " ");
	if (*h == '-') {
		b = strtoll(h + 1, &end, 10);
		if (end == h + 1 || *end != '\0' || b < 0)
			return 0;
		if (b == 0 || sz == 0)
			return -1;
		if (b > sz)
			b = sz;
		*off = sz - b;
		*len = b;
		return 1;
	}
	if (!isdigit((unsigned char)*h))
		return 0;
	a = strtoll(h, &end, 10);
	if (*end != '-')
		return 0;
	h = end + 1;
	if (*h == '\0')
		b = sz - 1;
	else {
		b = strtoll(h, &end, 10);
		if (*end != '\0' || b < a)
			return 0;
		if (b >= sz)
			b = sz - 1;
	}
	if (a >= sz)
		return -1;
	*off = a;
	*len = b - a + 1;
	return 1;
}

/* The operator's 404.html, or the generic page. */
static void
decoy_not_found(struct server *sv, struct decoy_resp *r)
{
	struct decoy *d = sv->decoy;
	struct stat st;
	int fd;

	if (d->rootfd != -1 && (fd = decoy_open(d, "404.html")) != -1) {
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			/* As nginx's error_page: the file's ETag, no date. */
			decoy_resp_init(r, 404);
			decoy_hdr(r, "Content-Type", "text/html");
			decoy_hdr(r, "ETag", "\"%llx-%llx\"",
			    (unsigned long long)st.st_mtime,
			    (unsigned long long)st.st_size);
			r->fd = fd;
			r->off = 0;
			r->len = st.st_size;
			r->clen = st.st_size;
			return;
		}
		close(fd);
	}
	decoy_error_page(r, 404);
}

/* Build the response to a request for a static file under decoy_root. */
static void
decoy_static(struct server *sv, struct lws *wsi, struct decoy_resp *r)
{
	struct decoy *d = sv->decoy;
	char path[DECOY_URI_MAX + sizeof("index.html")], hv[512], etag[64];
	char lm[64];
	struct stat st;
	off_t off = 0, len;
	int meth, fd, rg = 0;

	meth = decoy_method(wsi);
	if (meth != LWSHUMETH_GET && meth != LWSHUMETH_HEAD &&
	    meth != LWSHUMETH_POST) {
		decoy_error_page(r, 405);
		return;
	}
	if (!decoy_path(wsi, path, DECOY_URI_MAX)) {
		decoy_error_page(r, 400);
		return;
	}
	if (path[strlen(path) - 1] == '/')
		strcat(path, "index.html");	/* room: see path's size */
	if (strstr(path, "/../") != NULL ||
	    (fd = decoy_open(d, path + 1)) == -1) {
		/* An index.html missing from an existing directory. */
		if (strlen(path) >= 11 &&
		    strcmp(path + strlen(path) - 11, "/index.html") == 0) {
			path[strlen(path) - 10] = '\0';
			if ((fd = decoy_open(d, path[1] == '\0' ? "" :
			    path + 1)) != -1) {
				if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
					close(fd);
					decoy_error_page(r, 403);
					return;
				}
				close(fd);
			}
		}
		decoy_not_found(sv, r);
		return;
	}
	if (fstat(fd, &st) == -1) {
		close(fd);
		decoy_not_found(sv, r);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		/* Like nginx: the directory with a slash. */
		close(fd);
		decoy_error_page(r, 301);
		if (lws_hdr_copy(wsi, hv, sizeof(hv), WSI_TOKEN_HOST) > 0 &&
		    strpbrk(hv, "\r\n/") == NULL)
			decoy_hdr(r, "Location", "%s://%s%s/",
			    lws_is_ssl(wsi) ? "https" : "http", hv, path);
		else
			decoy_hdr(r, "Location", "%s/", path);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		decoy_not_found(sv, r);
		return;
	}
	if (meth == LWSHUMETH_POST) {
		close(fd);
		decoy_error_page(r, 405);
		return;
	}

	snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
	    (unsigned long long)st.st_mtime, (unsigned long long)st.st_size);
	decoy_httpdate(st.st_mtime, lm, sizeof(lm));
	if ((lws_hdr_copy(wsi, hv, sizeof(hv), WSI_TOKEN_HTTP_IF_NONE_MATCH) >
	    0 && decoy_etag_match(hv, etag)) ||
	    (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH) == 0 &&
	    lws_hdr_copy(wsi, hv, sizeof(hv),
	    WSI_TOKEN_HTTP_IF_MODIFIED_SINCE) > 0 && strcmp(hv, lm) == 0)) {
		close(fd);
		decoy_resp_init(r, 304);
		decoy_hdr(r, "Last-Modified", "%s", lm);
		decoy_hdr(r, "ETag", "%s", etag);
		return;
	}

	len = st.st_size;
	if (lws_hdr_copy(wsi, hv, sizeof(hv), WSI_TOKEN_HTTP_RANGE) > 0) {
		rg = decoy_range(hv, st.st_size, &off, &len);
		/* If-Range with another validator: the whole file. */
		if (rg != 0 && lws_hdr_copy(wsi, hv, sizeof(hv),
		    WSI_TOKEN_HTTP_IF_RANGE) > 0 && strcmp(hv, etag) != 0 &&
		    strcmp(hv, lm) != 0) {
			rg = 0;
			off = 0;
			len = st.st_size;
		}
	}
	if (rg == -1) {
		close(fd);
		decoy_error_page(r, 416);
		decoy_hdr(r, "Content-Range", "bytes */%lld",
		    (long long)st.st_size);
		return;
	}
	decoy_resp_init(r, rg == 1 ? 206 : 200);
	decoy_hdr(r, "Content-Type", "%s", decoy_type(path));
	decoy_hdr(r, "Last-Modified", "%s", lm);
	decoy_hdr(r, "ETag", "%s", etag);
	if (rg == 1)
		decoy_hdr(r, "Content-Range", "bytes %lld-%lld/%lld",
		    (long long)off, (long long)(off + len - 1),
		    (long long)st.st_size);
	else
		decoy_hdr(r, "Accept-Ranges", "bytes");
	r->fd = fd;
	r->off = off;
	r->len = len;
	r->clen = len;
}

/* Status line and headers of r, with Date and Server, into buf. */
int
decoy_head_fmt(struct server *sv, const struct decoy_resp *r, bool keep,
    char *buf, size_t len)
{
	char date[64], cl[64] = "", srv[300] = "";
	int n;

	decoy_httpdate(time(NULL), date, sizeof(date));
	if (sv->decoy->server_header != NULL && !r->has_server)
		snprintf(srv, sizeof(srv), "Server: %s\r\n",
		    sv->decoy->server_header);
	if (r->clen >= 0)
		snprintf(cl, sizeof(cl), "Content-Length: %lld\r\n",
		    (long long)r->clen);
	n = snprintf(buf, len, "HTTP/1.1 %d %s\r\n%sDate: %s\r\n%s%.*s"
	    "Connection: %s\r\n\r\n", r->status, decoy_reason(r->status), srv,
	    date, cl, (int)r->hlen, r->hdrs, keep ? "keep-alive" : "close");
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

/* True if the request asks to keep the connection (HTTP/1.1 default). */
bool
decoy_keepalive(struct lws *wsi)
{
	char c[64];

	if (lws_hdr_copy(wsi, c, sizeof(c), WSI_TOKEN_CONNECTION) > 0 &&
	    strcasestr(c, "close") != NULL)
		return false;
	return true;
}

/* Does this status carry no body? */
bool
decoy_no_body(int status)
{
	return status == 304 || status == 204 || (status >= 100 && status < 200);
}

/*
 * Write the whole of r now (headers and body, HEAD: headers only);
 * lws keeps what the socket does not take.  -1 on error.
 */
static int
decoy_write_whole(struct server *sv, struct lws *wsi, struct decoy_resp *r,
    bool head_only, bool keep)
{
	unsigned char *buf;
	size_t blen = 0, cap;
	ssize_t n;
	int h;

	if (r->fd != -1 && r->len > DECOY_WHOLE_MAX) {
		decoy_resp_clear(r);
		decoy_error_page(r, 500);
	}
	if (!head_only && !decoy_no_body(r->status))
		blen = r->fd != -1 ? (size_t)r->len : r->bodylen;
	cap = LWS_PRE + DECOY_HEADBUF + blen;
	buf = xmalloc(cap);
	if ((h = decoy_head_fmt(sv, r, keep, (char *)buf + LWS_PRE,
	    DECOY_HEADBUF)) ==
	    -1) {
		free(buf);
		return -1;
	}
	if (blen > 0 && r->fd != -1) {
		n = pread(r->fd, buf + LWS_PRE + h, blen, r->off);
		if (n != (ssize_t)blen) {
			free(buf);
			return -1;
		}
	} else if (blen > 0)
		memcpy(buf + LWS_PRE + h, r->body, blen);
	n = lws_write(wsi, buf + LWS_PRE, h + blen, LWS_WRITE_HTTP_HEADERS);
	free(buf);
	return n < 0 ? -1 : 0;
}

static void
decoy_req_reset(struct decoy_req *q)
{
	free(q->mem);
	q->mem = NULL;
	if (q->kind == DECOY_FILE && q->fd != -1)
		close(q->fd);
	q->fd = -1;
	if (q->bev != NULL)
		bufferevent_free(q->bev);
	q->bev = NULL;
	q->kind = DECOY_NONE;
}

/* Start answering with r: the headers now, the body from WRITEABLE. */
int
decoy_start(struct server *sv, struct lws *wsi, struct decoy_req *q,
    struct decoy_resp *r)
{
	char buf[LWS_PRE + DECOY_HEADBUF];
	int h;

	q->keep = decoy_keepalive(wsi) && r->clen >= 0;
	if ((h = decoy_head_fmt(sv, r, q->keep, buf + LWS_PRE,
	    DECOY_HEADBUF)) == -1 ||
	    lws_write(wsi, (unsigned char *)buf + LWS_PRE, h,
	    LWS_WRITE_HTTP_HEADERS) != h) {
		decoy_resp_clear(r);
		return -1;
	}
	if (q->head_only || decoy_no_body(r->status)) {
		decoy_resp_clear(r);
		q->kind = DECOY_NONE;
		if (!q->keep)
			return -1;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	if (r->fd != -1) {
		q->kind = DECOY_FILE;
		q->fd = r->fd;
		q->off = r->off;
		q->left = r->len;
		r->fd = -1;
	} else {
		q->kind = DECOY_MEM;
		q->mem = r->body;
		q->memlen = r->bodylen;
		q->memoff = 0;
		r->body = NULL;
	}
	lws_callback_on_writable(wsi);
	return 0;
}

/* ---- the callbacks' entry points ---- */

/* LWS_CALLBACK_HTTP: a plain request. */
int
decoy_http(struct server *sv, struct lws *wsi, void *pss)
{
	struct decoy_req *q = pss;
	struct decoy_resp r;

	decoy_req_reset(q);
	q->wsi = wsi;
	q->sv = sv;
	q->fd = -1;
	q->up_eof = q->up_failed = q->head_sent = false;
	q->head_only = decoy_method(wsi) == LWSHUMETH_HEAD;
	if (sv->decoy->has_upstream)
		return decoy_up_start(sv, wsi, q);
	if (sv->decoy->rootfd != -1)
		decoy_static(sv, wsi, &r);
	else
		decoy_error_page(&r, 404);
	return decoy_start(sv, wsi, q, &r);
}

/*
 * LWS_CALLBACK_HTTP_CONFIRM_UPGRADE for an upgrade that is not rvpn's:
 * the answer a plain request would get, written whole; returns what
 * the callback returns (1: answered, lws closes after the write; -1:
 * hang up).
 */
int
decoy_upgrade(struct server *sv, struct lws *wsi)
{
	struct decoy_resp r;
	bool head_only = decoy_method(wsi) == LWSHUMETH_HEAD;
	int rc;

	if (sv->decoy->has_upstream) {
		if (!decoy_up_sync(sv, wsi, &r, &head_only))
			decoy_error_page(&r, 502);
	} else if (sv->decoy->rootfd != -1)
		decoy_static(sv, wsi, &r);
	else
		decoy_error_page(&r, 404);
	rc = decoy_write_whole(sv, wsi, &r, head_only, false);
	decoy_resp_clear(&r);
	return rc == -1 ? -1 : 1;
}

/* LWS_CALLBACK_HTTP_WRITEABLE. */
int
decoy_writeable(struct server *sv, struct lws *wsi, void *pss)
{
	struct decoy_req *q = pss;
	unsigned char buf[LWS_PRE + DECOY_CHUNK];
	size_t n;
	ssize_t rd;

	switch (q->kind) {
	case DECOY_PROXY:
		return decoy_up_writeable(sv, wsi, q);
	case DECOY_MEM:
		n = q->memlen - q->memoff;
		if (n > DECOY_CHUNK)
			n = DECOY_CHUNK;
		memcpy(buf + LWS_PRE, q->mem + q->memoff, n);
		q->memoff += n;
		if (n > 0 && lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP) !=
		    (int)n)
			return -1;
		if (q->memoff < q->memlen) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		break;
	case DECOY_FILE:
		n = q->left > DECOY_CHUNK ? DECOY_CHUNK : (size_t)q->left;
		rd = pread(q->fd, buf + LWS_PRE, n, q->off);
		if (rd <= 0)
			return -1;	/* the file shrank */
		q->off += rd;
		q->left -= rd;
		if (lws_write(wsi, buf + LWS_PRE, rd, LWS_WRITE_HTTP) !=
		    (int)rd)
			return -1;
		if (q->left > 0) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		break;
	default:
		return 0;
	}
	decoy_req_reset(q);
	if (!q->keep)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* LWS_CALLBACK_HTTP_BODY: a request body goes to the upstream. */
int
decoy_body(struct lws *wsi, void *pss, const void *in, size_t len)
{
	struct decoy_req *q = pss;

	if (q->kind == DECOY_PROXY && q->bev != NULL)
		bufferevent_write(q->bev, in, len);
	return 0;
}

/* The request's state goes (LWS_CALLBACK_CLOSED_HTTP, DROP_PROTOCOL). */
void
decoy_close(void *pss)
{
	struct decoy_req *q = pss;

	if (q != NULL && q->kind != DECOY_NONE)
		decoy_req_reset(q);
}

size_t
decoy_pss_size(void)
{
	return sizeof(struct decoy_req);
}

/*
 * Set up the decoy from the config: open decoy_root (kept open, so it
 * works under chroot too), resolve decoy_upstream once.
 */
int
decoy_init(struct server *sv, char **cause)
{
	struct server_config *cfg = sv->cfg;
	struct decoy *d;

	d = xcalloc(1, sizeof(*d));
	d->rootfd = -1;
	sv->decoy = d;
	if (cfg->server_header != NULL)
		d->server_header = xstrdup(cfg->server_header);
	if (cfg->decoy_root != NULL) {
		d->rootfd = open(cfg->decoy_root, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
		if (d->rootfd == -1) {
			xasprintf(cause, "decoy_root: '%s': %s",
			    cfg->decoy_root, strerror(errno));
			return -1;
		}
	}
	if (cfg->decoy_upstream != NULL &&
	    decoy_up_parse_url(d, cfg->decoy_upstream, cause) == -1)
		return -1;
	return 0;
}

void
decoy_free(struct server *sv)
{
	struct decoy *d = sv->decoy;

	if (d == NULL)
		return;
	if (d->rootfd != -1)
		close(d->rootfd);
	free(d->server_header);
	free(d);
	sv->decoy = NULL;
}
