/* SPDX-License-Identifier: ISC */
/*
 * Relay mode streams over one session, the same for server and client:
 * stream state, per-stream flow-control windows, half-close and reset
 * (doc/PROTOCOL.md section 11).  Each stream's local side is a libevent
 * bufferevent (the destination socket on the server, the SOCKS
 * application on the client).  No lws here: the session hands opened
 * STREAM bodies to relay_input and asks relay_next for the next body to
 * seal and send whenever its socket takes more.
 */
#ifndef RVPN_RELAY_H
#define RVPN_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stream.h"

struct bufferevent;
struct relay;
struct relay_stream;

struct relay_ops {
	/* More to send: ask for a WRITEABLE callback. */
	void	(*want_write)(void *arg);
	/*
	 * Server: an OPEN arrived.  Answer later with relay_attach (then
	 * OPEN_OK goes out) or relay_reset.
	 */
	void	(*open)(void *arg, struct relay_stream *,
		    const struct stream_msg *);
	/*
	 * Client: the OPEN's answer, 0 (OPEN_OK: call relay_attach) or a
	 * STREAM_R_* reason (the stream is gone after the call).
	 */
	void	(*opened)(void *arg, struct relay_stream *, int reason);
	/* A stream with an owner goes away (not after opened()). */
	void	(*closed)(void *arg, struct relay_stream *);
};

struct relay_stats {
	uint64_t	opened;		/* streams opened */
	uint64_t	reset_rx;	/* RESETs received */
	uint64_t	reset_tx;	/* RESETs sent */
	uint64_t	rx_bytes;	/* stream bytes received */
	uint64_t	tx_bytes;	/* stream bytes sent */
	uint64_t	limited;	/* OPENs over max_streams, reset */
};

/* max_streams: open streams at once; more OPENs are reset (LIMIT). */
struct relay	*relay_new(const struct relay_ops *, void *arg,
		    unsigned max_streams);
/* Every stream reset (sockets closed with RST), owners told. */
void		 relay_free(struct relay *);
/*
 * An opened STREAM record's body: 0, or -1 with *why set on a protocol
 * error (the session must close with 4007).
 */
int		 relay_input(struct relay *, const uint8_t *body, size_t len,
		    const char **why);
/*
 * The next message to send into out (cap >= STREAM_MSG_MAX): 1 with
 * *len set, 0 when nothing is due.  Streams take turns.
 */
int		 relay_next(struct relay *, uint8_t *out, size_t cap,
		    size_t *len);
/* Client: open a stream (OPEN queued); NULL when at the limit. */
struct relay_stream *relay_open(struct relay *, const struct stream_msg *,
		    void *owner);
/* The local side: the relay owns bev from now on. */
void		 relay_attach(struct relay_stream *, struct bufferevent *);
/* Abort a stream with a reason (RESET sent, local side closed). */
void		 relay_reset(struct relay_stream *, int reason);
void		*relay_owner(const struct relay_stream *);
void		 relay_set_owner(struct relay_stream *, void *);
uint32_t	 relay_stream_id(const struct relay_stream *);
unsigned	 relay_count(const struct relay *);
const struct relay_stats *relay_stats(const struct relay *);

#endif
