/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <string.h>

#include "proto.h"
#include "tap.h"
#include "txq.h"

#define HEADROOM	16

/* Packets in the head record, checking each one's first byte. */
static unsigned
head_packets(struct txq *q, uint8_t first, size_t want_len)
{
	const uint8_t *rec, *pkt;
	size_t *len, off = 0, pktlen;
	unsigned n = 0;

	if ((rec = txq_head(q, &len)) == NULL)
		return 0;
	while (proto_data_next(rec, *len, &off, &pkt, &pktlen) == 1) {
		if (pktlen != want_len || pkt[0] != first)
			return 0;
		n++;
	}
	return n;
}

int
main(void)
{
	static uint8_t big[1400], small[40], huge[PROTO_MAX_PACKET + 1];
	struct txq *q;
	size_t *len;
	unsigned i, n;
	int rc;

	memset(big, 0x45, sizeof(big));
	memset(small, 0x46, sizeof(small));
	/* A ring of 3 records, with more bytes than they hold. */
	q = txq_new(3 * TXQ_REC_MINFILL - 1, HEADROOM);
	tap_is_int(txq_count(q), 0, "new queue is empty");
	tap_ok(txq_head(q, &len) == NULL, "empty: no head record");
	tap_ok(txq_room(q, sizeof(big)), "empty: room");

	/* One record holds PROTO_MAX_BATCH small packets, no more. */
	for (i = 0; i < PROTO_MAX_BATCH; i++)
		if (txq_add(q, small, sizeof(small)) != TXQ_OK)
			break;
	tap_is_int(i, PROTO_MAX_BATCH, "PROTO_MAX_BATCH packets added");
	tap_is_int(txq_count(q), 1, "they fill one record");
	tap_is_int(txq_add(q, small, sizeof(small)), TXQ_OK,
	    "one more small packet");
	tap_is_int(txq_count(q), 2, "it begins the second record");
	tap_is_int(head_packets(q, 0x46, sizeof(small)), PROTO_MAX_BATCH,
	    "head record holds the first batch, in order");

	/* Fill the rest with MTU-sized packets until every record is full. */
	n = 0;
	while ((rc = txq_add(q, big, sizeof(big))) == TXQ_OK && n < 1000)
		n++;
	tap_is_int(rc, TXQ_FULL, "full queue refuses: TXQ_FULL");
	tap_ok(txq_full(q), "txq_full");
	tap_is_int(txq_count(q), 3, "all 3 records in use");
	tap_ok(!txq_room(q, sizeof(big)), "full: no room for 1400 bytes");
	tap_ok(n > 44 && n < 2 * 47, "about 2 records of 1400 bytes (%u)", n);

	/* Negative: bad lengths are refused and leave no empty record. */
	tap_is_int(txq_add(q, small, 19), TXQ_PKTSIZE, "19 bytes: TXQ_PKTSIZE");
	tap_is_int(txq_add(q, huge, sizeof(huge)), TXQ_PKTSIZE,
	    "PROTO_MAX_PACKET + 1: TXQ_PKTSIZE");

	/* FIFO: pop the small-packet record, the big ones follow. */
	txq_pop(q);
	tap_is_int(txq_count(q), 2, "pop: 2 records left");
	tap_ok(txq_room(q, sizeof(big)), "pop: room again");
	tap_ok(txq_head(q, &len) != NULL && *len > 1,
	    "second record is the head now");
	txq_pop(q);
	tap_is_int(head_packets(q, 0x45, sizeof(big)) > 0, 1,
	    "third record holds big packets");
	/* The ring wraps: the next record goes into a freed slot. */
	tap_is_int(txq_add(q, big, sizeof(big)), TXQ_OK,
	    "add to a full tail record");
	tap_is_int(txq_count(q), 2, "it begins a record in a freed slot");
	txq_pop(q);
	tap_is_int(head_packets(q, 0x45, sizeof(big)), 1,
	    "wrapped record holds the new packet");
	txq_pop(q);
	tap_is_int(txq_count(q), 0, "empty after popping all");
	txq_pop(q);
	tap_is_int(txq_count(q), 0, "pop on empty is a no-op");
	tap_is_int(txq_add(q, small, 19), TXQ_PKTSIZE,
	    "bad length on an empty queue");
	tap_is_int(txq_count(q), 0, "no empty record left behind");

	tap_is_int(txq_add(q, big, sizeof(big)), TXQ_OK, "add before clear");
	txq_clear(q);
	tap_is_int(txq_count(q), 0, "clear empties");
	tap_ok(txq_head(q, &len) == NULL, "clear: no head");
	txq_free(q);
	txq_free(NULL);

	/*
	 * The byte bound: 100 KiB takes 73 packets of 1400 bytes (102200),
	 * not 74, though 3 records would hold 138; the free bytes say so,
	 * and a pop gives its record's bytes back.
	 */
	q = txq_new(100 * 1024, HEADROOM);
	tap_is_int(txq_free_bytes(q), 100 * 1024, "free bytes: all");
	n = 0;
	while ((rc = txq_add(q, big, sizeof(big))) == TXQ_OK && n < 1000)
		n++;
	tap_is_int(rc, TXQ_FULL, "byte bound: TXQ_FULL");
	tap_is_int(n, 100 * 1024 / sizeof(big), "byte bound: 73 packets");
	tap_is_int(txq_free_bytes(q), 100 * 1024 - n * sizeof(big),
	    "free bytes: the rest");
	tap_ok(!txq_room(q, sizeof(big)), "byte bound: no room");
	tap_ok(txq_room(q, sizeof(small)), "byte bound: room for 40 bytes");
	tap_is_int(txq_add(q, small, sizeof(small)), TXQ_OK, "40 bytes fit");
	tap_is_int(txq_count(q), 2, "in 2 records");
	txq_pop(q);
	tap_is_int(txq_free_bytes(q), 100 * 1024 - (n - 46) * sizeof(big) -
	    sizeof(small), "pop gives back the head's 46 packets");
	tap_is_int(txq_add(q, big, sizeof(big)), TXQ_OK, "room again");
	txq_clear(q);
	tap_is_int(txq_free_bytes(q), 100 * 1024, "clear: all free");
	txq_free(q);
	return tap_done();
}
