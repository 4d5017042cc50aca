/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>
#include <openssl/ssl.h>

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

/* Seal the head record in place, write it, pop it; -1 with why. */
static int
wsmsg_send_head(struct lws *wsi, struct proto_session *ps, struct txq *q,
    char *whybuf, size_t whylen)
{
	uint8_t *rec;
	size_t *len;
	int rc;

	rec = txq_head(q, &len);
	if ((rc = proto_seal(ps, rec, len, PROTO_MAX_RECORD)) != PROTO_OK) {
		snprintf(whybuf, whylen, "seal: %s", proto_strerror(rc));
		return -1;
	}
	rc = lws_write(wsi, rec, *len, LWS_WRITE_BINARY) < (int)*len;
	txq_pop(q);
	if (rc) {
		snprintf(whybuf, whylen, "write failed");
		return -1;
	}
	return 0;
}

int
wsmsg_send_queue(struct lws *wsi, struct proto_session *ps, struct txq *q,
    unsigned sent, char *whybuf, size_t whylen)
{
	int n = 0;

	while (txq_count(q) > 0 && (sent + (unsigned)n == 0 ||
	    !lws_send_pipe_choked(wsi))) {
		if (wsmsg_send_head(wsi, ps, q, whybuf, whylen) == -1)
			return -1;
		n++;
	}
	return n;
}

int
wsmsg_send_direct(struct lws *wsi, struct proto_session *ps, struct txq *q,
    char *whybuf, size_t whylen)
{
	int n = 0;

	while (txq_count(q) > 0 && !lws_partial_buffered(wsi)) {
		if (wsmsg_send_head(wsi, ps, q, whybuf, whylen) == -1)
			return -1;
		n++;
	}
	return n;
}

void
wsmsg_context_tune(struct lws_context_creation_info *info)
{
	/* LWS_PRE, a frame header (at most 14 bytes), one record. */
	info->pt_serv_buf_size = LWS_PRE + 14 + PROTO_MAX_RECORD;
}

void
wsmsg_tls_keep_buffers(struct lws *wsi)
{
	SSL *ssl;

	if (wsi != NULL && (ssl = lws_get_ssl(wsi)) != NULL)
		SSL_clear_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
}

/* Whether the CPU has AES instructions (x86 AES-NI, ARMv8 AES). */
static bool
wsmsg_cpu_aes(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_cpu_init();
	return __builtin_cpu_supports("aes");
#elif defined(__aarch64__) && defined(__linux__)
	return true;	/* every ARMv8 server core rvpn targets */
#else
	return false;
#endif
}

void
wsmsg_tls_client_suites(SSL_CTX *ctx)
{
	const char *suites;

	if (wsmsg_cpu_aes())
		suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
		    "TLS_CHACHA20_POLY1305_SHA256";
	else
		suites = "TLS_CHACHA20_POLY1305_SHA256:"
		    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384";
	(void)SSL_CTX_set_ciphersuites(ctx, suites);
}
