/* SPDX-License-Identifier: ISC */
/*
 * One WebSocket connection's records, the same for server and client:
 * reassembling a message from lws's fragments, and writing the queued
 * DATA records once the control record (if any) is out.
 */
#ifndef RVPN_WSMSG_H
#define RVPN_WSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lws;
struct lws_context_creation_info;
struct proto_session;
struct ssl_ctx_st;
struct txq;

/*
 * A message being reassembled.  The buffer is made only when a message
 * comes in fragments, with room for the limit the caller gives.
 */
struct wsmsg_rx {
	uint8_t		*buf;		/* LWS_PRE + cap, or NULL */
	size_t		 cap;
	size_t		 len;
	bool		 in_msg;	/* fragments of it came before */
};

enum wsmsg_rx_rc {
	WSMSG_MORE,		/* wait for the next fragment */
	WSMSG_WHOLE,		/* *msg, *mlen: the message */
	WSMSG_TOOBIG,		/* over max: close */
	WSMSG_TEXT,		/* a text message: close */
};

/*
 * LWS_CALLBACK_(CLIENT_)RECEIVE: add a fragment of a message of at most
 * max bytes.  A message that arrives whole in one callback is handed
 * back in place in lws's buffer (ours until the callback returns): no
 * copy; others are gathered in rx's buffer.
 */
enum wsmsg_rx_rc wsmsg_receive(struct wsmsg_rx *, struct lws *, void *in,
		    size_t len, size_t max, uint8_t **msg, size_t *mlen);
/* Free the buffer (a new one is made when needed). */
void		 wsmsg_rx_free(struct wsmsg_rx *);

/*
 * WRITEABLE, after `sent` records written in this callback (control
 * first): seal and write queued DATA records while the socket takes them
 * whole; the first always (a partial write stays in lws, which calls
 * back once it is out).  Returns how many were written, or -1 with why
 * ("seal: ..." or "write failed") in whybuf.
 */
int		 wsmsg_send_queue(struct lws *, struct proto_session *,
		    struct txq *, unsigned sent, char *whybuf, size_t whylen);
/*
 * Outside WRITEABLE (straight from a TUN read), when nothing was waiting
 * before these records (no WRITEABLE requested, no control pending): seal
 * and write queued DATA records while lws holds no partial record.  No
 * poll() as lws_send_pipe_choked does: a full socket is what SSL_write
 * itself finds (EAGAIN); lws then keeps the record in its buflist_out,
 * asks for POLLOUT and writes it before anything else, as for a partial
 * write in WRITEABLE.  The caller requests WRITEABLE for what is left.
 * Returns how many were written, or -1 with why (the caller closes).
 */
int		 wsmsg_send_direct(struct lws *, struct proto_session *,
		    struct txq *, char *whybuf, size_t whylen);

/*
 * Data path settings of an lws context, server and client alike: a
 * per-thread read buffer (pt_serv_buf_size) that holds one whole record
 * with its frame header and LWS_PRE, so a record is not read 4 KiB at a
 * time (lws's default).
 */
void		 wsmsg_context_tune(struct lws_context_creation_info *);
/*
 * A connection that carries records from now on: OpenSSL keeps its
 * read and write buffers instead of freeing and allocating them around
 * every record (lws sets SSL_MODE_RELEASE_BUFFERS, which is right for
 * idle and unauthenticated connections).  No-op without TLS.
 */
void		 wsmsg_tls_keep_buffers(struct lws *);
/*
 * The TLS 1.3 suite order a client offers: AES-128-GCM first where the
 * CPU has AES instructions (as browsers do), ChaCha20-Poly1305 first
 * where it has not.  The server takes the client's order.
 */
void		 wsmsg_tls_client_suites(struct ssl_ctx_st *);

#endif
