/* SPDX-License-Identifier: ISC */
/*
 * Noise_IK_25519_ChaChaPoly_{BLAKE2s,SHA256} on OpenSSL 3 EVP: the
 * handshake state machine (two messages) and the transport AEAD helpers
 * that lib/proto.c uses per record.  Pure: no I/O.
 *
 * Every function returns 0 or -1; -1 on a read means the peer's message
 * did not authenticate (or a DH result was invalid), on a write that the
 * output does not fit or OpenSSL failed.
 */
#ifndef RVPN_NOISE_H
#define RVPN_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define NOISE_KEY_LEN		32
#define NOISE_HASH_LEN		32
#define NOISE_TAG_LEN		16
#define NOISE_NONCE_LEN		12
/* Message 1 is e + enc(s) + enc(payload); message 2 is e + enc(payload). */
#define NOISE_IK_MSG1_OVERHEAD	(NOISE_KEY_LEN + NOISE_KEY_LEN + \
				    NOISE_TAG_LEN + NOISE_TAG_LEN)
#define NOISE_IK_MSG2_OVERHEAD	(NOISE_KEY_LEN + NOISE_TAG_LEN)

enum noise_hash {
	NOISE_HASH_BLAKE2S,
	NOISE_HASH_SHA256,
};

/* Handshake state; plain struct so callers can embed it.  Wipe when done. */
struct noise_hs {
	const EVP_MD	*md;
	bool		 initiator;
	int		 step;		/* messages processed so far */
	uint8_t		 ck[NOISE_HASH_LEN];
	uint8_t		 h[NOISE_HASH_LEN];
	uint8_t		 k[NOISE_KEY_LEN];
	bool		 has_k;
	uint64_t	 n;
	uint8_t		 s[NOISE_KEY_LEN], s_pub[NOISE_KEY_LEN];
	uint8_t		 e[NOISE_KEY_LEN], e_pub[NOISE_KEY_LEN];
	bool		 has_e;		/* ephemeral injected (test vectors) */
	uint8_t		 rs[NOISE_KEY_LEN], re[NOISE_KEY_LEN];
};

/* X25519: derive a public key; generate a clamped private key + public. */
int	noise_x25519_public(const uint8_t priv[NOISE_KEY_LEN],
	    uint8_t pub[NOISE_KEY_LEN]);
int	noise_x25519_generate(uint8_t priv[NOISE_KEY_LEN],
	    uint8_t pub[NOISE_KEY_LEN]);
/* DH(priv, pub); -1 if OpenSSL refuses (e.g. an all-zero result). */
int	noise_x25519(uint8_t out[NOISE_KEY_LEN], const uint8_t priv[NOISE_KEY_LEN],
	    const uint8_t pub[NOISE_KEY_LEN]);
/* The same when priv's public key is known (no second multiplication). */
int	noise_x25519_pair(uint8_t out[NOISE_KEY_LEN],
	    const uint8_t priv[NOISE_KEY_LEN],
	    const uint8_t priv_pub[NOISE_KEY_LEN],
	    const uint8_t pub[NOISE_KEY_LEN]);

/* The protocol name of a suite, e.g. "Noise_IK_25519_ChaChaPoly_BLAKE2s". */
const char	*noise_protocol_name(enum noise_hash);
/* The suite for a protocol name; false if not an IK suite we support. */
bool		 noise_hash_from_name(const char *, enum noise_hash *);

/*
 * Initialize for IK: s is our static private key; rs the responder's
 * static public key (initiator only, NULL for the responder).
 */
int	noise_hs_init(struct noise_hs *, enum noise_hash, bool initiator,
	    const void *prologue, size_t prologue_len,
	    const uint8_t s[NOISE_KEY_LEN], const uint8_t *rs);
/*
 * The same with s's public key given (s_pub), not computed: a server
 * knows its own and need not spend an X25519 operation per message 1.
 */
int	noise_hs_init_pub(struct noise_hs *, enum noise_hash, bool initiator,
	    const void *prologue, size_t prologue_len,
	    const uint8_t s[NOISE_KEY_LEN], const uint8_t *s_pub,
	    const uint8_t *rs);
/* Use this ephemeral private key instead of a random one (test vectors). */
int	noise_hs_set_ephemeral(struct noise_hs *, const uint8_t e[NOISE_KEY_LEN]);
/* Wipe all secrets. */
void	noise_hs_wipe(struct noise_hs *);

/* Initiator: -> e, es, s, ss + payload.  *outlen set. */
int	noise_hs_write_msg1(struct noise_hs *, const uint8_t *payload,
	    size_t plen, uint8_t *out, size_t cap, size_t *outlen);
/* Responder: read message 1; payload decrypted into out (cap bytes). */
int	noise_hs_read_msg1(struct noise_hs *, const uint8_t *msg, size_t len,
	    uint8_t *payload, size_t cap, size_t *plen);
/* Responder: <- e, ee, se + payload. */
int	noise_hs_write_msg2(struct noise_hs *, const uint8_t *payload,
	    size_t plen, uint8_t *out, size_t cap, size_t *outlen);
/* Initiator: read message 2. */
int	noise_hs_read_msg2(struct noise_hs *, const uint8_t *msg, size_t len,
	    uint8_t *payload, size_t cap, size_t *plen);
/*
 * After message 2: the transport keys, oriented for this side (send is
 * the initiator's c1 on the initiator, c2 on the responder), and the
 * handshake hash.  Wipes the chaining key and ephemeral.
 */
int	noise_hs_split(struct noise_hs *, uint8_t send[NOISE_KEY_LEN],
	    uint8_t recv[NOISE_KEY_LEN], uint8_t hash[NOISE_HASH_LEN]);

/*
 * Transport AEAD on a ChaCha20-Poly1305 EVP_CIPHER_CTX that stays
 * allocated for a session: noise_cipher_new() makes one for encryption
 * (enc 1) or decryption (enc 0), noise_cipher_key() (re)keys it without
 * allocating.  seal/open work in place, nonce n in the Noise encoding
 * (4 zero bytes + 64-bit little-endian counter), and allocate nothing.
 */
EVP_CIPHER_CTX	*noise_cipher_new(int enc);
int	noise_cipher_key(EVP_CIPHER_CTX *, const uint8_t key[NOISE_KEY_LEN],
	    int enc);
int	noise_cipher_seal(EVP_CIPHER_CTX *, uint64_t n, const uint8_t *ad,
	    size_t adlen, uint8_t *buf, size_t len, uint8_t tag[NOISE_TAG_LEN]);
int	noise_cipher_open(EVP_CIPHER_CTX *, uint64_t n, const uint8_t *ad,
	    size_t adlen, uint8_t *buf, size_t len,
	    const uint8_t tag[NOISE_TAG_LEN]);
/*
 * Noise REKEY(k) = ENCRYPT(k, 2^64-1, empty, 32 zero bytes)[0:32]:
 * replaces key with the next one and rekeys ctx with it (enc as above).
 */
int	noise_cipher_rekey(EVP_CIPHER_CTX *, uint8_t key[NOISE_KEY_LEN],
	    int enc);

#endif
