/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <string.h>

#include "ctlmsg.h"

#define CTLMSG_BUILD_LEN	sizeof(uint32_t)

/* FNV-1a, 32 bits. */
static uint32_t
ctlmsg_hash(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n-- > 0)
		h = (h ^ *b++) * 16777619U;
	return h;
}

#define CTLMSG_NAME(f, ...)	" " #f

uint32_t
ctlmsg_build_id(void)
{
	static const char names[] = PACKAGE_VERSION
	    COUNTERS_DROPS(CTLMSG_NAME) COUNTERS_TUN_DROPS(CTLMSG_NAME);
	const size_t sizes[] = {
		sizeof(struct ctlmsg_status), sizeof(struct ctlmsg_session),
		sizeof(struct ctlmsg_stats), sizeof(struct counters),
		sizeof(struct counters_tun), offsetof(struct ctlmsg_session, c),
		offsetof(struct ctlmsg_stats, c),
	};
	uint32_t h = 2166136261U;

	h = ctlmsg_hash(h, names, sizeof(names));
	return ctlmsg_hash(h, sizes, sizeof(sizes));
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
	return type >= CTLMSG_T_STATUS_REQ && type <= CTLMSG_T_UNDRAIN_REQ;
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

/* The struct of a type, and its size; NULL for text types. */
static void *
ctlmsg_struct(struct ctlmsg *m, size_t *size)
{
	switch (m->type) {
	case CTLMSG_T_STATUS:
		*size = sizeof(m->u.status);
		return &m->u.status;
	case CTLMSG_T_SESSION:
		*size = sizeof(m->u.session);
		return &m->u.session;
	case CTLMSG_T_STATS:
		*size = sizeof(m->u.stats);
		return &m->u.stats;
	default:
		return NULL;
	}
}

/* A string field holds its NUL. */
#define CTLMSG_STR_OK(a)	(memchr((a), '\0', sizeof(a)) != NULL)

/* What the struct of a decoded message must hold. */
static int
ctlmsg_check(const struct ctlmsg *m)
{
	const struct ctlmsg_status *st = &m->u.status;
	const struct ctlmsg_session *s = &m->u.session;

	switch (m->type) {
	case CTLMSG_T_STATUS:
		if (!CTLMSG_STR_OK(st->version) || !CTLMSG_STR_OK(st->node) ||
		    st->pool_used > st->pool_capacity || st->draining > 1)
			return CTLMSG_ERR_FORMAT;
		break;
	case CTLMSG_T_SESSION:
		if (!CTLMSG_STR_OK(s->name) || s->name[0] == '\0' ||
		    !CTLMSG_STR_OK(s->remote) || !CTLMSG_STR_OK(s->forwarded) ||
		    s->has_rtt > 1)
			return CTLMSG_ERR_FORMAT;
		break;
	case CTLMSG_T_STATS:
		if (m->u.stats.nrefused > CTLMSG_MAX_CODES)
			return CTLMSG_ERR_FORMAT;
		break;
	}
	return CTLMSG_OK;
}

int
ctlmsg_decode(const uint8_t *buf, size_t len, struct ctlmsg *m)
{
	const uint8_t *body = buf + CTLMSG_HDR_LEN;
	size_t total, blen, size;
	uint32_t build;
	void *st;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = ctlmsg_peek(buf, len, &total)) != CTLMSG_OK)
		return rc;
	if (len < total)
		return CTLMSG_ERR_SHORT;
	if (len > total)
		return CTLMSG_ERR_SIZE;
	m->type = buf[4];
	blen = total - CTLMSG_HDR_LEN;
	switch (m->type) {
	case CTLMSG_T_STATUS_REQ:
	case CTLMSG_T_STATS_REQ:
	case CTLMSG_T_RELOAD_REQ:
	case CTLMSG_T_UNDRAIN_REQ:
		return blen == 0 ? CTLMSG_OK : CTLMSG_ERR_SIZE;
	case CTLMSG_T_DRAIN_REQ:
		if ((rc = ctlmsg_get_text(body, blen, m->u.text)) != CTLMSG_OK)
			return rc;
		return m->u.text[0] == '\0' || strcmp(m->u.text, "kick") == 0 ?
		    CTLMSG_OK : CTLMSG_ERR_FORMAT;
	case CTLMSG_T_KICK_REQ:
		if (blen == 0)
			return CTLMSG_ERR_SIZE;
		/* FALLTHROUGH */
	case CTLMSG_T_OK:
	case CTLMSG_T_ERROR:
		return ctlmsg_get_text(body, blen, m->u.text);
	}
	if ((st = ctlmsg_struct(m, &size)) == NULL)
		return CTLMSG_ERR_TYPE;
	if (blen != CTLMSG_BUILD_LEN + size)
		return CTLMSG_ERR_SIZE;
	memcpy(&build, body, sizeof(build));
	if (build != ctlmsg_build_id())
		return CTLMSG_ERR_BUILD;
	memcpy(st, body + CTLMSG_BUILD_LEN, size);
	if ((rc = ctlmsg_check(m)) != CTLMSG_OK)
		memset(&m->u, 0, sizeof(m->u));
	return rc;
}

/* Header for a body of blen bytes at buf + CTLMSG_HDR_LEN. */
static int
ctlmsg_finish(uint8_t type, uint8_t *buf, size_t blen, size_t *len)
{
	if (blen > CTLMSG_MAX - CTLMSG_HDR_LEN)
		return CTLMSG_ERR_TOOBIG;
	buf[0] = (uint8_t)(blen >> 24);
	buf[1] = (uint8_t)(blen >> 16);
	buf[2] = (uint8_t)(blen >> 8);
	buf[3] = (uint8_t)blen;
	buf[4] = type;
	*len = CTLMSG_HDR_LEN + blen;
	return CTLMSG_OK;
}

int
ctlmsg_encode_text(uint8_t type, const char *text, uint8_t *buf, size_t cap,
    size_t *len)
{
	size_t n;

	n = text != NULL ? strlen(text) : 0;
	if (n > CTLMSG_TEXT_MAX)
		return CTLMSG_ERR_TOOBIG;
	if (cap < CTLMSG_HDR_LEN + n)
		return CTLMSG_ERR_SPACE;
	if (n != 0)
		memcpy(buf + CTLMSG_HDR_LEN, text, n);
	return ctlmsg_finish(type, buf, n, len);
}

/* The sender zeroes *m first (memset), so no padding byte is stale. */
int
ctlmsg_encode(const struct ctlmsg *m, uint8_t *buf, size_t cap, size_t *len)
{
	uint32_t build = ctlmsg_build_id();
	const void *st;
	size_t size;

	switch (m->type) {
	case CTLMSG_T_STATUS_REQ:
	case CTLMSG_T_STATS_REQ:
	case CTLMSG_T_RELOAD_REQ:
	case CTLMSG_T_UNDRAIN_REQ:
		return ctlmsg_encode_text(m->type, NULL, buf, cap, len);
	case CTLMSG_T_DRAIN_REQ:
	case CTLMSG_T_KICK_REQ:
	case CTLMSG_T_OK:
	case CTLMSG_T_ERROR:
		return ctlmsg_encode_text(m->type, m->u.text, buf, cap, len);
	}
	if ((st = ctlmsg_struct((struct ctlmsg *)m, &size)) == NULL)
		return CTLMSG_ERR_TYPE;
	if (ctlmsg_check(m) != CTLMSG_OK)
		return CTLMSG_ERR_FORMAT;
	if (cap < CTLMSG_HDR_LEN + CTLMSG_BUILD_LEN + size)
		return CTLMSG_ERR_SPACE;
	memcpy(buf + CTLMSG_HDR_LEN, &build, sizeof(build));
	memcpy(buf + CTLMSG_HDR_LEN + CTLMSG_BUILD_LEN, st, size);
	return ctlmsg_finish(m->type, buf, CTLMSG_BUILD_LEN + size, len);
}

static const char *const ctlmsg_errors[] = {
	[-CTLMSG_OK] = "ok",
	[-CTLMSG_ERR_SHORT] = "truncated message",
	[-CTLMSG_ERR_TOOBIG] = "message too big",
	[-CTLMSG_ERR_TYPE] = "unknown message type",
	[-CTLMSG_ERR_SIZE] = "wrong body size for the message type",
	[-CTLMSG_ERR_FORMAT] = "malformed message body",
	[-CTLMSG_ERR_SPACE] = "no room for the message",
	[-CTLMSG_ERR_BUILD] = "from another build of rvpn (rvpnctl and "
	    "rvpn-server must be the same build)",
};

const char *
ctlmsg_strerror(int err)
{
	if (err > 0 || err <= -(int)(sizeof(ctlmsg_errors) /
	    sizeof(ctlmsg_errors[0])))
		return "unknown error";
	return ctlmsg_errors[-err];
}
