/* SPDX-License-Identifier: ISC */
/*
 * The handshake payloads as TLVs: the client's hello (message 1) and the
 * server's assignment (message 2), checked as the receiver checks them.
 * doc/PROTOCOL.md has the layout.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <stdbool.h>
#include <string.h>

#include "proto.h"
#include "proto-int.h"

/* Encode the message 1 payload. */
int
proto_hello_encode(const struct proto_hello *hello, uint8_t *p, size_t *len)
{
	size_t	off = 0;

	put16(p, hello->version);
	memcpy(p + 2, hello->timestamp, PROTO_TAI64N_LEN);
	off = 2 + PROTO_TAI64N_LEN;
	if (hello->has_addr4) {
		p[off++] = HELLO_T_ADDR4;
		p[off++] = 4;
		memcpy(p + off, &hello->addr4, 4);
		off += 4;
	}
	if (hello->session != PROTO_SESSION_TUN) {
		p[off++] = HELLO_T_SESSION;
		p[off++] = 2;
		p[off++] = hello->session;
		p[off++] = hello->stream_version;
	}
	*len = off;
	return PROTO_OK;
}

/*
 * The TLV at *next: 1 with its type, length and value offset (*next
 * moves past it), 0 at the end, PROTO_ERR_PAYLOAD if it is cut short.
 */
static int
proto_tlv_next(const uint8_t *p, size_t len, size_t *next, size_t *off,
    uint8_t *t, uint8_t *l)
{
	if (*next == len)
		return 0;
	if (len - *next < 2)
		return PROTO_ERR_PAYLOAD;
	*t = p[*next];
	*l = p[*next + 1];
	*off = *next + 2;
	if (*l > len - *off)
		return PROTO_ERR_PAYLOAD;
	*next = *off + *l;
	return 1;
}

/* Decode the TLVs of a version 1 message 1 payload. */
int
proto_hello_tlvs(const uint8_t *p, size_t len, struct proto_hello *hello)
{
	size_t	next = 0, off;
	uint8_t	t, l;
	int	rc;

	while ((rc = proto_tlv_next(p, len, &next, &off, &t, &l)) == 1) {
		switch (t) {
		case HELLO_T_ADDR4:
			if (l != 4 || hello->has_addr4)
				return PROTO_ERR_PAYLOAD;
			memcpy(&hello->addr4, p + off, 4);
			hello->has_addr4 = true;
			break;
		case HELLO_T_SESSION:
			/* Kind 0 (TUN) is the absence of the TLV. */
			if (l != 2 || hello->session != PROTO_SESSION_TUN ||
			    p[off] != PROTO_SESSION_RELAY || p[off + 1] == 0)
				return PROTO_ERR_PAYLOAD;
			hello->session = p[off];
			hello->stream_version = p[off + 1];
			break;
		default:	/* unknown: ignored, for later versions */
			break;
		}
	}
	if (rc != 0)
		return rc;
	return PROTO_OK;
}

/* TLVs written into p[0..cap); full sticks once one did not fit. */
struct proto_tlv_wr {
	uint8_t		*p;
	size_t		 off, cap;
	bool		 full;
};

static void
proto_tlv_put(struct proto_tlv_wr *w, uint8_t t, const void *v, uint8_t l)
{
	if (w->full || w->cap - w->off < 2U + l) {
		w->full = true;
		return;
	}
	w->p[w->off] = t;
	w->p[w->off + 1] = l;
	memcpy(w->p + w->off + 2, v, l);
	w->off += 2U + l;
}

/* Encode the assignment, checking it as the receiver will. */
int
proto_assign_encode(const struct proto_assign *a, uint8_t *p, size_t cap,
    size_t *len)
{
	struct proto_tlv_wr	 w = { p, 0, cap, false };
	uint8_t			 v[17];
	unsigned		 i;

	if (a->relay) {
		if (a->stream_version == 0)
			return PROTO_ERR_PAYLOAD;
		put16(v, a->keepalive);
		proto_tlv_put(&w, ASSIGN_T_KEEPALIVE, v, 2);
		proto_tlv_put(&w, ASSIGN_T_RELAY, &a->stream_version, 1);
		if (w.full)
			return PROTO_ERR_SPACE;
		*len = w.off;
		return PROTO_OK;
	}
	if (a->prefix4 < 1 || a->prefix4 > 32 || a->ndns4 > PROTO_MAX_DNS ||
	    a->ndns6 > PROTO_MAX_DNS ||
	    a->mtu < PROTO_MIN_MTU || a->mtu > PROTO_MAX_MTU ||
	    a->nroutes > PROTO_MAX_ROUTES ||
	    (a->has_addr6 && (a->prefix6 < 1 || a->prefix6 > 128)))
		return PROTO_ERR_PAYLOAD;
	memcpy(v, &a->addr4, 4);
	v[4] = a->prefix4;
	proto_tlv_put(&w, ASSIGN_T_ADDR4, v, 5);
	proto_tlv_put(&w, ASSIGN_T_GATEWAY4, &a->gateway4, 4);
	for (i = 0; i < a->ndns4; i++)
		proto_tlv_put(&w, ASSIGN_T_DNS4, &a->dns4[i], 4);
	put16(v, a->mtu);
	proto_tlv_put(&w, ASSIGN_T_MTU, v, 2);
	put16(v, a->keepalive);
	proto_tlv_put(&w, ASSIGN_T_KEEPALIVE, v, 2);
	if (a->has_addr6) {
		memcpy(v, &a->addr6, 16);
		v[16] = a->prefix6;
		proto_tlv_put(&w, ASSIGN_T_ADDR6, v, 17);
	}
	for (i = 0; i < a->ndns6; i++)
		proto_tlv_put(&w, ASSIGN_T_DNS6, &a->dns6[i], 16);
	for (i = 0; i < a->nroutes; i++) {
		const struct proto_route *r = &a->routes[i];

		if (r->family == AF_INET && r->prefix <= 32) {
			memcpy(v, &r->addr.v4, 4);
			v[4] = r->prefix;
			proto_tlv_put(&w, ASSIGN_T_ROUTE4, v, 5);
		} else if (r->family == AF_INET6 && r->prefix <= 128) {
			memcpy(v, &r->addr.v6, 16);
			v[16] = r->prefix;
			proto_tlv_put(&w, ASSIGN_T_ROUTE6, v, 17);
		} else
			return PROTO_ERR_PAYLOAD;
	}
	if (w.full)
		return PROTO_ERR_SPACE;
	*len = w.off;
	return PROTO_OK;
}

/* Decode the assignment; unknown TLVs are skipped. */
int
proto_assign_decode(const uint8_t *p, size_t len, struct proto_assign *a)
{
	struct proto_route	*r;
	bool			 has_addr4 = false, has_gw = false;
	bool			 has_mtu = false, has_ka = false;
	size_t			 next = 0, off;
	uint8_t			 t, l;
	int			 rc;

	memset(a, 0, sizeof(*a));
	while ((rc = proto_tlv_next(p, len, &next, &off, &t, &l)) == 1) {
		switch (t) {
		case ASSIGN_T_ADDR4:
			if (l != 5 || has_addr4 || p[off + 4] < 1 ||
			    p[off + 4] > 32)
				return PROTO_ERR_PAYLOAD;
			memcpy(&a->addr4, p + off, 4);
			a->prefix4 = p[off + 4];
			has_addr4 = true;
			break;
		case ASSIGN_T_GATEWAY4:
			if (l != 4 || has_gw)
				return PROTO_ERR_PAYLOAD;
			memcpy(&a->gateway4, p + off, 4);
			has_gw = true;
			break;
		case ASSIGN_T_DNS4:
			if (l != 4 || a->ndns4 >= PROTO_MAX_DNS)
				return PROTO_ERR_PAYLOAD;
			memcpy(&a->dns4[a->ndns4++], p + off, 4);
			break;
		case ASSIGN_T_MTU:
			if (l != 2 || has_mtu)
				return PROTO_ERR_PAYLOAD;
			a->mtu = get16(p + off);
			if (a->mtu < PROTO_MIN_MTU || a->mtu > PROTO_MAX_MTU)
				return PROTO_ERR_PAYLOAD;
			has_mtu = true;
			break;
		case ASSIGN_T_KEEPALIVE:
			if (l != 2 || has_ka)
				return PROTO_ERR_PAYLOAD;
			a->keepalive = get16(p + off);
			has_ka = true;
			break;
		case ASSIGN_T_ADDR6:
			if (l != 17 || a->has_addr6 || p[off + 16] < 1 ||
			    p[off + 16] > 128)
				return PROTO_ERR_PAYLOAD;
			memcpy(&a->addr6, p + off, 16);
			a->prefix6 = p[off + 16];
			a->has_addr6 = true;
			break;
		case ASSIGN_T_DNS6:
			if (l != 16 || a->ndns6 >= PROTO_MAX_DNS)
				return PROTO_ERR_PAYLOAD;
			memcpy(&a->dns6[a->ndns6++], p + off, 16);
			break;
		case ASSIGN_T_ROUTE4:
		case ASSIGN_T_ROUTE6:
			if (a->nroutes >= PROTO_MAX_ROUTES)
				return PROTO_ERR_PAYLOAD;
			r = &a->routes[a->nroutes];
			if (t == ASSIGN_T_ROUTE4) {
				if (l != 5 || p[off + 4] > 32)
					return PROTO_ERR_PAYLOAD;
				r->family = AF_INET;
				memcpy(&r->addr.v4, p + off, 4);
				r->prefix = p[off + 4];
			} else {
				if (l != 17 || p[off + 16] > 128)
					return PROTO_ERR_PAYLOAD;
				r->family = AF_INET6;
				memcpy(&r->addr.v6, p + off, 16);
				r->prefix = p[off + 16];
			}
			a->nroutes++;
			break;
		case ASSIGN_T_RELAY:
			if (l != 1 || a->relay || p[off] == 0)
				return PROTO_ERR_PAYLOAD;
			a->relay = true;
			a->stream_version = p[off];
			break;
		default:	/* unknown: ignored, for later versions */
			break;
		}
	}
	if (rc != 0)
		return rc;
	/* A relay assignment carries no tunnel: nothing else required. */
	if (a->relay)
		return has_addr4 || has_gw || has_mtu ? PROTO_ERR_PAYLOAD :
		    PROTO_OK;
	if (!has_addr4 || !has_gw || !has_mtu)
		return PROTO_ERR_PAYLOAD;
	return PROTO_OK;
}

