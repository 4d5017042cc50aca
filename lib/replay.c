/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "proto.h"
#include "replay.h"
#include "xmalloc.h"

struct replay_entry {
	uint8_t		pub[PROTO_KEY_LEN];
	uint8_t		ts[PROTO_TAI64N_LEN];
	uint64_t	seq;		/* last update, for oldest-eviction */
	int32_t		next;		/* hash chain */
};

struct replay {
	struct replay_entry	*e;
	size_t			 n, max;
	int32_t			*bucket;
	size_t			 nbucket;	/* power of two */
	uint64_t		 seq;
	uint64_t		 seed;
};

/* Hash a key into the replay table. */
static size_t
replay_hash(const struct replay *r, const uint8_t *pub)
{
	uint64_t	h = r->seed;
	size_t		i;

	for (i = 0; i < PROTO_KEY_LEN; i++) {
		h ^= pub[i];
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h ^ (h >> 29)) & (r->nbucket - 1);
}

struct replay *
replay_new(size_t max_keys)
{
	struct replay	*r;
	size_t			 i;

	if (max_keys == 0)
		max_keys = 1;
	if (max_keys > INT32_MAX / 4)
		max_keys = INT32_MAX / 4;
	r = xcalloc(1, sizeof(*r));
	r->max = max_keys;
	r->e = xcalloc(max_keys, sizeof(*r->e));
	for (r->nbucket = 16; r->nbucket < max_keys * 2; r->nbucket *= 2)
		;
	r->bucket = xcalloc(r->nbucket, sizeof(*r->bucket));
	for (i = 0; i < r->nbucket; i++)
		r->bucket[i] = -1;
	if (RAND_bytes((unsigned char *)&r->seed, sizeof(r->seed)) != 1)
		r->seed = 0xcbf29ce484222325ULL;
	return r;
}

void
replay_free(struct replay *r)
{
	if (r == NULL)
		return;
	free(r->e);
	free(r->bucket);
	free(r);
}

/* Remove entry i from its hash chain. */
static void
replay_unlink(struct replay *r, int32_t i)
{
	int32_t	*pp;

	pp = &r->bucket[replay_hash(r, r->e[i].pub)];
	while (*pp != -1 && *pp != i)
		pp = &r->e[*pp].next;
	if (*pp == i)
		*pp = r->e[i].next;
}

bool
replay_check_update(struct replay *r,
    const uint8_t pub[PROTO_KEY_LEN], const uint8_t ts[PROTO_TAI64N_LEN])
{
	struct replay_entry	*e;
	size_t				 b, j;
	int32_t				 i;

	b = replay_hash(r, pub);
	for (i = r->bucket[b]; i != -1; i = r->e[i].next) {
		e = &r->e[i];
		if (memcmp(e->pub, pub, PROTO_KEY_LEN) != 0)
			continue;
		if (proto_tai64n_cmp(ts, e->ts) <= 0)
			return false;
		memcpy(e->ts, ts, PROTO_TAI64N_LEN);
		e->seq = ++r->seq;
		return true;
	}
	if (r->n < r->max)
		i = (int32_t)r->n++;
	else {
		/* Full: forget the entry updated longest ago. */
		i = 0;
		for (j = 1; j < r->n; j++)
			if (r->e[j].seq < r->e[i].seq)
				i = (int32_t)j;
		replay_unlink(r, i);
	}
	e = &r->e[i];
	memcpy(e->pub, pub, PROTO_KEY_LEN);
	memcpy(e->ts, ts, PROTO_TAI64N_LEN);
	e->seq = ++r->seq;
	e->next = r->bucket[b];
	r->bucket[b] = i;
	return true;
}

size_t
replay_count(const struct replay *r)
{
	return r->n;
}

size_t
replay_max(const struct replay *r)
{
	return r->max;
}

static int
replay_seq_cmp(const void *a, const void *b)
{
	const struct replay_entry *x = *(const struct replay_entry *const *)a;
	const struct replay_entry *y = *(const struct replay_entry *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * A table for max_keys keys holding old's stamps (oldest update first,
 * so a smaller table keeps the newest); old is freed.
 */
struct replay *
replay_resize(struct replay *old, size_t max_keys)
{
	struct replay		 *r;
	struct replay_entry	**order;
	size_t			  i;

	r = replay_new(max_keys);
	if (old == NULL)
		return r;
	order = xcalloc(old->n > 0 ? old->n : 1, sizeof(*order));
	for (i = 0; i < old->n; i++)
		order[i] = &old->e[i];
	qsort(order, old->n, sizeof(*order), replay_seq_cmp);
	for (i = 0; i < old->n; i++)
		(void)replay_check_update(r, order[i]->pub, order[i]->ts);
	free(order);
	replay_free(old);
	return r;
}
