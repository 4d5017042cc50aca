/* SPDX-License-Identifier: ISC */
/*
 * A session's data path: records in (open in place, check each packet,
 * to the TUN or another client), packets out (the bounded queue, seal in
 * place, one write per WRITEABLE).  The session's life (handshake, keys,
 * leases, timers) is in server-session.c.
 */
#include "autoconf.h"

#include <event2/event.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "ipaddr.h"
#include "key.h"
#include "log.h"
#include "pool.h"
#include "proto.h"
#include "relay.h"
#include "replay.h"
#include "route.h"
#include "server.h"
#include "stream.h"
#include "txq.h"
#include "vnet.h"
#include "wsmsg.h"
#include "xmalloc.h"


#define REC(buf)	((buf) + LWS_PRE)

/*
 * A checked packet from s, IPv4 or IPv6: to a client address (peer: its
 * session if client_to_client allows and it is up), or to the TUN.
 */
static void
session_deliver(struct session *s, bool to_client, struct session *peer,
    const uint8_t *pkt, size_t len)
{
	if (to_client && !s->sv->cfg->client_to_client) {
		s->stats.drop_c2c++;
		return;
	}
	if (to_client && peer == NULL) {
		s->stats.drop_noroute++;
		return;
	}
	if (to_client)
		session_queue_packet(peer, pkt, len);
	else
		s->stats.drop_tun += server_tun_write(s->sv, pkt, len);
	s->stats.rx_pkts++;
	s->stats.rx_bytes += len;
}

/*
 * One IPv6 packet from the client, as session_forward.  Link-local and
 * multicast (the client kernel's router solicitations, MLD reports, ND:
 * nothing a point-to-point TUN needs) are ignored, never forwarded.
 */
static void
session_forward6(struct session *s, const uint8_t *pkt, size_t len)
{
	struct server *sv = s->sv;
	struct session *peer;
	const uint8_t *dst;

	if (!s->leased6) {
		s->stats.ipv6++;	/* not carried: ignored, not a drop */
		return;
	}
	switch (ipaddr_check_packet6(pkt, len, s->addr6.s6_addr)) {
	case IP_CHECK_OK:
		break;
	case IP_CHECK_SOURCE:
		s->stats.drop_source++;
		return;
	case IP_CHECK_LOCAL:
		s->stats.ipv6++;
		return;
	default:
		s->stats.drop_header++;
		return;
	}
	dst = pkt + IPADDR_IP6_DST;
	if (route6_in_range(sv->routes6, dst) &&
	    memcmp(dst, sv->gateway6.s6_addr, 16) != 0) {
		peer = sv->cfg->client_to_client ?
		    route6_lookup(sv->routes6, dst) : NULL;
		session_deliver(s, true, peer, pkt, len);
	} else
		session_deliver(s, false, NULL, pkt, len);
}

/*
 * One packet from the client: it must be well formed and come from the
 * session's address; then to another client (if allowed) or the TUN.
 */
static void
session_forward(struct session *s, const uint8_t *pkt, size_t len)
{
	struct server *sv = s->sv;
	struct server_config *cfg = sv->cfg;
	struct session *peer;
	struct in_addr dst;

	if (len > 0 && (pkt[0] >> 4) == 6) {
		session_forward6(s, pkt, len);
		return;
	}
	switch (ipaddr_check_packet4(pkt, len, s->addr.s_addr)) {
	case IP_CHECK_OK:
		break;
	case IP_CHECK_SOURCE:
		s->stats.drop_source++;
		return;
	default:
		s->stats.drop_header++;
		return;
	}
	dst.s_addr = ipaddr_packet_dst4(pkt);
	if (dst.s_addr != sv->gateway.s_addr &&
	    ipaddr_in_cidr4(dst, cfg->dhcp_range.addr,
	    cfg->dhcp_range.prefix)) {
		peer = cfg->client_to_client ?
		    route_lookup(sv->routes, dst.s_addr) : NULL;
		session_deliver(s, true, peer, pkt, len);
	} else
		session_deliver(s, false, NULL, pkt, len);
}

/* Queue an unsealed CONTROL record, unless one is already waiting. */
void
session_queue_control(struct session *s, const struct proto_control *c)
{
	if (s->ctllen != 0)
		return;
	if (proto_control_build(c, REC(s->ctlbuf), SERVER_CTL_CAP,
	    &s->ctllen) != PROTO_OK) {
		s->ctllen = 0;
		return;
	}
	s->ctl_raw = false;
	session_request_write(s);
}

/* A CONTROL record, opened. */
static void
session_control(struct session *s, const uint8_t *rec, size_t len)
{
	struct proto_control c, reply;
	char detail[PROTO_REASON_MAX + 32];
	int rc;

	if ((rc = proto_control_parse(rec, len, &c)) != PROTO_OK) {
		snprintf(detail, sizeof(detail), "bad control: %s",
		    proto_strerror(rc));
		session_close(s, PROTO_CLOSE_PROTOCOL, detail);
		return;
	}
	switch (c.type) {
	case PROTO_CTL_PING:
		memset(&reply, 0, sizeof(reply));
		reply.type = PROTO_CTL_PONG;
		reply.ts = c.ts;
		session_queue_control(s, &reply);
		break;
	case PROTO_CTL_PONG:
		if (c.ts == s->ping_sent_ns && s->sv->now_ns >= c.ts)
			s->rtt_ns = s->sv->now_ns - c.ts;
		break;
	case PROTO_CTL_CLOSE:
		snprintf(detail, sizeof(detail), "client closed: %s",
		    c.reason[0] != '\0' ? c.reason : "no reason");
		session_close(s, LWS_CLOSE_STATUS_NORMAL, detail);
		break;
	case PROTO_CTL_REKEY:
		break;	/* proto_open switched the receive key */
	default:
		break;
	}
}

/* A whole record from an established session. */
static void
session_record(struct session *s, uint8_t *rec, size_t len)
{
	const uint8_t *pkt;
	const char *why;
	size_t off, pktlen;
	char detail[64];
	int rc;

	if ((rc = proto_open(s->ps, rec, &len)) != PROTO_OK) {
		snprintf(detail, sizeof(detail), "protocol error: %s",
		    proto_strerror(rc));
		session_close(s, PROTO_CLOSE_PROTOCOL, detail);
		return;
	}
	if ((rec[0] == PROTO_T_STREAM) != (s->relay != NULL) &&
	    rec[0] != PROTO_T_CONTROL) {
		session_close(s, PROTO_CLOSE_PROTOCOL, s->relay != NULL ?
		    "protocol error: DATA in a relay session" :
		    "protocol error: STREAM in a TUN session");
		return;
	}
	switch (rec[0]) {
	case PROTO_T_STREAM:
		if (relay_input(s->relay, rec + 1, len - 1, &why) == -1) {
			snprintf(detail, sizeof(detail), "protocol error: %s",
			    why);
			session_close(s, PROTO_CLOSE_PROTOCOL, detail);
			return;
		}
		s->t_data = s->sv->now;
		break;
	case PROTO_T_DATA:
		off = 0;
		while (proto_data_next(rec, len, &off, &pkt, &pktlen) == 1)
			session_forward(s, pkt, pktlen);
		/* Joined segments point into rec: out before it goes. */
		s->stats.drop_tun += server_tun_flush(s->sv);
		s->t_data = s->sv->now;
		break;
	case PROTO_T_CONTROL:
		session_control(s, rec, len);
		break;
	default:
		session_close(s, PROTO_CLOSE_PROTOCOL,
		    "protocol error: unexpected record type");
		break;
	}
}

/* LWS_CALLBACK_RECEIVE: a whole message is the handshake or a record. */
void
session_receive(struct session *s, void *in, size_t len)
{
	uint8_t *rec;
	size_t max;

	if (s->state == SESSION_CLOSING)
		return;
	max = s->state == SESSION_HANDSHAKE ? SERVER_HS_REC_MAX :
	    PROTO_MAX_RECORD;
	switch (wsmsg_receive(&s->rx, s->wsi, in, len, max, &rec, &len)) {
	case WSMSG_MORE:
		return;
	case WSMSG_TOOBIG:
		if (s->state == SESSION_HANDSHAKE)
			session_refuse(s, PROTO_CLOSE_BAD_HANDSHAKE,
			    "bad handshake: record too long");
		else
			session_close(s, PROTO_CLOSE_PROTOCOL,
			    "protocol error: record over PROTO_MAX_RECORD");
		return;
	case WSMSG_TEXT:
		session_close(s, PROTO_CLOSE_PROTOCOL,
		    "protocol error: text message");
		return;
	case WSMSG_WHOLE:
		break;
	}
	server_update_time(s->sv);
	s->t_rx = s->sv->now;
	if (s->state == SESSION_HANDSHAKE)
		session_handshake(s, rec, len);
	else
		session_record(s, rec, len);
}

/*
 * TUN -> client: append a packet to the tail record of the session's
 * queue, or start the next record when the tail is full (bytes or
 * PROTO_MAX_BATCH packets).  Every record full: drop and count.
 */
void
session_queue_packet(struct session *s, const uint8_t *pkt, size_t len)
{
	if (s->state != SESSION_UP || txq_add(s->txq, pkt, len) != TXQ_OK) {
		s->stats.drop_queue++;
		return;
	}
	s->stats.tx_pkts++;
	s->stats.tx_bytes += len;
	session_request_write(s);
}

/*
 * A TUN read for s: a packet, or a TCP super-packet cut into packets
 * built in place in the queue's records (vnet_seg_build).  The segments
 * that do not fit are dropped and counted, as a router drops.  s goes on
 * the wakeup's flush list (session_flush_all, when the reads end).
 */
void
session_queue_vnet(struct session *s, const struct vnet_pkt *vp)
{
	uint8_t *dst;
	size_t len;
	unsigned i;
	int err;

	if (s->state != SESSION_UP) {
		s->stats.drop_queue += vp->nseg;
		return;
	}
	for (i = 0; i < vp->nseg; i++) {
		len = vnet_seg_len(vp, i);
		if ((dst = txq_reserve(s->txq, len, &err)) == NULL) {
			s->stats.drop_queue++;
			continue;
		}
		vnet_seg_build(vp, i, dst);
		s->stats.tx_pkts++;
		s->stats.tx_bytes += len;
	}
	if (!s->flush_queued) {
		s->flush_queued = true;
		s->flush_next = s->sv->flush;
		s->sv->flush = s;
	}
}

/*
 * Send s's queued records now, outside WRITEABLE, if nothing was waiting
 * before them: no WRITEABLE requested (it would send them, in order), no
 * control pending, no REKEY due, lws holding no partial record, the peer
 * not closing.  Saves the WRITEABLE round trip (POLLOUT on, one more loop
 * cycle, POLLOUT off) per hop.  Whatever is left goes by WRITEABLE.
 */
static void
session_flush(struct session *s)
{
	int sent;

	if (s->state != SESSION_UP || s->txq == NULL ||
	    txq_count(s->txq) == 0)
		return;
	if (s->write_requested || s->ctllen != 0 || s->peer_closed ||
	    s->wsi == NULL || lws_partial_buffered(s->wsi) ||
	    proto_rekey_due(s->ps, s->sv->now_ns)) {
		session_request_write(s);
		return;
	}
	sent = wsmsg_send_direct(s->wsi, s->ps, s->txq, s->close_reason,
	    sizeof(s->close_reason));
	if (sent == -1) {
		/* As a WRITEABLE returning -1: lws closes the wsi. */
		lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK,
		    LWS_TO_KILL_ASYNC);
		return;
	}
	if (sent > 0)
		s->t_tx = s->t_data = s->sv->now;
	if (txq_count(s->txq) > 0)
		session_request_write(s);
}

/* The end of a TUN wakeup: send or schedule what it queued, per session. */
void
session_flush_all(struct server *sv)
{
	struct session *s;

	while ((s = sv->flush) != NULL) {
		sv->flush = s->flush_next;
		s->flush_next = NULL;
		s->flush_queued = false;
		session_flush(s);
	}
}

/* Seal (unless raw) and send one record, after LWS_PRE; -1 to close. */
int
session_send(struct session *s, uint8_t *rec, size_t *len, size_t cap,
    bool raw)
{
	char detail[64];
	int rc;

	if (!raw && (rc = proto_seal(s->ps, rec, len, cap)) != PROTO_OK) {
		snprintf(detail, sizeof(detail), "seal: %s",
		    proto_strerror(rc));
		snprintf(s->close_reason, sizeof(s->close_reason), "%s",
		    detail);
		*len = 0;
		return -1;
	}
	if (lws_write(s->wsi, rec, *len, LWS_WRITE_BINARY) < (int)*len) {
		snprintf(s->close_reason, sizeof(s->close_reason),
		    "write failed");
		*len = 0;
		return -1;
	}
	*len = 0;
	s->t_tx = s->sv->now;
	return 0;
}

/*
 * LWS_CALLBACK_SERVER_WRITEABLE, in order: the pending control
 * (handshake response, PONG, PING, CLOSE), a REKEY when due, then queued
 * DATA records, as many as the socket takes without buffering: a record
 * lws_write could not write whole stays in lws (the pipe is choked) and
 * lws calls back only once it is out.  Returns -1 to close the wsi.
 */
int
session_writeable(struct session *s)
{
	struct proto_control c;
	const char *text;
	unsigned n;
	int sent;

	s->write_requested = false;
	if (s->state == SESSION_CLOSING) {
		if (s->ctllen != 0) {
			if (session_send(s, REC(s->ctlbuf), &s->ctllen,
			    SERVER_CTL_CAP, s->ctl_raw) == -1)
				return -1;
			session_request_write(s);
			return 0;
		}
		text = proto_close_reason(s->close_code);
		if (text == NULL)
			text = "";
		lws_close_reason(s->wsi, (enum lws_close_status)s->close_code,
		    (unsigned char *)(uintptr_t)text, strlen(text));
		return -1;
	}
	n = 0;
	if (s->ctllen != 0) {
		if (session_send(s, REC(s->ctlbuf), &s->ctllen, SERVER_CTL_CAP,
		    s->ctl_raw) == -1)
			return -1;
		n++;
	} else if (s->state == SESSION_UP &&
	    proto_rekey_due(s->ps, s->sv->now_ns)) {
		memset(&c, 0, sizeof(c));
		c.type = PROTO_CTL_REKEY;
		if (proto_control_build(&c, REC(s->ctlbuf), SERVER_CTL_CAP,
		    &s->ctllen) != PROTO_OK ||
		    session_send(s, REC(s->ctlbuf), &s->ctllen, SERVER_CTL_CAP,
		    false) == -1)
			return -1;
		n++;
	}
	if (s->relay != NULL)
		return session_relay_send(s, n);
	if (s->txq != NULL) {
		if ((sent = wsmsg_send_queue(s->wsi, s->ps, s->txq, n,
		    s->close_reason, sizeof(s->close_reason))) == -1)
			return -1;
		if (sent > 0)
			s->t_tx = s->t_data = s->sv->now;
	}
	if (s->ctllen != 0 || (s->txq != NULL && txq_count(s->txq) > 0))
		session_request_write(s);
	return 0;
}
