/* SPDX-License-Identifier: ISC */
/* X25519 keys: base64 (44 chars), one per file, as WireGuard writes them. */
#ifndef RVPN_KEY_H
#define RVPN_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define KEY_B64_LEN	44	/* without NUL */

/* Generate a private key (clamped).  0 or -1. */
int	key_generate(uint8_t priv[PROTO_KEY_LEN]);
/* Derive the public key.  0 or -1. */
int	key_public(const uint8_t priv[PROTO_KEY_LEN], uint8_t pub[PROTO_KEY_LEN]);
/* base64; out has KEY_B64_LEN + 1 bytes. */
void	key_to_base64(const uint8_t key[PROTO_KEY_LEN], char out[KEY_B64_LEN + 1]);
/* Parse base64 (surrounding whitespace allowed); false if not a 32-byte key. */
bool	key_from_base64(const char *, uint8_t key[PROTO_KEY_LEN]);
/* Short form for logs: the first 8 base64 characters + "…" style, e.g. "hW3r+s1k". */
void	key_short(const uint8_t pub[PROTO_KEY_LEN], char out[9]);
/*
 * Read a private key file.  Warns (log_warnx) when the file is group- or
 * world-readable.  -1 with *cause on error (missing, bad content).
 */
int	key_read_file(const char *path, uint8_t priv[PROTO_KEY_LEN], char **cause);
/* Write a new private key file with mode 0600 (O_EXCL).  -1 with *cause. */
int	key_write_file(const char *path, const uint8_t priv[PROTO_KEY_LEN],
	    char **cause);
/* Constant-time comparison of two keys. */
bool	key_equal(const uint8_t *, const uint8_t *);

#endif
