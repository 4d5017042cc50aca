/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: the handshake parsers.  Input byte 0 selects the mode:
 *   0: the input is a HANDSHAKE_INIT record for proto_hs_respond_read
 *      with a fixed server key (mostly stops at the MAC),
 *   1: the input is the plaintext payload of message 1, encrypted by a
 *      Noise initiator, so the hello parser behind the MAC is reached,
 *   2: the input is the payload of message 2 for proto_hs_finish (the
 *      assignment parser).
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "noise.h"
#include "proto.h"

#define PROLOGUE	"rvpn v1"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t	cpriv[32], cpub[32], spriv[32], spub[32];

static void
fuzz_keys(void)
{
	if (spub[0] != 0 || spub[1] != 0)
		return;
	memset(cpriv, 0x11, sizeof(cpriv));
	memset(spriv, 0x22, sizeof(spriv));
	if (noise_x25519_public(cpriv, cpub) != 0 ||
	    noise_x25519_public(spriv, spub) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_hs		*hs, *ch;
	struct proto_session	*s;
	struct proto_hello	 hello;
	struct proto_assign	 a;
	struct noise_hs		 n;
	uint8_t			*rec, pub[32], pl[2048];
	size_t			 len, plen, cap;

	if (size < 1 || size > 4096)
		return (0);
	fuzz_keys();
	cap = size + 1 + NOISE_IK_MSG1_OVERHEAD;
	if ((rec = malloc(cap)) == NULL)
		return (0);
	hs = proto_hs_new();
	switch (data[0] % 3) {
	case 0:
		memcpy(rec, data + 1, size - 1);
		(void)proto_hs_respond_read(hs, spriv, rec, size - 1, &hello,
		    pub);
		break;
	case 1:
		if (noise_hs_init(&n, NOISE_HASH_BLAKE2S, true, PROLOGUE,
		    strlen(PROLOGUE), cpriv, spub) != 0 ||
		    noise_hs_write_msg1(&n, data + 1, size - 1, rec + 1,
		    cap - 1, &len) != 0)
			abort();
		rec[0] = PROTO_T_HANDSHAKE_INIT;
		if (proto_hs_respond_read(hs, spriv, rec, 1 + len, &hello,
		    pub) == PROTO_OK && memcmp(pub, cpub, 32) != 0)
			abort();
		noise_hs_wipe(&n);
		break;
	case 2:
		ch = proto_hs_new();
		s = proto_session_new();
		memset(&hello, 0, sizeof(hello));
		hello.version = PROTO_VERSION;
		if (proto_hs_initiate(ch, cpriv, spub, &hello, pl, sizeof(pl),
		    &len) != 0 ||
		    noise_hs_init(&n, NOISE_HASH_BLAKE2S, false, PROLOGUE,
		    strlen(PROLOGUE), spriv, NULL) != 0 ||
		    noise_hs_read_msg1(&n, pl + 1, len - 1, pl, sizeof(pl),
		    &plen) != 0 ||
		    noise_hs_write_msg2(&n, data + 1, size - 1, rec + 1,
		    cap - 1, &len) != 0)
			abort();
		rec[0] = PROTO_T_HANDSHAKE_RESP;
		if (proto_hs_finish(ch, rec, 1 + len, &a, s) == PROTO_OK &&
		    (a.ndns4 > PROTO_MAX_DNS || a.ndns6 > PROTO_MAX_DNS ||
		    a.nroutes > PROTO_MAX_ROUTES))
			abort();
		noise_hs_wipe(&n);
		proto_hs_free(ch);
		proto_session_free(s);
		break;
	}
	proto_hs_free(hs);
	free(rec);
	return (0);
}
