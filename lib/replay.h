/* SPDX-License-Identifier: ISC */
/*
 * Replay protection for handshake message 1: per client key, the newest
 * TAI64N timestamp seen.  Bounded: when full, the entry updated longest
 * ago is forgotten.  A hash table (random seed) over a fixed array; no
 * allocation after replay_new.
 */
#ifndef RVPN_REPLAY_H
#define RVPN_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct replay;

/* A table for at most max_keys keys (at least 1). */
struct replay	*replay_new(size_t max_keys);
void		 replay_free(struct replay *);
/*
 * True if ts is newer than the last stamp stored for pub (or pub is not
 * in the table): ts is then stored.  False (a replay): nothing changes.
 */
bool		 replay_check_update(struct replay *,
		    const uint8_t pub[PROTO_KEY_LEN],
		    const uint8_t ts[PROTO_TAI64N_LEN]);
/* Keys held now (at most max_keys). */
size_t		 replay_count(const struct replay *);
size_t		 replay_max(const struct replay *);
/*
 * A table for max_keys keys with old's stamps (when smaller, the newest
 * are kept); old is freed.  For a reload that changes the size.
 */
struct replay	*replay_resize(struct replay *old, size_t max_keys);

#endif
