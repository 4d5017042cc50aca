/* SPDX-License-Identifier: ISC */
/*
 * Relay mode streams (relay.h).  Every stream's local data waits in its
 * bufferevent's input (read stops at a high-water mark) until the peer's
 * credit allows sending it; data from the peer goes to the bufferevent's
 * output and the credit is given back as that output drains, so one
 * stalled stream holds at most its window and never blocks the others.
 */
#include "autoconf.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relay.h"
#include "xmalloc.h"

#define RELAY_READ_HIGH	(128 * 1024)	/* local bytes read ahead */
#define RELAY_READ_BATCH (4 * STREAM_MAX_DATA)	/* read at one wakeup */
/*
 * DATA payload we send: the record (type, stream header, tag) and its
 * WebSocket header (8 bytes at most, masked) fit one TLS record of 2^14
 * bytes; a full STREAM_MAX_DATA would cost a second, 30-byte TLS record.
 */
#define RELAY_DATA_FIT	(16384 - 32)

struct relay_stream {
	struct relay		*r;
	uint32_t		 id;
	bool			 open;		/* OPEN_OK sent / received */
	struct bufferevent	*bev;		/* local side, NULL until */
	struct evbuffer		*early;		/* peer data before attach */
	void			*owner;
	struct stream_msg	*openmsg;	/* client: OPEN to send */
	int64_t			 tx_credit;	/* we may send */
	int64_t			 rx_credit;	/* the peer may send */
	bool			 want_ok;
	uint8_t			 reset;		/* RESET to send, 0: none */
	bool			 eof;		/* local read side ended */
	bool			 paused;	/* reading off: input full */
	bool			 fin_sent, fin_rcvd, shut;
	TAILQ_ENTRY(relay_stream) entry;
};
TAILQ_HEAD(relay_streams, relay_stream);

struct relay {
	const struct relay_ops	*ops;
	void			*arg;
	unsigned		 max, n;
	bool			 server;
	uint32_t		 next_id;
	struct relay_streams	 streams;
	struct relay_stream	*cursor;	/* next to serve */
	struct relay_stats	 stats;
};

static void	relay_readcb(struct bufferevent *, void *);
static void	relay_writecb(struct bufferevent *, void *);
static void	relay_eventcb(struct bufferevent *, short, void *);

struct relay *
relay_new(const struct relay_ops *ops, void *arg, unsigned max_streams)
{
	struct relay *r;

	r = xcalloc(1, sizeof(*r));
	r->ops = ops;
	r->arg = arg;
	r->max = max_streams;
	r->server = ops->open != NULL;
	r->next_id = 1;
	TAILQ_INIT(&r->streams);
	return r;
}

static struct relay_stream *
relay_stream_new(struct relay *r, uint32_t id)
{
	struct relay_stream *s;

	s = xcalloc(1, sizeof(*s));
	s->r = r;
	s->id = id;
	s->tx_credit = STREAM_WINDOW;
	s->rx_credit = STREAM_WINDOW;
	TAILQ_INSERT_TAIL(&r->streams, s, entry);
	r->n++;
	return s;
}

/* Close the local side; with rst the peer application sees a reset. */
static void
relay_close_bev(struct relay_stream *s, bool rst)
{
	struct linger lg = { 1, 0 };
	evutil_socket_t fd;

	if (s->bev == NULL)
		return;
	fd = bufferevent_getfd(s->bev);
	if (rst && fd != -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	bufferevent_free(s->bev);
	s->bev = NULL;
}

static void
relay_stream_free(struct relay_stream *s, bool rst, bool notify)
{
	struct relay *r = s->r;

	relay_close_bev(s, rst);
	if (s->early != NULL)
		evbuffer_free(s->early);
	if (notify && s->owner != NULL && r->ops->closed != NULL)
		r->ops->closed(r->arg, s);
	if (r->cursor == s)
		r->cursor = TAILQ_NEXT(s, entry);
	TAILQ_REMOVE(&r->streams, s, entry);
	r->n--;
	free(s->openmsg);
	free(s);
}

void
relay_free(struct relay *r)
{
	struct relay_stream *s;

	if (r == NULL)
		return;
	while ((s = TAILQ_FIRST(&r->streams)) != NULL) {
		if (!r->server && !s->open && s->owner != NULL &&
		    s->reset == 0) {
			r->ops->opened(r->arg, s, STREAM_R_GENERAL);
			s->owner = NULL;
		}
		relay_stream_free(s, true, true);
	}
	free(r);
}

static struct relay_stream *
relay_find(struct relay *r, uint32_t id)
{
	struct relay_stream *s;

	TAILQ_FOREACH(s, &r->streams, entry) {
		if (s->id == id)
			return s;
	}
	return NULL;
}

static void
relay_want(struct relay *r)
{
	r->ops->want_write(r->arg);
}

/* Both FINs exchanged and our output written: the stream is done. */
static bool
relay_maybe_done(struct relay_stream *s)
{
	if (!s->fin_sent || !s->fin_rcvd || s->reset != 0)
		return false;
	if (s->bev != NULL &&
	    evbuffer_get_length(bufferevent_get_output(s->bev)) > 0)
		return false;
	relay_stream_free(s, false, true);
	return true;
}

/* The peer's FIN, once everything before it is written: shutdown. */
static void
relay_maybe_shut(struct relay_stream *s)
{
	evutil_socket_t fd;

	if (!s->fin_rcvd || s->shut || s->bev == NULL ||
	    evbuffer_get_length(bufferevent_get_output(s->bev)) > 0)
		return;
	s->shut = true;
	if ((fd = bufferevent_getfd(s->bev)) != -1)
		(void)shutdown(fd, SHUT_WR);
}

void
relay_reset(struct relay_stream *s, int reason)
{
	if (s->reset != 0)
		return;
	s->reset = (uint8_t)reason;
	relay_close_bev(s, true);
	relay_want(s->r);
}

void
relay_attach(struct relay_stream *s, struct bufferevent *bev)
{
	s->bev = bev;
	bufferevent_setcb(bev, relay_readcb, relay_writecb, relay_eventcb, s);
	bufferevent_setwatermark(bev, EV_READ, 0, RELAY_READ_HIGH);
	bufferevent_setwatermark(bev, EV_WRITE, STREAM_WINDOW / 2, 0);
	if (s->early != NULL) {
		bufferevent_write_buffer(bev, s->early);
		evbuffer_free(s->early);
		s->early = NULL;
	}
	if (s->r->server) {
		s->open = true;
		s->want_ok = true;
	}
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	relay_maybe_shut(s);
	relay_want(s->r);
}

struct relay_stream *
relay_open(struct relay *r, const struct stream_msg *m, void *owner)
{
	struct relay_stream *s;

	if (r->n >= r->max || r->next_id == 0)
		return NULL;
	s = relay_stream_new(r, r->next_id++);
	s->openmsg = xmalloc(sizeof(*s->openmsg));
	*s->openmsg = *m;
	s->openmsg->type = STREAM_OPEN;
	s->openmsg->id = s->id;
	s->owner = owner;
	r->stats.opened++;
	relay_want(r);
	return s;
}

/*
 * libevent 2.1 reads at most 4096 bytes at a wakeup, so a bulk stream
 * went out in records of about 4 KiB: per byte four times the seals,
 * TLS records, writes and polls.  Take what the socket already holds, up
 * to RELAY_READ_BATCH (under RELAY_READ_HIGH), so that DATA messages
 * are full.  EOF and errors met here are handled as the bufferevent
 * would (relay_eventcb).  The input's end is frozen outside the
 * bufferevent's own reads; thawed here as bufferevent_readcb does.
 */
static void
relay_readcb(struct bufferevent *bev, void *arg)
{
	struct relay_stream *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_iovec v;
	evutil_socket_t fd = bufferevent_getfd(bev);
	size_t have, want;
	ssize_t n;
	int reset = 0;

	if (fd == -1)
		goto out;
	evbuffer_unfreeze(in, 0);
	while ((have = evbuffer_get_length(in)) < RELAY_READ_BATCH) {
		want = RELAY_READ_BATCH - have;
		if (evbuffer_reserve_space(in, (ev_ssize_t)want, &v, 1) != 1)
			break;
		if (v.iov_len < want)
			want = v.iov_len;
		n = recv(fd, v.iov_base, want, MSG_DONTWAIT);
		if (n > 0) {
			v.iov_len = (size_t)n;
			evbuffer_commit_space(in, &v, 1);
			continue;
		}
		if (n == 0) {
			s->eof = true;
			bufferevent_disable(bev, EV_READ);
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			reset = 1;
		break;
	}
	evbuffer_freeze(in, 0);
	if (reset) {
		relay_reset(s, STREAM_R_GENERAL);
		return;
	}
	/*
	 * Input at the high-water mark: libevent 2.1 would run this callback
	 * again at every loop pass until it drains (a busy loop while the
	 * peer's window is shut).  Reading stops until relay_stream_next
	 * has taken half of it.
	 */
	if (!s->eof && evbuffer_get_length(in) >= RELAY_READ_HIGH) {
		s->paused = true;
		bufferevent_disable(bev, EV_READ);
	}
out:
	relay_want(s->r);
}

static void
relay_writecb(struct bufferevent *bev, void *arg)
{
	struct relay_stream *s = arg;
	struct relay *r = s->r;

	(void)bev;
	relay_maybe_shut(s);
	if (!relay_maybe_done(s))
		relay_want(r);		/* a window update may be due */
}

static void
relay_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct relay_stream *s = arg;

	(void)bev;
	if (what & BEV_EVENT_ERROR) {
		relay_reset(s, STREAM_R_GENERAL);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		s->eof = true;
		bufferevent_disable(s->bev, EV_READ);
		relay_want(s->r);
	}
}

int
relay_input(struct relay *r, const uint8_t *body, size_t len,
    const char **why)
{
	struct stream_msg m;
	struct relay_stream *s;
	int rc;

	if ((rc = stream_parse(body, len, &m)) != STREAM_OK) {
		*why = stream_strerror(rc);
		return -1;
	}
	s = relay_find(r, m.id);
	switch (m.type) {
	case STREAM_OPEN:
		if (!r->server) {
			*why = "OPEN sent to the client";
			return -1;
		}
		if (s != NULL) {
			*why = "OPEN of a stream in use";
			return -1;
		}
		if (r->n >= 2 * r->max) {
			*why = "too many streams";
			return -1;
		}
		s = relay_stream_new(r, m.id);
		if (r->n > r->max) {
			r->stats.limited++;
			relay_reset(s, STREAM_R_LIMIT);
			return 0;
		}
		r->stats.opened++;
		r->ops->open(r->arg, s, &m);
		return 0;
	case STREAM_OPEN_OK:
		if (r->server) {
			*why = "OPEN_OK sent to the server";
			return -1;
		}
		if (s == NULL || s->reset != 0)
			return 0;
		if (s->open) {
			*why = "second OPEN_OK";
			return -1;
		}
		s->open = true;
		r->ops->opened(r->arg, s, 0);
		relay_want(r);
		return 0;
	case STREAM_DATA:
		if (s == NULL || s->reset != 0)
			return 0;
		if (s->fin_rcvd) {
			*why = "DATA after FIN";
			return -1;
		}
		if ((int64_t)m.len > s->rx_credit) {
			*why = "DATA past the window";
			return -1;
		}
		s->rx_credit -= m.len;
		r->stats.rx_bytes += m.len;
		if (s->bev != NULL)
			bufferevent_write(s->bev, m.data, m.len);
		else {
			if (s->early == NULL)
				s->early = evbuffer_new();
			evbuffer_add(s->early, m.data, m.len);
		}
		return 0;
	case STREAM_WINDOW_UPDATE:
		if (s == NULL || s->reset != 0)
			return 0;
		s->tx_credit += m.credit;
		if (s->tx_credit > (int64_t)STREAM_MAX_WINDOW) {
			*why = "window over the maximum";
			return -1;
		}
		relay_want(r);
		return 0;
	case STREAM_FIN:
		if (s == NULL || s->reset != 0)
			return 0;
		if (s->fin_rcvd) {
			*why = "second FIN";
			return -1;
		}
		s->fin_rcvd = true;
		relay_maybe_shut(s);
		(void)relay_maybe_done(s);
		return 0;
	case STREAM_RESET:
		if (s == NULL)
			return 0;
		r->stats.reset_rx++;
		if (!r->server && !s->open && s->reset == 0 &&
		    s->owner != NULL) {
			r->ops->opened(r->arg, s, m.reason);
			s->owner = NULL;
		}
		relay_stream_free(s, true, true);
		return 0;
	}
	*why = "unknown stream message";
	return -1;
}

/* Header of a message with no encoder round trip (DATA in place). */
static void
relay_hdr(uint8_t *p, uint8_t type, uint32_t id)
{
	p[0] = type;
	p[1] = id >> 24;
	p[2] = (id >> 16) & 0xff;
	p[3] = (id >> 8) & 0xff;
	p[4] = id & 0xff;
}

/* One message of stream s, by priority; 1 if built. */
static int
relay_stream_next(struct relay_stream *s, uint8_t *out, size_t cap,
    size_t *len)
{
	struct relay *r = s->r;
	struct stream_msg m;
	struct evbuffer *in;
	int64_t buffered, grant;
	size_t n;

	memset(&m, 0, sizeof(m));
	m.id = s->id;
	if (s->reset != 0) {
		m.type = STREAM_RESET;
		m.reason = s->reset;
		r->stats.reset_tx++;
		(void)stream_encode(&m, out, cap, len);
		relay_stream_free(s, true, true);
		return 1;
	}
	if (s->openmsg != NULL) {
		if (stream_encode(s->openmsg, out, cap, len) != STREAM_OK) {
			/* Checked by the caller; cannot happen. */
			s->reset = STREAM_R_ATYP;
			return 0;
		}
		free(s->openmsg);
		s->openmsg = NULL;
		return 1;
	}
	if (s->want_ok) {
		s->want_ok = false;
		m.type = STREAM_OPEN_OK;
		(void)stream_encode(&m, out, cap, len);
		return 1;
	}
	if (s->bev == NULL || !s->open)
		return 0;
	if (!s->fin_rcvd) {
		buffered = (int64_t)evbuffer_get_length(
		    bufferevent_get_output(s->bev));
		grant = STREAM_WINDOW - s->rx_credit - buffered;
		if (grant >= STREAM_WINDOW / 4) {
			m.type = STREAM_WINDOW_UPDATE;
			m.credit = (uint32_t)grant;
			s->rx_credit += grant;
			(void)stream_encode(&m, out, cap, len);
			return 1;
		}
	}
	if (s->fin_sent)
		return 0;
	in = bufferevent_get_input(s->bev);
	n = evbuffer_get_length(in);
	if (n > 0 && s->tx_credit > 0) {
		if (n > RELAY_DATA_FIT)
			n = RELAY_DATA_FIT;
		if ((int64_t)n > s->tx_credit)
			n = (size_t)s->tx_credit;
		if (n > cap - 5)
			n = cap - 5;
		relay_hdr(out, STREAM_DATA, s->id);
		if (evbuffer_remove(in, out + 5, n) != (int)n)
			return 0;
		if (s->paused && !s->eof &&
		    evbuffer_get_length(in) < RELAY_READ_HIGH / 2) {
			s->paused = false;
			bufferevent_enable(s->bev, EV_READ);
		}
		s->tx_credit -= n;
		r->stats.tx_bytes += n;
		*len = 5 + n;
		return 1;
	}
	if (n == 0 && s->eof) {
		s->fin_sent = true;
		relay_hdr(out, STREAM_FIN, s->id);
		*len = 5;
		(void)relay_maybe_done(s);
		return 1;
	}
	return 0;
}

int
relay_next(struct relay *r, uint8_t *out, size_t cap, size_t *len)
{
	struct relay_stream *s, *next;
	unsigned i, n = r->n;

	if (cap < STREAM_MSG_MAX)
		return 0;
	s = r->cursor != NULL ? r->cursor : TAILQ_FIRST(&r->streams);
	for (i = 0; i < n && s != NULL; i++) {
		next = TAILQ_NEXT(s, entry);
		if (next == NULL)
			next = TAILQ_FIRST(&r->streams);
		if (relay_stream_next(s, out, cap, len) == 1) {
			/* s may be gone; next is still there unless it was s. */
			r->cursor = next == s ? NULL : next;
			return 1;
		}
		s = next;
	}
	return 0;
}

void *
relay_owner(const struct relay_stream *s)
{
	return s->owner;
}

void
relay_set_owner(struct relay_stream *s, void *owner)
{
	s->owner = owner;
}

uint32_t
relay_stream_id(const struct relay_stream *s)
{
	return s->id;
}

unsigned
relay_count(const struct relay *r)
{
	return r->n;
}

const struct relay_stats *
relay_stats(const struct relay *r)
{
	return &r->stats;
}
