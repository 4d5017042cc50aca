/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "noise.h"

#define HMAC_BLOCK	64	/* both BLAKE2s and SHA-256 */

static const char *noise_names[] = {
	[NOISE_HASH_BLAKE2S] = "Noise_IK_25519_ChaChaPoly_BLAKE2s",
	[NOISE_HASH_SHA256] = "Noise_IK_25519_ChaChaPoly_SHA256",
};

/* The protocol name of a suite. */
const char *
noise_protocol_name(enum noise_hash hash)
{
	return noise_names[hash];
}

/* Map a protocol name to a suite we implement. */
bool
noise_hash_from_name(const char *name, enum noise_hash *hash)
{
	if (strcmp(name, noise_names[NOISE_HASH_BLAKE2S]) == 0)
		*hash = NOISE_HASH_BLAKE2S;
	else if (strcmp(name, noise_names[NOISE_HASH_SHA256]) == 0)
		*hash = NOISE_HASH_SHA256;
	else
		return false;
	return true;
}

/* Derive the X25519 public key of priv. */
int
noise_x25519_public(const uint8_t priv[NOISE_KEY_LEN],
    uint8_t pub[NOISE_KEY_LEN])
{
	EVP_PKEY	*pk;
	size_t		 len = NOISE_KEY_LEN;
	int		 rc = -1;

	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
	    NOISE_KEY_LEN);
	if (pk == NULL)
		return -1;
	if (EVP_PKEY_get_raw_public_key(pk, pub, &len) == 1 &&
	    len == NOISE_KEY_LEN)
		rc = 0;
	EVP_PKEY_free(pk);
	return rc;
}

/* Generate a clamped private key and its public key. */
int
noise_x25519_generate(uint8_t priv[NOISE_KEY_LEN], uint8_t pub[NOISE_KEY_LEN])
{
	if (RAND_priv_bytes(priv, NOISE_KEY_LEN) != 1)
		return -1;
	priv[0] &= 248;
	priv[31] &= 127;
	priv[31] |= 64;
	return noise_x25519_public(priv, pub);
}

/*
 * An X25519 key from its raw bytes: a key pair when priv is given (with
 * its public key, which OpenSSL would otherwise compute again: one more
 * scalar multiplication per DH), else a public key.  The import context
 * is made once per process.
 */
static EVP_PKEY *
noise_x25519_key(const uint8_t *priv, const uint8_t *pub)
{
	static EVP_PKEY_CTX	*kctx;
	OSSL_PARAM		 p[3];
	EVP_PKEY		*pk = NULL;
	int			 n = 0;

	if (kctx == NULL) {
		kctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
		if (kctx == NULL || EVP_PKEY_fromdata_init(kctx) != 1) {
			EVP_PKEY_CTX_free(kctx);
			kctx = NULL;
			return NULL;
		}
	}
	if (priv != NULL)
		p[n++] = OSSL_PARAM_construct_octet_string(
		    OSSL_PKEY_PARAM_PRIV_KEY, (void *)(uintptr_t)priv,
		    NOISE_KEY_LEN);
	p[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    (void *)(uintptr_t)pub, NOISE_KEY_LEN);
	p[n] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_fromdata(kctx, &pk, priv != NULL ? EVP_PKEY_KEYPAIR :
	    EVP_PKEY_PUBLIC_KEY, p) != 1)
		return NULL;
	return pk;
}

/* out = X25519(priv, pub). */
int
noise_x25519(uint8_t out[NOISE_KEY_LEN], const uint8_t priv[NOISE_KEY_LEN],
    const uint8_t pub[NOISE_KEY_LEN])
{
	uint8_t	mypub[NOISE_KEY_LEN];
	int	rc;

	if (noise_x25519_public(priv, mypub) != 0)
		return -1;
	rc = noise_x25519_pair(out, priv, mypub, pub);
	OPENSSL_cleanse(mypub, sizeof(mypub));
	return rc;
}

/* out = X25519(priv, pub) where priv_pub is priv's public key. */
int
noise_x25519_pair(uint8_t out[NOISE_KEY_LEN],
    const uint8_t priv[NOISE_KEY_LEN], const uint8_t priv_pub[NOISE_KEY_LEN],
    const uint8_t pub[NOISE_KEY_LEN])
{
	EVP_PKEY	*a = NULL, *b = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	size_t		 len = NOISE_KEY_LEN;
	int		 rc = -1;

	a = noise_x25519_key(priv, priv_pub);
	b = noise_x25519_key(NULL, pub);
	if (a == NULL || b == NULL)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new(a, NULL)) == NULL)
		goto out;
	/* OpenSSL fails the derive when the result is all zero. */
	if (EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(ctx, b) != 1 ||
	    EVP_PKEY_derive(ctx, out, &len) != 1 || len != NOISE_KEY_LEN)
		goto out;
	rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	if (rc != 0)
		ERR_clear_error();
	return rc;
}

/* out = HASH(a || b). */
static int
noise_hash2(const EVP_MD *md, const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen, uint8_t out[NOISE_HASH_LEN])
{
	EVP_MD_CTX	*ctx;
	unsigned int	 len = 0;
	int		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, a, alen) == 1 &&
	    (blen == 0 || EVP_DigestUpdate(ctx, b, blen) == 1) &&
	    EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == NOISE_HASH_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* out = HMAC-HASH(key, a || b), key at most HMAC_BLOCK bytes. */
static int
noise_hmac(const EVP_MD *md, const uint8_t key[NOISE_HASH_LEN],
    const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
    uint8_t out[NOISE_HASH_LEN])
{
	EVP_MD_CTX	*ctx;
	uint8_t		 pad[HMAC_BLOCK], inner[NOISE_HASH_LEN];
	unsigned int	 len = 0;
	size_t		 i;
	int		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	memset(pad, 0x36, sizeof(pad));
	for (i = 0; i < NOISE_HASH_LEN; i++)
		pad[i] ^= key[i];
	ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, pad, sizeof(pad)) == 1 &&
	    (alen == 0 || EVP_DigestUpdate(ctx, a, alen) == 1) &&
	    (blen == 0 || EVP_DigestUpdate(ctx, b, blen) == 1) &&
	    EVP_DigestFinal_ex(ctx, inner, &len) == 1;
	memset(pad, 0x5c, sizeof(pad));
	for (i = 0; i < NOISE_HASH_LEN; i++)
		pad[i] ^= key[i];
	ok = ok && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, pad, sizeof(pad)) == 1 &&
	    EVP_DigestUpdate(ctx, inner, sizeof(inner)) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == NOISE_HASH_LEN;
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(inner, sizeof(inner));
	return ok ? 0 : -1;
}

/* Noise HKDF with two outputs. */
static int
noise_hkdf2(const EVP_MD *md, const uint8_t ck[NOISE_HASH_LEN],
    const uint8_t *ikm, size_t ikmlen, uint8_t o1[NOISE_HASH_LEN],
    uint8_t o2[NOISE_HASH_LEN])
{
	uint8_t	temp[NOISE_HASH_LEN], one = 1, two = 2;
	int	rc = -1;

	if (noise_hmac(md, ck, ikm, ikmlen, NULL, 0, temp) == 0 &&
	    noise_hmac(md, temp, &one, 1, NULL, 0, o1) == 0 &&
	    noise_hmac(md, temp, o1, NOISE_HASH_LEN, &two, 1, o2) == 0)
		rc = 0;
	OPENSSL_cleanse(temp, sizeof(temp));
	return rc;
}

/* Noise nonce: 32 zero bits then the counter, little-endian. */
static void
noise_nonce(uint8_t iv[NOISE_NONCE_LEN], uint64_t n)
{
	int	i;

	memset(iv, 0, 4);
	for (i = 0; i < 8; i++)
		iv[4 + i] = (uint8_t)(n >> (8 * i));
}

/*
 * The algorithms, fetched from the default provider once per process:
 * the legacy getters (EVP_blake2s256() ...) make OpenSSL 3 look them up
 * again at every init, which cost more than the X25519 operations of a
 * handshake (measured: a responder's handshake 535 us before).  Kept for
 * the life of the process (reachable, not a leak).
 */
static const EVP_MD *
noise_md(enum noise_hash hash)
{
	static EVP_MD	*md[2];
	int		 i = hash == NOISE_HASH_BLAKE2S ? 0 : 1;

	if (md[i] == NULL)
		md[i] = EVP_MD_fetch(NULL, i == 0 ? "BLAKE2S-256" : "SHA256",
		    NULL);
	return md[i];
}

static const EVP_CIPHER *
noise_aead(void)
{
	static EVP_CIPHER	*c;

	if (c == NULL)
		c = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	return c;
}

/* Make a ChaCha20-Poly1305 context for one direction. */
EVP_CIPHER_CTX *
noise_cipher_new(int enc)
{
	EVP_CIPHER_CTX	*ctx;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (noise_aead() == NULL ||
	    EVP_CipherInit_ex(ctx, noise_aead(), NULL, NULL, NULL, enc) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Key (or rekey) ctx; the cipher stays, nothing is allocated. */
int
noise_cipher_key(EVP_CIPHER_CTX *ctx, const uint8_t key[NOISE_KEY_LEN],
    int enc)
{
	if (EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, enc) != 1)
		return -1;
	return 0;
}

/* Encrypt buf in place with nonce n and additional data ad; tag out. */
int
noise_cipher_seal(EVP_CIPHER_CTX *ctx, uint64_t n, const uint8_t *ad,
    size_t adlen, uint8_t *buf, size_t len, uint8_t tag[NOISE_TAG_LEN])
{
	uint8_t	iv[NOISE_NONCE_LEN];
	int	outl;

	if (len > INT_MAX || adlen > INT_MAX)
		return -1;
	noise_nonce(iv, n);
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 1) != 1)
		return -1;
	if (adlen != 0 &&
	    EVP_CipherUpdate(ctx, NULL, &outl, ad, (int)adlen) != 1)
		return -1;
	if (len != 0 &&
	    EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) != 1)
		return -1;
	if (EVP_CipherFinal_ex(ctx, buf + len, &outl) != 1)
		return -1;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, NOISE_TAG_LEN,
	    tag) != 1)
		return -1;
	return 0;
}

/* Authenticate and decrypt buf in place; -1 if the tag does not match. */
int
noise_cipher_open(EVP_CIPHER_CTX *ctx, uint64_t n, const uint8_t *ad,
    size_t adlen, uint8_t *buf, size_t len, const uint8_t tag[NOISE_TAG_LEN])
{
	uint8_t	iv[NOISE_NONCE_LEN];
	int	outl;

	if (len > INT_MAX || adlen > INT_MAX)
		return -1;
	noise_nonce(iv, n);
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 0) != 1)
		return -1;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, NOISE_TAG_LEN,
	    (void *)tag) != 1)
		return -1;
	if (adlen != 0 &&
	    EVP_CipherUpdate(ctx, NULL, &outl, ad, (int)adlen) != 1)
		return -1;
	if (len != 0 &&
	    EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) != 1)
		return -1;
	if (EVP_CipherFinal_ex(ctx, buf + len, &outl) != 1)
		return -1;
	return 0;
}

/* REKEY(k): the first 32 bytes of ENCRYPT(k, 2^64-1, empty, zeros). */
int
noise_cipher_rekey(EVP_CIPHER_CTX *ctx, uint8_t key[NOISE_KEY_LEN], int enc)
{
	uint8_t	buf[NOISE_KEY_LEN], tag[NOISE_TAG_LEN];
	int	rc = -1;

	memset(buf, 0, sizeof(buf));
	if (EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, 1) != 1)
		goto out;
	if (noise_cipher_seal(ctx, UINT64_MAX, NULL, 0, buf, sizeof(buf),
	    tag) != 0)
		goto out;
	memcpy(key, buf, NOISE_KEY_LEN);
	if (noise_cipher_key(ctx, key, enc) != 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* One-shot AEAD for the handshake (a context per call). */
static int
noise_hs_aead(int enc, const uint8_t key[NOISE_KEY_LEN], uint64_t n,
    const uint8_t *ad, size_t adlen, uint8_t *buf, size_t len, uint8_t *tag)
{
	EVP_CIPHER_CTX	*ctx;
	int		 rc = -1;

	if ((ctx = noise_cipher_new(enc)) == NULL)
		return -1;
	if (noise_cipher_key(ctx, key, enc) == 0) {
		if (enc)
			rc = noise_cipher_seal(ctx, n, ad, adlen, buf, len, tag);
		else
			rc = noise_cipher_open(ctx, n, ad, adlen, buf, len, tag);
	}
	EVP_CIPHER_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* h = HASH(h || data). */
static int
noise_mix_hash(struct noise_hs *hs, const uint8_t *data, size_t len)
{
	return noise_hash2(hs->md, hs->h, NOISE_HASH_LEN, data, len, hs->h);
}

/* ck, k = HKDF(ck, ikm). */
static int
noise_mix_key(struct noise_hs *hs, const uint8_t *ikm, size_t len)
{
	uint8_t	ck[NOISE_HASH_LEN], k[NOISE_HASH_LEN];
	int	rc = -1;

	if (noise_hkdf2(hs->md, hs->ck, ikm, len, ck, k) == 0) {
		memcpy(hs->ck, ck, NOISE_HASH_LEN);
		memcpy(hs->k, k, NOISE_KEY_LEN);
		hs->has_k = true;
		hs->n = 0;
		rc = 0;
	}
	OPENSSL_cleanse(ck, sizeof(ck));
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

/* MixKey(DH(priv, pub)). */
static int
noise_mix_dh(struct noise_hs *hs, const uint8_t *priv, const uint8_t *pub)
{
	uint8_t	dh[NOISE_KEY_LEN];
	int	rc = -1;

	/* priv is hs->e or hs->s: its public key is known. */
	if (noise_x25519_pair(dh, priv, priv == hs->e ? hs->e_pub : hs->s_pub,
	    pub) == 0)
		rc = noise_mix_key(hs, dh, sizeof(dh));
	OPENSSL_cleanse(dh, sizeof(dh));
	return rc;
}

/* EncryptAndHash: in (len bytes) to out (len + tag); keyed states only. */
static int
noise_encrypt_hash(struct noise_hs *hs, const uint8_t *in, size_t len,
    uint8_t *out)
{
	if (!hs->has_k)
		return -1;	/* IK always has a key when it encrypts */
	memmove(out, in, len);
	if (noise_hs_aead(1, hs->k, hs->n, hs->h, NOISE_HASH_LEN, out, len,
	    out + len) != 0)
		return -1;
	hs->n++;
	return noise_mix_hash(hs, out, len + NOISE_TAG_LEN);
}

/* DecryptAndHash: in (len bytes incl. tag) to out (len - tag). */
static int
noise_decrypt_hash(struct noise_hs *hs, const uint8_t *in, size_t len,
    uint8_t *out)
{
	uint8_t	h[NOISE_HASH_LEN];
	size_t	plen;

	if (!hs->has_k || len < NOISE_TAG_LEN)
		return -1;
	plen = len - NOISE_TAG_LEN;
	if (noise_hash2(hs->md, hs->h, NOISE_HASH_LEN, in, len, h) != 0)
		return -1;
	memmove(out, in, plen);
	if (noise_hs_aead(0, hs->k, hs->n, hs->h, NOISE_HASH_LEN, out, plen,
	    (uint8_t *)in + plen) != 0) {
		OPENSSL_cleanse(out, plen);
		return -1;
	}
	hs->n++;
	memcpy(hs->h, h, NOISE_HASH_LEN);
	return 0;
}

/* Initialize an IK handshake. */
int
noise_hs_init(struct noise_hs *hs, enum noise_hash hash, bool initiator,
    const void *prologue, size_t prologue_len, const uint8_t s[NOISE_KEY_LEN],
    const uint8_t *rs)
{
	return noise_hs_init_pub(hs, hash, initiator, prologue, prologue_len,
	    s, NULL, rs);
}

/* Initialize an IK handshake; s_pub NULL: computed from s. */
int
noise_hs_init_pub(struct noise_hs *hs, enum noise_hash hash, bool initiator,
    const void *prologue, size_t prologue_len, const uint8_t s[NOISE_KEY_LEN],
    const uint8_t *s_pub, const uint8_t *rs)
{
	const char	*name = noise_names[hash];
	size_t		 nlen = strlen(name);

	memset(hs, 0, sizeof(*hs));
	hs->md = noise_md(hash);
	hs->initiator = initiator;
	if (hs->md == NULL || (initiator && rs == NULL))
		return -1;
	if (nlen <= NOISE_HASH_LEN)
		memcpy(hs->h, name, nlen);
	else if (noise_hash2(hs->md, (const uint8_t *)name, nlen, NULL, 0,
	    hs->h) != 0)
		return -1;
	memcpy(hs->ck, hs->h, NOISE_HASH_LEN);
	if (noise_mix_hash(hs, prologue, prologue_len) != 0)
		return -1;
	memcpy(hs->s, s, NOISE_KEY_LEN);
	if (s_pub != NULL)
		memcpy(hs->s_pub, s_pub, NOISE_KEY_LEN);
	else if (noise_x25519_public(s, hs->s_pub) != 0)
		return -1;
	/* Pre-message "<- s": both sides hash the responder's static key. */
	if (initiator) {
		memcpy(hs->rs, rs, NOISE_KEY_LEN);
		return noise_mix_hash(hs, hs->rs, NOISE_KEY_LEN);
	}
	return noise_mix_hash(hs, hs->s_pub, NOISE_KEY_LEN);
}

/* Inject the ephemeral private key. */
int
noise_hs_set_ephemeral(struct noise_hs *hs, const uint8_t e[NOISE_KEY_LEN])
{
	memcpy(hs->e, e, NOISE_KEY_LEN);
	if (noise_x25519_public(hs->e, hs->e_pub) != 0)
		return -1;
	hs->has_e = true;
	return 0;
}

/* Wipe the whole state. */
void
noise_hs_wipe(struct noise_hs *hs)
{
	OPENSSL_cleanse(hs, sizeof(*hs));
}

/* Token "e" on the write side. */
static int
noise_write_e(struct noise_hs *hs, uint8_t *out)
{
	if (!hs->has_e && noise_x25519_generate(hs->e, hs->e_pub) != 0)
		return -1;
	hs->has_e = true;
	memcpy(out, hs->e_pub, NOISE_KEY_LEN);
	return noise_mix_hash(hs, hs->e_pub, NOISE_KEY_LEN);
}

/* Initiator: write message 1. */
int
noise_hs_write_msg1(struct noise_hs *hs, const uint8_t *payload, size_t plen,
    uint8_t *out, size_t cap, size_t *outlen)
{
	if (!hs->initiator || hs->step != 0)
		return -1;
	if (cap < NOISE_IK_MSG1_OVERHEAD || plen > cap - NOISE_IK_MSG1_OVERHEAD)
		return -1;
	if (noise_write_e(hs, out) != 0 ||
	    noise_mix_dh(hs, hs->e, hs->rs) != 0 ||
	    noise_encrypt_hash(hs, hs->s_pub, NOISE_KEY_LEN,
	    out + NOISE_KEY_LEN) != 0 ||
	    noise_mix_dh(hs, hs->s, hs->rs) != 0 ||
	    noise_encrypt_hash(hs, payload, plen,
	    out + 2 * NOISE_KEY_LEN + NOISE_TAG_LEN) != 0)
		return -1;
	*outlen = NOISE_IK_MSG1_OVERHEAD + plen;
	hs->step = 1;
	return 0;
}

/* Responder: read message 1. */
int
noise_hs_read_msg1(struct noise_hs *hs, const uint8_t *msg, size_t len,
    uint8_t *payload, size_t cap, size_t *plen)
{
	if (hs->initiator || hs->step != 0 || len < NOISE_IK_MSG1_OVERHEAD ||
	    len - NOISE_IK_MSG1_OVERHEAD > cap)
		return -1;
	hs->step = -1;		/* a failed read is final */
	memcpy(hs->re, msg, NOISE_KEY_LEN);
	if (noise_mix_hash(hs, hs->re, NOISE_KEY_LEN) != 0 ||
	    noise_mix_dh(hs, hs->s, hs->re) != 0 ||
	    noise_decrypt_hash(hs, msg + NOISE_KEY_LEN,
	    NOISE_KEY_LEN + NOISE_TAG_LEN, hs->rs) != 0 ||
	    noise_mix_dh(hs, hs->s, hs->rs) != 0 ||
	    noise_decrypt_hash(hs, msg + 2 * NOISE_KEY_LEN + NOISE_TAG_LEN,
	    len - 2 * NOISE_KEY_LEN - NOISE_TAG_LEN, payload) != 0)
		return -1;
	*plen = len - NOISE_IK_MSG1_OVERHEAD;
	hs->step = 1;
	return 0;
}

/* Responder: write message 2. */
int
noise_hs_write_msg2(struct noise_hs *hs, const uint8_t *payload, size_t plen,
    uint8_t *out, size_t cap, size_t *outlen)
{
	if (hs->initiator || hs->step != 1)
		return -1;
	if (cap < NOISE_IK_MSG2_OVERHEAD || plen > cap - NOISE_IK_MSG2_OVERHEAD)
		return -1;
	if (noise_write_e(hs, out) != 0 ||
	    noise_mix_dh(hs, hs->e, hs->re) != 0 ||
	    noise_mix_dh(hs, hs->e, hs->rs) != 0 ||
	    noise_encrypt_hash(hs, payload, plen, out + NOISE_KEY_LEN) != 0)
		return -1;
	*outlen = NOISE_IK_MSG2_OVERHEAD + plen;
	hs->step = 2;
	return 0;
}

/* Initiator: read message 2. */
int
noise_hs_read_msg2(struct noise_hs *hs, const uint8_t *msg, size_t len,
    uint8_t *payload, size_t cap, size_t *plen)
{
	if (!hs->initiator || hs->step != 1 || len < NOISE_IK_MSG2_OVERHEAD ||
	    len - NOISE_IK_MSG2_OVERHEAD > cap)
		return -1;
	hs->step = -1;
	memcpy(hs->re, msg, NOISE_KEY_LEN);
	if (noise_mix_hash(hs, hs->re, NOISE_KEY_LEN) != 0 ||
	    noise_mix_dh(hs, hs->e, hs->re) != 0 ||
	    noise_mix_dh(hs, hs->s, hs->re) != 0 ||
	    noise_decrypt_hash(hs, msg + NOISE_KEY_LEN, len - NOISE_KEY_LEN,
	    payload) != 0)
		return -1;
	*plen = len - NOISE_IK_MSG2_OVERHEAD;
	hs->step = 2;
	return 0;
}

/* Split into the two transport keys. */
int
noise_hs_split(struct noise_hs *hs, uint8_t send[NOISE_KEY_LEN],
    uint8_t recv[NOISE_KEY_LEN], uint8_t hash[NOISE_HASH_LEN])
{
	uint8_t	c1[NOISE_HASH_LEN], c2[NOISE_HASH_LEN];
	int	rc = -1;

	if (hs->step != 2)
		return -1;
	if (noise_hkdf2(hs->md, hs->ck, NULL, 0, c1, c2) == 0) {
		memcpy(send, hs->initiator ? c1 : c2, NOISE_KEY_LEN);
		memcpy(recv, hs->initiator ? c2 : c1, NOISE_KEY_LEN);
		if (hash != NULL)
			memcpy(hash, hs->h, NOISE_HASH_LEN);
		rc = 0;
	}
	OPENSSL_cleanse(c1, sizeof(c1));
	OPENSSL_cleanse(c2, sizeof(c2));
	OPENSSL_cleanse(hs->ck, sizeof(hs->ck));
	OPENSSL_cleanse(hs->k, sizeof(hs->k));
	OPENSSL_cleanse(hs->e, sizeof(hs->e));
	hs->step = 3;
	return rc;
}
