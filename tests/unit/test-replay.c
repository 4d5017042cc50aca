/* SPDX-License-Identifier: ISC */
/* lib/replay.c: newest handshake timestamp per key, bounded. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "replay.h"
#include "tap.h"

/* Key number k (distinct for distinct k). */
static void
key(uint8_t pub[PROTO_KEY_LEN], unsigned k)
{
	memset(pub, 0, PROTO_KEY_LEN);
	pub[0] = (uint8_t)k;
	pub[1] = (uint8_t)(k >> 8);
	pub[31] = 0x5a;
}

/* A TAI64N stamp of t (ns part). */
static void
stamp(uint8_t ts[PROTO_TAI64N_LEN], unsigned t)
{
	memset(ts, 0, PROTO_TAI64N_LEN);
	ts[0] = 0x40;
	ts[8] = (uint8_t)(t >> 24);
	ts[9] = (uint8_t)(t >> 16);
	ts[10] = (uint8_t)(t >> 8);
	ts[11] = (uint8_t)t;
}

static void
test_order(void)
{
	struct replay *r = replay_new(2);
	uint8_t a[PROTO_KEY_LEN], b[PROTO_KEY_LEN], c[PROTO_KEY_LEN];
	uint8_t t9[PROTO_TAI64N_LEN], t10[PROTO_TAI64N_LEN];
	uint8_t t11[PROTO_TAI64N_LEN];

	key(a, 1);
	key(b, 2);
	key(c, 3);
	stamp(t9, 9);
	stamp(t10, 10);
	stamp(t11, 11);
	tap_ok(replay_check_update(r, a, t10), "key A at 10: new");
	tap_ok(!replay_check_update(r, a, t10), "key A at 10 again: replay");
	tap_ok(!replay_check_update(r, a, t9), "key A at 9: replay");
	tap_ok(replay_check_update(r, b, t9), "key B at 9: keys independent");
	tap_ok(replay_check_update(r, a, t11), "key A at 11: newer");
	tap_is_int(replay_count(r), 2, "two keys held");
	tap_ok(replay_check_update(r, c, t9), "key C: evicts the oldest (B)");
	tap_is_int(replay_count(r), 2, "still two: bounded");
	tap_ok(!replay_check_update(r, a, t11), "key A still remembered");
	tap_ok(replay_check_update(r, b, t9),
	    "evicted key B's old stamp is accepted again");
	replay_free(r);

	r = replay_new(0);
	tap_ok(replay_check_update(r, a, t9) && !replay_check_update(r, a, t9),
	    "a table of 0 keys holds one");
	replay_free(r);
	replay_free(NULL);
}

/* Many keys, evictions, and every hash chain still finds its keys. */
static void
test_many(void)
{
	enum { MAX = 100, KEYS = 1000 };
	struct replay *r = replay_new(MAX);
	uint8_t pub[PROTO_KEY_LEN], ts[PROTO_TAI64N_LEN];
	unsigned k, bad = 0;

	stamp(ts, 5);
	for (k = 0; k < KEYS; k++) {
		key(pub, k);
		if (!replay_check_update(r, pub, ts))
			bad++;
	}
	tap_is_int(bad, 0, "1000 new keys accepted");
	tap_is_int(replay_count(r), MAX, "100 held");
	for (k = KEYS - MAX; k < KEYS; k++) {
		key(pub, k);
		if (replay_check_update(r, pub, ts))
			bad++;
	}
	tap_is_int(bad, 0, "the 100 newest are all remembered");
	key(pub, 0);
	tap_ok(replay_check_update(r, pub, ts), "the first key was forgotten");
	key(pub, KEYS - MAX);
	tap_ok(replay_check_update(r, pub, ts),
	    "and made room by forgetting the then oldest");
	replay_free(r);
}

/* Resizing keeps every stamp (growing) or the newest (shrinking). */
static void
test_resize(void)
{
	struct replay *r = replay_new(4);
	uint8_t k[PROTO_KEY_LEN], t[PROTO_TAI64N_LEN];
	unsigned i;

	for (i = 0; i < 4; i++) {
		key(k, i);
		stamp(t, 100 + i);
		replay_check_update(r, k, t);
	}
	r = replay_resize(r, 3000);
	tap_is_int((int)replay_max(r), 3000, "resize: the new size");
	tap_is_int((int)replay_count(r), 4, "grow: all four keys kept");
	for (i = 0; i < 4; i++) {
		key(k, i);
		stamp(t, 100 + i);
		tap_ok(!replay_check_update(r, k, t),
		    "grow: key %u's stamp still refused as a replay", i);
	}
	r = replay_resize(r, 2);
	tap_is_int((int)replay_count(r), 2, "shrink: two keys kept");
	key(k, 3);
	stamp(t, 103);
	tap_ok(!replay_check_update(r, k, t), "shrink: the newest key kept");
	key(k, 0);
	stamp(t, 100);
	tap_ok(replay_check_update(r, k, t), "shrink: the oldest key gone");
	replay_free(r);
	r = replay_resize(NULL, 5);
	tap_is_int((int)replay_count(r), 0, "resize of NULL: empty table");
	replay_free(r);
}

int
main(void)
{
	test_order();
	test_many();
	test_resize();
	return tap_done();
}
