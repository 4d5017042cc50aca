/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "proto.h"
#include "txq.h"
#include "wsmsg.h"
#include "xmalloc.h"

enum wsmsg_rx_rc
wsmsg_receive(struct wsmsg_rx *rx, struct lws *wsi, void *in, size_t len,
    size_t max, uint8_t **msg, size_t *mlen)
{
	bool final;

	final = lws_is_final_fragment(wsi) &&
	    lws_remaining_packet_payload(wsi) == 0;
	if (!rx->in_msg && final && len > 0 && len <= max) {
		*msg = in;
		*mlen = len;
	} else {
		if (!rx->in_msg)
			rx->len = 0;
		if (len > max - rx->len) {
			rx->in_msg = false;
			return WSMSG_TOOBIG;
		}
		if (rx->cap < max) {
			/* The first fragment: nothing gathered yet. */
			free(rx->buf);
			rx->buf = xmalloc(LWS_PRE + max);
			rx->cap = max;
		}
		memcpy(rx->buf + LWS_PRE + rx->len, in, len);
		rx->len += len;
		rx->in_msg = !final;
		if (!final)
			return WSMSG_MORE;
		*msg = rx->buf + LWS_PRE;
		*mlen = rx->len;
	}
	return lws_frame_is_binary(wsi) ? WSMSG_WHOLE : WSMSG_TEXT;
}

void
wsmsg_rx_free(struct wsmsg_rx *rx)
{
	free(rx->buf);
	memset(rx, 0, sizeof(*rx));
}

int
wsmsg_send_queue(struct lws *wsi, struct proto_session *ps, struct txq *q,
    unsigned sent, char *whybuf, size_t whylen)
{
	uint8_t *rec;
	size_t *len;
	int n = 0, rc;

	while (txq_count(q) > 0 && (sent + (unsigned)n == 0 ||
	    !lws_send_pipe_choked(wsi))) {
		rec = txq_head(q, &len);
		if ((rc = proto_seal(ps, rec, len, PROTO_MAX_RECORD)) !=
		    PROTO_OK) {
			snprintf(whybuf, whylen, "seal: %s",
			    proto_strerror(rc));
			return -1;
		}
		rc = lws_write(wsi, rec, *len, LWS_WRITE_BINARY) < (int)*len;
		txq_pop(q);
		if (rc) {
			snprintf(whybuf, whylen, "write failed");
			return -1;
		}
		n++;
	}
	return n;
}
