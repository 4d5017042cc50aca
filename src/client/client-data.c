/* SPDX-License-Identifier: ISC */
/*
 * The client's side of a session's data path: records from the server
 * (opened in place, packets to the TUN or relay streams, controls), and
 * what goes out on WRITEABLE (controls first, then queued records).  The
 * connection itself (connect, refusals, reconnect, TLS) is client-ws.c.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <event2/event.h>
#include <libwebsockets.h>
#include <arpa/inet.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "ipaddr.h"
#include "key.h"
#include "log.h"
#include "relay.h"
#include "txq.h"
#include "xmalloc.h"

/* One whole record from the server. */
static int
client_ws_record(struct client *cl, struct lws *wsi, uint8_t *rec,
    size_t len)
{
	struct proto_control ctl;
	const char *why;
	int error;

	cl->last_rx_ns = client_mono_ns();
	switch (cl->state) {
	case CLIENT_HS_WAIT:
		error = proto_hs_finish(cl->hs, rec, len, &cl->assign, cl->ps);
		if (error != PROTO_OK) {
			log_warnx("handshake with %s failed: %s",
			    cl->cfg->url_host, proto_strerror(error));
			return -1;
		}
		proto_hs_free(cl->hs);
		cl->hs = NULL;
		return client_ws_assigned(cl);
	case CLIENT_UP:
		break;
	default:
		log_warnx("record from the server before the handshake");
		return -1;
	}

	if ((error = proto_open(cl->ps, rec, &len)) != PROTO_OK) {
		log_warnx("bad record from the server: %s",
		    proto_strerror(error));
		return -1;
	}
	if ((rec[0] == PROTO_T_STREAM) != (cl->relay != NULL) &&
	    rec[0] != PROTO_T_CONTROL) {
		log_warnx("bad record from the server: %s",
		    cl->relay != NULL ? "DATA in a relay session" :
		    "STREAM in a TUN session");
		return -1;
	}
	if (rec[0] == PROTO_T_STREAM) {
		if (relay_input(cl->relay, rec + 1, len - 1, &why) == -1) {
			log_warnx("bad stream message from the server: %s",
			    why);
			return -1;
		}
		return 0;
	}
	if (rec[0] == PROTO_T_DATA) {
		client_tun_write_record(cl, rec, len);
		return 0;
	}
	if ((error = proto_control_parse(rec, len, &ctl)) != PROTO_OK) {
		log_warnx("bad control from the server: %s",
		    proto_strerror(error));
		return -1;
	}
	switch (ctl.type) {
	case PROTO_CTL_PING:
		cl->want_pong = true;
		cl->pong_ts = ctl.ts;
		lws_callback_on_writable(wsi);
		break;
	case PROTO_CTL_CLOSE:
		/* Inside the Noise session: the server said it. */
		cl->close_code = ctl.code;
		cl->close_authentic = true;
		snprintf(cl->close_reason, sizeof(cl->close_reason), "%s",
		    ctl.reason);
		return -1;
	default:
		/* PONG: liveness only; REKEY: proto_open switched keys. */
		break;
	}
	return 0;
}

/* Seal and write one control message from ctlbuf. */
static int
client_ws_send_control(struct client *cl, struct lws *wsi,
    const struct proto_control *ctl)
{
	uint8_t *rec = cl->ctlbuf + LWS_PRE;
	size_t len;
	int error;

	if ((error = proto_control_build(ctl, rec, CLIENT_CTL_CAP,
	    &len)) != PROTO_OK ||
	    (error = proto_seal(cl->ps, rec, &len, CLIENT_CTL_CAP)) !=
	    PROTO_OK) {
		log_warnx("control: %s", proto_strerror(error));
		return -1;
	}
	if (lws_write(wsi, rec, len, LWS_WRITE_BINARY) < (int)len)
		return -1;
	return 0;
}

/* Relay mode: STREAM records while the socket takes them (one at least). */
static int
client_ws_relay_send(struct client *cl, struct lws *wsi, unsigned n)
{
	uint8_t *rec = cl->relaybuf + LWS_PRE;
	size_t len;
	int error;

	while (cl->relay != NULL && (n == 0 || !lws_send_pipe_choked(wsi))) {
		if (relay_next(cl->relay, rec + 1, CLIENT_RELAY_BUF - 1 -
		    PROTO_TAG_LEN, &len) != 1)
			break;
		rec[0] = PROTO_T_STREAM;
		len++;
		if ((error = proto_seal(cl->ps, rec, &len,
		    CLIENT_RELAY_BUF)) != PROTO_OK) {
			log_warnx("seal: %s", proto_strerror(error));
			return -1;
		}
		if (lws_write(wsi, rec, len, LWS_WRITE_BINARY) < (int)len)
			return -1;
		n++;
	}
	if (cl->want_pong || cl->want_ping || lws_send_pipe_choked(wsi))
		lws_callback_on_writable(wsi);
	return 0;
}

/*
 * WRITEABLE: at most one control (CLOSE, REKEY, PONG, PING), then queued
 * DATA records, as many as the socket takes without buffering: a record
 * lws_write could not write whole stays in lws (the pipe is choked) and
 * lws calls back once it is out.
 */
int
client_ws_writeable(struct client *cl, struct lws *wsi)
{
	struct proto_control ctl;
	uint8_t *rec;
	unsigned n = 0;
	char why[64];

	if (cl->state == CLIENT_HS_SEND) {
		rec = cl->ctlbuf + LWS_PRE;
		if (lws_write(wsi, rec, cl->ctllen, LWS_WRITE_BINARY) <
		    (int)cl->ctllen)
			return -1;
		cl->ctllen = 0;
		cl->state = CLIENT_HS_WAIT;
		return 0;
	}
	if (cl->state != CLIENT_UP)
		return 0;

	memset(&ctl, 0, sizeof(ctl));
	if (cl->want_close) {
		ctl.type = PROTO_CTL_CLOSE;
		ctl.code = LWS_CLOSE_STATUS_NORMAL;
		snprintf(ctl.reason, sizeof(ctl.reason), "client stopping");
		(void)client_ws_send_control(cl, wsi, &ctl);
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL,
		    (unsigned char *)"client stopping", 15);
		return -1;
	}
	if (proto_rekey_due(cl->ps, client_mono_ns())) {
		ctl.type = PROTO_CTL_REKEY;
		if (client_ws_send_control(cl, wsi, &ctl) == -1)
			return -1;
		n++;
	} else if (cl->want_pong) {
		ctl.type = PROTO_CTL_PONG;
		ctl.ts = cl->pong_ts;
		cl->want_pong = false;
		if (client_ws_send_control(cl, wsi, &ctl) == -1)
			return -1;
		n++;
	} else if (cl->want_ping) {
		ctl.type = PROTO_CTL_PING;
		ctl.ts = client_mono_ns();
		cl->want_ping = false;
		if (client_ws_send_control(cl, wsi, &ctl) == -1)
			return -1;
		n++;
	}
	if (cl->relay != NULL)
		return client_ws_relay_send(cl, wsi, n);
	if (wsmsg_send_queue(wsi, cl->ps, cl->txq, n, why,
	    sizeof(why)) == -1) {
		if (strncmp(why, "seal", 4) == 0)
			log_warnx("%s", why);
		return -1;
	}
	if (client_tun_room(cl))
		client_tun_resume(cl);
	if (cl->want_pong || cl->want_ping || txq_count(cl->txq) > 0)
		lws_callback_on_writable(wsi);
	return 0;
}

/*
 * After a TUN wakeup: send its records now, outside WRITEABLE, if nothing
 * was waiting before them (records queued earlier: `waiting`; a control;
 * a REKEY due; a partial record in lws; the server closing).  Saves the
 * WRITEABLE round trip (POLLOUT on, one more loop cycle, POLLOUT off).
 * What the socket does not take goes by WRITEABLE, in order.
 */
void
client_ws_flush(struct client *cl, bool waiting)
{
	struct lws *wsi = cl->wsi;
	char why[64];

	if (cl->state != CLIENT_UP || wsi == NULL ||
	    txq_count(cl->txq) == 0)
		return;
	if (waiting || cl->want_close || cl->want_pong || cl->want_ping ||
	    cl->peer_closed || cl->relay != NULL ||
	    lws_partial_buffered(wsi) ||
	    proto_rekey_due(cl->ps, client_mono_ns())) {
		lws_callback_on_writable(wsi);
		return;
	}
	if (wsmsg_send_direct(wsi, cl->ps, cl->txq, why, sizeof(why)) ==
	    -1) {
		if (strncmp(why, "seal", 4) == 0)
			log_warnx("%s", why);
		/* As a WRITEABLE returning -1: lws closes the wsi. */
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK,
		    LWS_TO_KILL_ASYNC);
		return;
	}
	if (client_tun_room(cl))
		client_tun_resume(cl);
	if (txq_count(cl->txq) > 0)
		lws_callback_on_writable(wsi);
}

/* A whole message from the server is a record. */
int
client_ws_receive(struct client *cl, struct lws *wsi, void *in, size_t len)
{
	uint8_t *rec;

	switch (wsmsg_receive(&cl->rx, wsi, in, len, PROTO_MAX_RECORD, &rec,
	    &len)) {
	case WSMSG_MORE:
		return 0;
	case WSMSG_TOOBIG:
		log_warnx("message from the server over %d bytes",
		    PROTO_MAX_RECORD);
		return -1;
	case WSMSG_TEXT:
		log_warnx("text message from the server");
		return -1;
	case WSMSG_WHOLE:
		break;
	}
	return client_ws_record(cl, wsi, rec, len);
}
