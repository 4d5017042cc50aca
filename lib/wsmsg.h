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
struct proto_session;
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

#endif
