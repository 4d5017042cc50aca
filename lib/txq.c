/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "log.h"
#include "proto.h"
#include "txq.h"
#include "xmalloc.h"

struct txq_rec {
	uint8_t		*buf;		/* headroom + PROTO_MAX_RECORD */
	size_t		 len;		/* record bytes after the headroom */
	size_t		 bytes;		/* packet bytes in it */
	unsigned	 npkt;
};

struct txq {
	struct txq_rec	*rec;
	unsigned	 nrec;
	unsigned	 head;		/* oldest record */
	unsigned	 n;		/* records in use */
	size_t		 headroom;
	size_t		 bytes;		/* packet bytes queued */
	size_t		 maxbytes;
};

/*
 * Allocate the ring: enough records for maxbytes of packets even when
 * each record closes at its least fill (TXQ_REC_MINFILL).  Each record's
 * buffer is allocated the first time it is used and kept: an idle
 * session (keepalives travel as control records) holds none of them.
 */
struct txq *
txq_new(size_t maxbytes, size_t headroom)
{
	struct txq *q;
	size_t nrec;

	nrec = maxbytes / TXQ_REC_MINFILL + 1;
	if (maxbytes < PROTO_MAX_PACKET || nrec > TXQ_MAX_RECORDS)
		fatalx("%s: %zu bytes", __func__, maxbytes);
	q = xcalloc(1, sizeof(*q));
	q->rec = xcalloc(nrec, sizeof(*q->rec));
	q->nrec = (unsigned)nrec;
	q->headroom = headroom;
	q->maxbytes = maxbytes;
	return q;
}

/* Free the ring; NULL is a no-op. */
void
txq_free(struct txq *q)
{
	unsigned i;

	if (q == NULL)
		return;
	for (i = 0; i < q->nrec; i++)
		free(q->rec[i].buf);
	free(q->rec);
	free(q);
}

/* The tail record if a packet of len fits in it, else NULL. */
static struct txq_rec *
txq_tail(const struct txq *q, size_t len)
{
	struct txq_rec *r;

	if (q->n == 0)
		return NULL;
	r = &q->rec[(q->head + q->n - 1) % q->nrec];
	/* What proto_data_add would refuse, without its walk. */
	if (r->npkt >= PROTO_MAX_BATCH ||
	    PROTO_MAX_RECORD - r->len < 2 + len + PROTO_TAG_LEN)
		return NULL;
	return r;
}

/* Whether a packet of len bytes fits now. */
bool
txq_room(const struct txq *q, size_t len)
{
	if (len > q->maxbytes - q->bytes)
		return false;
	return q->n < q->nrec || txq_tail(q, len) != NULL;
}

/*
 * Room for a packet of len bytes at the end of the tail record, or of the
 * next record; NULL with *err when the queue is full or len is bad.
 */
uint8_t *
txq_reserve(struct txq *q, size_t len, int *err)
{
	struct txq_rec *r;
	uint8_t *rec, *pkt;

	if (len < PROTO_MIN_PACKET || len > PROTO_MAX_PACKET) {
		*err = TXQ_PKTSIZE;
		return NULL;
	}
	if (len > q->maxbytes - q->bytes) {
		*err = TXQ_FULL;
		return NULL;
	}
	if ((r = txq_tail(q, len)) == NULL) {
		if (q->n == q->nrec) {
			*err = TXQ_FULL;
			return NULL;
		}
		r = &q->rec[(q->head + q->n) % q->nrec];
		if (r->buf == NULL)	/* once per record, then kept */
			r->buf = xmalloc(q->headroom + PROTO_MAX_RECORD);
		q->n++;
		proto_data_begin(r->buf + q->headroom, &r->len);
		r->npkt = 0;
		r->bytes = 0;
	}
	rec = r->buf + q->headroom;
	if (proto_data_reserve(rec, &r->len, PROTO_MAX_RECORD, len, &pkt) !=
	    PROTO_OK) {
		/* Checked above; never leave an empty record queued. */
		if (r->npkt == 0)
			q->n--;
		*err = TXQ_PKTSIZE;
		return NULL;
	}
	r->npkt++;
	r->bytes += len;
	q->bytes += len;
	return pkt;
}

/* Append a packet to the tail record, or begin the next record. */
int
txq_add(struct txq *q, const void *pkt, size_t len)
{
	uint8_t *dst;
	int err;

	if ((dst = txq_reserve(q, len, &err)) == NULL)
		return err;
	memcpy(dst, pkt, len);
	return TXQ_OK;
}

/* Records not in use. */
unsigned
txq_free_records(const struct txq *q)
{
	return q->nrec - q->n;
}

/* Packet bytes the queue still takes. */
size_t
txq_free_bytes(const struct txq *q)
{
	return q->maxbytes - q->bytes;
}

unsigned
txq_count(const struct txq *q)
{
	return q->n;
}

bool
txq_full(const struct txq *q)
{
	return q->n == q->nrec || q->bytes == q->maxbytes;
}

/* The oldest record, to seal and send in place. */
uint8_t *
txq_head(struct txq *q, size_t **len)
{
	struct txq_rec *r;

	if (q->n == 0)
		return NULL;
	r = &q->rec[q->head];
	*len = &r->len;
	return r->buf + q->headroom;
}

/* The head record is sent: free its slot. */
void
txq_pop(struct txq *q)
{
	if (q->n == 0)
		return;
	q->bytes -= q->rec[q->head].bytes;
	q->rec[q->head].len = 0;
	q->rec[q->head].npkt = 0;
	q->rec[q->head].bytes = 0;
	q->head = (q->head + 1) % q->nrec;
	q->n--;
}

/* Forget every queued record. */
void
txq_clear(struct txq *q)
{
	q->head = 0;
	q->n = 0;
	q->bytes = 0;
}
