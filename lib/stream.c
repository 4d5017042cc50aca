/* SPDX-License-Identifier: ISC */
/*
 * Relay mode stream messages: parser and encoder (doc/PROTOCOL.md
 * section 11).  Every length is checked before a byte is used.
 */
#include "autoconf.h"

#include <string.h>

#include "stream.h"

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

/* Header: u8 type, u32 stream id. */
#define STREAM_HDR	5

int
stream_parse(const uint8_t *p, size_t len, struct stream_msg *m)
{
	size_t	n, alen;

	memset(m, 0, sizeof(*m));
	if (len < STREAM_HDR)
		return STREAM_ERR_SHORT;
	m->type = p[0];
	m->id = get32(p + 1);
	p += STREAM_HDR;
	n = len - STREAM_HDR;
	if (m->type < STREAM_OPEN || m->type > STREAM_RESET)
		return STREAM_ERR_TYPE;
	if (m->id == 0)
		return STREAM_ERR_VALUE;
	switch (m->type) {
	case STREAM_OPEN:
		/* u16 port, u8 atyp, address */
		if (n < 4)
			return STREAM_ERR_SHORT;
		m->port = (uint16_t)(p[0] << 8 | p[1]);
		m->atyp = p[2];
		if (m->port == 0)
			return STREAM_ERR_VALUE;
		switch (m->atyp) {
		case STREAM_A_IPV4:
		case STREAM_A_IPV6:
			alen = m->atyp == STREAM_A_IPV4 ? 4 : 16;
			if (n != 3 + alen)
				return STREAM_ERR_LENGTH;
			memcpy(m->addr, p + 3, alen);
			return STREAM_OK;
		case STREAM_A_NAME:
			alen = p[3];
			if (alen == 0)
				return STREAM_ERR_VALUE;
			if (n != 4 + alen)
				return STREAM_ERR_LENGTH;
			if (memchr(p + 4, '\0', alen) != NULL)
				return STREAM_ERR_VALUE;
			memcpy(m->name, p + 4, alen);
			m->name[alen] = '\0';
			return STREAM_OK;
		default:
			return STREAM_ERR_VALUE;
		}
	case STREAM_OPEN_OK:
	case STREAM_FIN:
		return n == 0 ? STREAM_OK : STREAM_ERR_LENGTH;
	case STREAM_DATA:
		if (n == 0 || n > STREAM_MAX_DATA)
			return STREAM_ERR_LENGTH;
		m->data = p;
		m->len = n;
		return STREAM_OK;
	case STREAM_WINDOW_UPDATE:
		if (n != 4)
			return STREAM_ERR_LENGTH;
		m->credit = get32(p);
		if (m->credit == 0 || m->credit > STREAM_MAX_WINDOW)
			return STREAM_ERR_VALUE;
		return STREAM_OK;
	case STREAM_RESET:
		if (n != 1)
			return STREAM_ERR_LENGTH;
		m->reason = p[0];
		if (m->reason < STREAM_R_GENERAL || m->reason > STREAM_R_MAX ||
		    m->reason == 7)
			return STREAM_ERR_VALUE;
		return STREAM_OK;
	}
	return STREAM_ERR_TYPE;
}

int
stream_encode(const struct stream_msg *m, uint8_t *p, size_t cap,
    size_t *len)
{
	size_t	n = STREAM_HDR, alen;

	if (cap < STREAM_HDR)
		return STREAM_ERR_SPACE;
	if (m->id == 0)
		return STREAM_ERR_VALUE;
	p[0] = m->type;
	put32(p + 1, m->id);
	switch (m->type) {
	case STREAM_OPEN:
		if (m->port == 0)
			return STREAM_ERR_VALUE;
		if (m->atyp == STREAM_A_NAME) {
			alen = strlen(m->name);
			if (alen == 0 || alen > STREAM_NAME_MAX)
				return STREAM_ERR_VALUE;
		} else if (m->atyp == STREAM_A_IPV4)
			alen = 4;
		else if (m->atyp == STREAM_A_IPV6)
			alen = 16;
		else
			return STREAM_ERR_VALUE;
		if (cap - n < 4 + alen)
			return STREAM_ERR_SPACE;
		p[n++] = m->port >> 8;
		p[n++] = m->port & 0xff;
		p[n++] = m->atyp;
		if (m->atyp == STREAM_A_NAME) {
			p[n++] = (uint8_t)alen;
			memcpy(p + n, m->name, alen);
		} else
			memcpy(p + n, m->addr, alen);
		n += alen;
		break;
	case STREAM_OPEN_OK:
	case STREAM_FIN:
		break;
	case STREAM_DATA:
		if (m->len == 0 || m->len > STREAM_MAX_DATA)
			return STREAM_ERR_LENGTH;
		if (cap - n < m->len)
			return STREAM_ERR_SPACE;
		memmove(p + n, m->data, m->len);
		n += m->len;
		break;
	case STREAM_WINDOW_UPDATE:
		if (m->credit == 0 || m->credit > STREAM_MAX_WINDOW)
			return STREAM_ERR_VALUE;
		if (cap - n < 4)
			return STREAM_ERR_SPACE;
		put32(p + n, m->credit);
		n += 4;
		break;
	case STREAM_RESET:
		if (m->reason < STREAM_R_GENERAL || m->reason > STREAM_R_MAX ||
		    m->reason == 7)
			return STREAM_ERR_VALUE;
		if (cap - n < 1)
			return STREAM_ERR_SPACE;
		p[n++] = m->reason;
		break;
	default:
		return STREAM_ERR_TYPE;
	}
	*len = n;
	return STREAM_OK;
}

const char *
stream_strerror(int e)
{
	switch (e) {
	case STREAM_OK:
		return "ok";
	case STREAM_ERR_SHORT:
		return "stream message truncated";
	case STREAM_ERR_TYPE:
		return "unknown stream message type";
	case STREAM_ERR_LENGTH:
		return "bad stream message length";
	case STREAM_ERR_VALUE:
		return "bad stream message field";
	case STREAM_ERR_SPACE:
		return "stream message does not fit";
	}
	return "unknown error";
}

const char *
stream_reason_str(int r)
{
	switch (r) {
	case STREAM_R_GENERAL:
		return "general failure";
	case STREAM_R_NOT_ALLOWED:
		return "not allowed by egress policy";
	case STREAM_R_NET_UNREACH:
		return "network unreachable";
	case STREAM_R_HOST_UNREACH:
		return "host unreachable";
	case STREAM_R_REFUSED:
		return "connection refused";
	case STREAM_R_TIMEOUT:
		return "connect timeout";
	case STREAM_R_ATYP:
		return "address type not supported";
	case STREAM_R_LIMIT:
		return "too many streams";
	}
	return "unknown reason";
}

uint8_t
stream_reason_socks(int r)
{
	if (r == STREAM_R_LIMIT || r < STREAM_R_GENERAL || r > STREAM_R_MAX)
		return 1;
	return (uint8_t)r;
}
