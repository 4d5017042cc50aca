/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <string.h>

#include "ctlmsg.h"

/* A bounded cursor over a body: every get checks what is left first. */
struct ctlmsg_rd {
	const uint8_t	*p;
	size_t		 left;
	bool		 bad;
};

struct ctlmsg_wr {
	uint8_t		*p;
	size_t		 left;
	bool		 bad;
};

/* Fixed body sizes (variable parts: strings, refusal entries). */
#define CTLMSG_STATUS_FIXED	(8 + 8 + 4 + 4 + 4)
#define CTLMSG_SESSION_FIXED	(PROTO_KEY_LEN + 4 + 8 * 2 + 8 * 11 + \
				    1 + 8)
#define CTLMSG_STATS_FIXED	(8 * 17 + 1)
#define CTLMSG_REFUSED_LEN	(2 + 8)

static void
rd_bytes(struct ctlmsg_rd *r, void *out, size_t n)
{
	if (r->bad || n > r->left) {
		r->bad = true;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
}

static uint64_t
rd_uint(struct ctlmsg_rd *r, size_t n)
{
	uint8_t b[8];
	uint64_t v = 0;
	size_t i;

	rd_bytes(r, b, n);
	for (i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

/* A u8-length string into out (cap bytes with the NUL); no NUL inside. */
static void
rd_str(struct ctlmsg_rd *r, char *out, size_t cap)
{
	size_t n;

	n = (size_t)rd_uint(r, 1);
	if (r->bad || n >= cap || n > r->left) {
		r->bad = true;
		out[0] = '\0';
		return;
	}
	rd_bytes(r, out, n);
	out[n] = '\0';
	if (strlen(out) != n)
		r->bad = true;
}

static void
wr_bytes(struct ctlmsg_wr *w, const void *in, size_t n)
{
	if (w->bad || n > w->left) {
		w->bad = true;
		return;
	}
	if (n == 0)
		return;		/* in may be NULL: memcpy must not see it */
	memcpy(w->p, in, n);
	w->p += n;
	w->left -= n;
}

static void
wr_uint(struct ctlmsg_wr *w, uint64_t v, size_t n)
{
	uint8_t b[8];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	wr_bytes(w, b, n);
}

/* Strings longer than 255 bytes cannot be sent: an error, not a cut. */
static void
wr_str(struct ctlmsg_wr *w, const char *s)
{
	size_t n = strlen(s);

	if (n > UINT8_MAX) {
		w->bad = true;
		return;
	}
	wr_uint(w, n, 1);
	wr_bytes(w, s, n);
}

int
ctlmsg_peek(const uint8_t *buf, size_t avail, size_t *total)
{
	uint32_t len;

	if (avail < CTLMSG_HDR_LEN)
		return CTLMSG_ERR_SHORT;
	len = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	    (uint32_t)buf[2] << 8 | buf[3];
	if (len > CTLMSG_MAX - CTLMSG_HDR_LEN)
		return CTLMSG_ERR_TOOBIG;
	*total = CTLMSG_HDR_LEN + len;
	return CTLMSG_OK;
}

bool
ctlmsg_is_request(uint8_t type)
{
	return type >= CTLMSG_T_STATUS_REQ && type <= CTLMSG_T_RELOAD_REQ;
}

/* A text body: at most CTLMSG_TEXT_MAX bytes without a NUL. */
static int
ctlmsg_get_text(const uint8_t *body, size_t len, char *out)
{
	if (len > CTLMSG_TEXT_MAX)
		return CTLMSG_ERR_SIZE;
	memcpy(out, body, len);
	out[len] = '\0';
	return strlen(out) == len ? CTLMSG_OK : CTLMSG_ERR_FORMAT;
}

static int
ctlmsg_get_status(struct ctlmsg_rd *r, struct ctlmsg_status *st)
{
	if (r->left < 1 + CTLMSG_STATUS_FIXED)
		return CTLMSG_ERR_SIZE;
	rd_str(r, st->version, sizeof(st->version));
	st->now = rd_uint(r, 8);
	st->uptime = rd_uint(r, 8);
	st->pool_used = (uint32_t)rd_uint(r, 4);
	st->pool_capacity = (uint32_t)rd_uint(r, 4);
	st->nsessions = (uint32_t)rd_uint(r, 4);
	if (r->bad)
		return CTLMSG_ERR_FORMAT;
	if (st->pool_used > st->pool_capacity)
		return CTLMSG_ERR_FORMAT;
	return CTLMSG_OK;
}

static int
ctlmsg_get_session(struct ctlmsg_rd *r, struct ctlmsg_session *s)
{
	uint64_t flags;

	if (r->left < 3 + CTLMSG_SESSION_FIXED)
		return CTLMSG_ERR_SIZE;
	rd_str(r, s->name, sizeof(s->name));
	rd_bytes(r, s->pub, sizeof(s->pub));
	rd_bytes(r, &s->addr.s_addr, 4);
	rd_str(r, s->remote, sizeof(s->remote));
	rd_str(r, s->forwarded, sizeof(s->forwarded));
	s->since = rd_uint(r, 8);
	s->duration = rd_uint(r, 8);
	s->rx_bytes = rd_uint(r, 8);
	s->rx_pkts = rd_uint(r, 8);
	s->tx_bytes = rd_uint(r, 8);
	s->tx_pkts = rd_uint(r, 8);
	s->drop_source = rd_uint(r, 8);
	s->drop_header = rd_uint(r, 8);
	s->drop_c2c = rd_uint(r, 8);
	s->drop_tun = rd_uint(r, 8);
	s->drop_queue = rd_uint(r, 8);
	s->drop_noroute = rd_uint(r, 8);
	s->ipv6_ignored = rd_uint(r, 8);
	flags = rd_uint(r, 1);
	s->rtt_us = rd_uint(r, 8);
	if (r->bad || (flags & ~1U) != 0 || s->name[0] == '\0')
		return CTLMSG_ERR_FORMAT;
	s->has_rtt = (flags & 1) != 0;
	return CTLMSG_OK;
}

static int
ctlmsg_get_stats(struct ctlmsg_rd *r, struct ctlmsg_stats *st)
{
	unsigned i;

	if (r->left < CTLMSG_STATS_FIXED)
		return CTLMSG_ERR_SIZE;
	st->sessions_total = rd_uint(r, 8);
	st->sessions_current = rd_uint(r, 8);
	st->hs_aborted = rd_uint(r, 8);
	st->rx_bytes = rd_uint(r, 8);
	st->rx_pkts = rd_uint(r, 8);
	st->tx_bytes = rd_uint(r, 8);
	st->tx_pkts = rd_uint(r, 8);
	st->drop_source = rd_uint(r, 8);
	st->drop_header = rd_uint(r, 8);
	st->drop_c2c = rd_uint(r, 8);
	st->drop_tun = rd_uint(r, 8);
	st->drop_queue = rd_uint(r, 8);
	st->drop_noroute = rd_uint(r, 8);
	st->tun_noroute = rd_uint(r, 8);
	st->tun_short = rd_uint(r, 8);
	st->ipv6_ignored = rd_uint(r, 8);
	st->tun_ipv6 = rd_uint(r, 8);
	st->nrefused = (unsigned)rd_uint(r, 1);
	if (st->nrefused > CTLMSG_MAX_CODES ||
	    r->left != st->nrefused * CTLMSG_REFUSED_LEN)
		return CTLMSG_ERR_SIZE;
	for (i = 0; i < st->nrefused; i++) {
		st->refused[i].code = (uint16_t)rd_uint(r, 2);
		st->refused[i].count = rd_uint(r, 8);
	}
	return r->bad ? CTLMSG_ERR_FORMAT : CTLMSG_OK;
}

int
ctlmsg_decode(const uint8_t *buf, size_t len, struct ctlmsg *m)
{
	struct ctlmsg_rd r;
	size_t total;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = ctlmsg_peek(buf, len, &total)) != CTLMSG_OK)
		return rc;
	if (len < total)
		return CTLMSG_ERR_SHORT;
	if (len > total)
		return CTLMSG_ERR_SIZE;
	m->type = buf[4];
	r.p = buf + CTLMSG_HDR_LEN;
	r.left = total - CTLMSG_HDR_LEN;
	r.bad = false;
	switch (m->type) {
	case CTLMSG_T_STATUS_REQ:
	case CTLMSG_T_STATS_REQ:
	case CTLMSG_T_RELOAD_REQ:
		return r.left == 0 ? CTLMSG_OK : CTLMSG_ERR_SIZE;
	case CTLMSG_T_KICK_REQ:
		if (r.left == 0)
			return CTLMSG_ERR_SIZE;
		/* FALLTHROUGH */
	case CTLMSG_T_OK:
	case CTLMSG_T_ERROR:
		return ctlmsg_get_text(r.p, r.left, m->u.text);
	case CTLMSG_T_STATUS:
		rc = ctlmsg_get_status(&r, &m->u.status);
		break;
	case CTLMSG_T_SESSION:
		rc = ctlmsg_get_session(&r, &m->u.session);
		break;
	case CTLMSG_T_STATS:
		return ctlmsg_get_stats(&r, &m->u.stats);
	default:
		return CTLMSG_ERR_TYPE;
	}
	if (rc == CTLMSG_OK && r.left != 0)
		rc = CTLMSG_ERR_SIZE;
	return rc;
}

/* Write the header once the body length is known. */
static int
ctlmsg_finish(uint8_t type, uint8_t *buf, size_t cap, struct ctlmsg_wr *w,
    size_t *len)
{
	size_t body;

	if (w->bad)
		return CTLMSG_ERR_SPACE;
	body = cap - CTLMSG_HDR_LEN - w->left;
	if (body > CTLMSG_MAX - CTLMSG_HDR_LEN)
		return CTLMSG_ERR_TOOBIG;
	buf[0] = (uint8_t)(body >> 24);
	buf[1] = (uint8_t)(body >> 16);
	buf[2] = (uint8_t)(body >> 8);
	buf[3] = (uint8_t)body;
	buf[4] = type;
	*len = CTLMSG_HDR_LEN + body;
	return CTLMSG_OK;
}

int
ctlmsg_encode_text(uint8_t type, const char *text, uint8_t *buf, size_t cap,
    size_t *len)
{
	struct ctlmsg_wr w;
	size_t n;

	if (cap < CTLMSG_HDR_LEN)
		return CTLMSG_ERR_SPACE;
	n = text != NULL ? strlen(text) : 0;
	if (n > CTLMSG_TEXT_MAX)
		return CTLMSG_ERR_TOOBIG;
	w.p = buf + CTLMSG_HDR_LEN;
	w.left = cap - CTLMSG_HDR_LEN;
	w.bad = false;
	wr_bytes(&w, text, n);
	return ctlmsg_finish(type, buf, cap, &w, len);
}

int
ctlmsg_encode(const struct ctlmsg *m, uint8_t *buf, size_t cap, size_t *len)
{
	const struct ctlmsg_status *st = &m->u.status;
	const struct ctlmsg_session *s = &m->u.session;
	const struct ctlmsg_stats *ss = &m->u.stats;
	struct ctlmsg_wr w;
	unsigned i;

	switch (m->type) {
	case CTLMSG_T_STATUS_REQ:
	case CTLMSG_T_STATS_REQ:
	case CTLMSG_T_RELOAD_REQ:
		return ctlmsg_encode_text(m->type, NULL, buf, cap, len);
	case CTLMSG_T_KICK_REQ:
	case CTLMSG_T_OK:
	case CTLMSG_T_ERROR:
		return ctlmsg_encode_text(m->type, m->u.text, buf, cap, len);
	case CTLMSG_T_STATUS:
	case CTLMSG_T_SESSION:
	case CTLMSG_T_STATS:
		break;
	default:
		return CTLMSG_ERR_TYPE;
	}
	if (cap < CTLMSG_HDR_LEN)
		return CTLMSG_ERR_SPACE;
	w.p = buf + CTLMSG_HDR_LEN;
	w.left = cap - CTLMSG_HDR_LEN;
	w.bad = false;
	switch (m->type) {
	case CTLMSG_T_STATUS:
		wr_str(&w, st->version);
		wr_uint(&w, st->now, 8);
		wr_uint(&w, st->uptime, 8);
		wr_uint(&w, st->pool_used, 4);
		wr_uint(&w, st->pool_capacity, 4);
		wr_uint(&w, st->nsessions, 4);
		break;
	case CTLMSG_T_SESSION:
		wr_str(&w, s->name);
		wr_bytes(&w, s->pub, sizeof(s->pub));
		wr_bytes(&w, &s->addr.s_addr, 4);
		wr_str(&w, s->remote);
		wr_str(&w, s->forwarded);
		wr_uint(&w, s->since, 8);
		wr_uint(&w, s->duration, 8);
		wr_uint(&w, s->rx_bytes, 8);
		wr_uint(&w, s->rx_pkts, 8);
		wr_uint(&w, s->tx_bytes, 8);
		wr_uint(&w, s->tx_pkts, 8);
		wr_uint(&w, s->drop_source, 8);
		wr_uint(&w, s->drop_header, 8);
		wr_uint(&w, s->drop_c2c, 8);
		wr_uint(&w, s->drop_tun, 8);
		wr_uint(&w, s->drop_queue, 8);
		wr_uint(&w, s->drop_noroute, 8);
		wr_uint(&w, s->ipv6_ignored, 8);
		wr_uint(&w, s->has_rtt ? 1 : 0, 1);
		wr_uint(&w, s->rtt_us, 8);
		break;
	case CTLMSG_T_STATS:
		if (ss->nrefused > CTLMSG_MAX_CODES)
			return CTLMSG_ERR_FORMAT;
		wr_uint(&w, ss->sessions_total, 8);
		wr_uint(&w, ss->sessions_current, 8);
		wr_uint(&w, ss->hs_aborted, 8);
		wr_uint(&w, ss->rx_bytes, 8);
		wr_uint(&w, ss->rx_pkts, 8);
		wr_uint(&w, ss->tx_bytes, 8);
		wr_uint(&w, ss->tx_pkts, 8);
		wr_uint(&w, ss->drop_source, 8);
		wr_uint(&w, ss->drop_header, 8);
		wr_uint(&w, ss->drop_c2c, 8);
		wr_uint(&w, ss->drop_tun, 8);
		wr_uint(&w, ss->drop_queue, 8);
		wr_uint(&w, ss->drop_noroute, 8);
		wr_uint(&w, ss->tun_noroute, 8);
		wr_uint(&w, ss->tun_short, 8);
		wr_uint(&w, ss->ipv6_ignored, 8);
		wr_uint(&w, ss->tun_ipv6, 8);
		wr_uint(&w, ss->nrefused, 1);
		for (i = 0; i < ss->nrefused; i++) {
			wr_uint(&w, ss->refused[i].code, 2);
			wr_uint(&w, ss->refused[i].count, 8);
		}
		break;
	}
	return ctlmsg_finish(m->type, buf, cap, &w, len);
}

static const char *const ctlmsg_errors[] = {
	"ok",
	"truncated message",
	"message too big",
	"unknown message type",
	"wrong body size for the message type",
	"malformed message body",
	"no room for the message",
};

const char *
ctlmsg_strerror(int err)
{
	if (err > 0 || err <= -(int)(sizeof(ctlmsg_errors) /
	    sizeof(ctlmsg_errors[0])))
		return "unknown error";
	return ctlmsg_errors[-err];
}
