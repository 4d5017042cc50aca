/* SPDX-License-Identifier: ISC */
/*
 * A transmit queue bounded in bytes: a ring of unsealed DATA records,
 * allocated once.  Packets go into the tail record, the next one when it
 * is full (PROTO_MAX_RECORD bytes or PROTO_MAX_BATCH packets); the sender
 * seals and sends the head record in place.  No allocation per packet.
 * The bound is the packet bytes queued (a TCP super-packet counts as the
 * bytes of its segments, not as one packet); small packets are bounded
 * by the records too (PROTO_MAX_BATCH each).
 */
#ifndef RVPN_TXQ_H
#define RVPN_TXQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define TXQ_MAX_RECORDS	64
/*
 * The least packet bytes a record holds once the next packet does not
 * fit: all of it but the type, the tag and one maximum packet with its
 * length.  The ring has maxbytes / TXQ_REC_MINFILL + 1 records, so the
 * byte bound is what binds for packets of any size above ~900 bytes.
 */
#define TXQ_REC_MINFILL	(PROTO_MAX_RECORD - 1 - PROTO_TAG_LEN - \
	    2 - PROTO_MAX_PACKET)

enum txq_err {
	TXQ_OK = 0,
	TXQ_FULL = -1,		/* every record full: caller drops or waits */
	TXQ_PKTSIZE = -2,	/* packet length not PROTO_MIN..MAX_PACKET */
};

struct txq;

/*
 * Up to maxbytes of packets (PROTO_MAX_PACKET .. TXQ_MAX_RECORDS *
 * TXQ_REC_MINFILL), in records of headroom + PROTO_MAX_RECORD bytes
 * each; the headroom (LWS_PRE) precedes every record.  A record's buffer
 * is allocated when it is first filled (txq_add), then kept until
 * txq_free.  Dies if memory runs out.
 */
struct txq	*txq_new(size_t maxbytes, size_t headroom);
void		 txq_free(struct txq *);
/* Append a packet (copied once, into the tail record). */
int		 txq_add(struct txq *, const void *pkt, size_t len);
/*
 * As txq_add, but returns where the caller builds the len bytes of the
 * packet (in place: no copy of its own); NULL and *err (TXQ_FULL,
 * TXQ_PKTSIZE) when not taken.
 */
uint8_t		*txq_reserve(struct txq *, size_t len, int *err);
/* Records not in use (each takes PROTO_MAX_RECORD bytes of packets). */
unsigned	 txq_free_records(const struct txq *);
/* Packet bytes still taken (the byte bound less what is queued). */
size_t		 txq_free_bytes(const struct txq *);
/* Whether a packet of len bytes would be taken now. */
bool		 txq_room(const struct txq *, size_t len);
/* Records in use (0: empty). */
unsigned	 txq_count(const struct txq *);
bool		 txq_full(const struct txq *);
/*
 * The head record (unsealed, after the headroom) and its length, which
 * the caller may change (sealing in place); room for PROTO_MAX_RECORD
 * bytes.  NULL when empty.  Valid until txq_pop or txq_clear.
 */
uint8_t		*txq_head(struct txq *, size_t **len);
/* Drop the head record (sent). */
void		 txq_pop(struct txq *);
/* Empty the queue (session gone). */
void		 txq_clear(struct txq *);

#endif
